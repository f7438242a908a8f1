//! wasm-bindgen exports for the npm package `imedit`: type conversions only.
//!
//! Every export converts its JavaScript arguments into the core's types, calls the core, and
//! converts the result back. Structured values are plain objects (serde-wasm-bindgen) whose
//! TypeScript types are generated from the DTO structs below (tsify). Errors are thrown as
//! `ImeditError` objects (a JavaScript `Error` subclass defined in the snippet below) carrying the
//! core error's code, retry advice, fault and vendor fields; they convert back into the core error
//! when handed to `RetryPlanner.onError` or `TokenCache.onCallFailed`.

// wasm-bindgen exports must be `pub`; they are reached from JavaScript, not from Rust, and the
// DTOs carry secrets as JavaScript values, so they get no `Debug`.
#![allow(unreachable_pub, missing_debug_implementations)]

use std::borrow::Cow;
use std::thread::LocalKey;

use js_sys::{Array, Object, Reflect};
use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use tsify::{Ts, Tsify};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use zeroize::Zeroizing;

use crate::easemob::{self, ClientCredentials, MessageKind, RewriteMessage, Settings, TimeUnit, TokenPolicy};
use crate::error::{ApiError, ApiErrorKind, Error, RetryAdvice, Vendor};
use crate::limit::{LimiterState, RateLimiter as CoreRateLimiter};
use crate::retry::{
    RetryDecision as CoreRetryDecision, RetryPlanner as CoreRetryPlanner, RetryPolicy as CoreRetryPolicy,
};
use crate::volcengine::{
    self, Credentials, Endpoint, ModifyMessage, Scheme, SignableRequest as CoreSignableRequest,
    SigningParams as CoreSigningParams,
};
use crate::{ExtMode, HttpRequest, HttpResponse, Secret};

// ---- the JavaScript side: the error class and the redacting request and stages objects ---------

#[wasm_bindgen(inline_js = r#"
const R = "[REDACTED]";
const INSPECT = Symbol.for("nodejs.util.inspect.custom");
const DENO_INSPECT = Symbol.for("Deno.customInspect");

/** An error from imedit: `code`, `retry` and `fault` say what happened and what to do. */
export class ImeditError extends Error {
  constructor(message, details) {
    super(message);
    this.name = "ImeditError";
    Object.assign(this, typeof details === "string" ? JSON.parse(details) : details);
  }
  toJSON() {
    return { ...this, message: this.message };
  }
}
Object.defineProperty(ImeditError.prototype, "name", { value: "ImeditError", writable: true, configurable: true });

/** Whether `value` is an error thrown by imedit (also across copies of the package). */
export function isImeditError(value) {
  return value instanceof ImeditError ||
    (value instanceof Error && value.name === "ImeditError" && typeof value.code === "string");
}

const tagged = (_, v) => (typeof v === "bigint" ? { $bigint: v.toString() } : v);

export function json(value) {
  if (value === undefined) return undefined;
  try {
    return JSON.stringify(value); // a Uint8Array becomes {"0": byte, "1": byte, ...}
  } catch {
    return JSON.stringify(value, tagged); // bigints
  }
}

function show(kind, value) {
  return `${kind} ${JSON.stringify(value, null, 2)}`;
}

export class HttpRequest {
  #secretHeaders;
  #secretBody;
  constructor(method, url, headers, body, secretHeaders, secretBody) {
    this.method = method;
    this.url = url;
    this.headers = headers;
    this.body = body;
    this.#secretHeaders = secretHeaders;
    this.#secretBody = secretBody;
  }
  toJSON() {
    const headers = {};
    for (const [name, value] of Object.entries(this.headers)) {
      headers[name] = this.#secretHeaders.includes(name) ? R : value;
    }
    return { method: this.method, url: this.url, headers, body: this.#secretBody ? R : this.body };
  }
  toString() {
    return show("HttpRequest", this);
  }
  [INSPECT]() {
    return this.toString();
  }
  [DENO_INSPECT]() {
    return this.toString();
  }
}

export class SigningStages {
  #shownCanonicalRequest;
  constructor(take) {
    this.canonicalRequest = take();
    this.stringToSign = take();
    this.signedHeaders = take();
    this.credentialScope = take();
    this.xDate = take();
    this.payloadHash = take();
    this.signature = take();
    const shown = take();
    this.#shownCanonicalRequest = shown === "" ? undefined : shown;
  }
  toJSON() {
    return { ...this, canonicalRequest: this.#shownCanonicalRequest ?? this.canonicalRequest };
  }
  toString() {
    return show("SigningStages", this);
  }
  [INSPECT]() {
    return this.toString();
  }
  [DENO_INSPECT]() {
    return this.toString();
  }
}

// Requests cross from wasm as one string and a list of lengths (UTF-16 units), read in order:
// method, url, then per header its name, its value and 1 when it is secret, then the body (and
// whether it is secret); for a signed request, the seven stages and the redacted canonical
// request (length 0: none). One string crossing instead of dozens.
function unpackRequest(text, lens, at) {
  const take = () => text.slice(at.pos, (at.pos += lens[at.i++]));
  const method = take();
  const url = take();
  const headers = {};
  const secret = [];
  const count = lens[at.i++];
  for (let h = 0; h < count; h++) {
    const name = take();
    headers[name] = take();
    if (lens[at.i++] === 1) secret.push(name);
  }
  const body = take();
  return new HttpRequest(method, url, headers, body, secret, lens[at.i++] === 1);
}

export function request(text, lens) {
  return unpackRequest(text, lens, { i: 0, pos: 0 });
}

export function signedRequest(text, lens) {
  const at = { i: 0, pos: 0 };
  const req = unpackRequest(text, lens, at);
  return { request: req, stages: new SigningStages(() => text.slice(at.pos, (at.pos += lens[at.i++]))) };
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = ImeditError)]
    type JsImeditError;
    #[wasm_bindgen(constructor, js_class = "ImeditError")]
    fn new(message: &str, details_json: &str) -> JsImeditError;

    /// JSON text of a JavaScript value, with `bigint`s as `{"$bigint": "<digits>"}`; `undefined`
    /// for `undefined`.
    #[wasm_bindgen(catch)]
    fn json(value: &JsValue) -> Result<Option<String>, JsValue>;

    /// An `HttpRequest` from its packed form (see the snippet).
    #[wasm_bindgen(js_name = request)]
    fn unpack_request(text: &str, lens: &[u32]) -> JsValue;

    /// A `{ request, stages }` from its packed form (see the snippet).
    #[wasm_bindgen(js_name = signedRequest)]
    fn unpack_signed_request(text: &str, lens: &[u32]) -> JsValue;
}

#[wasm_bindgen(typescript_custom_section)]
const TS_CLASSES: &str = r#"
/** 64-bit id: a `bigint`, a decimal string, or a `number` that is a safe integer. */
export type Id = bigint | string | number;

/** Ordered string pairs: an object (JavaScript puts integer-like keys first) or `[name, value]` pairs. */
export type Pairs = Record<string, string> | [string, string][];

/**
 * A request ready to send: pass it to `fetch(url, { method, headers, body })` as it is (the URL is
 * already encoded; the signature breaks if anything changes). `JSON.stringify`, `String()` and
 * `util.inspect` print secret headers and a secret body as `[REDACTED]`.
 */
export interface HttpRequest {
  /** The method, upper-case. */
  method: string;
  /** The full URL, already percent-encoded. */
  url: string;
  /** The headers, in the order they were signed. */
  headers: Record<string, string>;
  /** The body text ("" for none). */
  body: string;
  /** The request with secrets replaced by `[REDACTED]`. */
  toJSON(): { method: string; url: string; headers: Record<string, string>; body: string };
}

/** What the parsers take: the reply's status, headers and raw body. */
export interface HttpResponse {
  /** The HTTP status. */
  status: number;
  /** The reply headers (any case). */
  headers?: Pairs;
  /** The raw body. */
  body: string | Uint8Array;
}

/**
 * Every stage of one Volcengine signature, for debugging `SignatureDoesNotMatch`. The signing
 * key is not included. `JSON.stringify` prints the canonical request with the session token
 * redacted.
 */
export interface SigningStages {
  /** The canonical request whose SHA-256 is signed (with STS credentials it holds the session token). */
  canonicalRequest: string;
  /** The string to sign. */
  stringToSign: string;
  /** The signed header names, lower-case, `;`-separated. */
  signedHeaders: string;
  /** `YYYYMMDD/region/service/request`. */
  credentialScope: string;
  /** The `X-Date` value. */
  xDate: string;
  /** The hex SHA-256 of the body. */
  payloadHash: string;
  /** The signature, lower-case hex. */
  signature: string;
}

/** A signed Volcengine request and the stages of its signature. */
export interface SignedRequest {
  /** The request to send. */
  request: HttpRequest;
  /** The stages of its signature. */
  stages: SigningStages;
}

/** What to do before an Easemob call, from `TokenCache.poll`. */
export type TokenAction =
  | { action: "use"; token: AppToken }
  | { action: "refresh"; token: AppToken; request: HttpRequest }
  | { action: "fetch"; request: HttpRequest }
  | { action: "wait" };

/** An app token as `JSON.stringify` prints it: the value redacted. */
export interface AppTokenJson {
  value: string;
  issuedAt: number;
  expiresAt: number | null;
  refreshAt: number | null;
  application: string | null;
}

/** Stable error codes. */
export type ErrorCode =
  | "invalid_input" | "message_not_editable" | "body_too_large" | "malformed_response" | "transport"
  | "invalid_credentials" | "token_invalid" | "invalid_timestamp" | "permission_denied"
  | "feature_not_enabled" | "rate_limited" | "quota_exceeded" | "invalid_request" | "illegal_argument"
  | "unsupported_message_type" | "invalid_message_id" | "message_unavailable" | "edit_limit_reached"
  | "concurrent_edit" | "rewrite_internal_error" | "app_not_found" | "entity_too_large"
  | "unsupported_media_type" | "service_unavailable" | "api_error";

/** What to do after an error. */
export type RetryAdvice = "retry" | "refresh_token" | "reread_first" | "fix_clock" | "do_not_retry";

/** Who is at fault. */
export type Fault = "caller" | "vendor" | "response" | "network";
"#;

// TypeScript names for values built by hand (declared in the custom sections above).
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(typescript_type = "SignedRequest")]
    pub type SignedRequestJs;
    #[wasm_bindgen(typescript_type = "HttpRequest")]
    pub type HttpRequestJs;
    #[wasm_bindgen(typescript_type = "HttpResponse")]
    pub type HttpResponseJs;
    #[wasm_bindgen(typescript_type = "TokenAction")]
    pub type TokenActionJs;
    #[wasm_bindgen(typescript_type = "ImeditError")]
    pub type ImeditErrorJs;
    #[wasm_bindgen(typescript_type = "Pairs")]
    pub type PairsJs;
    #[wasm_bindgen(typescript_type = "Record<string, string>")]
    pub type RecordJs;
    #[wasm_bindgen(typescript_type = "ErrorCode[]")]
    pub type ErrorCodesJs;
    #[wasm_bindgen(typescript_type = "string")]
    pub type StringJs;
    #[wasm_bindgen(typescript_type = "\"merge\" | \"replace\"")]
    pub type ExtModeJs;
}

// ---- errors --------------------------------------------------------------------------------------

/// The fields of a thrown `ImeditError` (besides `name` and `message`), as JSON.
#[derive(Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct ErrorDetails {
    code: String,
    retry: String,
    fault: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    vendor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    vendor_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    vendor_code_n: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    exception: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    vendor_message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    request_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    timestamp: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    duration: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    excerpt: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    size: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    limit: Option<u64>,
}

#[wasm_bindgen(typescript_custom_section)]
const TS_ERROR: &str = r#"
/**
 * Every error imedit throws: a real `Error` with a stable `code`, the `retry` advice and the
 * `fault`, plus the vendor's fields when the vendor refused the call. It never holds a secret.
 */
export declare class ImeditError extends Error {
  private constructor();
  readonly name: "ImeditError";
  /** The stable code, e.g. `invalid_input`, `token_invalid`, `rate_limited`. */
  readonly code: ErrorCode;
  /** What to do next. */
  readonly retry: RetryAdvice;
  /** Who is at fault. */
  readonly fault: Fault;
  /** `volcengine` or `easemob`, for vendor and reply errors. */
  readonly vendor?: "volcengine" | "easemob";
  /** The HTTP status of the reply. */
  readonly status?: number;
  /** Volcengine `Error.Code`, Easemob `error`. */
  readonly vendorCode?: string;
  /** Volcengine `Error.CodeN`. */
  readonly vendorCodeN?: number;
  /** Easemob `exception`. */
  readonly exception?: string;
  /** The vendor's own message: Volcengine `Error.Message`, Easemob `error_description`. */
  readonly vendorMessage?: string;
  /** Volcengine `RequestId`. */
  readonly requestId?: string;
  /** Easemob `timestamp` (Unix ms). */
  readonly timestamp?: number;
  /** Easemob `duration` (ms). */
  readonly duration?: number;
  /** The input field at fault (`invalid_input`), named as in the core: `message_id`, `app_id`. */
  readonly field?: string;
  /** Why the input or the reply was refused (`invalid_input`, `malformed_response`, `transport`). */
  readonly reason?: string;
  /** The first characters of a malformed reply. */
  readonly excerpt?: string;
  /** The refused message type (`message_not_editable`). */
  readonly messageType?: string;
  /** The body size (`body_too_large`). */
  readonly size?: number;
  /** The body limit (`body_too_large`). */
  readonly limit?: number;
  /** The plain fields, with `name` and `message`. */
  toJSON(): Record<string, string | number>;
}

/** Whether `value` is an `ImeditError` (also one thrown by another copy of the package). */
export declare function isImeditError(value: unknown): value is ImeditError;
"#;

fn details(e: &Error) -> ErrorDetails {
    let mut d = ErrorDetails {
        code: e.code().to_owned(),
        retry: e.retry().as_str().to_owned(),
        fault: e.fault().as_str().to_owned(),
        status: e.status(),
        ..ErrorDetails::default()
    };
    match e {
        Error::InvalidInput { field, reason } => {
            d.field = Some(field.clone());
            d.reason = Some(reason.clone());
        }
        Error::MessageNotEditable { message_type } => d.message_type = Some(message_type.clone()),
        Error::BodyTooLarge { size, limit } => {
            d.size = u64::try_from(*size).ok();
            d.limit = u64::try_from(*limit).ok();
        }
        Error::Api(api) => {
            d.vendor = Some(api.vendor.as_str().to_owned());
            d.vendor_code.clone_from(&api.vendor_code);
            d.vendor_code_n = api.vendor_code_n;
            d.exception.clone_from(&api.exception);
            d.vendor_message.clone_from(&api.message);
            d.request_id.clone_from(&api.request_id);
            d.timestamp = api.timestamp;
            d.duration = api.duration;
        }
        Error::MalformedResponse { vendor, reason, excerpt, .. } => {
            d.vendor = Some(vendor.as_str().to_owned());
            d.reason = Some(reason.clone());
            d.excerpt = Some(excerpt.clone());
        }
        Error::Transport { reason } => d.reason = Some(reason.clone()),
    }
    d
}

/// The core error from the fields of a thrown `ImeditError`.
fn error_from_details(d: ErrorDetails) -> Option<Error> {
    let retry = RetryAdvice::parse(&d.retry);
    let vendor = match d.vendor.as_deref() {
        Some("volcengine") => Some(Vendor::Volcengine),
        Some("easemob") => Some(Vendor::Easemob),
        _ => None,
    };
    Some(match d.code.as_str() {
        "invalid_input" => Error::InvalidInput { field: d.field?, reason: d.reason.unwrap_or_default() },
        "message_not_editable" => Error::MessageNotEditable { message_type: d.message_type? },
        "body_too_large" => {
            Error::BodyTooLarge { size: usize::try_from(d.size?).ok()?, limit: usize::try_from(d.limit?).ok()? }
        }
        "malformed_response" => Error::MalformedResponse {
            vendor: vendor?,
            status: d.status?,
            reason: d.reason.unwrap_or_default(),
            excerpt: d.excerpt.unwrap_or_default(),
            retry: retry?,
        },
        "transport" => Error::Transport { reason: d.reason.unwrap_or_default() },
        code => ApiError {
            vendor: vendor?,
            kind: ApiErrorKind::from_code(code)?,
            status: d.status?,
            vendor_code: d.vendor_code,
            vendor_code_n: d.vendor_code_n,
            exception: d.exception,
            message: d.vendor_message,
            request_id: d.request_id,
            timestamp: d.timestamp,
            duration: d.duration,
            retry: retry?,
        }
        .into(),
    })
}

/// A core error as a thrown `ImeditError`.
fn throw(e: Error) -> JsValue {
    let details = serde_json::to_string(&details(&e)).unwrap_or_default();
    JsImeditError::new(&e.to_string(), &details).into()
}

/// The core error carried by a thrown `ImeditError` (or by its JSON copy).
fn error_from_js(field: &str, value: &JsValue) -> Result<Error, Error> {
    let not = || Error::invalid(field, "must be an ImeditError (wrap other failures with transportError(reason))");
    let text = json(value).ok().flatten().ok_or_else(not)?;
    let details: ErrorDetails = serde_json::from_str(&text).map_err(|_| not())?;
    error_from_details(details).ok_or_else(not)
}

// ---- conversions -----------------------------------------------------------------------------------

type JsResult<T> = Result<T, JsValue>;

/// A Rust value as a plain JavaScript object.
trait ToJs {
    fn to_js(&self) -> JsValue;
}

/// A plain object under construction.
struct Obj(Object);

impl Obj {
    fn new() -> Self {
        Self(Object::new())
    }

    fn set(&self, key: &str, value: impl Into<JsValue>) {
        // Setting a property of a fresh plain object cannot fail.
        let _ = Reflect::set(&self.0, &JsValue::from_str(key), &value.into());
    }

    /// Sets `key` to the value, or to `null` when absent (JSON's "absent").
    fn opt<T: Into<JsValue>>(&self, key: &str, value: Option<T>) {
        self.set(key, value.map_or(JsValue::NULL, Into::into));
    }
}

fn absent(value: &JsValue) -> bool {
    value.is_undefined() || value.is_null()
}

/// Reads a structured argument: one crossing (its JSON text), then serde. `param` names it in
/// errors.
fn read<T: DeserializeOwned>(param: &str, value: &JsValue) -> Result<T, Error> {
    if !value.is_object() {
        return Err(Error::invalid(param, "must be an object"));
    }
    let text = json(value)
        .map_err(|_| Error::invalid(param, "cannot be read (a cycle, or a value JSON cannot hold)"))?
        .ok_or_else(|| Error::invalid(param, "is required"))?;
    serde_json::from_str(&text).map_err(|e| Error::invalid(param, e.to_string()))
}

/// Reads an optional structured argument (`undefined` or `null`: absent).
fn read_opt<T: DeserializeOwned>(param: &str, value: Option<&JsValue>) -> Result<Option<T>, Error> {
    match value {
        Some(v) if !absent(v) => read(param, v).map(Some),
        _ => Ok(None),
    }
}

/// Reads an argument that carries secrets: its JSON text is zeroized after use, and a failure
/// names only the expected shape, never echoing a value.
fn read_secret<T: DeserializeOwned>(param: &str, value: &JsValue, shape: &str) -> Result<T, Error> {
    let bad = || Error::invalid(param, format!("must be an object {shape}"));
    if !value.is_object() {
        return Err(bad());
    }
    let text = Zeroizing::new(json(value).ok().flatten().ok_or_else(bad)?);
    serde_json::from_str(&text).map_err(|_| bad())
}

/// Whole seconds or milliseconds given as a JavaScript number.
fn whole(field: &str, value: f64) -> Result<u64, Error> {
    if value.is_finite() && value >= 0.0 && value.fract() == 0.0 && value <= MAX_SAFE as f64 {
        Ok(value as u64)
    } else {
        Err(Error::invalid(field, "must be a non-negative safe integer"))
    }
}

/// `Number.MAX_SAFE_INTEGER`.
const MAX_SAFE: i64 = (1 << 53) - 1;

/// A 64-bit id as JavaScript gave it: a `bigint`, a decimal string or a `number`.
#[derive(Default)]
enum Id {
    #[default]
    Missing,
    Text(String),
    Big(String),
    Integer(i128),
    Fraction,
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Id;
            fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str("a bigint, a decimal string or a safe integer")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Id, E> {
                Ok(Id::Text(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Id, E> {
                Ok(Id::Text(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Id, E> {
                Ok(Id::Integer(v.into()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Id, E> {
                Ok(Id::Integer(v.into()))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Id, E> {
                Ok(Id::Fraction)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Id, E> {
                Ok(Id::Missing)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Id, A::Error> {
                // `{"$bigint": "<digits>"}`, how the snippet writes a bigint.
                let mut out = Id::Fraction;
                while let Some((key, value)) = map.next_entry::<String, String>()? {
                    if key == "$bigint" {
                        out = Id::Big(value);
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_any(V)
    }
}

impl Id {
    /// The value, checked: decimal text as the core parses it, a `number` only when it is a safe
    /// integer.
    fn value(&self, field: &str) -> Result<i64, Error> {
        match self {
            Self::Text(text) | Self::Big(text) => volcengine::parse_id(field, text),
            Self::Integer(n) if (-i128::from(MAX_SAFE)..=i128::from(MAX_SAFE)).contains(n) => {
                i64::try_from(*n).map_err(|_| Error::invalid(field, "must fit in a signed 64-bit integer"))
            }
            Self::Integer(_) => Err(Error::invalid(
                field,
                "is a number that is not a safe integer (above 2^53 - 1 it has lost precision): pass a bigint or a decimal string",
            )),
            Self::Fraction => Err(Error::invalid(field, "must be an integer: a bigint, a decimal string or a safe integer")),
            Self::Missing => Err(Error::invalid(field, "must be a bigint, a decimal string or a safe integer")),
        }
    }
}

/// Ordered `(name, value)` string pairs: an object, or an array of `[name, value]` pairs.
#[derive(Default)]
struct Pairs(Vec<(String, String)>);

impl<'de> Deserialize<'de> for Pairs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Pairs;
            fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str("an object of strings or an array of [name, value] string pairs")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Pairs, A::Error> {
                let mut out = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some(pair) = map.next_entry()? {
                    out.push(pair);
                }
                Ok(Pairs(out))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Pairs, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some(pair) = seq.next_element()? {
                    out.push(pair);
                }
                Ok(Pairs(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// Body bytes: a string, or a `Uint8Array` (which JSON writes as `{"0": byte, "1": byte, ...}`).
#[derive(Default)]
struct Body(Vec<u8>);

impl<'de> Deserialize<'de> for Body {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Body;
            fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str("a string or a Uint8Array")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Body, E> {
                Ok(Body(v.as_bytes().to_vec()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Body, E> {
                Ok(Body(v.into_bytes()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Body, E> {
                Ok(Body(Vec::new()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Body, A::Error> {
                // A Uint8Array in JSON: {"0": byte, "1": byte, ...}, in index order.
                let mut out = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some((index, byte)) = map.next_entry::<String, u8>()? {
                    if index.parse() != Ok(out.len()) {
                        return Err(de::Error::custom("expected a string or a Uint8Array"));
                    }
                    out.push(byte);
                }
                Ok(Body(out))
            }
        }
        d.deserialize_any(V)
    }
}

thread_local! {
    // Property names as JavaScript strings, made once (a key made per call costs a decode).
    static MODIFY_KEYS: [JsValue; 5] =
        ["appId", "conversationShortId", "messageId", "ext", "content"].map(JsValue::from_str);
    static CREDENTIAL_KEYS: [JsValue; 3] = ["accessKeyId", "secretAccessKey", "sessionToken"].map(JsValue::from_str);
}

/// The properties `keys` of a plain object (`None`: not a plain object).
fn fields<const N: usize>(value: &JsValue, keys: &'static LocalKey<[JsValue; N]>) -> Option<[JsValue; N]> {
    if !value.is_object() || Array::is_array(value) {
        return None;
    }
    keys.with(|keys| {
        let mut out = [const { JsValue::UNDEFINED }; N];
        for (slot, key) in out.iter_mut().zip(keys) {
            *slot = Reflect::get(value, key).ok()?;
        }
        Some(out)
    })
}

/// An id of a usual shape (a string, a `bigint`, a `number`, or absent); `None`: another shape.
fn fast_id(value: JsValue) -> Option<Id> {
    if let Some(text) = value.as_string() {
        Some(Id::Text(text))
    } else if let Some(n) = value.as_f64() {
        Some(if n.fract() == 0.0 { Id::Integer(n as i128) } else { Id::Fraction })
    } else if value.is_bigint() {
        value.dyn_ref::<js_sys::BigInt>()?.to_string(10).ok()?.as_string().map(Id::Big)
    } else if absent(&value) {
        Some(Id::Missing)
    } else {
        None
    }
}

/// String pairs of a usual shape (an object of strings, or `[name, value]` string pairs).
fn fast_pairs(value: &JsValue) -> Option<Pairs> {
    let list: Array = if Array::is_array(value) {
        value.clone().unchecked_into()
    } else if value.is_object() {
        Object::entries(value.unchecked_ref())
    } else {
        return None;
    };
    let mut out = Vec::with_capacity(list.length() as usize);
    for pair in list.iter() {
        let pair = pair.dyn_into::<Array>().ok().filter(|p| p.length() == 2)?;
        out.push((pair.get(0).as_string()?, pair.get(1).as_string()?));
    }
    Some(Pairs(out))
}

/// Strings and their lengths in UTF-16 units, to cross into JavaScript as one string.
#[derive(Default)]
struct Packed {
    text: String,
    lens: Vec<u32>,
}

impl Packed {
    fn push(&mut self, piece: &str) {
        self.text.push_str(piece);
        let units = if piece.is_ascii() { piece.len() } else { piece.encode_utf16().count() };
        self.lens.push(u32::try_from(units).unwrap_or(u32::MAX));
    }

    fn flag(&mut self, on: bool) {
        self.lens.push(u32::from(on));
    }

    fn request(&mut self, r: &HttpRequest) {
        self.push(&r.method);
        self.push(&r.url);
        self.lens.push(u32::try_from(r.headers.len()).unwrap_or(u32::MAX));
        for h in &r.headers {
            self.push(&h.name);
            self.push(&h.value);
            self.flag(h.sensitive);
        }
        self.push(&String::from_utf8_lossy(&r.body));
        self.flag(r.body_sensitive);
    }
}

/// A core request as a JavaScript `HttpRequest` (secret headers and body marked for redaction).
fn request_to_js(r: &HttpRequest) -> JsValue {
    let mut p = Packed::default();
    p.request(r);
    unpack_request(&p.text, &p.lens)
}

/// `signed` as `{ request, stages }`; `sts` says whether the credentials carry a session token
/// (only then does the canonical request need a redacted copy for printing).
fn signed_to_js(r: Result<(volcengine::SignedRequest, bool), Error>) -> JsResult<SignedRequestJs> {
    let (signed, sts) = r.map_err(throw)?;
    let st = &signed.stages;
    let mut p = Packed { text: String::with_capacity(1024), lens: Vec::with_capacity(24) };
    p.request(&signed.request);
    for piece in [
        st.canonical_request(),
        st.string_to_sign(),
        st.signed_headers(),
        st.credential_scope(),
        st.x_date(),
        st.payload_hash(),
        st.signature(),
    ] {
        p.push(piece);
    }
    match sts.then(|| st.canonical_request_redacted()) {
        Some(Cow::Owned(shown)) => p.push(&shown),
        _ => p.push(""),
    }
    Ok(unpack_signed_request(&p.text, &p.lens).unchecked_into())
}

// ---- input DTOs (camelCase JSON of the JavaScript objects, mapped onto the core types) --------------

/// Volcengine credentials: the access key id, its secret key and, for STS, the session token.
#[derive(Tsify, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VolcengineCredentials {
    /// The access key id (`AKLT…`).
    access_key_id: String,
    /// The secret access key.
    secret_access_key: String,
    /// The session token of temporary (STS) credentials.
    #[serde(default)]
    #[tsify(type = "string | null", optional)]
    session_token: Option<String>,
}

impl VolcengineCredentials {
    const SHAPE: &'static str = "{ accessKeyId: string, secretAccessKey: string, sessionToken?: string }";

    fn read(value: &JsValue) -> Result<Credentials, Error> {
        let dto = match Self::read_fast(value) {
            Some(dto) => dto,
            None => read_secret::<Self>("credentials", value, Self::SHAPE)?,
        };
        let creds = Credentials::new(dto.access_key_id, Secret::new(dto.secret_access_key))?;
        match dto.session_token {
            Some(token) => creds.with_session_token(Secret::new(token)),
            None => Ok(creds),
        }
    }
}

impl VolcengineCredentials {
    fn read_fast(value: &JsValue) -> Option<Self> {
        let [access_key_id, secret_access_key, session_token] = fields(value, &CREDENTIAL_KEYS)?;
        Some(Self {
            access_key_id: access_key_id.as_string()?,
            secret_access_key: secret_access_key.as_string()?,
            session_token: if absent(&session_token) { None } else { Some(session_token.as_string()?) },
        })
    }
}

/// Where RTC OpenAPI requests go.
#[derive(Tsify, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VolcengineEndpoint {
    /// The region (default `cn-north-1`).
    #[serde(default)]
    #[tsify(optional)]
    region: Option<String>,
    /// An explicit host (`host[:port]`) or origin (`http://127.0.0.1:8080` for an emulator);
    /// default: the region's documented host.
    #[serde(default)]
    #[tsify(optional)]
    host: Option<String>,
}

impl VolcengineEndpoint {
    fn read(value: Option<&JsValue>) -> Result<Endpoint, Error> {
        match read_opt::<Self>("endpoint", value)? {
            None => Ok(Endpoint::default()),
            Some(e) => Endpoint::new(e.region.as_deref().unwrap_or(volcengine::DEFAULT_REGION), e.host.as_deref()),
        }
    }
}

/// The parameters of one `ModifyMessage` call.
#[derive(Tsify, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModifyMessageParams {
    /// `AppId` (positive).
    #[serde(default)]
    #[tsify(type = "Id")]
    app_id: Id,
    /// `ConversationShortId` (positive).
    #[serde(default)]
    #[tsify(type = "Id")]
    conversation_short_id: Id,
    /// `MessageId` (positive).
    #[serde(default)]
    #[tsify(type = "Id")]
    message_id: Id,
    /// Extension fields to set (merged into the message's, key by key).
    #[serde(default)]
    #[tsify(type = "Pairs | null", optional)]
    ext: Option<Pairs>,
    /// The new content, a JSON document in the client's format (see `textContent`).
    #[serde(default)]
    #[tsify(type = "string | null", optional)]
    content: Option<String>,
}

impl ModifyMessageParams {
    fn read(value: &JsValue) -> Result<ModifyMessage, Error> {
        // The signing hot path reads the usual shapes property by property; anything else goes
        // through JSON and serde, with the same checks and errors.
        let p = match Self::read_fast(value) {
            Some(p) => p,
            None => read::<Self>("params", value)?,
        };
        Ok(ModifyMessage {
            app_id: p.app_id.value("app_id")?,
            conversation_short_id: p.conversation_short_id.value("conversation_short_id")?,
            message_id: p.message_id.value("message_id")?,
            ext: p.ext.unwrap_or_default().0,
            content: p.content,
        })
    }

    fn read_fast(value: &JsValue) -> Option<Self> {
        let [app_id, conversation_short_id, message_id, ext, content] = fields(value, &MODIFY_KEYS)?;
        Some(Self {
            app_id: fast_id(app_id)?,
            conversation_short_id: fast_id(conversation_short_id)?,
            message_id: fast_id(message_id)?,
            ext: if absent(&ext) { None } else { Some(fast_pairs(&ext)?) },
            content: if absent(&content) { None } else { Some(content.as_string()?) },
        })
    }
}

/// Any OpenAPI request to sign, in plain parts.
#[derive(Tsify, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignableRequest {
    /// The HTTP method.
    method: String,
    /// `https` (default) or `http` (a local emulator).
    #[serde(default)]
    #[tsify(type = "\"https\" | \"http\"", optional)]
    scheme: Option<String>,
    /// The host, with a port when not the default.
    host: String,
    /// The path, not yet encoded (default `/`).
    #[serde(default)]
    #[tsify(optional)]
    path: Option<String>,
    /// Query parameters, not yet encoded; give pairs when a key repeats.
    #[serde(default)]
    #[tsify(type = "Pairs", optional)]
    query: Option<Pairs>,
    /// Extra headers such as `Content-Type`.
    #[serde(default)]
    #[tsify(type = "Pairs", optional)]
    headers: Option<Pairs>,
    /// The body, exactly as it will be sent.
    #[serde(default)]
    #[tsify(type = "string | Uint8Array", optional)]
    body: Body,
}

impl SignableRequest {
    fn read(value: &JsValue) -> Result<CoreSignableRequest, Error> {
        let r: Self = read("request", value)?;
        let scheme = match r.scheme.as_deref() {
            None | Some("https") => Scheme::Https,
            Some("http") => Scheme::Http,
            Some(_) => return Err(Error::invalid("scheme", "must be https or http")),
        };
        Ok(CoreSignableRequest {
            method: r.method,
            scheme,
            host: r.host,
            path: r.path.unwrap_or_else(|| "/".to_owned()),
            query: r.query.unwrap_or_default().0,
            headers: r.headers.unwrap_or_default().0,
            body: r.body.0,
        })
    }
}

/// Where and when a request is signed.
#[derive(Tsify, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SigningParams {
    /// The region of the credential scope.
    region: String,
    /// The service of the credential scope.
    service: String,
    /// The signing time, Unix seconds.
    time: f64,
    /// Exactly these header names are signed (default: the signer's set).
    #[serde(default)]
    #[tsify(type = "string[] | null", optional)]
    signed_headers: Option<Vec<String>>,
}

impl SigningParams {
    fn read(value: &JsValue) -> Result<CoreSigningParams, Error> {
        let p: Self = read("params", value)?;
        Ok(CoreSigningParams {
            region: p.region,
            service: p.service,
            time: whole("time", p.time)?,
            signed_headers: p.signed_headers,
        })
    }
}

/// The reply handed to a parser (see the `HttpResponse` type).
#[derive(Deserialize)]
struct ResponseInput {
    status: u16,
    #[serde(default)]
    headers: Option<Pairs>,
    #[serde(default)]
    body: Body,
}

fn response(value: &JsValue) -> Result<HttpResponse, Error> {
    let r: ResponseInput = read("response", value)?;
    Ok(HttpResponse::new(r.status, r.headers.unwrap_or_default().0, r.body.0))
}

/// Where Easemob requests go: the REST origin and the app (`appKey` = `org#app`, or the two names).
#[derive(Tsify, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EasemobSettings {
    /// The REST origin, e.g. `https://a1.easemob.com`.
    base_url: String,
    /// The org name (or give `appKey`).
    #[serde(default)]
    #[tsify(optional)]
    org_name: Option<String>,
    /// The app name (or give `appKey`).
    #[serde(default)]
    #[tsify(optional)]
    app_name: Option<String>,
    /// The App Key, `org#app`.
    #[serde(default)]
    #[tsify(optional)]
    app_key: Option<String>,
    /// Accept an `http://` origin (a local emulator only).
    #[serde(default)]
    #[tsify(optional)]
    allow_http: bool,
}

impl EasemobSettings {
    fn read(value: &JsValue) -> Result<Settings, Error> {
        let s: Self = read("settings", value)?;
        let b = Settings::builder(&s.base_url).allow_http(s.allow_http);
        match &s.app_key {
            Some(key) => b.app_key(key),
            None => b
                .org_name(s.org_name.as_deref().unwrap_or_default())
                .app_name(s.app_name.as_deref().unwrap_or_default()),
        }
        .build()
    }
}

/// How app tokens are requested and refreshed.
#[derive(Tsify, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EasemobTokenPolicy {
    /// The lifetime to ask for, in seconds (0: never expires; null: the console setting).
    #[serde(default)]
    #[tsify(type = "number | null", optional)]
    ttl: Option<u64>,
    /// The unit the cluster uses (`milliseconds` on VIP 5).
    #[serde(default)]
    #[tsify(type = "\"seconds\" | \"milliseconds\"", optional)]
    unit: Option<String>,
    /// Refresh at least this many seconds before expiry (default 300).
    #[serde(default)]
    #[tsify(optional)]
    refresh_margin: Option<u64>,
}

impl EasemobTokenPolicy {
    fn read(value: Option<&JsValue>) -> Result<TokenPolicy, Error> {
        let default = TokenPolicy::default();
        let Some(p) = read_opt::<Self>("policy", value)? else {
            return Ok(default);
        };
        let unit = match p.unit.as_deref() {
            None | Some("seconds") => TimeUnit::Seconds,
            Some("milliseconds") => TimeUnit::Milliseconds,
            Some(_) => return Err(Error::invalid("unit", "must be seconds or milliseconds")),
        };
        Ok(TokenPolicy { ttl: p.ttl, unit, refresh_margin: p.refresh_margin.unwrap_or(default.refresh_margin) })
    }
}

/// The app's `client_id` and `client_secret`.
#[derive(Tsify, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EasemobClientCredentials {
    /// The client id.
    client_id: String,
    /// The client secret.
    client_secret: String,
}

impl EasemobClientCredentials {
    fn read(value: &JsValue) -> Result<ClientCredentials, Error> {
        let c: Self = read_secret("credentials", value, "{ clientId: string, clientSecret: string }")?;
        ClientCredentials::new(c.client_id, Secret::new(c.client_secret))
    }
}

/// An Agora app token to exchange for an Easemob app token.
#[derive(Tsify)]
#[serde(rename_all = "camelCase")]
pub struct AgoraTokenSource {
    /// The Agora app token (made from the App ID and App Certificate).
    agora_token: String,
}

/// How the token cache obtains tokens: client credentials, or an Agora app token to exchange.
#[derive(Tsify)]
#[serde(untagged)]
pub enum EasemobTokenSource {
    /// `grant_type=client_credentials`.
    ClientCredentials(EasemobClientCredentials),
    /// The Agora token exchange.
    Agora(AgoraTokenSource),
}

/// Either form of [`EasemobTokenSource`], as read.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TokenSourceInput {
    #[serde(default)]
    client_id: Option<String>,
    #[serde(default)]
    client_secret: Option<String>,
    #[serde(default)]
    agora_token: Option<String>,
}

impl EasemobTokenSource {
    const SHAPE: &'static str = "{ clientId: string, clientSecret: string } or { agoraToken: string }";

    fn read(value: &JsValue) -> Result<easemob::TokenSource, Error> {
        let s: TokenSourceInput = read_secret("source", value, Self::SHAPE)?;
        let dto = match (s.agora_token, s.client_id, s.client_secret) {
            (Some(agora_token), None, None) => Self::Agora(AgoraTokenSource { agora_token }),
            (None, Some(client_id), Some(client_secret)) => {
                Self::ClientCredentials(EasemobClientCredentials { client_id, client_secret })
            }
            _ => return Err(Error::invalid("source", format!("must be an object {}", Self::SHAPE))),
        };
        Ok(match dto {
            Self::Agora(a) => easemob::TokenSource::AgoraToken(Secret::new(a.agora_token)),
            Self::ClientCredentials(c) => easemob::TokenSource::ClientCredentials(ClientCredentials::new(
                c.client_id,
                Secret::new(c.client_secret),
            )?),
        })
    }
}

/// One Easemob rewrite.
#[derive(Tsify, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RewriteEdit {
    /// The message id: 1 to 19 decimal digits (a string: ids exceed 2^53).
    #[serde(default)]
    #[tsify(type = "string")]
    message_id: MessageIdText,
    /// The stored message's type (`cmd` cannot be edited).
    #[serde(rename = "type", default)]
    #[tsify(
        type = "\"txt\" | \"custom\" | \"img\" | \"audio\" | \"video\" | \"file\" | \"loc\" | \"combine\" | \"cmd\" | \"text\" | \"image\" | \"location\" | \"command\""
    )]
    kind: String,
    /// The new text (text messages).
    #[serde(default)]
    #[tsify(type = "string | null", optional)]
    msg: Option<String>,
    /// The new `customEvent` (custom messages).
    #[serde(default)]
    #[tsify(type = "string | null", optional)]
    custom_event: Option<String>,
    /// The new `customExts` (custom messages, at most 16).
    #[serde(default)]
    #[tsify(type = "Pairs | null", optional)]
    custom_exts: Option<Pairs>,
    /// The new ext fields.
    #[serde(default)]
    #[tsify(type = "Pairs | null", optional)]
    new_ext: Option<Pairs>,
    /// `merge` (default) or `replace` the stored ext.
    #[serde(default)]
    #[tsify(type = "\"merge\" | \"replace\" | null", optional)]
    ext_mode: Option<String>,
    /// Who edits.
    #[serde(default)]
    #[tsify(type = "string | null", optional)]
    user: Option<String>,
}

impl RewriteEdit {
    fn read(value: &JsValue) -> Result<RewriteMessage, Error> {
        let e: Self = read("edit", value)?;
        let id = e.message_id.0.ok_or_else(|| {
            Error::invalid("message_id", "must be a string of decimal digits (a number would lose digits above 2^53)")
        })?;
        let mut m = RewriteMessage::new(id, MessageKind::parse(&e.kind)?);
        m.msg = e.msg;
        m.custom_event = e.custom_event;
        m.custom_exts = e.custom_exts.map(|p| p.0);
        m.new_ext = e.new_ext.map(|p| p.0);
        m.ext_mode = ext_mode(e.ext_mode.as_deref())?;
        m.user = e.user;
        Ok(m)
    }
}

/// An Easemob message id as given: a string, or (refused later, naming the field) anything else.
#[derive(Default)]
struct MessageIdText(Option<String>);

impl<'de> Deserialize<'de> for MessageIdText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Self(match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(text) => Some(text),
            _ => None,
        }))
    }
}

fn ext_mode(mode: Option<&str>) -> Result<ExtMode, Error> {
    match mode {
        None | Some("merge") => Ok(ExtMode::Merge),
        Some("replace") => Ok(ExtMode::Replace),
        Some(_) => Err(Error::invalid("ext_mode", "must be merge or replace")),
    }
}

/// Bounds on retrying one call.
#[derive(Tsify, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RetryPolicy {
    /// The most attempts, the first included (default 3).
    #[serde(default)]
    #[tsify(optional)]
    max_attempts: Option<u32>,
    /// The backoff before the second attempt, ms (default 200).
    #[serde(default)]
    #[tsify(optional)]
    base_delay_ms: Option<u64>,
    /// The largest backoff, ms (default 10000).
    #[serde(default)]
    #[tsify(optional)]
    max_delay_ms: Option<u64>,
}

impl RetryPolicy {
    fn read(value: Option<&JsValue>) -> Result<CoreRetryPolicy, Error> {
        let d = CoreRetryPolicy::default();
        let p = read_opt::<Self>("policy", value)?;
        let p = p.unwrap_or(Self { max_attempts: None, base_delay_ms: None, max_delay_ms: None });
        Ok(CoreRetryPolicy {
            max_attempts: p.max_attempts.unwrap_or(d.max_attempts),
            base_delay_ms: p.base_delay_ms.unwrap_or(d.base_delay_ms),
            max_delay_ms: p.max_delay_ms.unwrap_or(d.max_delay_ms),
        })
    }
}

// ---- Volcengine exports ------------------------------------------------------------------------------

/// Signs Volcengine OpenAPI requests with one set of credentials, caching the signing key for the
/// UTC day, region and service. Keep one per credentials and reuse it.
#[wasm_bindgen(js_name = VolcengineSigner)]
pub struct JsVolcengineSigner(volcengine::Signer);

#[wasm_bindgen(js_class = VolcengineSigner)]
impl JsVolcengineSigner {
    /// A signer for these credentials.
    #[wasm_bindgen(constructor)]
    pub fn new(credentials: Ts<VolcengineCredentials>) -> JsResult<JsVolcengineSigner> {
        let creds = VolcengineCredentials::read(&credentials.js_value()).map_err(throw)?;
        Ok(Self(volcengine::Signer::new(creds)))
    }

    /// The access key id (not a secret).
    #[wasm_bindgen(getter, js_name = accessKeyId)]
    pub fn access_key_id(&self) -> String {
        self.0.credentials().access_key_id().to_owned()
    }

    /// Builds and signs a `ModifyMessage` request at `time` (Unix seconds), with the cached key.
    /// Sign again for every attempt (a fresh time).
    #[wasm_bindgen(js_name = modifyMessage)]
    pub fn modify_message(
        &self,
        params: Ts<ModifyMessageParams>,
        time: f64,
        endpoint: Option<Ts<VolcengineEndpoint>>,
    ) -> JsResult<SignedRequestJs> {
        signed_to_js((|| {
            let params = ModifyMessageParams::read(&params.js_value())?;
            let endpoint = VolcengineEndpoint::read(endpoint.map(|e| e.js_value()).as_ref())?;
            let sts = self.0.credentials().session_token().is_some();
            Ok((self.0.modify_message(&endpoint, &params, whole("time", time)?)?, sts))
        })())
    }

    /// Signs any OpenAPI request, with the cached key.
    pub fn sign(&self, request: Ts<SignableRequest>, params: Ts<SigningParams>) -> JsResult<SignedRequestJs> {
        signed_to_js((|| {
            let request = SignableRequest::read(&request.js_value())?;
            let sts = self.0.credentials().session_token().is_some();
            Ok((self.0.sign(&request, &SigningParams::read(&params.js_value())?)?, sts))
        })())
    }

    /// `VolcengineSigner(AKLT…, [REDACTED])`.
    #[wasm_bindgen(js_name = toString)]
    pub fn to_string_js(&self) -> String {
        format!("VolcengineSigner({}, {})", self.0.credentials().access_key_id(), Secret::REDACTED)
    }

    /// `{ accessKeyId, secretAccessKey: "[REDACTED]" }`.
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "{ accessKeyId: string; secretAccessKey: string }")]
    pub fn to_json(&self) -> JsValue {
        let out = Object::new();
        set(&out, "accessKeyId", self.0.credentials().access_key_id().into());
        set(&out, "secretAccessKey", Secret::REDACTED.into());
        out.into()
    }
}

fn set(object: &Object, key: &str, value: JsValue) {
    // Setting a property of a fresh plain object cannot fail.
    let _ = Reflect::set(object, &JsValue::from_str(key), &value);
}

/// Builds and signs a `ModifyMessage` request once, deriving the signing key afresh (prefer a
/// `VolcengineSigner` for repeated calls).
#[wasm_bindgen(js_name = buildModifyMessageRequest)]
pub fn build_modify_message_request(
    credentials: Ts<VolcengineCredentials>,
    params: Ts<ModifyMessageParams>,
    time: f64,
    endpoint: Option<Ts<VolcengineEndpoint>>,
) -> JsResult<SignedRequestJs> {
    signed_to_js((|| {
        let params = ModifyMessageParams::read(&params.js_value())?;
        let endpoint = VolcengineEndpoint::read(endpoint.map(|e| e.js_value()).as_ref())?;
        let creds = VolcengineCredentials::read(&credentials.js_value())?;
        let signed = volcengine::build_modify_message_request(&creds, &endpoint, &params, whole("time", time)?)?;
        Ok((signed, creds.session_token().is_some()))
    })())
}

/// Signs any OpenAPI request once, deriving the signing key afresh.
#[wasm_bindgen(js_name = signRequest)]
pub fn sign_request(
    credentials: Ts<VolcengineCredentials>,
    request: Ts<SignableRequest>,
    params: Ts<SigningParams>,
) -> JsResult<SignedRequestJs> {
    signed_to_js((|| {
        let creds = VolcengineCredentials::read(&credentials.js_value())?;
        let signed = volcengine::sign(
            &creds,
            &SignableRequest::read(&request.js_value())?,
            &SigningParams::read(&params.js_value())?,
        )?;
        Ok((signed, creds.session_token().is_some()))
    })())
}

/// The signing key for a secret key, a UTC date (`YYYYMMDD`), a region and a service, as hex. It
/// signs any request of that day: treat it as a secret.
#[wasm_bindgen(js_name = signingKeyHex)]
pub fn signing_key_hex(
    #[wasm_bindgen(js_name = "secretAccessKey")] secret_access_key: &str,
    date: &str,
    region: &str,
    service: &str,
) -> String {
    volcengine::signing_key(&Secret::new(secret_access_key), date, region, service).expose_hex()
}

/// The `Content` of a text message, `{"text":"..."}`.
#[wasm_bindgen(js_name = textContent)]
pub fn text_content(text: &str) -> String {
    volcengine::text_content(text)
}

/// `ResponseMetadata` of a successful Volcengine call.
#[derive(Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ResponseMetadata {
    /// `RequestId`: quote it to Volcengine support.
    request_id: String,
    /// `Action`.
    action: String,
    /// `Version`.
    version: String,
    /// `Service`.
    service: String,
    /// `Region`.
    region: String,
}

impl From<volcengine::ResponseMetadata> for ResponseMetadata {
    fn from(m: volcengine::ResponseMetadata) -> Self {
        Self { request_id: m.request_id, action: m.action, version: m.version, service: m.service, region: m.region }
    }
}

/// A successful OpenAPI reply.
#[derive(Tsify)]
#[serde(rename_all = "camelCase")]
pub struct OpenApiResponse {
    /// The envelope.
    metadata: ResponseMetadata,
    /// `Result`, exactly as its JSON text appears in the reply (big integers untouched), or null.
    result: Option<String>,
}

/// Parses a `ModifyMessage` reply; throws `ImeditError` for a refusal or a malformed reply.
#[wasm_bindgen(js_name = parseModifyMessageResponse)]
pub fn parse_modify_message_response(response: HttpResponseJs) -> JsResult<Ts<ResponseMetadata>> {
    let meta = self::response(&response).and_then(|r| volcengine::parse_modify_message_response(&r)).map_err(throw)?;
    Ok(Ts::new_unchecked(ResponseMetadata::from(meta).to_js()))
}

/// Parses any Volcengine OpenAPI reply; throws `ImeditError` for a refusal or a malformed reply.
#[wasm_bindgen(js_name = parseOpenApiResponse)]
pub fn parse_openapi_response(response: HttpResponseJs) -> JsResult<Ts<OpenApiResponse>> {
    let parsed = self::response(&response).and_then(|r| volcengine::parse_response(&r)).map_err(throw)?;
    Ok(Ts::new_unchecked(OpenApiResponse { metadata: parsed.metadata.into(), result: parsed.result }.to_js()))
}

// ---- Easemob exports ---------------------------------------------------------------------------------

/// An Easemob app token. Its value stays inside: `toString()` and `JSON.stringify` redact it;
/// `expose()` returns it.
#[wasm_bindgen(js_name = AppToken)]
pub struct JsAppToken(easemob::AppToken);

#[wasm_bindgen(js_class = AppToken)]
impl JsAppToken {
    /// A token you already hold: obtained at `issuedAt`, expiring at `expiresAt` (Unix seconds;
    /// absent: never), refreshed `refreshMargin` seconds early (default 300).
    #[wasm_bindgen(constructor)]
    pub fn new(
        value: &str,
        #[wasm_bindgen(js_name = "issuedAt")] issued_at: Option<f64>,
        #[wasm_bindgen(js_name = "expiresAt")] expires_at: Option<f64>,
        #[wasm_bindgen(js_name = "refreshMargin")] refresh_margin: Option<f64>,
    ) -> JsResult<JsAppToken> {
        let run = || -> Result<easemob::AppToken, Error> {
            Ok(easemob::AppToken::new(
                Secret::new(value),
                whole("issued_at", issued_at.unwrap_or(0.0))?,
                expires_at.map(|e| whole("expires_at", e)).transpose()?,
                whole("refresh_margin", refresh_margin.unwrap_or(300.0))?,
            ))
        };
        run().map(Self).map_err(throw)
    }

    /// The token itself. Send it only in `Authorization: Bearer`; never log it.
    pub fn expose(&self) -> String {
        self.0.value().expose().to_owned()
    }

    /// When it was obtained, Unix seconds.
    #[wasm_bindgen(getter, js_name = issuedAt)]
    pub fn issued_at(&self) -> f64 {
        self.0.issued_at() as f64
    }

    /// When it expires, Unix seconds (undefined: never).
    #[wasm_bindgen(getter, js_name = expiresAt)]
    pub fn expires_at(&self) -> Option<f64> {
        self.0.expires_at().map(|n| n as f64)
    }

    /// When to fetch the next one, Unix seconds (undefined: never).
    #[wasm_bindgen(getter, js_name = refreshAt)]
    pub fn refresh_at(&self) -> Option<f64> {
        self.0.refresh_at().map(|n| n as f64)
    }

    /// The app's UUID, when the reply carried it.
    #[wasm_bindgen(getter)]
    pub fn application(&self) -> Option<String> {
        self.0.application().map(str::to_owned)
    }

    /// Whether it has expired at `now` (Unix seconds).
    #[wasm_bindgen(js_name = isExpired)]
    pub fn is_expired(&self, now: f64) -> JsResult<bool> {
        Ok(self.0.is_expired(whole("now", now).map_err(throw)?))
    }

    /// Whether it is due for a refresh at `now` (Unix seconds).
    #[wasm_bindgen(js_name = needsRefresh)]
    pub fn needs_refresh(&self, now: f64) -> JsResult<bool> {
        Ok(self.0.needs_refresh(whole("now", now).map_err(throw)?))
    }

    /// `AppToken([REDACTED])`.
    #[wasm_bindgen(js_name = toString)]
    pub fn to_string_js(&self) -> String {
        format!("AppToken({})", Secret::REDACTED)
    }

    /// The lifetime fields, with the value redacted.
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "AppTokenJson")]
    pub fn to_json(&self) -> JsValue {
        let t = &self.0;
        let out = Object::new();
        let opt = |v: Option<u64>| v.map_or(JsValue::NULL, |n| JsValue::from(n as f64));
        set(&out, "value", Secret::REDACTED.into());
        set(&out, "issuedAt", JsValue::from(t.issued_at() as f64));
        set(&out, "expiresAt", opt(t.expires_at()));
        set(&out, "refreshAt", opt(t.refresh_at()));
        set(&out, "application", t.application().map_or(JsValue::NULL, JsValue::from));
        out.into()
    }
}

/// Builds `POST /{org}/{app}/token` (`grant_type=client_credentials`).
#[wasm_bindgen(js_name = buildTokenRequest)]
pub fn build_token_request(
    settings: Ts<EasemobSettings>,
    credentials: Ts<EasemobClientCredentials>,
    policy: Option<Ts<EasemobTokenPolicy>>,
) -> JsResult<HttpRequestJs> {
    let run = || {
        let settings = EasemobSettings::read(&settings.js_value())?;
        let creds = EasemobClientCredentials::read(&credentials.js_value())?;
        easemob::build_token_request(
            &settings,
            &creds,
            &EasemobTokenPolicy::read(policy.map(|p| p.js_value()).as_ref())?,
        )
    };
    Ok(request_to_js(&run().map_err(throw)?).unchecked_into())
}

/// Builds the Agora token exchange (`grant_type=agora`).
#[wasm_bindgen(js_name = buildAgoraTokenExchangeRequest)]
pub fn build_agora_token_exchange_request(
    settings: Ts<EasemobSettings>,
    #[wasm_bindgen(js_name = "agoraToken")] agora_token: StringJs,
) -> JsResult<HttpRequestJs> {
    let run = || {
        easemob::build_agora_token_exchange_request(
            &EasemobSettings::read(&settings.js_value())?,
            &JsValue::from(agora_token)
                .as_string()
                .map(Secret::new)
                .ok_or_else(|| Error::invalid("agora_token", "must be a string"))?,
        )
    };
    Ok(request_to_js(&run().map_err(throw)?).unchecked_into())
}

/// Parses the token reply received at `now` (Unix seconds).
#[wasm_bindgen(js_name = parseTokenResponse)]
pub fn parse_token_response(
    response: HttpResponseJs,
    now: f64,
    policy: Option<Ts<EasemobTokenPolicy>>,
) -> JsResult<JsAppToken> {
    let run = || {
        easemob::parse_token_response(
            &self::response(&response)?,
            whole("now", now)?,
            &EasemobTokenPolicy::read(policy.map(|p| p.js_value()).as_ref())?,
        )
    };
    run().map(JsAppToken).map_err(throw)
}

/// Parses the Agora token exchange reply received at `now` (Unix seconds).
#[wasm_bindgen(js_name = parseAgoraTokenExchangeResponse)]
pub fn parse_agora_token_exchange_response(
    response: HttpResponseJs,
    now: f64,
    policy: Option<Ts<EasemobTokenPolicy>>,
) -> JsResult<JsAppToken> {
    let run = || {
        easemob::parse_agora_token_exchange_response(
            &self::response(&response)?,
            whole("now", now)?,
            &EasemobTokenPolicy::read(policy.map(|p| p.js_value()).as_ref())?,
        )
    };
    run().map(JsAppToken).map_err(throw)
}

/// Builds `PUT /{org}/{app}/messages/rewrite/{msg_id}` with an app token.
#[wasm_bindgen(js_name = buildRewriteRequest)]
pub fn build_rewrite_request(
    settings: Ts<EasemobSettings>,
    token: &JsAppToken,
    edit: Ts<RewriteEdit>,
) -> JsResult<HttpRequestJs> {
    let run = || {
        easemob::build_rewrite_request(
            &EasemobSettings::read(&settings.js_value())?,
            token.0.value(),
            &RewriteEdit::read(&edit.js_value())?,
        )
    };
    Ok(request_to_js(&run().map_err(throw)?).unchecked_into())
}

/// Checks an edit as `buildRewriteRequest` would, without a token or settings: throws the same
/// `ImeditError` for an edit that cannot be sent (so a client can refuse it before fetching a
/// token).
#[wasm_bindgen(js_name = checkRewriteEdit)]
pub fn check_rewrite_edit(edit: Ts<RewriteEdit>) -> JsResult<()> {
    RewriteEdit::read(&edit.js_value()).and_then(|e| e.body()).map(drop).map_err(throw)
}

/// A successful Easemob rewrite (`data: "success"`); absent fields are null.
#[derive(Tsify)]
#[serde(rename_all = "camelCase")]
pub struct RewriteOutcome {
    /// `path`.
    path: Option<String>,
    /// `uri`.
    uri: Option<String>,
    /// `timestamp` (Unix ms).
    timestamp: Option<f64>,
    /// `organization`.
    organization: Option<String>,
    /// `application` (the app's UUID).
    application: Option<String>,
    /// `applicationName`.
    application_name: Option<String>,
    /// `action`.
    action: Option<String>,
    /// `duration` (ms).
    duration: Option<f64>,
}

/// Parses the rewrite reply; throws `ImeditError` for a refusal or a malformed reply.
#[wasm_bindgen(js_name = parseRewriteResponse)]
pub fn parse_rewrite_response(response: HttpResponseJs) -> JsResult<Ts<RewriteOutcome>> {
    let o = self::response(&response).and_then(|r| easemob::parse_rewrite_response(&r)).map_err(throw)?;
    let n = |v: Option<i64>| v.map(|n| n as f64);
    Ok(Ts::new_unchecked(
        RewriteOutcome {
            path: o.path,
            uri: o.uri,
            timestamp: n(o.timestamp),
            organization: o.organization,
            application: o.application,
            application_name: o.application_name,
            action: o.action,
            duration: n(o.duration),
        }
        .to_js(),
    ))
}

/// The app-token cache, as a state machine you drive: `poll(now)` says what to do; report token
/// replies with `onResponse` and failed calls with `onCallFailed`.
#[wasm_bindgen(js_name = TokenCache)]
pub struct JsTokenCache(easemob::TokenCache);

#[wasm_bindgen(js_class = TokenCache)]
impl JsTokenCache {
    /// An empty cache. `fetchTimeout`: seconds a token fetch may stay unanswered (default 60).
    #[wasm_bindgen(constructor)]
    pub fn new(
        settings: Ts<EasemobSettings>,
        source: Ts<EasemobTokenSource>,
        policy: Option<Ts<EasemobTokenPolicy>>,
        #[wasm_bindgen(js_name = "fetchTimeout")] fetch_timeout: Option<f64>,
    ) -> JsResult<JsTokenCache> {
        let run = || -> Result<easemob::TokenCache, Error> {
            let cache = easemob::TokenCache::new(
                EasemobSettings::read(&settings.js_value())?,
                EasemobTokenSource::read(&source.js_value())?,
                EasemobTokenPolicy::read(policy.map(|p| p.js_value()).as_ref())?,
            );
            Ok(match fetch_timeout {
                Some(t) => cache.with_fetch_timeout(whole("fetch_timeout", t)?),
                None => cache,
            })
        };
        run().map(Self).map_err(throw)
    }

    /// What to do at `now` (Unix seconds) before a call.
    pub fn poll(&mut self, now: f64) -> JsResult<TokenActionJs> {
        let action = whole("now", now).and_then(|now| self.0.poll(now)).map_err(throw)?;
        let out = Object::new();
        match action {
            easemob::TokenAction::Use(token) => {
                set(&out, "action", "use".into());
                set(&out, "token", JsAppToken(token).into());
            }
            easemob::TokenAction::Refresh { token, request } => {
                set(&out, "action", "refresh".into());
                set(&out, "token", JsAppToken(token).into());
                set(&out, "request", request_to_js(&request));
            }
            easemob::TokenAction::Fetch(request) => {
                set(&out, "action", "fetch".into());
                set(&out, "request", request_to_js(&request));
            }
            easemob::TokenAction::Wait => set(&out, "action", "wait".into()),
        }
        Ok(out.unchecked_into())
    }

    /// Reports the token reply received at `now`; returns the new token or throws.
    #[wasm_bindgen(js_name = onResponse)]
    pub fn on_response(&mut self, response: HttpResponseJs, now: f64) -> JsResult<JsAppToken> {
        let mut run = || -> Result<easemob::AppToken, Error> {
            self.0.on_response(&self::response(&response)?, whole("now", now)?)
        };
        run().map(JsAppToken).map_err(throw)
    }

    /// Reports that the token request failed at `now` before a reply arrived.
    #[wasm_bindgen(js_name = onFetchFailed)]
    pub fn on_fetch_failed(&mut self, now: f64) -> JsResult<()> {
        self.0.on_fetch_failed(whole("now", now).map_err(throw)?);
        Ok(())
    }

    /// Reports that a call made with `used` failed with `error` (an `ImeditError`). Returns true
    /// when the token was refused: poll again (a new token is fetched) and retry once.
    #[wasm_bindgen(js_name = onCallFailed)]
    pub fn on_call_failed(&mut self, used: &JsAppToken, error: ImeditErrorJs) -> JsResult<bool> {
        let e = error_from_js("error", &error).map_err(throw)?;
        Ok(self.0.on_call_failed(&used.0, &e))
    }

    /// Replaces the token source (for example a fresh Agora token).
    #[wasm_bindgen(js_name = setSource)]
    pub fn set_source(&mut self, source: Ts<EasemobTokenSource>) -> JsResult<()> {
        self.0.set_source(EasemobTokenSource::read(&source.js_value()).map_err(throw)?);
        Ok(())
    }

    /// The current token, valid or not.
    #[wasm_bindgen(getter)]
    pub fn token(&self) -> Option<JsAppToken> {
        self.0.token().cloned().map(JsAppToken)
    }

    /// Whether a token fetch is in flight at `now`.
    #[wasm_bindgen(js_name = isFetching)]
    pub fn is_fetching(&self, now: f64) -> JsResult<bool> {
        Ok(self.0.is_fetching(whole("now", now).map_err(throw)?))
    }

    /// `TokenCache(org#app)`.
    #[wasm_bindgen(js_name = toString)]
    pub fn to_string_js(&self) -> String {
        format!("TokenCache({})", self.0.settings().app_key())
    }

    /// `{ appKey, baseUrl, token }`, the token redacted.
    #[wasm_bindgen(
        js_name = toJSON,
        unchecked_return_type = "{ appKey: string; baseUrl: string; token: AppTokenJson | null }"
    )]
    pub fn to_json(&self) -> JsValue {
        let out = Object::new();
        set(&out, "appKey", self.0.settings().app_key().into());
        set(&out, "baseUrl", self.0.settings().base_url().into());
        set(&out, "token", self.0.token().map_or(JsValue::NULL, |t| JsAppToken(t.clone()).to_json()));
        out.into()
    }
}

// ---- shared exports ----------------------------------------------------------------------------------

/// The extension map the server holds after an edit: `merge` (default) or `replace`.
#[wasm_bindgen(js_name = mergeExt)]
pub fn merge_ext(current: PairsJs, patch: PairsJs, mode: Option<ExtModeJs>) -> JsResult<RecordJs> {
    let run = || -> Result<Vec<(String, String)>, Error> {
        Ok(crate::merge_ext(
            &read::<Pairs>("current", &current)?.0,
            &read::<Pairs>("patch", &patch)?.0,
            ext_mode(mode.and_then(|m| JsValue::from(m).as_string()).as_deref())?,
        ))
    };
    let out = Object::new();
    for (k, v) in run().map_err(throw)? {
        set(&out, &k, v.into());
    }
    Ok(out.unchecked_into())
}

/// An `ImeditError` with code `transport`, for a failure of your HTTP client (connection refused,
/// reset, timeout), so that retry planning treats it as the core does.
#[wasm_bindgen(js_name = transportError)]
pub fn transport_error(reason: &str) -> ImeditErrorJs {
    throw(Error::transport(reason)).unchecked_into()
}

/// Every stable error code.
#[wasm_bindgen(js_name = errorCodes)]
pub fn error_codes() -> ErrorCodesJs {
    crate::ERROR_CODES.iter().map(|c| JsValue::from_str(c)).collect::<Array>().unchecked_into()
}

/// What to do after a failed attempt.
#[derive(Tsify)]
#[serde(tag = "decision", rename_all = "camelCase")]
pub enum RetryDecision {
    /// Wait `delayMs`, then try again (build and sign a Volcengine request again).
    Retry {
        /// How long to wait, ms.
        #[serde(rename = "delayMs")]
        delay_ms: f64,
    },
    /// Tell the token cache, get a new token, and try again at once.
    RefreshTokenThenRetry,
    /// Stop and report the error.
    GiveUp,
}

/// Plans the retries of one call: exponential backoff with full jitter, bounded attempts, at most
/// one token refresh. Make one per call.
#[wasm_bindgen(js_name = RetryPlanner)]
pub struct JsRetryPlanner(CoreRetryPlanner);

#[wasm_bindgen(js_class = RetryPlanner)]
impl JsRetryPlanner {
    /// A plan for one call (default: 3 attempts, 200 ms base, 10 s cap).
    #[wasm_bindgen(constructor)]
    pub fn new(policy: Option<Ts<RetryPolicy>>) -> JsResult<JsRetryPlanner> {
        Ok(Self(CoreRetryPlanner::new(RetryPolicy::read(policy.map(|p| p.js_value()).as_ref()).map_err(throw)?)))
    }

    /// Records a failed attempt (`error`: an `ImeditError`) and says what to do; `random` is a
    /// uniform value in [0, 1), e.g. `Math.random()`.
    #[wasm_bindgen(js_name = onError)]
    pub fn on_error(&mut self, error: ImeditErrorJs, random: f64) -> JsResult<Ts<RetryDecision>> {
        let e = error_from_js("error", &error).map_err(throw)?;
        let d = match self.0.on_error(&e, random) {
            CoreRetryDecision::Retry { delay_ms } => RetryDecision::Retry { delay_ms: delay_ms as f64 },
            CoreRetryDecision::RefreshTokenThenRetry => RetryDecision::RefreshTokenThenRetry,
            CoreRetryDecision::GiveUp => RetryDecision::GiveUp,
        };
        Ok(Ts::new_unchecked(d.to_js()))
    }

    /// The failed attempts so far.
    #[wasm_bindgen(getter)]
    pub fn attempts(&self) -> u32 {
        self.0.attempts()
    }
}

/// A rate limiter's state, to keep in a shared store.
#[derive(Tsify, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RateLimiterState {
    /// Permits available, in thousandths.
    tokens_milli: u64,
    /// When the state was last updated, Unix ms.
    updated_ms: u64,
}

/// A token-bucket rate limiter driven by your clock (Unix ms).
#[wasm_bindgen(js_name = RateLimiter)]
pub struct JsRateLimiter(CoreRateLimiter);

#[wasm_bindgen(js_class = RateLimiter)]
impl JsRateLimiter {
    /// `ratePerSec` permits per second, up to `burst` at once (both at least 1).
    #[wasm_bindgen(constructor)]
    pub fn new(#[wasm_bindgen(js_name = "ratePerSec")] rate_per_sec: u32, burst: u32) -> JsRateLimiter {
        Self(CoreRateLimiter::new(rate_per_sec, burst))
    }

    /// Volcengine `ModifyMessage`: 50 per second.
    #[wasm_bindgen(js_name = volcengineModifyMessage)]
    pub fn volcengine_modify_message() -> JsRateLimiter {
        Self(CoreRateLimiter::volcengine_modify_message())
    }

    /// Easemob REST calls: 100 per second per App Key.
    #[wasm_bindgen(js_name = easemobApp)]
    pub fn easemob_app() -> JsRateLimiter {
        Self(CoreRateLimiter::easemob_app())
    }

    /// The Easemob token endpoint: 300 per second per App Key.
    #[wasm_bindgen(js_name = easemobToken)]
    pub fn easemob_token() -> JsRateLimiter {
        Self(CoreRateLimiter::easemob_token())
    }

    /// A limiter continuing from a stored state.
    pub fn restore(
        #[wasm_bindgen(js_name = "ratePerSec")] rate_per_sec: u32,
        burst: u32,
        state: Ts<RateLimiterState>,
    ) -> JsResult<JsRateLimiter> {
        let s: RateLimiterState = read("state", &state.js_value()).map_err(throw)?;
        let state = LimiterState { tokens_milli: s.tokens_milli, updated_ms: s.updated_ms };
        Ok(Self(CoreRateLimiter::restore(rate_per_sec, burst, state)))
    }

    /// Takes a permit at `nowMs` and returns 0, or returns how many ms to wait before asking again.
    pub fn acquire(&mut self, #[wasm_bindgen(js_name = "nowMs")] now_ms: f64) -> JsResult<f64> {
        Ok(self.0.acquire(whole("now_ms", now_ms).map_err(throw)?) as f64)
    }

    /// The state to store.
    #[wasm_bindgen(getter)]
    pub fn state(&self) -> JsResult<Ts<RateLimiterState>> {
        let s = self.0.state();
        Ok(Ts::new_unchecked(RateLimiterState { tokens_milli: s.tokens_milli, updated_ms: s.updated_ms }.to_js()))
    }
}

impl ToJs for ResponseMetadata {
    fn to_js(&self) -> JsValue {
        let o = Obj::new();
        o.set("requestId", &*self.request_id);
        o.set("action", &*self.action);
        o.set("version", &*self.version);
        o.set("service", &*self.service);
        o.set("region", &*self.region);
        o.0.into()
    }
}

impl ToJs for OpenApiResponse {
    fn to_js(&self) -> JsValue {
        let o = Obj::new();
        o.set("metadata", self.metadata.to_js());
        o.opt("result", self.result.as_deref());
        o.0.into()
    }
}

impl ToJs for RewriteOutcome {
    fn to_js(&self) -> JsValue {
        let o = Obj::new();
        o.opt("path", self.path.as_deref());
        o.opt("uri", self.uri.as_deref());
        o.opt("timestamp", self.timestamp);
        o.opt("organization", self.organization.as_deref());
        o.opt("application", self.application.as_deref());
        o.opt("applicationName", self.application_name.as_deref());
        o.opt("action", self.action.as_deref());
        o.opt("duration", self.duration);
        o.0.into()
    }
}

impl ToJs for RetryDecision {
    fn to_js(&self) -> JsValue {
        let o = Obj::new();
        match self {
            Self::Retry { delay_ms } => {
                o.set("decision", "retry");
                o.set("delayMs", *delay_ms);
            }
            Self::RefreshTokenThenRetry => o.set("decision", "refreshTokenThenRetry"),
            Self::GiveUp => o.set("decision", "giveUp"),
        }
        o.0.into()
    }
}

impl ToJs for RateLimiterState {
    fn to_js(&self) -> JsValue {
        let o = Obj::new();
        o.set("tokensMilli", self.tokens_milli as f64);
        o.set("updatedMs", self.updated_ms as f64);
        o.0.into()
    }
}
