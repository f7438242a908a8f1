//! Volcengine OpenAPI: `POST /?Action=ModifyMessage&Version=2020-12-01`, with signature checks
//! done by the core's signer.

use std::time::Duration;

use imedit::volcengine::{self, Credentials, Scheme, SignableRequest, SigningParams, ACTION, SERVICE, VERSION};
use imedit::{merge_ext, ExtMode};

use super::http::{gateway_page, percent_decode, Req, Resp};
use super::state::{string_map, FaultBody, Limit, State, Target};
use super::Inner;
use crate::ojson::{object, Json};

/// The reply envelope, `{"ResponseMetadata": {...}}`, with an `Error` or a `Result`.
struct Envelope<'a> {
    request_id: String,
    action: &'a str,
    version: &'a str,
    region: &'a str,
}

impl Envelope<'_> {
    fn metadata(&self, error: Option<Json>) -> Json {
        let mut meta = object([
            ("RequestId", Json::from(self.request_id.as_str())),
            ("Action", Json::from(self.action)),
            ("Version", Json::from(self.version)),
            ("Service", Json::from(SERVICE)),
            ("Region", Json::from(self.region)),
        ]);
        if let Some(error) = error {
            meta.set("Error", error);
        }
        meta
    }

    fn error(&self, status: u16, code: &str, code_n: Option<u64>, message: &str) -> Resp {
        let mut error = Json::object();
        if let Some(n) = code_n {
            error.set("CodeN", Json::from(n));
        }
        error.set("Code", Json::from(code));
        error.set("Message", Json::from(message));
        Resp::json(status, &object([("ResponseMetadata", self.metadata(Some(error)))])).with_error(code)
    }

    fn success(&self) -> Resp {
        Resp::json(200, &object([("ResponseMetadata", self.metadata(None)), ("Result", Json::object())]))
    }
}

/// A request id in Volcengine's shape: the UTC time (14 digits) and 18 upper-case hex digits.
fn request_id(inner: &Inner, now_ms: u64) -> String {
    let stamp: String =
        volcengine::x_date(now_ms / 1000).unwrap_or_default().chars().filter(char::is_ascii_digit).collect();
    let random = inner.rng.next_u64();
    format!("{stamp}{:016X}{:02X}", random, (random >> 7) & 0xff)
}

/// Constant-time comparison of two signatures.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Headers the signer derives itself; their values come from the request's own fields.
const DERIVED: [&str; 4] = ["host", "x-date", "x-content-sha256", "x-security-token"];

/// Checks the signature the way the service does. Returns the access key id.
fn verify(st: &State, req: &Req, env: &Envelope<'_>, now_ms: u64) -> Result<String, Resp> {
    let Some(header) = req.header("authorization") else {
        return Err(env.error(
            401,
            "MissingAuthenticationToken",
            Some(100_003),
            "The request is not signed: the Authorization header is missing.",
        ));
    };
    let Ok(auth) = volcengine::Authorization::parse(&header) else {
        return Err(env.error(
            400,
            "InvalidAuthorization",
            None,
            "The Authorization header is malformed; expected HMAC-SHA256 Credential=AK/date/region/service/request, SignedHeaders=..., Signature=...",
        ));
    };
    let Some(credential) = st.volc.credentials.iter().find(|c| c.access_key_id == auth.access_key_id) else {
        return Err(env.error(
            401,
            "InvalidAccessKey",
            Some(100_009),
            "The access key id you provided does not exist in our records.",
        ));
    };
    let Some(x_date) = req.header("x-date") else {
        return Err(env.error(400, "MissingRequestInfo", Some(100_004), "The request is missing the X-Date header."));
    };
    let now = now_ms / 1000;
    let skew_ok = volcengine::parse_x_date(&x_date).ok().filter(|t| t.abs_diff(now) <= st.volc.max_skew_secs);
    let Some(time) = skew_ok else {
        return Err(env.error(
            400,
            "InvalidTimestamp",
            Some(100_006),
            &format!(
                "X-Date {x_date:?} is invalid, or more than {} seconds away from the server time.",
                st.volc.max_skew_secs
            ),
        ));
    };
    let token = req.header("x-security-token");
    if token.as_deref() != credential.session_token.as_deref() {
        return Err(env.error(
            401,
            "InvalidSecretToken",
            None,
            "The X-Security-Token is missing, or does not belong to the access key.",
        ));
    }
    let mismatch = || {
        env.error(
            401,
            "SignatureDoesNotMatch",
            Some(100_010),
            "The request signature we calculated does not match the signature you provided. Check your secret access key and signing method.",
        )
    };
    // Every signed header the signer does not derive itself, with the value as received.
    let mut headers = Vec::with_capacity(auth.signed_headers.len());
    for name in &auth.signed_headers {
        if DERIVED.contains(&name.as_str()) {
            continue;
        }
        match req.header(name) {
            Some(value) if name != "authorization" => headers.push((name.clone(), value)),
            _ => return Err(mismatch()),
        }
    }
    let signable = SignableRequest {
        method: req.method.clone(),
        scheme: Scheme::Http,
        host: req.header("host").unwrap_or_default(),
        path: percent_decode(&req.path, false),
        query: req.query_pairs(),
        headers,
        body: req.body.clone(),
    };
    let params = SigningParams {
        region: st.volc.region.clone(),
        service: SERVICE.to_owned(),
        time,
        signed_headers: Some(auth.signed_headers.clone()),
    };
    let credentials = Credentials::new(credential.access_key_id.as_str(), credential.secret_access_key.as_str())
        .and_then(|c| match &token {
            Some(t) => c.with_session_token(t.as_str()),
            None => Ok(c),
        });
    let expected = credentials.and_then(|c| volcengine::sign(&c, &signable, &params)).map_err(|_| mismatch())?;
    if same(expected.stages.signature(), &auth.signature) {
        Ok(auth.access_key_id)
    } else {
        Err(mismatch())
    }
}

/// The reply of an injected fault.
fn fault_reply(env: &Envelope<'_>, status: u16, body: FaultBody) -> Resp {
    match body {
        FaultBody::Html => Resp::html(status, gateway_page(status)).with_error(format!("fault {status} (html)")),
        FaultBody::Empty => Resp::empty(status).with_error(format!("fault {status} (empty)")),
        FaultBody::Vendor => match status {
            429 => env.error(429, "FlowLimitExceeded", None, "The request rate is over the limit."),
            500 => env.error(500, "InternalError", Some(100_014), "An internal error occurred."),
            502 => env.error(502, "InternalServiceError", None, "The service behind the gateway failed."),
            503 => env.error(503, "ServiceUnavailableTemp", None, "The service is temporarily unavailable."),
            504 => env.error(504, "InternalServiceTimeout", Some(100_016), "The service behind the gateway timed out."),
            other => env.error(other, "UndefinedError", Some(100_001), "An undefined error occurred."),
        },
    }
}

/// `POST /?Action=ModifyMessage&Version=2020-12-01` (and any other OpenAPI request, refused).
pub(crate) fn handle(inner: &Inner, req: &Req) -> Resp {
    let action = req.query_param("Action").unwrap_or_default();
    let version = req.query_param("Version").unwrap_or_default();
    let (now, region) = {
        let st = inner.lock();
        (st.clock.now_ms(), st.volc.region.clone())
    };
    let env = Envelope { request_id: request_id(inner, now), action: &action, version: &version, region: &region };
    if req.path != "/" || action != ACTION || version != VERSION {
        return env.error(
            404,
            "InvalidActionOrVersion",
            Some(100_008),
            &format!("Could not find operation {action:?} for version {version:?} on service {SERVICE}."),
        );
    }
    let hit = inner.lock().take_fault(Target::Volcengine);
    if let Some(hit) = hit {
        if hit.latency_ms > 0 {
            std::thread::sleep(Duration::from_millis(hit.latency_ms));
        }
        if let Some(status) = hit.status {
            return fault_reply(&env, status, hit.body);
        }
    }
    let mut st = inner.lock();
    let now = st.clock.now_ms();
    if req.method != "POST" {
        return env.error(405, "MethodNotAllowed", None, "ModifyMessage takes POST.");
    }
    let access_key = match verify(&st, req, &env, now) {
        Ok(ak) => ak,
        Err(reply) => return reply,
    };
    let qps = st.volc.qps;
    if !st.volc.limits.entry(access_key).or_insert_with(|| Limit::new(qps)).allow(now) {
        return env.error(
            429,
            "FlowLimitExceeded",
            None,
            &format!("The request rate is over the limit of {qps} per second."),
        );
    }
    match modify(&mut st, req, &env) {
        Ok(()) => {
            st.stats.volc_modified += 1;
            env.success()
        }
        Err(reply) => reply,
    }
}

/// Checks the body and applies the edit.
fn modify(st: &mut State, req: &Req, env: &Envelope<'_>) -> Result<(), Resp> {
    if req.body.is_empty() {
        return Err(env.error(400, "InvalidParameter.BodyIsEmpty", None, "The request body is empty."));
    }
    let unmarshal = |what: &str| {
        env.error(400, "InvalidParameter.Unmarshal", None, &format!("The request body could not be read: {what}."))
    };
    let body = match Json::parse(&req.body) {
        Ok(body @ Json::Object(_)) => body,
        _ => return Err(unmarshal("it is not a JSON object")),
    };
    let mut ids = [0i64; 3];
    for (slot, name) in ids.iter_mut().zip(["AppId", "ConversationShortId", "MessageId"]) {
        *slot = match body.get(name) {
            None | Some(Json::Null) => {
                return Err(env.error(
                    400,
                    "MissingParameter",
                    Some(100_002),
                    &format!("The parameter {name} is required."),
                ))
            }
            Some(v) => v.as_i64().ok_or_else(|| unmarshal(&format!("{name} is not a 64-bit integer")))?,
        };
    }
    let ext = match body.get("Ext") {
        None | Some(Json::Null) => None,
        Some(v) => Some(string_map(v).ok_or_else(|| unmarshal("Ext is not a map of strings"))?),
    };
    let content = match body.get("Content") {
        None | Some(Json::Null) => None,
        Some(Json::String(c)) if Json::parse(c.as_bytes()).is_ok() => Some(c.clone()),
        Some(Json::String(_)) => {
            return Err(env.error(
                400,
                "InvalidParameter.Content",
                None,
                "Content is not a JSON document in the client message format.",
            ))
        }
        Some(_) => return Err(unmarshal("Content is not a string")),
    };
    let [app_id, conversation, message_id] = ids;
    if !st.volc.app_ids.contains(&app_id) {
        return Err(env.error(400, "InvalidParameter.NotExistAppId", None, &format!("AppId {app_id} does not exist.")));
    }
    let Some(message) = st.volc.messages.get_mut(&(app_id, conversation, message_id)) else {
        return Err(env.error(
            400,
            "InvalidParameter.MessageNotExist",
            None,
            "The message does not exist in this conversation.",
        ));
    };
    if message.expired {
        return Err(env.error(
            400,
            "InvalidParameter.MessageExpired",
            None,
            "The message has expired and cannot be modified.",
        ));
    }
    if let Some(ext) = ext {
        message.ext = merge_ext(&message.ext, &ext, ExtMode::Merge);
    }
    if content.is_some() {
        message.content = content;
    }
    message.modify_count += 1;
    Ok(())
}
