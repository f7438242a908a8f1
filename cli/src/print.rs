//! Human-readable forms of requests, replies, signing stages and errors, with secrets redacted.

use std::io::Write;
use std::time::Duration;

use imedit::volcengine::SigningStages;
use imedit::{Error, HttpRequest, HttpResponse, Secret};

use crate::ojson::Json;

/// Writes a line to stdout (a closed pipe is not an error worth a panic).
pub fn say(line: impl AsRef<str>) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{}", line.as_ref());
}

/// Indents every line of `text` with `prefix`.
pub fn indent(text: &str, prefix: &str) -> String {
    text.lines().map(|l| format!("{prefix}{l}")).collect::<Vec<_>>().join("\n")
}

/// The request as an HTTP message: request line, headers (secrets redacted unless `reveal`),
/// a blank line and the body.
pub fn request_text(request: &HttpRequest, reveal: bool) -> String {
    let mut out = format!("{} {}", request.method, request.url);
    for h in &request.headers {
        let value = if reveal { &*h.value } else { h.display_value() };
        out.push_str(&format!("\n{}: {}", h.name, value));
    }
    if !request.body.is_empty() {
        out.push_str("\n\n");
        if request.body_sensitive && !reveal {
            out.push_str(&redact_body(&request.body));
        } else {
            out.push_str(&String::from_utf8_lossy(&request.body));
        }
    }
    out
}

/// The JSON body with every secret member (`client_secret`, `access_token`) redacted; a body
/// that is not a JSON object is redacted whole.
fn redact_body(body: &[u8]) -> String {
    match Json::parse(body) {
        Ok(Json::Object(members)) => redact_members(members).to_text(),
        _ => Secret::REDACTED.to_owned(),
    }
}

fn redact_members(members: Vec<(String, Json)>) -> Json {
    const SECRET_KEYS: [&str; 3] = ["client_secret", "access_token", "secret"];
    Json::Object(
        members
            .into_iter()
            .map(|(k, v)| {
                let v = if SECRET_KEYS.contains(&k.as_str()) { Json::from(Secret::REDACTED) } else { v };
                (k, v)
            })
            .collect(),
    )
}

/// The reply: status, headers and body (an `access_token` in it redacted unless `reveal`).
pub fn response_text(response: &HttpResponse, elapsed: Option<Duration>, reveal: bool) -> String {
    let mut out = format!("HTTP {}", response.status);
    if let Some(elapsed) = elapsed {
        out.push_str(&format!(" ({} ms)", elapsed.as_millis()));
    }
    for (name, value) in &response.headers {
        out.push_str(&format!("\n{name}: {value}"));
    }
    if !response.body.is_empty() {
        out.push_str("\n\n");
        out.push_str(&body_text(&response.body, reveal));
    }
    out
}

/// A reply body for printing: JSON with `access_token` redacted (unless `reveal`), or the text.
pub fn body_text(body: &[u8], reveal: bool) -> String {
    match Json::parse(body) {
        Ok(Json::Object(members)) if !reveal => redact_members(members).to_text(),
        _ => String::from_utf8_lossy(body).trim_end().to_owned(),
    }
}

/// The signing stages: canonical request, string to sign and what they derive from.
pub fn stages_text(stages: &SigningStages) -> String {
    format!(
        "canonical request:\n{}\n\nstring to sign:\n{}\n\nsigned headers: {}\ncredential scope: {}\nX-Date: {}\npayload hash: {}",
        indent(stages.canonical_request(), "  "),
        indent(stages.string_to_sign(), "  "),
        stages.signed_headers(),
        stages.credential_scope(),
        stages.x_date(),
        stages.payload_hash(),
    )
}

/// One line describing an error: its stable code, HTTP status, retry advice and message.
pub fn error_text(error: &Error) -> String {
    let status = error.status().map(|s| format!("HTTP {s}, ")).unwrap_or_default();
    format!("error: {} ({status}retry: {}): {error}", error.code(), error.retry())
}
