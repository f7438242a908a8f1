//! wasm-bindgen tests under Node: the core built for wasm32, and the JavaScript exports of
//! `src/wasm.rs` called the way JavaScript calls them (plain objects in, plain objects and
//! `ImeditError`s out).
//!
//! ```sh
//! CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
//!   cargo test --target wasm32-unknown-unknown --features wasm --test wasm
//! ```
#![cfg(target_arch = "wasm32")]

use imedit::easemob::{ClientCredentials, Settings, TokenAction, TokenCache, TokenPolicy, TokenSource, EASEMOB_A1};
use imedit::retry::{RetryDecision, RetryPlanner, RetryPolicy};
use imedit::volcengine::{self, Credentials, Endpoint, ModifyMessage, SignableRequest, Signer, SigningParams};
use imedit::{Error, HttpResponse};
use js_sys::{Array, Function, Object, Reflect};
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;

// The test runner loads the generated glue as `wasm-bindgen-test.js` from a folder it puts on
// NODE_PATH; the crate's exports (VolcengineSigner, parseRewriteResponse, …) are in it.
#[wasm_bindgen(inline_js = "module.exports.imeditExports = function () { return require('wasm-bindgen-test.js'); };")]
extern "C" {
    #[wasm_bindgen(js_name = imeditExports)]
    fn exports() -> JsValue;
}

const AK: &str = "AKLTYmQ0ZDQxYzc5ZTJkNDY0ZGI4NmE4NTZhYjM4ZjcwMmU";
const SK: &str = "TVRrMU1EQXdOR1l6TWpnM05HSmxPRGcwTVRjeE1UVTFNVGd3T1dNeU1UZw==";
/// `tests/vectors/volcengine/modify_message/basic.json`.
const BASIC_SIGNATURE: &str = "ec14db7733b1ee85ad605e6eb959764cc558f3d75d802d5d3ae7191cf06e5316";

fn get(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &key.into()).unwrap()
}

fn object(fields: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in fields {
        Reflect::set(&o, &(*k).into(), v).unwrap();
    }
    o.into()
}

fn call(target: &JsValue, method: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let f: Function = get(target, method).dyn_into().unwrap();
    f.apply(target, &args.iter().collect::<Array>())
}

fn new(class: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let class: Function = get(&exports(), class).dyn_into().unwrap();
    Reflect::construct(&class, &args.iter().collect::<Array>())
}

fn text(v: &JsValue) -> String {
    v.as_string().unwrap_or_else(|| panic!("not a string: {v:?}"))
}

fn credentials() -> JsValue {
    object(&[("accessKeyId", AK.into()), ("secretAccessKey", SK.into())])
}

fn basic_params(app_id: JsValue) -> JsValue {
    object(&[
        ("appId", app_id),
        ("conversationShortId", js_sys::BigInt::from(7_123_456_789_012_345_678_i64).into()),
        ("messageId", "7234567890123456789".into()),
        ("ext", object(&[("key", "value".into())])),
        ("content", r#"{"text":"hello"}"#.into()),
    ])
}

/// Asserts that `result` threw an `ImeditError` with this code, and returns it.
fn imedit_error(result: Result<JsValue, JsValue>, code: &str) -> JsValue {
    let error = result.expect_err("expected an ImeditError");
    assert!(error.is_instance_of::<js_sys::Error>(), "not an Error: {error:?}");
    assert_eq!(text(&get(&error, "name")), "ImeditError");
    assert_eq!(text(&get(&error, "code")), code, "{:?}", get(&error, "message"));
    // A real subclass: `error instanceof ImeditError` (the class of the package's snippet).
    assert_eq!(text(&get(&get(&error, "constructor"), "name")), "ImeditError");
    error
}

// ---- the core on wasm32 ----------------------------------------------------------------------------

#[wasm_bindgen_test]
fn core_signs_the_official_vector() {
    let case: Value = serde_json::from_str(include_str!("vectors/volcengine/sign/node-mm-basic.json")).unwrap();
    let (input, expected) = (&case["input"], &case["expected"]);
    let pairs = |v: &Value| -> Vec<(String, String)> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|p| (p[0].as_str().unwrap().to_owned(), p[1].as_str().unwrap().to_owned()))
            .collect()
    };
    let request = SignableRequest {
        method: input["method"].as_str().unwrap().into(),
        host: input["host"].as_str().unwrap().into(),
        path: input["path"].as_str().unwrap().into(),
        query: pairs(&input["query"]),
        headers: pairs(&input["headers"]),
        body: input["body"].as_str().unwrap().as_bytes().to_vec(),
        ..Default::default()
    };
    let params = SigningParams {
        region: "cn-north-1".into(),
        service: "rtc".into(),
        time: input["time"].as_u64().unwrap(),
        signed_headers: Some(vec!["host".into(), "x-content-sha256".into(), "x-date".into()]),
    };
    let creds = Credentials::new(AK, SK).unwrap();
    let signer = Signer::new(creds.clone());
    for signed in [
        volcengine::sign(&creds, &request, &params).unwrap(),
        signer.sign(&request, &params).unwrap(),
        signer.sign(&request, &params).unwrap(),
    ] {
        assert_eq!(signed.stages.canonical_request(), expected["canonical_request"].as_str().unwrap());
        assert_eq!(signed.stages.signing_key().expose_hex(), expected["signing_key"].as_str().unwrap());
        assert_eq!(signed.request.header("Authorization"), expected["authorization"].as_str());
    }
}

#[wasm_bindgen_test]
fn core_ids_stay_exact() {
    for (text, value) in [("1", 1), ("9007199254740993", 9_007_199_254_740_993), ("9223372036854775807", i64::MAX)] {
        assert_eq!(volcengine::parse_id("message_id", text), Ok(value));
        let body = ModifyMessage::new(value, value, value).ext("k", "v").body().unwrap();
        assert!(String::from_utf8(body).unwrap().contains(&format!("\"MessageId\":{text}")));
    }
    assert!(volcengine::parse_id("message_id", "9223372036854775808").is_err());
    assert!(ModifyMessage::new(0, 1, 1).ext("k", "v").body().is_err());
}

#[wasm_bindgen_test]
fn core_token_cache_and_retry_plan_over_simulated_time() {
    let settings = Settings::new(EASEMOB_A1, "org", "app").unwrap();
    let source = TokenSource::ClientCredentials(ClientCredentials::new("YXA6id", "YXA6secret").unwrap());
    let mut cache = TokenCache::new(settings, source, TokenPolicy::default());
    let now = 1_700_000_000;
    assert!(matches!(cache.poll(now).unwrap(), TokenAction::Fetch(_)));
    assert!(matches!(cache.poll(now).unwrap(), TokenAction::Wait));
    let reply = HttpResponse::new(200, vec![], r#"{"access_token":"YWMtabc","expires_in":7200}"#);
    let token = cache.on_response(&reply, now).unwrap();
    assert_eq!(token.refresh_at(), Some(now + 3600));
    let refused = HttpResponse::new(401, vec![], r#"{"error":"unauthorized","error_description":"expired"}"#);
    let error = imedit::easemob::parse_rewrite_response(&refused).unwrap_err();
    assert!(cache.on_call_failed(&token, &error));
    assert!(matches!(cache.poll(now + 1).unwrap(), TokenAction::Fetch(_)));
    let mut plan = RetryPlanner::new(RetryPolicy::default());
    assert_eq!(plan.on_error(&error, 0.5), RetryDecision::RefreshTokenThenRetry);
    assert_eq!(plan.on_error(&error, 0.5), RetryDecision::GiveUp);
    assert_eq!(
        RetryPlanner::new(RetryPolicy::default()).on_error(&Error::transport("reset"), 0.5),
        RetryDecision::Retry { delay_ms: 100 }
    );
    assert_eq!(Endpoint::default().host(), "rtc.volcengineapi.com");
}

// ---- the JavaScript exports ------------------------------------------------------------------------

#[wasm_bindgen_test]
fn exports_sign_modify_message_with_exact_ids() {
    let signer = new("VolcengineSigner", &[credentials()]).unwrap();
    for app_id in [JsValue::from("123456"), JsValue::from(123_456), js_sys::BigInt::from(123_456).into()] {
        let signed = call(&signer, "modifyMessage", &[basic_params(app_id), 1_717_245_296.into()]).unwrap();
        let request = get(&signed, "request");
        let authorization = text(&get(&get(&request, "headers"), "Authorization"));
        assert!(authorization.ends_with(BASIC_SIGNATURE), "{authorization}");
        assert!(text(&get(&request, "body")).contains("\"ConversationShortId\":7123456789012345678"));
        assert_eq!(text(&get(&get(&signed, "stages"), "signature")), BASIC_SIGNATURE);
    }
    // The one-shot function derives the key afresh and agrees.
    let cold = call(
        &exports(),
        "buildModifyMessageRequest",
        &[credentials(), basic_params("123456".into()), 1_717_245_296.into()],
    )
    .unwrap();
    assert_eq!(text(&get(&get(&cold, "stages"), "signature")), BASIC_SIGNATURE);
    // JSON.stringify of the request redacts the Authorization header.
    let json = text(&js_sys::JSON::stringify(&get(&cold, "request")).unwrap().into());
    assert!(json.contains("[REDACTED]") && !json.contains(BASIC_SIGNATURE), "{json}");
}

#[wasm_bindgen_test]
fn exports_refuse_lossy_and_invalid_ids() {
    let signer = new("VolcengineSigner", &[credentials()]).unwrap();
    let lossy = JsValue::from(9_007_199_254_740_993_f64); // 2^53 + 1 is not representable: 2^53
    let e = imedit_error(call(&signer, "modifyMessage", &[basic_params(lossy), 1.into()]), "invalid_input");
    assert_eq!(text(&get(&e, "field")), "app_id");
    assert_eq!(text(&get(&e, "retry")), "do_not_retry");
    assert_eq!(text(&get(&e, "fault")), "caller");
    let e = imedit_error(call(&signer, "modifyMessage", &[basic_params(0.into()), 1.into()]), "invalid_input");
    assert_eq!(text(&get(&e, "field")), "app_id");
    let exact = call(&signer, "modifyMessage", &[basic_params("9223372036854775807".into()), 1.into()]).unwrap();
    assert!(text(&get(&get(&exact, "request"), "body")).contains("\"AppId\":9223372036854775807"));
}

#[wasm_bindgen_test]
fn exports_throw_imedit_errors_never_traps() {
    let ex = exports();
    let bad_inputs: [(&str, Vec<JsValue>); 8] = [
        ("signRequest", vec![JsValue::UNDEFINED, JsValue::NULL, 5.into()]),
        ("buildModifyMessageRequest", vec!["AKLT:s3cr3tVALUE".into(), JsValue::NULL, f64::NAN.into()]),
        ("parseModifyMessageResponse", vec![JsValue::UNDEFINED]),
        ("parseRewriteResponse", vec![object(&[("status", 70000.into()), ("body", "".into())])]),
        ("buildTokenRequest", vec![object(&[("baseUrl", 1.into())]), JsValue::UNDEFINED]),
        ("buildAgoraTokenExchangeRequest", vec![JsValue::NULL, 42.into()]),
        ("parseTokenResponse", vec![object(&[("status", 200.into()), ("body", 1.into())]), (-1).into()]),
        ("mergeExt", vec![5.into(), "x".into()]),
    ];
    for (name, args) in bad_inputs {
        let e = imedit_error(call(&ex, name, &args), "invalid_input");
        // The message names a field and never echoes the value.
        assert!(!text(&get(&e, "message")).contains("s3cr3tVALUE"), "{name}");
    }
    imedit_error(new("TokenCache", &[JsValue::UNDEFINED, JsValue::UNDEFINED]), "invalid_input");
    imedit_error(new("VolcengineSigner", &[object(&[("accessKeyId", "AK\r\nX".into())])]), "invalid_input");
}

#[wasm_bindgen_test]
fn errors_convert_back_into_the_core_error() {
    let ex = exports();
    let reply = object(&[
        ("status", 401.into()),
        ("headers", object(&[("Content-Type", "application/json".into())])),
        ("body", r#"{"error":"unauthorized","error_description":"token expired","timestamp":1705372388118}"#.into()),
    ]);
    let e = imedit_error(call(&ex, "parseRewriteResponse", &[reply]), "token_invalid");
    assert_eq!(text(&get(&e, "retry")), "refresh_token");
    assert_eq!(get(&e, "status").as_f64(), Some(401.0));
    assert_eq!(get(&e, "timestamp").as_f64(), Some(1_705_372_388_118.0));
    assert_eq!(text(&get(&e, "vendorMessage")), "token expired");
    let planner = new("RetryPlanner", &[]).unwrap();
    let decision = |e: &JsValue| text(&get(&call(&planner, "onError", &[e.clone(), 0.5.into()]).unwrap(), "decision"));
    assert_eq!(decision(&e), "refreshTokenThenRetry");
    assert_eq!(decision(&e), "giveUp");
    // Also after a JSON round trip (a plain object with the same fields).
    let copy = js_sys::JSON::parse(&text(&js_sys::JSON::stringify(&e).unwrap().into())).unwrap();
    let fresh = new("RetryPlanner", &[]).unwrap();
    let plan = call(&fresh, "onError", &[copy, 0.5.into()]).unwrap();
    assert_eq!(text(&get(&plan, "decision")), "refreshTokenThenRetry");
    let transport = call(&ex, "transportError", &["connection reset".into()]).unwrap();
    let plan = call(&new("RetryPlanner", &[]).unwrap(), "onError", &[transport, 0.5.into()]).unwrap();
    assert_eq!(get(&plan, "delayMs").as_f64(), Some(100.0));
    imedit_error(call(&planner, "onError", &["not an error".into(), 0.5.into()]), "invalid_input");
}

#[wasm_bindgen_test]
fn app_tokens_stay_inside() {
    let reply =
        object(&[("status", 200.into()), ("body", r#"{"access_token":"YWMtSECRETvalue","expires_in":7200}"#.into())]);
    let token = call(&exports(), "parseTokenResponse", &[reply, 1_700_000_000.into()]).unwrap();
    assert_eq!(text(&call(&token, "toString", &[]).unwrap()), "AppToken([REDACTED])");
    let json = text(&js_sys::JSON::stringify(&token).unwrap().into());
    assert!(!json.contains("SECRET") && json.contains("\"refreshAt\":1700003600"), "{json}");
    assert_eq!(text(&call(&token, "expose", &[]).unwrap()), "YWMtSECRETvalue");
    assert_eq!(get(&token, "expiresAt").as_f64(), Some(1_700_007_200.0));
}
