//! ModifyMessage build + sign, with a cold and a cached signing key, next to the physical floor
//! (the SHA-256 block compressions one signature needs).
//!
//! `cargo bench --bench sign`

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use imedit::volcengine::{
    build_modify_message_request, text_content, Credentials, Endpoint, ModifyMessage, SignableRequest, Signer,
    SigningParams,
};

const SK: &str = "TVRrMU1EQXdOR1l6TWpnM05HSmxPRGcwTVRjeE1UVTFNVGd3T1dNeU1UZw==";
const TIME: u64 = 1_717_245_296;

fn mm_basic() -> ModifyMessage {
    ModifyMessage::new(123456, 7123456789012345678, 7234567890123456789)
        .ext("key", "value")
        .content(text_content("hello"))
}

fn bench(c: &mut Criterion) {
    let creds = Credentials::new("AKLTexample", SK).unwrap();
    let endpoint = Endpoint::default();
    let edit = mm_basic();
    let signer = Signer::new(creds.clone());

    let mut g = c.benchmark_group("modify_message");
    g.bench_function("build_sign_cold_key", |b| {
        b.iter(|| build_modify_message_request(&creds, &endpoint, black_box(&edit), black_box(TIME)).unwrap())
    });
    g.bench_function("build_sign_cached_key", |b| {
        b.iter(|| signer.modify_message(&endpoint, black_box(&edit), black_box(TIME)).unwrap())
    });
    g.finish();

    let request = SignableRequest {
        method: "POST".into(),
        host: "rtc.volcengineapi.com".into(),
        path: "/".into(),
        query: vec![("Action".into(), "ModifyMessage".into()), ("Version".into(), "2020-12-01".into())],
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: edit.body().unwrap(),
        ..Default::default()
    };
    let params = SigningParams { region: "cn-north-1".into(), service: "rtc".into(), time: TIME, signed_headers: None };
    let mut g = c.benchmark_group("sign");
    g.bench_function("sign_only_cold_key", |b| {
        b.iter(|| imedit::volcengine::sign(&creds, black_box(&request), &params).unwrap())
    });
    g.bench_function("sign_only_cached_key", |b| b.iter(|| signer.sign(black_box(&request), &params).unwrap()));
    g.finish();

    // The floor: 31 (cold) and 15 (cached key) SHA-256 block compressions.
    let mut g = c.benchmark_group("floor");
    let blocks = [[0x5au8; 64]; 31];
    for n in [31usize, 15] {
        g.bench_function(format!("sha256_{n}_blocks"), |b| {
            b.iter(|| {
                let mut state =
                    [0x6a09e667u32, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
                sha2::block_api::compress256(&mut state, black_box(&blocks[..n]));
                state
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
