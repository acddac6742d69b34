//! Assertions on error answers, shared by every test binary that talks HTTP.

/// Asserts that `res` is a problem+json answer (RFC 9457) with `status` and `code`.
pub async fn assert_problem(res: reqwest::Response, status: u16, code: &str) {
    let url = res.url().path().to_owned();
    assert_eq!(res.status().as_u16(), status, "status of {url}");
    let ct = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert_eq!(ct, "application/problem+json", "content type of {url}");
    let body: serde_json::Value = res.json().await.expect("problem body");
    assert_eq!(body["code"], code, "code in {body} of {url}");
    assert_eq!(body["status"], status);
    assert_eq!(body["type"], format!("urn:qrlogin:error:{code}"));
}

/// The error code of a client result that must be an error, for `assert_eq!`.
pub fn code_of<T: std::fmt::Debug>(r: Result<T, qrlogin_client::Error>) -> Option<&'static str> {
    r.expect_err("expected an error").code().map(|c| c.as_str())
}

/// Sends `req` and asserts its answer is problem+json with `status` and `code`.
pub async fn expect_problem(req: reqwest::RequestBuilder, status: u16, code: &str) {
    assert_problem(req.send().await.expect("an answer"), status, code).await;
}
