//! The Volcengine half of the emulator, rule by rule: signature checks as the service makes them
//! (any SignedHeaders set), timestamps, action and version, 50 QPS, messages, the Ext merge rule
//! and the `ResponseMetadata` envelope. Requests are built and signed by the core.

mod common;

use common::*;
use imedit::volcengine::{
    parse_modify_message_response, parse_response, text_content, Credentials, ModifyMessage, Scheme, SignableRequest,
    Signer, SigningParams,
};
use imedit::{Header, HttpResponse, RetryAdvice};
use imedit_cli::client::{Transport, VolcClient};
use imedit_cli::emulator::EmulatorHandle;

fn edit() -> ModifyMessage {
    ModifyMessage::new(APP_ID, CONVERSATION, MESSAGE).ext("key1", "update_value").ext("key3", "value3")
}

/// The ModifyMessage request in plain parts, to sign with any options.
fn signable(em: &EmulatorHandle, body: &[u8]) -> SignableRequest {
    SignableRequest {
        method: "POST".into(),
        scheme: Scheme::Http,
        host: em.addr().to_string(),
        path: "/".into(),
        query: vec![("Action".into(), "ModifyMessage".into()), ("Version".into(), "2020-12-01".into())],
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: body.to_vec(),
    }
}

fn params(time: u64, signed_headers: Option<&[&str]>) -> SigningParams {
    SigningParams {
        region: "cn-north-1".into(),
        service: "rtc".into(),
        time,
        signed_headers: signed_headers.map(|l| l.iter().map(|s| (*s).to_owned()).collect()),
    }
}

fn modify(em: &EmulatorHandle, signer: &Signer, edit: &ModifyMessage, time: u64) -> HttpResponse {
    send_signed(&signer.modify_message(&endpoint(em), edit, time).unwrap())
}

fn stored_ext(em: &EmulatorHandle) -> String {
    let m = admin(em, "GET", &format!("/_emulator/volcengine/messages/{APP_ID}/{CONVERSATION}/{MESSAGE}"), None);
    m["ext"].to_text()
}

#[test]
fn modify_message_succeeds_with_the_documented_envelope() {
    let em = emulator();
    let reply = modify(&em, &signer(), &edit().content(text_content("edited")), now());
    assert_eq!(reply.status, 200);
    let body = json(&reply);
    let meta = &body["ResponseMetadata"];
    let keys: Vec<&str> = meta.as_object().unwrap().iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["RequestId", "Action", "Version", "Service", "Region"]);
    assert_eq!(
        (meta["Action"].as_str(), meta["Version"].as_str(), meta["Service"].as_str(), meta["Region"].as_str()),
        (Some("ModifyMessage"), Some("2020-12-01"), Some("rtc"), Some("cn-north-1"))
    );
    assert_eq!(body["Result"].to_text(), "{}");
    let parsed = parse_modify_message_response(&reply).unwrap();
    assert_eq!(parsed.request_id.len(), 32);
    assert!(parsed.request_id.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase()));
    let m = admin(&em, "GET", &format!("/_emulator/volcengine/messages/{APP_ID}/{CONVERSATION}/{MESSAGE}"), None);
    assert_eq!(m["ext"].to_text(), r#"{"key1":"update_value","key2":"value2","key3":"value3"}"#);
    assert_eq!(m["content"].as_str(), Some(r#"{"text":"edited"}"#));
    assert_eq!(m["modify_count"].as_u64(), Some(1));
    assert_eq!(m["message_id"].as_str(), Some("7234567890123456789"));
}

#[test]
fn ext_merge_follows_the_three_documented_examples() {
    let em = emulator();
    let reset = r#"{"ext":{"key1":"value1","key2":"value2"}}"#;
    let path = format!("/_emulator/volcengine/messages/{APP_ID}/{CONVERSATION}/{MESSAGE}");
    let base = ModifyMessage::new(APP_ID, CONVERSATION, MESSAGE);
    let examples = [
        (base.clone().ext("key3", "value3"), r#"{"key1":"value1","key2":"value2","key3":"value3"}"#),
        (base.clone().ext("key1", "update_value"), r#"{"key1":"update_value","key2":"value2"}"#),
        (
            base.clone().ext("key1", "update_value").ext("key3", "value3"),
            r#"{"key1":"update_value","key2":"value2","key3":"value3"}"#,
        ),
    ];
    for (edit, want) in examples {
        admin(&em, "PUT", &path, Some(reset));
        assert_eq!(modify(&em, &signer(), &edit, now()).status, 200);
        assert_eq!(stored_ext(&em), want);
    }
    // Content alone leaves the Ext as it is.
    assert_eq!(modify(&em, &signer(), &base.content(text_content("only content")), now()).status, 200);
    assert_eq!(stored_ext(&em), r#"{"key1":"update_value","key2":"value2","key3":"value3"}"#);
}

#[test]
fn any_signed_headers_set_is_accepted() {
    let em = emulator();
    let signer = signer();
    let body = edit().body().unwrap();
    let sets: [Option<&[&str]>; 4] = [
        None,
        Some(&["host", "x-content-sha256", "x-date"]), // the Node SDK's choice
        Some(&["x-date"]),
        Some(&["content-type", "host", "x-content-sha256", "x-date", "x-custom"]),
    ];
    for set in sets {
        let mut request = signable(&em, &body);
        request.headers.push(("X-Custom".into(), "abc".into()));
        let signed = signer.sign(&request, &params(now(), set)).unwrap();
        let reply = send_signed(&signed);
        assert_eq!(reply.status, 200, "{set:?}: {}", json(&reply));
    }
}

#[test]
fn temporary_credentials_need_their_session_token() {
    let em = emulator();
    admin(
        &em,
        "POST",
        "/_emulator/volcengine/credentials",
        Some(r#"{"access_key_id":"AKLTsts","secret_access_key":"c3RzLXNlY3JldA==","session_token":"STSabc123"}"#),
    );
    let with = |token: Option<&str>| {
        let c = Credentials::new("AKLTsts", "c3RzLXNlY3JldA==").unwrap();
        Signer::new(match token {
            Some(t) => c.with_session_token(t).unwrap(),
            None => c,
        })
    };
    assert_eq!(modify(&em, &with(Some("STSabc123")), &edit(), now()).status, 200);
    for (signer, what) in [(with(Some("STSother")), "wrong token"), (with(None), "no token")] {
        let reply = modify(&em, &signer, &edit(), now());
        assert_volc_error(&reply, 401, "InvalidSecretToken");
        assert_eq!(parse_response(&reply).unwrap_err().code(), "invalid_credentials", "{what}");
    }
    // A long-term key does not take a session token.
    let signer = Signer::new(Credentials::new(AK, SK).unwrap().with_session_token("STSabc123").unwrap());
    assert_volc_error(&modify(&em, &signer, &edit(), now()), 401, "InvalidSecretToken");
}

#[test]
fn unknown_access_key_is_invalid_access_key() {
    let em = emulator();
    let signer = Signer::new(Credentials::new("AKLTunknown", SK).unwrap());
    let reply = modify(&em, &signer, &edit(), now());
    let body = assert_volc_error(&reply, 401, "InvalidAccessKey");
    assert_eq!(body["ResponseMetadata"]["Error"]["CodeN"].as_u64(), Some(100_009));
    let e = parse_modify_message_response(&reply).unwrap_err();
    assert_eq!((e.code(), e.retry()), ("invalid_credentials", RetryAdvice::DoNotRetry));
    assert_eq!(e.api().unwrap().request_id.as_deref().map(str::len), Some(32));
}

#[test]
fn wrong_secret_is_signature_does_not_match() {
    let em = emulator();
    let signer = Signer::new(Credentials::new(AK, "d3Jvbmctc2VjcmV0").unwrap());
    let reply = modify(&em, &signer, &edit(), now());
    let body = assert_volc_error(&reply, 401, "SignatureDoesNotMatch");
    assert_eq!(body["ResponseMetadata"]["Error"]["CodeN"].as_u64(), Some(100_010));
    assert_eq!(parse_modify_message_response(&reply).unwrap_err().code(), "invalid_credentials");
    assert_eq!(stored_ext(&em), r#"{"key1":"value1","key2":"value2"}"#);
}

#[test]
fn a_changed_request_no_longer_matches_its_signature() {
    let em = emulator();
    let signed = signer().modify_message(&endpoint(&em), &edit(), now()).unwrap();
    // The body changed after signing.
    let mut tampered = signed.request.clone();
    tampered.body = ModifyMessage::new(APP_ID, CONVERSATION, MESSAGE).ext("key1", "evil").body().unwrap();
    assert_volc_error(&send(&tampered), 401, "SignatureDoesNotMatch");
    // A signed header changed.
    let mut tampered = signed.request.clone();
    tampered.headers.retain(|h| h.name != "Content-Type");
    tampered.headers.push(Header::new("Content-Type", "application/json; charset=utf-8"));
    assert_volc_error(&send(&tampered), 401, "SignatureDoesNotMatch");
    // The query changed.
    let mut tampered = signed.request.clone();
    tampered.url.push_str("&Extra=1");
    assert_volc_error(&send(&tampered), 401, "SignatureDoesNotMatch");
    // A header that is not signed may be added.
    let mut extra = signed.request.clone();
    extra.headers.push(Header::new("X-Trace", "1"));
    assert_eq!(send(&extra).status, 200);
}

#[test]
fn signatures_for_another_region_or_service_do_not_match() {
    let em = emulator();
    let body = edit().body().unwrap();
    for (region, service) in [("ap-singapore-1", "rtc"), ("cn-north-1", "iam")] {
        let p = SigningParams { region: region.into(), service: service.into(), time: now(), signed_headers: None };
        let reply = send_signed(&signer().sign(&signable(&em, &body), &p).unwrap());
        assert_volc_error(&reply, 401, "SignatureDoesNotMatch");
    }
}

#[test]
fn x_date_more_than_15_minutes_off_is_invalid_timestamp() {
    let em = emulator();
    let t = now();
    assert_eq!(modify(&em, &signer(), &edit(), t - 14 * 60).status, 200);
    assert_eq!(modify(&em, &signer(), &edit(), t + 14 * 60).status, 200);
    for time in [t - 16 * 60, t + 16 * 60] {
        let reply = modify(&em, &signer(), &edit(), time);
        let body = assert_volc_error(&reply, 400, "InvalidTimestamp");
        assert_eq!(body["ResponseMetadata"]["Error"]["CodeN"].as_u64(), Some(100_006));
        let e = parse_modify_message_response(&reply).unwrap_err();
        assert_eq!((e.code(), e.retry()), ("invalid_timestamp", RetryAdvice::FixClock));
    }
    // The emulator's clock moves, the client's does not.
    admin(&em, "POST", "/_emulator/time", Some(r#"{"advance_secs": 960}"#));
    assert_volc_error(&modify(&em, &signer(), &edit(), now()), 400, "InvalidTimestamp");
    // A malformed X-Date.
    let mut signed = signer().modify_message(&endpoint(&em), &edit(), now() + 960).unwrap();
    signed.request.headers.retain(|h| h.name != "X-Date");
    signed.request.headers.push(Header::new("X-Date", "2024-06-01T12:34:56Z"));
    assert_volc_error(&send(&signed.request), 400, "InvalidTimestamp");
    signed.request.headers.retain(|h| h.name != "X-Date");
    assert_volc_error(&send(&signed.request), 400, "MissingRequestInfo");
}

#[test]
fn wrong_action_or_version_is_404() {
    let em = emulator();
    let body = edit().body().unwrap();
    for (action, version) in [("ModifyMessage", "2021-01-01"), ("ListRooms", "2020-12-01"), ("", "")] {
        let mut request = signable(&em, &body);
        request.query = vec![("Action".into(), action.into()), ("Version".into(), version.into())];
        let reply = send_signed(&signer().sign(&request, &params(now(), None)).unwrap());
        let out = assert_volc_error(&reply, 404, "InvalidActionOrVersion");
        assert_eq!(out["ResponseMetadata"]["Action"].as_str(), Some(action));
        assert_eq!(out["ResponseMetadata"]["Version"].as_str(), Some(version));
        assert_eq!(out["ResponseMetadata"]["Error"]["CodeN"].as_u64(), Some(100_008));
    }
}

#[test]
fn only_post_is_accepted() {
    let em = emulator();
    let mut request = signable(&em, b"");
    request.method = "GET".into();
    request.headers.clear();
    assert_volc_error(&send_signed(&signer().sign(&request, &params(now(), None)).unwrap()), 405, "MethodNotAllowed");
}

#[test]
fn missing_or_malformed_authorization() {
    let em = emulator();
    let signed = signer().modify_message(&endpoint(&em), &edit(), now()).unwrap();
    let mut request = signed.request.clone();
    request.headers.retain(|h| h.name != "Authorization");
    let body = assert_volc_error(&send(&request), 401, "MissingAuthenticationToken");
    assert_eq!(body["ResponseMetadata"]["Error"]["CodeN"].as_u64(), Some(100_003));
    for bad in [
        "Bearer abc",
        "HMAC-SHA256 Credential=AK, Signature=x",
        "HMAC-SHA256 Credential=AKLTemulatordemo/20240601/cn-north-1/rtc/request, SignedHeaders=host",
    ] {
        let mut request = signed.request.clone();
        request.headers.retain(|h| h.name != "Authorization");
        request.headers.push(Header::new("Authorization", bad));
        let reply = send(&request);
        assert_volc_error(&reply, 400, "InvalidAuthorization");
        assert_eq!(parse_response(&reply).unwrap_err().code(), "invalid_credentials", "{bad}");
    }
}

#[test]
fn more_than_50_requests_a_second_is_flow_limit_exceeded() {
    let em = emulator();
    admin(
        &em,
        "POST",
        "/_emulator/volcengine/credentials",
        Some(r#"{"access_key_id":"AKLTsecond","secret_access_key":"c2Vjb25k"}"#),
    );
    admin(&em, "POST", "/_emulator/time", Some(r#"{"freeze": true}"#));
    let request = signer().modify_message(&endpoint(&em), &edit(), now()).unwrap().request;
    let statuses: Vec<u16> = (0..50).map(|_| send(&request).status).collect();
    assert!(statuses.iter().all(|&s| s == 200), "{statuses:?}");
    let reply = send(&request);
    assert_volc_error(&reply, 429, "FlowLimitExceeded");
    let e = parse_modify_message_response(&reply).unwrap_err();
    assert_eq!((e.code(), e.retry()), ("rate_limited", RetryAdvice::Retry));
    // The limit is per access key.
    let other = Signer::new(Credentials::new("AKLTsecond", "c2Vjb25k").unwrap());
    assert_eq!(modify(&em, &other, &edit(), now()).status, 200);
    admin(&em, "POST", "/_emulator/time", Some(r#"{"advance_ms": 100}"#));
    assert_eq!(send(&request).status, 200, "a 50th of a second refills one request (the clock moved 100 ms)");
    // The QPS is configurable.
    admin(&em, "PATCH", "/_emulator/volcengine", Some(r#"{"qps": 2}"#));
    let statuses: Vec<u16> = (0..3).map(|_| send(&request).status).collect();
    assert_eq!(statuses, [200, 200, 429]);
}

#[test]
fn unknown_expired_and_foreign_messages_are_refused() {
    let em = emulator();
    let cases = [
        (ModifyMessage::new(APP_ID, CONVERSATION, 42).ext("k", "v"), "InvalidParameter.MessageNotExist"),
        (ModifyMessage::new(APP_ID, 1, MESSAGE).ext("k", "v"), "InvalidParameter.MessageNotExist"),
        (ModifyMessage::new(APP_ID, CONVERSATION, EXPIRED_MESSAGE).ext("k", "v"), "InvalidParameter.MessageExpired"),
        (ModifyMessage::new(999, CONVERSATION, MESSAGE).ext("k", "v"), "InvalidParameter.NotExistAppId"),
    ];
    for (edit, code) in cases {
        let reply = modify(&em, &signer(), &edit, now());
        assert_volc_error(&reply, 400, code);
        let e = parse_modify_message_response(&reply).unwrap_err();
        assert_eq!((e.code(), e.retry()), ("invalid_request", RetryAdvice::DoNotRetry), "{code}");
    }
    // A message can expire later, through the admin API.
    let path = format!("/_emulator/volcengine/messages/{APP_ID}/{CONVERSATION}/{MESSAGE}");
    admin(&em, "PUT", &path, Some(r#"{"ext":{},"expired":true}"#));
    assert_volc_error(&modify(&em, &signer(), &edit(), now()), 400, "InvalidParameter.MessageExpired");
}

#[test]
fn malformed_bodies_are_invalid_parameter() {
    let em = emulator();
    let cases: [(&[u8], u16, &str); 7] = [
        (b"", 400, "InvalidParameter.BodyIsEmpty"),
        (b"not json", 400, "InvalidParameter.Unmarshal"),
        (br#"{"AppId":123456,"MessageId":1}"#, 400, "MissingParameter"),
        (br#"{"AppId":"123456","ConversationShortId":7123456789012345678,"MessageId":7234567890123456789}"#, 400, "InvalidParameter.Unmarshal"),
        (br#"{"AppId":123456,"ConversationShortId":7123456789012345678,"MessageId":7234567890123456789,"Ext":{"a":1}}"#, 400, "InvalidParameter.Unmarshal"),
        (br#"{"AppId":123456,"ConversationShortId":7123456789012345678,"MessageId":7234567890123456789,"Content":"not json"}"#, 400, "InvalidParameter.Content"),
        (br#"{"AppId":123456,"ConversationShortId":7123456789012345678,"MessageId":7234567890123456789,"Content":{"text":"x"}}"#, 400, "InvalidParameter.Unmarshal"),
    ];
    for (body, status, code) in cases {
        let reply = send_signed(&signer().sign(&signable(&em, body), &params(now(), None)).unwrap());
        assert_volc_error(&reply, status, code);
    }
    assert_eq!(stored_ext(&em), r#"{"key1":"value1","key2":"value2"}"#);
}

#[test]
fn injected_faults() {
    let em = emulator();
    let cases = [
        (r#"{"target":"volcengine","status":500}"#, 500, "service_unavailable", Some("InternalError")),
        (r#"{"target":"volcengine","status":502}"#, 502, "service_unavailable", Some("InternalServiceError")),
        (r#"{"target":"volcengine","status":503}"#, 503, "service_unavailable", Some("ServiceUnavailableTemp")),
        (r#"{"target":"volcengine","status":504}"#, 504, "service_unavailable", Some("InternalServiceTimeout")),
        (r#"{"target":"volcengine","status":502,"body":"html"}"#, 502, "malformed_response", None),
        (r#"{"target":"any","status":503,"body":"empty"}"#, 503, "malformed_response", None),
    ];
    for (fault, status, code, vendor_code) in cases {
        admin(&em, "POST", "/_emulator/faults", Some(fault));
        let reply = modify(&em, &signer(), &edit(), now());
        assert_eq!(reply.status, status, "{fault}");
        let e = parse_modify_message_response(&reply).unwrap_err();
        assert_eq!((e.code(), e.retry()), (code, RetryAdvice::Retry), "{fault}");
        assert_eq!(e.api().and_then(|a| a.vendor_code.as_deref()), vendor_code, "{fault}");
    }
    assert_eq!(stored_ext(&em), r#"{"key1":"value1","key2":"value2"}"#);
}

#[test]
fn the_client_retries_a_503_with_a_fresh_signature() {
    let em = emulator();
    admin(&em, "POST", "/_emulator/faults", Some(r#"{"target":"volcengine","status":503,"count":2}"#));
    let client = VolcClient::new(signer(), endpoint(&em), Transport::default())
        .with_retry_policy(imedit::retry::RetryPolicy { max_attempts: 3, base_delay_ms: 10, max_delay_ms: 50 });
    let meta = client.modify_message(&edit()).unwrap();
    assert_eq!(meta.action, "ModifyMessage");
    let stats = admin(&em, "GET", "/_emulator/stats", None);
    assert_eq!(stats["volcengine"]["statuses"].to_text(), r#"{"200":1,"503":2}"#);
    // A permanent error is not retried.
    let bad =
        VolcClient::new(Signer::new(Credentials::new("AKLTnobody", SK).unwrap()), endpoint(&em), Transport::default());
    assert_eq!(bad.modify_message(&edit()).unwrap_err().code(), "invalid_credentials");
    let stats = admin(&em, "GET", "/_emulator/stats", None);
    assert_eq!(stats["volcengine"]["requests"].as_u64(), Some(4));
}
