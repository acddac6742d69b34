//! "Bring your own users" from the outside: a mock identity provider (a JWKS served on
//! 127.0.0.1 by the test) whose phone JWTs are exchanged for qrlogin phone tokens, and
//! every way such a token must be refused with nothing made; trusted backends scanning
//! and confirming for their own users, namespaced per client and racing a phone; and a
//! QR login made for a client whose redeem answer carries a verifiable ID token.

mod backend;
mod exchange;
mod helpers;
mod idp;
mod qr_client;
