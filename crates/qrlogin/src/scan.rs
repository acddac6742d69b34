//! `qrlogin scan <image | URL | qr_id>`: the phone's half of a login from a terminal.
//! Claims the QR session with the saved phone token, shows who is asking (device, IP,
//! app, time: what the user must check before letting anyone in), then confirms or
//! declines on an explicit answer.

use crate::exit::{Exit, Failure, Role};
use crate::phone::saved_phone;
use crate::qr_image;
use crate::store::Store;
use clap::Args;
use qrlogin_client::api::ScanResponse;
use std::io::{BufRead as _, Write as _};
use std::path::Path;

/// Flags of `qrlogin scan`.
#[derive(Args, Debug)]
pub struct ScanArgs {
    /// A PNG/JPEG image of the QR code, its URL (…/m/qr/ID), or the bare QR id.
    /// An id is base64url, so 1 in 64 begins with `-`: taken as the target, not as an
    /// unknown flag.
    #[arg(allow_hyphen_values = true)]
    target: String,
    /// Confirm without asking (for scripts).
    #[arg(long, conflicts_with = "decline")]
    yes: bool,
    /// Decline without asking (for scripts).
    #[arg(long)]
    decline: bool,
    /// Server URL (default: the one saved by `qrlogin phone login`).
    #[arg(long, env = "QRLOGIN_SERVER")]
    server: Option<String>,
}

/// Where the QR code points: its id, and the server origin when it came as a URL.
#[derive(Debug, PartialEq, Eq)]
struct Target {
    qr_id: String,
    origin: Option<String>,
}

/// Runs the scan.
pub async fn run(args: ScanArgs, store: Store) -> Result<(), Failure> {
    // Read the input first: a bad image is reported whether or not we are signed in.
    let target = parse_target(&args.target)?;
    let (phone, server) = saved_phone(&store, args.server.as_deref())?;
    if let Some(origin) = &target.origin {
        if origin != &server {
            eprintln!("qrlogin: note: the QR code points to {origin}; using {server}");
        }
    }
    let fail = |e: qrlogin_client::Error| Failure::from_client(&e, &server, Role::Phone);
    let scan = phone.scan(&target.qr_id).await.map_err(fail)?;
    show_request(&scan);
    let confirm = if args.yes {
        true
    } else if args.decline {
        false
    } else {
        ask("Confirm? [y/N] ")
    };
    if confirm {
        phone
            .confirm(&target.qr_id, &scan.scan_ticket)
            .await
            .map_err(fail)?;
        println!("Confirmed — the other device is now signed in.");
    } else {
        phone
            .decline(&target.qr_id, &scan.scan_ticket)
            .await
            .map_err(fail)?;
        println!("Declined — the other device was not let in.");
    }
    Ok(())
}

/// An image file if one exists at `arg`, else a URL, else a bare id.
fn parse_target(arg: &str) -> Result<Target, Failure> {
    let arg = arg.trim();
    if arg.starts_with("http://") || arg.starts_with("https://") {
        return parse_url(arg);
    }
    let path = Path::new(arg);
    if path.exists() {
        let text = qr_image::decode_file(path)?;
        return parse_url(text.trim()).map_err(|_| {
            Failure::new(
                Exit::BadInput,
                format!(
                    "{}: the QR code is not a qrlogin code (it says {:?})",
                    path.display(),
                    clip(&text)
                ),
            )
        });
    }
    if is_id(arg) {
        return Ok(Target {
            qr_id: arg.to_owned(),
            origin: None,
        });
    }
    Err(Failure::new(
        Exit::BadInput,
        format!("{arg:?} is not an image file, a qrlogin URL (…/m/qr/ID) or a QR id"),
    ))
}

/// `<origin>[/prefix]/m/qr/<id>[?…]` → id and origin (with the prefix).
fn parse_url(text: &str) -> Result<Target, Failure> {
    let bad = || {
        Failure::new(
            Exit::BadInput,
            format!("{:?} is not a qrlogin URL (…/m/qr/ID)", clip(text)),
        )
    };
    let url = reqwest::Url::parse(text).map_err(|_| bad())?;
    let path = url.path();
    let at = path.rfind("/m/qr/").ok_or_else(bad)?;
    let id = path[at + "/m/qr/".len()..].trim_end_matches('/');
    if !is_id(id) {
        return Err(bad());
    }
    let origin = url.origin().ascii_serialization();
    Ok(Target {
        qr_id: id.to_owned(),
        origin: Some(format!("{origin}{}", &path[..at])),
    })
}

/// What a `qr_id` can look like (base64url); the server checks the rest.
fn is_id(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// At most 80 characters of someone else's text, for messages.
fn clip(s: &str) -> String {
    clean(&s.chars().take(80).collect::<String>())
}

/// Drops control characters from text the requesting PC chose (device name, user
/// agent), so it cannot move the cursor or recolour the terminal to fake the prompt.
fn clean(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).collect()
}

fn show_request(scan: &ScanResponse) {
    let r = &scan.requester;
    let device = match (&r.device.name, &r.device.kind) {
        (Some(name), Some(kind)) => format!("{} ({})", clean(name), clean(kind)),
        (Some(name), None) => clean(name),
        (None, Some(kind)) => clean(kind),
        (None, None) => "unknown device".into(),
    };
    println!("Someone wants to sign in to your account:");
    println!("  Device:  {device}");
    println!("  From IP: {}", clean(&r.ip));
    if let Some(ua) = &r.user_agent {
        println!("  App:     {}", clean(ua));
    }
    println!("  Time:    {}", clean(&r.created_at));
    println!("Only confirm if this is you, on a device you are using right now.");
}

/// Asks on the terminal; anything but `y`/`yes` (including end of input) is no.
fn ask(prompt: &str) -> bool {
    print!("{prompt}");
    let _ = std::io::stdout().flush();
    let mut answer = String::new();
    if std::io::stdin().lock().read_line(&mut answer).is_err() {
        return false;
    }
    matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_gives_the_id_and_the_server_it_came_from() {
        let t = parse_target("http://127.0.0.1:8080/m/qr/pB3xY9_-abcdefghijklmn").unwrap();
        assert_eq!(t.qr_id, "pB3xY9_-abcdefghijklmn");
        assert_eq!(t.origin.as_deref(), Some("http://127.0.0.1:8080"));
        let t = parse_target("https://example.com/login/m/qr/abc?x=1").unwrap();
        assert_eq!(t.qr_id, "abc");
        assert_eq!(t.origin.as_deref(), Some("https://example.com/login"));
    }

    #[test]
    fn a_bare_id_is_taken_as_it_is() {
        let t = parse_target("pB3xY9_-abcdefghijklmn").unwrap();
        assert_eq!(
            t,
            Target {
                qr_id: "pB3xY9_-abcdefghijklmn".into(),
                origin: None
            }
        );
    }

    #[test]
    fn anything_else_is_bad_input() {
        for arg in [
            "http://h/other/abc",
            "http://h/m/qr/a%2Fb",
            "no such file.png",
            "",
        ] {
            assert_eq!(parse_target(arg).unwrap_err().exit, Exit::BadInput, "{arg}");
        }
    }

    /// `qrlogin scan` parsed alone, as the binary parses it.
    #[derive(clap::Parser, Debug)]
    struct Cli {
        #[command(flatten)]
        args: ScanArgs,
    }

    #[test]
    fn an_id_that_begins_with_a_hyphen_is_the_target_wherever_the_flags_are() {
        use clap::Parser as _;
        for argv in [
            &["scan", "-B3xY9_-abcdefghijklmn", "--decline"][..],
            &["scan", "--decline", "-B3xY9_-abcdefghijklmn"][..],
            &["scan", "--decline", "--", "-B3xY9_-abcdefghijklmn"][..],
        ] {
            let cli = Cli::try_parse_from(argv).unwrap_or_else(|e| panic!("{argv:?}: {e}"));
            assert_eq!(cli.args.target, "-B3xY9_-abcdefghijklmn", "{argv:?}");
            assert!(cli.args.decline && !cli.args.yes, "{argv:?}");
        }
    }

    #[test]
    fn control_characters_from_the_requester_are_removed() {
        assert_eq!(clean("Fire\x1b[2Jfox\r\n"), "Fire[2Jfox");
    }
}
