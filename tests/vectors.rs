//! Runs the shared vectors of `tests/vectors/` (or of `$IMEDIT_VECTORS`) against the Rust API.

use std::path::{Path, PathBuf};

use imedit::easemob::{self, MessageKind, RewriteMessage, Settings, TimeUnit, TokenPolicy};
use imedit::volcengine::{self, Credentials, Endpoint, ModifyMessage, SignableRequest, SigningParams};
use imedit::{merge_ext, Error, ExtMode, HttpRequest, HttpResponse, Secret};
use serde_json::{json, Map, Value};

type Outcome = Result<(), String>;
type Check = fn(&Value) -> Outcome;

/// Every operation folder a runner knows, and its checker.
const OPERATIONS: &[(&str, Check)] = &[
    ("volcengine/sign", sign),
    ("volcengine/modify_message", modify_message),
    ("volcengine/response", volcengine_response),
    ("easemob/token", easemob_token),
    ("easemob/rewrite_message", easemob_rewrite),
    ("easemob/response", easemob_response),
    ("ext/merge", ext_merge),
];

fn root() -> PathBuf {
    std::env::var_os("IMEDIT_VECTORS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors"))
}

#[test]
fn shared_vectors() {
    let root = root();
    let mut failures = Vec::new();
    let mut total = 0;
    check_layout(&root, &mut failures);
    for (operation, check) in OPERATIONS {
        let dir = root.join(operation);
        if !dir.is_dir() {
            println!("{operation}: folder absent, skipped");
            continue;
        }
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        if files.is_empty() {
            failures.push(format!("{operation}: no vector files"));
        }
        for file in &files {
            let name = file.strip_prefix(&root).unwrap().display().to_string();
            let case = std::fs::read_to_string(file)
                .map_err(|e| e.to_string())
                .and_then(|t| serde_json::from_str::<Value>(&t).map_err(|e| e.to_string()));
            match case.and_then(|c| check(&c)) {
                Ok(()) => {}
                Err(why) => failures.push(format!("{name}: {why}")),
            }
        }
        println!("{operation}: {} vector files checked", files.len());
        total += files.len();
    }
    println!("{total} vector files checked in {}", root.display());
    assert!(failures.is_empty(), "{} failing vectors:\n{}", failures.len(), failures.join("\n"));
}

/// Unknown folders or files are failures (README files are welcome).
fn check_layout(root: &Path, failures: &mut Vec<String>) {
    for api in std::fs::read_dir(root).unwrap().map(|e| e.unwrap().path()) {
        let api_name = api.file_name().unwrap().to_string_lossy().to_string();
        if !api.is_dir() || api_name == "generate" {
            continue;
        }
        for op in std::fs::read_dir(&api).unwrap().map(|e| e.unwrap().path()) {
            let rel = format!("{api_name}/{}", op.file_name().unwrap().to_string_lossy());
            if op.is_dir() && !OPERATIONS.iter().any(|(o, _)| *o == rel) {
                failures.push(format!("{rel}: unknown operation folder"));
            } else if op.is_dir() {
                for f in std::fs::read_dir(&op).unwrap().map(|e| e.unwrap().path()) {
                    let ok =
                        f.extension().is_some_and(|e| e == "json") || f.file_name().is_some_and(|n| n == "README.md");
                    if !ok {
                        failures.push(format!("{}: unknown file", f.display()));
                    }
                }
            }
        }
    }
}

// ---- helpers ---------------------------------------------------------------------------------

fn field<'a>(v: &'a Value, key: &str) -> Result<&'a Value, String> {
    v.get(key).ok_or_else(|| format!("missing `{key}`"))
}

fn text<'a>(v: &'a Value, key: &str) -> Result<&'a str, String> {
    field(v, key)?.as_str().ok_or_else(|| format!("`{key}` is not a string"))
}

fn opt_text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn pairs(v: &Value) -> Result<Vec<(String, String)>, String> {
    match v {
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_owned())).ok_or_else(|| format!("`{k}` is not a string")))
            .collect(),
        Value::Array(a) => a
            .iter()
            .map(|p| match p.as_array().map(Vec::as_slice) {
                Some([Value::String(k), Value::String(v)]) => Ok((k.clone(), v.clone())),
                _ => Err(format!("not a [name, value] pair: {p}")),
            })
            .collect(),
        _ => Err(format!("not a map: {v}")),
    }
}

fn opt_pairs(v: &Value, key: &str) -> Result<Option<Vec<(String, String)>>, String> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(m) => pairs(m).map(Some),
    }
}

fn eq<T: PartialEq + std::fmt::Debug>(what: &str, got: T, want: T) -> Outcome {
    if got == want {
        Ok(())
    } else {
        Err(format!("{what}:\n   got {got:?}\n  want {want:?}"))
    }
}

/// JSON equality that also checks key order (ext maps and objects are ordered).
fn same_json(what: &str, got: &Value, want: &Value) -> Outcome {
    eq(what, serde_json::to_string(got).unwrap(), serde_json::to_string(want).unwrap())
}

fn request_json(r: &HttpRequest) -> Value {
    json!({
        "method": r.method,
        "url": r.url,
        "headers": r.headers.iter().map(|h| json!([h.name, h.value])).collect::<Vec<_>>(),
        "body": r.body_text().unwrap_or("<not utf-8>"),
    })
}

/// Compares a build result with `expected.request` or `expected.error`.
fn built(expected: &Value, result: Result<HttpRequest, Error>) -> Outcome {
    match (expected.get("request"), expected.get("error"), result) {
        (Some(want), _, Ok(got)) => same_json("request", &request_json(&got), want),
        (_, Some(want), Err(got)) => refusal(want, &got),
        (Some(_), _, Err(got)) => Err(format!("expected a request, got the error {got}")),
        (_, Some(want), Ok(got)) => Err(format!("expected the error {want}, got the request {:?}", got)),
        _ => Err("`expected` has neither `request` nor `error`".into()),
    }
}

fn refusal(want: &Value, got: &Error) -> Outcome {
    eq("error code", got.code(), text(want, "code")?)?;
    if let Some(field) = opt_text(want, "field") {
        match got {
            Error::InvalidInput { field: f, .. } => eq("error field", f.as_str(), field)?,
            other => return Err(format!("expected field {field}, got {other}")),
        }
    }
    Ok(())
}

/// Compares a parse error with `expected.error`: every listed field must match.
fn parsed_error(want: &Value, got: &Error) -> Outcome {
    let api = got.api();
    let actual = json!({
        "code": got.code(),
        "retry": got.retry().as_str(),
        "status": got.status(),
        "vendor_code": api.and_then(|a| a.vendor_code.clone()),
        "vendor_code_n": api.and_then(|a| a.vendor_code_n),
        "exception": api.and_then(|a| a.exception.clone()),
        "message": api.and_then(|a| a.message.clone()),
        "request_id": api.and_then(|a| a.request_id.clone()),
        "timestamp": api.and_then(|a| a.timestamp),
        "duration": api.and_then(|a| a.duration),
    });
    let want = want.as_object().ok_or("`error` is not an object")?;
    for (key, value) in want {
        let got = actual.get(key).ok_or_else(|| format!("unknown error field `{key}`"))?;
        eq(&format!("error.{key}"), got, value)?;
    }
    Ok(())
}

fn response(input: &Value) -> Result<HttpResponse, String> {
    let status = field(input, "status")?.as_u64().ok_or("status")? as u16;
    let headers = match input.get("headers") {
        None | Some(Value::Null) => Vec::new(),
        Some(h) => pairs(h)?,
    };
    Ok(HttpResponse::new(status, headers, text(input, "body")?.as_bytes().to_vec()))
}

fn parsed<T>(expected: &Value, result: Result<T, Error>, to_json: impl Fn(&T) -> Value) -> Outcome {
    match (expected.get("ok"), expected.get("error"), result) {
        (Some(want), _, Ok(got)) => same_json("ok", &to_json(&got), want),
        (_, Some(want), Err(got)) => parsed_error(want, &got),
        (Some(_), _, Err(got)) => Err(format!("expected success, got {got}")),
        (_, Some(want), Ok(got)) => Err(format!("expected the error {want}, got {}", to_json(&got))),
        _ => Err("`expected` has neither `ok` nor `error`".into()),
    }
}

fn volc_credentials(input: &Value) -> Result<Credentials, Error> {
    let creds = Credentials::new(
        opt_text(input, "access_key_id").unwrap_or_default(),
        opt_text(input, "secret_access_key").unwrap_or_default(),
    )?;
    match opt_text(input, "session_token") {
        Some(token) => creds.with_session_token(token),
        None => Ok(creds),
    }
}

// ---- volcengine --------------------------------------------------------------------------------

fn sign(case: &Value) -> Outcome {
    let input = field(case, "input")?;
    let expected = field(case, "expected")?;
    let request = SignableRequest {
        method: text(input, "method")?.into(),
        host: text(input, "host")?.into(),
        path: text(input, "path")?.into(),
        query: pairs(field(input, "query")?)?,
        headers: pairs(field(input, "headers")?)?,
        body: text(input, "body")?.as_bytes().to_vec(),
        ..Default::default()
    };
    let params = SigningParams {
        region: text(input, "region")?.into(),
        service: text(input, "service")?.into(),
        time: field(input, "time")?.as_u64().ok_or("time")?,
        signed_headers: match input.get("signed_headers") {
            None | Some(Value::Null) => None,
            Some(Value::Array(a)) => Some(a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect()),
            Some(other) => return Err(format!("signed_headers: {other}")),
        },
    };
    let creds = volc_credentials(input).map_err(|e| e.to_string())?;
    // Both entry points must agree: the one-shot signer and the caching signer (twice, so the
    // second call uses the cached key).
    let cold = volcengine::sign(&creds, &request, &params).map_err(|e| e.to_string())?;
    let signer = volcengine::Signer::new(creds);
    for signed in [cold, signer.sign(&request, &params).unwrap(), signer.sign(&request, &params).unwrap()] {
        let s = &signed.stages;
        eq("canonical_request", s.canonical_request(), text(expected, "canonical_request")?)?;
        eq("string_to_sign", s.string_to_sign(), text(expected, "string_to_sign")?)?;
        if let Some(key) = opt_text(expected, "signing_key") {
            eq("signing_key", s.signing_key().expose_hex().as_str(), key)?;
        }
        eq("signature", s.signature(), text(expected, "signature")?)?;
        eq("authorization", s.authorization(), text(expected, "authorization")?)?;
        eq("Authorization header", signed.request.header("Authorization"), Some(s.authorization()))?;
        for (name, value) in pairs(field(expected, "headers")?)? {
            eq(&format!("header {name}"), signed.request.header(&name), Some(value.as_str()))?;
        }
        // The URL carries exactly the canonical query that was signed.
        let query_line = s.canonical_request().lines().nth(2).unwrap_or_default();
        let url_query = signed.request.url.split_once('?').map_or("", |(_, q)| q);
        eq("URL query", url_query, query_line)?;
    }
    Ok(())
}

fn modify_message(case: &Value) -> Outcome {
    let input = field(case, "input")?;
    let expected = field(case, "expected")?;
    let build = || -> Result<HttpRequest, Error> {
        let params = field(input, "params").map_err(Error::transport)?;
        let id = |key: &str| volcengine::parse_id(key, opt_text(params, key).unwrap_or_default());
        let edit = ModifyMessage {
            app_id: id("app_id")?,
            conversation_short_id: id("conversation_short_id")?,
            message_id: id("message_id")?,
            ext: opt_pairs(params, "ext").map_err(Error::transport)?.unwrap_or_default(),
            content: opt_text(params, "content").map(str::to_owned),
        };
        let endpoint = Endpoint::new(opt_text(input, "region").unwrap_or_default(), opt_text(input, "host"))?;
        let creds = volc_credentials(input)?;
        let time = input.get("time").and_then(Value::as_u64).unwrap_or_default();
        let cold = volcengine::build_modify_message_request(&creds, &endpoint, &edit, time)?;
        let cached = volcengine::Signer::new(creds).modify_message(&endpoint, &edit, time)?;
        assert_eq!(cold.request, cached.request);
        Ok(cold.request)
    };
    built(expected, build())
}

fn volcengine_response(case: &Value) -> Outcome {
    let input = field(case, "input")?;
    let expected = field(case, "expected")?;
    let reply = response(input)?;
    let meta = |m: &volcengine::ResponseMetadata| json!({"request_id": m.request_id, "action": m.action, "version": m.version, "service": m.service, "region": m.region});
    match text(input, "operation")? {
        "modify_message" => parsed(expected, volcengine::parse_modify_message_response(&reply), meta),
        "openapi" => parsed(expected, volcengine::parse_response(&reply), |r| {
            let mut v = meta(&r.metadata);
            v["result"] = json!(r.result);
            v
        }),
        other => Err(format!("unknown operation {other}")),
    }
}

// ---- easemob -----------------------------------------------------------------------------------

fn settings(input: &Value) -> Result<Settings, Error> {
    let mut b = Settings::builder(opt_text(input, "base_url").unwrap_or_default())
        .allow_http(input.get("allow_http").and_then(Value::as_bool).unwrap_or(false));
    b = match opt_text(input, "app_key") {
        Some(key) => b.app_key(key),
        None => b
            .org_name(opt_text(input, "org_name").unwrap_or_default())
            .app_name(opt_text(input, "app_name").unwrap_or_default()),
    };
    b.build()
}

fn unit(input: &Value) -> Result<TimeUnit, String> {
    match opt_text(input, "unit") {
        None | Some("seconds") => Ok(TimeUnit::Seconds),
        Some("milliseconds") => Ok(TimeUnit::Milliseconds),
        Some(other) => Err(format!("unknown unit {other}")),
    }
}

fn easemob_token(case: &Value) -> Outcome {
    let input = field(case, "input")?;
    let expected = field(case, "expected")?;
    let policy =
        TokenPolicy { ttl: input.get("ttl").and_then(Value::as_u64), unit: unit(input)?, ..Default::default() };
    let result = settings(input).and_then(|s| match opt_text(input, "grant") {
        Some("agora") => easemob::build_agora_token_exchange_request(
            &s,
            &Secret::new(opt_text(input, "agora_token").unwrap_or_default()),
        ),
        _ => {
            let creds = easemob::ClientCredentials::new(
                opt_text(input, "client_id").unwrap_or_default(),
                opt_text(input, "client_secret").unwrap_or_default(),
            )?;
            easemob::build_token_request(&s, &creds, &policy)
        }
    });
    built(expected, result)
}

fn easemob_rewrite(case: &Value) -> Outcome {
    let input = field(case, "input")?;
    let expected = field(case, "expected")?;
    let edit = field(input, "edit")?;
    let build = || -> Result<HttpRequest, Error> {
        let settings = settings(input)?;
        let mut e = RewriteMessage::new(
            opt_text(input, "message_id").unwrap_or_default(),
            MessageKind::parse(opt_text(edit, "type").unwrap_or_default())?,
        );
        e.msg = opt_text(edit, "msg").map(str::to_owned);
        e.custom_event = opt_text(edit, "custom_event").map(str::to_owned);
        e.custom_exts = opt_pairs(edit, "custom_exts").map_err(Error::transport)?;
        e.new_ext = opt_pairs(edit, "new_ext").map_err(Error::transport)?;
        e.ext_mode = match opt_text(edit, "ext_mode") {
            Some("replace") => ExtMode::Replace,
            _ => ExtMode::Merge,
        };
        e.user = opt_text(edit, "user").map(str::to_owned);
        easemob::build_rewrite_request(&settings, &Secret::new(opt_text(input, "token").unwrap_or_default()), &e)
    };
    built(expected, build())
}

fn easemob_response(case: &Value) -> Outcome {
    let input = field(case, "input")?;
    let expected = field(case, "expected")?;
    let reply = response(input)?;
    let now = input.get("now").and_then(Value::as_u64).unwrap_or_default();
    let policy = TokenPolicy {
        unit: unit(input)?,
        refresh_margin: input.get("refresh_margin").and_then(Value::as_u64).unwrap_or(300),
        ..Default::default()
    };
    let token = |t: &easemob::AppToken| {
        json!({"token": t.value().expose(), "issued_at": t.issued_at(), "expires_at": t.expires_at(),
               "refresh_at": t.refresh_at(), "application": t.application()})
    };
    match text(input, "operation")? {
        "rewrite_message" => parsed(expected, easemob::parse_rewrite_response(&reply), |o| {
            json!({"path": o.path, "uri": o.uri, "timestamp": o.timestamp, "organization": o.organization,
                   "application": o.application, "application_name": o.application_name, "action": o.action,
                   "duration": o.duration})
        }),
        "token" => parsed(expected, easemob::parse_token_response(&reply, now, &policy), token),
        "agora_token_exchange" => {
            parsed(expected, easemob::parse_agora_token_exchange_response(&reply, now, &policy), token)
        }
        other => Err(format!("unknown operation {other}")),
    }
}

// ---- ext ---------------------------------------------------------------------------------------

fn ext_merge(case: &Value) -> Outcome {
    let input = field(case, "input")?;
    let mode = match text(input, "mode")? {
        "merge" => ExtMode::Merge,
        "replace" => ExtMode::Replace,
        other => return Err(format!("unknown mode {other}")),
    };
    let result = merge_ext(&pairs(field(input, "current")?)?, &pairs(field(input, "patch")?)?, mode);
    let got: Map<String, Value> = result.into_iter().map(|(k, v)| (k, Value::String(v))).collect();
    same_json("result", &Value::Object(got), field(field(case, "expected")?, "result")?)
}
