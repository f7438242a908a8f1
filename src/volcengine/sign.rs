//! The Volcengine OpenAPI HMAC-SHA256 signature, for any action, service and region.

use std::borrow::Cow;
use std::sync::Mutex;

use core::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::canonical::{canonical_path, write_query};
use super::time::XDate;
use crate::error::Error;
use crate::hex::{hex, hex32, push_hex};
use crate::http::{Header, HttpRequest};
use crate::secret::Secret;
use crate::validate;

type HmacSha256 = Hmac<Sha256>;

/// The algorithm name that opens the string to sign and the `Authorization` header.
pub const ALGORITHM: &str = "HMAC-SHA256";

/// Volcengine credentials: an access key id, its secret key and, for temporary (STS)
/// credentials, a session token.
///
/// The secret key and the session token are [`Secret`]s: redacted when printed, zeroized on drop.
#[derive(Clone)]
pub struct Credentials {
    access_key_id: String,
    secret_access_key: Secret,
    session_token: Option<Secret>,
}

impl Credentials {
    /// Long-term credentials.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when the access key id is empty or holds whitespace, control
    /// characters, `/` or `,`, or when the secret key is empty or holds control characters.
    pub fn new(access_key_id: impl Into<String>, secret_access_key: impl Into<Secret>) -> Result<Self, Error> {
        let access_key_id = access_key_id.into();
        let secret_access_key = secret_access_key.into();
        validate::word("access_key_id", &access_key_id)?;
        if access_key_id.contains(['/', ',']) {
            return Err(Error::invalid("access_key_id", "must not contain '/' or ','"));
        }
        if secret_access_key.is_empty() {
            return Err(Error::invalid("secret_access_key", "must not be empty"));
        }
        if secret_access_key.expose().chars().any(char::is_control) {
            return Err(Error::invalid(
                "secret_access_key",
                "must not contain CR, LF, NUL or other control characters",
            ));
        }
        Ok(Self { access_key_id, secret_access_key, session_token: None })
    }

    /// Adds the session token of temporary (STS) credentials; it is sent as `X-Security-Token`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] (field `session_token`) when it is empty or holds whitespace or
    /// control characters.
    pub fn with_session_token(mut self, session_token: impl Into<Secret>) -> Result<Self, Error> {
        let token = session_token.into();
        validate::word("session_token", token.expose())?;
        validate::header_value("session_token", token.expose())?;
        self.session_token = Some(token);
        Ok(self)
    }

    /// The access key id (not a secret: it is sent in the `Authorization` header).
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The secret key.
    pub fn secret_access_key(&self) -> &Secret {
        &self.secret_access_key
    }

    /// The session token of temporary credentials.
    pub fn session_token(&self) -> Option<&Secret> {
        self.session_token.as_ref()
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &self.secret_access_key)
            .field("session_token", &self.session_token)
            .finish()
    }
}

/// The derived signing key `kSigning`. It signs any request for one UTC day, region and service,
/// so it is treated as a secret: redacted in `Debug`, zeroized on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningKey(Zeroizing<[u8; 32]>);

impl SigningKey {
    /// The key bytes.
    pub fn expose(&self) -> &[u8; 32] {
        &self.0
    }

    /// The key as lower-case hex, for comparing with another implementation.
    pub fn expose_hex(&self) -> String {
        hex(&*self.0)
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(Secret::REDACTED)
    }
}

/// The signing key for a secret key, a UTC date (`YYYYMMDD`), a region and a service:
/// `HMAC(HMAC(HMAC(HMAC(secret, date), region), service), "request")`, the secret used raw.
pub fn signing_key(secret_access_key: &Secret, date: &str, region: &str, service: &str) -> SigningKey {
    let k_date = hmac(secret_access_key.expose().as_bytes(), date.as_bytes());
    let k_region = hmac(&*k_date, region.as_bytes());
    let k_service = hmac(&*k_region, service.as_bytes());
    SigningKey(hmac(&*k_service, b"request"))
}

/// The string to sign: `HMAC-SHA256`, the `X-Date`, the credential scope and the hex SHA-256 of
/// the canonical request, joined with `\n`.
pub fn string_to_sign(x_date: &str, credential_scope: &str, canonical_request: &str) -> String {
    let mut out = String::with_capacity(ALGORITHM.len() + x_date.len() + credential_scope.len() + 67);
    out.push_str(ALGORITHM);
    out.push('\n');
    out.push_str(x_date);
    out.push('\n');
    out.push_str(credential_scope);
    out.push('\n');
    push_hex(&mut out, &Sha256::digest(canonical_request.as_bytes()));
    out
}

/// The signature: the lower-case hex HMAC-SHA256 of the string to sign under the signing key.
pub fn signature(key: &SigningKey, string_to_sign: &str) -> String {
    hex(&*hmac(&*key.0, string_to_sign.as_bytes()))
}

fn hmac(key: &[u8], data: &[u8]) -> Zeroizing<[u8; 32]> {
    let mut out = Zeroizing::new([0u8; 32]);
    // HMAC takes a key of any length, so this never fails.
    if let Ok(mut mac) = HmacSha256::new_from_slice(key) {
        mac.update(data);
        out.copy_from_slice(&mac.finalize().into_bytes());
    }
    out
}

/// The scheme of the URL a request is sent to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// `https` (the default, and the only one Volcengine serves).
    #[default]
    Https,
    /// `http`, for a local emulator.
    Http,
}

impl Scheme {
    /// `https` or `http`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Https => "https",
            Self::Http => "http",
        }
    }

    fn default_port(self) -> &'static str {
        match self {
            Self::Https => ":443",
            Self::Http => ":80",
        }
    }
}

/// Any request to sign, in plain parts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignableRequest {
    /// The HTTP method; it is upper-cased.
    pub method: String,
    /// The URL scheme.
    pub scheme: Scheme,
    /// The host, with a port when it is not the scheme's default (`rtc.volcengineapi.com`,
    /// `127.0.0.1:8080`). A default port (`:443` for https) is dropped, as HTTP clients do.
    pub host: String,
    /// The path, not yet percent-encoded (`/` for every OpenAPI action).
    pub path: String,
    /// The query parameters, not yet percent-encoded, in any order; a key may repeat.
    pub query: Vec<(String, String)>,
    /// Extra headers (for example `Content-Type`). `Host`, `Authorization`, `X-Date`,
    /// `X-Content-Sha256` and `X-Security-Token` are added by the signer and refused here.
    pub headers: Vec<(String, String)>,
    /// The body bytes, exactly as they will be sent.
    pub body: Vec<u8>,
}

/// Where and when a request is signed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SigningParams {
    /// The region of the credential scope, for example `cn-north-1`.
    pub region: String,
    /// The service of the credential scope, for example `rtc`.
    pub service: String,
    /// The signing time, in Unix seconds. The server refuses a request signed more than 15 minutes
    /// away from its clock.
    pub time: u64,
    /// `None` signs the default set: `content-type` (when present), `host`, `x-content-sha256`,
    /// `x-date`, and `x-security-token` (with a session token). A list signs exactly these
    /// header names (any case), which reproduces other SDKs' choices.
    pub signed_headers: Option<Vec<String>>,
}

/// Every stage of one signature, for debugging a `SignatureDoesNotMatch`.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningStages {
    canonical_request: String,
    string_to_sign: String,
    authorization: String,
    signing_key: SigningKey,
    // Byte ranges into the strings above.
    scope_end: usize,
    signed_headers_start: usize,
    signed_headers_end: usize,
}

const X_DATE_START: usize = ALGORITHM.len() + 1;
const SCOPE_START: usize = X_DATE_START + 17;

impl SigningStages {
    /// The canonical request whose SHA-256 is signed. With STS credentials it contains the
    /// session token (the `x-security-token` line): print
    /// [`canonical_request_redacted`](Self::canonical_request_redacted) instead.
    pub fn canonical_request(&self) -> &str {
        &self.canonical_request
    }

    /// The canonical request with the session token replaced by `[REDACTED]`, safe to print.
    pub fn canonical_request_redacted(&self) -> Cow<'_, str> {
        const LINE: &str = "\nx-security-token:";
        match self.canonical_request.find(LINE) {
            None => Cow::Borrowed(&self.canonical_request),
            Some(at) => {
                let start = at + LINE.len();
                let end =
                    self.canonical_request.get(start..).and_then(|rest| rest.find('\n')).map_or(start, |n| start + n);
                let mut out = String::with_capacity(self.canonical_request.len());
                out.push_str(self.canonical_request.get(..start).unwrap_or_default());
                out.push_str(Secret::REDACTED);
                out.push_str(self.canonical_request.get(end..).unwrap_or_default());
                Cow::Owned(out)
            }
        }
    }

    /// The string to sign.
    pub fn string_to_sign(&self) -> &str {
        &self.string_to_sign
    }

    /// The `X-Date` header value.
    pub fn x_date(&self) -> &str {
        self.string_to_sign.get(X_DATE_START..SCOPE_START - 1).unwrap_or_default()
    }

    /// The credential scope, `YYYYMMDD/region/service/request`.
    pub fn credential_scope(&self) -> &str {
        self.string_to_sign.get(SCOPE_START..self.scope_end).unwrap_or_default()
    }

    /// The signed header names, lower-case, sorted, joined with `;`.
    pub fn signed_headers(&self) -> &str {
        self.authorization.get(self.signed_headers_start..self.signed_headers_end).unwrap_or_default()
    }

    /// The hex SHA-256 of the body (the `X-Content-Sha256` value).
    pub fn payload_hash(&self) -> &str {
        let len = self.canonical_request.len();
        self.canonical_request.get(len.saturating_sub(64)..).unwrap_or_default()
    }

    /// The signing key (a secret; see [`SigningKey`]).
    pub fn signing_key(&self) -> &SigningKey {
        &self.signing_key
    }

    /// The signature, lower-case hex.
    pub fn signature(&self) -> &str {
        let len = self.authorization.len();
        self.authorization.get(len.saturating_sub(64)..).unwrap_or_default()
    }

    /// The `Authorization` header value.
    pub fn authorization(&self) -> &str {
        &self.authorization
    }
}

impl fmt::Debug for SigningStages {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningStages")
            .field("canonical_request", &self.canonical_request_redacted())
            .field("string_to_sign", &self.string_to_sign)
            .field("signed_headers", &self.signed_headers())
            .field("signing_key", &self.signing_key)
            .field("signature", &self.signature())
            .finish()
    }
}

/// A signed request: the request to send, and every stage of its signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRequest {
    /// The request to send, byte for byte.
    pub request: HttpRequest,
    /// The stages of the signature.
    pub stages: SigningStages,
}

/// The parts of a request after validation, borrowed where they can be.
pub(crate) struct Parts<'a> {
    pub(crate) method: Cow<'a, str>,
    pub(crate) scheme: Scheme,
    pub(crate) host: &'a str,
    pub(crate) canonical_path: Cow<'a, str>,
    pub(crate) canonical_query: Cow<'a, str>,
    /// The caller's headers, already validated; the signer appends its own.
    pub(crate) headers: Vec<Header>,
    pub(crate) body: Vec<u8>,
}

/// The key cache entry of a [`Signer`].
struct CachedKey {
    date: [u8; 8],
    region: String,
    service: String,
    key: SigningKey,
    mac: HmacSha256,
}

/// Signs requests with one set of credentials, caching the signing key for the UTC day, region
/// and service of the last signature (so a repeated signature skips 16 of its 31 SHA-256
/// compressions, and the HMAC key schedule too). It is `Send + Sync`: share it across threads.
///
/// ```
/// use imedit::volcengine::{Credentials, SignableRequest, Signer, SigningParams};
/// let signer = Signer::new(Credentials::new("AKLTexample", "c2VjcmV0")?);
/// let request = SignableRequest {
///     method: "GET".into(),
///     host: "iam.volcengineapi.com".into(),
///     path: "/".into(),
///     query: vec![("Action".into(), "ListUsers".into()), ("Version".into(), "2018-01-01".into())],
///     ..Default::default()
/// };
/// let params = SigningParams { region: "cn-north-1".into(), service: "iam".into(), time: 1_717_245_296, signed_headers: None };
/// let signed = signer.sign(&request, &params)?;
/// assert_eq!(signed.request.url, "https://iam.volcengineapi.com/?Action=ListUsers&Version=2018-01-01");
/// assert_eq!(signed.stages.signed_headers(), "host;x-content-sha256;x-date");
/// # Ok::<(), imedit::Error>(())
/// ```
pub struct Signer {
    credentials: Credentials,
    cache: Mutex<Option<CachedKey>>,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer").field("credentials", &self.credentials).finish_non_exhaustive()
    }
}

impl Signer {
    /// A signer for these credentials, with an empty key cache.
    pub fn new(credentials: Credentials) -> Self {
        Self { credentials, cache: Mutex::new(None) }
    }

    /// The credentials it signs with.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// Signs any request.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the field: an empty or non-token method, an invalid host,
    /// a header name that is not a token, CR/LF/NUL or non-ASCII in a header value, a header given
    /// twice or one the signer adds itself, an empty or invalid region or service, a time after
    /// the year 9999, or a signed-header list naming a header the request does not have.
    pub fn sign(&self, request: &SignableRequest, params: &SigningParams) -> Result<SignedRequest, Error> {
        let parts = prepare(request)?;
        let signed: Option<Vec<&str>> = params.signed_headers.as_ref().map(|l| l.iter().map(String::as_str).collect());
        self.sign_parts(parts, &params.region, &params.service, params.time, signed.as_deref())
    }

    /// Signs prepared parts with the cached key.
    pub(crate) fn sign_parts(
        &self,
        parts: Parts<'_>,
        region: &str,
        service: &str,
        time: u64,
        signed_headers: Option<&[&str]>,
    ) -> Result<SignedRequest, Error> {
        scope_part("region", region)?;
        scope_part("service", service)?;
        let x_date = XDate::new(time)?;
        sign_with(&self.credentials, parts, region, service, &x_date, signed_headers, |date| {
            self.cached_key(date, region, service)
        })
    }

    fn cached_key(&self, date: &str, region: &str, service: &str) -> (SigningKey, HmacSha256) {
        let date_bytes: [u8; 8] = date.as_bytes().try_into().unwrap_or_default();
        // A poisoned lock only means another thread panicked while holding it; the entry is
        // either complete or absent, so it is still safe to use.
        let mut slot = self.cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(c) = slot.as_ref() {
            if c.date == date_bytes && c.region == region && c.service == service {
                return (c.key.clone(), c.mac.clone());
            }
        }
        let key = signing_key(&self.credentials.secret_access_key, date, region, service);
        let mac = keyed(&key);
        *slot = Some(CachedKey {
            date: date_bytes,
            region: region.to_owned(),
            service: service.to_owned(),
            key: key.clone(),
            mac: mac.clone(),
        });
        (key, mac)
    }
}

fn keyed(key: &SigningKey) -> HmacSha256 {
    // HMAC takes a key of any length; a 32-byte key is always accepted.
    HmacSha256::new_from_slice(&*key.0).unwrap_or_else(|_| HmacSha256::new(&Default::default()))
}

/// Signs any request once, deriving the signing key afresh. Prefer a [`Signer`] for repeated
/// signatures.
///
/// # Errors
/// As [`Signer::sign`].
pub fn sign(
    credentials: &Credentials,
    request: &SignableRequest,
    params: &SigningParams,
) -> Result<SignedRequest, Error> {
    let parts = prepare(request)?;
    let signed: Option<Vec<&str>> = params.signed_headers.as_ref().map(|l| l.iter().map(String::as_str).collect());
    sign_parts_uncached(credentials, parts, &params.region, &params.service, params.time, signed.as_deref())
}

/// Signs prepared parts, deriving the key afresh.
pub(crate) fn sign_parts_uncached(
    credentials: &Credentials,
    parts: Parts<'_>,
    region: &str,
    service: &str,
    time: u64,
    signed_headers: Option<&[&str]>,
) -> Result<SignedRequest, Error> {
    scope_part("region", region)?;
    scope_part("service", service)?;
    let x_date = XDate::new(time)?;
    sign_with(credentials, parts, region, service, &x_date, signed_headers, |date| {
        let key = signing_key(&credentials.secret_access_key, date, region, service);
        let mac = keyed(&key);
        (key, mac)
    })
}

fn scope_part(field: &str, value: &str) -> Result<(), Error> {
    validate::word(field, value)?;
    if value.contains('/') {
        return Err(Error::invalid(field, "must not contain '/'"));
    }
    Ok(())
}

/// Headers the signer adds itself, which callers may not pass.
const RESERVED: [&str; 5] = ["host", "authorization", "x-date", "x-content-sha256", "x-security-token"];

/// Validates a public [`SignableRequest`] and turns it into [`Parts`].
fn prepare(request: &SignableRequest) -> Result<Parts<'_>, Error> {
    let method = request.method.to_ascii_uppercase();
    validate::header_name("method", &method)?;
    let host = host(request.scheme, &request.host)?;
    let mut headers = Vec::with_capacity(request.headers.len() + 4);
    for (name, value) in &request.headers {
        let field = format!("headers.{name}");
        validate::header_name(&field, name)?;
        let value = value.trim_matches([' ', '\t']);
        validate::header_value(&field, value)?;
        if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(name)) {
            return Err(Error::invalid(field, "is added by the signer; do not pass it"));
        }
        if headers.iter().any(|h: &Header| h.name.eq_ignore_ascii_case(name)) {
            return Err(Error::invalid(field, "is given twice"));
        }
        headers.push(Header::new(name.clone(), value.to_owned()));
    }
    if request.path.contains(|c: char| c.is_control()) {
        return Err(Error::invalid("path", "must not contain control characters"));
    }
    if !request.path.is_empty() && !request.path.starts_with('/') {
        return Err(Error::invalid("path", "must start with '/'"));
    }
    let mut pairs: Vec<(&str, &str)> = request.query.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    Ok(Parts {
        method: Cow::Owned(method),
        scheme: request.scheme,
        host,
        canonical_path: Cow::Owned(canonical_path(&request.path)),
        canonical_query: Cow::Owned(write_query(&mut pairs)),
        headers,
        body: request.body.clone(),
    })
}

/// Validates a host (`name` or `name:port`) and drops the scheme's default port.
pub(crate) fn host(scheme: Scheme, host: &str) -> Result<&str, Error> {
    validate::word("host", host)?;
    if host.contains(['/', '?', '#', '@', '\\']) {
        return Err(Error::invalid("host", "must be a host name with an optional port, without scheme, path or user"));
    }
    Ok(host.strip_suffix(scheme.default_port()).unwrap_or(host))
}

/// One header the signature can cover, with its name lower-cased once.
struct Candidate<'a> {
    name: Cow<'a, str>,
    value: &'a str,
}

impl<'a> Candidate<'a> {
    fn new(name: &'a str, value: &'a str) -> Self {
        let name = if name.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(name.to_ascii_lowercase())
        } else {
            Cow::Borrowed(name)
        };
        Self { name, value }
    }
}

/// The signing itself, shared by every entry point.
fn sign_with<'a>(
    credentials: &Credentials,
    parts: Parts<'a>,
    region: &str,
    service: &str,
    x_date: &XDate,
    signed_headers: Option<&[&str]>,
    key_for: impl FnOnce(&str) -> (SigningKey, HmacSha256),
) -> Result<SignedRequest, Error> {
    let Parts { method, scheme, host, canonical_path, canonical_query, mut headers, body } = parts;
    let x_date_text = x_date.as_str();
    let payload_hash = hex32(&Sha256::digest(&body));
    let payload_hash = core::str::from_utf8(&payload_hash).unwrap_or_default();
    let token = credentials.session_token.as_ref().map(Secret::expose);

    // Every header the signature may cover.
    let mut candidates: Vec<Candidate<'_>> = Vec::with_capacity(headers.len() + 4);
    candidates.extend(headers.iter().map(|h| Candidate::new(&h.name, &h.value)));
    candidates.push(Candidate::new("host", host));
    candidates.push(Candidate::new("x-content-sha256", payload_hash));
    candidates.push(Candidate::new("x-date", x_date_text));
    if let Some(token) = token {
        candidates.push(Candidate::new("x-security-token", token));
    }
    match signed_headers {
        None => candidates.retain(|c| c.name == "content-type" || is_added(&c.name)),
        Some(list) => {
            for (i, name) in list.iter().enumerate() {
                if !candidates.iter().any(|c| c.name.eq_ignore_ascii_case(name)) {
                    return Err(Error::invalid(
                        "signed_headers",
                        format!("names {name:?}, which the request does not carry"),
                    ));
                }
                if list.iter().take(i).any(|n| n.eq_ignore_ascii_case(name)) {
                    return Err(Error::invalid("signed_headers", format!("names {name:?} twice")));
                }
            }
            candidates.retain(|c| list.iter().any(|n| n.eq_ignore_ascii_case(&c.name)));
        }
    }
    candidates.sort_by(|a, b| a.name.cmp(&b.name));

    // The canonical request.
    let headers_len: usize = candidates.iter().map(|c| 2 * c.name.len() + c.value.len() + 3).sum();
    let mut canonical =
        String::with_capacity(method.len() + canonical_path.len() + canonical_query.len() + headers_len + 70);
    canonical.push_str(&method);
    canonical.push('\n');
    canonical.push_str(&canonical_path);
    canonical.push('\n');
    canonical.push_str(&canonical_query);
    canonical.push('\n');
    for c in &candidates {
        canonical.push_str(&c.name);
        canonical.push(':');
        canonical.push_str(c.value);
        canonical.push('\n');
    }
    canonical.push('\n');
    let signed_start = canonical.len();
    for (i, c) in candidates.iter().enumerate() {
        if i > 0 {
            canonical.push(';');
        }
        canonical.push_str(&c.name);
    }
    let signed_end = canonical.len();
    canonical.push('\n');
    canonical.push_str(payload_hash);

    // The string to sign.
    let date = x_date_text.get(..8).unwrap_or_default();
    let mut sts = String::with_capacity(SCOPE_START + 8 + region.len() + service.len() + 10 + 65);
    sts.push_str(ALGORITHM);
    sts.push('\n');
    sts.push_str(x_date_text);
    sts.push('\n');
    sts.push_str(date);
    sts.push('/');
    sts.push_str(region);
    sts.push('/');
    sts.push_str(service);
    sts.push_str("/request");
    let scope_end = sts.len();
    sts.push('\n');
    push_hex(&mut sts, &Sha256::digest(canonical.as_bytes()));

    // The signature and the Authorization header.
    let (key, mut mac) = key_for(date);
    mac.update(sts.as_bytes());
    let sig = mac.finalize().into_bytes();
    let signed_names = canonical.get(signed_start..signed_end).unwrap_or_default();
    let scope = sts.get(SCOPE_START..scope_end).unwrap_or_default();
    let mut authorization = String::with_capacity(
        ALGORITHM.len() + credentials.access_key_id.len() + scope.len() + signed_names.len() + 110,
    );
    authorization.push_str(ALGORITHM);
    authorization.push_str(" Credential=");
    authorization.push_str(&credentials.access_key_id);
    authorization.push('/');
    authorization.push_str(scope);
    authorization.push_str(", SignedHeaders=");
    let signed_headers_start = authorization.len();
    authorization.push_str(signed_names);
    let signed_headers_end = authorization.len();
    authorization.push_str(", Signature=");
    push_hex(&mut authorization, &sig);

    // The request to send.
    let mut url = String::with_capacity(
        scheme.as_str().len() + 3 + host.len() + canonical_path.len() + canonical_query.len() + 1,
    );
    url.push_str(scheme.as_str());
    url.push_str("://");
    url.push_str(host);
    url.push_str(&canonical_path);
    if !canonical_query.is_empty() {
        url.push('?');
        url.push_str(&canonical_query);
    }
    headers.reserve(4);
    headers.push(Header::new("X-Date", x_date_text.to_owned()));
    headers.push(Header::new("X-Content-Sha256", payload_hash.to_owned()));
    if let Some(token) = token {
        headers.push(Header::sensitive("X-Security-Token", token.to_owned()));
    }
    headers.push(Header::sensitive("Authorization", authorization.clone()));
    Ok(SignedRequest {
        request: HttpRequest { method: method.into_owned(), url, headers, body, body_sensitive: false },
        stages: SigningStages {
            canonical_request: canonical,
            string_to_sign: sts,
            authorization,
            signing_key: key,
            scope_end,
            signed_headers_start,
            signed_headers_end,
        },
    })
}

/// Whether a name is one of the headers the signer adds (callers cannot pass these, so a match is
/// always the signer's own entry).
fn is_added(name: &str) -> bool {
    matches!(name, "host" | "x-content-sha256" | "x-date" | "x-security-token")
}
