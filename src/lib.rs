//! # imedit
//!
//! Edit chat messages that were already sent, from any backend: **Volcengine RTC
//! `ModifyMessage`** (with the Volcengine OpenAPI HMAC-SHA256 signature, for any action) and
//! **Easemob IM / Agora Chat message rewrite** (with the app-token lifecycle).
//!
//! ## Sans-IO: what the library does, and what the host does
//!
//! imedit never opens a socket, never reads a clock and never draws randomness:
//!
//! ```text
//!   host                                   imedit
//!   ────                                   ──────
//!   params + credentials + now  ───────▶   build_*  ──▶  HttpRequest (method, URL, headers, body)
//!   send it with any HTTP client  ◀──────────────────────┘
//!   status + headers + body     ───────▶   parse_*  ──▶  typed result, or Error with retry advice
//! ```
//!
//! **The library** validates every input (refusing bad input with a typed [`Error`] before
//! anything is built), builds the exact request bytes, signs them, and parses every reply the
//! vendors document, including the ones that are not JSON (a gateway's HTML page).
//!
//! **The host** must:
//! - pass the current time (Unix seconds) where a function asks for `now` or `time`: a signature
//!   more than 15 minutes away from the server's clock is refused;
//! - send the request exactly as built: the method, the URL as it is (already percent-encoded:
//!   do not re-encode or re-order its query), every header with its value unchanged, the body
//!   bytes unchanged. The `Host` header is not listed; HTTP clients derive it from the URL;
//! - hand the reply's status, headers and raw body to the matching `parse_*` function, whatever
//!   the status.
//!
//! **The host must not change** a signed request: any change to the method, path, query, a
//! signed header or the body makes the Volcengine signature invalid (`SignatureDoesNotMatch`).
//! To retry a Volcengine call, build and sign it again with a fresh time. Headers the host's
//! client adds on its own (`User-Agent`, `Content-Length`, `Accept-Encoding`) are not signed and
//! do no harm.
//!
//! ## Secrets
//!
//! Secret keys, session tokens, app tokens and client secrets are [`Secret`]s: printed as
//! `[REDACTED]` by `Debug` and `Display`, zeroized on drop, and never part of an error message.
//! Request headers that carry them are marked [`Header::sensitive`].
//!
//! ## Example
//!
//! ```
//! use imedit::volcengine::{text_content, Credentials, Endpoint, ModifyMessage, Signer};
//!
//! let signer = Signer::new(Credentials::new("AKLTexample", "c2VjcmV0")?);
//! let edit = ModifyMessage::new(123456, 7123456789012345678, 7234567890123456789)
//!     .ext("reviewed", "yes")
//!     .content(text_content("edited text"));
//! let signed = signer.modify_message(&Endpoint::default(), &edit, 1_717_245_296)?;
//! assert_eq!(signed.request.method, "POST");
//! assert!(signed.request.header("Authorization").is_some_and(|a| a.starts_with("HMAC-SHA256 Credential=AKLTexample/20240601/cn-north-1/rtc/request")));
//! // Send `signed.request` with any HTTP client, then:
//! // let meta = imedit::volcengine::parse_modify_message_response(&response)?;
//! # Ok::<(), imedit::Error>(())
//! ```
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]
#![warn(missing_docs, missing_debug_implementations, unreachable_pub)]

mod error;
mod ext;
mod hex;
mod http;
mod json;
mod secret;
mod validate;

pub mod easemob;
pub mod limit;
pub mod retry;
pub mod volcengine;

#[cfg(feature = "uniffi")]
mod ffi;
#[cfg(feature = "wasm")]
mod wasm;

#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!();

pub use error::{ApiError, ApiErrorKind, Error, Fault, RetryAdvice, Vendor, ERROR_CODES};
pub use ext::{merge_ext, ExtMode};
pub use http::{Header, HttpRequest, HttpResponse};
pub use secret::Secret;
