//! The admin API, `/_emulator/...`: seed, read back, inject faults, move the clock.

use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::config::{AppSeed, MessageSeed, Seed, VolcCredential, VolcMessageSeed};
use super::http::{Req, Resp};
use super::state::{real_ms, volc_message_from_seed, App, FaultSpec, Limit, Message, State, Stats};
use super::Inner;
use crate::ojson::{object, Json};

fn ok(body: Json) -> Resp {
    Resp::json(200, &body)
}

fn fail(status: u16, error: &str, message: impl Into<String>) -> Resp {
    Resp::json(status, &object([("error", Json::from(error)), ("message", Json::from(message.into()))]))
        .with_error(error)
}

fn not_found(what: impl Into<String>) -> Resp {
    fail(404, "not_found", what)
}

/// Parses a JSON body into `T`, or a 400 reply.
fn body<T: DeserializeOwned>(req: &Req) -> Result<T, Resp> {
    let text: &[u8] = if req.body.is_empty() { b"{}" } else { &req.body };
    serde_json::from_slice(text).map_err(|e| fail(400, "bad_request", format!("invalid body: {e}")))
}

/// Parses a JSON object body after setting some of its members (the ids taken from the path),
/// keeping the order of every object in it.
fn body_with<T: DeserializeOwned>(req: &Req, members: &[(&str, &str)]) -> Result<T, Resp> {
    let text: &[u8] = if req.body.is_empty() { b"{}" } else { &req.body };
    let mut value = Json::parse(text).map_err(|e| fail(400, "bad_request", format!("invalid body: {e}")))?;
    if value.as_object().is_none() {
        return Err(fail(400, "bad_request", "the body must be a JSON object"));
    }
    for (k, v) in members {
        value.set(k, Json::from(*v));
    }
    serde_json::from_str(&value.to_text()).map_err(|e| fail(400, "bad_request", format!("invalid body: {e}")))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TimeChange {
    #[serde(default)]
    freeze: Option<bool>,
    #[serde(default)]
    offset_ms: Option<i64>,
    #[serde(default)]
    offset_secs: Option<i64>,
    #[serde(default)]
    advance_ms: Option<i64>,
    #[serde(default)]
    advance_secs: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AppChange {
    #[serde(default)]
    rewrite_enabled: Option<bool>,
    #[serde(default)]
    rate_limit: Option<u32>,
    #[serde(default)]
    token_rate_limit: Option<u32>,
    #[serde(default)]
    default_ttl_secs: Option<u64>,
    #[serde(default)]
    check_permissions: Option<bool>,
    #[serde(default)]
    message_lifetime_secs: Option<u64>,
    #[serde(default)]
    client_secret: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VolcChange {
    #[serde(default)]
    region: Option<String>,
    #[serde(default)]
    qps: Option<u32>,
    #[serde(default)]
    max_skew_secs: Option<u64>,
}

fn state_view(st: &State) -> Json {
    let now = st.clock.now_ms();
    object([
        ("time", st.clock.view()),
        ("volcengine", volc_view(st)),
        (
            "easemob",
            object([
                ("check_order", Json::Array(st.check_order.iter().map(|c| Json::from(c.name())).collect())),
                ("apps", Json::Array(st.apps.iter().map(|a| a.view(now)).collect())),
            ]),
        ),
        ("faults", Json::Array(st.faults.iter().map(FaultSpec::view).collect())),
        ("stats", st.stats.view()),
    ])
}

fn volc_view(st: &State) -> Json {
    object([
        ("region", Json::from(st.volc.region.as_str())),
        ("qps", Json::from(u64::from(st.volc.qps))),
        ("max_skew_secs", Json::from(st.volc.max_skew_secs)),
        (
            "access_key_ids",
            Json::Array(st.volc.credentials.iter().map(|c| Json::from(c.access_key_id.as_str())).collect()),
        ),
        ("app_ids", Json::Array(st.volc.app_ids.iter().map(|id| Json::from(id.to_string())).collect())),
        ("messages", Json::Array(st.volc.messages.iter().map(|(k, m)| m.view(*k)).collect())),
    ])
}

fn parse_ids(a: &str, c: &str, m: &str) -> Option<(i64, i64, i64)> {
    Some((a.parse().ok()?, c.parse().ok()?, m.parse().ok()?))
}

/// Handles `/_emulator/...`.
pub(crate) fn handle(inner: &Inner, req: &Req) -> Resp {
    let segments = req.segments();
    let rest: Vec<&str> = segments.iter().skip(1).map(String::as_str).collect();
    match route(inner, req, &rest) {
        Ok(reply) | Err(reply) => reply,
    }
}

fn route(inner: &Inner, req: &Req, rest: &[&str]) -> Result<Resp, Resp> {
    let method = req.method.as_str();
    let mut st = inner.lock();
    let now = st.clock.now_ms();
    let reply = match (method, rest) {
        ("GET", ["health"]) => {
            ok(object([("ok", Json::from(true)), ("version", Json::from(env!("CARGO_PKG_VERSION")))]))
        }
        ("POST", ["shutdown"]) => ok(object([("ok", Json::from(true))])),
        ("POST", ["reset"]) => {
            *st = State::from_seed(&inner.seed).map_err(|e| fail(500, "bad_seed", e))?;
            ok(state_view(&st))
        }
        ("POST", ["seed"]) => {
            let seed: Seed = body(req)?;
            st.apply_seed(seed).map_err(|e| fail(400, "bad_request", e))?;
            ok(state_view(&st))
        }
        ("GET", ["state"]) => ok(state_view(&st)),
        ("GET", ["time"]) => ok(st.clock.view()),
        ("POST", ["time"]) => {
            let change: TimeChange = body(req)?;
            match change.freeze {
                Some(true) if st.clock.frozen_at.is_none() => st.clock.frozen_at = Some(real_ms()),
                Some(false) => st.clock.frozen_at = None,
                _ => {}
            }
            if let Some(offset) = change.offset_ms.or(change.offset_secs.map(|s| s.saturating_mul(1000))) {
                st.clock.offset_ms = offset;
            }
            let advance =
                change.advance_ms.unwrap_or(0).saturating_add(change.advance_secs.unwrap_or(0).saturating_mul(1000));
            st.clock.offset_ms = st.clock.offset_ms.saturating_add(advance);
            ok(st.clock.view())
        }
        ("GET", ["faults"]) => ok(object([("faults", Json::Array(st.faults.iter().map(FaultSpec::view).collect()))])),
        ("POST", ["faults"]) => {
            let fault: FaultSpec = body(req)?;
            if fault.status.is_some_and(|s| !(100..=599).contains(&s)) {
                return Err(fail(400, "bad_request", "status must be an HTTP status (100 to 599)"));
            }
            if fault.count > 0 {
                st.faults.push_back(fault);
            }
            ok(object([("faults", Json::Array(st.faults.iter().map(FaultSpec::view).collect()))]))
        }
        ("DELETE", ["faults"]) => {
            st.faults.clear();
            ok(object([("faults", Json::Array(Vec::new()))]))
        }
        ("GET", ["stats"]) => ok(st.stats.view()),
        ("POST", ["stats", "reset"]) => {
            st.stats = Stats::default();
            ok(st.stats.view())
        }
        ("GET", ["requests"]) => ok(object([("requests", Json::Array(st.log.iter().map(|e| e.view()).collect()))])),
        ("DELETE", ["requests"]) => {
            st.log.clear();
            ok(object([("requests", Json::Array(Vec::new()))]))
        }
        // Easemob.
        ("GET", ["easemob", "apps"]) => {
            ok(object([("apps", Json::Array(st.apps.iter().map(|a| a.view(now)).collect()))]))
        }
        ("POST", ["easemob", "apps"]) => {
            let seed: AppSeed = body(req)?;
            let app = App::from_seed(seed, now).map_err(|e| fail(400, "bad_request", e))?;
            let view = app.view(now);
            st.apps.retain(|a| !(a.org_name == app.org_name && a.app_name == app.app_name));
            st.apps.push(app);
            ok(view)
        }
        ("GET", ["easemob", "apps", org, app]) => match st.app_mut(org, app) {
            Some(a) => ok(a.view(now)),
            None => not_found(format!("no app {org}#{app}")),
        },
        ("POST" | "PATCH", ["easemob", "apps", org, app]) => {
            let change: AppChange = body(req)?;
            let Some(a) = st.app_mut(org, app) else { return Err(not_found(format!("no app {org}#{app}"))) };
            if let Some(v) = change.rewrite_enabled {
                a.rewrite_enabled = v;
            }
            if let Some(v) = change.rate_limit {
                a.rewrite_limit = Limit::new(v);
            }
            if let Some(v) = change.token_rate_limit {
                a.token_limit = Limit::new(v);
            }
            if let Some(v) = change.default_ttl_secs {
                a.default_ttl_secs = v;
            }
            if let Some(v) = change.check_permissions {
                a.check_permissions = v;
            }
            if let Some(v) = change.message_lifetime_secs {
                a.message_lifetime_secs = v;
            }
            if let Some(v) = change.client_secret {
                a.client_secret = v;
            }
            ok(a.view(now))
        }
        ("POST", ["easemob", "apps", org, app, "expire-tokens"]) => {
            let Some(a) = st.app_mut(org, app) else { return Err(not_found(format!("no app {org}#{app}"))) };
            let mut expired = 0u64;
            for token in a.tokens.values_mut() {
                if token.expires_ms.is_none_or(|e| e > now) {
                    token.expires_ms = Some(now);
                    expired += 1;
                }
            }
            ok(object([("expired", Json::from(expired))]))
        }
        ("GET", ["easemob", "apps", org, app, "messages"]) => {
            let Some(a) = st.app_mut(org, app) else { return Err(not_found(format!("no app {org}#{app}"))) };
            let lifetime = a.message_lifetime_secs;
            ok(object([("messages", Json::Array(a.messages.values().map(|m| m.view(now, lifetime)).collect()))]))
        }
        ("GET", ["easemob", "apps", org, app, "messages", id]) => {
            let Some(a) = st.app_mut(org, app) else { return Err(not_found(format!("no app {org}#{app}"))) };
            match a.messages.get(*id) {
                Some(m) => ok(m.view(now, a.message_lifetime_secs)),
                None => not_found(format!("no message {id} in {org}#{app}")),
            }
        }
        ("PUT", ["easemob", "apps", org, app, "messages", id]) => {
            let seed: MessageSeed = body_with(req, &[("id", id)])?;
            let message = Message::from_seed(seed, now).map_err(|e| fail(400, "bad_request", e))?;
            let Some(a) = st.app_mut(org, app) else { return Err(not_found(format!("no app {org}#{app}"))) };
            let view = message.view(now, a.message_lifetime_secs);
            a.messages.insert(message.id.clone(), message);
            ok(view)
        }
        ("DELETE", ["easemob", "apps", org, app, "messages", id]) => {
            let Some(a) = st.app_mut(org, app) else { return Err(not_found(format!("no app {org}#{app}"))) };
            match a.messages.remove(*id) {
                Some(_) => ok(object([("deleted", Json::from(true))])),
                None => not_found(format!("no message {id} in {org}#{app}")),
            }
        }
        // Volcengine.
        ("GET", ["volcengine"]) => ok(volc_view(&st)),
        ("POST" | "PATCH", ["volcengine"]) => {
            let change: VolcChange = body(req)?;
            if let Some(v) = change.region {
                st.volc.region = v;
            }
            if let Some(v) = change.qps {
                st.volc.qps = v;
                st.volc.limits.clear();
            }
            if let Some(v) = change.max_skew_secs {
                st.volc.max_skew_secs = v;
            }
            ok(volc_view(&st))
        }
        ("POST", ["volcengine", "credentials"]) => {
            let c: VolcCredential = body(req)?;
            imedit::volcengine::Credentials::new(c.access_key_id.as_str(), c.secret_access_key.as_str())
                .map_err(|e| fail(400, "bad_request", e.to_string()))?;
            st.volc.credentials.retain(|old| old.access_key_id != c.access_key_id);
            let id = c.access_key_id.clone();
            st.volc.credentials.push(c);
            ok(object([("access_key_id", Json::from(id))]))
        }
        ("GET", ["volcengine", "messages"]) => {
            ok(object([("messages", Json::Array(st.volc.messages.iter().map(|(k, m)| m.view(*k)).collect()))]))
        }
        ("GET", ["volcengine", "messages", a, c, m]) => {
            match parse_ids(a, c, m).and_then(|k| st.volc.messages.get(&k).map(|msg| msg.view(k))) {
                Some(view) => ok(view),
                None => not_found(format!("no message {a}/{c}/{m}")),
            }
        }
        ("PUT", ["volcengine", "messages", a, c, m]) => {
            let seed: VolcMessageSeed =
                body_with(req, &[("app_id", a), ("conversation_short_id", c), ("message_id", m)])?;
            let (key, message) = volc_message_from_seed(seed).map_err(|e| fail(400, "bad_request", e))?;
            if !st.volc.app_ids.contains(&key.0) {
                st.volc.app_ids.push(key.0);
            }
            let view = message.view(key);
            st.volc.messages.insert(key, message);
            ok(view)
        }
        ("DELETE", ["volcengine", "messages", a, c, m]) => {
            match parse_ids(a, c, m).and_then(|k| st.volc.messages.remove(&k)) {
                Some(_) => ok(object([("deleted", Json::from(true))])),
                None => not_found(format!("no message {a}/{c}/{m}")),
            }
        }
        _ => not_found(format!("no admin endpoint {method} {}", req.path)),
    };
    Ok(reply)
}
