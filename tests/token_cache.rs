//! The Easemob token cache, driven over simulated time.

use imedit::easemob::{
    build_rewrite_request, parse_rewrite_response, ClientCredentials, RewriteMessage, Settings, TimeUnit, TokenAction,
    TokenCache, TokenPolicy, TokenSource, EASEMOB_A1,
};
use imedit::{HttpRequest, HttpResponse, RetryAdvice, Secret};

const T0: u64 = 1_700_000_000;

fn cache(policy: TokenPolicy) -> TokenCache {
    let settings = Settings::new(EASEMOB_A1, "org", "app").unwrap();
    let creds = ClientCredentials::new("YXA6id", "YXA6secret").unwrap();
    TokenCache::new(settings, TokenSource::ClientCredentials(creds), policy)
}

fn token_reply(token: &str, expires_in: u64) -> HttpResponse {
    HttpResponse::new(
        200,
        vec![],
        format!(r#"{{"access_token":"{token}","expires_in":{expires_in},"application":"uuid"}}"#),
    )
}

fn expect_fetch(action: TokenAction) -> HttpRequest {
    match action {
        TokenAction::Fetch(request) => request,
        other => panic!("expected Fetch, got {other:?}"),
    }
}

fn expect_use(action: TokenAction) -> String {
    match action {
        TokenAction::Use(token) => token.value().expose().to_owned(),
        other => panic!("expected Use, got {other:?}"),
    }
}

#[test]
fn first_fetch_then_reuse() {
    let mut c = cache(TokenPolicy::default());
    let request = expect_fetch(c.poll(T0).unwrap());
    assert_eq!(request.url, "https://a1.easemob.com/org/app/token");
    assert!(request.body_sensitive);
    // While the fetch is in flight, nobody else is asked to fetch.
    assert_eq!(c.poll(T0).unwrap(), TokenAction::Wait);
    let token = c.on_response(&token_reply("tok1", 7200), T0 + 1).unwrap();
    assert_eq!((token.issued_at(), token.expires_at(), token.refresh_at()), (T0 + 1, Some(T0 + 7201), Some(T0 + 3601)));
    for t in [T0 + 2, T0 + 1000, T0 + 3600] {
        assert_eq!(expect_use(c.poll(t).unwrap()), "tok1");
    }
}

#[test]
fn refresh_before_expiry_keeps_the_old_token_in_use() {
    let mut c = cache(TokenPolicy::default());
    expect_fetch(c.poll(T0).unwrap());
    c.on_response(&token_reply("tok1", 7200), T0).unwrap();
    let TokenAction::Refresh { token, request } = c.poll(T0 + 3600).unwrap() else { panic!("expected Refresh") };
    assert_eq!(token.value().expose(), "tok1");
    assert!(request.body_text().unwrap().contains("client_credentials"));
    // One refresh at a time: the next callers just use the current token.
    assert_eq!(expect_use(c.poll(T0 + 3601).unwrap()), "tok1");
    c.on_response(&token_reply("tok2", 7200), T0 + 3602).unwrap();
    assert_eq!(expect_use(c.poll(T0 + 3603).unwrap()), "tok2");
}

#[test]
fn expired_token_after_a_failed_refresh_is_fetched_again() {
    let mut c = cache(TokenPolicy::default());
    expect_fetch(c.poll(T0).unwrap());
    c.on_response(&token_reply("tok1", 600), T0).unwrap();
    assert!(matches!(c.poll(T0 + 300).unwrap(), TokenAction::Refresh { .. }));
    // The refresh failed: a gateway page.
    let err = c.on_response(&HttpResponse::new(502, vec![], "<html>Bad Gateway</html>"), T0 + 301).unwrap_err();
    assert_eq!((err.code(), err.retry()), ("malformed_response", RetryAdvice::Retry));
    // The old token is still valid, so it is used; a new refresh is asked for after the cool-down.
    assert_eq!(expect_use(c.poll(T0 + 302).unwrap()), "tok1");
    assert!(matches!(c.poll(T0 + 311).unwrap(), TokenAction::Refresh { .. }));
    c.on_fetch_failed(T0 + 590);
    // Once it has expired, callers must fetch before any call.
    expect_fetch(c.poll(T0 + 600).unwrap());
    c.on_response(&token_reply("tok2", 600), T0 + 601).unwrap();
    assert_eq!(expect_use(c.poll(T0 + 602).unwrap()), "tok2");
}

#[test]
fn a_stuck_fetch_is_retried_after_the_timeout() {
    let mut c = cache(TokenPolicy::default()).with_fetch_timeout(30);
    expect_fetch(c.poll(T0).unwrap());
    assert_eq!(c.poll(T0 + 29).unwrap(), TokenAction::Wait);
    expect_fetch(c.poll(T0 + 30).unwrap());
}

#[test]
fn ttl_zero_never_expires_and_never_refreshes() {
    let mut c = cache(TokenPolicy { ttl: Some(0), ..Default::default() });
    let request = expect_fetch(c.poll(T0).unwrap());
    assert!(request.body_text().unwrap().ends_with(r#","ttl":0}"#));
    let token = c.on_response(&token_reply("forever", 0), T0).unwrap();
    assert_eq!((token.expires_at(), token.refresh_at()), (None, None));
    assert_eq!(expect_use(c.poll(T0 + 10 * 365 * 86_400).unwrap()), "forever");
}

#[test]
fn milliseconds_cluster() {
    let mut c = cache(TokenPolicy { ttl: Some(3600), unit: TimeUnit::Milliseconds, ..Default::default() });
    let request = expect_fetch(c.poll(T0).unwrap());
    assert!(request.body_text().unwrap().ends_with(r#","ttl":3600000}"#));
    let token = c.on_response(&token_reply("ms", 3_600_000), T0).unwrap();
    assert_eq!(token.expires_at(), Some(T0 + 3600));
}

fn rewrite_reply(status: u16, body: &str) -> imedit::Error {
    parse_rewrite_response(&HttpResponse::new(status, vec![], body)).unwrap_err()
}

#[test]
fn token_401_forgets_the_token_but_permission_401_does_not() {
    let mut c = cache(TokenPolicy::default());
    expect_fetch(c.poll(T0).unwrap());
    let token = c.on_response(&token_reply("tok1", 7200), T0).unwrap();
    let settings = c.settings().clone();
    let edit = RewriteMessage::text("1235807318835202004", "hi");
    let request = build_rewrite_request(&settings, token.value(), &edit).unwrap();
    assert_eq!(request.header("Authorization"), Some("Bearer tok1"));

    let permission = rewrite_reply(
        401,
        r#"{"error":"message_rewrite_error","error_description":"You are not authorized to edit this message."}"#,
    );
    assert_eq!((permission.code(), permission.retry()), ("permission_denied", RetryAdvice::DoNotRetry));
    assert!(!c.on_call_failed(&token, &permission));
    assert_eq!(expect_use(c.poll(T0 + 10).unwrap()), "tok1");

    let expired = rewrite_reply(
        401,
        r#"{"error":"unauthorized","error_description":"Unable to authenticate due to expired access token"}"#,
    );
    assert_eq!((expired.code(), expired.retry()), ("token_invalid", RetryAdvice::RefreshToken));
    assert!(c.on_call_failed(&token, &expired));
    expect_fetch(c.poll(T0 + 11).unwrap());
    c.on_response(&token_reply("tok2", 7200), T0 + 12).unwrap();
    // A late failure report about the old token does not throw away the new one.
    assert!(c.on_call_failed(&token, &expired));
    assert_eq!(expect_use(c.poll(T0 + 13).unwrap()), "tok2");
}

#[test]
fn agora_source_exchanges_the_agora_token() {
    let settings = Settings::new(EASEMOB_A1, "org", "app").unwrap();
    let mut c = TokenCache::new(settings, TokenSource::AgoraToken(Secret::new("007agora")), TokenPolicy::default());
    let request = expect_fetch(c.poll(T0).unwrap());
    assert_eq!(request.header("Authorization"), Some("Bearer 007agora"));
    assert_eq!(request.body_text(), Some(r#"{"grant_type":"agora"}"#));
    let reply = HttpResponse::new(
        200,
        vec![],
        format!(r#"{{"access_token":"em","expire_timestamp":{}}}"#, (T0 + 3600) * 1000 + 999),
    );
    let token = c.on_response(&reply, T0).unwrap();
    assert_eq!((token.expires_at(), token.refresh_at()), (Some(T0 + 3600), Some(T0 + 1800)));
}
