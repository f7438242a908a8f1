//! `PUT /{org}/{app}/messages/rewrite/{msg_id}`: rewrite a sent message.

use serde_json::Value;

use super::response::{api_error, json_object, malformed, Call};
use super::settings::{push_segment, Settings};
use super::token::bearer;
use crate::error::Error;
use crate::ext::ExtMode;
use crate::http::{Header, HttpRequest, HttpResponse};
use crate::secret::Secret;
use crate::{json, validate};

/// The largest request body Easemob accepts: 5 KB.
pub const MAX_BODY_BYTES: usize = 5 * 1024;
/// The most entries `customExts` may hold.
pub const MAX_CUSTOM_EXTS: usize = 16;
/// How many times one message can be edited.
pub const MAX_EDITS: u32 = 10;

/// The kind of the message being edited, which decides what can change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageKind {
    /// `txt`: the text (`msg`) and the ext.
    Text,
    /// `custom`: `customEvent`, `customExts` and the ext.
    Custom,
    /// `img`: the ext only.
    Image,
    /// `audio`: the ext only.
    Audio,
    /// `video`: the ext only.
    Video,
    /// `file`: the ext only.
    File,
    /// `loc`: the ext only.
    Location,
    /// `combine` (merged messages): the ext only.
    Combine,
    /// `cmd`: cannot be modified at all.
    Command,
}

impl MessageKind {
    /// Every kind.
    pub const ALL: [Self; 9] = [
        Self::Text,
        Self::Custom,
        Self::Image,
        Self::Audio,
        Self::Video,
        Self::File,
        Self::Location,
        Self::Combine,
        Self::Command,
    ];

    /// The wire name: `txt`, `custom`, `img`, `audio`, `video`, `file`, `loc`, `combine`, `cmd`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "txt",
            Self::Custom => "custom",
            Self::Image => "img",
            Self::Audio => "audio",
            Self::Video => "video",
            Self::File => "file",
            Self::Location => "loc",
            Self::Combine => "combine",
            Self::Command => "cmd",
        }
    }

    /// The kind for a wire name (also `text`, `image`, `location` and `command`).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] (field `type`) for an unknown name.
    pub fn parse(name: &str) -> Result<Self, Error> {
        Ok(match name {
            "txt" | "text" => Self::Text,
            "custom" => Self::Custom,
            "img" | "image" => Self::Image,
            "audio" => Self::Audio,
            "video" => Self::Video,
            "file" => Self::File,
            "loc" | "location" => Self::Location,
            "combine" => Self::Combine,
            "cmd" | "command" => Self::Command,
            _ => {
                return Err(Error::invalid(
                    "type",
                    "must be one of txt, custom, img, audio, video, file, loc, combine (cmd cannot be modified)",
                ))
            }
        })
    }
}

/// One rewrite: which message, its kind, and what changes.
///
/// ```
/// use imedit::easemob::{build_rewrite_request, RewriteMessage, Settings, EASEMOB_A1};
/// use imedit::Secret;
/// let settings = Settings::new(EASEMOB_A1, "org", "app")?;
/// let edit = RewriteMessage::text("1235807318835202004", "update message content").user("user1").new_ext("key1", "value1");
/// let req = build_rewrite_request(&settings, &Secret::new("YWMtabc"), &edit)?;
/// assert_eq!(req.method, "PUT");
/// assert_eq!(req.url, "https://a1.easemob.com/org/app/messages/rewrite/1235807318835202004");
/// assert_eq!(
///     req.body_text(),
///     Some(r#"{"user":"user1","new_msg":{"type":"txt","msg":"update message content"},"new_ext":{"key1":"value1"}}"#),
/// );
/// # Ok::<(), imedit::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RewriteMessage {
    /// The message id: 1 to 19 decimal digits, at most 9223372036854775807. Kept as text.
    pub message_id: String,
    /// The kind of the stored message.
    pub kind: MessageKind,
    /// The new text (text messages only; required for them).
    pub msg: Option<String>,
    /// The new `customEvent` (custom messages only): 1 to 32 of `a-z A-Z 0-9 - _ / .`.
    pub custom_event: Option<String>,
    /// The new `customExts` (custom messages only): at most 16 entries.
    pub custom_exts: Option<Vec<(String, String)>>,
    /// The new extension fields (`new_ext`); required for image, audio, video, file, location
    /// and combine messages.
    pub new_ext: Option<Vec<(String, String)>>,
    /// Whether `new_ext` is merged into the stored ext (the default; `is_combine_ext` is then not
    /// sent) or replaces it (`is_combine_ext: false`).
    pub ext_mode: ExtMode,
    /// Who edits (`user`): at most 64 bytes of `A-Z a-z 0-9 _ . -`.
    pub user: Option<String>,
}

impl RewriteMessage {
    /// An edit of a message of `kind` that changes nothing yet.
    pub fn new(message_id: impl Into<String>, kind: MessageKind) -> Self {
        Self {
            message_id: message_id.into(),
            kind,
            msg: None,
            custom_event: None,
            custom_exts: None,
            new_ext: None,
            ext_mode: ExtMode::Merge,
            user: None,
        }
    }

    /// A new text for a text message.
    pub fn text(message_id: impl Into<String>, msg: impl Into<String>) -> Self {
        Self { msg: Some(msg.into()), ..Self::new(message_id, MessageKind::Text) }
    }

    /// An edit of a custom message (set `custom_event`, `custom_exts` or `new_ext`).
    pub fn custom(message_id: impl Into<String>) -> Self {
        Self::new(message_id, MessageKind::Custom)
    }

    /// Sets the new `customEvent` of a custom message.
    #[must_use]
    pub fn custom_event(mut self, event: impl Into<String>) -> Self {
        self.custom_event = Some(event.into());
        self
    }

    /// Sets one entry of the new `customExts` of a custom message.
    #[must_use]
    pub fn custom_ext(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.custom_exts.get_or_insert_with(Vec::new).push((key.into(), value.into()));
        self
    }

    /// Sets one new extension field.
    #[must_use]
    pub fn new_ext(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.new_ext.get_or_insert_with(Vec::new).push((key.into(), value.into()));
        self
    }

    /// Replaces the stored ext with `new_ext` instead of merging.
    #[must_use]
    pub fn replace_ext(mut self) -> Self {
        self.ext_mode = ExtMode::Replace;
        if self.new_ext.is_none() {
            self.new_ext = Some(Vec::new());
        }
        self
    }

    /// Sets who edits.
    #[must_use]
    pub fn user(mut self, user: impl Into<String>) -> Self {
        self.user = Some(user.into());
        self
    }

    /// The JSON body, after checking every rule.
    ///
    /// # Errors
    /// [`Error::MessageNotEditable`] for command messages; [`Error::InvalidInput`] naming the field
    /// for every other rule; [`Error::BodyTooLarge`] above [`MAX_BODY_BYTES`].
    pub fn body(&self) -> Result<Vec<u8>, Error> {
        parse_message_id(&self.message_id)?;
        self.check()?;
        let mut body = Vec::with_capacity(128);
        body.push(b'{');
        if let Some(user) = &self.user {
            body.extend_from_slice(br#""user":"#);
            json::push_str(&mut body, user);
            body.push(b',');
        }
        body.extend_from_slice(br#""new_msg":{"type":"#);
        json::push_str(&mut body, self.kind.as_str());
        if let Some(msg) = &self.msg {
            body.extend_from_slice(br#","msg":"#);
            json::push_str(&mut body, msg);
        }
        if let Some(event) = &self.custom_event {
            body.extend_from_slice(br#","customEvent":"#);
            json::push_str(&mut body, event);
        }
        if let Some(exts) = &self.custom_exts {
            body.extend_from_slice(br#","customExts":"#);
            json::push_map(&mut body, exts);
        }
        body.push(b'}');
        if let Some(ext) = &self.new_ext {
            body.extend_from_slice(br#","new_ext":"#);
            json::push_map(&mut body, ext);
        }
        if self.ext_mode == ExtMode::Replace {
            body.extend_from_slice(br#","is_combine_ext":false"#);
        }
        body.push(b'}');
        if body.len() > MAX_BODY_BYTES {
            return Err(Error::BodyTooLarge { size: body.len(), limit: MAX_BODY_BYTES });
        }
        Ok(body)
    }

    fn check(&self) -> Result<(), Error> {
        let only = |field: &str, what: &str| Err(Error::invalid(field, format!("only {what} messages have it")));
        if let Some(user) = &self.user {
            check_user(user)?;
        }
        if let Some(ext) = &self.new_ext {
            validate::ext_map("new_ext", ext)?;
        }
        if self.ext_mode == ExtMode::Replace && self.new_ext.is_none() {
            return Err(Error::invalid("ext_mode", "replace needs new_ext (an empty map clears the ext)"));
        }
        let ext_changes = self.new_ext.as_ref().is_some_and(|e| !e.is_empty() || self.ext_mode == ExtMode::Replace);
        match self.kind {
            MessageKind::Command => return Err(Error::MessageNotEditable { message_type: "cmd".to_owned() }),
            MessageKind::Text => {
                match &self.msg {
                    Some(m) if !m.is_empty() => {}
                    _ => return Err(Error::invalid("msg", "a text edit needs the new, non-empty text")),
                }
                if self.custom_event.is_some() {
                    return only("custom_event", "custom");
                }
                if self.custom_exts.is_some() {
                    return only("custom_exts", "custom");
                }
            }
            MessageKind::Custom => {
                if self.msg.is_some() {
                    return only("msg", "text");
                }
                if let Some(event) = &self.custom_event {
                    let ok = (1..=32).contains(&event.len())
                        && event.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'/' | b'.'));
                    if !ok {
                        return Err(Error::invalid("custom_event", "must be 1 to 32 of a-z A-Z 0-9 - _ / ."));
                    }
                }
                if let Some(exts) = &self.custom_exts {
                    validate::ext_map("custom_exts", exts)?;
                    if exts.len() > MAX_CUSTOM_EXTS {
                        return Err(Error::invalid("custom_exts", "must have at most 16 entries"));
                    }
                }
                if self.custom_event.is_none() && self.custom_exts.is_none() && !ext_changes {
                    return Err(Error::invalid(
                        "custom_event",
                        "a custom edit needs custom_event, custom_exts or new_ext: it would change nothing",
                    ));
                }
            }
            _ => {
                for (field, set) in [
                    ("msg", self.msg.is_some()),
                    ("custom_event", self.custom_event.is_some()),
                    ("custom_exts", self.custom_exts.is_some()),
                ] {
                    if set {
                        return Err(Error::invalid(
                            field,
                            format!("{} messages can only change their ext", self.kind.as_str()),
                        ));
                    }
                }
                if !ext_changes {
                    return Err(Error::invalid(
                        "new_ext",
                        format!("{} messages can only change their ext: give new_ext", self.kind.as_str()),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Checks a message id: 1 to 19 decimal digits, at most `i64::MAX`. Returns its value.
///
/// # Errors
/// [`Error::InvalidInput`] (field `message_id`).
pub fn parse_message_id(message_id: &str) -> Result<i64, Error> {
    if message_id.is_empty() || message_id.len() > 19 || !message_id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::invalid("message_id", "must be 1 to 19 decimal digits"));
    }
    message_id.parse().map_err(|_| Error::invalid("message_id", "must be at most 9223372036854775807"))
}

fn check_user(user: &str) -> Result<(), Error> {
    let ok = (1..=64).contains(&user.len())
        && user.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid("user", "must be 1 to 64 of A-Z a-z 0-9 _ . -"))
    }
}

/// Builds the rewrite request with an app token.
///
/// # Errors
/// As [`RewriteMessage::body`], and [`Error::InvalidInput`] (field `token`) for a token that is
/// empty or holds whitespace or control characters.
pub fn build_rewrite_request(settings: &Settings, token: &Secret, edit: &RewriteMessage) -> Result<HttpRequest, Error> {
    let body = edit.body()?;
    let auth = bearer("token", token)?;
    let mut path = String::with_capacity(18 + edit.message_id.len());
    path.push_str("/messages/rewrite/");
    push_segment(&mut path, &edit.message_id);
    Ok(HttpRequest {
        method: "PUT".to_owned(),
        url: settings.url(&path),
        headers: vec![Header::new("Content-Type", "application/json"), Header::new("Accept", "application/json"), auth],
        body,
        body_sensitive: false,
    })
}

/// A successful rewrite (`data: "success"`), with the envelope's fields when present.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RewriteOutcome {
    /// `path`, such as `/messages/rewrite/1235807318835202004`.
    pub path: Option<String>,
    /// `uri`, the full request URL.
    pub uri: Option<String>,
    /// `timestamp`, Unix milliseconds.
    pub timestamp: Option<i64>,
    /// `organization`.
    pub organization: Option<String>,
    /// `application`, the app's UUID.
    pub application: Option<String>,
    /// `applicationName`.
    pub application_name: Option<String>,
    /// `action` (`put`).
    pub action: Option<String>,
    /// `duration`, milliseconds.
    pub duration: Option<i64>,
}

/// Parses the reply to [`build_rewrite_request`].
///
/// # Errors
/// [`Error::Api`] for every documented refusal (see [`crate::ApiErrorKind`]);
/// [`Error::MalformedResponse`] when the body is not JSON, or a 2xx lacks `data: "success"`.
pub fn parse_rewrite_response(response: &HttpResponse) -> Result<RewriteOutcome, Error> {
    let body = json_object(response, Call::Rewrite)?;
    if !(200..300).contains(&response.status) {
        return Err(api_error(response.status, &body, Call::Rewrite));
    }
    if body.get("data").and_then(Value::as_str) != Some("success") {
        return Err(malformed(response, Call::Rewrite, "a 2xx reply without data: \"success\""));
    }
    let text = |key: &str| body.get(key).and_then(Value::as_str).map(str::to_owned);
    Ok(RewriteOutcome {
        path: text("path"),
        uri: text("uri"),
        timestamp: body.get("timestamp").and_then(Value::as_i64),
        organization: text("organization"),
        application: text("application"),
        application_name: text("applicationName"),
        action: text("action"),
        duration: body.get("duration").and_then(Value::as_i64),
    })
}
