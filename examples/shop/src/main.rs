//! Runs Shop's web backend: `QRLOGIN_URL` (default `http://127.0.0.1:8080`),
//! `SHOP_CLIENT_ID` (default `shop`), on `SHOP_ADDR` (default `127.0.0.1:3000`).

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let env = |k: &str, d: &str| std::env::var(k).unwrap_or_else(|_| d.to_owned());
    let web = qrlogin_example_shop::web::Web::new(
        &env("QRLOGIN_URL", "http://127.0.0.1:8080"),
        &env("SHOP_CLIENT_ID", "shop"),
    );
    let listener = tokio::net::TcpListener::bind(env("SHOP_ADDR", "127.0.0.1:3000")).await?;
    println!("Shop on http://{}", listener.local_addr()?);
    axum::serve(listener, web.router()).await?;
    Ok(())
}
