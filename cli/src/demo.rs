//! `imedit demo`: both flows, step by step, over real HTTP against an in-process emulator.

use std::cell::Cell;
use std::sync::Arc;

use imedit::easemob::{ClientCredentials, MessageKind, RewriteMessage, Settings, TokenPolicy, TokenSource};
use imedit::volcengine::{parse_modify_message_response, text_content, Credentials, Endpoint, ModifyMessage, Signer};
use imedit::{Error, Secret};

use crate::client::{now_secs, EasemobClient, Event, Transport};
use crate::emulator::{Config, Emulator, EmulatorHandle, Seed};
use crate::ojson::Json;
use crate::print::{body_text, error_text, indent, request_text, say, stages_text};

const ORG: &str = "1168250507209322";
const APP: &str = "demo";
const CLIENT_ID: &str = "YXA6emulator-demo-client-id";
const CLIENT_SECRET: &str = "YXA6emulator-demo-client-secret";
const VOLC_AK: &str = "AKLTemulatordemo";
const VOLC_SK: &str = "ZW11bGF0b3ItZGVtby1zZWNyZXQ=";
const TEXT_ID: &str = "1235807318835202001";
const CUSTOM_ID: &str = "1235807318835202002";
const IMAGE_ID: &str = "1235807318835202003";
const COMMAND_ID: &str = "1235807318835202008";
const NINE_EDITS_ID: &str = "1235807318835202009";

/// Counts the steps and whether each behaved as documented.
struct Steps {
    number: Cell<u32>,
    failures: Cell<u32>,
}

impl Steps {
    fn start(&self, title: &str) {
        self.number.set(self.number.get() + 1);
        say(format!("\n{}. {title}", self.number.get()));
    }

    fn expect(&self, ok: bool, what: &str) {
        if ok {
            say(format!("   as expected: {what}"));
        } else {
            self.failures.set(self.failures.get() + 1);
            say(format!("   UNEXPECTED: {what} did not happen"));
        }
    }
}

fn show_result<T>(result: &Result<T, Error>, ok: impl Fn(&T) -> String) {
    match result {
        Ok(value) => say(format!("   outcome: {}", ok(value))),
        Err(e) => say(format!("   outcome: {}", error_text(e))),
    }
}

fn admin(emulator: &EmulatorHandle, path: &str) -> Json {
    emulator.admin("GET", path, None).1
}

fn easemob_message(emulator: &EmulatorHandle, id: &str) -> Json {
    admin(emulator, &format!("/_emulator/easemob/apps/{ORG}/{APP}/messages/{id}"))
}

fn show_message(emulator: &EmulatorHandle, id: &str) -> Json {
    let m = easemob_message(emulator, id);
    say(format!(
        "   stored now: type {} body {} ext {} (edit_count {}, last editor {})",
        m["type"].as_str().unwrap_or("?"),
        m["body"],
        m["ext"],
        m["edit_count"],
        m["operator"].as_str().unwrap_or("nobody"),
    ));
    m
}

fn rewrite_count(emulator: &EmulatorHandle) -> u64 {
    admin(emulator, "/_emulator/stats")["easemob"]["rewrite_requests"].as_u64().unwrap_or(0)
}

/// Runs the demo; returns the exit status (0 when every step behaved as documented).
pub fn run(reveal: bool) -> i32 {
    let emulator = match Emulator::start(Config::with_seed(Seed::demo())) {
        Ok(e) => e,
        Err(e) => {
            say(format!("cannot start the emulator: {e}"));
            return 1;
        }
    };
    let base = emulator.base_url();
    say("imedit demo: both flows over real HTTP (ureq), built, signed and parsed by the imedit core,");
    say(format!("against the emulator started in this process at {base}."));
    say(format!("Secrets print as {} (run with --reveal-secrets to see them).", Secret::REDACTED));

    let observer = Arc::new(move |event: Event<'_>| match event {
        Event::Sending(request) => say(indent(&request_text(request, reveal), "   > ")),
        Event::Received(response, elapsed) => say(format!(
            "   < HTTP {} ({} ms) {}",
            response.status,
            elapsed.as_millis(),
            body_text(&response.body, reveal)
        )),
        Event::Failed(e) => say(format!("   < {}", error_text(e))),
    });
    let transport = Transport::default().observed(observer);
    let steps = Steps { number: Cell::new(0), failures: Cell::new(0) };

    // Easemob.
    say(format!("\n== Easemob: app {ORG}#{APP} at {base} =="));
    let settings = Settings::builder(&base).app_key(&format!("{ORG}#{APP}")).allow_http(true).build();
    let credentials = ClientCredentials::new(CLIENT_ID, CLIENT_SECRET);
    let (settings, credentials) = match (settings, credentials) {
        (Ok(s), Ok(c)) => (s, c),
        (Err(e), _) | (_, Err(e)) => {
            say(error_text(&e));
            return 1;
        }
    };
    let client = EasemobClient::new(
        settings,
        TokenSource::ClientCredentials(credentials),
        TokenPolicy::default(),
        transport.clone(),
    );

    steps.start("Fetch an app token with the client credentials (the token cache has none yet)");
    let token = client.token();
    show_result(&token, |t| {
        let lifetime = t.expires_at().map_or(0, |e| e - t.issued_at());
        let refresh = t.refresh_at().map_or(0, |r| r - t.issued_at());
        format!("token cached: valid {lifetime} s, refreshed after {refresh} s")
    });
    steps.expect(token.is_ok(), "a token was issued");

    steps.start("Rewrite a text message: new text, one ext field merged (the cached token is reused)");
    let edit = RewriteMessage::text(TEXT_ID, "hello, edited").user("user1").new_ext("edited_by", "demo");
    let result = client.rewrite(&edit);
    show_result(&result, |o| format!("data=success, path {}", o.path.as_deref().unwrap_or("?")));
    let m = show_message(&emulator, TEXT_ID);
    steps.expect(result.is_ok() && m["body"]["msg"].as_str() == Some("hello, edited"), "the text changed");

    steps.start("Rewrite a custom message: customEvent and customExts");
    let edit = RewriteMessage::custom(CUSTOM_ID)
        .custom_event("order_updated")
        .custom_ext("order", "42")
        .custom_ext("status", "shipped");
    let result = client.rewrite(&edit);
    show_result(&result, |_| "data=success".to_owned());
    let m = show_message(&emulator, CUSTOM_ID);
    steps.expect(
        result.is_ok() && m["body"]["customEvent"].as_str() == Some("order_updated"),
        "the custom event changed",
    );

    steps.start("Change an image message's ext, merged (is_combine_ext left to its default, true)");
    let edit = RewriteMessage::new(IMAGE_ID, MessageKind::Image).new_ext("key2", "updated").new_ext("key3", "value3");
    let result = client.rewrite(&edit);
    show_result(&result, |_| "data=success".to_owned());
    let m = show_message(&emulator, IMAGE_ID);
    let merged = r#"{"key1":"value1","key2":"updated","key3":"value3"}"#;
    steps.expect(result.is_ok() && m["ext"].to_text() == merged, "key2 overwritten, key3 appended, key1 kept");

    steps.start("Change the same image message's ext, replaced (is_combine_ext: false)");
    let edit = RewriteMessage::new(IMAGE_ID, MessageKind::Image).new_ext("reviewed", "yes").replace_ext();
    let result = client.rewrite(&edit);
    show_result(&result, |_| "data=success".to_owned());
    let m = show_message(&emulator, IMAGE_ID);
    steps.expect(result.is_ok() && m["ext"].to_text() == r#"{"reviewed":"yes"}"#, "the old ext is gone");

    steps.start("Try to rewrite a command (cmd) message: refused by the library, nothing is sent");
    let before = rewrite_count(&emulator);
    let edit = RewriteMessage::new(COMMAND_ID, MessageKind::Command).new_ext("a", "b");
    let result = client.rewrite(&edit);
    show_result(&result, |_| "data=success".to_owned());
    let refused = matches!(&result, Err(e) if e.code() == "message_not_editable");
    steps
        .expect(refused && rewrite_count(&emulator) == before, "message_not_editable, and the emulator saw no request");

    steps.start("The edit limit: this message was already edited 9 times; edit 10 passes, edit 11 is refused");
    let tenth = client.rewrite(&RewriteMessage::text(NINE_EDITS_ID, "edit number 10"));
    show_result(&tenth, |_| "edit 10: data=success".to_owned());
    let eleventh = client.rewrite(&RewriteMessage::text(NINE_EDITS_ID, "edit number 11"));
    show_result(&eleventh, |_| "edit 11: data=success".to_owned());
    show_message(&emulator, NINE_EDITS_ID);
    let limited = matches!(&eleventh, Err(e) if e.code() == "edit_limit_reached" && e.status() == Some(403));
    steps.expect(tenth.is_ok() && limited, "edit 11 refused with 403 edit_limit_reached (retry advice: do_not_retry)");

    // Volcengine.
    say(format!("\n== Volcengine: RTC ModifyMessage at {base} (region cn-north-1, service rtc) =="));
    steps.start("Sign ModifyMessage (Ext merge plus new Content) and send it");
    let endpoint = Endpoint::with_host("cn-north-1", &base);
    let signer = Credentials::new(VOLC_AK, VOLC_SK).map(Signer::new);
    let (endpoint, signer) = match (endpoint, signer) {
        (Ok(e), Ok(s)) => (e, s),
        (Err(e), _) | (_, Err(e)) => {
            say(error_text(&e));
            return 1;
        }
    };
    let edit = ModifyMessage::new(123_456, 7_123_456_789_012_345_678, 7_234_567_890_123_456_789)
        .ext("key1", "update_value")
        .ext("key3", "value3")
        .content(text_content("hello, edited"));
    let sent = signer.modify_message(&endpoint, &edit, now_secs()).and_then(|signed| {
        say(indent(&stages_text(&signed.stages), "   "));
        say("");
        let reply = transport.send(&signed.request)?;
        parse_modify_message_response(&reply)
    });
    show_result(&sent, |m| format!("ok, RequestId {}", m.request_id));
    steps.expect(sent.is_ok(), "the signature was accepted and the message modified");

    steps.start("Read the message back from the emulator: Ext merged by the documented rule");
    let m = admin(&emulator, "/_emulator/volcengine/messages/123456/7123456789012345678/7234567890123456789");
    say(format!("   stored now: Ext {} Content {}", m["ext"], m["content"]));
    let merged = r#"{"key1":"update_value","key2":"value2","key3":"value3"}"#;
    steps.expect(m["ext"].to_text() == merged, "key1 overwritten, key2 kept, key3 appended");

    let failures = steps.failures.get();
    say(format!("\n{} steps, {} unexpected.", steps.number.get(), failures));
    emulator.shutdown();
    i32::from(failures > 0)
}
