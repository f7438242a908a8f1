//! The Rust runner of the shared end-to-end scenario (`tests/e2e/scenario.json`, format in
//! `tests/e2e/README.md`): starts `imedit emulator --port 0 --seed <seed>`, reads the port from the
//! first line, runs every step with the Rust clients (`imedit_cli::client`), reads state back
//! through the admin API.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};

use imedit::easemob::{ClientCredentials, MessageKind, RewriteMessage, Settings, TokenPolicy, TokenSource};
use imedit::retry::RetryPolicy;
use imedit::volcengine::{parse_id, Credentials, Endpoint, ModifyMessage, Signer};
use imedit::{Error, ExtMode, Fault, Header, HttpRequest};
use imedit_cli::client::{EasemobClient, Transport, VolcClient};
use imedit_cli::ojson::Json;

/// The emulator process; killed when dropped.
struct Emulator {
    child: Child,
    _stdout: BufReader<ChildStdout>,
    base_url: String,
}

impl Emulator {
    fn start(seed: &Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_imedit"))
            .args(["emulator", "--port", "0", "--seed"])
            .arg(seed)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start imedit emulator");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut first = String::new();
        stdout.read_line(&mut first).expect("read the first line");
        let base_url = first.trim().to_owned();
        let port: u16 = base_url.rsplit(':').next().and_then(|p| p.parse().ok()).expect("a port on the first line");
        assert!(port > 0, "{base_url}");
        Self { child, _stdout: stdout, base_url }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = Transport::default().send(&request("POST", &format!("{}/_emulator/shutdown", self.base_url), None));
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn request(method: &str, url: &str, body: Option<&Json>) -> HttpRequest {
    let mut headers = vec![Header::new("Accept", "application/json")];
    if body.is_some() {
        headers.push(Header::new("Content-Type", "application/json"));
    }
    HttpRequest {
        method: method.to_owned(),
        url: url.to_owned(),
        headers,
        body: body.map(|b| b.to_text().into_bytes()).unwrap_or_default(),
        body_sensitive: false,
    }
}

fn scenario_path() -> PathBuf {
    std::env::var_os("IMEDIT_E2E_SCENARIO").map(PathBuf::from).unwrap_or_else(|| {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("tests").join("e2e").join("scenario.json")
    })
}

fn text<'a>(json: &'a Json, key: &str) -> &'a str {
    json[key].as_str().unwrap_or_else(|| panic!("{key} must be a string in {json}"))
}

fn pairs(json: &Json) -> Vec<(String, String)> {
    json.as_object()
        .unwrap_or_else(|| panic!("expected an object of strings, got {json}"))
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_else(|| panic!("{k} must be a string")).to_owned()))
        .collect()
}

fn present(json: &Json, key: &str) -> Option<Json> {
    json.get(key).filter(|v| !v.is_null()).cloned()
}

/// A scenario `edit` as the core's `RewriteMessage` (absent or null fields are not set).
fn rewrite_message(message_id: &str, edit: &Json) -> Result<RewriteMessage, Error> {
    let mut m = RewriteMessage::new(message_id, MessageKind::parse(text(edit, "type"))?);
    m.msg = present(edit, "msg").map(|v| v.as_str().unwrap_or_default().to_owned());
    m.custom_event = present(edit, "custom_event").map(|v| v.as_str().unwrap_or_default().to_owned());
    m.custom_exts = present(edit, "custom_exts").map(|v| pairs(&v));
    m.new_ext = present(edit, "new_ext").map(|v| pairs(&v));
    m.ext_mode = if edit["ext_mode"].as_str() == Some("replace") { ExtMode::Replace } else { ExtMode::Merge };
    m.user = present(edit, "user").map(|v| v.as_str().unwrap_or_default().to_owned());
    Ok(m)
}

/// Checks a client call's result against `{"ok": true}` or `{"error": {...}}`.
fn check_outcome<T: std::fmt::Debug>(id: &str, expect: &Json, result: &Result<T, Error>) {
    if expect["ok"].as_bool() == Some(true) {
        assert!(result.is_ok(), "{id}: expected success, got {result:?}");
        return;
    }
    let want = expect.get("error").unwrap_or_else(|| panic!("{id}: expect has neither ok nor error"));
    let error = match result {
        Ok(v) => panic!("{id}: expected an error, got {v:?}"),
        Err(e) => e,
    };
    if let Some(code) = want.get("code") {
        assert_eq!(Some(error.code()), code.as_str(), "{id}: code ({error})");
    }
    if let Some(status) = want.get("status") {
        assert_eq!(error.status().map(u64::from), status.as_u64(), "{id}: status ({error})");
    }
    if let Some(retry) = want.get("retry") {
        assert_eq!(Some(error.retry().as_str()), retry.as_str(), "{id}: retry ({error})");
    }
    if let Some(vendor_code) = want.get("vendor_code") {
        assert_eq!(error.api().and_then(|a| a.vendor_code.as_deref()), vendor_code.as_str(), "{id}: vendor_code");
    }
    if let Some(local) = want.get("local").and_then(Json::as_bool) {
        assert_eq!(error.fault() == Fault::Caller, local, "{id}: local ({error})");
    }
}

/// `expected` is contained in `actual`: objects by key (order ignored, extra keys allowed), arrays
/// element by element, scalars equal.
fn contains(expected: &Json, actual: &Json) -> bool {
    match (expected, actual) {
        (Json::Object(want), Json::Object(_)) => {
            want.iter().all(|(k, v)| actual.get(k).is_some_and(|a| contains(v, a)))
        }
        (Json::Array(want), Json::Array(got)) => {
            want.len() == got.len() && want.iter().zip(got).all(|(w, g)| contains(w, g))
        }
        _ => expected == actual,
    }
}

struct Runner {
    emulator: Emulator,
    scenario: Json,
    easemob: EasemobClient,
    volc: VolcClient,
    transport: Transport,
}

impl Runner {
    fn admin(&self, method: &str, path: &str, body: Option<&Json>) -> (u16, Json) {
        let reply = self
            .transport
            .send(&request(method, &format!("{}{path}", self.emulator.base_url), body))
            .unwrap_or_else(|e| panic!("admin {method} {path}: {e}"));
        (reply.status, Json::parse(&reply.body).unwrap_or_default())
    }

    fn org_app(&self) -> (&str, &str) {
        let e = &self.scenario["easemob"];
        (text(e, "org_name"), text(e, "app_name"))
    }

    fn run(&self, step: &Json) {
        let id = text(step, "id");
        let expect = &step["expect"];
        match text(step, "op") {
            "admin" => {
                let body = present(step, "body");
                let (status, json) = self.admin(text(step, "method"), text(step, "path"), body.as_ref());
                let want_status = expect["status"].as_u64().unwrap_or(200);
                assert_eq!(u64::from(status), want_status, "{id}: status, reply {json}");
                if let Some(want) = expect.get("json") {
                    assert!(contains(want, &json), "{id}: expected {want} within {json}");
                }
            }
            "easemob.token" => check_outcome(id, expect, &self.easemob.token()),
            "easemob.rewrite" => {
                let result = rewrite_message(text(step, "message_id"), &step["edit"])
                    .and_then(|edit| self.easemob.rewrite(&edit));
                check_outcome(id, expect, &result);
            }
            "easemob.burst" => {
                let edit = rewrite_message(text(step, "message_id"), &step["edit"]).expect("a valid burst edit");
                let token = self.easemob.token().expect("a token for the burst");
                let mut ok = 0u64;
                let mut errors: BTreeMap<String, u64> = BTreeMap::new();
                for _ in 0..step["count"].as_u64().expect("count") {
                    match self.easemob.rewrite_once(token.value(), &edit) {
                        Ok(_) => ok += 1,
                        Err(e) => *errors.entry(e.code().to_owned()).or_default() += 1,
                    }
                }
                assert_eq!(Some(ok), expect["ok"].as_u64(), "{id}: successes (errors {errors:?})");
                let want: BTreeMap<String, u64> = expect["errors"]
                    .as_object()
                    .unwrap_or_default()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.as_u64().unwrap_or(0)))
                    .collect();
                assert_eq!(errors, want, "{id}: errors");
            }
            "easemob.read_message" => {
                let (org, app) = self.org_app();
                let path = format!("/_emulator/easemob/apps/{org}/{app}/messages/{}", text(step, "message_id"));
                self.check_message(id, &path, expect);
            }
            "volcengine.modify_message" => {
                let p = &step["params"];
                let edit = (|| {
                    let mut edit = ModifyMessage::new(
                        parse_id("app_id", text(p, "app_id"))?,
                        parse_id("conversation_short_id", text(p, "conversation_short_id"))?,
                        parse_id("message_id", text(p, "message_id"))?,
                    );
                    edit.ext = present(p, "ext").map(|v| pairs(&v)).unwrap_or_default();
                    edit.content = present(p, "content").map(|v| v.as_str().unwrap_or_default().to_owned());
                    Ok::<_, Error>(edit)
                })();
                check_outcome(id, expect, &edit.and_then(|edit| self.volc.modify_message(&edit)));
            }
            "volcengine.read_message" => {
                let path = format!(
                    "/_emulator/volcengine/messages/{}/{}/{}",
                    text(step, "app_id"),
                    text(step, "conversation_short_id"),
                    text(step, "message_id")
                );
                self.check_message(id, &path, expect);
            }
            other => panic!("{id}: unknown op {other:?}"),
        }
    }

    /// Reads a stored message back and compares each expected field: `ext` exactly, key order
    /// included; the others as JSON values (object key order ignored).
    fn check_message(&self, id: &str, path: &str, expect: &Json) {
        let (status, message) = self.admin("GET", path, None);
        assert_eq!(status, 200, "{id}: {path}: {message}");
        for (field, want) in expect.as_object().unwrap_or_default() {
            let got = &message[field.as_str()];
            if field == "ext" {
                assert_eq!(got, want, "{id}: ext (key order matters): got {got}, want {want}");
            } else {
                assert_eq!(got.to_value(), want.to_value(), "{id}: {field}: got {got}, want {want}");
            }
        }
    }
}

#[test]
fn shared_scenario() {
    let path = scenario_path();
    let scenario = Json::parse(&std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .expect("scenario.json parses");
    assert_eq!(scenario["format"].as_u64(), Some(1), "unknown scenario format");
    let seed = path.parent().expect("a folder").join(text(&scenario, "seed"));
    let emulator = Emulator::start(&seed);

    let policy = &scenario["retry_policy"];
    let retry = RetryPolicy {
        max_attempts: u32::try_from(policy["max_attempts"].as_u64().unwrap_or(3)).unwrap_or(3),
        base_delay_ms: policy["base_delay_ms"].as_u64().unwrap_or(200),
        max_delay_ms: policy["max_delay_ms"].as_u64().unwrap_or(10_000),
    };
    let e = &scenario["easemob"];
    let settings = Settings::builder(&emulator.base_url)
        .org_name(text(e, "org_name"))
        .app_name(text(e, "app_name"))
        .allow_http(true)
        .build()
        .expect("easemob settings");
    let credentials = ClientCredentials::new(text(e, "client_id"), text(e, "client_secret")).expect("credentials");
    let token_policy = TokenPolicy { ttl: e["token_ttl"].as_u64(), ..TokenPolicy::default() };
    let transport = Transport::default();
    let easemob =
        EasemobClient::new(settings, TokenSource::ClientCredentials(credentials), token_policy, transport.clone())
            .with_retry_policy(retry);
    let v = &scenario["volcengine"];
    let signer = Signer::new(Credentials::new(text(v, "access_key_id"), text(v, "secret_access_key")).expect("keys"));
    let endpoint = Endpoint::with_host(text(v, "region"), &emulator.base_url).expect("endpoint");
    let volc = VolcClient::new(signer, endpoint, transport.clone()).with_retry_policy(retry);

    let runner = Runner { emulator, scenario: scenario.clone(), easemob, volc, transport };
    let steps = match &scenario["steps"] {
        Json::Array(steps) if !steps.is_empty() => steps.clone(),
        _ => panic!("the scenario has no steps"),
    };
    let mut counts: BTreeMap<String, u32> = BTreeMap::new();
    for step in &steps {
        runner.run(step);
        *counts.entry(text(step, "op").to_owned()).or_default() += 1;
        println!("ok  {}", text(step, "id"));
    }
    let summary: Vec<String> = counts.iter().map(|(op, n)| format!("{op} {n}")).collect();
    println!("e2e scenario: {} steps passed ({})", steps.len(), summary.join(", "));
}
