//! The emulator's admin API (`/_emulator/...`) and its start-up rules.

mod common;

use std::net::{IpAddr, Ipv4Addr};

use common::*;
use imedit::easemob::RewriteMessage;
use imedit_cli::emulator::{Config, Emulator, Seed};

#[test]
fn refuses_non_loopback_addresses_unless_allowed() {
    let config = Config { bind: IpAddr::V4(Ipv4Addr::UNSPECIFIED), ..Config::with_seed(Seed::default()) };
    let e = Emulator::start(config).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::PermissionDenied);
    let em = Emulator::start(Config::default()).unwrap();
    assert!(em.addr().ip().is_loopback());
    assert_ne!(em.port(), 0);
}

#[test]
fn health_state_and_unknown_endpoints_over_http() {
    let em = emulator();
    let reply = raw(&em, "GET", "/_emulator/health", &[], b"");
    assert_eq!((reply.status, json(&reply)["ok"].as_bool()), (200, Some(true)));
    let state = json(&raw(&em, "GET", "/_emulator/state", &[], b""));
    assert_eq!(state["easemob"]["apps"].to_value()[0]["app_name"], "demo");
    assert_eq!(state["volcengine"]["access_key_ids"].to_text(), r#"["AKLTemulatordemo"]"#);
    assert!(!state.to_text().contains(CLIENT_SECRET), "the state view never shows secrets");
    assert!(!state.to_text().contains(SK));
    let reply = raw(&em, "GET", "/_emulator/nothing-here", &[], b"");
    assert_eq!((reply.status, json(&reply)["error"].as_str()), (404, Some("not_found")));
    let reply = raw(&em, "POST", "/_emulator/time", &[], b"{not json");
    assert_eq!((reply.status, json(&reply)["error"].as_str()), (400, Some("bad_request")));
    let reply = raw(&em, "POST", "/_emulator/time", &[], br#"{"advance_years": 1}"#);
    assert_eq!(reply.status, 400, "unknown fields are refused");
}

#[test]
fn time_moves_freezes_and_resets() {
    let em = emulator();
    let before = admin(&em, "GET", "/_emulator/time", None)["now_ms"].as_u64().unwrap();
    let moved = admin(&em, "POST", "/_emulator/time", Some(r#"{"advance_secs": 3600}"#));
    assert_eq!(moved["offset_ms"].as_i64(), Some(3_600_000));
    assert!(moved["now_ms"].as_u64().unwrap() >= before + 3_600_000);
    let frozen = admin(&em, "POST", "/_emulator/time", Some(r#"{"freeze": true}"#));
    std::thread::sleep(std::time::Duration::from_millis(30));
    assert_eq!(admin(&em, "GET", "/_emulator/time", None)["now_ms"], frozen["now_ms"]);
    let later = admin(&em, "POST", "/_emulator/time", Some(r#"{"advance_ms": 5}"#));
    assert_eq!(later["now_ms"].as_u64(), frozen["now_ms"].as_u64().map(|t| t + 5));
    let back = admin(&em, "POST", "/_emulator/time", Some(r#"{"freeze": false, "offset_ms": 0}"#));
    assert_eq!((back["frozen"].as_bool(), back["offset_ms"].as_i64()), (Some(false), Some(0)));
}

#[test]
fn messages_can_be_added_read_and_deleted() {
    let em = emulator();
    let path = format!("/_emulator/easemob/apps/{ORG}/{APP}/messages/555");
    let put =
        admin(&em, "PUT", &path, Some(r#"{"type":"txt","body":{"msg":"hi"},"ext":{"b":"1","a":"2"},"edit_count":3}"#));
    assert_eq!(put["id"].as_str(), Some("555"));
    let got = admin(&em, "GET", &path, None);
    assert_eq!(got["ext"].to_text(), r#"{"b":"1","a":"2"}"#);
    assert_eq!(got["edit_count"].as_u64(), Some(3));
    assert_eq!(got["from"].as_str(), Some("admin"));
    let list = admin(&em, "GET", &format!("/_emulator/easemob/apps/{ORG}/{APP}/messages"), None);
    assert_eq!(list["messages"].to_value().as_array().map(Vec::len), Some(11));
    admin(&em, "DELETE", &path, None);
    assert_eq!(em.admin("GET", &path, None).0, 404);
    assert_eq!(em.admin("PUT", &path, Some(r#"{"type":"txt","body":[]}"#)).0, 400);
    assert_eq!(em.admin("GET", "/_emulator/easemob/apps/no/such/messages/1", None).0, 404);

    let vpath = "/_emulator/volcengine/messages/42/43/44";
    let put = admin(&em, "PUT", vpath, Some(r#"{"ext":{"k":"v"},"content":"{\"text\":\"x\"}"}"#));
    assert_eq!((put["app_id"].as_str(), put["message_id"].as_str()), (Some("42"), Some("44")));
    assert_eq!(admin(&em, "GET", vpath, None)["ext"].to_text(), r#"{"k":"v"}"#);
    assert!(admin(&em, "GET", "/_emulator/volcengine", None)["app_ids"].to_text().contains("\"42\""));
    admin(&em, "DELETE", vpath, None);
    assert_eq!(em.admin("GET", vpath, None).0, 404);
    assert_eq!(em.admin("PUT", vpath, Some(r#"{"ext":{"k":1}}"#)).0, 400);
}

#[test]
fn seed_adds_and_reset_restores() {
    let em = emulator();
    let token = token(&em);
    assert!(rewrite(&em, &token, &RewriteMessage::text(TXT, "changed")).is_ok());
    admin(&em, "POST", "/_emulator/time", Some(r#"{"advance_secs": 10}"#));
    admin(&em, "POST", "/_emulator/faults", Some(r#"{"target":"any","status":503}"#));
    let seed = r#"{"easemob":{"apps":[{"org_name":"o2","app_name":"a2","client_id":"i","client_secret":"s"}]},
                   "volcengine":{"qps":7}}"#;
    let state = admin(&em, "POST", "/_emulator/seed", Some(seed));
    assert_eq!(state["easemob"]["apps"].to_value().as_array().map(Vec::len), Some(2));
    assert_eq!(state["volcengine"]["qps"].as_u64(), Some(7));
    assert_eq!(em.admin("POST", "/_emulator/seed", Some(r#"{"easemob":{"check_order":["app"]}}"#)).0, 400);
    let state = admin(&em, "POST", "/_emulator/reset", None);
    assert_eq!(state["easemob"]["apps"].to_value().as_array().map(Vec::len), Some(1));
    assert_eq!(state["volcengine"]["qps"].as_u64(), Some(50));
    assert_eq!(state["time"]["offset_ms"].as_i64(), Some(0));
    assert_eq!(state["faults"].to_text(), "[]");
    assert_eq!(message(&em, TXT)["body"]["msg"].as_str(), Some("hello"));
    // Tokens issued before the reset are gone.
    assert_eq!(rewrite(&em, &token, &RewriteMessage::text(TXT, "x")).unwrap_err().code(), "token_invalid");
}

#[test]
fn stats_and_request_log() {
    let em = emulator();
    let token = token(&em);
    let _ = rewrite(&em, &token, &RewriteMessage::text("1", "x"));
    let stats = admin(&em, "GET", "/_emulator/stats", None);
    assert_eq!(stats["requests"].as_u64(), Some(2));
    assert_eq!(stats["easemob"]["token_statuses"].to_text(), r#"{"200":1}"#);
    assert_eq!(stats["easemob"]["rewrite_statuses"].to_text(), r#"{"404":1}"#);
    let log = admin(&em, "GET", "/_emulator/requests", None);
    let entries = log["requests"].to_value();
    assert_eq!(entries[1]["operation"], "easemob.rewrite");
    assert_eq!(entries[1]["status"], 404);
    assert_eq!(entries[1]["error"], "message_rewrite_error");
    admin(&em, "POST", "/_emulator/stats/reset", None);
    admin(&em, "DELETE", "/_emulator/requests", None);
    assert_eq!(admin(&em, "GET", "/_emulator/stats", None)["requests"].as_u64(), Some(0));
    assert_eq!(admin(&em, "GET", "/_emulator/requests", None)["requests"].to_text(), "[]");
    // Unknown vendor paths are counted apart.
    assert_eq!(raw(&em, "GET", "/x/y", &[], b"").status, 404);
    assert_eq!(admin(&em, "GET", "/_emulator/stats", None)["other_requests"].as_u64(), Some(1));
}

#[test]
fn app_settings_can_change() {
    let em = emulator();
    let path = format!("/_emulator/easemob/apps/{ORG}/{APP}");
    let app = admin(
        &em,
        "PATCH",
        &path,
        Some(r#"{"default_ttl_secs": 60, "rate_limit": 0, "client_secret": "YXA6new", "check_permissions": true}"#),
    );
    assert_eq!(app["default_ttl_secs"].as_u64(), Some(60));
    assert_eq!(app["rate_limit"].as_u64(), Some(0));
    assert_eq!(app["check_permissions"].as_bool(), Some(true));
    // The old secret no longer matches.
    let request =
        imedit::easemob::build_token_request(&settings(&em), &credentials(), &imedit::easemob::TokenPolicy::default())
            .unwrap();
    assert_eq!(json(&send(&request))["error_description"].as_str(), Some("client_secret does not match"));
    assert_eq!(em.admin("PATCH", "/_emulator/easemob/apps/x/y", Some("{}")).0, 404);
}
