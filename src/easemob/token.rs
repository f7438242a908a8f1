//! The app token: request it, parse it, and know when to refresh it.

use core::fmt;

use serde_json::Value;

use super::response::{api_error, json_object, malformed, Call};
use super::settings::Settings;
use crate::error::Error;
use crate::http::{Header, HttpRequest, HttpResponse};
use crate::secret::Secret;
use crate::{json, validate};

/// The app's `client_id` and `client_secret`, from the console's app details page.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientCredentials {
    client_id: String,
    client_secret: Secret,
}

impl ClientCredentials {
    /// The app's credentials.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `client_id` or `client_secret` when empty or holding
    /// whitespace or control characters.
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<Secret>) -> Result<Self, Error> {
        let client_id = client_id.into();
        let client_secret = client_secret.into();
        validate::word("client_id", &client_id)?;
        validate::word("client_secret", client_secret.expose())?;
        Ok(Self { client_id, client_secret })
    }

    /// The client id (not secret).
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The client secret.
    pub fn client_secret(&self) -> &Secret {
        &self.client_secret
    }
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .finish()
    }
}

/// The unit of `ttl` and `expires_in`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum TimeUnit {
    /// Seconds (every cluster but VIP 5).
    #[default]
    Seconds,
    /// Milliseconds (the VIP 5 cluster).
    Milliseconds,
}

/// How app tokens are requested and when they are refreshed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TokenPolicy {
    /// The lifetime to ask for, in seconds; `Some(0)` asks for a token that never expires;
    /// `None` leaves it to the console setting.
    pub ttl: Option<u64>,
    /// The unit the cluster uses for `ttl` and `expires_in`.
    pub unit: TimeUnit,
    /// Refresh at least this many seconds before expiry (default 300).
    pub refresh_margin: u64,
}

impl Default for TokenPolicy {
    fn default() -> Self {
        Self { ttl: None, unit: TimeUnit::Seconds, refresh_margin: 300 }
    }
}

/// An app token and its lifetime, all in Unix seconds.
#[derive(Clone, PartialEq, Eq)]
pub struct AppToken {
    value: Secret,
    issued_at: u64,
    expires_at: Option<u64>,
    refresh_at: Option<u64>,
    application: Option<String>,
}

impl AppToken {
    /// A token obtained at `issued_at` that expires at `expires_at` (`None`: never), with its
    /// refresh time derived from `refresh_margin`: the earlier of half the lifetime and
    /// `expires_at - refresh_margin` (half the lifetime when the lifetime is shorter than the
    /// margin).
    pub fn new(value: Secret, issued_at: u64, expires_at: Option<u64>, refresh_margin: u64) -> Self {
        let refresh_at = expires_at.map(|expires| {
            let lifetime = expires.saturating_sub(issued_at);
            let half = issued_at.saturating_add(lifetime / 2);
            if lifetime > refresh_margin {
                half.min(expires - refresh_margin)
            } else {
                half
            }
        });
        Self { value, issued_at, expires_at, refresh_at, application: None }
    }

    /// The token (a secret: send it only in `Authorization: Bearer`).
    pub fn value(&self) -> &Secret {
        &self.value
    }

    /// When it was obtained (the `now` given to the parser).
    pub fn issued_at(&self) -> u64 {
        self.issued_at
    }

    /// When it expires; `None` for a token that never expires.
    pub fn expires_at(&self) -> Option<u64> {
        self.expires_at
    }

    /// When to fetch the next one; `None` for a token that never expires.
    pub fn refresh_at(&self) -> Option<u64> {
        self.refresh_at
    }

    /// The app's UUID (`application`), when the reply carried it.
    pub fn application(&self) -> Option<&str> {
        self.application.as_deref()
    }

    /// Whether it has expired at `now`.
    pub fn is_expired(&self, now: u64) -> bool {
        self.expires_at.is_some_and(|e| now >= e)
    }

    /// Whether it is due for a refresh at `now`.
    pub fn needs_refresh(&self, now: u64) -> bool {
        self.refresh_at.is_some_and(|r| now >= r)
    }
}

impl fmt::Debug for AppToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppToken")
            .field("value", &self.value)
            .field("issued_at", &self.issued_at)
            .field("expires_at", &self.expires_at)
            .field("refresh_at", &self.refresh_at)
            .field("application", &self.application)
            .finish()
    }
}

fn json_headers() -> Vec<Header> {
    vec![Header::new("Content-Type", "application/json"), Header::new("Accept", "application/json")]
}

/// Builds `POST /{org}/{app}/token` with `grant_type=client_credentials`.
///
/// ```
/// use imedit::easemob::{build_token_request, ClientCredentials, Settings, TokenPolicy, EASEMOB_A1};
/// let settings = Settings::new(EASEMOB_A1, "org", "app")?;
/// let creds = ClientCredentials::new("YXA6id", "YXA6secret")?;
/// let req = build_token_request(&settings, &creds, &TokenPolicy { ttl: Some(86400), ..Default::default() })?;
/// assert_eq!(req.url, "https://a1.easemob.com/org/app/token");
/// assert_eq!(req.body_text(), Some(r#"{"grant_type":"client_credentials","client_id":"YXA6id","client_secret":"YXA6secret","ttl":86400}"#));
/// assert!(!format!("{req:?}").contains("YXA6secret"));
/// # Ok::<(), imedit::Error>(())
/// ```
///
/// # Errors
/// None today; the `Result` leaves room for future checks.
pub fn build_token_request(
    settings: &Settings,
    credentials: &ClientCredentials,
    policy: &TokenPolicy,
) -> Result<HttpRequest, Error> {
    let mut body = Vec::with_capacity(96 + credentials.client_id.len() + credentials.client_secret.expose().len());
    body.extend_from_slice(br#"{"grant_type":"client_credentials","client_id":"#);
    json::push_str(&mut body, &credentials.client_id);
    body.extend_from_slice(br#","client_secret":"#);
    json::push_str(&mut body, credentials.client_secret.expose());
    if let Some(ttl) = policy.ttl {
        let ttl = match policy.unit {
            TimeUnit::Seconds => ttl,
            TimeUnit::Milliseconds => ttl.saturating_mul(1000),
        };
        body.extend_from_slice(br#","ttl":"#);
        json::push_i64(&mut body, i64::try_from(ttl).unwrap_or(i64::MAX));
    }
    body.push(b'}');
    Ok(HttpRequest {
        method: "POST".to_owned(),
        url: settings.url("/token"),
        headers: json_headers(),
        body,
        body_sensitive: true,
    })
}

/// Builds the Agora token exchange: `POST /{org}/{app}/token` with `grant_type=agora` and the
/// Agora app token (made by the host from the App ID and App Certificate) as the Bearer token.
///
/// # Errors
/// [`Error::InvalidInput`] (field `agora_token`) when it is empty or holds whitespace or control
/// characters.
pub fn build_agora_token_exchange_request(settings: &Settings, agora_token: &Secret) -> Result<HttpRequest, Error> {
    let mut headers = json_headers();
    headers.push(bearer("agora_token", agora_token)?);
    Ok(HttpRequest {
        method: "POST".to_owned(),
        url: settings.url("/token"),
        headers,
        body: br#"{"grant_type":"agora"}"#.to_vec(),
        body_sensitive: false,
    })
}

/// `Authorization: Bearer <token>`, after checking the token cannot inject a header.
pub(crate) fn bearer(field: &str, token: &Secret) -> Result<Header, Error> {
    validate::word(field, token.expose())?;
    validate::header_value(field, token.expose())?;
    Ok(Header::sensitive("Authorization", format!("Bearer {}", token.expose())))
}

/// Parses the reply to [`build_token_request`] received at `now` (Unix seconds).
///
/// `expires_in` of 0 means the token never expires; it is read in `policy.unit`.
///
/// # Errors
/// [`Error::Api`] for a documented refusal (`invalid_grant`, `illegal_argument`,
/// `organization_application_not_found`, 429…); [`Error::MalformedResponse`] when the body is
/// not JSON or a 200 has no `access_token`.
pub fn parse_token_response(response: &HttpResponse, now: u64, policy: &TokenPolicy) -> Result<AppToken, Error> {
    let mut body = json_object(response, Call::Token)?;
    if !(200..300).contains(&response.status) {
        return Err(api_error(response.status, &body, Call::Token));
    }
    let value = access_token(response, &mut body, Call::Token)?;
    let expires_in = match body.get("expires_in") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            number(v).ok_or_else(|| malformed(response, Call::Token, "expires_in is not a non-negative integer"))?,
        ),
    };
    let lifetime = expires_in.filter(|&n| n > 0).map(|n| match policy.unit {
        TimeUnit::Seconds => n,
        TimeUnit::Milliseconds => n / 1000,
    });
    let mut token = AppToken::new(value, now, lifetime.map(|l| now.saturating_add(l)), policy.refresh_margin);
    token.application = body.get("application").and_then(Value::as_str).map(str::to_owned);
    Ok(token)
}

/// Parses the reply to [`build_agora_token_exchange_request`] received at `now`: the token and
/// its absolute `expire_timestamp` in Unix milliseconds.
///
/// # Errors
/// As [`parse_token_response`].
pub fn parse_agora_token_exchange_response(
    response: &HttpResponse,
    now: u64,
    policy: &TokenPolicy,
) -> Result<AppToken, Error> {
    let mut body = json_object(response, Call::AgoraExchange)?;
    if !(200..300).contains(&response.status) {
        return Err(api_error(response.status, &body, Call::AgoraExchange));
    }
    let value = access_token(response, &mut body, Call::AgoraExchange)?;
    let expires_at = match body.get("expire_timestamp") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            number(v).ok_or_else(|| {
                malformed(response, Call::AgoraExchange, "expire_timestamp is not a non-negative integer")
            })? / 1000,
        ),
    };
    Ok(AppToken::new(value, now, expires_at.filter(|&e| e > 0), policy.refresh_margin))
}

/// Moves the token out of the parsed body into a [`Secret`] (no copy is left behind).
fn access_token(
    response: &HttpResponse,
    body: &mut serde_json::Map<String, Value>,
    call: Call,
) -> Result<Secret, Error> {
    match body.remove("access_token") {
        Some(Value::String(t)) => {
            let token = Secret::new(t);
            if validate::word("access_token", token.expose()).is_ok()
                && validate::header_value("access_token", token.expose()).is_ok()
            {
                return Ok(token);
            }
            Err(malformed(response, call, "access_token is empty or not a header-safe value"))
        }
        _ => Err(malformed(response, call, "no access_token")),
    }
}

/// A non-negative integer, also when sent as a decimal string.
fn number(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}
