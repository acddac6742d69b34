//! The RFC 8628 device grant's pure parts: the device authorization answer, and the
//! polling pace (`slow_down` and its growing interval, §3.5).

use crate::error::{ErrorCode, OAuthError};
use crate::user_code::UserCode;
use qrlogin_core::Millis;
use serde::{Deserialize, Serialize};

/// The polling interval handed out (API.md: 5 s).
pub const DEFAULT_INTERVAL_SECS: u64 = 5;

/// How much `slow_down` adds to the interval, for this and every later poll.
pub const SLOW_DOWN_STEP_SECS: u64 = 5;

/// Path of the page where a phone types a user code.
pub const VERIFICATION_PATH: &str = "/m/device";

/// The answer of `POST /oauth2/device_authorization`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceAuthorizationResponse {
    /// The device's polling secret (`qld_…`).
    pub device_code: String,
    /// Shown `XXXX-XXXX`.
    pub user_code: String,
    /// `{public_url}/m/device`: where to type the code.
    pub verification_uri: String,
    /// The QR content: scanning it goes straight to the confirm page.
    pub verification_uri_complete: String,
    /// Seconds until the device code expires.
    pub expires_in: u64,
    /// Seconds to wait between polls.
    pub interval: u64,
}

impl DeviceAuthorizationResponse {
    /// The answer for a new device authorization; `qr_content` is the QR session's
    /// `qr_content`, which the device shows as the QR.
    pub fn new(
        public_url: &str,
        device_code: &str,
        user_code: &UserCode,
        qr_content: &str,
        expires_in: u64,
    ) -> Self {
        Self {
            device_code: device_code.to_owned(),
            user_code: user_code.display(),
            verification_uri: format!("{}{VERIFICATION_PATH}", public_url.trim_end_matches('/')),
            verification_uri_complete: qr_content.to_owned(),
            expires_in,
            interval: DEFAULT_INTERVAL_SECS,
        }
    }
}

/// The pace of one device code's polling, kept with the device code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollPace {
    /// The interval now in force, in seconds.
    pub interval_secs: u64,
    /// When the device last polled.
    pub last_poll_at: Option<Millis>,
}

impl Default for PollPace {
    fn default() -> Self {
        Self {
            interval_secs: DEFAULT_INTERVAL_SECS,
            last_poll_at: None,
        }
    }
}

impl PollPace {
    /// Records a poll at `now`. Sooner than the interval after the previous poll:
    /// `slow_down`, and the interval grows by 5 s. The poll time is recorded either
    /// way, so a device that keeps hammering keeps being slowed.
    pub fn poll(&mut self, now: Millis) -> Result<(), OAuthError> {
        let previous = self.last_poll_at.replace(now);
        let too_soon = previous.is_some_and(|p| {
            now.saturating_sub(p) < (self.interval_secs as Millis).saturating_mul(1000)
        });
        if too_soon {
            self.interval_secs += SLOW_DOWN_STEP_SECS;
            return Err(OAuthError::bare(ErrorCode::SlowDown));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_answer_points_at_the_device_page_and_the_qr_content() {
        let code = UserCode::parse("BCDFGHJK").unwrap();
        let r = DeviceAuthorizationResponse::new(
            "https://id.example/",
            "qld_x",
            &code,
            "https://id.example/m/qr/abc",
            120,
        );
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["verification_uri"], "https://id.example/m/device");
        assert_eq!(
            v["verification_uri_complete"],
            "https://id.example/m/qr/abc"
        );
        assert_eq!(v["user_code"], "BCDF-GHJK");
        assert_eq!(
            (v["interval"].as_u64(), v["expires_in"].as_u64()),
            (Some(5), Some(120))
        );
    }

    #[test]
    fn polling_at_the_interval_is_fine() {
        let mut p = PollPace::default();
        assert!(p.poll(0).is_ok());
        assert!(p.poll(5_000).is_ok());
        assert!(p.poll(10_000).is_ok());
        assert_eq!(p.interval_secs, 5);
    }

    #[test]
    fn polling_too_soon_is_slow_down_and_the_interval_grows_by_five_seconds() {
        let mut p = PollPace::default();
        p.poll(0).unwrap();
        assert_eq!(p.poll(4_999).unwrap_err().error, ErrorCode::SlowDown);
        assert_eq!(p.interval_secs, 10);
        assert_eq!(p.poll(14_000).unwrap_err().error, ErrorCode::SlowDown);
        assert_eq!(p.interval_secs, 15);
        assert!(p.poll(29_000).is_ok());
        assert_eq!(p.interval_secs, 15);
    }
}
