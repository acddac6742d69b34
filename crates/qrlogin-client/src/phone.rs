//! The phone role: a device already signed in to the account, which scans the QR code
//! and confirms or declines the login.
//!
//! A mobile token is bound to one device, and the server checks `X-Device-Id` on
//! every request, so a [`Phone`] handle keeps the token and the device id together
//! and sends both every time.

use crate::error::Error;
use crate::{segment, Client, Method, Token};
use qrlogin_core::api::{
    AccountView, ActivityResponse, ActivityView, LoginRequest, LoginResponse, ScanResponse,
    SessionView, SessionsResponse, TicketRequest, TransitionResponse,
};
use qrlogin_core::DeviceInfo;

/// The header that names the phone's device on every phone request.
pub const DEVICE_ID_HEADER: &str = "X-Device-Id";

/// A signed-in phone. Cheap to clone.
#[derive(Clone)]
pub struct Phone {
    client: Client,
    token: Token,
    device_id: String,
    /// The account, when this handle came from a login.
    account: Option<AccountView>,
}

impl std::fmt::Debug for Phone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Phone")
            .field("device_id", &self.device_id)
            .field("token", &self.token)
            .field("account", &self.account.as_ref().map(|a| &a.id))
            .finish()
    }
}

impl Client {
    /// `POST /api/v1/auth/login`: the phone's password login. `device.id` and
    /// `device.kind` are required by the server. Wrong credentials are
    /// `401 invalid_credentials`.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        device: DeviceInfo,
    ) -> Result<LoginResponse, Error> {
        let req = self
            .request(Method::POST, "/api/v1/auth/login")
            .json(&LoginRequest {
                username: username.to_owned(),
                password: password.to_owned(),
                device,
            });
        self.execute(req).await
    }

    /// [`Client::login`], then a [`Phone`] handle for the new token.
    pub async fn login_phone(
        &self,
        username: &str,
        password: &str,
        device: DeviceInfo,
    ) -> Result<Phone, Error> {
        let sent_id = device.id.clone();
        let login = self.login(username, password, device).await?;
        let mut phone = Phone::from_login(self, &login);
        if phone.device_id.is_empty() {
            phone.device_id = sent_id.unwrap_or_default();
        }
        Ok(phone)
    }

    /// A handle for a mobile token kept from an earlier login (e.g. in a 0600 file).
    pub fn phone(&self, token: impl Into<Token>, device_id: impl Into<String>) -> Phone {
        Phone {
            client: self.clone(),
            token: token.into(),
            device_id: device_id.into(),
            account: None,
        }
    }
}

impl Phone {
    /// The handle for a login answer: its token, and the device it is bound to.
    pub fn from_login(client: &Client, login: &LoginResponse) -> Self {
        Self {
            client: client.clone(),
            token: Token::new(login.access_token.clone()),
            device_id: login.device.id.clone().unwrap_or_default(),
            account: Some(login.account.clone()),
        }
    }

    /// The same token presented with another device id: for tests of
    /// `401 device_mismatch`.
    pub fn with_device_id(&self, device_id: impl Into<String>) -> Self {
        Self {
            device_id: device_id.into(),
            ..self.clone()
        }
    }

    /// The mobile token, e.g. to save it.
    pub fn token(&self) -> &Token {
        &self.token
    }

    /// The device the token is bound to.
    pub fn device_id(&self) -> &str {
        &self.device_id
    }

    /// The signed-in account, when this handle came from a login.
    pub fn account(&self) -> Option<&AccountView> {
        self.account.as_ref()
    }

    /// The client this handle talks through.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// A request to `path` with the phone's token and device id: the escape hatch for
    /// tests (a confirm without a ticket, a body of the wrong type, …).
    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, path)
            .bearer_auth(self.token.expose())
            .header(DEVICE_ID_HEADER, &self.device_id)
    }

    /// `POST /api/v1/qr/{qr_id}/scan`: claims the QR session for this phone and tells
    /// who is asking. `409 already_scanned` if another device was first; a repeat by
    /// this phone gives a new ticket.
    pub async fn scan(&self, qr_id: &str) -> Result<ScanResponse, Error> {
        let path = format!("/api/v1/qr/{}/scan", segment(qr_id));
        let req = self
            .request(Method::POST, &path)
            .json(&serde_json::json!({}));
        self.client.execute(req).await
    }

    /// `POST /api/v1/qr/{qr_id}/confirm`: the user says yes; the PC may then redeem.
    pub async fn confirm(&self, qr_id: &str, ticket: &str) -> Result<TransitionResponse, Error> {
        self.decide(qr_id, "confirm", ticket).await
    }

    /// `POST /api/v1/qr/{qr_id}/cancel`: the user says no; the QR session is
    /// `cancelled` for good.
    pub async fn decline(&self, qr_id: &str, ticket: &str) -> Result<TransitionResponse, Error> {
        self.decide(qr_id, "cancel", ticket).await
    }

    async fn decide(
        &self,
        qr_id: &str,
        action: &str,
        ticket: &str,
    ) -> Result<TransitionResponse, Error> {
        let path = format!("/api/v1/qr/{}/{action}", segment(qr_id));
        let body = TicketRequest {
            scan_ticket: Some(ticket.to_owned()),
        };
        let req = self.request(Method::POST, &path).json(&body);
        self.client.execute(req).await
    }

    /// `GET /api/v1/sessions`: the account's live PC sessions made by QR login.
    pub async fn sessions(&self) -> Result<Vec<SessionView>, Error> {
        let req = self.request(Method::GET, "/api/v1/sessions");
        let list: SessionsResponse = self.client.execute(req).await?;
        Ok(list.sessions)
    }

    /// `DELETE /api/v1/sessions/{session_id}`: signs that PC out at once.
    /// `404 not_found` for another account's session or an unknown id.
    pub async fn revoke(&self, session_id: &str) -> Result<(), Error> {
        let path = format!("/api/v1/sessions/{}", segment(session_id));
        let req = self.request(Method::DELETE, &path);
        self.client.execute_empty(req).await
    }

    /// `POST /api/v1/auth/logout`: signs this phone out; its token stops working.
    pub async fn logout(&self) -> Result<(), Error> {
        let req = self.request(Method::POST, "/api/v1/auth/logout");
        self.client.execute_empty(req).await
    }

    /// `GET /api/v1/activity?limit=N`: the account's latest events, newest first
    /// (`None`: the server's default of 50; outside 1..=200: `400 invalid_request`).
    pub async fn activity(&self, limit: Option<u32>) -> Result<Vec<ActivityView>, Error> {
        let mut req = self.request(Method::GET, "/api/v1/activity");
        if let Some(limit) = limit {
            req = req.query(&[("limit", limit)]);
        }
        let list: ActivityResponse = self.client.execute(req).await?;
        Ok(list.events)
    }
}
