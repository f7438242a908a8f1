//! Builds and prints a signed Volcengine RTC ModifyMessage request: as a curl command, and as the
//! canonical request and string to sign a `SignatureDoesNotMatch` would be debugged with.
//!
//! Credentials come from `VOLC_ACCESSKEY` / `VOLC_SECRETKEY` (and `VOLC_SESSION_TOKEN` for STS);
//! when unset, clearly labelled demo values are used. Nothing is sent.
//!
//! `cargo run --example modify_message`

use std::time::{SystemTime, UNIX_EPOCH};

use imedit::volcengine::{text_content, Credentials, Endpoint, ModifyMessage, Signer};

fn main() -> Result<(), imedit::Error> {
    let (ak, sk, demo) = match (std::env::var("VOLC_ACCESSKEY"), std::env::var("VOLC_SECRETKEY")) {
        (Ok(ak), Ok(sk)) => (ak, sk, false),
        _ => ("AKLT-DEMO-ACCESS-KEY".to_owned(), "DEMO-SECRET-KEY-NOT-REAL".to_owned(), true),
    };
    let mut credentials = Credentials::new(ak, sk)?;
    if let Ok(token) = std::env::var("VOLC_SESSION_TOKEN") {
        credentials = credentials.with_session_token(token)?;
    }
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();

    let edit = ModifyMessage::new(123456, 7123456789012345678, 7234567890123456789)
        .ext("edited_by", "moderator")
        .content(text_content("This message was edited ✏️"));
    let signer = Signer::new(credentials);
    let signed = signer.modify_message(&Endpoint::default(), &edit, now)?;

    if demo {
        println!("# DEMO credentials (VOLC_ACCESSKEY / VOLC_SECRETKEY are not set): this request would be refused.\n");
    }
    println!("# The request, as curl (secrets redacted):\n{}\n", signed.request.to_curl(false));
    println!("# Canonical request:\n{}\n", signed.stages.canonical_request_redacted());
    println!("# String to sign:\n{}\n", signed.stages.string_to_sign());
    println!("# Signed headers: {}", signed.stages.signed_headers());
    println!("# Signature:      {}", signed.stages.signature());
    Ok(())
}
