//! The Easemob half of the emulator, rule by rule (`easemob-rest.md` §6a): each documented
//! behaviour produced by the request that should produce it, driven with the core's builders and
//! parsers over real HTTP, and raw requests where the core refuses to build the bad input.

mod common;

use std::time::{Duration, Instant};

use common::*;
use imedit::easemob::{
    build_agora_token_exchange_request, build_rewrite_request, build_token_request,
    parse_agora_token_exchange_response, parse_rewrite_response, parse_token_response, ClientCredentials, MessageKind,
    RewriteMessage, Settings, TokenPolicy,
};
use imedit::{ApiErrorKind, RetryAdvice, Secret};

// ---------------------------------------------------------------- token

#[test]
fn token_is_issued_with_the_console_default_lifetime() {
    let em = emulator();
    let request = build_token_request(&settings(&em), &credentials(), &TokenPolicy::default()).unwrap();
    let reply = send(&request);
    assert_eq!(reply.status, 200);
    let body = json(&reply);
    assert_eq!(body["expires_in"].as_u64(), Some(7200));
    assert_eq!(body["application"].as_str(), Some(APPLICATION));
    assert!(body["access_token"].as_str().unwrap().starts_with("YWMt"));
    let token = parse_token_response(&reply, 1000, &TokenPolicy::default()).unwrap();
    assert_eq!(token.expires_at(), Some(1000 + 7200));
    assert_eq!(token.application(), Some(APPLICATION));
}

#[test]
fn token_ttl_is_honoured_and_zero_never_expires() {
    let em = emulator();
    let policy = TokenPolicy { ttl: Some(60), ..TokenPolicy::default() };
    let reply = send(&build_token_request(&settings(&em), &credentials(), &policy).unwrap());
    assert_eq!(json(&reply)["expires_in"].as_u64(), Some(60));
    let short = parse_token_response(&reply, 0, &policy).unwrap().value().clone();

    let forever = TokenPolicy { ttl: Some(0), ..TokenPolicy::default() };
    let reply = send(&build_token_request(&settings(&em), &credentials(), &forever).unwrap());
    assert_eq!(json(&reply)["expires_in"].as_u64(), Some(0));
    let eternal = parse_token_response(&reply, 0, &forever).unwrap();
    assert_eq!(eternal.expires_at(), None);

    // Ten years later the ttl-0 token still works; the 60 s one does not.
    admin(&em, "POST", "/_emulator/time", Some(r#"{"advance_secs": 315360000}"#));
    // (The seeded messages have expired by then: store a new one.)
    admin(&em, "PUT", &format!("/_emulator/easemob/apps/{ORG}/{APP}/messages/5"), Some(r#"{"type":"txt"}"#));
    let edit = RewriteMessage::text("5", "still here");
    assert!(rewrite(&em, eternal.value(), &edit).is_ok());
    let expired = rewrite(&em, &short, &edit).unwrap_err();
    assert_eq!(expired.code(), "token_invalid");
}

#[test]
fn token_ttl_as_a_string_is_accepted_and_garbage_is_refused() {
    let em = emulator();
    let path = format!("/{ORG}/{APP}/token");
    let ct = [("Content-Type", "application/json")];
    let body = format!(
        r#"{{"grant_type":"client_credentials","client_id":"{CLIENT_ID}","client_secret":"{CLIENT_SECRET}","ttl":"120"}}"#
    );
    assert_eq!(json(&raw(&em, "POST", &path, &ct, body.as_bytes()))["expires_in"].as_u64(), Some(120));
    let body = body.replace(r#""120""#, "-5");
    let reply = raw(&em, "POST", &path, &ct, body.as_bytes());
    assert_easemob_error(&reply, 400, "illegal_argument", "ttl must be a non-negative integer");
}

#[test]
fn token_for_an_unknown_app_is_404() {
    let em = emulator();
    let settings = Settings::builder(&em.base_url()).org_name("nope").app_name("app").allow_http(true).build().unwrap();
    let reply = send(&build_token_request(&settings, &credentials(), &TokenPolicy::default()).unwrap());
    assert_easemob_error(
        &reply,
        404,
        "organization_application_not_found",
        "Could not find application for nope/app from URI: nope/app/token",
    );
    let e = parse_token_response(&reply, 0, &TokenPolicy::default()).unwrap_err();
    assert_eq!(e.api().unwrap().kind, ApiErrorKind::AppNotFound);
}

#[test]
fn token_body_that_is_not_json_is_json_parse() {
    let em = emulator();
    let reply = raw(&em, "POST", &format!("/{ORG}/{APP}/token"), &[("Content-Type", "application/json")], b"{grant");
    let body = json(&reply);
    assert_eq!(reply.status, 400);
    assert_eq!(body["error"].as_str(), Some("json_parse"));
    assert_eq!(parse_token_response(&reply, 0, &TokenPolicy::default()).unwrap_err().code(), "invalid_request");
}

#[test]
fn token_grant_type_must_be_client_credentials() {
    let em = emulator();
    let body = format!(r#"{{"grant_type":"password","client_id":"{CLIENT_ID}","client_secret":"{CLIENT_SECRET}"}}"#);
    let reply = raw(&em, "POST", &format!("/{ORG}/{APP}/token"), &[], body.as_bytes());
    assert_easemob_error(&reply, 400, "illegal_argument", "grant_type must be client_credentials or agora");
}

#[test]
fn token_missing_client_id_or_secret_is_illegal_argument() {
    let em = emulator();
    let path = format!("/{ORG}/{APP}/token");
    let reply = raw(&em, "POST", &path, &[], br#"{"grant_type":"client_credentials","client_secret":"x"}"#);
    assert_easemob_error(&reply, 400, "illegal_argument", "client_id must be provided.");
    let reply = raw(&em, "POST", &path, &[], br#"{"grant_type":"client_credentials","client_id":"x"}"#);
    assert_easemob_error(&reply, 400, "illegal_argument", "client_secret must be provided");
    let e = parse_token_response(&reply, 0, &TokenPolicy::default()).unwrap_err();
    assert_eq!(e.code(), "illegal_argument");
}

#[test]
fn token_with_wrong_id_or_secret_is_invalid_grant() {
    let em = emulator();
    let policy = TokenPolicy::default();
    let wrong_id = ClientCredentials::new("YXA6other", CLIENT_SECRET).unwrap();
    let reply = send(&build_token_request(&settings(&em), &wrong_id, &policy).unwrap());
    assert_easemob_error(&reply, 400, "invalid_grant", "client_id does not match");
    let wrong_secret = ClientCredentials::new(CLIENT_ID, "YXA6other").unwrap();
    let reply = send(&build_token_request(&settings(&em), &wrong_secret, &policy).unwrap());
    assert_easemob_error(&reply, 400, "invalid_grant", "client_secret does not match");
    let e = parse_token_response(&reply, 0, &policy).unwrap_err();
    assert_eq!((e.code(), e.retry()), ("invalid_credentials", RetryAdvice::DoNotRetry));
}

#[test]
fn token_requests_above_the_limit_are_429() {
    let em = emulator();
    admin(&em, "POST", &format!("/_emulator/easemob/apps/{ORG}/{APP}"), Some(r#"{"token_rate_limit": 3}"#));
    admin(&em, "POST", "/_emulator/time", Some(r#"{"freeze": true}"#));
    let request = build_token_request(&settings(&em), &credentials(), &TokenPolicy::default()).unwrap();
    let statuses: Vec<u16> = (0..5).map(|_| send(&request).status).collect();
    assert_eq!(statuses, [200, 200, 200, 429, 429]);
    let reply = send(&request);
    assert_easemob_error(&reply, 429, "reach_limit", "This request has reached api limit");
    admin(&em, "POST", "/_emulator/time", Some(r#"{"advance_secs": 1}"#));
    assert_eq!(send(&request).status, 200);
}

#[test]
fn token_path_takes_only_post() {
    let em = emulator();
    let reply = raw(&em, "GET", &format!("/{ORG}/{APP}/token"), &[], b"");
    assert_eq!(reply.status, 405);
    assert_eq!(json(&reply)["error"].as_str(), Some("web_application"));
}

#[test]
fn agora_token_exchange() {
    let em = emulator();
    let mut app = admin(&em, "GET", &format!("/_emulator/easemob/apps/{ORG}/{APP}"), None);
    assert_eq!(app["app_name"].as_str(), Some(APP));
    let seed = format!(
        r#"{{"org_name":"{ORG}","app_name":"agora","client_id":"a","client_secret":"b","agora_tokens":["007agoraapptoken"],"default_ttl_secs":3600}}"#
    );
    app = admin(&em, "POST", "/_emulator/easemob/apps", Some(&seed));
    assert_eq!(app["app_name"].as_str(), Some("agora"));
    let settings = Settings::builder(&em.base_url()).org_name(ORG).app_name("agora").allow_http(true).build().unwrap();
    let reply = send(&build_agora_token_exchange_request(&settings, &Secret::new("007agoraapptoken")).unwrap());
    assert_eq!(reply.status, 200, "{}", json(&reply));
    let token = parse_agora_token_exchange_response(&reply, now(), &TokenPolicy::default()).unwrap();
    let lifetime = token.expires_at().unwrap() - token.issued_at();
    assert!((3598..=3601).contains(&lifetime), "{lifetime}");
    let reply = send(&build_agora_token_exchange_request(&settings, &Secret::new("007wrong")).unwrap());
    assert_easemob_error(&reply, 401, "auth_bad_access_token", "Unable to authenticate");
}

// ---------------------------------------------------------------- rewrite: routing and auth

#[test]
fn rewrite_path_takes_only_put() {
    let em = emulator();
    let token = token(&em);
    let auth = format!("Bearer {}", token.expose());
    for method in ["GET", "POST", "DELETE", "PATCH"] {
        let reply = raw(&em, method, &format!("/{ORG}/{APP}/messages/rewrite/{TXT}"), &[("Authorization", &auth)], b"");
        assert_eq!(reply.status, 405, "{method}");
    }
}

#[test]
fn rewrite_for_an_unknown_app_is_404() {
    let em = emulator();
    let token = token(&em);
    let settings = Settings::builder(&em.base_url()).org_name(ORG).app_name("other").allow_http(true).build().unwrap();
    let request = build_rewrite_request(&settings, &token, &RewriteMessage::text(TXT, "x")).unwrap();
    let reply = send(&request);
    assert_easemob_error(
        &reply,
        404,
        "organization_application_not_found",
        &format!("Could not find application for {ORG}/other from URI: {ORG}/other/messages/rewrite/{TXT}"),
    );
    assert_eq!(parse_rewrite_response(&reply).unwrap_err().code(), "app_not_found");
}

#[test]
fn rewrite_without_a_token_is_401_unauthorized() {
    let em = emulator();
    let reply = raw(
        &em,
        "PUT",
        &format!("/{ORG}/{APP}/messages/rewrite/{TXT}"),
        &[("Content-Type", "application/json")],
        br#"{"new_msg":{"type":"txt","msg":"x"}}"#,
    );
    let body = assert_easemob_error(&reply, 401, "unauthorized", "Unable to authenticate due to expired access token");
    assert_eq!(body["exception"].as_str(), Some("org.apache.usergrid.rest.exceptions.SecurityException"));
    let e = parse_rewrite_response(&reply).unwrap_err();
    assert_eq!((e.code(), e.retry()), ("token_invalid", RetryAdvice::RefreshToken));
}

#[test]
fn rewrite_with_a_malformed_authorization_is_corrupt_token() {
    let em = emulator();
    let path = format!("/{ORG}/{APP}/messages/rewrite/{TXT}");
    for auth in
        ["Basic dXNlcjpwYXNz", "Bearer", "Bearer short", "Bearer YWMt!!not*base64!!", "bearer YWMtabcdefghijklmnop"]
    {
        let reply = raw(&em, "PUT", &path, &[("Authorization", auth)], br#"{"new_msg":{"type":"txt","msg":"x"}}"#);
        let body = assert_easemob_error(
            &reply,
            401,
            "auth_bad_access_token",
            "Unable to authenticate due to corrupt access token",
        );
        assert_eq!(body["exception"].as_str(), Some("org.apache.usergrid.rest.exceptions.SecurityException"), "{auth}");
    }
}

#[test]
fn rewrite_with_an_unknown_well_formed_token_is_401() {
    let em = emulator();
    let unknown = Secret::new("YWMtAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    let request = build_rewrite_request(&settings(&em), &unknown, &RewriteMessage::text(TXT, "x")).unwrap();
    let reply = send(&request);
    assert_easemob_error(&reply, 401, "auth_bad_access_token", "Unable to authenticate");
    assert_eq!(parse_rewrite_response(&reply).unwrap_err().retry(), RetryAdvice::RefreshToken);
}

#[test]
fn rewrite_with_an_expired_token_is_401_unauthorized() {
    let em = emulator();
    let token = token(&em);
    let edit = RewriteMessage::text(TXT, "x");
    assert!(rewrite(&em, &token, &edit).is_ok());
    admin(&em, "POST", "/_emulator/time", Some(r#"{"advance_secs": 7200}"#));
    let reply = send(&build_rewrite_request(&settings(&em), &token, &edit).unwrap());
    assert_easemob_error(&reply, 401, "unauthorized", "Unable to authenticate due to expired access token");
    // A fresh token works again.
    assert!(rewrite(&em, &common::token(&em), &edit).is_ok());
    // The admin hook expires every token at once.
    let fresh = common::token(&em);
    let expired = admin(&em, "POST", &format!("/_emulator/easemob/apps/{ORG}/{APP}/expire-tokens"), None);
    assert!(expired["expired"].as_u64().unwrap() >= 1);
    assert_eq!(rewrite(&em, &fresh, &edit).unwrap_err().code(), "token_invalid");
}

// ---------------------------------------------------------------- rewrite: limits and switches

#[test]
fn more_than_100_rewrites_a_second_is_429() {
    let em = emulator();
    let token = token(&em);
    admin(&em, "POST", "/_emulator/time", Some(r#"{"freeze": true}"#));
    // Unknown messages: each request passes the rate check, then gets 404.
    let edit = RewriteMessage::text("42", "x");
    let request = build_rewrite_request(&settings(&em), &token, &edit).unwrap();
    let statuses: Vec<u16> = (0..101).map(|_| send(&request).status).collect();
    assert!(statuses[..100].iter().all(|&s| s == 404), "{statuses:?}");
    let reply = send(&request);
    assert_easemob_error(&reply, 429, "reach_limit", "This request has reached api limit");
    let e = parse_rewrite_response(&reply).unwrap_err();
    assert_eq!((e.code(), e.retry()), ("rate_limited", RetryAdvice::Retry));
    // A second later the window has room again.
    admin(&em, "POST", "/_emulator/time", Some(r#"{"advance_ms": 1000}"#));
    assert_eq!(send(&request).status, 404);
}

#[test]
fn rewrite_feature_disabled_is_403() {
    let em = emulator();
    let token = token(&em);
    admin(&em, "PATCH", &format!("/_emulator/easemob/apps/{ORG}/{APP}"), Some(r#"{"rewrite_enabled": false}"#));
    let reply = send(&build_rewrite_request(&settings(&em), &token, &RewriteMessage::text(TXT, "x")).unwrap());
    assert_easemob_error(&reply, 403, "message_rewrite_error", "The rewrite message feature is not open.");
    assert_eq!(parse_rewrite_response(&reply).unwrap_err().code(), "feature_not_enabled");
}

#[test]
fn rewrite_content_type_must_be_json_when_present() {
    let em = emulator();
    let token = token(&em);
    let auth = format!("Bearer {}", token.expose());
    let path = format!("/{ORG}/{APP}/messages/rewrite/{TXT}");
    let body = br#"{"new_msg":{"type":"txt","msg":"typed"}}"#;
    let reply = raw(&em, "PUT", &path, &[("Authorization", &auth), ("Content-Type", "text/plain")], body);
    assert_easemob_error(&reply, 415, "web_application", "Unsupported Media Type");
    assert_eq!(parse_rewrite_response(&reply).unwrap_err().code(), "unsupported_media_type");
    // No Content-Type at all (as the Java SDK sends), or JSON with a charset: accepted.
    assert_eq!(raw(&em, "PUT", &path, &[("Authorization", &auth)], body).status, 200);
    let ct = ("Content-Type", "application/json; charset=utf-8");
    assert_eq!(raw(&em, "PUT", &path, &[("Authorization", &auth), ct], body).status, 200);
}

#[test]
fn rewrite_body_over_5_kb_is_413() {
    let em = emulator();
    let token = token(&em);
    // The core refuses to build it.
    let big = RewriteMessage::text(TXT, "x".repeat(6000));
    assert_eq!(build_rewrite_request(&settings(&em), &token, &big).unwrap_err().code(), "body_too_large");
    let body = format!(r#"{{"new_msg":{{"type":"txt","msg":"{}"}}}}"#, "x".repeat(6000));
    let reply = raw_rewrite(&em, &token, TXT, &body);
    assert_easemob_error(&reply, 413, "Request Entity Too Large", "Request Entity Too Large");
    assert_eq!(parse_rewrite_response(&reply).unwrap_err().code(), "entity_too_large");
}

#[test]
fn rewrite_body_with_wrong_types_is_invalid_request_body() {
    let em = emulator();
    let token = token(&em);
    for body in [
        "not json",
        "[1,2]",
        r#"{"new_msg":"txt"}"#,
        r#"{"new_msg":{"type":7,"msg":"x"}}"#,
        r#"{"new_msg":{"type":"txt","msg":["x"]}}"#,
        r#"{"new_msg":{"type":"custom","customExts":{"a":1}}}"#,
        r#"{"new_msg":{"type":"custom","customExts":"a=b"}}"#,
        r#"{"new_msg":{"type":"txt","msg":"x"},"new_ext":null}"#,
        r#"{"new_msg":{"type":"txt","msg":"x"},"new_ext":["a"]}"#,
        r#"{"new_msg":{"type":"txt","msg":"x"},"is_combine_ext":"false"}"#,
        r#"{"user":1,"new_msg":{"type":"txt","msg":"x"}}"#,
    ] {
        let reply = raw_rewrite(&em, &token, TXT, body);
        assert_easemob_error(
            &reply,
            400,
            "invalid_request_body",
            "Request body is invalid. Please check body is correct.",
        );
        assert_eq!(parse_rewrite_response(&reply).unwrap_err().code(), "invalid_request", "{body}");
    }
    assert_eq!(message(&em, TXT)["edit_count"].as_u64(), Some(0));
}

#[test]
fn rewrite_without_new_msg_is_illegal_argument() {
    let em = emulator();
    let token = token(&em);
    for body in [r#"{"new_ext":{"a":"b"}}"#, r#"{"new_msg":null}"#, "{}"] {
        let reply = raw_rewrite(&em, &token, TXT, body);
        assert_easemob_error(&reply, 400, "illegal_argument", "new_msg is required");
        assert_eq!(parse_rewrite_response(&reply).unwrap_err().code(), "illegal_argument");
    }
}

#[test]
fn rewrite_message_id_must_be_a_number() {
    let em = emulator();
    let token = token(&em);
    // The core refuses these ids before sending.
    assert_eq!(RewriteMessage::text("12a", "x").body().unwrap_err().code(), "invalid_input");
    for id in ["12a", "abc", "99999999999999999999", "-5"] {
        let reply = raw_rewrite(&em, &token, id, r#"{"new_msg":{"type":"txt","msg":"x"}}"#);
        let body = assert_easemob_error(
            &reply,
            400,
            "InvalidMessageIdException",
            "The provided message ID is not a valid number.",
        );
        assert_eq!(body["exception"].as_str(), Some("InvalidMessageIdException"));
        assert_eq!(parse_rewrite_response(&reply).unwrap_err().code(), "invalid_message_id", "{id}");
    }
}

#[test]
fn rewrite_of_an_unknown_or_expired_message_is_404() {
    let em = emulator();
    let token = token(&em);
    for id in ["1", EXPIRED] {
        let e = rewrite(&em, &token, &RewriteMessage::text(id, "x")).unwrap_err();
        assert_eq!((e.code(), e.status()), ("message_unavailable", Some(404)), "{id}");
        let api = e.api().unwrap();
        assert_eq!(api.vendor_code.as_deref(), Some("message_rewrite_error"));
        assert_eq!(api.exception.as_deref(), Some("MessageUnavailableException"));
        assert_eq!(api.message.as_deref(), Some("The message is unavailable or has expired."));
    }
}

#[test]
fn messages_expire_after_their_storage_lifetime_and_an_edit_resets_it() {
    let em = emulator();
    admin(&em, "PATCH", &format!("/_emulator/easemob/apps/{ORG}/{APP}"), Some(r#"{"message_lifetime_secs": 1000}"#));
    let edit = RewriteMessage::text(TXT, "kept alive");
    admin(&em, "POST", "/_emulator/time", Some(r#"{"advance_secs": 600}"#));
    assert!(rewrite(&em, &token(&em), &edit).is_ok());
    // 1200 s after it was stored, but 600 s after its edit: still there.
    admin(&em, "POST", "/_emulator/time", Some(r#"{"advance_secs": 600}"#));
    assert!(rewrite(&em, &token(&em), &edit).is_ok());
    let other = rewrite(&em, &token(&em), &RewriteMessage::custom(CUSTOM).custom_event("e")).unwrap_err();
    assert_eq!(other.code(), "message_unavailable");
    admin(&em, "POST", "/_emulator/time", Some(r#"{"advance_secs": 1000}"#));
    assert_eq!(rewrite(&em, &token(&em), &edit).unwrap_err().code(), "message_unavailable");
    assert_eq!(message(&em, TXT)["expired"].as_bool(), Some(true));
}

const BAD_TYPE: &str = "The message is of a type that is currently not supported for modification.";

#[test]
fn command_messages_and_type_mismatches_are_refused() {
    let em = emulator();
    let token = token(&em);
    // The core refuses cmd locally...
    let local = rewrite(&em, &token, &RewriteMessage::new(CMD, MessageKind::Command).new_ext("a", "b")).unwrap_err();
    assert_eq!(local.code(), "message_not_editable");
    // ...and the service refuses it too, with either type.
    for body in [r#"{"new_msg":{"type":"cmd"},"new_ext":{"a":"b"}}"#, r#"{"new_msg":{"type":"txt","msg":"x"}}"#] {
        let reply = raw_rewrite(&em, &token, CMD, body);
        assert_easemob_error(&reply, 400, "message_rewrite_error", BAD_TYPE);
        assert_eq!(parse_rewrite_response(&reply).unwrap_err().code(), "unsupported_message_type");
    }
    // A type that does not match the stored message.
    let e = rewrite(&em, &token, &RewriteMessage::text(IMG, "x")).unwrap_err();
    assert_eq!((e.code(), e.status()), ("unsupported_message_type", Some(400)));
    // An unknown type.
    assert_easemob_error(
        &raw_rewrite(&em, &token, TXT, r#"{"new_msg":{"type":"sticker"}}"#),
        400,
        "message_rewrite_error",
        BAD_TYPE,
    );
    // `image` is read as `img` (the doc's example sends it).
    let reply = raw_rewrite(&em, &token, IMG, r#"{"new_msg":{"type":"image"},"new_ext":{"k":"v"}}"#);
    assert_eq!(reply.status, 200, "{}", json(&reply));
    assert_eq!(message(&em, CMD)["edit_count"].as_u64(), Some(0));
}

#[test]
fn permissions_when_switched_on() {
    let em = emulator();
    let token = token(&em);
    // Off (the default): an app token edits anything, whoever `user` is.
    assert!(rewrite(&em, &token, &RewriteMessage::text(TXT, "a").user("stranger")).is_ok());
    admin(&em, "PATCH", &format!("/_emulator/easemob/apps/{ORG}/{APP}"), Some(r#"{"check_permissions": true}"#));
    let e = rewrite(&em, &token, &RewriteMessage::text(TXT, "b").user("user2")).unwrap_err();
    assert_eq!((e.code(), e.status(), e.retry()), ("permission_denied", Some(401), RetryAdvice::DoNotRetry));
    assert_eq!(e.api().unwrap().message.as_deref(), Some("You are not authorized to edit this message."));
    assert!(rewrite(&em, &token, &RewriteMessage::text(TXT, "c").user("USER1")).is_ok());
    assert!(rewrite(&em, &token, &RewriteMessage::text(TXT, "d")).is_ok());
    // In a group, owners and admins may edit too.
    let group =
        r#"{"type":"txt","body":{"msg":"hi"},"from":"user1","to":"group1","chat_type":"groupchat","admins":["owner"]}"#;
    admin(&em, "PUT", &format!("/_emulator/easemob/apps/{ORG}/{APP}/messages/77"), Some(group));
    assert!(rewrite(&em, &token, &RewriteMessage::text("77", "by the owner").user("owner")).is_ok());
    assert_eq!(
        rewrite(&em, &token, &RewriteMessage::text("77", "x").user("user3")).unwrap_err().code(),
        "permission_denied"
    );
}

#[test]
fn the_eleventh_edit_is_refused() {
    let em = emulator();
    let token = token(&em);
    for i in 1..=10 {
        assert!(rewrite(&em, &token, &RewriteMessage::text(TXT, format!("edit {i}"))).is_ok(), "edit {i}");
    }
    let reply = send(&build_rewrite_request(&settings(&em), &token, &RewriteMessage::text(TXT, "edit 11")).unwrap());
    assert_easemob_error(
        &reply,
        403,
        "message_rewrite_error",
        "The message has reached its edit limit and cannot be modified further.",
    );
    let e = parse_rewrite_response(&reply).unwrap_err();
    assert_eq!((e.code(), e.retry()), ("edit_limit_reached", RetryAdvice::DoNotRetry));
    let m = message(&em, TXT);
    assert_eq!((m["edit_count"].as_u64(), m["body"]["msg"].as_str()), (Some(10), Some("edit 10")));
    // The seeded message edited 9 times takes exactly one more.
    assert!(rewrite(&em, &token, &RewriteMessage::text(NINE_EDITS, "10")).is_ok());
    assert_eq!(rewrite(&em, &token, &RewriteMessage::text(NINE_EDITS, "11")).unwrap_err().code(), "edit_limit_reached");
}

#[test]
fn a_message_being_edited_gives_409() {
    let em = emulator();
    let token = token(&em);
    admin(
        &em,
        "PUT",
        &format!("/_emulator/easemob/apps/{ORG}/{APP}/messages/88"),
        Some(r#"{"type":"txt","body":{"msg":"locked"},"editing":true}"#),
    );
    let reply = send(&build_rewrite_request(&settings(&em), &token, &RewriteMessage::text("88", "x")).unwrap());
    assert_easemob_error(&reply, 409, "concurrent_operation_error", "The message has been edited by another.");
    let e = parse_rewrite_response(&reply).unwrap_err();
    assert_eq!((e.code(), e.retry()), ("concurrent_edit", RetryAdvice::RereadFirst));
}

#[test]
fn concurrent_edits_of_one_message_give_409() {
    let em = emulator();
    let token = token(&em);
    // The first edit stays in flight for 1.5 s; the second is sent once the first is in flight.
    admin(&em, "POST", "/_emulator/faults", Some(r#"{"target":"easemob.rewrite","latency_ms":1500,"count":1}"#));
    let request = build_rewrite_request(&settings(&em), &token, &RewriteMessage::text(TXT, "first")).unwrap();
    let first = std::thread::spawn(move || send(&request));
    let started = Instant::now();
    while message(&em, TXT)["editing"].as_bool() != Some(true) {
        assert!(started.elapsed() < Duration::from_secs(10), "the first edit never started");
        std::thread::sleep(Duration::from_millis(5));
    }
    let second = rewrite(&em, &token, &RewriteMessage::text(TXT, "second")).unwrap_err();
    assert_eq!((second.code(), second.status()), ("concurrent_edit", Some(409)));
    // Another message is not affected.
    assert!(rewrite(&em, &token, &RewriteMessage::custom(CUSTOM).custom_event("free")).is_ok());
    assert_eq!(first.join().unwrap().status, 200);
    let m = message(&em, TXT);
    assert_eq!(
        (m["edit_count"].as_u64(), m["body"]["msg"].as_str(), m["editing"].as_bool()),
        (Some(1), Some("first"), Some(false))
    );
}

// ---------------------------------------------------------------- rewrite: faults

#[test]
fn injected_faults() {
    let em = emulator();
    let token = token(&em);
    let edit = RewriteMessage::text(TXT, "x");
    let cases = [
        (r#"{"target":"easemob.rewrite","status":500}"#, 500, "rewrite_internal_error", RetryAdvice::RereadFirst),
        (r#"{"target":"easemob.rewrite","status":502}"#, 502, "service_unavailable", RetryAdvice::Retry),
        (r#"{"target":"easemob.rewrite","status":503}"#, 503, "service_unavailable", RetryAdvice::Retry),
        (r#"{"target":"any","status":504}"#, 504, "service_unavailable", RetryAdvice::Retry),
        (r#"{"target":"easemob.rewrite","status":502,"body":"html"}"#, 502, "malformed_response", RetryAdvice::Retry),
        (r#"{"target":"easemob.rewrite","status":503,"body":"empty"}"#, 503, "malformed_response", RetryAdvice::Retry),
        (
            r#"{"target":"easemob.rewrite","status":500,"body":"html"}"#,
            500,
            "malformed_response",
            RetryAdvice::RereadFirst,
        ),
    ];
    for (fault, status, code, retry) in cases {
        admin(&em, "POST", "/_emulator/faults", Some(fault));
        let reply = send(&build_rewrite_request(&settings(&em), &token, &edit).unwrap());
        assert_eq!(reply.status, status, "{fault}");
        let e = parse_rewrite_response(&reply).unwrap_err();
        assert_eq!((e.code(), e.retry()), (code, retry), "{fault}: {e}");
    }
    let html = {
        admin(&em, "POST", "/_emulator/faults", Some(r#"{"target":"easemob.rewrite","status":502,"body":"html"}"#));
        send(&build_rewrite_request(&settings(&em), &token, &edit).unwrap())
    };
    assert!(String::from_utf8_lossy(&html.body).contains("<title>502 Bad Gateway</title>"));
    assert_eq!(html.header("content-type"), Some("text/html"));
    let vendor = {
        admin(&em, "POST", "/_emulator/faults", Some(r#"{"target":"easemob.rewrite","status":500}"#));
        send(&build_rewrite_request(&settings(&em), &token, &edit).unwrap())
    };
    assert_easemob_error(
        &vendor,
        500,
        "RewriteMessageInternalErrorException",
        "An unknown error occurred while processing the request.",
    );
    // Faults are used up: the next call goes through, and no fault edited the message.
    assert_eq!(message(&em, TXT)["edit_count"].as_u64(), Some(0));
    assert!(rewrite(&em, &token, &edit).is_ok());
}

#[test]
fn faults_count_down_and_target_their_api() {
    let em = emulator();
    let token = token(&em);
    admin(&em, "POST", "/_emulator/faults", Some(r#"{"target":"easemob.rewrite","status":503,"count":2}"#));
    admin(&em, "POST", "/_emulator/faults", Some(r#"{"target":"easemob.token","status":502}"#));
    let faults = admin(&em, "GET", "/_emulator/faults", None);
    assert_eq!(faults["faults"].to_value().as_array().map(Vec::len), Some(2));
    let edit = RewriteMessage::text(TXT, "x");
    let token_request = build_token_request(&settings(&em), &credentials(), &TokenPolicy::default()).unwrap();
    assert_eq!(send(&token_request).status, 502);
    assert_eq!(send(&token_request).status, 200);
    let statuses: Vec<u16> =
        (0..3).map(|_| send(&build_rewrite_request(&settings(&em), &token, &edit).unwrap()).status).collect();
    assert_eq!(statuses, [503, 503, 200]);
    admin(&em, "POST", "/_emulator/faults", Some(r#"{"target":"easemob.rewrite","status":503,"count":5}"#));
    admin(&em, "DELETE", "/_emulator/faults", None);
    assert!(rewrite(&em, &token, &edit).is_ok());
}

#[test]
fn injected_latency_delays_the_reply() {
    let em = emulator();
    let token = token(&em);
    admin(&em, "POST", "/_emulator/faults", Some(r#"{"target":"easemob.rewrite","latency_ms":300}"#));
    let started = Instant::now();
    assert!(rewrite(&em, &token, &RewriteMessage::text(TXT, "slow")).is_ok());
    assert!(started.elapsed() >= Duration::from_millis(300), "{:?}", started.elapsed());
}

// ---------------------------------------------------------------- rewrite: what changes

#[test]
fn text_rewrite_replaces_msg_and_merges_ext() {
    let em = emulator();
    let token = token(&em);
    let edit = RewriteMessage::text(TXT, "new text").new_ext("key2", "value2").new_ext("key1", "changed").user("user1");
    let outcome = rewrite(&em, &token, &edit).unwrap();
    assert_eq!(outcome.path.as_deref(), Some(format!("/messages/rewrite/{TXT}").as_str()));
    assert_eq!(outcome.uri, Some(format!("{}/{ORG}/{APP}/messages/rewrite/{TXT}", em.base_url())));
    assert_eq!(outcome.action.as_deref(), Some("put"));
    assert_eq!(outcome.organization.as_deref(), Some(ORG));
    assert_eq!(outcome.application_name.as_deref(), Some(APP));
    assert_eq!(outcome.application.as_deref(), Some(APPLICATION));
    assert!(outcome.timestamp.is_some() && outcome.duration.is_some());
    let m = message(&em, TXT);
    assert_eq!(m["body"].to_text(), r#"{"msg":"new text"}"#);
    assert_eq!(m["ext"].to_text(), r#"{"key1":"changed","key2":"value2"}"#);
    assert_eq!((m["edit_count"].as_u64(), m["operator"].as_str()), (Some(1), Some("user1")));
    assert!(m["edit_time_ms"].as_u64().is_some());
    // Custom fields sent for a text message are ignored.
    let reply = raw_rewrite(&em, &token, TXT, r#"{"new_msg":{"type":"txt","msg":"again","customEvent":"e"}}"#);
    assert_eq!(reply.status, 200);
    assert_eq!(message(&em, TXT)["body"].to_text(), r#"{"msg":"again"}"#);
    assert_eq!(message(&em, TXT)["operator"].as_str(), Some("admin"));
}

#[test]
fn custom_rewrite_replaces_event_and_exts() {
    let em = emulator();
    let token = token(&em);
    assert!(rewrite(&em, &token, &RewriteMessage::custom(CUSTOM).custom_ext("a", "1").custom_ext("b", "2")).is_ok());
    assert_eq!(
        message(&em, CUSTOM)["body"].to_text(),
        r#"{"customEvent":"order_created","customExts":{"a":"1","b":"2"}}"#
    );
    assert!(rewrite(&em, &token, &RewriteMessage::custom(CUSTOM).custom_event("order.updated/v2")).is_ok());
    assert_eq!(
        message(&em, CUSTOM)["body"].to_text(),
        r#"{"customEvent":"order.updated/v2","customExts":{"a":"1","b":"2"}}"#
    );
    // Rules the core enforces locally, checked by the emulator too.
    for body in [
        r#"{"new_msg":{"type":"custom","customEvent":"has space"}}"#,
        &format!(r#"{{"new_msg":{{"type":"custom","customEvent":"{}"}}}}"#, "e".repeat(33)),
        &format!(
            r#"{{"new_msg":{{"type":"custom","customExts":{{{}}}}}}}"#,
            (0..17).map(|i| format!(r#""k{i}":"v""#)).collect::<Vec<_>>().join(",")
        ),
    ] {
        let reply = raw_rewrite(&em, &token, CUSTOM, body);
        assert_easemob_error(
            &reply,
            400,
            "invalid_request_body",
            "Request body is invalid. Please check body is correct.",
        );
    }
    assert_eq!(message(&em, CUSTOM)["edit_count"].as_u64(), Some(2));
}

#[test]
fn ext_only_kinds_change_only_their_ext() {
    let em = emulator();
    let token = token(&em);
    for (id, kind) in [
        (IMG, MessageKind::Image),
        (AUDIO, MessageKind::Audio),
        (VIDEO, MessageKind::Video),
        (FILE, MessageKind::File),
        (LOC, MessageKind::Location),
    ] {
        let before = message(&em, id);
        assert!(rewrite(&em, &token, &RewriteMessage::new(id, kind).new_ext("seen", "yes")).is_ok(), "{kind:?}");
        let after = message(&em, id);
        assert_eq!(after["body"], before["body"], "{kind:?}");
        assert_eq!(after["ext"]["seen"].as_str(), Some("yes"));
        assert_eq!(after["edit_count"].as_u64(), Some(1));
    }
    // Body fields sent for an image are ignored.
    let reply = raw_rewrite(
        &em,
        &token,
        IMG,
        r#"{"new_msg":{"type":"img","msg":"no","customEvent":"no"},"new_ext":{"k":"v"}}"#,
    );
    assert_eq!(reply.status, 200);
    assert_eq!(message(&em, IMG)["body"].to_text(), r#"{"url":"https://example.com/cat.jpg","filename":"cat.jpg"}"#);
    // A combine message takes ext edits too.
    admin(&em, "PUT", &format!("/_emulator/easemob/apps/{ORG}/{APP}/messages/99"), Some(r#"{"type":"combine"}"#));
    assert!(rewrite(&em, &token, &RewriteMessage::new("99", MessageKind::Combine).new_ext("k", "v")).is_ok());
}

#[test]
fn ext_merge_and_replace_keep_order() {
    let em = emulator();
    let token = token(&em);
    let merge = RewriteMessage::new(IMG, MessageKind::Image).new_ext("key3", "value3").new_ext("key1", "update_value");
    assert!(rewrite(&em, &token, &merge).is_ok());
    assert_eq!(message(&em, IMG)["ext"].to_text(), r#"{"key1":"update_value","key2":"value2","key3":"value3"}"#);
    let replace = RewriteMessage::new(IMG, MessageKind::Image).new_ext("z", "1").new_ext("a", "2").replace_ext();
    assert!(rewrite(&em, &token, &replace).is_ok());
    assert_eq!(message(&em, IMG)["ext"].to_text(), r#"{"z":"1","a":"2"}"#);
    // An explicit is_combine_ext: true merges; values of any JSON type are kept.
    let reply = raw_rewrite(
        &em,
        &token,
        IMG,
        r#"{"new_msg":{"type":"img"},"new_ext":{"n":7,"o":{"x":true}},"is_combine_ext":true}"#,
    );
    assert_eq!(reply.status, 200);
    assert_eq!(message(&em, IMG)["ext"].to_text(), r#"{"z":"1","a":"2","n":7,"o":{"x":true}}"#);
    // Replacing with an empty map clears the ext.
    assert!(rewrite(&em, &token, &RewriteMessage::new(IMG, MessageKind::Image).replace_ext()).is_ok());
    assert_eq!(message(&em, IMG)["ext"].to_text(), "{}");
    // Without new_ext, the ext stays.
    assert!(rewrite(&em, &token, &RewriteMessage::text(TXT, "no ext change")).is_ok());
    assert_eq!(message(&em, TXT)["ext"].to_text(), r#"{"key1":"value1"}"#);
}

// ---------------------------------------------------------------- check order

#[test]
fn check_order_is_configurable() {
    let seed = |order: &str| {
        format!(
            r#"{{"easemob":{{"check_order":{order},"apps":[{{"org_name":"o","app_name":"a","client_id":"i","client_secret":"s",
                "messages":[{{"id":"1","type":"txt","body":{{"msg":"x"}}}}]}}]}}}}"#
        )
    };
    let default = r#"["app","auth","rate","feature","content_type","size","body","new_msg","message_id","message","type","permission","edit_limit","concurrency","fault"]"#;
    let message_first = r#"["message","app","auth","rate","feature","content_type","size","body","new_msg","message_id","type","permission","edit_limit","concurrency","fault"]"#;
    let path = "/o/a/messages/rewrite/2";
    let body = br#"{"new_msg":{"type":"txt","msg":"x"}}"#;
    // Default: no token is checked before the message.
    let em = emulator_with(&seed(default));
    assert_eq!(raw(&em, "PUT", path, &[], body).status, 401);
    let em = emulator_with(&seed(message_first));
    assert_eq!(raw(&em, "PUT", path, &[], body).status, 404);
    let state = admin(&em, "GET", "/_emulator/state", None);
    assert_eq!(state["easemob"]["check_order"].to_text(), message_first.replace(' ', ""));
    // A partial or unknown order is refused at start.
    for bad in [r#"["app"]"#, &default.replace("\"fault\"", "\"nope\""), &default.replace("\"fault\"", "\"app\"")] {
        let seed = imedit_cli::emulator::Seed::from_json(seed(bad).as_bytes()).unwrap();
        assert!(imedit_cli::emulator::Emulator::start(imedit_cli::emulator::Config::with_seed(seed)).is_err(), "{bad}");
    }
}
