//! Everything the emulator remembers: the clock, the apps and their messages and tokens, injected
//! faults, counters and the request log.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::{SystemTime, UNIX_EPOCH};

use imedit::limit::RateLimiter;
use serde::Deserialize;

use super::config::{AppSeed, MessageSeed, Seed, VolcCredential, VolcMessageSeed};
use crate::ojson::{object, Json};

/// The wall clock, in Unix milliseconds.
pub(crate) fn real_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// The emulator's clock: the real clock, shifted by an offset, optionally frozen.
#[derive(Debug, Clone, Default)]
pub(crate) struct Clock {
    pub(crate) offset_ms: i64,
    pub(crate) frozen_at: Option<u64>,
}

impl Clock {
    pub(crate) fn now_ms(&self) -> u64 {
        let base = self.frozen_at.unwrap_or_else(real_ms);
        u64::try_from(i64::try_from(base).unwrap_or(i64::MAX).saturating_add(self.offset_ms).max(0)).unwrap_or(0)
    }

    pub(crate) fn view(&self) -> Json {
        object([
            ("now_ms", Json::from(self.now_ms())),
            ("now_secs", Json::from(self.now_ms() / 1000)),
            ("offset_ms", Json::from(self.offset_ms)),
            ("frozen", Json::from(self.frozen_at.is_some())),
        ])
    }
}

/// A server-side rate limit: the core's token bucket, `limit` requests per second with a burst of
/// `limit`, on the emulator's clock. `limit == 0` means no limit.
#[derive(Debug, Clone)]
pub(crate) struct Limit {
    limit: u32,
    bucket: RateLimiter,
}

impl Limit {
    pub(crate) fn new(limit: u32) -> Self {
        Self { limit, bucket: RateLimiter::new(limit.max(1), limit.max(1)) }
    }

    pub(crate) fn limit(&self) -> u32 {
        self.limit
    }

    /// Whether one more request is allowed at `now_ms` (it is then counted).
    pub(crate) fn allow(&mut self, now_ms: u64) -> bool {
        self.limit == 0 || self.bucket.acquire(now_ms) == 0
    }
}

/// The checks of a rewrite, in the order they run (configurable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Check {
    App,
    Auth,
    Rate,
    Feature,
    ContentType,
    Size,
    Body,
    NewMsg,
    MessageId,
    Message,
    Type,
    Permission,
    EditLimit,
    Concurrency,
    Fault,
}

impl Check {
    pub(crate) const DEFAULT_ORDER: [Self; 15] = [
        Self::App,
        Self::Auth,
        Self::Rate,
        Self::Feature,
        Self::ContentType,
        Self::Size,
        Self::Body,
        Self::NewMsg,
        Self::MessageId,
        Self::Message,
        Self::Type,
        Self::Permission,
        Self::EditLimit,
        Self::Concurrency,
        Self::Fault,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::App => "app",
            Self::Auth => "auth",
            Self::Rate => "rate",
            Self::Feature => "feature",
            Self::ContentType => "content_type",
            Self::Size => "size",
            Self::Body => "body",
            Self::NewMsg => "new_msg",
            Self::MessageId => "message_id",
            Self::Message => "message",
            Self::Type => "type",
            Self::Permission => "permission",
            Self::EditLimit => "edit_limit",
            Self::Concurrency => "concurrency",
            Self::Fault => "fault",
        }
    }

    /// Parses a full check order: every check exactly once.
    pub(crate) fn parse_order(names: &[String]) -> Result<Vec<Self>, String> {
        let mut order = Vec::with_capacity(names.len());
        for name in names {
            let check = Self::DEFAULT_ORDER.iter().copied().find(|c| c.name() == name).ok_or_else(|| {
                format!("unknown check {name:?} in check_order (known: {})", Self::names().join(", "))
            })?;
            if order.contains(&check) {
                return Err(format!("check {name:?} is named twice in check_order"));
            }
            order.push(check);
        }
        if order.len() != Self::DEFAULT_ORDER.len() {
            return Err(format!("check_order must name every check once: {}", Self::names().join(", ")));
        }
        Ok(order)
    }

    pub(crate) fn names() -> Vec<&'static str> {
        Self::DEFAULT_ORDER.iter().map(|c| c.name()).collect()
    }
}

/// What an injected fault applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Target {
    /// `PUT /{org}/{app}/messages/rewrite/{id}`.
    #[serde(rename = "easemob.rewrite")]
    EasemobRewrite,
    /// `POST /{org}/{app}/token`.
    #[serde(rename = "easemob.token")]
    EasemobToken,
    /// Every Volcengine OpenAPI request.
    Volcengine,
    /// Any vendor request.
    Any,
}

impl Target {
    fn name(self) -> &'static str {
        match self {
            Self::EasemobRewrite => "easemob.rewrite",
            Self::EasemobToken => "easemob.token",
            Self::Volcengine => "volcengine",
            Self::Any => "any",
        }
    }
}

/// The body of an injected error reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum FaultBody {
    /// The vendor's own error format.
    #[default]
    Vendor,
    /// A gateway's HTML error page.
    Html,
    /// No body at all.
    Empty,
}

/// An injected fault, as given to `POST /_emulator/faults`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FaultSpec {
    pub(crate) target: Target,
    #[serde(default = "one")]
    pub(crate) count: u32,
    #[serde(default)]
    pub(crate) status: Option<u16>,
    #[serde(default)]
    pub(crate) body: FaultBody,
    #[serde(default)]
    pub(crate) latency_ms: u64,
}

fn one() -> u32 {
    1
}

impl FaultSpec {
    pub(crate) fn view(&self) -> Json {
        object([
            ("target", Json::from(self.target.name())),
            ("count", Json::from(u64::from(self.count))),
            ("status", Json::from(self.status.map(u64::from))),
            (
                "body",
                Json::from(match self.body {
                    FaultBody::Vendor => "vendor",
                    FaultBody::Html => "html",
                    FaultBody::Empty => "empty",
                }),
            ),
            ("latency_ms", Json::from(self.latency_ms)),
        ])
    }
}

/// What one request draws from the fault queue.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FaultHit {
    pub(crate) status: Option<u16>,
    pub(crate) body: FaultBody,
    pub(crate) latency_ms: u64,
}

/// A stored Easemob message.
#[derive(Debug, Clone)]
pub(crate) struct Message {
    pub(crate) id: String,
    pub(crate) kind: String,
    pub(crate) body: Json,
    pub(crate) ext: Json,
    pub(crate) from: String,
    pub(crate) to: String,
    pub(crate) chat_type: String,
    pub(crate) admins: Vec<String>,
    pub(crate) edit_count: u32,
    pub(crate) expired: bool,
    pub(crate) editing: bool,
    pub(crate) stored_at_ms: u64,
    pub(crate) operator: Option<String>,
    pub(crate) edit_time_ms: Option<u64>,
}

impl Message {
    pub(crate) fn from_seed(seed: MessageSeed, now_ms: u64) -> Result<Self, String> {
        if seed.id.is_empty() || !seed.id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("message id {:?} must be decimal digits", seed.id));
        }
        if seed.body.as_object().is_none() || seed.ext.as_object().is_none() {
            return Err(format!("message {}: body and ext must be objects", seed.id));
        }
        Ok(Self {
            id: seed.id,
            kind: seed.kind,
            body: seed.body,
            ext: seed.ext,
            from: seed.from,
            to: seed.to,
            chat_type: seed.chat_type,
            admins: seed.admins,
            edit_count: seed.edit_count,
            expired: seed.expired,
            editing: seed.editing,
            stored_at_ms: now_ms,
            operator: None,
            edit_time_ms: None,
        })
    }

    /// Whether it can no longer be found at `now_ms`.
    pub(crate) fn is_expired(&self, now_ms: u64, lifetime_secs: u64) -> bool {
        self.expired || now_ms >= self.stored_at_ms.saturating_add(lifetime_secs.saturating_mul(1000))
    }

    pub(crate) fn view(&self, now_ms: u64, lifetime_secs: u64) -> Json {
        object([
            ("id", Json::from(self.id.as_str())),
            ("type", Json::from(self.kind.as_str())),
            ("body", self.body.clone()),
            ("ext", self.ext.clone()),
            ("from", Json::from(self.from.as_str())),
            ("to", Json::from(self.to.as_str())),
            ("chat_type", Json::from(self.chat_type.as_str())),
            ("admins", Json::Array(self.admins.iter().map(|a| Json::from(a.as_str())).collect())),
            ("edit_count", Json::from(u64::from(self.edit_count))),
            ("expired", Json::from(self.is_expired(now_ms, lifetime_secs))),
            ("editing", Json::from(self.editing)),
            ("operator", Json::from(self.operator.clone())),
            ("edit_time_ms", Json::from(self.edit_time_ms)),
            ("stored_at_ms", Json::from(self.stored_at_ms)),
        ])
    }
}

/// An issued app token.
#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub(crate) issued_ms: u64,
    pub(crate) expires_ms: Option<u64>,
}

/// One Easemob app.
#[derive(Debug, Clone)]
pub(crate) struct App {
    pub(crate) org_name: String,
    pub(crate) app_name: String,
    pub(crate) client_id: String,
    pub(crate) client_secret: String,
    pub(crate) application: String,
    pub(crate) default_ttl_secs: u64,
    pub(crate) rewrite_enabled: bool,
    pub(crate) check_permissions: bool,
    pub(crate) message_lifetime_secs: u64,
    pub(crate) agora_tokens: Vec<String>,
    pub(crate) rewrite_limit: Limit,
    pub(crate) token_limit: Limit,
    pub(crate) tokens: HashMap<String, Token>,
    pub(crate) messages: BTreeMap<String, Message>,
}

impl App {
    pub(crate) fn from_seed(seed: AppSeed, now_ms: u64) -> Result<Self, String> {
        for (field, value) in [("org_name", &seed.org_name), ("app_name", &seed.app_name)] {
            if value.is_empty() || value.contains(['/', '#', '?']) || value.contains(char::is_whitespace) {
                return Err(format!("app {field} {value:?} must be non-empty, without '/', '#', '?' or spaces"));
            }
        }
        let application = seed.application.unwrap_or_else(|| uuid_for(&format!("{}#{}", seed.org_name, seed.app_name)));
        let mut messages = BTreeMap::new();
        for m in seed.messages {
            let m = Message::from_seed(m, now_ms)?;
            messages.insert(m.id.clone(), m);
        }
        Ok(Self {
            org_name: seed.org_name,
            app_name: seed.app_name,
            client_id: seed.client_id,
            client_secret: seed.client_secret,
            application,
            default_ttl_secs: seed.default_ttl_secs,
            rewrite_enabled: seed.rewrite_enabled,
            check_permissions: seed.check_permissions,
            message_lifetime_secs: seed.message_lifetime_secs,
            agora_tokens: seed.agora_tokens,
            rewrite_limit: Limit::new(seed.rate_limit),
            token_limit: Limit::new(seed.token_rate_limit),
            tokens: HashMap::new(),
            messages,
        })
    }

    pub(crate) fn view(&self, now_ms: u64) -> Json {
        let valid = self.tokens.values().filter(|t| t.expires_ms.is_none_or(|e| now_ms < e)).count();
        object([
            ("org_name", Json::from(self.org_name.as_str())),
            ("app_name", Json::from(self.app_name.as_str())),
            ("application", Json::from(self.application.as_str())),
            ("client_id", Json::from(self.client_id.as_str())),
            ("default_ttl_secs", Json::from(self.default_ttl_secs)),
            ("rewrite_enabled", Json::from(self.rewrite_enabled)),
            ("rate_limit", Json::from(u64::from(self.rewrite_limit.limit()))),
            ("token_rate_limit", Json::from(u64::from(self.token_limit.limit()))),
            ("check_permissions", Json::from(self.check_permissions)),
            ("message_lifetime_secs", Json::from(self.message_lifetime_secs)),
            ("valid_tokens", Json::from(valid as u64)),
            ("issued_tokens", Json::from(self.tokens.len() as u64)),
            (
                "tokens",
                Json::Array({
                    let mut tokens: Vec<&Token> = self.tokens.values().collect();
                    tokens.sort_by_key(|t| t.issued_ms);
                    tokens
                        .into_iter()
                        .map(|t| {
                            object([
                                ("issued_ms", Json::from(t.issued_ms)),
                                ("expires_ms", Json::from(t.expires_ms)),
                                ("valid", Json::from(t.expires_ms.is_none_or(|e| now_ms < e))),
                            ])
                        })
                        .collect()
                }),
            ),
            (
                "messages",
                Json::Array(self.messages.values().map(|m| m.view(now_ms, self.message_lifetime_secs)).collect()),
            ),
        ])
    }
}

/// A UUID-shaped id derived from a name (FNV-1a), stable across runs.
fn uuid_for(name: &str) -> String {
    let mut hash: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    for b in name.bytes() {
        hash ^= u128::from(b);
        hash = hash.wrapping_mul(0x0000_0000_0100_0000_0000_0000_0000_013B);
    }
    let h = format!("{hash:032x}");
    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}

/// A stored RTC message.
#[derive(Debug, Clone)]
pub(crate) struct VolcMessage {
    pub(crate) ext: Vec<(String, String)>,
    pub(crate) content: Option<String>,
    pub(crate) expired: bool,
    pub(crate) modify_count: u64,
}

/// The key of an RTC message: (AppId, ConversationShortId, MessageId).
pub(crate) type VolcKey = (i64, i64, i64);

pub(crate) fn volc_message_from_seed(seed: VolcMessageSeed) -> Result<(VolcKey, VolcMessage), String> {
    let key = (
        parse_i64("app_id", &seed.app_id)?,
        parse_i64("conversation_short_id", &seed.conversation_short_id)?,
        parse_i64("message_id", &seed.message_id)?,
    );
    let ext = string_map(&seed.ext).ok_or("a Volcengine message's ext must be an object of strings")?;
    Ok((key, VolcMessage { ext, content: seed.content, expired: seed.expired, modify_count: 0 }))
}

pub(crate) fn parse_i64(field: &str, text: &str) -> Result<i64, String> {
    text.parse().map_err(|_| format!("{field} {text:?} is not a signed 64-bit integer"))
}

/// An object of strings as ordered pairs.
pub(crate) fn string_map(json: &Json) -> Option<Vec<(String, String)>> {
    json.as_object()?.iter().map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned()))).collect()
}

/// An ordered object of strings.
pub(crate) fn map_json(pairs: &[(String, String)]) -> Json {
    object(pairs.iter().map(|(k, v)| (k.clone(), Json::from(v.as_str()))))
}

impl VolcMessage {
    pub(crate) fn view(&self, key: VolcKey) -> Json {
        object([
            ("app_id", Json::from(key.0.to_string())),
            ("conversation_short_id", Json::from(key.1.to_string())),
            ("message_id", Json::from(key.2.to_string())),
            ("ext", map_json(&self.ext)),
            ("content", Json::from(self.content.clone())),
            ("expired", Json::from(self.expired)),
            ("modify_count", Json::from(self.modify_count)),
        ])
    }
}

/// The Volcengine side.
#[derive(Debug, Clone)]
pub(crate) struct Volc {
    pub(crate) region: String,
    pub(crate) qps: u32,
    pub(crate) max_skew_secs: u64,
    pub(crate) credentials: Vec<VolcCredential>,
    pub(crate) app_ids: Vec<i64>,
    pub(crate) messages: BTreeMap<VolcKey, VolcMessage>,
    pub(crate) limits: HashMap<String, Limit>,
}

/// Counters of vendor requests.
#[derive(Debug, Clone, Default)]
pub(crate) struct Stats {
    pub(crate) requests: u64,
    pub(crate) token_requests: u64,
    pub(crate) tokens_issued: u64,
    pub(crate) rewrite_requests: u64,
    pub(crate) rewrites_applied: u64,
    pub(crate) volc_requests: u64,
    pub(crate) volc_modified: u64,
    pub(crate) token_statuses: BTreeMap<u16, u64>,
    pub(crate) rewrite_statuses: BTreeMap<u16, u64>,
    pub(crate) volc_statuses: BTreeMap<u16, u64>,
    pub(crate) other_requests: u64,
}

fn statuses(map: &BTreeMap<u16, u64>) -> Json {
    object(map.iter().map(|(k, v)| (k.to_string(), Json::from(*v))))
}

impl Stats {
    pub(crate) fn view(&self) -> Json {
        object([
            ("requests", Json::from(self.requests)),
            (
                "easemob",
                object([
                    ("token_requests", Json::from(self.token_requests)),
                    ("tokens_issued", Json::from(self.tokens_issued)),
                    ("rewrite_requests", Json::from(self.rewrite_requests)),
                    ("rewrites_applied", Json::from(self.rewrites_applied)),
                    ("token_statuses", statuses(&self.token_statuses)),
                    ("rewrite_statuses", statuses(&self.rewrite_statuses)),
                ]),
            ),
            (
                "volcengine",
                object([
                    ("requests", Json::from(self.volc_requests)),
                    ("modified", Json::from(self.volc_modified)),
                    ("statuses", statuses(&self.volc_statuses)),
                ]),
            ),
            ("other_requests", Json::from(self.other_requests)),
        ])
    }
}

/// One entry of the request log.
#[derive(Debug, Clone)]
pub(crate) struct LogEntry {
    pub(crate) seq: u64,
    pub(crate) time_ms: u64,
    pub(crate) operation: &'static str,
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) status: u16,
    pub(crate) error: Option<String>,
}

impl LogEntry {
    pub(crate) fn view(&self) -> Json {
        object([
            ("seq", Json::from(self.seq)),
            ("time_ms", Json::from(self.time_ms)),
            ("operation", Json::from(self.operation)),
            ("method", Json::from(self.method.as_str())),
            ("path", Json::from(self.path.as_str())),
            ("status", Json::from(u64::from(self.status))),
            ("error", Json::from(self.error.clone())),
        ])
    }
}

/// How many log entries are kept.
pub(crate) const LOG_CAPACITY: usize = 1000;

/// The whole emulator state.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) clock: Clock,
    pub(crate) volc: Volc,
    pub(crate) check_order: Vec<Check>,
    pub(crate) apps: Vec<App>,
    pub(crate) faults: VecDeque<FaultSpec>,
    pub(crate) stats: Stats,
    pub(crate) log: VecDeque<LogEntry>,
    pub(crate) log_seq: u64,
    pub(crate) token_seq: u64,
}

impl State {
    /// A state built from a seed, or the first problem found in it.
    pub(crate) fn from_seed(seed: &Seed) -> Result<Self, String> {
        let mut state = Self {
            clock: Clock::default(),
            volc: Volc {
                region: "cn-north-1".to_owned(),
                qps: 50,
                max_skew_secs: 900,
                credentials: Vec::new(),
                app_ids: Vec::new(),
                messages: BTreeMap::new(),
                limits: HashMap::new(),
            },
            check_order: Check::DEFAULT_ORDER.to_vec(),
            apps: Vec::new(),
            faults: VecDeque::new(),
            stats: Stats::default(),
            log: VecDeque::new(),
            log_seq: 0,
            token_seq: 0,
        };
        state.apply_seed(seed.clone())?;
        Ok(state)
    }

    /// Adds a seed to the state: settings it names are replaced, apps replace apps of the same
    /// names, credentials and messages are added or replaced.
    pub(crate) fn apply_seed(&mut self, seed: Seed) -> Result<(), String> {
        let now = self.clock.now_ms();
        // Validate everything first, so a bad seed changes nothing.
        let check_order = seed.easemob.check_order.as_deref().map(Check::parse_order).transpose()?;
        let apps = seed.easemob.apps.into_iter().map(|a| App::from_seed(a, now)).collect::<Result<Vec<_>, _>>()?;
        let messages =
            seed.volcengine.messages.into_iter().map(volc_message_from_seed).collect::<Result<Vec<_>, _>>()?;
        let app_ids =
            seed.volcengine.app_ids.iter().map(|id| parse_i64("app_id", id)).collect::<Result<Vec<_>, _>>()?;
        for c in &seed.volcengine.credentials {
            imedit::volcengine::Credentials::new(c.access_key_id.as_str(), c.secret_access_key.as_str())
                .map_err(|e| format!("Volcengine credential {:?}: {e}", c.access_key_id))?;
        }
        if let Some(order) = check_order {
            self.check_order = order;
        }
        if let Some(region) = seed.volcengine.region {
            self.volc.region = region;
        }
        if let Some(qps) = seed.volcengine.qps {
            self.volc.qps = qps;
            self.volc.limits.clear();
        }
        if let Some(skew) = seed.volcengine.max_skew_secs {
            self.volc.max_skew_secs = skew;
        }
        for c in seed.volcengine.credentials {
            self.volc.credentials.retain(|old| old.access_key_id != c.access_key_id);
            self.volc.credentials.push(c);
        }
        for (key, message) in messages {
            if !self.volc.app_ids.contains(&key.0) {
                self.volc.app_ids.push(key.0);
            }
            self.volc.messages.insert(key, message);
        }
        for id in app_ids {
            if !self.volc.app_ids.contains(&id) {
                self.volc.app_ids.push(id);
            }
        }
        for app in apps {
            self.apps.retain(|old| !(old.org_name == app.org_name && old.app_name == app.app_name));
            self.apps.push(app);
        }
        Ok(())
    }

    pub(crate) fn app_mut(&mut self, org: &str, app: &str) -> Option<&mut App> {
        self.apps.iter_mut().find(|a| a.org_name == org && a.app_name == app)
    }

    /// Draws the next fault for `target`, if one is queued.
    pub(crate) fn take_fault(&mut self, target: Target) -> Option<FaultHit> {
        let index = self.faults.iter().position(|f| f.target == target || f.target == Target::Any)?;
        let fault = self.faults.get_mut(index)?;
        let hit = FaultHit { status: fault.status, body: fault.body, latency_ms: fault.latency_ms };
        fault.count = fault.count.saturating_sub(1);
        if fault.count == 0 {
            self.faults.remove(index);
        }
        Some(hit)
    }

    pub(crate) fn log(&mut self, entry: LogEntry) {
        if self.log.len() >= LOG_CAPACITY {
            self.log.pop_front();
        }
        self.log.push_back(entry);
    }

    pub(crate) fn next_log_seq(&mut self) -> u64 {
        self.log_seq += 1;
        self.log_seq
    }
}
