//! Volcengine OpenAPI: the HMAC-SHA256 request signature (any action, service and region) and
//! RTC `ModifyMessage`.
//!
//! The signature follows Volcengine's documented algorithm and is checked against the official
//! Node and Python SDKs' outputs (`tests/vectors/volcengine/sign/`). Every stage is public: when a
//! call fails with `SignatureDoesNotMatch`, print [`SignedRequest::stages`].

mod authorization;
mod canonical;
mod modify_message;
mod response;
mod sign;
mod time;

pub use authorization::Authorization;
pub use canonical::canonical_query;
pub use modify_message::{
    build_modify_message_request, parse_id, rtc_host, text_content, Endpoint, ModifyMessage, ACTION, DEFAULT_REGION,
    SERVICE, VERSION,
};
pub use response::{classify, parse_modify_message_response, parse_response, OpenApiResponse, ResponseMetadata};
pub use sign::{
    sign, signature, signing_key, string_to_sign, Credentials, Scheme, SignableRequest, SignedRequest, Signer,
    SigningKey, SigningParams, SigningStages, ALGORITHM,
};
pub use time::{parse_x_date, x_date};
