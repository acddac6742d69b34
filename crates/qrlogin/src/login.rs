//! `qrlogin login`: the PC side in a terminal. Shows a QR code, follows its state live
//! (SSE, falling back to long poll, via [`Pc::follow`]), replaces it when it expires,
//! cancels it on Ctrl-C, and on confirm redeems it and keeps the session in the 0600
//! `session.json`. What the user sees is in [`crate::login_view`].

use crate::common::{hostname, in_seconds, interrupted, server_url};
use crate::exit::{Exit, Failure, Role};
use crate::login_view::View;
use crate::store::{PcSession, Store, SESSION_FILE};
use clap::Args;
use futures::StreamExt as _;
use qrlogin_client::{Client, DeviceInfo, ErrorCode, Pc, QrState};
use std::time::Duration;

/// Flags of `qrlogin login`.
#[derive(Args, Debug)]
pub struct LoginArgs {
    /// Base URL of the qrlogin server, e.g. http://127.0.0.1:8080.
    #[arg(long, env = "QRLOGIN_SERVER")]
    server: String,
    /// Print one JSON object per line for each event instead of drawing the QR code.
    #[arg(long)]
    json: bool,
    /// Name shown on the phone before it confirms (default: "qrlogin CLI on <host>").
    #[arg(long)]
    device_name: Option<String>,
    /// Give up after this many QR codes have expired unscanned.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..))]
    max_codes: u32,
}

/// How long the cancel on Ctrl-C may take: the user is waiting to get the prompt back.
const CANCEL_TIMEOUT: Duration = Duration::from_secs(3);

/// Runs the login; on success the session is in `store`.
pub async fn run(args: LoginArgs, store: Store) -> Result<(), Failure> {
    let mut view = View::new(args.json);
    let result = login(&args, &store, &mut view).await;
    if let Err(f) = &result {
        view.failed(f);
    }
    result
}

async fn login(args: &LoginArgs, store: &Store, view: &mut View) -> Result<(), Failure> {
    let server = server_url(&args.server)?;
    let client = Client::new(&server);
    let device = DeviceInfo {
        id: None,
        kind: Some("cli".into()),
        name: Some(args.device_name.clone().unwrap_or_else(|| {
            format!(
                "qrlogin CLI on {}",
                hostname().unwrap_or_else(|| "this computer".into())
            )
        })),
    };
    // The QR session being shown, so Ctrl-C can cancel it after the work is dropped.
    let mut current: Option<Pc> = None;
    let outcome = {
        let work = codes(&client, device, args.max_codes, store, view, &mut current);
        tokio::pin!(work);
        tokio::select! {
            r = &mut work => Some(r),
            () = interrupted() => None,
        }
    };
    match outcome {
        Some(r) => r,
        None => {
            if let Some(pc) = current {
                // Best effort: it may have expired or been confirmed meanwhile.
                let _ = tokio::time::timeout(CANCEL_TIMEOUT, pc.cancel()).await;
            }
            Err(Failure::new(
                Exit::Declined,
                "Cancelled — the QR code can no longer be used",
            ))
        }
    }
}

/// Shows up to `max_codes` QR codes in turn until one is confirmed (or declined).
async fn codes(
    client: &Client,
    device: DeviceInfo,
    max_codes: u32,
    store: &Store,
    view: &mut View,
    current: &mut Option<Pc>,
) -> Result<(), Failure> {
    let fail = |e: &qrlogin_client::Error| Failure::from_client(e, client.base_url(), Role::Pc);
    for _ in 0..max_codes {
        let pc = client
            .create_qr(Some(device.clone()))
            .await
            .map_err(|e| fail(&e))?;
        *current = Some(pc.clone());
        view.created(&pc)?;
        let mut changes = pc.follow();
        loop {
            match changes.next().await {
                Some(Ok(status)) => {
                    view.status(&status);
                    match status.state {
                        QrState::Pending | QrState::Scanned => {}
                        QrState::Confirmed => return redeem(&pc, store, view).await,
                        QrState::Cancelled => {
                            return Err(Failure::new(
                                Exit::Declined,
                                "The login was declined on the phone",
                            ))
                        }
                        QrState::Expired => break,
                        QrState::Redeemed => {
                            return Err(Failure::new(
                                Exit::Generic,
                                "This QR code was redeemed by another client",
                            ))
                        }
                    }
                }
                Some(Err(e)) if e.code() == Some(ErrorCode::QrExpired) => break,
                Some(Err(e)) => return Err(fail(&e)),
                None => {
                    return Err(Failure::new(
                        Exit::Generic,
                        "the server stopped reporting the QR code's state; run the command again",
                    ))
                }
            }
        }
        *current = None;
    }
    Err(Failure {
        exit: Exit::Expired,
        message: "This QR code has expired — run the command again".into(),
        code: Some("qr_expired".into()),
    })
}

/// Redeems a confirmed QR session and saves the session; the token goes to the file
/// only.
async fn redeem(pc: &Pc, store: &Store, view: &mut View) -> Result<(), Failure> {
    let server = pc.client().base_url().to_owned();
    let got = pc
        .redeem()
        .await
        .map_err(|e| Failure::from_client(&e, &server, Role::Pc))?;
    let session = PcSession {
        server,
        session_token: got.session_token,
        account: got.account,
        expires_at: in_seconds(got.expires_in),
    };
    let path = store.save(SESSION_FILE, &session)?;
    view.signed_in(&session, &path);
    Ok(())
}
