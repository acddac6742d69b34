//! "Shop", an example product signing its users in with qrlogin and no qrlogin password:
//!
//! - [`web`]: the web backend. Its page mounts the qrlogin widget with `clientId:
//!   "shop"`; the widget hands the redeem answer's `id_token` to `/session`, which
//!   verifies it against qrlogin's JWKS and starts Shop's own cookie session.
//! - [`mobile`]: the mobile backend. When a Shop user scans the QR in Shop's app, it
//!   approves for them with client credentials (scope `qr:approve`).

pub mod mobile;
pub mod web;
