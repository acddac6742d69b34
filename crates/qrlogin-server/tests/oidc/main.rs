//! The OpenID Provider driven by a stock relying party, the `openidconnect` crate:
//! discovery, the authorization code flow with PKCE and ID token verification against
//! the JWKS, userinfo, refresh, and the device grant with its polling. The PC page is
//! played over HTTP (the requests `/static/oauth.js` makes), the phone through the
//! typed client.

mod code_flow;
mod device;
mod helpers;
mod housekeeping;
mod keys;
mod refusals;
