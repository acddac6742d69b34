//! The log filter: what `QRLOGIN_LOG` asks for, with the targets whose output would
//! carry secrets held at `info`.

/// Targets whose trace output would carry secrets: the WebSocket library logs every
/// frame it reads, a browser's auth message (with its poll token) included. They are
/// kept at `info` whatever `QRLOGIN_LOG` asks, unless it names them itself.
const SECRET_BEARING_TARGETS: &[&str] = &["tungstenite", "tokio_tungstenite"];

/// The log filter directives for `QRLOGIN_LOG`'s value (`None`: `info`), with the
/// targets of [`SECRET_BEARING_TARGETS`] held at `info`; so `QRLOGIN_LOG=trace` logs
/// everything but the frames that hold tokens. (Our own logs never print a secret at
/// any level: ids and hashes only.)
pub fn log_directives(user: Option<&str>) -> String {
    let mut d = user
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or("info")
        .to_owned();
    for target in SECRET_BEARING_TARGETS {
        let named = d
            .split(',')
            .any(|part| part.trim().split(['=', '[']).next() == Some(target));
        if !named {
            d.push_str(&format!(",{target}=info"));
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::log_directives;

    #[test]
    fn the_websocket_library_stays_at_info_unless_named() {
        assert_eq!(
            log_directives(Some("trace")),
            "trace,tungstenite=info,tokio_tungstenite=info"
        );
        assert_eq!(
            log_directives(None),
            "info,tungstenite=info,tokio_tungstenite=info"
        );
        assert!(log_directives(Some("tungstenite=debug"))
            .ends_with("tungstenite=debug,tokio_tungstenite=info"));
    }
}
