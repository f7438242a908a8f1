//! Easemob replies: the five-field error body, and what each documented error means.

use serde_json::{Map, Value};

use crate::error::{excerpt, ApiError, ApiErrorKind, Error, RetryAdvice, Vendor};
use crate::http::HttpResponse;
use crate::secret::Secret;

/// The Easemob call a reply answers (the same status means different things on different calls).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Call {
    Token,
    AgoraExchange,
    Rewrite,
}

/// Parses the body as a JSON object; anything else is a malformed reply.
pub(crate) fn json_object(response: &HttpResponse, call: Call) -> Result<Map<String, Value>, Error> {
    match serde_json::from_slice::<Value>(&response.body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(malformed(
            response,
            call,
            if response.body.is_empty() { "empty body" } else { "the body is not a JSON object" },
        )),
    }
}

pub(crate) fn malformed(response: &HttpResponse, call: Call, reason: &str) -> Error {
    let retry = match response.status {
        408 | 429 | 502 | 503 | 504 => RetryAdvice::Retry,
        // The edit may have been applied.
        500 | 200..=299 if call == Call::Rewrite => RetryAdvice::RereadFirst,
        500 => RetryAdvice::Retry,
        _ => RetryAdvice::DoNotRetry,
    };
    // A token reply that failed to parse may still hold the token: never quote it.
    let holds_token = matches!(call, Call::Token | Call::AgoraExchange)
        && response.body.windows(b"access_token".len()).any(|w| w == b"access_token");
    Error::MalformedResponse {
        vendor: Vendor::Easemob,
        status: response.status,
        reason: reason.to_owned(),
        excerpt: if holds_token { Secret::REDACTED.to_owned() } else { excerpt(&response.body) },
        retry,
    }
}

/// The error for a non-2xx reply whose body is a JSON object.
pub(crate) fn api_error(status: u16, body: &Map<String, Value>, call: Call) -> Error {
    let text = |key: &str| body.get(key).and_then(Value::as_str).map(str::to_owned);
    let error = text("error");
    let exception = text("exception");
    let description = text("error_description");
    let (kind, retry) = classify(status, error.as_deref(), exception.as_deref(), description.as_deref(), call);
    ApiError {
        vendor: Vendor::Easemob,
        kind,
        status,
        vendor_code: error,
        vendor_code_n: None,
        exception,
        message: description,
        request_id: None,
        timestamp: body.get("timestamp").and_then(Value::as_i64),
        duration: body.get("duration").and_then(Value::as_i64),
        retry,
    }
    .into()
}

/// Maps a documented Easemob error (status, `error`, `exception`, `error_description`) to its
/// kind and retry advice.
fn classify(
    status: u16,
    error: Option<&str>,
    exception: Option<&str>,
    description: Option<&str>,
    call: Call,
) -> (ApiErrorKind, RetryAdvice) {
    use ApiErrorKind as K;
    use RetryAdvice as R;
    let error = error.unwrap_or_default();
    // The documented table mixes `error` codes and exception class names; match either field,
    // short or fully qualified.
    let named = |name: &str| error == name || exception.is_some_and(|e| e == name || e.ends_with(&format!(".{name}")));
    let says = |words: &str| description.is_some_and(|d| d.to_ascii_lowercase().contains(words));
    match status {
        401 if error == "unauthorized" || error == "auth_bad_access_token" => match call {
            Call::Rewrite => (K::TokenInvalid, R::RefreshToken),
            // The Agora token the host made was refused: a new app token cannot help.
            Call::Token | Call::AgoraExchange => (K::InvalidCredentials, R::DoNotRetry),
        },
        401 if error == "message_rewrite_error" => (K::PermissionDenied, R::DoNotRetry),
        400 if named("InvalidMessageIdException") => (K::InvalidMessageId, R::DoNotRetry),
        400 if error == "invalid_request_body" || error == "json_parse" => (K::InvalidRequest, R::DoNotRetry),
        400 if error == "illegal_argument" => (K::IllegalArgument, R::DoNotRetry),
        400 if error == "invalid_grant" => (K::InvalidCredentials, R::DoNotRetry),
        400 if error == "message_rewrite_error" => (K::UnsupportedMessageType, R::DoNotRetry),
        403 if error == "message_rewrite_error" && says("edit limit") => (K::EditLimitReached, R::DoNotRetry),
        403 if error == "message_rewrite_error" && says("not open") => (K::FeatureNotEnabled, R::DoNotRetry),
        403 => (K::PermissionDenied, R::DoNotRetry),
        404 if error == "organization_application_not_found" => (K::AppNotFound, R::DoNotRetry),
        404 if error == "message_rewrite_error" || named("MessageUnavailableException") => {
            (K::MessageUnavailable, R::DoNotRetry)
        }
        409 => (K::ConcurrentEdit, R::RereadFirst),
        413 => (K::EntityTooLarge, R::DoNotRetry),
        415 => (K::UnsupportedMediaType, R::DoNotRetry),
        429 if error == "resource_limited" => (K::QuotaExceeded, R::DoNotRetry),
        429 => (K::RateLimited, R::Retry),
        500 if named("RewriteMessageInternalErrorException") => (K::RewriteInternalError, R::RereadFirst),
        408 | 502 | 503 | 504 => (K::ServiceUnavailable, R::Retry),
        _ => (K::Other, R::DoNotRetry),
    }
}
