//! Parsing Volcengine OpenAPI replies: the `ResponseMetadata` envelope and its `Error`.

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::error::{excerpt, ApiError, ApiErrorKind, Error, RetryAdvice, Vendor};
use crate::http::HttpResponse;

/// `ResponseMetadata` of a successful call (fields the server left out are empty).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
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

/// A successful OpenAPI reply.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpenApiResponse {
    /// The envelope.
    pub metadata: ResponseMetadata,
    /// `Result`, exactly as its JSON text appears in the reply (key order, spacing and big
    /// integers untouched), when the reply has one.
    pub result: Option<String>,
}

/// Parses any Volcengine OpenAPI reply.
///
/// The call failed whenever `ResponseMetadata.Error` is present, whatever the HTTP status
/// (HTTP 200 can carry an error).
///
/// # Errors
/// [`Error::Api`] with the status, `Code`, `CodeN`, `Message`, `RequestId` and retry advice;
/// [`Error::MalformedResponse`] when the body is not JSON or has no `ResponseMetadata`, or when a
/// non-2xx status comes without an `Error`.
pub fn parse_response(response: &HttpResponse) -> Result<OpenApiResponse, Error> {
    let status = response.status;
    let malformed = |reason: &str| Error::MalformedResponse {
        vendor: Vendor::Volcengine,
        status,
        reason: reason.to_owned(),
        excerpt: excerpt(&response.body),
        retry: status_retry(status),
    };
    let Ok(Value::Object(mut root)) = serde_json::from_slice::<Value>(&response.body) else {
        return Err(malformed(if response.body.is_empty() { "empty body" } else { "the body is not a JSON object" }));
    };
    let Some(Value::Object(meta)) = root.get_mut("ResponseMetadata").map(Value::take) else {
        return Err(malformed("no ResponseMetadata object"));
    };
    let text = |key: &str| meta.get(key).and_then(Value::as_str).unwrap_or_default().to_owned();
    let metadata = ResponseMetadata {
        request_id: text("RequestId"),
        action: text("Action"),
        version: text("Version"),
        service: text("Service"),
        region: text("Region"),
    };
    match meta.get("Error") {
        None | Some(Value::Null) => {}
        Some(Value::Object(err)) => return Err(api_error(status, err, metadata.request_id).into()),
        Some(_) => return Err(malformed("ResponseMetadata.Error is not an object")),
    }
    if !(200..300).contains(&status) {
        return Err(malformed("a non-2xx status without ResponseMetadata.Error"));
    }
    let result = root.get("Result").filter(|v| !v.is_null()).and_then(|_| raw_result(&response.body));
    Ok(OpenApiResponse { metadata, result })
}

/// Parses a `ModifyMessage` reply (it has no result fields of its own).
///
/// # Errors
/// As [`parse_response`].
pub fn parse_modify_message_response(response: &HttpResponse) -> Result<ResponseMetadata, Error> {
    parse_response(response).map(|r| r.metadata)
}

/// The text of `Result`, sliced from the body rather than re-serialized.
fn raw_result(body: &[u8]) -> Option<String> {
    #[derive(Deserialize)]
    struct Envelope<'a> {
        #[serde(rename = "Result", borrow)]
        result: Option<&'a RawValue>,
    }
    let text = core::str::from_utf8(body).ok()?;
    serde_json::from_str::<Envelope<'_>>(text).ok()?.result.map(|r| r.get().to_owned())
}

fn api_error(status: u16, err: &Map<String, Value>, request_id: String) -> ApiError {
    let code = err.get("Code").and_then(Value::as_str).map(str::to_owned);
    let (kind, retry) = classify(code.as_deref().unwrap_or_default());
    ApiError {
        vendor: Vendor::Volcengine,
        kind,
        status,
        vendor_code: code,
        vendor_code_n: err.get("CodeN").and_then(Value::as_u64),
        exception: None,
        message: err.get("Message").and_then(Value::as_str).map(str::to_owned),
        request_id: Some(request_id).filter(|id| !id.is_empty()),
        timestamp: None,
        duration: None,
        retry,
    }
}

/// The kind and retry advice of a Volcengine `Error.Code`.
///
/// ```
/// use imedit::{ApiErrorKind, RetryAdvice};
/// use imedit::volcengine::classify;
/// assert_eq!(classify("FlowLimitExceeded.QPSOverLimit"), (ApiErrorKind::RateLimited, RetryAdvice::Retry));
/// assert_eq!(classify("InvalidTimestamp"), (ApiErrorKind::InvalidTimestamp, RetryAdvice::FixClock));
/// assert_eq!(classify("SignatureDoesNotMatch"), (ApiErrorKind::InvalidCredentials, RetryAdvice::DoNotRetry));
/// ```
pub fn classify(code: &str) -> (ApiErrorKind, RetryAdvice) {
    let family = code.split('.').next().unwrap_or_default();
    match family {
        "FlowLimitExceeded" => (ApiErrorKind::RateLimited, RetryAdvice::Retry),
        "InternalError"
        | "InternalServiceError"
        | "InternalServiceTimeout"
        | "FailToConnect"
        | "ServiceUnavailableTemp"
        | "UndefinedError" => (ApiErrorKind::ServiceUnavailable, RetryAdvice::Retry),
        "InvalidTimestamp" => (ApiErrorKind::InvalidTimestamp, RetryAdvice::FixClock),
        "SignatureDoesNotMatch"
        | "InvalidAccessKey"
        | "InvalidClientTokenId"
        | "MissingSignature"
        | "MissingAuthenticationToken"
        | "InvalidSecretToken"
        | "InvalidAuthorization"
        | "InvalidCredential" => (ApiErrorKind::InvalidCredentials, RetryAdvice::DoNotRetry),
        "AccessDenied" | "LackPolicy" => (ApiErrorKind::PermissionDenied, RetryAdvice::DoNotRetry),
        "InvalidParameter" | "MissingParameter" | "MissingRequestInfo" => {
            (ApiErrorKind::InvalidRequest, RetryAdvice::DoNotRetry)
        }
        _ => (ApiErrorKind::Other, RetryAdvice::DoNotRetry),
    }
}

/// Retry advice for a reply without a usable error body: 429 and 5xx are worth retrying.
fn status_retry(status: u16) -> RetryAdvice {
    if status == 429 || status >= 500 {
        RetryAdvice::Retry
    } else {
        RetryAdvice::DoNotRetry
    }
}
