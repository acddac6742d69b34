//! Whether a QR session was made for an OAuth client, recorded on the session itself
//! when it is created. Most QR sessions are plain logins; knowing that from the record
//! the scan and the redeem already read spares each of them a database lookup of an
//! OAuth request that does not exist.

use serde::{Deserialize, Serialize};

/// What a QR session knows about the client it was made for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QrClient {
    /// Not recorded: a record written before sessions carried it, which may or may not
    /// have an OAuth request (ask the database, as servers did then). The default, so a
    /// record that does not say reads as "unknown", never as "plain".
    #[default]
    Unrecorded,
    /// A plain QR login, made for no client: there is no OAuth request to look up.
    Plain,
    /// Made for this client (`client_id` on create, the authorization page, the device
    /// grant): its OAuth request is stored under the `qr_id`.
    Client(String),
}

impl QrClient {
    /// Whether an OAuth request may exist for the session: `false` only when the
    /// session knows it was made for no client.
    pub fn may_have_request(&self) -> bool {
        !matches!(self, QrClient::Plain)
    }

    /// The client's id, when the session records one.
    pub fn client_id(&self) -> Option<&str> {
        match self {
            QrClient::Client(id) => Some(id),
            QrClient::Unrecorded | QrClient::Plain => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::QrClient;

    #[test]
    fn only_a_session_known_to_be_plain_may_skip_the_lookup() {
        assert!(!QrClient::Plain.may_have_request());
        assert!(QrClient::Unrecorded.may_have_request());
        assert!(QrClient::Client("demo".into()).may_have_request());
        assert_eq!(QrClient::Client("demo".into()).client_id(), Some("demo"));
        assert_eq!(QrClient::Plain.client_id(), None);
    }

    #[test]
    fn a_record_that_does_not_say_reads_as_unrecorded() {
        assert_eq!(QrClient::default(), QrClient::Unrecorded);
    }
}
