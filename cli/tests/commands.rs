//! The `imedit` binary: help, printing (with secrets redacted), sending (against an in-process
//! emulator), exit statuses, the emulator process and the demo.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};

use common::*;

const ENV: [&str; 6] = [
    "VOLC_ACCESSKEY",
    "VOLC_SECRETKEY",
    "VOLC_SESSION_TOKEN",
    "EASEMOB_CLIENT_ID",
    "EASEMOB_CLIENT_SECRET",
    "EASEMOB_TOKEN",
];

/// Runs `imedit args...` with only the given credential variables set.
fn imedit(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_imedit"));
    command.args(args);
    for name in ENV {
        command.env_remove(name);
    }
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("run imedit")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn describe(output: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status.code(),
        stdout(output),
        String::from_utf8_lossy(&output.stderr)
    )
}

// The worked example of the Volcengine signing notes (case mm_basic, official Python SDK output).
const DOC_SK: &str = "TVRrMU1EQXdOR1l6TWpnM05HSmxPRGcwTVRjeE1UVTFNVGd3T1dNeU1UZw==";
const DOC_BODY: &str = r#"{"AppId":123456,"ConversationShortId":7123456789012345678,"MessageId":7234567890123456789,"Ext":{"key":"value"},"Content":"{\"text\":\"hello\"}"}"#;
const DOC_SIGNATURE: &str = "ec14db7733b1ee85ad605e6eb959764cc558f3d75d802d5d3ae7191cf06e5316";
const DOC_NODE_SIGNATURE: &str = "b7098c77ae1dbd7444a22cac7c874aac0ed5f4f6385b64fab8249b99f18acb71";

#[test]
fn every_command_has_help() {
    for args in [
        &["--help"][..],
        &["emulator", "--help"],
        &["volc", "--help"],
        &["volc", "modify", "--help"],
        &["volc", "sign", "--help"],
        &["easemob", "--help"],
        &["easemob", "token", "--help"],
        &["easemob", "rewrite", "--help"],
        &["demo", "--help"],
    ] {
        let out = imedit(args, &[]);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", describe(&out));
        assert!(stdout(&out).contains("Usage: imedit"), "{args:?}");
    }
    let out = imedit(&["volc", "modify"], &[]);
    assert_eq!(out.status.code(), Some(2), "missing arguments are a usage error");
}

#[test]
fn volc_modify_prints_the_signed_request_with_secrets_redacted() {
    let env = [("VOLC_ACCESSKEY", "AKLTexample"), ("VOLC_SECRETKEY", DOC_SK)];
    let args = [
        "volc",
        "modify",
        "--app-id",
        "123456",
        "--conversation-short-id",
        "7123456789012345678",
        "--message-id",
        "7234567890123456789",
        "--ext",
        "key=value",
        "--text",
        "hello",
        "--time",
        "1717245296",
    ];
    let out = imedit(&args, &env);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let text = stdout(&out);
    assert!(
        text.contains("curl -X 'POST' 'https://rtc.volcengineapi.com/?Action=ModifyMessage&Version=2020-12-01'"),
        "{text}"
    );
    assert!(text.contains("-H 'Authorization: [REDACTED]'"), "{text}");
    assert!(text.contains(&format!("--data-binary '{DOC_BODY}'")), "{text}");
    assert!(text.contains("x-content-sha256:aa7464f79d20de6d1ec03a5f94a2705f1c532c00a459256578c901cb4c898a58"));
    assert!(text.contains("d8f901d407859068bc9c203b2f35c0d64cece73fa830b28a48415d3f20ab97f3"), "the string to sign");
    assert!(text.contains("signed headers: content-type;host;x-content-sha256;x-date"));
    assert!(!text.contains(DOC_SIGNATURE) && !text.contains(DOC_SK), "{text}");

    let mut revealed = args.to_vec();
    revealed.push("--reveal-secrets");
    let text = stdout(&imedit(&revealed, &env));
    assert!(text.contains(&format!("Signature={DOC_SIGNATURE}")), "{text}");
}

#[test]
fn volc_sign_takes_any_signed_header_set() {
    let env = [("VOLC_ACCESSKEY", "AKLTexample"), ("VOLC_SECRETKEY", DOC_SK)];
    let args = [
        "volc",
        "sign",
        "--action",
        "ModifyMessage",
        "--version",
        "2020-12-01",
        "--host",
        "rtc.volcengineapi.com",
        "--body",
        DOC_BODY,
        "--signed-headers",
        "host;x-content-sha256;x-date",
        "--time",
        "1717245296",
        "--reveal-secrets",
    ];
    let out = imedit(&args, &env);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(stdout(&out).contains(&format!("Signature={DOC_NODE_SIGNATURE}")), "{}", stdout(&out));
}

#[test]
fn printing_without_credentials_uses_placeholders_and_sending_needs_them() {
    let out = imedit(&["easemob", "token", "--app-key", "org#app"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let text = stdout(&out);
    assert!(
        text.contains("'https://a1.easemob.com/org/app/token'") && text.contains("--data-binary '[REDACTED]'"),
        "{text}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("placeholders"));
    let out = imedit(&["easemob", "token", "--app-key", "org#app", "--send"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let out = imedit(
        &[
            "volc",
            "modify",
            "--app-id",
            "1",
            "--conversation-short-id",
            "2",
            "--message-id",
            "3",
            "--ext",
            "a=b",
            "--send",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
}

#[test]
fn local_refusals_exit_2_and_send_nothing() {
    let em = emulator();
    let base = em.base_url();
    let env = [("EASEMOB_TOKEN", "YWMtAAAAAAAAAAAAAAAAAAAAAAAAAAAA")];
    let args = [
        "easemob",
        "rewrite",
        "--base-url",
        &base,
        "--allow-http",
        "--app-key",
        "1168250507209322#demo",
        "--message-id",
        CMD,
        "--type",
        "cmd",
        "--ext",
        "a=b",
        "--send",
    ];
    let out = imedit(&args, &env);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(stdout(&out).contains("error: message_not_editable") && stdout(&out).contains("nothing was sent"));
    let out = imedit(&["volc", "modify", "--app-id", "x", "--conversation-short-id", "2", "--message-id", "3"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(stdout(&out).contains("invalid_input"), "{}", describe(&out));
    assert_eq!(admin(&em, "GET", "/_emulator/stats", None)["requests"].as_u64(), Some(0));
}

#[test]
fn volc_commands_send_to_the_emulator() {
    let em = emulator();
    let base = em.base_url();
    let env = [("VOLC_ACCESSKEY", AK), ("VOLC_SECRETKEY", SK)];
    let args = [
        "volc",
        "modify",
        "--host",
        &base,
        "--app-id",
        "123456",
        "--conversation-short-id",
        "7123456789012345678",
        "--message-id",
        "7234567890123456789",
        "--ext",
        "key1=update_value",
        "--ext",
        "key3=value3",
        "--send",
    ];
    let out = imedit(&args, &env);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let text = stdout(&out);
    assert!(text.contains("ok: RequestId=") && text.contains("< HTTP 200"), "{text}");
    assert!(!text.contains(SK) && text.contains("> Authorization: [REDACTED]"), "{text}");
    let m = admin(&em, "GET", "/_emulator/volcengine/messages/123456/7123456789012345678/7234567890123456789", None);
    assert_eq!(m["ext"].to_text(), r#"{"key1":"update_value","key2":"value2","key3":"value3"}"#);

    // Any action through `volc sign`: the emulator only knows ModifyMessage.
    let body = r#"{"AppId":123456,"ConversationShortId":7123456789012345678,"MessageId":7234567890123456789,"Content":"{\"text\":\"signed\"}"}"#;
    let sign = [
        "volc",
        "sign",
        "--host",
        &base,
        "--action",
        "ModifyMessage",
        "--version",
        "2020-12-01",
        "--body",
        body,
        "--signed-headers",
        "host;x-date",
        "--send",
    ];
    let out = imedit(&sign, &env);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let other = ["volc", "sign", "--host", &base, "--action", "ListRooms", "--version", "2020-12-01", "--send"];
    let out = imedit(&other, &env);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(stdout(&out).contains("InvalidActionOrVersion"));

    let wrong = [("VOLC_ACCESSKEY", AK), ("VOLC_SECRETKEY", "d3Jvbmc=")];
    let out = imedit(&args, &wrong);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(stdout(&out).contains("error: invalid_credentials (HTTP 401"), "{}", describe(&out));
}

#[test]
fn easemob_commands_send_to_the_emulator() {
    let em = emulator();
    let base = em.base_url();
    let env = [("EASEMOB_CLIENT_ID", CLIENT_ID), ("EASEMOB_CLIENT_SECRET", CLIENT_SECRET)];
    let app = ["--base-url", &base, "--allow-http", "--org", ORG, "--app", APP];
    let token_args = [&["easemob", "token"][..], &app, &["--send"]].concat();
    let out = imedit(&token_args, &env);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let text = stdout(&out);
    assert!(text.contains("ok: token [REDACTED] (expires in 7200 s"), "{text}");
    assert!(!text.contains("YWMt") && !text.contains(CLIENT_SECRET), "{text}");
    let revealed = [&token_args[..], &["--reveal-secrets"]].concat();
    assert!(stdout(&imedit(&revealed, &env)).contains("ok: token YWMt"));

    // Without EASEMOB_TOKEN, a token is fetched first.
    let rewrite_args = [
        &["easemob", "rewrite"][..],
        &app,
        &["--message-id", TXT, "--msg", "from the command line", "--ext", "k=v", "--send"],
    ]
    .concat();
    let out = imedit(&rewrite_args, &env);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(stdout(&out).contains("ok: data=success"));
    assert_eq!(message(&em, TXT)["body"]["msg"].as_str(), Some("from the command line"));

    // With EASEMOB_TOKEN, it is used as it is.
    let bad = [("EASEMOB_TOKEN", "YWMtAAAAAAAAAAAAAAAAAAAAAAAAAAAA")];
    let out = imedit(&rewrite_args, &bad);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(stdout(&out).contains("error: token_invalid (HTTP 401"), "{}", describe(&out));
    assert!(!stdout(&out).contains("YWMtAAAA"), "the token is redacted");
}

#[test]
fn the_emulator_process_prints_its_url_first_and_stops_on_request() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_imedit"))
        .args(["emulator", "--port", "0", "--empty"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.trim();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let port: u16 = url.rsplit(':').next().unwrap().parse().unwrap();
    assert!(port > 0);
    let reply = send(&imedit::HttpRequest {
        method: "POST".into(),
        url: format!("{url}/_emulator/shutdown"),
        headers: vec![],
        body: vec![],
        body_sensitive: false,
    });
    assert_eq!(reply.status, 200);
    assert!(child.wait().unwrap().success());

    let out = imedit(&["emulator", "--bind", "0.0.0.0"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let out = imedit(&["emulator", "--print-seed"], &[]);
    assert!(imedit_cli::emulator::Seed::from_json(&out.stdout).is_ok());
    let out = imedit(&["emulator", "--seed", "/no/such/file.json"], &[]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_demo_runs_and_keeps_secrets() {
    let out = imedit(&["demo"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let text = stdout(&out);
    assert!(text.contains("9 steps, 0 unexpected."), "{text}");
    assert!(!text.contains("YWMt") && !text.contains(CLIENT_SECRET) && !text.contains(SK), "{text}");
}
