//! UniFFI exports for Python, Kotlin and Swift: type conversions only, no logic.
//!
//! Every item here mirrors one item of the core API and converts to and from it. The doc comments
//! below become the Python, Kotlin and Swift documentation.
//!
//! Secrets (secret keys, session tokens, client secrets, app tokens, the signing key) live only
//! in opaque objects ([`Credentials`], [`ClientCredentials`], [`AppToken`], [`TokenSource`],
//! [`SigningStages`]) whose printed forms are redacted. The records that can carry a secret
//! ([`HttpHeader`], [`HttpRequest`], [`HttpResponse`]) print through Rust, which redacts it.
// Items are `pub` for the UniFFI macros; they are reachable only through the generated bindings.
#![allow(unreachable_pub)]
// The error is serialized for the foreign side as soon as it is returned; its size does not matter.
#![allow(clippy::result_large_err)]

use core::fmt;
use std::borrow::Cow;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::easemob as em;
use crate::volcengine as volc;
use crate::{limit, retry, Secret};

/// `Debug` of a wrapper is the `Debug` of the core value (which redacts every secret).
macro_rules! delegate_debug {
    ($($name:ident),+) => {
        $(impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&self.0, f)
            }
        })+
    };
}

delegate_debug!(Credentials, Endpoint, Signer, Settings, ClientCredentials, AppToken, TokenSource);

type Result<T, E = ImeditError> = std::result::Result<T, E>;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A poisoned lock only means another thread panicked while holding it; the state machines
    // are always left consistent, so the value is still usable.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

// ---- errors --------------------------------------------------------------------------------------

/// Who is at fault for an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum Fault {
    /// The caller's input: fix it.
    Caller,
    /// The vendor refused the call.
    Vendor,
    /// The reply was not what the vendor documents.
    Response,
    /// The transport failed before a reply arrived.
    Network,
}

impl From<crate::Fault> for Fault {
    fn from(f: crate::Fault) -> Self {
        match f {
            crate::Fault::Caller => Self::Caller,
            crate::Fault::Vendor => Self::Vendor,
            crate::Fault::Response => Self::Response,
            crate::Fault::Network => Self::Network,
        }
    }
}

/// What to do after an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum RetryAdvice {
    /// Retry with backoff. Volcengine requests are signed again for each attempt.
    Retry,
    /// The app token is expired or invalid: fetch a new token once, then retry once.
    RefreshToken,
    /// The edit may or may not have been applied (Easemob 409 and 500 on rewrite): read the
    /// message again before deciding; every applied edit counts toward the limit of 10.
    RereadFirst,
    /// The request time is too far from the server's: fix the clock, then sign again.
    FixClock,
    /// Retrying the same request fails the same way.
    DoNotRetry,
}

impl From<crate::RetryAdvice> for RetryAdvice {
    fn from(r: crate::RetryAdvice) -> Self {
        match r {
            crate::RetryAdvice::Retry => Self::Retry,
            crate::RetryAdvice::RefreshToken => Self::RefreshToken,
            crate::RetryAdvice::RereadFirst => Self::RereadFirst,
            crate::RetryAdvice::FixClock => Self::FixClock,
            crate::RetryAdvice::DoNotRetry => Self::DoNotRetry,
        }
    }
}

impl From<RetryAdvice> for crate::RetryAdvice {
    fn from(r: RetryAdvice) -> Self {
        match r {
            RetryAdvice::Retry => Self::Retry,
            RetryAdvice::RefreshToken => Self::RefreshToken,
            RetryAdvice::RereadFirst => Self::RereadFirst,
            RetryAdvice::FixClock => Self::FixClock,
            RetryAdvice::DoNotRetry => Self::DoNotRetry,
        }
    }
}

#[uniffi::export]
impl RetryAdvice {
    /// The stable string form: `retry`, `refresh_token`, `reread_first`, `fix_clock` or
    /// `do_not_retry`.
    pub fn as_str(&self) -> String {
        crate::RetryAdvice::from(*self).as_str().to_owned()
    }
}

/// The vendor behind a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum Vendor {
    /// Volcengine OpenAPI (RTC).
    Volcengine,
    /// Easemob IM / Agora Chat REST.
    Easemob,
}

impl From<crate::Vendor> for Vendor {
    fn from(v: crate::Vendor) -> Self {
        match v {
            crate::Vendor::Volcengine => Self::Volcengine,
            crate::Vendor::Easemob => Self::Easemob,
        }
    }
}

impl From<Vendor> for crate::Vendor {
    fn from(v: Vendor) -> Self {
        match v {
            Vendor::Volcengine => Self::Volcengine,
            Vendor::Easemob => Self::Easemob,
        }
    }
}

#[uniffi::export]
impl Vendor {
    /// `volcengine` or `easemob`.
    pub fn as_str(&self) -> String {
        crate::Vendor::from(*self).as_str().to_owned()
    }
}

macro_rules! mirror_enum {
    ($(#[$meta:meta])* $name:ident => $core:path { $($(#[$vmeta:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl From<$core> for $name {
            fn from(v: $core) -> Self {
                match v {
                    $(<$core>::$variant => Self::$variant),+
                }
            }
        }

        impl From<$name> for $core {
            fn from(v: $name) -> Self {
                match v {
                    $($name::$variant => Self::$variant),+
                }
            }
        }
    };
}

mirror_enum! {
    /// What a vendor error means, across both vendors.
    ApiErrorKind => crate::ApiErrorKind {
        /// The credentials or the signature were refused (Volcengine `SignatureDoesNotMatch`,
        /// `InvalidAccessKey`, `MissingSignature`…; Easemob `invalid_grant`). Check the keys.
        InvalidCredentials,
        /// The Easemob app token is expired, corrupt or unknown (`unauthorized`,
        /// `auth_bad_access_token`): fetch a new token once, then retry once.
        TokenInvalid,
        /// Volcengine `InvalidTimestamp`: the signing time is too far from the server's clock.
        InvalidTimestamp,
        /// Not allowed: Volcengine `AccessDenied`, `LackPolicy`; Easemob 401 "You are not
        /// authorized to edit this message" (a permission error, not a token error).
        PermissionDenied,
        /// Easemob 403: message editing is not enabled for the app.
        FeatureNotEnabled,
        /// Too many requests (Volcengine `FlowLimitExceeded…`, Easemob 429): retry with backoff.
        RateLimited,
        /// Easemob 429 `resource_limited`: a quota of the plan is used up; retrying does not help.
        QuotaExceeded,
        /// The request was refused as malformed (Volcengine `InvalidParameter`,
        /// `MissingParameter`; Easemob `invalid_request_body`, `json_parse`).
        InvalidRequest,
        /// Easemob 400 `illegal_argument`.
        IllegalArgument,
        /// Easemob 400: this message type cannot be edited this way.
        UnsupportedMessageType,
        /// Easemob 400 `InvalidMessageIdException`: the message id is not valid.
        InvalidMessageId,
        /// Easemob 404: the message does not exist or has expired.
        MessageUnavailable,
        /// Easemob 403: the message has been edited 10 times already.
        EditLimitReached,
        /// Easemob 409: someone else is editing the message. Read it again before retrying.
        ConcurrentEdit,
        /// Easemob 500 `RewriteMessageInternalErrorException`: unknown whether the edit was
        /// applied.
        RewriteInternalError,
        /// Easemob 404 `organization_application_not_found`: wrong org or app name.
        AppNotFound,
        /// Easemob 413: the request body is too large.
        EntityTooLarge,
        /// Easemob 415: the body is not sent as `application/json`.
        UnsupportedMediaType,
        /// A temporary failure on the vendor's side (Volcengine `InternalError…`,
        /// `ServiceUnavailableTemp`, `FailToConnect`…; Easemob 408, 502, 503, 504). Retry.
        ServiceUnavailable,
        /// Any other documented or undocumented vendor error.
        Other,
    }
}

#[uniffi::export]
impl ApiErrorKind {
    /// The stable string code of this kind (`token_invalid`, `rate_limited`, …; `api_error` for
    /// `Other`).
    pub fn code(&self) -> String {
        crate::ApiErrorKind::from(*self).code().to_owned()
    }
}

/// Every error imedit reports, split by who is at fault. Match on the variant; `code()` is the
/// stable machine-readable code shared by every language, `retry_advice()` says what to do next.
///
/// No variant ever holds a secret: keys, tokens and signatures are never part of an error.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Error)]
pub enum ImeditError {
    /// The caller's input was refused before anything was built or sent. Fix the named field;
    /// retrying the same input fails the same way.
    InvalidInput {
        /// The input field at fault, for example `message_id` or `headers.X-Custom`.
        field: String,
        /// Why it was refused.
        reason: String,
    },
    /// The message kind cannot be edited at all (Easemob command messages).
    MessageNotEditable {
        /// The refused message type, for example `cmd`.
        message_type: String,
    },
    /// The serialized request body is larger than the vendor accepts: shorten the edit.
    BodyTooLarge {
        /// The size of the serialized body, in bytes.
        size: u64,
        /// The vendor's limit, in bytes.
        limit: u64,
    },
    /// The vendor answered with a documented error; `kind` says what happened and `retry` what
    /// to do.
    Api {
        /// Which vendor answered.
        vendor: Vendor,
        /// What happened, classified.
        kind: ApiErrorKind,
        /// The HTTP status.
        status: u16,
        /// The vendor's own code: Volcengine `Error.Code`, Easemob `error`.
        vendor_code: Option<String>,
        /// Volcengine's numeric `Error.CodeN`, when sent.
        vendor_code_n: Option<u64>,
        /// Easemob's `exception` (a Java class name), when sent.
        exception: Option<String>,
        /// The vendor's human-readable text: Volcengine `Error.Message`, Easemob
        /// `error_description`.
        vendor_message: Option<String>,
        /// Volcengine's `ResponseMetadata.RequestId`, to quote to support.
        request_id: Option<String>,
        /// Easemob's `timestamp` (Unix milliseconds), when sent.
        timestamp: Option<i64>,
        /// Easemob's `duration` (milliseconds), when sent.
        duration: Option<i64>,
        /// What to do next.
        retry: RetryAdvice,
    },
    /// The reply could not be understood: not JSON (a gateway's HTML page, an empty or truncated
    /// body), or JSON without the fields the vendor always sends. Follow `retry`; keep the
    /// excerpt for a bug report.
    MalformedResponse {
        /// The vendor that was called.
        vendor: Vendor,
        /// The HTTP status of the reply.
        status: u16,
        /// What was wrong with it.
        reason: String,
        /// The first characters of the body, with control characters removed.
        excerpt: String,
        /// What to do next.
        retry: RetryAdvice,
    },
    /// The host's HTTP client failed before a reply arrived (connection refused, reset, timeout).
    /// Hosts raise it themselves so that such failures get the same code and retry advice in
    /// every language. Retry with backoff (a Volcengine request must be signed again).
    Transport {
        /// What the HTTP client reported.
        reason: String,
    },
}

impl From<crate::Error> for ImeditError {
    fn from(e: crate::Error) -> Self {
        use crate::Error as E;
        match e {
            E::InvalidInput { field, reason } => Self::InvalidInput { field, reason },
            E::MessageNotEditable { message_type } => Self::MessageNotEditable { message_type },
            E::BodyTooLarge { size, limit } => Self::BodyTooLarge { size: to_u64(size), limit: to_u64(limit) },
            E::Api(api) => {
                let crate::ApiError {
                    vendor,
                    kind,
                    status,
                    vendor_code,
                    vendor_code_n,
                    exception,
                    message,
                    request_id,
                    timestamp,
                    duration,
                    retry,
                } = *api;
                Self::Api {
                    vendor: vendor.into(),
                    kind: kind.into(),
                    status,
                    vendor_code,
                    vendor_code_n,
                    exception,
                    vendor_message: message,
                    request_id,
                    timestamp,
                    duration,
                    retry: retry.into(),
                }
            }
            E::MalformedResponse { vendor, status, reason, excerpt, retry } => {
                Self::MalformedResponse { vendor: vendor.into(), status, reason, excerpt, retry: retry.into() }
            }
            E::Transport { reason } => Self::Transport { reason },
        }
    }
}

impl From<ImeditError> for crate::Error {
    fn from(e: ImeditError) -> Self {
        use ImeditError as E;
        match e {
            E::InvalidInput { field, reason } => Self::InvalidInput { field, reason },
            E::MessageNotEditable { message_type } => Self::MessageNotEditable { message_type },
            E::BodyTooLarge { size, limit } => Self::BodyTooLarge { size: to_usize(size), limit: to_usize(limit) },
            E::Api {
                vendor,
                kind,
                status,
                vendor_code,
                vendor_code_n,
                exception,
                vendor_message,
                request_id,
                timestamp,
                duration,
                retry,
            } => crate::ApiError {
                vendor: vendor.into(),
                kind: kind.into(),
                status,
                vendor_code,
                vendor_code_n,
                exception,
                message: vendor_message,
                request_id,
                timestamp,
                duration,
                retry: retry.into(),
            }
            .into(),
            E::MalformedResponse { vendor, status, reason, excerpt, retry } => {
                Self::MalformedResponse { vendor: vendor.into(), status, reason, excerpt, retry: retry.into() }
            }
            E::Transport { reason } => Self::Transport { reason },
        }
    }
}

fn to_u64(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

impl fmt::Display for ImeditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&crate::Error::from(self.clone()), f)
    }
}

impl std::error::Error for ImeditError {}

#[uniffi::export]
impl ImeditError {
    /// The stable, machine-readable code (`invalid_input`, `token_invalid`, `rate_limited`,
    /// `malformed_response`, …), the same in every language.
    pub fn code(&self) -> String {
        crate::Error::from(self.clone()).code().to_owned()
    }

    /// What the caller should do next.
    pub fn retry_advice(&self) -> RetryAdvice {
        crate::Error::from(self.clone()).retry().into()
    }

    /// Who is at fault.
    pub fn fault(&self) -> Fault {
        crate::Error::from(self.clone()).fault().into()
    }

    /// The HTTP status of the reply, when there was one.
    pub fn http_status(&self) -> Option<u16> {
        crate::Error::from(self.clone()).status()
    }

    /// A one-line description, without any secret.
    pub fn describe(&self) -> String {
        self.to_string()
    }
}

/// Every stable error code imedit can produce.
#[uniffi::export]
pub fn error_codes() -> Vec<String> {
    crate::ERROR_CODES.iter().map(|c| (*c).to_owned()).collect()
}

// ---- plain HTTP data ------------------------------------------------------------------------------

/// One key and its value: an extension field, a query parameter, a header given to the signer.
/// Lists of them keep their order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, uniffi::Record)]
pub struct KeyValue {
    /// The key.
    pub key: String,
    /// The value.
    pub value: String,
}

fn pairs(list: Vec<KeyValue>) -> Vec<(String, String)> {
    list.into_iter().map(|kv| (kv.key, kv.value)).collect()
}

fn key_values(list: Vec<(String, String)>) -> Vec<KeyValue> {
    list.into_iter().map(|(key, value)| KeyValue { key, value }).collect()
}

/// One HTTP header. A header that carries a secret (`Authorization`, `X-Security-Token`) is
/// marked `sensitive`: its value is printed as `[REDACTED]`.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug, Display)]
pub struct HttpHeader {
    /// The header name, spelled as it is sent (for example `Content-Type`).
    pub name: String,
    /// The header value, exactly as it was signed. Never log it when `sensitive` is true.
    pub value: String,
    /// Whether the value carries a secret.
    #[uniffi(default = false)]
    pub sensitive: bool,
}

impl fmt::Debug for HttpHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = if self.sensitive { Secret::REDACTED } else { &self.value };
        write!(f, "{}: {}", self.name, value)
    }
}

impl fmt::Display for HttpHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// A request ready to send: send it byte for byte, with nothing added, removed or re-encoded
/// (the URL is already percent-encoded; a signed request breaks if a signed header, the query or
/// the body changes). Printing it redacts sensitive headers and a sensitive body.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug, Display)]
pub struct HttpRequest {
    /// The method, upper-case (`POST`, `PUT`).
    pub method: String,
    /// The full URL: scheme, host, encoded path and encoded query.
    pub url: String,
    /// The headers, in order. `Host` is not listed: HTTP clients derive it from the URL.
    pub headers: Vec<HttpHeader>,
    /// The body bytes (empty for none).
    pub body: Vec<u8>,
    /// Whether the body carries a secret (the token request's `client_secret`).
    pub body_sensitive: bool,
}

impl From<crate::HttpRequest> for HttpRequest {
    fn from(mut r: crate::HttpRequest) -> Self {
        let headers = core::mem::take(&mut r.headers)
            .into_iter()
            .map(|mut h| HttpHeader {
                name: core::mem::take(&mut h.name).into_owned(),
                value: core::mem::take(&mut h.value).into_owned(),
                sensitive: h.sensitive,
            })
            .collect();
        Self {
            method: core::mem::take(&mut r.method),
            url: core::mem::take(&mut r.url),
            headers,
            body: core::mem::take(&mut r.body),
            body_sensitive: r.body_sensitive,
        }
    }
}

impl HttpRequest {
    fn to_core(&self) -> crate::HttpRequest {
        crate::HttpRequest {
            method: self.method.clone(),
            url: self.url.clone(),
            headers: self
                .headers
                .iter()
                .map(|h| crate::Header {
                    name: Cow::Owned(h.name.clone()),
                    value: Cow::Owned(h.value.clone()),
                    sensitive: h.sensitive,
                })
                .collect(),
            body: self.body.clone(),
            body_sensitive: self.body_sensitive,
        }
    }
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.to_core(), f)
    }
}

impl fmt::Display for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.to_core(), f)
    }
}

#[uniffi::export]
impl HttpRequest {
    /// The value of the first header with this name (compared case-insensitively).
    pub fn header(&self, name: String) -> Option<String> {
        self.headers.iter().find(|h| h.name.eq_ignore_ascii_case(&name)).map(|h| h.value.clone())
    }

    /// The body as text, when it is UTF-8 (every body imedit builds is).
    pub fn body_text(&self) -> Option<String> {
        self.to_core().body_text().map(str::to_owned)
    }

    /// The request as a `curl` command line, every argument quoted for a POSIX shell. Secrets
    /// are printed as `[REDACTED]` unless `reveal_secrets` is true.
    pub fn to_curl(&self, reveal_secrets: bool) -> String {
        self.to_core().to_curl(reveal_secrets)
    }
}

/// What the server answered: the status, the headers and the raw body, whatever it is (a
/// gateway's HTML page is a real response). Printing it shows the body's length only (a token
/// reply carries an access token).
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug, Display)]
pub struct HttpResponse {
    /// The HTTP status code.
    pub status: u16,
    /// The response headers (names in any case; `sensitive` is not used).
    #[uniffi(default)]
    pub headers: Vec<HttpHeader>,
    /// The raw body bytes.
    #[uniffi(default)]
    pub body: Vec<u8>,
}

impl HttpResponse {
    fn to_core(&self) -> crate::HttpResponse {
        crate::HttpResponse::new(
            self.status,
            self.headers.iter().map(|h| (h.name.clone(), h.value.clone())).collect(),
            self.body.clone(),
        )
    }
}

impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.to_core(), f)
    }
}

impl fmt::Display for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.to_core(), f)
    }
}

// ---- ext ------------------------------------------------------------------------------------------

mirror_enum! {
    /// How an edit's extension fields combine with the ones the message already has.
    ExtMode => crate::ExtMode {
        /// Same key overwrites, new key is appended, other keys stay (both vendors' default; the
        /// only mode Volcengine has).
        Merge,
        /// The new map replaces the old one entirely (Easemob `is_combine_ext: false`).
        Replace,
    }
}

#[uniffi::export]
impl ExtMode {
    /// `merge` or `replace`.
    pub fn as_str(&self) -> String {
        crate::ExtMode::from(*self).as_str().to_owned()
    }
}

/// The extension map the server holds after an edit, for optimistic UI updates. In `Merge`, a
/// key of `patch` that exists in `current` overwrites its value in place and a new key is
/// appended in `patch` order; in `Replace`, the result is `patch`. A repeated key's last value
/// wins.
#[uniffi::export]
pub fn merge_ext(current: Vec<KeyValue>, patch: Vec<KeyValue>, mode: ExtMode) -> Vec<KeyValue> {
    key_values(crate::merge_ext(&pairs(current), &pairs(patch), mode.into()))
}

// ---- Volcengine -------------------------------------------------------------------------------------

mirror_enum! {
    /// The scheme of the URL a request is sent to.
    Scheme => volc::Scheme {
        /// `https` (the default, and the only one Volcengine serves).
        Https,
        /// `http`, for a local emulator.
        Http,
    }
}

/// Volcengine credentials: an access key id, its secret key and, for temporary (STS)
/// credentials, a session token. Printing them shows the access key id only.
#[derive(uniffi::Object)]
#[uniffi::export(Debug)]
pub struct Credentials(volc::Credentials);

#[uniffi::export]
impl Credentials {
    /// Long-term credentials.
    ///
    /// Fails with `InvalidInput` when the access key id is empty or holds whitespace, control
    /// characters, `/` or `,`, or when the secret key is empty.
    #[uniffi::constructor]
    pub fn new(access_key_id: String, secret_access_key: String) -> Result<Self> {
        Ok(Self(volc::Credentials::new(access_key_id, secret_access_key)?))
    }

    /// Credentials with the session token of temporary (STS) credentials, sent as
    /// `X-Security-Token`.
    ///
    /// Fails with `InvalidInput` as `new`, or (field `session_token`) when the token is empty or
    /// holds whitespace or control characters.
    #[uniffi::constructor]
    pub fn with_session_token(access_key_id: String, secret_access_key: String, session_token: String) -> Result<Self> {
        Ok(Self(volc::Credentials::new(access_key_id, secret_access_key)?.with_session_token(session_token)?))
    }

    /// The access key id (not a secret: it is sent in the `Authorization` header).
    pub fn access_key_id(&self) -> String {
        self.0.access_key_id().to_owned()
    }

    /// Whether these are temporary credentials with a session token.
    pub fn has_session_token(&self) -> bool {
        self.0.session_token().is_some()
    }
}

/// Any request to sign, in plain parts.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SignableRequest {
    /// The HTTP method; it is upper-cased.
    pub method: String,
    /// The URL scheme (`Https`, or `Http` for a local emulator).
    pub scheme: Scheme,
    /// The host, with a port when it is not the scheme's default (`rtc.volcengineapi.com`,
    /// `127.0.0.1:8080`).
    pub host: String,
    /// The path, not yet percent-encoded (`/` for every OpenAPI action).
    #[uniffi(default = "/")]
    pub path: String,
    /// The query parameters, not yet percent-encoded, in any order; a key may repeat.
    #[uniffi(default)]
    pub query: Vec<KeyValue>,
    /// Extra headers (for example `Content-Type`). `Host`, `Authorization`, `X-Date`,
    /// `X-Content-Sha256` and `X-Security-Token` are added by the signer and refused here.
    #[uniffi(default)]
    pub headers: Vec<KeyValue>,
    /// The body bytes, exactly as they will be sent.
    #[uniffi(default)]
    pub body: Vec<u8>,
}

impl From<SignableRequest> for volc::SignableRequest {
    fn from(r: SignableRequest) -> Self {
        Self {
            method: r.method,
            scheme: r.scheme.into(),
            host: r.host,
            path: r.path,
            query: pairs(r.query),
            headers: pairs(r.headers),
            body: r.body,
        }
    }
}

/// Where and when a request is signed.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SigningParams {
    /// The region of the credential scope, for example `cn-north-1`.
    pub region: String,
    /// The service of the credential scope, for example `rtc`.
    pub service: String,
    /// The signing time, in Unix seconds. The server refuses a request signed more than 15
    /// minutes away from its clock.
    pub time: u64,
    /// `None` signs the default set: `content-type` (when present), `host`, `x-content-sha256`,
    /// `x-date`, and `x-security-token` (with a session token). A list signs exactly these
    /// header names (any case).
    #[uniffi(default = None)]
    pub signed_headers: Option<Vec<String>>,
}

impl From<SigningParams> for volc::SigningParams {
    fn from(p: SigningParams) -> Self {
        Self { region: p.region, service: p.service, time: p.time, signed_headers: p.signed_headers }
    }
}

/// Every stage of one signature, for debugging a `SignatureDoesNotMatch`. Printing it shows the
/// scope, the signed headers, the payload hash and the string to sign; the canonical request
/// (which can hold a session token), the signing key and the signature are left out.
#[derive(uniffi::Object)]
#[uniffi::export(Debug)]
pub struct SigningStages(volc::SigningStages);

impl fmt::Debug for SigningStages {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The canonical request is left out: with temporary credentials it holds the session
        // token (the `x-security-token` line).
        f.debug_struct("SigningStages")
            .field("credential_scope", &self.0.credential_scope())
            .field("signed_headers", &self.0.signed_headers())
            .field("payload_hash", &self.0.payload_hash())
            .field("string_to_sign", &self.0.string_to_sign())
            .field("signing_key", &self.0.signing_key())
            .field("signature", &format_args!("{}", Secret::REDACTED))
            .finish_non_exhaustive()
    }
}

#[uniffi::export]
impl SigningStages {
    /// The canonical request whose SHA-256 is signed. With temporary credentials it holds the
    /// session token (its `x-security-token` line): print `canonical_request_redacted` instead.
    pub fn canonical_request(&self) -> String {
        self.0.canonical_request().to_owned()
    }

    /// The canonical request with the session token replaced by `[REDACTED]`: safe to print.
    pub fn canonical_request_redacted(&self) -> String {
        self.0.canonical_request_redacted().into_owned()
    }

    /// The string to sign.
    pub fn string_to_sign(&self) -> String {
        self.0.string_to_sign().to_owned()
    }

    /// The signing key `kSigning` as lower-case hex. A secret: it signs any request for one UTC
    /// day, region and service. Never log it.
    pub fn signing_key_hex(&self) -> String {
        self.0.signing_key().expose_hex()
    }

    /// The signature, lower-case hex (part of the sensitive `Authorization` value).
    pub fn signature(&self) -> String {
        self.0.signature().to_owned()
    }

    /// The `Authorization` header value (sensitive: it authorizes this request).
    pub fn authorization(&self) -> String {
        self.0.authorization().to_owned()
    }

    /// The signed header names, lower-case, sorted, joined with `;`.
    pub fn signed_headers(&self) -> String {
        self.0.signed_headers().to_owned()
    }

    /// The credential scope, `YYYYMMDD/region/service/request`.
    pub fn credential_scope(&self) -> String {
        self.0.credential_scope().to_owned()
    }

    /// The `X-Date` header value.
    pub fn x_date(&self) -> String {
        self.0.x_date().to_owned()
    }

    /// The hex SHA-256 of the body (the `X-Content-Sha256` value).
    pub fn payload_hash(&self) -> String {
        self.0.payload_hash().to_owned()
    }
}

/// A signed request: the request to send, and every stage of its signature. Printing it redacts
/// the `Authorization` value, the session token and the signature.
#[derive(uniffi::Object)]
#[uniffi::export(Debug)]
pub struct SignedRequest {
    request: HttpRequest,
    stages: Arc<SigningStages>,
}

impl fmt::Debug for SignedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedRequest").field("request", &self.request).field("stages", &self.stages).finish()
    }
}

impl From<volc::SignedRequest> for SignedRequest {
    fn from(s: volc::SignedRequest) -> Self {
        let volc::SignedRequest { request, stages } = s;
        Self { request: request.into(), stages: Arc::new(SigningStages(stages)) }
    }
}

#[uniffi::export]
impl SignedRequest {
    /// The request to send, byte for byte.
    pub fn request(&self) -> HttpRequest {
        self.request.clone()
    }

    /// The stages of the signature.
    pub fn stages(&self) -> Arc<SigningStages> {
        Arc::clone(&self.stages)
    }
}

/// Signs any request once, deriving the signing key afresh. Prefer a `Signer` for repeated
/// signatures.
///
/// Fails with `InvalidInput` naming the field: an empty or non-token method, an invalid host, a
/// header name that is not a token, CR/LF/NUL or non-ASCII in a header value, a header given
/// twice or one the signer adds itself, an empty or invalid region or service, a time after the
/// year 9999, or a signed-header list naming a header the request does not have.
#[uniffi::export]
pub fn sign(credentials: &Credentials, request: SignableRequest, params: SigningParams) -> Result<Arc<SignedRequest>> {
    Ok(Arc::new(volc::sign(&credentials.0, &request.into(), &params.into())?.into()))
}

/// Where RTC OpenAPI requests go: scheme, host, and the region they are signed for.
#[derive(PartialEq, Eq, uniffi::Object)]
#[uniffi::export(Debug, Eq)]
pub struct Endpoint(volc::Endpoint);

#[uniffi::export]
impl Endpoint {
    /// The endpoint for a region and an optional explicit host: with no host, the region's
    /// documented host (`cn-north-1` → `rtc.volcengineapi.com`, `ap-singapore-1` →
    /// `open-ap-singapore-1.volcengineapi.com`); a host is `host[:port]` (https) or an origin
    /// such as `https://rtc.example.com` or `http://127.0.0.1:8080` (a local emulator).
    ///
    /// Fails with `InvalidInput` (field `region` or `host`).
    #[uniffi::constructor(default(region = "cn-north-1", host = None))]
    pub fn new(region: String, host: Option<String>) -> Result<Self> {
        Ok(Self(volc::Endpoint::new(&region, host.as_deref())?))
    }

    /// The URL scheme.
    pub fn scheme(&self) -> Scheme {
        self.0.scheme().into()
    }

    /// The host (with a port when not the default).
    pub fn host(&self) -> String {
        self.0.host().to_owned()
    }

    /// The region requests are signed for.
    pub fn region(&self) -> String {
        self.0.region().to_owned()
    }
}

/// The RTC OpenAPI host of a region, for the regions whose host is documented.
#[uniffi::export]
pub fn rtc_host(region: String) -> Option<String> {
    volc::rtc_host(&region).map(str::to_owned)
}

/// The parameters of one `ModifyMessage` call (RTC OpenAPI, Version 2020-12-01). Ids are exact
/// signed 64-bit integers.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ModifyMessage {
    /// The RTC application id (`AppId`), positive.
    pub app_id: i64,
    /// The conversation (`ConversationShortId`), positive.
    pub conversation_short_id: i64,
    /// The message (`MessageId`), positive.
    pub message_id: i64,
    /// Extension fields to set, in order: a key that exists is overwritten, a new key is added,
    /// other keys stay (see `merge_ext`).
    #[uniffi(default)]
    pub ext: Vec<KeyValue>,
    /// The new content, in the client's message format: a JSON document such as
    /// `{"text":"..."}` (see `text_content`).
    #[uniffi(default = None)]
    pub content: Option<String>,
}

#[uniffi::export]
impl ModifyMessage {
    /// The JSON body, after checking every field: call it to refuse a bad edit before anything
    /// else is done.
    ///
    /// Fails with `InvalidInput` naming the field: a non-positive id, an empty or repeated `ext`
    /// key, `content` that is not JSON, or an edit that changes nothing.
    pub fn body(&self) -> Result<Vec<u8>> {
        Ok(volc::ModifyMessage::from(self.clone()).body()?)
    }
}

impl From<ModifyMessage> for volc::ModifyMessage {
    fn from(m: ModifyMessage) -> Self {
        Self {
            app_id: m.app_id,
            conversation_short_id: m.conversation_short_id,
            message_id: m.message_id,
            ext: pairs(m.ext),
            content: m.content,
        }
    }
}

/// Signs requests with one set of credentials, caching the signing key for the UTC day, region
/// and service of the last signature. Share one signer across threads.
#[derive(uniffi::Object)]
#[uniffi::export(Debug)]
pub struct Signer(volc::Signer);

#[uniffi::export]
impl Signer {
    /// A signer for these credentials.
    #[uniffi::constructor]
    pub fn new(credentials: &Credentials) -> Self {
        Self(volc::Signer::new(credentials.0.clone()))
    }

    /// The access key id it signs with.
    pub fn access_key_id(&self) -> String {
        self.0.credentials().access_key_id().to_owned()
    }

    /// Signs any request (see the top-level `sign` for the refusals).
    pub fn sign(&self, request: SignableRequest, params: SigningParams) -> Result<Arc<SignedRequest>> {
        Ok(Arc::new(self.0.sign(&request.into(), &params.into())?.into()))
    }

    /// Builds and signs a `ModifyMessage` request at `time` (Unix seconds), with the cached
    /// signing key. To retry, build and sign again with a fresh time.
    ///
    /// Fails with `InvalidInput` naming the field: a non-positive id, an empty or repeated `ext`
    /// key, `content` that is not JSON, an edit that changes nothing, or a time after the year
    /// 9999.
    pub fn modify_message(&self, endpoint: &Endpoint, params: ModifyMessage, time: u64) -> Result<Arc<SignedRequest>> {
        Ok(Arc::new(self.0.modify_message(&endpoint.0, &params.into(), time)?.into()))
    }

    /// As `modify_message`, returning only the request to send (one call instead of two).
    pub fn modify_message_request(&self, endpoint: &Endpoint, params: ModifyMessage, time: u64) -> Result<HttpRequest> {
        Ok(self.0.modify_message(&endpoint.0, &params.into(), time)?.request.into())
    }
}

/// Builds and signs a `ModifyMessage` request once, deriving the signing key afresh (prefer
/// `Signer.modify_message` for repeated calls). Refusals as `Signer.modify_message`.
#[uniffi::export]
pub fn build_modify_message_request(
    credentials: &Credentials,
    endpoint: &Endpoint,
    params: ModifyMessage,
    time: u64,
) -> Result<Arc<SignedRequest>> {
    Ok(Arc::new(volc::build_modify_message_request(&credentials.0, &endpoint.0, &params.into(), time)?.into()))
}

/// The `Content` of a text message, `{"text":"..."}`, with the text escaped as JSON.
#[uniffi::export]
pub fn text_content(text: String) -> String {
    volc::text_content(&text)
}

/// Parses a 64-bit id given as decimal text (as JSON and JavaScript hosts hold them).
///
/// Fails with `InvalidInput` naming `field` when the text is not a decimal integer in the signed
/// 64-bit range.
#[uniffi::export]
pub fn parse_id(field: String, decimal: String) -> Result<i64> {
    Ok(volc::parse_id(&field, &decimal)?)
}

/// The canonical query string: each key and value percent-encoded per RFC 3986, pairs sorted by
/// key (a repeated key keeps its values in order), joined with `&`.
#[uniffi::export]
pub fn canonical_query(query: Vec<KeyValue>) -> String {
    volc::canonical_query(&pairs(query))
}

/// The `X-Date` form (`YYYYMMDD'T'HHMMSS'Z'`, UTC) of a time in Unix seconds.
///
/// Fails with `InvalidInput` (field `time`) after the year 9999.
#[uniffi::export]
pub fn x_date(unix_secs: u64) -> Result<String> {
    Ok(volc::x_date(unix_secs)?)
}

/// `ResponseMetadata` of a successful Volcengine call (fields the server left out are empty).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ResponseMetadata {
    /// `RequestId`: quote it to Volcengine support.
    pub request_id: String,
    /// `Action`.
    pub action: String,
    /// `Version`.
    pub version: String,
    /// `Service`.
    pub service: String,
    /// `Region`.
    pub region: String,
}

impl From<volc::ResponseMetadata> for ResponseMetadata {
    fn from(m: volc::ResponseMetadata) -> Self {
        Self { request_id: m.request_id, action: m.action, version: m.version, service: m.service, region: m.region }
    }
}

/// A successful Volcengine OpenAPI reply.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct OpenApiResponse {
    /// The envelope.
    pub metadata: ResponseMetadata,
    /// `Result`, exactly as its JSON text appears in the reply (key order, spacing and big
    /// integers untouched), when the reply has one.
    pub result: Option<String>,
}

/// Parses a `ModifyMessage` reply. The call failed whenever `ResponseMetadata.Error` is present,
/// whatever the HTTP status.
///
/// Fails with `Api` (status, `Code`, `CodeN`, `Message`, `RequestId`, retry advice) or
/// `MalformedResponse` (not JSON, no `ResponseMetadata`, or a non-2xx status without `Error`).
#[uniffi::export]
pub fn parse_modify_message_response(response: HttpResponse) -> Result<ResponseMetadata> {
    Ok(volc::parse_modify_message_response(&response.to_core())?.into())
}

/// Parses the reply of any Volcengine OpenAPI action. Refusals as
/// `parse_modify_message_response`.
#[uniffi::export]
pub fn parse_openapi_response(response: HttpResponse) -> Result<OpenApiResponse> {
    let r = volc::parse_response(&response.to_core())?;
    Ok(OpenApiResponse { metadata: r.metadata.into(), result: r.result })
}

/// The kind and retry advice of a Volcengine `Error.Code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Record)]
pub struct ErrorClass {
    /// What the code means.
    pub kind: ApiErrorKind,
    /// What to do next.
    pub retry: RetryAdvice,
}

/// Classifies a Volcengine `Error.Code` (for example `FlowLimitExceeded.QPSOverLimit`).
#[uniffi::export]
pub fn classify_volcengine_error(code: String) -> ErrorClass {
    let (kind, retry) = volc::classify(&code);
    ErrorClass { kind: kind.into(), retry: retry.into() }
}

// ---- Easemob / Agora Chat ---------------------------------------------------------------------------

/// The documented Easemob and Agora Chat REST clusters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum Cluster {
    /// Easemob 国内1区 (China 1), `https://a1.easemob.com`.
    EasemobA1,
    /// Easemob 国内2区 (China 2), `https://a31.easemob.com`.
    EasemobA31,
    /// Easemob 新加坡1区 (Singapore 1), `https://a1-sgp.easemob.com`.
    EasemobA1Sgp,
    /// Easemob 新加坡2区 (Singapore 2), `https://a61.easemob.com`.
    EasemobA61,
    /// Easemob 美东1区 (US East 1), `https://a41.easemob.com`.
    EasemobA41,
    /// Easemob 德国2区 (Germany 2), `https://a71.easemob.com`.
    EasemobA71,
    /// Agora Chat, Virginia, `https://a41.chat.agora.io`.
    AgoraChatA41,
    /// Agora Chat, Singapore, `https://a61.chat.agora.io`.
    AgoraChatA61,
    /// Agora Chat, Frankfurt, `https://a71.chat.agora.io`.
    AgoraChatA71,
}

#[uniffi::export]
impl Cluster {
    /// The cluster's REST origin.
    pub fn base_url(&self) -> String {
        match self {
            Self::EasemobA1 => em::EASEMOB_A1,
            Self::EasemobA31 => em::EASEMOB_A31,
            Self::EasemobA1Sgp => em::EASEMOB_A1_SGP,
            Self::EasemobA61 => em::EASEMOB_A61,
            Self::EasemobA41 => em::EASEMOB_A41,
            Self::EasemobA71 => em::EASEMOB_A71,
            Self::AgoraChatA41 => em::AGORA_CHAT_A41,
            Self::AgoraChatA61 => em::AGORA_CHAT_A61,
            Self::AgoraChatA71 => em::AGORA_CHAT_A71,
        }
        .to_owned()
    }
}

/// Where Easemob requests go: the REST origin, the org name and the app name. Always valid.
#[derive(PartialEq, Eq, uniffi::Object)]
#[uniffi::export(Debug, Eq)]
pub struct Settings(em::Settings);

#[uniffi::export]
impl Settings {
    /// Settings for an `https://` origin (see `Cluster`, or the domain the console shows), an org
    /// name and an app name.
    ///
    /// Fails with `InvalidInput` naming `base_url`, `org_name` or `app_name`.
    #[uniffi::constructor]
    pub fn new(base_url: String, org_name: String, app_name: String) -> Result<Self> {
        Ok(Self(em::Settings::new(&base_url, &org_name, &app_name)?))
    }

    /// Settings from an App Key, `org#app`.
    ///
    /// Fails as `new`, and (field `app_key`) when the key does not have exactly one `#` between
    /// two non-empty names.
    #[uniffi::constructor]
    pub fn from_app_key(base_url: String, app_key: String) -> Result<Self> {
        Ok(Self(em::Settings::from_app_key(&base_url, &app_key)?))
    }

    /// Settings with every option: the org and app names or an App Key (which wins), and
    /// `allow_http` to accept an `http://` origin for a local emulator (never against the real
    /// service: the app token would travel in clear text).
    ///
    /// Fails as `new` and `from_app_key`.
    #[uniffi::constructor(default(org_name = None, app_name = None, app_key = None, allow_http = false))]
    pub fn with_options(
        base_url: String,
        org_name: Option<String>,
        app_name: Option<String>,
        app_key: Option<String>,
        allow_http: bool,
    ) -> Result<Self> {
        let mut b = em::Settings::builder(&base_url)
            .org_name(org_name.as_deref().unwrap_or_default())
            .app_name(app_name.as_deref().unwrap_or_default())
            .allow_http(allow_http);
        if let Some(key) = &app_key {
            b = b.app_key(key);
        }
        Ok(Self(b.build()?))
    }

    /// The origin, `https://host[:port]`.
    pub fn base_url(&self) -> String {
        self.0.base_url().to_owned()
    }

    /// The org name.
    pub fn org_name(&self) -> String {
        self.0.org_name().to_owned()
    }

    /// The app name.
    pub fn app_name(&self) -> String {
        self.0.app_name().to_owned()
    }

    /// The App Key, `org#app`.
    pub fn app_key(&self) -> String {
        self.0.app_key()
    }

    /// The full URL of a path under `/{org}/{app}` (the path already encoded).
    pub fn url(&self, encoded_path: String) -> String {
        self.0.url(&encoded_path)
    }
}

/// The app's `client_id` and `client_secret`, from the console's app details page. Printing them
/// shows the client id only.
#[derive(uniffi::Object)]
#[uniffi::export(Debug)]
pub struct ClientCredentials(em::ClientCredentials);

#[uniffi::export]
impl ClientCredentials {
    /// The app's credentials.
    ///
    /// Fails with `InvalidInput` naming `client_id` or `client_secret` when empty or holding
    /// whitespace or control characters.
    #[uniffi::constructor]
    pub fn new(client_id: String, client_secret: String) -> Result<Self> {
        Ok(Self(em::ClientCredentials::new(client_id, client_secret)?))
    }

    /// The client id (not secret).
    pub fn client_id(&self) -> String {
        self.0.client_id().to_owned()
    }
}

mirror_enum! {
    /// The unit of `ttl` and `expires_in`.
    TimeUnit => em::TimeUnit {
        /// Seconds (every cluster but VIP 5).
        Seconds,
        /// Milliseconds (the VIP 5 cluster).
        Milliseconds,
    }
}

/// How app tokens are requested and when they are refreshed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Record)]
pub struct TokenPolicy {
    /// The lifetime to ask for, in seconds; 0 asks for a token that never expires; `None` leaves
    /// it to the console setting.
    #[uniffi(default = None)]
    pub ttl: Option<u64>,
    /// The unit the cluster uses for `ttl` and `expires_in` (`Seconds` on every cluster but
    /// VIP 5).
    pub unit: TimeUnit,
    /// Refresh at least this many seconds before expiry.
    #[uniffi(default = 300)]
    pub refresh_margin: u64,
}

impl From<TokenPolicy> for em::TokenPolicy {
    fn from(p: TokenPolicy) -> Self {
        Self { ttl: p.ttl, unit: p.unit.into(), refresh_margin: p.refresh_margin }
    }
}

impl From<em::TokenPolicy> for TokenPolicy {
    fn from(p: em::TokenPolicy) -> Self {
        Self { ttl: p.ttl, unit: p.unit.into(), refresh_margin: p.refresh_margin }
    }
}

/// An app token and its lifetime, all in Unix seconds. Printing it redacts the token.
#[derive(uniffi::Object)]
#[uniffi::export(Debug)]
pub struct AppToken(em::AppToken);

#[uniffi::export]
impl AppToken {
    /// A token obtained at `issued_at` that expires at `expires_at` (`None`: never), its refresh
    /// time derived from `refresh_margin` (the earlier of half the lifetime and
    /// `expires_at - refresh_margin`). Use it to restore a stored token.
    #[uniffi::constructor(default(expires_at = None, refresh_margin = 300))]
    pub fn new(value: String, issued_at: u64, expires_at: Option<u64>, refresh_margin: u64) -> Self {
        Self(em::AppToken::new(Secret::new(value), issued_at, expires_at, refresh_margin))
    }

    /// The token itself (a secret: send it only in `Authorization: Bearer`, never log it).
    pub fn value(&self) -> String {
        self.0.value().expose().to_owned()
    }

    /// When it was obtained.
    pub fn issued_at(&self) -> u64 {
        self.0.issued_at()
    }

    /// When it expires; `None` for a token that never expires.
    pub fn expires_at(&self) -> Option<u64> {
        self.0.expires_at()
    }

    /// When to fetch the next one; `None` for a token that never expires.
    pub fn refresh_at(&self) -> Option<u64> {
        self.0.refresh_at()
    }

    /// The app's UUID (`application`), when the reply carried it.
    pub fn application(&self) -> Option<String> {
        self.0.application().map(str::to_owned)
    }

    /// Whether it has expired at `now`.
    pub fn is_expired(&self, now: u64) -> bool {
        self.0.is_expired(now)
    }

    /// Whether it is due for a refresh at `now`.
    pub fn needs_refresh(&self, now: u64) -> bool {
        self.0.needs_refresh(now)
    }
}

/// Builds `POST /{org}/{app}/token` with `grant_type=client_credentials` (its body carries the
/// client secret and is marked sensitive).
#[uniffi::export]
pub fn build_token_request(
    settings: &Settings,
    credentials: &ClientCredentials,
    policy: TokenPolicy,
) -> Result<HttpRequest> {
    Ok(em::build_token_request(&settings.0, &credentials.0, &policy.into())?.into())
}

/// Builds the Agora token exchange: `POST /{org}/{app}/token` with `grant_type=agora` and the
/// Agora app token (made by the host from the App ID and App Certificate) as the Bearer token.
///
/// Fails with `InvalidInput` (field `agora_token`) when it is empty or holds whitespace or
/// control characters.
#[uniffi::export]
pub fn build_agora_token_exchange_request(settings: &Settings, agora_token: String) -> Result<HttpRequest> {
    Ok(em::build_agora_token_exchange_request(&settings.0, &Secret::new(agora_token))?.into())
}

/// Parses the reply to `build_token_request` received at `now` (Unix seconds). `expires_in` of
/// 0 means the token never expires; it is read in `policy.unit`.
///
/// Fails with `Api` (`invalid_grant`, `organization_application_not_found`, 429…) or
/// `MalformedResponse` (not JSON, or a 200 without `access_token`).
#[uniffi::export]
pub fn parse_token_response(response: HttpResponse, now: u64, policy: TokenPolicy) -> Result<Arc<AppToken>> {
    Ok(Arc::new(AppToken(em::parse_token_response(&response.to_core(), now, &policy.into())?)))
}

/// Parses the reply to `build_agora_token_exchange_request` received at `now`: the token and its
/// absolute `expire_timestamp`. Refusals as `parse_token_response`.
#[uniffi::export]
pub fn parse_agora_token_exchange_response(
    response: HttpResponse,
    now: u64,
    policy: TokenPolicy,
) -> Result<Arc<AppToken>> {
    Ok(Arc::new(AppToken(em::parse_agora_token_exchange_response(&response.to_core(), now, &policy.into())?)))
}

mirror_enum! {
    /// The kind of the message being edited, which decides what can change.
    MessageKind => em::MessageKind {
        /// `txt`: the text (`msg`) and the ext.
        Text,
        /// `custom`: `customEvent`, `customExts` and the ext.
        Custom,
        /// `img`: the ext only.
        Image,
        /// `audio`: the ext only.
        Audio,
        /// `video`: the ext only.
        Video,
        /// `file`: the ext only.
        File,
        /// `loc`: the ext only.
        Location,
        /// `combine` (merged messages): the ext only.
        Combine,
        /// `cmd`: cannot be modified at all.
        Command,
    }
}

#[uniffi::export]
impl MessageKind {
    /// The wire name: `txt`, `custom`, `img`, `audio`, `video`, `file`, `loc`, `combine`, `cmd`.
    pub fn as_str(&self) -> String {
        em::MessageKind::from(*self).as_str().to_owned()
    }
}

/// The message kind for a wire name (also `text`, `image`, `location` and `command`).
///
/// Fails with `InvalidInput` (field `type`) for an unknown name.
#[uniffi::export]
pub fn message_kind_from_name(name: String) -> Result<MessageKind> {
    Ok(em::MessageKind::parse(&name)?.into())
}

/// One Easemob rewrite: which message, its kind, and what changes. Absent fields are not sent.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RewriteMessage {
    /// The message id as decimal text: 1 to 19 digits, at most 9223372036854775807.
    pub message_id: String,
    /// The kind of the stored message.
    pub kind: MessageKind,
    /// The new text (text messages only; required for them).
    #[uniffi(default = None)]
    pub msg: Option<String>,
    /// The new `customEvent` (custom messages only): 1 to 32 of `a-z A-Z 0-9 - _ / .`.
    #[uniffi(default = None)]
    pub custom_event: Option<String>,
    /// The new `customExts` (custom messages only): at most 16 entries.
    #[uniffi(default = None)]
    pub custom_exts: Option<Vec<KeyValue>>,
    /// The new extension fields (`new_ext`); required for image, audio, video, file, location
    /// and combine messages.
    #[uniffi(default = None)]
    pub new_ext: Option<Vec<KeyValue>>,
    /// Whether `new_ext` is merged into the stored ext (`Merge`, both vendors' default) or
    /// replaces it (`Replace`).
    pub ext_mode: ExtMode,
    /// Who edits (`user`): at most 64 bytes of `A-Z a-z 0-9 _ . -`.
    #[uniffi(default = None)]
    pub user: Option<String>,
}

#[uniffi::export]
impl RewriteMessage {
    /// The JSON body, after checking every rule: call it to refuse a bad edit before a token is
    /// fetched or anything is sent.
    ///
    /// Fails with `MessageNotEditable` for command messages, `BodyTooLarge` above 5 KB, and
    /// `InvalidInput` naming the field for every other rule.
    pub fn body(&self) -> Result<Vec<u8>> {
        Ok(em::RewriteMessage::from(self.clone()).body()?)
    }
}

impl From<RewriteMessage> for em::RewriteMessage {
    fn from(m: RewriteMessage) -> Self {
        let mut edit = Self::new(m.message_id, m.kind.into());
        edit.msg = m.msg;
        edit.custom_event = m.custom_event;
        edit.custom_exts = m.custom_exts.map(pairs);
        edit.new_ext = m.new_ext.map(pairs);
        edit.ext_mode = m.ext_mode.into();
        edit.user = m.user;
        edit
    }
}

/// Builds `PUT /{org}/{app}/messages/rewrite/{msg_id}` with the app token as the Bearer token.
///
/// Fails with `MessageNotEditable` for command messages, `BodyTooLarge` above 5 KB, and
/// `InvalidInput` naming the field for every other rule (field `token` for a token that is empty
/// or holds whitespace or control characters).
#[uniffi::export]
pub fn build_rewrite_request(settings: &Settings, token: &AppToken, edit: RewriteMessage) -> Result<HttpRequest> {
    Ok(em::build_rewrite_request(&settings.0, token.0.value(), &edit.into())?.into())
}

/// A successful rewrite (`data: "success"`), with the envelope's fields when present.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RewriteOutcome {
    /// `path`, such as `/messages/rewrite/1235807318835202004`.
    pub path: Option<String>,
    /// `uri`, the full request URL.
    pub uri: Option<String>,
    /// `timestamp`, Unix milliseconds.
    pub timestamp: Option<i64>,
    /// `organization`.
    pub organization: Option<String>,
    /// `application`, the app's UUID.
    pub application: Option<String>,
    /// `applicationName`.
    pub application_name: Option<String>,
    /// `action` (`put`).
    pub action: Option<String>,
    /// `duration`, milliseconds.
    pub duration: Option<i64>,
}

/// Parses the reply to `build_rewrite_request`.
///
/// Fails with `Api` for every documented refusal, or `MalformedResponse` when the body is not
/// JSON or a 2xx lacks `data: "success"`.
#[uniffi::export]
pub fn parse_rewrite_response(response: HttpResponse) -> Result<RewriteOutcome> {
    let o = em::parse_rewrite_response(&response.to_core())?;
    Ok(RewriteOutcome {
        path: o.path,
        uri: o.uri,
        timestamp: o.timestamp,
        organization: o.organization,
        application: o.application,
        application_name: o.application_name,
        action: o.action,
        duration: o.duration,
    })
}

/// Checks an Easemob message id (1 to 19 decimal digits, at most 9223372036854775807) and
/// returns its value.
///
/// Fails with `InvalidInput` (field `message_id`).
#[uniffi::export]
pub fn parse_message_id(message_id: String) -> Result<i64> {
    Ok(em::parse_message_id(&message_id)?)
}

/// How a `TokenCache` obtains tokens. Printing it redacts the secret.
#[derive(uniffi::Object)]
#[uniffi::export(Debug)]
pub struct TokenSource(em::TokenSource);

#[uniffi::export]
impl TokenSource {
    /// `grant_type=client_credentials` with the app's client id and secret.
    #[uniffi::constructor]
    pub fn client_credentials(credentials: &ClientCredentials) -> Self {
        Self(em::TokenSource::ClientCredentials(credentials.0.clone()))
    }

    /// The Agora token exchange, with an Agora app token made by the host (replace the source
    /// with `TokenCache.set_source` before that token expires).
    #[uniffi::constructor]
    pub fn agora_token(agora_token: String) -> Self {
        Self(em::TokenSource::AgoraToken(Secret::new(agora_token)))
    }
}

/// What the host should do before an Easemob call.
#[derive(Debug, uniffi::Enum)]
pub enum TokenAction {
    /// Use this token.
    Use {
        /// The valid token.
        token: Arc<AppToken>,
    },
    /// Use this token now, and send `request` to refresh it (report the reply with
    /// `TokenCache.on_response`); no other refresh is asked for meanwhile.
    Refresh {
        /// The current token, still valid.
        token: Arc<AppToken>,
        /// The token request to send.
        request: HttpRequest,
    },
    /// There is no valid token: send `request`, report the reply with `TokenCache.on_response`,
    /// then ask again.
    Fetch {
        /// The token request to send.
        request: HttpRequest,
    },
    /// There is no valid token and a fetch is already in flight: wait for it, then ask again.
    Wait,
}

impl From<em::TokenAction> for TokenAction {
    fn from(a: em::TokenAction) -> Self {
        match a {
            em::TokenAction::Use(token) => Self::Use { token: Arc::new(AppToken(token)) },
            em::TokenAction::Refresh { token, request } => {
                Self::Refresh { token: Arc::new(AppToken(token)), request: request.into() }
            }
            em::TokenAction::Fetch(request) => Self::Fetch { request: request.into() },
            em::TokenAction::Wait => Self::Wait,
        }
    }
}

/// The app-token cache, a state machine driven by the host: no clock, no I/O, no threads. It is
/// safe to share between threads.
///
/// `poll(now)` before each call says what to do (`Use`, `Refresh`, `Fetch`, `Wait`); report the
/// token reply with `on_response`, a transport failure with `on_fetch_failed`, and a failed call
/// with `on_call_failed` (which says whether to poll again and retry once).
#[derive(uniffi::Object)]
#[uniffi::export(Debug)]
pub struct TokenCache(Mutex<em::TokenCache>);

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*lock(&self.0), f)
    }
}

#[uniffi::export]
impl TokenCache {
    /// An empty cache. A fetch unanswered for 60 seconds is given up; after a failed refresh, a
    /// still-valid token is used for 10 seconds before the next refresh is asked for.
    #[uniffi::constructor]
    pub fn new(settings: &Settings, source: &TokenSource, policy: TokenPolicy) -> Self {
        Self(Mutex::new(em::TokenCache::new(settings.0.clone(), source.0.clone(), policy.into())))
    }

    /// Sets how long (seconds) a fetch may stay unanswered before another one is asked for.
    pub fn set_fetch_timeout(&self, seconds: u64) {
        let mut cache = lock(&self.0);
        *cache = cache.clone().with_fetch_timeout(seconds);
    }

    /// Replaces the token source (for example a fresh Agora token).
    pub fn set_source(&self, source: &TokenSource) {
        lock(&self.0).set_source(source.0.clone());
    }

    /// The settings the token requests are built from.
    pub fn settings(&self) -> Arc<Settings> {
        Arc::new(Settings(lock(&self.0).settings().clone()))
    }

    /// The policy the cache follows.
    pub fn policy(&self) -> TokenPolicy {
        (*lock(&self.0).policy()).into()
    }

    /// The current token, valid or not.
    pub fn token(&self) -> Option<Arc<AppToken>> {
        lock(&self.0).token().map(|t| Arc::new(AppToken(t.clone())))
    }

    /// Whether a fetch is in flight at `now`.
    pub fn is_fetching(&self, now: u64) -> bool {
        lock(&self.0).is_fetching(now)
    }

    /// What to do at `now` before a call.
    ///
    /// Fails as the token request builders (an Agora token that is not header-safe).
    pub fn poll(&self, now: u64) -> Result<TokenAction> {
        Ok(lock(&self.0).poll(now)?.into())
    }

    /// Reports the reply to the token request, received at `now`. On success the new token is
    /// stored and returned; on failure the old token (if still valid) stays in use.
    ///
    /// Fails as `parse_token_response` or `parse_agora_token_exchange_response`.
    pub fn on_response(&self, response: HttpResponse, now: u64) -> Result<Arc<AppToken>> {
        Ok(Arc::new(AppToken(lock(&self.0).on_response(&response.to_core(), now)?)))
    }

    /// Reports that the token request failed at `now` before a reply arrived.
    pub fn on_fetch_failed(&self, now: u64) {
        lock(&self.0).on_fetch_failed(now);
    }

    /// Reports that a call made with `used` failed with `error`. Returns true when the error
    /// says the token is expired or invalid: the token is then forgotten, and the host should
    /// poll again (which fetches a new one) and retry the call once. Other errors (including
    /// Easemob's 401 "You are not authorized to edit this message", a permission error) leave
    /// the cache untouched and return false.
    pub fn on_call_failed(&self, used: &AppToken, error: ImeditError) -> bool {
        lock(&self.0).on_call_failed(&used.0, &error.into())
    }
}

// ---- retries and rate limits -----------------------------------------------------------------------

/// Bounds on retrying one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Record)]
pub struct RetryPolicy {
    /// The most attempts in all, the first one included.
    #[uniffi(default = 3)]
    pub max_attempts: u32,
    /// The backoff before the second attempt, before jitter, in milliseconds.
    #[uniffi(default = 200)]
    pub base_delay_ms: u64,
    /// The largest backoff, before jitter, in milliseconds.
    #[uniffi(default = 10000)]
    pub max_delay_ms: u64,
}

impl From<RetryPolicy> for retry::RetryPolicy {
    fn from(p: RetryPolicy) -> Self {
        Self { max_attempts: p.max_attempts, base_delay_ms: p.base_delay_ms, max_delay_ms: p.max_delay_ms }
    }
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum RetryDecision {
    /// Wait `delay_ms`, then try again. A Volcengine request must be built and signed again (a
    /// fresh `X-Date`); an Easemob request may be sent again as it is.
    Retry {
        /// How long to wait first, in milliseconds.
        delay_ms: u64,
    },
    /// The app token was refused: tell the token cache (`TokenCache.on_call_failed`), get a new
    /// token, and try again at once. Offered once per call.
    RefreshTokenThenRetry,
    /// Stop and report the error.
    GiveUp,
}

impl From<retry::RetryDecision> for RetryDecision {
    fn from(d: retry::RetryDecision) -> Self {
        match d {
            retry::RetryDecision::Retry { delay_ms } => Self::Retry { delay_ms },
            retry::RetryDecision::RefreshTokenThenRetry => Self::RefreshTokenThenRetry,
            retry::RetryDecision::GiveUp => Self::GiveUp,
        }
    }
}

/// Plans the retries of one call: exponential backoff with full jitter, a cap, a bounded number
/// of attempts, and at most one token refresh. Make one per call.
#[derive(uniffi::Object)]
#[uniffi::export(Debug)]
pub struct RetryPlanner(Mutex<retry::RetryPlanner>);

impl fmt::Debug for RetryPlanner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*lock(&self.0), f)
    }
}

#[uniffi::export]
impl RetryPlanner {
    /// A plan for one call, before its first attempt.
    #[uniffi::constructor]
    pub fn new(policy: RetryPolicy) -> Self {
        Self(Mutex::new(retry::RetryPlanner::new(policy.into())))
    }

    /// Records a failed attempt and says what to do. `random` is a uniform random value in
    /// `[0, 1)` from the host's generator (values outside are clamped).
    pub fn on_error(&self, error: ImeditError, random: f64) -> RetryDecision {
        lock(&self.0).on_error(&error.into(), random).into()
    }

    /// The failed attempts so far.
    pub fn attempts(&self) -> u32 {
        lock(&self.0).attempts()
    }
}

/// A rate limiter's state, to keep in a shared store when several processes share one vendor
/// quota: read it, `RateLimiter.restore`, `acquire`, write `state()` back, under the store's lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Record)]
pub struct LimiterState {
    /// Permits available, in thousandths of a permit.
    pub tokens_milli: u64,
    /// When the state was last updated, in Unix milliseconds.
    pub updated_ms: u64,
}

impl From<limit::LimiterState> for LimiterState {
    fn from(s: limit::LimiterState) -> Self {
        Self { tokens_milli: s.tokens_milli, updated_ms: s.updated_ms }
    }
}

impl From<LimiterState> for limit::LimiterState {
    fn from(s: LimiterState) -> Self {
        Self { tokens_milli: s.tokens_milli, updated_ms: s.updated_ms }
    }
}

/// A token bucket driven by the caller's clock: `rate_per_sec` permits per second, up to `burst`
/// at once. Call `acquire(now_ms)` before each request. Safe to share between threads.
#[derive(uniffi::Object)]
#[uniffi::export(Debug)]
pub struct RateLimiter(Mutex<limit::RateLimiter>);

impl fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*lock(&self.0), f)
    }
}

#[uniffi::export]
impl RateLimiter {
    /// A full bucket of `burst` permits, refilled at `rate_per_sec` (both at least 1).
    #[uniffi::constructor]
    pub fn new(rate_per_sec: u32, burst: u32) -> Self {
        Self(Mutex::new(limit::RateLimiter::new(rate_per_sec, burst)))
    }

    /// Volcengine `ModifyMessage`: 50 requests per second.
    #[uniffi::constructor]
    pub fn volcengine_modify_message() -> Self {
        Self(Mutex::new(limit::RateLimiter::volcengine_modify_message()))
    }

    /// Easemob REST calls: 100 requests per second per App Key.
    #[uniffi::constructor]
    pub fn easemob_app() -> Self {
        Self(Mutex::new(limit::RateLimiter::easemob_app()))
    }

    /// The Easemob token endpoint: 300 requests per second per App Key.
    #[uniffi::constructor]
    pub fn easemob_token() -> Self {
        Self(Mutex::new(limit::RateLimiter::easemob_token()))
    }

    /// A limiter continuing from a stored state.
    #[uniffi::constructor]
    pub fn restore(rate_per_sec: u32, burst: u32, state: LimiterState) -> Self {
        Self(Mutex::new(limit::RateLimiter::restore(rate_per_sec, burst, state.into())))
    }

    /// Takes one permit at `now_ms` (Unix milliseconds) and returns 0, or returns how many
    /// milliseconds to wait before calling again (no permit is taken then).
    pub fn acquire(&self, now_ms: u64) -> u64 {
        lock(&self.0).acquire(now_ms)
    }

    /// The state to store.
    pub fn state(&self) -> LimiterState {
        lock(&self.0).state().into()
    }
}
