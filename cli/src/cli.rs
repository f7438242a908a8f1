//! The `imedit` command line.

use std::ffi::OsString;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};
use imedit::easemob::{
    build_token_request, ClientCredentials, MessageKind, RewriteMessage, Settings, TimeUnit, TokenPolicy, TokenSource,
    EASEMOB_A1,
};
use imedit::volcengine::{
    parse_id, rtc_host, text_content, Credentials, Endpoint, ModifyMessage, Scheme, SignableRequest, Signer,
    SigningParams, DEFAULT_REGION,
};
use imedit::{Error, ExtMode, Fault, Secret};

use crate::client::{now_secs, EasemobClient, Event, Observer, Transport, VolcClient};
use crate::emulator::{Config, Emulator, Seed, DEMO_SEED};
use crate::print::{error_text, indent, request_text, response_text, say, stages_text};

/// Exit status: the command did what was asked.
pub const EXIT_OK: i32 = 0;
/// Exit status: the call failed (the vendor refused it, no reply came, or the reply was
/// malformed).
pub const EXIT_FAILED: i32 = 1;
/// Exit status: bad usage, missing credentials, or input refused locally (nothing was sent).
pub const EXIT_USAGE: i32 = 2;

/// imedit: edit sent chat messages on Volcengine RTC and Easemob / Agora Chat.
///
/// Credentials come only from the environment (never from arguments, which land in shell
/// history): VOLC_ACCESSKEY, VOLC_SECRETKEY, VOLC_SESSION_TOKEN; EASEMOB_CLIENT_ID,
/// EASEMOB_CLIENT_SECRET, EASEMOB_TOKEN.
#[derive(Debug, Parser)]
#[command(name = "imedit", version)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve a local emulator of both vendors (loopback only unless told otherwise).
    Emulator(EmulatorArgs),
    /// Volcengine OpenAPI: ModifyMessage, or sign any action.
    #[command(subcommand)]
    Volc(VolcCommand),
    /// Easemob / Agora Chat REST: app token and message rewrite.
    #[command(subcommand)]
    Easemob(EasemobCommand),
    /// Walk through both flows against an in-process emulator, over real HTTP.
    Demo(DemoArgs),
}

#[derive(Debug, Args)]
struct EmulatorArgs {
    /// The port to listen on; 0 picks a free one. The first line of stdout is the base URL,
    /// `http://127.0.0.1:<port>`.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,
    /// Accept a non-loopback --bind address (the emulator has no real security).
    #[arg(long)]
    allow_remote: bool,
    /// A seed file (JSON, see cli/README.md). Without it, the built-in demo seed is used.
    #[arg(long, conflicts_with = "empty")]
    seed: Option<PathBuf>,
    /// Start with no apps, credentials or messages (seed them through the admin API).
    #[arg(long)]
    empty: bool,
    /// Print the built-in demo seed and exit.
    #[arg(long)]
    print_seed: bool,
}

#[derive(Debug, Args)]
struct Output {
    /// Send the request and print the parsed outcome (default: only print what would be sent).
    #[arg(long)]
    send: bool,
    /// Print secrets (signatures, tokens, client secrets) instead of [REDACTED].
    #[arg(long)]
    reveal_secrets: bool,
}

#[derive(Debug, Subcommand)]
enum VolcCommand {
    /// RTC ModifyMessage: change a message's Ext (merged key by key) and Content.
    Modify(VolcModifyArgs),
    /// Sign any OpenAPI request (any action, service, region) and print or send it.
    Sign(VolcSignArgs),
}

#[derive(Debug, Args)]
struct VolcModifyArgs {
    /// AppId.
    #[arg(long)]
    app_id: String,
    /// ConversationShortId.
    #[arg(long)]
    conversation_short_id: String,
    /// MessageId.
    #[arg(long)]
    message_id: String,
    /// An Ext field to set, KEY=VALUE (repeatable; kept in order).
    #[arg(long = "ext", value_name = "KEY=VALUE")]
    ext: Vec<String>,
    /// The new Content, a JSON document in the client message format.
    #[arg(long, conflicts_with = "text")]
    content: Option<String>,
    /// The new text: Content becomes {"text": TEXT}.
    #[arg(long)]
    text: Option<String>,
    /// The region the request is signed for.
    #[arg(long, default_value = DEFAULT_REGION)]
    region: String,
    /// The host or origin (default: the region's RTC host), e.g. http://127.0.0.1:8080.
    #[arg(long)]
    host: Option<String>,
    /// Sign at this Unix time instead of now (printing only).
    #[arg(long, conflicts_with = "send")]
    time: Option<u64>,
    #[command(flatten)]
    output: Output,
}

#[derive(Debug, Args)]
struct VolcSignArgs {
    /// The action (query parameter Action).
    #[arg(long)]
    action: String,
    /// The API version (query parameter Version).
    #[arg(long)]
    version: String,
    /// The service of the credential scope.
    #[arg(long, default_value = "rtc")]
    service: String,
    /// The region of the credential scope.
    #[arg(long, default_value = DEFAULT_REGION)]
    region: String,
    /// The host or origin (default: the RTC host of the region for rtc, open.volcengineapi.com
    /// otherwise).
    #[arg(long)]
    host: Option<String>,
    /// The HTTP method (default: POST with a body, GET without).
    #[arg(long)]
    method: Option<String>,
    /// The path.
    #[arg(long, default_value = "/")]
    path: String,
    /// Another query parameter, KEY=VALUE (repeatable).
    #[arg(long = "query", value_name = "KEY=VALUE")]
    query: Vec<String>,
    /// A header, 'Name: value' (repeatable). Content-Type defaults to application/json when
    /// there is a body.
    #[arg(long = "header", value_name = "NAME: VALUE")]
    header: Vec<String>,
    /// The body text.
    #[arg(long, conflicts_with = "body_file")]
    body: Option<String>,
    /// A file holding the body.
    #[arg(long)]
    body_file: Option<PathBuf>,
    /// Sign exactly these headers (names joined with ';'), instead of the default set.
    #[arg(long, value_name = "a;b;c")]
    signed_headers: Option<String>,
    /// Sign at this Unix time instead of now (printing only).
    #[arg(long, conflicts_with = "send")]
    time: Option<u64>,
    #[command(flatten)]
    output: Output,
}

#[derive(Debug, Subcommand)]
enum EasemobCommand {
    /// Request an app token (client credentials from EASEMOB_CLIENT_ID / EASEMOB_CLIENT_SECRET).
    Token(EasemobTokenArgs),
    /// Rewrite a sent message (token from EASEMOB_TOKEN, or fetched with the client credentials).
    Rewrite(EasemobRewriteArgs),
}

#[derive(Debug, Args)]
struct AppArgs {
    /// The REST origin, e.g. https://a1.easemob.com or http://127.0.0.1:8080.
    #[arg(long, default_value = EASEMOB_A1)]
    base_url: String,
    /// The App Key, org#app.
    #[arg(long, conflicts_with_all = ["org", "app"], required_unless_present_all = ["org", "app"])]
    app_key: Option<String>,
    /// The org name.
    #[arg(long, requires = "app")]
    org: Option<String>,
    /// The app name.
    #[arg(long, requires = "org")]
    app: Option<String>,
    /// Accept an http:// origin (for a local emulator only).
    #[arg(long)]
    allow_http: bool,
}

impl AppArgs {
    fn settings(&self) -> Result<Settings, Error> {
        let builder = Settings::builder(&self.base_url).allow_http(self.allow_http);
        match &self.app_key {
            Some(key) => builder.app_key(key),
            None => builder
                .org_name(self.org.as_deref().unwrap_or_default())
                .app_name(self.app.as_deref().unwrap_or_default()),
        }
        .build()
    }
}

#[derive(Debug, Args)]
struct TokenArgs {
    /// The token lifetime to ask for, in seconds (0: never expires; default: the console setting).
    #[arg(long)]
    ttl: Option<u64>,
    /// The cluster counts ttl and expires_in in milliseconds (VIP 5).
    #[arg(long)]
    milliseconds: bool,
}

impl TokenArgs {
    fn policy(&self) -> TokenPolicy {
        TokenPolicy {
            ttl: self.ttl,
            unit: if self.milliseconds { TimeUnit::Milliseconds } else { TimeUnit::Seconds },
            ..TokenPolicy::default()
        }
    }
}

#[derive(Debug, Args)]
struct EasemobTokenArgs {
    #[command(flatten)]
    app: AppArgs,
    #[command(flatten)]
    token: TokenArgs,
    #[command(flatten)]
    output: Output,
}

#[derive(Debug, Args)]
struct EasemobRewriteArgs {
    #[command(flatten)]
    app: AppArgs,
    /// The message id (decimal).
    #[arg(long)]
    message_id: String,
    /// The stored message's type: txt, custom, img, audio, video, file, loc, combine (cmd is refused).
    #[arg(long = "type", default_value = "txt")]
    kind: String,
    /// The new text (txt).
    #[arg(long)]
    msg: Option<String>,
    /// The new customEvent (custom).
    #[arg(long)]
    custom_event: Option<String>,
    /// A customExts entry, KEY=VALUE (custom; repeatable).
    #[arg(long = "custom-ext", value_name = "KEY=VALUE")]
    custom_ext: Vec<String>,
    /// A new ext field, KEY=VALUE (repeatable; kept in order).
    #[arg(long = "ext", value_name = "KEY=VALUE")]
    ext: Vec<String>,
    /// Replace the stored ext with the given fields instead of merging (is_combine_ext: false).
    #[arg(long)]
    replace_ext: bool,
    /// Who edits (user).
    #[arg(long)]
    user: Option<String>,
    #[command(flatten)]
    token: TokenArgs,
    #[command(flatten)]
    output: Output,
}

#[derive(Debug, Args)]
struct DemoArgs {
    /// Print secrets (tokens, signatures) instead of [REDACTED].
    #[arg(long)]
    reveal_secrets: bool,
}

/// Runs the command line and returns the exit status.
pub fn run<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
        }
    };
    let result = match cli.command {
        Command::Emulator(args) => emulator(&args),
        Command::Volc(VolcCommand::Modify(args)) => volc_modify(&args),
        Command::Volc(VolcCommand::Sign(args)) => volc_sign(&args),
        Command::Easemob(EasemobCommand::Token(args)) => easemob_token(&args),
        Command::Easemob(EasemobCommand::Rewrite(args)) => easemob_rewrite(&args),
        Command::Demo(args) => Ok(crate::demo::run(args.reveal_secrets)),
    };
    match result {
        Ok(code) => code,
        Err(Failure::Usage(message)) => {
            eprintln!("imedit: {message}");
            EXIT_USAGE
        }
        Err(Failure::Call(error)) => {
            say(error_text(&error));
            if error.fault() == Fault::Caller {
                say("nothing was sent");
                EXIT_USAGE
            } else {
                EXIT_FAILED
            }
        }
    }
}

/// Why a command failed.
enum Failure {
    /// Bad usage or missing credentials.
    Usage(String),
    /// The library refused the input, or the call failed.
    Call(Error),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Self::Call(e)
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn pairs(field: &str, items: &[String]) -> Result<Vec<(String, String)>, Failure> {
    items
        .iter()
        .map(|item| {
            item.split_once('=')
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .ok_or_else(|| Failure::Usage(format!("--{field} takes KEY=VALUE, got {item:?}")))
        })
        .collect()
}

/// An observer that prints every request and reply, indented.
fn printer(reveal: bool) -> Observer {
    Arc::new(move |event: Event<'_>| match event {
        Event::Sending(request) => say(format!("{}\n", indent(&request_text(request, reveal), "> "))),
        Event::Received(response, elapsed) => {
            say(format!("{}\n", indent(&response_text(response, Some(elapsed), reveal), "< ")));
        }
        Event::Failed(error) => say(format!("< {}\n", error_text(error))),
    })
}

fn emulator(args: &EmulatorArgs) -> Result<i32, Failure> {
    if args.print_seed {
        say(DEMO_SEED.trim_end());
        return Ok(EXIT_OK);
    }
    let seed = if args.empty {
        Seed::default()
    } else if let Some(path) = &args.seed {
        let text = std::fs::read(path).map_err(|e| Failure::Usage(format!("cannot read {}: {e}", path.display())))?;
        Seed::from_json(&text).map_err(Failure::Usage)?
    } else {
        Seed::demo()
    };
    let config = Config { bind: args.bind, port: args.port, allow_remote: args.allow_remote, seed };
    let emulator = Emulator::start(config).map_err(|e| Failure::Usage(format!("cannot start the emulator: {e}")))?;
    say(emulator.base_url());
    eprintln!(
        "imedit emulator: Volcengine ModifyMessage at {0}/?Action=ModifyMessage&Version=2020-12-01, Easemob at {0}/{{org}}/{{app}}/..., admin at {0}/_emulator/ (POST /_emulator/shutdown to stop)",
        emulator.base_url()
    );
    emulator.wait();
    Ok(EXIT_OK)
}

/// Volcengine credentials from the environment; placeholders (with a warning) when printing only.
fn volc_credentials(send: bool) -> Result<Credentials, Failure> {
    let (ak, sk) = match (env("VOLC_ACCESSKEY"), env("VOLC_SECRETKEY")) {
        (Some(ak), Some(sk)) => (ak, sk),
        _ if send => return Err(Failure::Usage("set VOLC_ACCESSKEY and VOLC_SECRETKEY to send".into())),
        _ => {
            eprintln!("imedit: VOLC_ACCESSKEY / VOLC_SECRETKEY are not set: signing with placeholder credentials");
            ("AKLTplaceholder".to_owned(), "placeholder-secret".to_owned())
        }
    };
    let credentials = Credentials::new(ak, sk)?;
    Ok(match env("VOLC_SESSION_TOKEN") {
        Some(token) => credentials.with_session_token(token)?,
        None => credentials,
    })
}

fn volc_modify(args: &VolcModifyArgs) -> Result<i32, Failure> {
    let mut edit = ModifyMessage::new(
        parse_id("app_id", &args.app_id)?,
        parse_id("conversation_short_id", &args.conversation_short_id)?,
        parse_id("message_id", &args.message_id)?,
    );
    edit.ext = pairs("ext", &args.ext)?;
    edit.content = args.content.clone().or_else(|| args.text.as_deref().map(text_content));
    let endpoint = Endpoint::new(&args.region, args.host.as_deref())?;
    let signer = Signer::new(volc_credentials(args.output.send)?);
    let reveal = args.output.reveal_secrets;
    if !args.output.send {
        let signed = signer.modify_message(&endpoint, &edit, args.time.unwrap_or_else(now_secs))?;
        print_signed(&signed, reveal);
        return Ok(EXIT_OK);
    }
    let client = VolcClient::new(signer, endpoint, Transport::default().observed(printer(reveal)));
    let meta = client.modify_message(&edit)?;
    say(format!(
        "ok: RequestId={} Action={} Version={} Service={} Region={}",
        meta.request_id, meta.action, meta.version, meta.service, meta.region
    ));
    Ok(EXIT_OK)
}

fn print_signed(signed: &imedit::volcengine::SignedRequest, reveal: bool) {
    say("# the request (not sent; add --send to send it)");
    say(signed.request.to_curl(reveal));
    say("");
    say(stages_text(&signed.stages));
    if reveal {
        say(format!("signature: {}", signed.stages.signature()));
    }
}

/// `host[:port]` or an origin → (scheme, host).
fn split_origin(host: &str) -> (Scheme, String) {
    let (scheme, rest) = match host.split_once("://") {
        Some(("http", rest)) => (Scheme::Http, rest),
        Some((_, rest)) => (Scheme::Https, rest),
        None => (Scheme::Https, host),
    };
    (scheme, rest.trim_end_matches('/').to_owned())
}

fn volc_sign(args: &VolcSignArgs) -> Result<i32, Failure> {
    let host = match &args.host {
        Some(h) => h.clone(),
        None if args.service == "rtc" => rtc_host(&args.region).unwrap_or("open.volcengineapi.com").to_owned(),
        None => "open.volcengineapi.com".to_owned(),
    };
    let (scheme, host) = split_origin(&host);
    let body = match (&args.body, &args.body_file) {
        (Some(text), _) => text.clone().into_bytes(),
        (None, Some(path)) => {
            std::fs::read(path).map_err(|e| Failure::Usage(format!("cannot read {}: {e}", path.display())))?
        }
        (None, None) => Vec::new(),
    };
    let mut headers = Vec::new();
    for h in &args.header {
        let (name, value) =
            h.split_once(':').ok_or_else(|| Failure::Usage(format!("--header takes 'Name: value', got {h:?}")))?;
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    if !body.is_empty() && !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("content-type")) {
        headers.push(("Content-Type".to_owned(), "application/json".to_owned()));
    }
    let mut query = vec![("Action".to_owned(), args.action.clone()), ("Version".to_owned(), args.version.clone())];
    query.extend(pairs("query", &args.query)?);
    let method = args.method.clone().unwrap_or_else(|| if body.is_empty() { "GET" } else { "POST" }.to_owned());
    let request = SignableRequest { method, scheme, host, path: args.path.clone(), query, headers, body };
    let params = SigningParams {
        region: args.region.clone(),
        service: args.service.clone(),
        time: args.time.unwrap_or_else(now_secs),
        signed_headers: args
            .signed_headers
            .as_ref()
            .map(|list| list.split(';').filter(|s| !s.is_empty()).map(str::to_owned).collect()),
    };
    let signer = Signer::new(volc_credentials(args.output.send)?);
    let reveal = args.output.reveal_secrets;
    if !args.output.send {
        print_signed(&signer.sign(&request, &params)?, reveal);
        return Ok(EXIT_OK);
    }
    let endpoint = Endpoint::default();
    let client = VolcClient::new(signer, endpoint, Transport::default().observed(printer(reveal)));
    let reply = client.call(&request, &params)?;
    let meta = reply.metadata;
    say(format!("ok: RequestId={} Action={} Version={}", meta.request_id, meta.action, meta.version));
    if let Some(result) = reply.result {
        say(format!("Result: {result}"));
    }
    Ok(EXIT_OK)
}

/// Easemob client credentials from the environment; placeholders (with a warning) when printing
/// only.
fn easemob_credentials(send: bool) -> Result<ClientCredentials, Failure> {
    match (env("EASEMOB_CLIENT_ID"), env("EASEMOB_CLIENT_SECRET")) {
        (Some(id), Some(secret)) => Ok(ClientCredentials::new(id, secret)?),
        _ if send => Err(Failure::Usage("set EASEMOB_CLIENT_ID and EASEMOB_CLIENT_SECRET to fetch a token".into())),
        _ => {
            eprintln!("imedit: EASEMOB_CLIENT_ID / EASEMOB_CLIENT_SECRET are not set: using placeholders");
            Ok(ClientCredentials::new("YXA6placeholder-client-id", "YXA6placeholder-client-secret")?)
        }
    }
}

fn easemob_token(args: &EasemobTokenArgs) -> Result<i32, Failure> {
    let settings = args.app.settings()?;
    let credentials = easemob_credentials(args.output.send)?;
    let policy = args.token.policy();
    let reveal = args.output.reveal_secrets;
    if !args.output.send {
        let request = build_token_request(&settings, &credentials, &policy)?;
        say("# the request (not sent; add --send to send it)");
        say(request.to_curl(reveal));
        return Ok(EXIT_OK);
    }
    let transport = Transport::default().observed(printer(reveal));
    let client = EasemobClient::new(settings, TokenSource::ClientCredentials(credentials), policy, transport);
    let token = client.token()?;
    let shown = if reveal { token.value().expose().to_owned() } else { Secret::REDACTED.to_owned() };
    let lifetime = token
        .expires_at()
        .map_or("never expires".to_owned(), |e| format!("expires in {} s", e.saturating_sub(token.issued_at())));
    say(format!("ok: token {shown} ({lifetime}; application {})", token.application().unwrap_or("?")));
    if !reveal {
        say("(add --reveal-secrets to print the token, e.g. to export EASEMOB_TOKEN)");
    }
    Ok(EXIT_OK)
}

fn easemob_rewrite(args: &EasemobRewriteArgs) -> Result<i32, Failure> {
    let settings = args.app.settings()?;
    let kind = MessageKind::parse(&args.kind)?;
    let mut edit = RewriteMessage::new(args.message_id.clone(), kind);
    edit.msg = args.msg.clone();
    edit.custom_event = args.custom_event.clone();
    if !args.custom_ext.is_empty() {
        edit.custom_exts = Some(pairs("custom-ext", &args.custom_ext)?);
    }
    if !args.ext.is_empty() || args.replace_ext {
        edit.new_ext = Some(pairs("ext", &args.ext)?);
    }
    if args.replace_ext {
        edit.ext_mode = ExtMode::Replace;
    }
    edit.user = args.user.clone();
    let reveal = args.output.reveal_secrets;
    let token = env("EASEMOB_TOKEN").map(Secret::new);
    if !args.output.send {
        let shown = token.clone().unwrap_or_else(|| Secret::new("EASEMOB_TOKEN-is-not-set"));
        let request = imedit::easemob::build_rewrite_request(&settings, &shown, &edit)?;
        say("# the request (not sent; add --send to send it)");
        say(request.to_curl(reveal));
        if token.is_none() {
            say("# EASEMOB_TOKEN is not set: with --send, a token is fetched with EASEMOB_CLIENT_ID / EASEMOB_CLIENT_SECRET");
        }
        return Ok(EXIT_OK);
    }
    let transport = Transport::default().observed(printer(reveal));
    let outcome = match token {
        Some(token) => {
            // The token source is not used when a token is given.
            let placeholder = ClientCredentials::new("unused", "unused")?;
            let client = EasemobClient::new(
                settings,
                TokenSource::ClientCredentials(placeholder),
                args.token.policy(),
                transport,
            );
            client.rewrite_once(&token, &edit)?
        }
        None => {
            let credentials = easemob_credentials(true)?;
            let client = EasemobClient::new(
                settings,
                TokenSource::ClientCredentials(credentials),
                args.token.policy(),
                transport,
            );
            client.rewrite(&edit)?
        }
    };
    say(format!(
        "ok: data=success path={} duration={} ms",
        outcome.path.as_deref().unwrap_or("?"),
        outcome.duration.map_or("?".to_owned(), |d| d.to_string())
    ));
    Ok(EXIT_OK)
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        super::Cli::command().debug_assert();
    }
}
