//! Shared by the conformance tests: an in-process emulator with the demo seed, raw
//! requests, and the core's builders wired to a real transport.
#![allow(dead_code)]

use imedit::easemob::{
    build_rewrite_request, build_token_request, parse_rewrite_response, parse_token_response, ClientCredentials,
    RewriteMessage, RewriteOutcome, Settings, TokenPolicy,
};
use imedit::volcengine::{Credentials, Endpoint, SignedRequest, Signer};
use imedit::{Error, Header, HttpRequest, HttpResponse, Secret};
use imedit_cli::client::Transport;
use imedit_cli::emulator::{Config, Emulator, EmulatorHandle, Seed};
use imedit_cli::ojson::Json;

pub const ORG: &str = "1168250507209322";
pub const APP: &str = "demo";
pub const CLIENT_ID: &str = "YXA6emulator-demo-client-id";
pub const CLIENT_SECRET: &str = "YXA6emulator-demo-client-secret";
pub const APPLICATION: &str = "8be024f0-e978-11e8-b697-5d598d5f8402";
pub const TXT: &str = "1235807318835202001";
pub const CUSTOM: &str = "1235807318835202002";
pub const IMG: &str = "1235807318835202003";
pub const AUDIO: &str = "1235807318835202004";
pub const VIDEO: &str = "1235807318835202005";
pub const FILE: &str = "1235807318835202006";
pub const LOC: &str = "1235807318835202007";
pub const CMD: &str = "1235807318835202008";
pub const NINE_EDITS: &str = "1235807318835202009";
pub const EXPIRED: &str = "1235807318835202010";

pub const AK: &str = "AKLTemulatordemo";
pub const SK: &str = "ZW11bGF0b3ItZGVtby1zZWNyZXQ=";
pub const APP_ID: i64 = 123_456;
pub const CONVERSATION: i64 = 7_123_456_789_012_345_678;
pub const MESSAGE: i64 = 7_234_567_890_123_456_789;
pub const EXPIRED_MESSAGE: i64 = 7_234_567_890_123_456_790;

/// An emulator with the demo seed.
pub fn emulator() -> EmulatorHandle {
    Emulator::start(Config::with_seed(Seed::demo())).expect("start the emulator")
}

/// An emulator with a seed given as JSON text.
pub fn emulator_with(seed: &str) -> EmulatorHandle {
    Emulator::start(Config::with_seed(Seed::from_json(seed.as_bytes()).expect("seed"))).expect("start the emulator")
}

pub fn send(request: &HttpRequest) -> HttpResponse {
    Transport::default().send(request).expect("a reply")
}

/// A raw request: `target` is a path (with query) on the emulator.
pub fn raw(em: &EmulatorHandle, method: &str, target: &str, headers: &[(&str, &str)], body: &[u8]) -> HttpResponse {
    send(&HttpRequest {
        method: method.to_owned(),
        url: format!("{}{target}", em.base_url()),
        headers: headers.iter().map(|(n, v)| Header::new(n.to_string(), v.to_string())).collect(),
        body: body.to_vec(),
        body_sensitive: false,
    })
}

pub fn json(response: &HttpResponse) -> Json {
    Json::parse(&response.body).unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&response.body)))
}

/// Calls the admin API and asserts a 200.
pub fn admin(em: &EmulatorHandle, method: &str, path: &str, body: Option<&str>) -> Json {
    let (status, reply) = em.admin(method, path, body);
    assert_eq!(status, 200, "{method} {path}: {reply}");
    reply
}

pub fn settings(em: &EmulatorHandle) -> Settings {
    Settings::builder(&em.base_url()).org_name(ORG).app_name(APP).allow_http(true).build().expect("settings")
}

pub fn credentials() -> ClientCredentials {
    ClientCredentials::new(CLIENT_ID, CLIENT_SECRET).expect("credentials")
}

/// A fresh app token, through the core's token request and parser.
pub fn token(em: &EmulatorHandle) -> Secret {
    let request = build_token_request(&settings(em), &credentials(), &TokenPolicy::default()).expect("request");
    let token = parse_token_response(&send(&request), 0, &TokenPolicy::default()).expect("a token");
    token.value().clone()
}

/// Rewrites with the core's builder and parser.
pub fn rewrite(em: &EmulatorHandle, token: &Secret, edit: &RewriteMessage) -> Result<RewriteOutcome, Error> {
    let request = build_rewrite_request(&settings(em), token, edit)?;
    parse_rewrite_response(&send(&request))
}

/// A raw rewrite: any body, with a bearer token and JSON content type.
pub fn raw_rewrite(em: &EmulatorHandle, token: &Secret, id: &str, body: &str) -> HttpResponse {
    let auth = format!("Bearer {}", token.expose());
    raw(
        em,
        "PUT",
        &format!("/{ORG}/{APP}/messages/rewrite/{id}"),
        &[("Content-Type", "application/json"), ("Authorization", &auth)],
        body.as_bytes(),
    )
}

/// The stored Easemob message.
pub fn message(em: &EmulatorHandle, id: &str) -> Json {
    admin(em, "GET", &format!("/_emulator/easemob/apps/{ORG}/{APP}/messages/{id}"), None)
}

/// Asserts an Easemob five-field error body.
pub fn assert_easemob_error(response: &HttpResponse, status: u16, error: &str, description: &str) -> Json {
    let body = json(response);
    assert_eq!(response.status, status, "{body}");
    assert_eq!(body["error"].as_str(), Some(error), "{body}");
    assert_eq!(body["error_description"].as_str(), Some(description), "{body}");
    let keys: Vec<&str> = body.as_object().unwrap().iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["error", "exception", "timestamp", "duration", "error_description"], "{body}");
    assert!(body["timestamp"].as_u64().is_some_and(|t| t > 1_600_000_000_000), "{body}");
    assert_eq!(body["duration"].as_u64(), Some(0));
    body
}

pub fn signer() -> Signer {
    Signer::new(Credentials::new(AK, SK).expect("keys"))
}

pub fn endpoint(em: &EmulatorHandle) -> Endpoint {
    Endpoint::with_host("cn-north-1", &em.base_url()).expect("endpoint")
}

/// The current Unix time.
pub fn now() -> u64 {
    imedit_cli::client::now_secs()
}

pub fn send_signed(signed: &SignedRequest) -> HttpResponse {
    send(&signed.request)
}

/// Asserts a Volcengine error envelope; returns the parsed body.
pub fn assert_volc_error(response: &HttpResponse, status: u16, code: &str) -> Json {
    let body = json(response);
    assert_eq!(response.status, status, "{body}");
    let meta = &body["ResponseMetadata"];
    assert_eq!(meta["Error"]["Code"].as_str(), Some(code), "{body}");
    assert!(meta["Error"]["Message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    assert!(meta["RequestId"].as_str().is_some_and(|r| r.len() >= 20), "{body}");
    assert_eq!(meta["Service"].as_str(), Some("rtc"));
    assert_eq!(meta["Region"].as_str(), Some("cn-north-1"));
    assert!(body.get("Result").is_none(), "{body}");
    body
}
