//! Properties over arbitrary input: nothing panics, refusals are typed, and what is accepted is
//! encoded exactly once.
#![cfg(not(target_arch = "wasm32"))]

use imedit::easemob::{self, MessageKind, RewriteMessage, Settings, TokenPolicy};
use imedit::volcengine::{self, canonical_query, Credentials, Endpoint, ModifyMessage, SignableRequest, SigningParams};
use imedit::{ExtMode, HttpResponse, ERROR_CODES};
use proptest::prelude::*;

fn decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                out.push(u8::from_str_radix(s.get(i + 1..i + 3)?, 16).ok()?);
                i += 3;
            }
            b if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) => {
                out.push(b);
                i += 1;
            }
            _ => return None,
        }
    }
    String::from_utf8(out).ok()
}

fn any_pairs() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec((any::<String>(), any::<String>()), 0..6)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn canonical_query_is_sorted_and_encoded_once(query in any_pairs()) {
        let q = canonical_query(&query);
        let decoded: Vec<(String, String)> = if q.is_empty() { vec![] } else {
            q.split('&').map(|pair| {
                let (k, v) = pair.split_once('=').unwrap();
                (decode(k).unwrap(), decode(v).unwrap())
            }).collect()
        };
        // Decoding once gives back exactly the input pairs, stably sorted by key.
        let mut want = query.clone();
        want.sort_by(|a, b| a.0.cmp(&b.0));
        prop_assert_eq!(decoded, want);
        prop_assert!(!q.contains('+') && !q.contains(' '));
    }

    #[test]
    fn signing_never_panics(
        method in any::<String>(), host in any::<String>(), path in any::<String>(),
        query in any_pairs(), headers in any_pairs(), body in any::<Vec<u8>>(),
        region in any::<String>(), service in any::<String>(), time in any::<u64>(),
        signed in prop::option::of(prop::collection::vec(any::<String>(), 0..4)),
        ak in any::<String>(), sk in any::<String>(),
    ) {
        let request = SignableRequest { method, host, path, query, headers, body, ..Default::default() };
        let params = SigningParams { region, service, time, signed_headers: signed };
        if let Ok(creds) = Credentials::new(ak, sk) {
            match volcengine::sign(&creds, &request, &params) {
                Ok(signed) => {
                    let url_query = signed.request.url.split_once('?').map_or("", |(_, q)| q);
                    prop_assert_eq!(url_query, canonical_query(&request.query));
                    for h in &signed.request.headers {
                        prop_assert!(!h.value.contains(['\r', '\n', '\0']));
                    }
                }
                Err(e) => prop_assert!(ERROR_CODES.contains(&e.code())),
            }
        }
    }

    #[test]
    fn modify_message_accepts_or_refuses(
        app_id in any::<i64>(), conv in any::<i64>(), msg in any::<i64>(),
        ext in any_pairs(), content in prop::option::of(any::<String>()), text in any::<String>(),
    ) {
        let creds = Credentials::new("AK", "SK").unwrap();
        for content in [content.clone(), Some(volcengine::text_content(&text))] {
            let edit = ModifyMessage { app_id, conversation_short_id: conv, message_id: msg, ext: ext.clone(), content };
            match volcengine::build_modify_message_request(&creds, &Endpoint::default(), &edit, 1_717_245_296) {
                Ok(signed) => {
                    // The body re-parses to exactly what was given.
                    let body: serde_json::Value = serde_json::from_slice(&signed.request.body).unwrap();
                    prop_assert_eq!(body["AppId"].as_i64(), Some(app_id));
                    prop_assert_eq!(body["MessageId"].as_i64(), Some(msg));
                    prop_assert_eq!(body.get("Content").and_then(|c| c.as_str()), edit.content.as_deref());
                    if let Some(c) = &edit.content { prop_assert!(serde_json::from_str::<serde_json::Value>(c).is_ok()); }
                }
                Err(e) => prop_assert_eq!(e.code(), "invalid_input"),
            }
        }
    }

    #[test]
    fn rewrite_accepts_or_refuses(
        id in any::<String>(), kind in 0usize..9, msg in prop::option::of(any::<String>()),
        event in prop::option::of("[a-zA-Z0-9_./-]{0,34}"), exts in prop::option::of(any_pairs()),
        new_ext in prop::option::of(any_pairs()), replace in any::<bool>(), user in prop::option::of(any::<String>()),
        token in any::<String>(),
    ) {
        let settings = Settings::new(easemob::EASEMOB_A1, "org", "app").unwrap();
        let edit = RewriteMessage {
            message_id: id, kind: MessageKind::ALL[kind], msg, custom_event: event, custom_exts: exts, new_ext,
            ext_mode: if replace { ExtMode::Replace } else { ExtMode::Merge }, user,
        };
        match easemob::build_rewrite_request(&settings, &imedit::Secret::new(token), &edit) {
            Ok(request) => {
                prop_assert!(request.body.len() <= easemob::MAX_BODY_BYTES);
                let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
                prop_assert_eq!(body["new_msg"]["type"].as_str(), Some(edit.kind.as_str()));
                prop_assert_eq!(body["new_msg"].get("msg").and_then(|m| m.as_str()), edit.msg.as_deref());
                prop_assert_eq!(body.get("is_combine_ext").is_some(), replace);
            }
            Err(e) => prop_assert!(ERROR_CODES.contains(&e.code())),
        }
    }

    #[test]
    fn parsers_never_panic(status in any::<u16>(), body in any::<Vec<u8>>(), now in any::<u64>(), json_like in any::<bool>()) {
        let body = if json_like { format!(r#"{{"error":"x","access_token":{:?},"expires_in":{},"data":"success","ResponseMetadata":{{"Error":{{"Code":{:?}}}}}}}"#, String::from_utf8_lossy(&body), now, String::from_utf8_lossy(&body)).into_bytes() } else { body };
        let reply = HttpResponse::new(status, vec![], body);
        let policy = TokenPolicy::default();
        for code in [
            volcengine::parse_response(&reply).err().map(|e| e.code()),
            easemob::parse_token_response(&reply, now, &policy).err().map(|e| e.code()),
            easemob::parse_agora_token_exchange_response(&reply, now, &policy).err().map(|e| e.code()),
            easemob::parse_rewrite_response(&reply).err().map(|e| e.code()),
        ].into_iter().flatten() {
            prop_assert!(ERROR_CODES.contains(&code));
        }
    }

    #[test]
    fn merge_ext_is_the_documented_rule(current in any_pairs(), patch in any_pairs()) {
        let merged = imedit::merge_ext(&current, &patch, ExtMode::Merge);
        for (k, _) in &patch {
            let last = patch.iter().rev().find(|(pk, _)| pk == k).map(|(_, v)| v);
            prop_assert_eq!(merged.iter().find(|(mk, _)| mk == k).map(|(_, v)| v), last);
        }
        for (k, _) in &current {
            if !patch.iter().any(|(pk, _)| pk == k) {
                prop_assert_eq!(merged.iter().find(|(mk, _)| mk == k).map(|(_, v)| v), current.iter().find(|(ck, _)| ck == k).map(|(_, cv)| cv));
            }
        }
    }
}
