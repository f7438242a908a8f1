//! The one error type of the library, split by who is at fault, with retry advice.

use core::fmt;

/// Everything that can go wrong, split by who is at fault (see [`Error::fault`]).
///
/// Every variant has a stable string [`code`](Error::code) (used by the shared test vectors and by
/// every language binding) and [`retry`](Error::retry) advice. No variant ever contains a secret:
/// keys, tokens and signatures are never part of an error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The caller's input was refused before anything was built or sent.
    ///
    /// What to do: fix the named field; retrying the same input fails the same way.
    #[error("invalid input `{field}`: {reason} (fix the input; nothing was sent)")]
    InvalidInput {
        /// The input field at fault, for example `message_id` or `headers.X-Custom`.
        field: String,
        /// Why it was refused.
        reason: String,
    },

    /// The message kind cannot be edited at all (Easemob command messages).
    ///
    /// What to do: nothing; the vendor does not allow this edit.
    #[error("{message_type} messages cannot be modified (nothing was sent)")]
    MessageNotEditable {
        /// The refused message type, for example `cmd`.
        message_type: String,
    },

    /// The serialized request body is larger than the vendor accepts.
    ///
    /// What to do: shorten the edit (message text, extension fields).
    #[error("request body is {size} bytes, above the limit of {limit} bytes (shorten the edit; nothing was sent)")]
    BodyTooLarge {
        /// The size of the serialized body, in bytes.
        size: usize,
        /// The vendor's limit, in bytes.
        limit: usize,
    },

    /// The vendor answered with a documented error.
    ///
    /// What to do: follow [`ApiError::retry`]; the kind says what happened.
    #[error("{0}")]
    Api(Box<ApiError>),

    /// The reply could not be understood: not JSON (a gateway's HTML page, an empty or truncated
    /// body), or JSON without the fields the vendor always sends.
    ///
    /// What to do: follow the retry advice (it depends on the status); keep the excerpt for a bug
    /// report.
    #[error("malformed {vendor} response (HTTP {status}): {reason}; body starts with {excerpt:?}")]
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
    /// The library never does I/O; hosts report such failures with this variant so that they get
    /// the same code and retry advice in every language.
    ///
    /// What to do: retry with backoff (a Volcengine request must be signed again).
    #[error("transport failure: {reason} (retry with backoff)")]
    Transport {
        /// What the HTTP client reported.
        reason: String,
    },
}

impl Error {
    pub(crate) fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::InvalidInput { field: field.into(), reason: reason.into() }
    }

    /// A transport failure, for hosts to report what their HTTP client raised.
    pub fn transport(reason: impl Into<String>) -> Self {
        Self::Transport { reason: reason.into() }
    }

    /// The stable, machine-readable code of this error (for example `invalid_input`,
    /// `token_invalid`, `rate_limited`, `malformed_response`).
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidInput { .. } => "invalid_input",
            Self::MessageNotEditable { .. } => "message_not_editable",
            Self::BodyTooLarge { .. } => "body_too_large",
            Self::Api(e) => e.kind.code(),
            Self::MalformedResponse { .. } => "malformed_response",
            Self::Transport { .. } => "transport",
        }
    }

    /// What the caller should do next.
    pub fn retry(&self) -> RetryAdvice {
        match self {
            Self::InvalidInput { .. } | Self::MessageNotEditable { .. } | Self::BodyTooLarge { .. } => {
                RetryAdvice::DoNotRetry
            }
            Self::Api(e) => e.retry,
            Self::MalformedResponse { retry, .. } => *retry,
            Self::Transport { .. } => RetryAdvice::Retry,
        }
    }

    /// Who is at fault.
    pub fn fault(&self) -> Fault {
        match self {
            Self::InvalidInput { .. } | Self::MessageNotEditable { .. } | Self::BodyTooLarge { .. } => Fault::Caller,
            Self::Api(_) => Fault::Vendor,
            Self::MalformedResponse { .. } => Fault::Response,
            Self::Transport { .. } => Fault::Network,
        }
    }

    /// The vendor's error details, when the vendor refused the call.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Self::Api(e) => Some(e),
            _ => None,
        }
    }

    /// The HTTP status of the reply, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api(e) => Some(e.status),
            Self::MalformedResponse { status, .. } => Some(*status),
            _ => None,
        }
    }
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Self::Api(Box::new(e))
    }
}

/// Who is at fault for an [`Error`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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

impl Fault {
    /// `caller`, `vendor`, `response` or `network`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Caller => "caller",
            Self::Vendor => "vendor",
            Self::Response => "response",
            Self::Network => "network",
        }
    }
}

/// What to do after an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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

impl RetryAdvice {
    /// The stable string form: `retry`, `refresh_token`, `reread_first`, `fix_clock` or
    /// `do_not_retry`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Retry => "retry",
            Self::RefreshToken => "refresh_token",
            Self::RereadFirst => "reread_first",
            Self::FixClock => "fix_clock",
            Self::DoNotRetry => "do_not_retry",
        }
    }
}

impl RetryAdvice {
    /// Every advice.
    pub const ALL: [Self; 5] = [Self::Retry, Self::RefreshToken, Self::RereadFirst, Self::FixClock, Self::DoNotRetry];

    /// The advice for its string form (see [`RetryAdvice::as_str`]).
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == text)
    }
}

impl fmt::Display for RetryAdvice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The vendor behind a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Vendor {
    /// Volcengine OpenAPI (RTC).
    Volcengine,
    /// Easemob IM / Agora Chat REST.
    Easemob,
}

impl Vendor {
    /// `volcengine` or `easemob`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Volcengine => "volcengine",
            Self::Easemob => "easemob",
        }
    }
}

impl fmt::Display for Vendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A documented refusal from a vendor, with every field the vendor sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// Which vendor answered.
    pub vendor: Vendor,
    /// What happened, classified.
    pub kind: ApiErrorKind,
    /// The HTTP status.
    pub status: u16,
    /// The vendor's own code: Volcengine `Error.Code`, Easemob `error`.
    pub vendor_code: Option<String>,
    /// Volcengine's numeric `Error.CodeN`, when sent.
    pub vendor_code_n: Option<u64>,
    /// Easemob's `exception` (a Java class name), when sent.
    pub exception: Option<String>,
    /// The vendor's human-readable text: Volcengine `Error.Message`, Easemob `error_description`.
    pub message: Option<String>,
    /// Volcengine's `ResponseMetadata.RequestId`, to quote to support.
    pub request_id: Option<String>,
    /// Easemob's `timestamp` (Unix milliseconds), when sent.
    pub timestamp: Option<i64>,
    /// Easemob's `duration` (milliseconds), when sent.
    pub duration: Option<i64>,
    /// What to do next.
    pub retry: RetryAdvice,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} refused the call (HTTP {}, {}", self.vendor, self.status, self.kind.code())?;
        if let Some(code) = &self.vendor_code {
            write!(f, ", {code}")?;
        }
        if let Some(exception) = &self.exception {
            write!(f, ", {exception}")?;
        }
        f.write_str(")")?;
        if let Some(message) = &self.message {
            write!(f, ": {message}")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " [request id {id}]")?;
        }
        write!(f, "; advice: {}", self.retry)
    }
}

/// What a vendor error means, across both vendors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ApiErrorKind {
    /// The credentials or the signature were refused (Volcengine `SignatureDoesNotMatch`,
    /// `InvalidAccessKey`, `MissingSignature`…; Easemob `invalid_grant`). Check the keys.
    InvalidCredentials,
    /// The Easemob app token is expired, corrupt or unknown (`unauthorized`,
    /// `auth_bad_access_token`): fetch a new token once, then retry once.
    TokenInvalid,
    /// Volcengine `InvalidTimestamp`: the signing time is too far from the server's clock.
    InvalidTimestamp,
    /// Not allowed: Volcengine `AccessDenied`, `LackPolicy`; Easemob 401 "You are not authorized
    /// to edit this message" (a permission error, not a token error).
    PermissionDenied,
    /// Easemob 403: the message rewrite feature is not enabled for the app.
    FeatureNotEnabled,
    /// Too many requests per second (Volcengine `FlowLimitExceeded`, Easemob 429 `reach_limit`).
    RateLimited,
    /// Easemob 429 `resource_limited`: the plan's quota is used up (not a rate limit).
    QuotaExceeded,
    /// The request was refused as malformed (Volcengine `InvalidParameter…`, `MissingParameter`;
    /// Easemob `invalid_request_body`, `json_parse`).
    InvalidRequest,
    /// Easemob `illegal_argument` (for example "new_msg is required", "client_id must be provided").
    IllegalArgument,
    /// Easemob 400: the message type cannot be modified, or does not match the stored message.
    UnsupportedMessageType,
    /// Easemob 400 `InvalidMessageIdException`: the message id is not a number.
    InvalidMessageId,
    /// Easemob 404: the message does not exist or has expired.
    MessageUnavailable,
    /// Easemob 403: the message has been edited 10 times already.
    EditLimitReached,
    /// Easemob 409: someone else is editing the message. Read it again before retrying.
    ConcurrentEdit,
    /// Easemob 500 `RewriteMessageInternalErrorException`: unknown whether the edit was applied.
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

impl ApiErrorKind {
    /// Every kind.
    pub const ALL: [Self; 20] = [
        Self::InvalidCredentials,
        Self::TokenInvalid,
        Self::InvalidTimestamp,
        Self::PermissionDenied,
        Self::FeatureNotEnabled,
        Self::RateLimited,
        Self::QuotaExceeded,
        Self::InvalidRequest,
        Self::IllegalArgument,
        Self::UnsupportedMessageType,
        Self::InvalidMessageId,
        Self::MessageUnavailable,
        Self::EditLimitReached,
        Self::ConcurrentEdit,
        Self::RewriteInternalError,
        Self::AppNotFound,
        Self::EntityTooLarge,
        Self::UnsupportedMediaType,
        Self::ServiceUnavailable,
        Self::Other,
    ];

    /// The kind for its stable code (see [`ApiErrorKind::code`]).
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The stable string code of this kind.
    pub fn code(self) -> &'static str {
        match self {
            Self::InvalidCredentials => "invalid_credentials",
            Self::TokenInvalid => "token_invalid",
            Self::InvalidTimestamp => "invalid_timestamp",
            Self::PermissionDenied => "permission_denied",
            Self::FeatureNotEnabled => "feature_not_enabled",
            Self::RateLimited => "rate_limited",
            Self::QuotaExceeded => "quota_exceeded",
            Self::InvalidRequest => "invalid_request",
            Self::IllegalArgument => "illegal_argument",
            Self::UnsupportedMessageType => "unsupported_message_type",
            Self::InvalidMessageId => "invalid_message_id",
            Self::MessageUnavailable => "message_unavailable",
            Self::EditLimitReached => "edit_limit_reached",
            Self::ConcurrentEdit => "concurrent_edit",
            Self::RewriteInternalError => "rewrite_internal_error",
            Self::AppNotFound => "app_not_found",
            Self::EntityTooLarge => "entity_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::ServiceUnavailable => "service_unavailable",
            Self::Other => "api_error",
        }
    }
}

/// Every stable error code this library can produce, for bindings and documentation.
pub const ERROR_CODES: &[&str] = &[
    "invalid_input",
    "message_not_editable",
    "body_too_large",
    "malformed_response",
    "transport",
    "invalid_credentials",
    "token_invalid",
    "invalid_timestamp",
    "permission_denied",
    "feature_not_enabled",
    "rate_limited",
    "quota_exceeded",
    "invalid_request",
    "illegal_argument",
    "unsupported_message_type",
    "invalid_message_id",
    "message_unavailable",
    "edit_limit_reached",
    "concurrent_edit",
    "rewrite_internal_error",
    "app_not_found",
    "entity_too_large",
    "unsupported_media_type",
    "service_unavailable",
    "api_error",
];

/// A short, printable excerpt of a body for error messages: at most 120 characters, control
/// characters replaced by spaces, whitespace runs collapsed.
pub(crate) fn excerpt(body: &[u8]) -> String {
    const MAX_CHARS: usize = 120;
    let text = String::from_utf8_lossy(body);
    let mut out = String::with_capacity(MAX_CHARS.min(text.len()));
    let mut last_space = false;
    for c in text.chars() {
        let c = if c.is_control() || c.is_whitespace() { ' ' } else { c };
        if c == ' ' && last_space {
            continue;
        }
        last_space = c == ' ';
        if out.chars().count() >= MAX_CHARS {
            out.push('…');
            break;
        }
        out.push(c);
    }
    out.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_is_short_and_printable() {
        let html = format!("<html>\r\n<head>\t<title>502 Bad Gateway</title>{}</html>", "x".repeat(500));
        let e = excerpt(html.as_bytes());
        assert!(e.starts_with("<html> <head> <title>502 Bad Gateway</title>"), "{e}");
        assert!(e.chars().count() <= 121);
        assert!(!e.chars().any(char::is_control));
    }

    #[test]
    fn kinds_and_advice_round_trip() {
        for kind in ApiErrorKind::ALL {
            assert_eq!(ApiErrorKind::from_code(kind.code()), Some(kind));
            assert!(ERROR_CODES.contains(&kind.code()));
        }
        for advice in RetryAdvice::ALL {
            assert_eq!(RetryAdvice::parse(advice.as_str()), Some(advice));
        }
        assert_eq!(ApiErrorKind::from_code("invalid_input"), None);
    }

    #[test]
    fn codes_are_listed() {
        let err = Error::invalid("x", "y");
        assert!(ERROR_CODES.contains(&err.code()));
        assert_eq!(err.fault(), Fault::Caller);
        assert_eq!(err.retry(), RetryAdvice::DoNotRetry);
        assert_eq!(Error::transport("reset").retry(), RetryAdvice::Retry);
    }
}
