//! Easemob REST: `POST /{org}/{app}/token` and `PUT /{org}/{app}/messages/rewrite/{msg_id}`, with
//! the behaviour list of `easemob-rest.md` §6a.

use std::time::{Duration, Instant};

use imedit::{merge_ext, ExtMode};

use super::http::{gateway_page, reason, Req, Resp};
use super::state::{App, Check, FaultBody, FaultHit, State, Target, Token};
use super::Inner;
use crate::ojson::{object, Json};

/// The largest rewrite body, in bytes.
pub(crate) const MAX_REWRITE_BODY: usize = 5 * 1024;
/// How many times a message can be edited.
pub(crate) const MAX_EDITS: u32 = 10;

const SECURITY_EXCEPTION: &str = "org.apache.usergrid.rest.exceptions.SecurityException";
const REWRITE_EXCEPTION: &str = "MessageRewriteException";
const EXPIRED_TOKEN: &str = "Unable to authenticate due to expired access token";
const CORRUPT_TOKEN: &str = "Unable to authenticate due to corrupt access token";
const UNKNOWN_TOKEN: &str = "Unable to authenticate";
const BAD_BODY: &str = "Request body is invalid. Please check body is correct.";
const BAD_TYPE: &str = "The message is of a type that is currently not supported for modification.";
const UNAVAILABLE: &str = "The message is unavailable or has expired.";

/// The Easemob five-field error body.
pub(crate) fn error(now_ms: u64, status: u16, error: &str, exception: &str, description: &str) -> Resp {
    let body = object([
        ("error", Json::from(error)),
        ("exception", Json::from(exception)),
        ("timestamp", Json::from(now_ms)),
        ("duration", Json::from(0u64)),
        ("error_description", Json::from(description)),
    ]);
    Resp::json(status, &body).with_error(error)
}

fn app_not_found(now_ms: u64, org: &str, app: &str, rest: &str) -> Resp {
    error(
        now_ms,
        404,
        "organization_application_not_found",
        "OrganizationApplicationNotFoundException",
        &format!("Could not find application for {org}/{app} from URI: {org}/{app}/{rest}"),
    )
}

fn reach_limit(now_ms: u64) -> Resp {
    error(now_ms, 429, "reach_limit", "ReachLimitException", "This request has reached api limit")
}

/// 405 for a method the path does not take.
pub(crate) fn method_not_allowed(now_ms: u64) -> Resp {
    error(now_ms, 405, "web_application", "javax.ws.rs.NotAllowedException", "HTTP 405 Method Not Allowed")
}

/// 404 for a path no API has.
pub(crate) fn not_found(now_ms: u64) -> Resp {
    error(now_ms, 404, "service_resource_not_found", "ServiceResourceNotFoundException", "Service resource not found")
}

/// The reply of an injected fault.
pub(crate) fn fault_reply(now_ms: u64, status: u16, body: FaultBody, rewrite: bool) -> Resp {
    match body {
        FaultBody::Html => Resp::html(status, gateway_page(status)).with_error(format!("fault {status} (html)")),
        FaultBody::Empty => Resp::empty(status).with_error(format!("fault {status} (empty)")),
        FaultBody::Vendor => match status {
            500 if rewrite => error(
                now_ms,
                500,
                "RewriteMessageInternalErrorException",
                "RewriteMessageInternalErrorException",
                "An unknown error occurred while processing the request.",
            ),
            429 => reach_limit(now_ms),
            401 => error(now_ms, 401, "unauthorized", SECURITY_EXCEPTION, EXPIRED_TOKEN),
            408 => error(now_ms, 408, "request_timeout", "java.util.concurrent.TimeoutException", "Request Timeout"),
            500 => error(
                now_ms,
                500,
                "internal_server_error",
                "java.lang.RuntimeException",
                "An unknown error occurred while processing the request.",
            ),
            502 => error(now_ms, 502, "bad_gateway", "BadGatewayException", "Bad Gateway"),
            503 => error(now_ms, 503, "service_unavailable", "ServiceUnavailableException", "Service Unavailable"),
            504 => error(now_ms, 504, "gateway_timeout", "GatewayTimeoutException", "Gateway Timeout"),
            other => error(now_ms, other, "web_application", "javax.ws.rs.WebApplicationException", reason(other)),
        },
    }
}

/// Applies a drawn fault: waits its latency (with no lock held), then returns its error reply, if
/// it has a status.
fn apply_fault(hit: FaultHit, inner: &Inner, rewrite: bool) -> Option<Resp> {
    if hit.latency_ms > 0 {
        std::thread::sleep(Duration::from_millis(hit.latency_ms));
    }
    let status = hit.status?;
    Some(fault_reply(inner.lock().clock.now_ms(), status, hit.body, rewrite))
}

/// `POST /{org}/{app}/token`.
pub(crate) fn token(inner: &Inner, req: &Req, org: &str, app: &str) -> Resp {
    let hit = inner.lock().take_fault(Target::EasemobToken);
    if let Some(reply) = hit.and_then(|h| apply_fault(h, inner, false)) {
        return reply;
    }
    let mut st = inner.lock();
    let now = st.clock.now_ms();
    if req.method != "POST" {
        return method_not_allowed(now);
    }
    let token_value = next_token(inner, &mut st);
    let Some(app_state) = st.app_mut(org, app) else {
        return app_not_found(now, org, app, "token");
    };
    if !app_state.token_limit.allow(now) {
        return reach_limit(now);
    }
    let Ok(body @ Json::Object(_)) = Json::parse(&req.body) else {
        return error(
            now,
            400,
            "json_parse",
            "com.fasterxml.jackson.core.JsonParseException",
            "Unexpected character in the request body: it is not a JSON object.",
        );
    };
    let grant = body.get("grant_type").and_then(Json::as_str).unwrap_or_default();
    let issued = match grant {
        "client_credentials" => client_credentials(app_state, &body, now, token_value),
        "agora" => agora_exchange(app_state, req, now, token_value),
        _ => Err(error(
            now,
            400,
            "illegal_argument",
            "java.lang.IllegalArgumentException",
            "grant_type must be client_credentials or agora",
        )),
    };
    match issued {
        Ok(reply) => {
            st.stats.tokens_issued += 1;
            reply
        }
        Err(reply) => reply,
    }
}

fn client_credentials(app: &mut App, body: &Json, now: u64, token: String) -> Result<Resp, Resp> {
    let text = |key: &str| body.get(key).and_then(Json::as_str).filter(|s| !s.is_empty());
    let illegal = |d: &str| error(now, 400, "illegal_argument", "java.lang.IllegalArgumentException", d);
    let (Some(id), Some(secret)) = (text("client_id"), text("client_secret")) else {
        return Err(illegal(if text("client_id").is_none() {
            "client_id must be provided."
        } else {
            "client_secret must be provided"
        }));
    };
    let invalid = |d: &str| error(now, 400, "invalid_grant", "InvalidGrantException", d);
    if id != app.client_id {
        return Err(invalid("client_id does not match"));
    }
    if secret != app.client_secret {
        return Err(invalid("client_secret does not match"));
    }
    let ttl = match body.get("ttl") {
        None | Some(Json::Null) => app.default_ttl_secs,
        Some(Json::String(s)) => s.parse().map_err(|_| illegal("ttl must be a non-negative integer"))?,
        Some(v) => v.as_u64().ok_or_else(|| illegal("ttl must be a non-negative integer"))?,
    };
    let expires_ms = (ttl > 0).then(|| now.saturating_add(ttl.saturating_mul(1000)));
    app.tokens.insert(token.clone(), Token { issued_ms: now, expires_ms });
    Ok(Resp::json(
        200,
        &object([
            ("access_token", Json::from(token)),
            ("expires_in", Json::from(ttl)),
            ("application", Json::from(app.application.as_str())),
        ]),
    ))
}

fn agora_exchange(app: &mut App, req: &Req, now: u64, token: String) -> Result<Resp, Resp> {
    let bearer = req.header("authorization").and_then(|h| h.strip_prefix("Bearer ").map(str::to_owned));
    if !bearer.is_some_and(|b| app.agora_tokens.contains(&b)) {
        return Err(error(now, 401, "auth_bad_access_token", SECURITY_EXCEPTION, UNKNOWN_TOKEN));
    }
    let expires_ms = now.saturating_add(app.default_ttl_secs.saturating_mul(1000));
    app.tokens.insert(token.clone(), Token { issued_ms: now, expires_ms: Some(expires_ms) });
    Ok(Resp::json(200, &object([("access_token", Json::from(token)), ("expire_timestamp", Json::from(expires_ms))])))
}

/// A fresh opaque token, `YWMt` and 60 URL-safe characters.
fn next_token(inner: &Inner, st: &mut State) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    st.token_seq += 1;
    let mut out = String::from("YWMt");
    let mut bits = inner.rng.next_u64() ^ st.token_seq;
    for i in 0..60 {
        if i % 10 == 0 {
            bits = inner.rng.next_u64();
        }
        out.push(char::from(ALPHABET.get(usize::try_from(bits & 63).unwrap_or(0)).copied().unwrap_or(b'A')));
        bits >>= 6;
    }
    out
}

/// Whether a token looks like one the service issues.
fn well_formed(token: &str) -> bool {
    token.len() >= 16
        && token.starts_with("YWMt")
        && token.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
}

/// The parsed parts of a rewrite request that the checks look at.
struct Rewrite {
    org: String,
    app: String,
    msg_id: String,
    /// The body, when it parses as JSON.
    body: Option<Json>,
    /// The app's index in the state, once looked up.
    app_index: Option<usize>,
    /// Whether this request marked the message as being edited.
    locked: bool,
}

impl Rewrite {
    fn new_msg(&self) -> Option<&Json> {
        self.body.as_ref()?.get("new_msg").filter(|m| !m.is_null())
    }

    /// The requested type, with `image` read as `img`.
    fn new_type(&self) -> Option<&str> {
        let t = self.new_msg()?.get("type")?.as_str()?;
        Some(if t == "image" { "img" } else { t })
    }
}

/// Why a body is `invalid_request_body`, or `None` when every field has the right JSON type.
fn type_error(body: Option<&Json>) -> Option<&'static str> {
    let Some(body @ Json::Object(_)) = body else {
        return Some("the body is not a JSON object");
    };
    let is_str_or_null = |v: Option<&Json>| matches!(v, None | Some(Json::Null | Json::String(_)));
    if !is_str_or_null(body.get("user")) {
        return Some("user is not a string");
    }
    match body.get("new_msg") {
        None | Some(Json::Null) => {}
        Some(m @ Json::Object(_)) => {
            if !matches!(m.get("type"), Some(Json::String(_))) {
                return Some("new_msg.type is not a string");
            }
            if !is_str_or_null(m.get("msg")) || !is_str_or_null(m.get("customEvent")) {
                return Some("new_msg.msg or new_msg.customEvent is not a string");
            }
            match m.get("customExts") {
                None | Some(Json::Null) => {}
                Some(Json::Object(members)) if members.iter().all(|(_, v)| v.as_str().is_some()) => {}
                Some(_) => return Some("new_msg.customExts is not a map of strings"),
            }
        }
        Some(_) => return Some("new_msg is not an object"),
    }
    if !matches!(body.get("new_ext"), None | Some(Json::Object(_))) {
        return Some("new_ext is not an object");
    }
    if !matches!(body.get("is_combine_ext"), None | Some(Json::Bool(_))) {
        return Some("is_combine_ext is not a boolean");
    }
    None
}

fn invalid_body(now: u64) -> Resp {
    error(now, 400, "invalid_request_body", "InvalidRequestBodyException", BAD_BODY)
}

/// Whether a `customEvent` matches `[a-zA-Z0-9-_/\.]{1,32}`.
fn valid_custom_event(event: &str) -> bool {
    (1..=32).contains(&event.len()) && event.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_/.".contains(&b))
}

/// The rewrite types the service takes.
const EDITABLE: [&str; 8] = ["txt", "img", "audio", "video", "file", "loc", "custom", "combine"];

/// One check; `Err` is the reply that ends the request.
fn run_check(check: Check, st: &mut State, req: &Req, rw: &mut Rewrite, now: u64) -> Result<(), Resp> {
    let app = rw.app_index.and_then(|i| st.apps.get_mut(i));
    match check {
        Check::App => match app {
            Some(_) => Ok(()),
            None => Err(app_not_found(now, &rw.org, &rw.app, &format!("messages/rewrite/{}", rw.msg_id))),
        },
        Check::Auth => {
            let Some(app) = app else { return Ok(()) };
            let header = req.header("authorization");
            let Some(header) = header.filter(|h| !h.trim().is_empty()) else {
                return Err(error(now, 401, "unauthorized", SECURITY_EXCEPTION, EXPIRED_TOKEN));
            };
            let token = match header.strip_prefix("Bearer ") {
                Some(t) if well_formed(t) => t,
                _ => return Err(error(now, 401, "auth_bad_access_token", SECURITY_EXCEPTION, CORRUPT_TOKEN)),
            };
            match app.tokens.get(token) {
                None => Err(error(now, 401, "auth_bad_access_token", SECURITY_EXCEPTION, UNKNOWN_TOKEN)),
                Some(t) if t.expires_ms.is_some_and(|e| now >= e) => {
                    Err(error(now, 401, "unauthorized", SECURITY_EXCEPTION, EXPIRED_TOKEN))
                }
                Some(_) => Ok(()),
            }
        }
        Check::Rate => match app {
            Some(app) => {
                if app.rewrite_limit.allow(now) {
                    Ok(())
                } else {
                    Err(reach_limit(now))
                }
            }
            None => Ok(()),
        },
        Check::Feature => match app {
            Some(app) if !app.rewrite_enabled => Err(error(
                now,
                403,
                "message_rewrite_error",
                REWRITE_EXCEPTION,
                "The rewrite message feature is not open.",
            )),
            _ => Ok(()),
        },
        Check::ContentType => {
            let json = |ct: &str| {
                let essence = ct.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
                essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
            };
            match req.header("content-type") {
                Some(ct) if !json(&ct) => Err(error(
                    now,
                    415,
                    "web_application",
                    "javax.ws.rs.NotSupportedException",
                    "Unsupported Media Type",
                )),
                _ => Ok(()),
            }
        }
        Check::Size => {
            if req.truncated || req.body.len() > MAX_REWRITE_BODY {
                Err(error(
                    now,
                    413,
                    "Request Entity Too Large",
                    "javax.ws.rs.WebApplicationException",
                    "Request Entity Too Large",
                ))
            } else {
                Ok(())
            }
        }
        Check::Body => match type_error(rw.body.as_ref()) {
            Some(_) => Err(invalid_body(now)),
            None => Ok(()),
        },
        Check::NewMsg => match &rw.body {
            Some(body @ Json::Object(_)) if body.get("new_msg").is_none_or(Json::is_null) => {
                Err(error(now, 400, "illegal_argument", "java.lang.IllegalArgumentException", "new_msg is required"))
            }
            _ => Ok(()),
        },
        Check::MessageId => {
            if rw.msg_id.bytes().all(|b| b.is_ascii_digit()) && rw.msg_id.parse::<i64>().is_ok() {
                Ok(())
            } else {
                Err(error(
                    now,
                    400,
                    "InvalidMessageIdException",
                    "InvalidMessageIdException",
                    "The provided message ID is not a valid number.",
                ))
            }
        }
        Check::Message => {
            let Some(app) = app else { return Ok(()) };
            let lifetime = app.message_lifetime_secs;
            match app.messages.get(&rw.msg_id) {
                Some(m) if !m.is_expired(now, lifetime) => Ok(()),
                _ => Err(error(now, 404, "message_rewrite_error", "MessageUnavailableException", UNAVAILABLE)),
            }
        }
        Check::Type => {
            let Some(message) = app.and_then(|a| a.messages.get(&rw.msg_id)) else { return Ok(()) };
            let Some(new_type) = rw.new_type() else { return Ok(()) };
            let stored = if message.kind == "image" { "img" } else { message.kind.as_str() };
            if stored == "cmd" || !EDITABLE.contains(&new_type) || new_type != stored {
                Err(error(now, 400, "message_rewrite_error", REWRITE_EXCEPTION, BAD_TYPE))
            } else {
                Ok(())
            }
        }
        Check::Permission => {
            let Some(app) = app.filter(|a| a.check_permissions) else { return Ok(()) };
            let Some(message) = app.messages.get(&rw.msg_id) else { return Ok(()) };
            let Some(user) = rw.body.as_ref().and_then(|b| b.get("user")).and_then(Json::as_str) else {
                return Ok(());
            };
            let same = |a: &str| a.eq_ignore_ascii_case(user);
            let allowed =
                same(&message.from) || (message.chat_type != "chat" && message.admins.iter().any(|a| same(a)));
            if allowed {
                Ok(())
            } else {
                Err(error(
                    now,
                    401,
                    "message_rewrite_error",
                    REWRITE_EXCEPTION,
                    "You are not authorized to edit this message.",
                ))
            }
        }
        Check::EditLimit => match app.and_then(|a| a.messages.get(&rw.msg_id)) {
            Some(m) if m.edit_count >= MAX_EDITS => Err(error(
                now,
                403,
                "message_rewrite_error",
                REWRITE_EXCEPTION,
                "The message has reached its edit limit and cannot be modified further.",
            )),
            _ => Ok(()),
        },
        Check::Concurrency => match app.and_then(|a| a.messages.get_mut(&rw.msg_id)) {
            Some(m) if m.editing => Err(error(
                now,
                409,
                "concurrent_operation_error",
                "ConcurrentOperationException",
                "The message has been edited by another.",
            )),
            Some(m) => {
                m.editing = true;
                rw.locked = true;
                Ok(())
            }
            None => Ok(()),
        },
        // Handled by the caller, which must release the lock while it waits.
        Check::Fault => Ok(()),
    }
}

/// `PUT /{org}/{app}/messages/rewrite/{msg_id}`.
pub(crate) fn rewrite(inner: &Inner, req: &Req, org: &str, app: &str, msg_id: &str) -> Resp {
    let started = Instant::now();
    let mut st = inner.lock();
    let now = st.clock.now_ms();
    if req.method != "PUT" {
        return method_not_allowed(now);
    }
    let mut rw = Rewrite {
        org: org.to_owned(),
        app: app.to_owned(),
        msg_id: msg_id.to_owned(),
        body: Json::parse(&req.body).ok(),
        app_index: st.apps.iter().position(|a| a.org_name == org && a.app_name == app),
        locked: false,
    };
    let order = st.check_order.clone();
    let mut outcome = Ok(());
    for check in order {
        if check == Check::Fault {
            if let Some(hit) = st.take_fault(Target::EasemobRewrite) {
                drop(st);
                let reply = apply_fault(hit, inner, true);
                st = inner.lock();
                if let Some(reply) = reply {
                    outcome = Err(reply);
                    break;
                }
            }
            continue;
        }
        let now = st.clock.now_ms();
        outcome = run_check(check, &mut st, req, &mut rw, now);
        if outcome.is_err() {
            break;
        }
    }
    let now = st.clock.now_ms();
    let outcome = outcome.and_then(|()| apply(&mut st, req, &rw, now, started));
    if rw.locked {
        if let Some(m) = rw.app_index.and_then(|i| st.apps.get_mut(i)).and_then(|a| a.messages.get_mut(msg_id)) {
            m.editing = false;
        }
    }
    outcome.unwrap_or_else(|reply| reply)
}

/// Applies a rewrite that passed every check.
fn apply(st: &mut State, req: &Req, rw: &Rewrite, now: u64, started: Instant) -> Result<Resp, Resp> {
    let body = rw.body.clone().unwrap_or_default();
    let Some(app) = rw.app_index.and_then(|i| st.apps.get_mut(i)) else {
        return Err(not_found(now));
    };
    let application = app.application.clone();
    let Some(message) = app.messages.get_mut(&rw.msg_id) else {
        return Err(error(now, 404, "message_rewrite_error", "MessageUnavailableException", UNAVAILABLE));
    };
    let new_msg = body.get("new_msg").cloned().unwrap_or_default();
    match message.kind.as_str() {
        "txt" => {
            if let Some(msg) = new_msg.get("msg").and_then(Json::as_str) {
                message.body.set("msg", Json::from(msg));
            }
        }
        "custom" => {
            let event = new_msg.get("customEvent").and_then(Json::as_str);
            let exts = new_msg.get("customExts").filter(|e| !e.is_null());
            if event.is_some_and(|e| !valid_custom_event(e))
                || exts.and_then(Json::as_object).is_some_and(|e| e.len() > 16)
            {
                return Err(invalid_body(now));
            }
            if let Some(event) = event {
                message.body.set("customEvent", Json::from(event));
            }
            if let Some(exts) = exts {
                message.body.set("customExts", exts.clone());
            }
        }
        _ => {}
    }
    if let Some(new_ext) = body.get("new_ext").and_then(Json::as_object) {
        let mode = if body.get("is_combine_ext").and_then(Json::as_bool) == Some(false) {
            ExtMode::Replace
        } else {
            ExtMode::Merge
        };
        message.ext = merge_json(message.ext.as_object().unwrap_or_default(), new_ext, mode);
    }
    let user = body.get("user").and_then(Json::as_str).unwrap_or("admin");
    message.edit_count += 1;
    message.operator = Some(user.to_owned());
    message.edit_time_ms = Some(now);
    message.stored_at_ms = now;
    let org = rw.org.clone();
    let app_name = rw.app.clone();
    st.stats.rewrites_applied += 1;
    let host = req.header("host").unwrap_or_else(|| "localhost".to_owned());
    let path = format!("/messages/rewrite/{}", rw.msg_id);
    Ok(Resp::json(
        200,
        &object([
            ("path", Json::from(path.as_str())),
            ("uri", Json::from(format!("http://{host}{}", req.path))),
            ("timestamp", Json::from(now)),
            ("organization", Json::from(org)),
            ("application", Json::from(application)),
            ("action", Json::from("put")),
            ("data", Json::from("success")),
            ("duration", Json::from(u64::try_from(started.elapsed().as_millis()).unwrap_or(0))),
            ("applicationName", Json::from(app_name)),
        ]),
    ))
}

/// The ext after an edit, by the core's rule ([`imedit::merge_ext`]), for values of any JSON type
/// (each value travels as its JSON text).
fn merge_json(current: &[(String, Json)], patch: &[(String, Json)], mode: ExtMode) -> Json {
    let text = |pairs: &[(String, Json)]| pairs.iter().map(|(k, v)| (k.clone(), v.to_text())).collect::<Vec<_>>();
    let merged = merge_ext(&text(current), &text(patch), mode);
    crate::ojson::object(merged.into_iter().map(|(k, v)| (k, Json::parse(v.as_bytes()).unwrap_or_default())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_type_rules() {
        let check = |text: &str| type_error(Json::parse(text.as_bytes()).ok().as_ref());
        assert_eq!(check(r#"{"new_msg":{"type":"txt","msg":"x"},"new_ext":{"a":1},"is_combine_ext":false}"#), None);
        assert_eq!(check(r#"{}"#), None);
        for bad in [
            "[]",
            "not json",
            r#"{"new_msg":"txt"}"#,
            r#"{"new_msg":{"type":1}}"#,
            r#"{"new_msg":{"type":"custom","customExts":{"a":1}}}"#,
            r#"{"new_msg":{"type":"txt"},"new_ext":null}"#,
            r#"{"new_msg":{"type":"txt"},"is_combine_ext":"yes"}"#,
            r#"{"user":7,"new_msg":{"type":"txt"}}"#,
        ] {
            assert!(check(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn custom_events() {
        assert!(valid_custom_event("order.created/v1-x_y"));
        assert!(!valid_custom_event(""));
        assert!(!valid_custom_event("has space"));
        assert!(!valid_custom_event(&"a".repeat(33)));
    }

    #[test]
    fn merges_by_the_core_rule() {
        let ext = |t: &str| Json::parse(t.as_bytes()).unwrap();
        let current = ext(r#"{"key1":"value1","n":1}"#);
        let patch = ext(r#"{"n":{"deep":true},"key3":"value3"}"#);
        let merged = merge_json(current.as_object().unwrap(), patch.as_object().unwrap(), ExtMode::Merge);
        assert_eq!(merged.to_text(), r#"{"key1":"value1","n":{"deep":true},"key3":"value3"}"#);
        let replaced = merge_json(current.as_object().unwrap(), patch.as_object().unwrap(), ExtMode::Replace);
        assert_eq!(replaced.to_text(), patch.to_text());
    }
}
