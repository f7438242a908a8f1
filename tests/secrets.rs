//! Every public object and error made with known secrets is formatted every way Rust can; no
//! secret substring may appear.

use imedit::easemob::{
    build_agora_token_exchange_request, build_rewrite_request, build_token_request, parse_token_response,
    ClientCredentials, RewriteMessage, Settings, TokenCache, TokenPolicy, TokenSource, EASEMOB_A1,
};
use imedit::volcengine::{Credentials, Endpoint, ModifyMessage, Signer};
use imedit::{HttpResponse, Secret};

const SK: &str = "SECRETKEY0123456789abcdef";
const STS: &str = "STSTOKENzyxwvu987654";
const CLIENT_SECRET: &str = "YXA6CLIENTSECRETqwerty";
const APP_TOKEN: &str = "YWMtAPPTOKENasdfgh";
const AGORA: &str = "007AGORATOKENzxcvb";
const SECRETS: [&str; 5] = [SK, STS, CLIENT_SECRET, APP_TOKEN, AGORA];

fn assert_clean(what: &str, text: &str) {
    for secret in SECRETS {
        // Any 8-character window of a secret counts as a leak.
        for window in secret.as_bytes().windows(8) {
            let w = std::str::from_utf8(window).unwrap();
            assert!(!text.contains(w), "{what} leaks {w:?}: {text}");
        }
    }
}

macro_rules! check {
    ($($value:expr),* $(,)?) => {$(
        let v = &$value;
        assert_clean(stringify!($value), &format!("{v:?}"));
        assert_clean(stringify!($value), &format!("{v:#?}"));
    )*};
}

#[test]
fn nothing_formats_a_secret() {
    let creds = Credentials::new("AKLTvisible", SK).unwrap().with_session_token(STS).unwrap();
    let signer = Signer::new(creds.clone());
    let signed =
        signer.modify_message(&Endpoint::default(), &ModifyMessage::new(1, 2, 3).ext("k", "v"), 1_717_245_296).unwrap();
    check!(creds, signer, signed, signed.request, signed.stages, signed.stages.signing_key(), Secret::new(SK));
    assert_clean("curl", &signed.request.to_curl(false));
    let redacted = signed.stages.canonical_request_redacted();
    assert_clean("redacted canonical request", &redacted);
    assert_eq!(redacted.replace("[REDACTED]", STS), signed.stages.canonical_request());
    assert_eq!(format!("{}", Secret::new(SK)), "[REDACTED]");

    let settings = Settings::new(EASEMOB_A1, "org", "app").unwrap();
    let client = ClientCredentials::new("YXA6id", CLIENT_SECRET).unwrap();
    let token_request = build_token_request(&settings, &client, &TokenPolicy::default()).unwrap();
    assert_clean("token curl", &token_request.to_curl(false));
    let exchange = build_agora_token_exchange_request(&settings, &Secret::new(AGORA)).unwrap();
    let reply = HttpResponse::new(200, vec![], format!(r#"{{"access_token":"{APP_TOKEN}","expires_in":7200}}"#));
    let token = parse_token_response(&reply, 1_700_000_000, &TokenPolicy::default()).unwrap();
    let rewrite = build_rewrite_request(&settings, token.value(), &RewriteMessage::text("1", "x")).unwrap();
    let mut cache =
        TokenCache::new(settings.clone(), TokenSource::ClientCredentials(client.clone()), TokenPolicy::default());
    let action = cache.poll(1_700_000_000).unwrap();
    cache.on_response(&reply, 1_700_000_000).unwrap();
    check!(
        client,
        token_request,
        exchange,
        reply,
        token,
        rewrite,
        cache,
        action,
        TokenSource::AgoraToken(Secret::new(AGORA))
    );
    assert_clean("rewrite curl", &rewrite.to_curl(false));
    assert!(rewrite.to_curl(true).contains(APP_TOKEN), "to_curl(true) reveals on request");
}

#[test]
fn errors_never_carry_secrets() {
    let bad_token = format!("{APP_TOKEN}\r\nX-Evil: 1");
    let settings = Settings::new(EASEMOB_A1, "org", "app").unwrap();
    let errors = [
        build_rewrite_request(&settings, &Secret::new(bad_token.clone()), &RewriteMessage::text("1", "x")).unwrap_err(),
        Credentials::new("AK", SK).unwrap().with_session_token(format!("{STS} x")).unwrap_err(),
        Credentials::new("AK", format!("{SK}\r\n")).unwrap_err(),
        Credentials::new("AK", format!("{SK}\0")).unwrap_err(),
        ClientCredentials::new("id", format!("{CLIENT_SECRET} x")).unwrap_err(),
        build_agora_token_exchange_request(&settings, &Secret::new(format!("{AGORA}\n"))).unwrap_err(),
        // A reply that echoes a token in a malformed body: the excerpt is kept, so this is the
        // one place where the vendor's own bytes appear; a well-formed token reply never errors.
        parse_token_response(&HttpResponse::new(200, vec![], "{}"), 0, &TokenPolicy::default()).unwrap_err(),
        // A token reply that fails to parse after the token: its excerpt must not quote it.
        parse_token_response(
            &HttpResponse::new(200, vec![], format!(r#"{{"access_token":"{APP_TOKEN}","expires_in":"abc"}}"#)),
            0,
            &TokenPolicy::default(),
        )
        .unwrap_err(),
        imedit::easemob::parse_agora_token_exchange_response(
            &HttpResponse::new(502, vec![], format!("<html>{APP_TOKEN} access_token</html>")),
            0,
            &TokenPolicy::default(),
        )
        .unwrap_err(),
    ];
    for e in &errors {
        assert_eq!(e.code(), if e.status().is_some() { "malformed_response" } else { "invalid_input" });
        assert_clean("error", &format!("{e} {e:?}"));
    }
}
