//! The emulator's configuration and its seed file format (`imedit emulator --seed FILE`,
//! `POST /_emulator/seed`).

use std::net::{IpAddr, Ipv4Addr};

use serde::{Deserialize, Deserializer};

use crate::ojson::Json;

/// How to start an emulator.
#[derive(Debug, Clone)]
pub struct Config {
    /// The address to listen on (default `127.0.0.1`).
    pub bind: IpAddr,
    /// The port; 0 picks a free one (read it back with `EmulatorHandle::addr`).
    pub port: u16,
    /// Whether a non-loopback `bind` address is accepted (off by default: the emulator has no
    /// real authentication and should not be reachable from other machines).
    pub allow_remote: bool,
    /// Apps, credentials and messages to start with.
    pub seed: Seed,
}

impl Default for Config {
    fn default() -> Self {
        Self { bind: IpAddr::V4(Ipv4Addr::LOCALHOST), port: 0, allow_remote: false, seed: Seed::default() }
    }
}

impl Config {
    /// A loopback emulator on a free port, started with `seed`.
    pub fn with_seed(seed: Seed) -> Self {
        Self { seed, ..Self::default() }
    }
}

/// The seed document: everything the emulator starts with. Every field is optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Seed {
    /// Volcengine OpenAPI (RTC `ModifyMessage`).
    pub volcengine: VolcSeed,
    /// Easemob REST (app token, message rewrite).
    pub easemob: EasemobSeed,
}

impl Seed {
    /// Parses a seed document.
    ///
    /// # Errors
    /// A readable message when the JSON or a field is wrong.
    pub fn from_json(text: &[u8]) -> Result<Self, String> {
        serde_json::from_slice(text).map_err(|e| format!("invalid seed: {e}"))
    }

    /// The seed `imedit emulator` uses without `--seed`, and `imedit demo` starts from: the
    /// credentials and messages of `cli/README.md`.
    pub fn demo() -> Self {
        // The text is part of the binary and is checked by a test; it always parses.
        Self::from_json(DEMO_SEED.as_bytes()).unwrap_or_default()
    }
}

/// The built-in demo seed (`imedit emulator --print-seed`).
pub const DEMO_SEED: &str = include_str!("demo_seed.json");

/// The Volcengine part of a seed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VolcSeed {
    /// The region requests must be signed for (default `cn-north-1`).
    pub region: Option<String>,
    /// Requests per second per access key before `FlowLimitExceeded` (default 50).
    pub qps: Option<u32>,
    /// How far `X-Date` may be from the emulator's clock, in seconds (default 900).
    pub max_skew_secs: Option<u64>,
    /// The access keys the emulator knows.
    pub credentials: Vec<VolcCredential>,
    /// RTC app ids that exist (the app ids of `messages` exist too).
    #[serde(deserialize_with = "ids")]
    pub app_ids: Vec<String>,
    /// Stored messages.
    pub messages: Vec<VolcMessageSeed>,
}

/// One Volcengine access key.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VolcCredential {
    /// The access key id.
    pub access_key_id: String,
    /// Its secret key.
    pub secret_access_key: String,
    /// For temporary credentials: the session token every request must carry in
    /// `X-Security-Token`.
    #[serde(default)]
    pub session_token: Option<String>,
}

/// One stored RTC message.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VolcMessageSeed {
    /// `AppId` (a decimal string or a number).
    #[serde(deserialize_with = "id")]
    pub app_id: String,
    /// `ConversationShortId`.
    #[serde(deserialize_with = "id")]
    pub conversation_short_id: String,
    /// `MessageId`.
    #[serde(deserialize_with = "id")]
    pub message_id: String,
    /// `Ext`: an object of strings, in order.
    #[serde(default = "Json::object")]
    pub ext: Json,
    /// `Content` (a JSON document as text, such as `{"text":"hi"}`).
    #[serde(default)]
    pub content: Option<String>,
    /// Whether it has expired (then it cannot be modified).
    #[serde(default)]
    pub expired: bool,
}

/// The Easemob part of a seed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EasemobSeed {
    /// The order of the rewrite checks (see `cli/README.md`); every check named once.
    pub check_order: Option<Vec<String>>,
    /// The apps.
    pub apps: Vec<AppSeed>,
}

/// One Easemob app (`org_name#app_name`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppSeed {
    /// The org name.
    pub org_name: String,
    /// The app name.
    pub app_name: String,
    /// The app's `client_id`.
    pub client_id: String,
    /// The app's `client_secret`.
    pub client_secret: String,
    /// The app's UUID (`application`); derived from the names when absent.
    #[serde(default)]
    pub application: Option<String>,
    /// The token lifetime when the request has no `ttl` (the console setting; default 7200 s).
    #[serde(default = "default_ttl")]
    pub default_ttl_secs: u64,
    /// Whether the rewrite feature is open (default true; false gives 403).
    #[serde(default = "yes")]
    pub rewrite_enabled: bool,
    /// Rewrite requests per second before 429 `reach_limit` (default 100; 0: no limit).
    #[serde(default = "default_rate")]
    pub rate_limit: u32,
    /// Token requests per second before 429 (default 300; 0: no limit).
    #[serde(default = "default_token_rate")]
    pub token_rate_limit: u32,
    /// Whether the `user` of a rewrite must be allowed to edit the message (default false: an
    /// app token may edit anything).
    #[serde(default)]
    pub check_permissions: bool,
    /// How long a message stays stored after it is sent or edited (default 180 days).
    #[serde(default = "default_lifetime")]
    pub message_lifetime_secs: u64,
    /// Agora app tokens accepted by the `grant_type: agora` exchange.
    #[serde(default)]
    pub agora_tokens: Vec<String>,
    /// Stored messages.
    #[serde(default)]
    pub messages: Vec<MessageSeed>,
}

/// One stored Easemob message.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageSeed {
    /// The message id (a decimal string; a number is accepted).
    #[serde(deserialize_with = "id")]
    pub id: String,
    /// `txt`, `img`, `audio`, `video`, `file`, `loc`, `cmd`, `custom` or `combine`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The message body (`{"msg": "..."}` for text, `{"customEvent": ..., "customExts": {...}}`
    /// for custom, `{"url": ...}` for images...).
    #[serde(default = "Json::object")]
    pub body: Json,
    /// The extension fields, in order.
    #[serde(default = "Json::object")]
    pub ext: Json,
    /// The sender.
    #[serde(default = "default_from")]
    pub from: String,
    /// The receiver (a user, group or room id).
    #[serde(default)]
    pub to: String,
    /// `chat` (one-to-one), `groupchat` or `chatroom`.
    #[serde(default = "default_chat_type")]
    pub chat_type: String,
    /// Group or room owners and admins (who may also edit when permissions are checked).
    #[serde(default)]
    pub admins: Vec<String>,
    /// How many times it has been edited already.
    #[serde(default)]
    pub edit_count: u32,
    /// Whether it has expired (then it cannot be edited).
    #[serde(default)]
    pub expired: bool,
    /// Whether another edit of it is in flight (every rewrite then gets 409) until cleared.
    #[serde(default)]
    pub editing: bool,
}

fn default_ttl() -> u64 {
    7200
}
fn default_rate() -> u32 {
    100
}
fn default_token_rate() -> u32 {
    300
}
fn default_lifetime() -> u64 {
    180 * 86_400
}
fn default_from() -> String {
    "admin".to_owned()
}
fn default_chat_type() -> String {
    "chat".to_owned()
}
fn yes() -> bool {
    true
}

/// A 64-bit id given as a decimal string or a JSON integer, kept as its decimal text.
#[derive(Deserialize)]
#[serde(untagged)]
enum IdForm {
    Text(String),
    Signed(i64),
    Unsigned(u64),
}

impl IdForm {
    fn text(self) -> String {
        match self {
            Self::Text(s) => s,
            Self::Signed(n) => n.to_string(),
            Self::Unsigned(n) => n.to_string(),
        }
    }
}

fn id<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    IdForm::deserialize(d).map(IdForm::text)
}

fn ids<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Vec::<IdForm>::deserialize(d).map(|v| v.into_iter().map(IdForm::text).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_seed_parses() {
        let seed = Seed::from_json(DEMO_SEED.as_bytes()).unwrap();
        assert!(!seed.easemob.apps.is_empty());
        assert!(!seed.volcengine.credentials.is_empty());
    }
}
