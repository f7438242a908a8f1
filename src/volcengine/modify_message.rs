//! RTC `ModifyMessage` (Version 2020-12-01): change a sent message's `Ext` and `Content`.

use std::borrow::Cow;

use super::sign::{self, Credentials, Parts, Scheme, SignedRequest, Signer};
use crate::error::Error;
use crate::http::Header;
use crate::{json, validate};

/// The action name.
pub const ACTION: &str = "ModifyMessage";
/// The API version.
pub const VERSION: &str = "2020-12-01";
/// The service of the credential scope.
pub const SERVICE: &str = "rtc";
/// The default region.
pub const DEFAULT_REGION: &str = "cn-north-1";
/// The query string of every ModifyMessage request (already canonical).
const QUERY: &str = "Action=ModifyMessage&Version=2020-12-01";

/// The RTC OpenAPI host for a region, for the regions whose host is documented:
/// `cn-north-1` → `rtc.volcengineapi.com`, `ap-singapore-1` → `open-ap-singapore-1.volcengineapi.com`.
pub fn rtc_host(region: &str) -> Option<&'static str> {
    match region {
        "cn-north-1" => Some("rtc.volcengineapi.com"),
        "ap-singapore-1" => Some("open-ap-singapore-1.volcengineapi.com"),
        _ => None,
    }
}

/// Where RTC OpenAPI requests go: scheme, host, and the region and service they are signed for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    scheme: Scheme,
    host: String,
    region: String,
}

impl Endpoint {
    /// The documented endpoint of a region (see [`rtc_host`]).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] (field `region`) for a region without a documented host: pass the
    /// host with [`Endpoint::with_host`].
    pub fn rtc(region: &str) -> Result<Self, Error> {
        let host = rtc_host(region).ok_or_else(|| {
            Error::invalid("region", format!("{region:?} has no documented RTC host; pass the host explicitly"))
        })?;
        Ok(Self { scheme: Scheme::Https, host: host.to_owned(), region: region.to_owned() })
    }

    /// An explicit host for a region: `host[:port]` (https), or an origin such as
    /// `https://rtc.example.com` or `http://127.0.0.1:8080` (for a local emulator).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] (field `host` or `region`) when either is malformed.
    pub fn with_host(region: &str, host: &str) -> Result<Self, Error> {
        validate::word("region", region)?;
        let (scheme, rest) = match host.split_once("://") {
            Some(("https", rest)) => (Scheme::Https, rest),
            Some(("http", rest)) => (Scheme::Http, rest),
            Some(_) => return Err(Error::invalid("host", "the scheme must be https:// or http://")),
            None => (Scheme::Https, host),
        };
        let host = sign::host(scheme, rest.strip_suffix('/').unwrap_or(rest))?;
        Ok(Self { scheme, host: host.to_owned(), region: region.to_owned() })
    }

    /// The endpoint for a region and an optional explicit host.
    ///
    /// # Errors
    /// As [`Endpoint::rtc`] and [`Endpoint::with_host`].
    pub fn new(region: &str, host: Option<&str>) -> Result<Self, Error> {
        match host {
            Some(host) => Self::with_host(region, host),
            None => Self::rtc(region),
        }
    }

    /// The URL scheme.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The host (with a port when not the default).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The region requests are signed for.
    pub fn region(&self) -> &str {
        &self.region
    }
}

impl Default for Endpoint {
    /// `https://rtc.volcengineapi.com`, region `cn-north-1`.
    fn default() -> Self {
        Self { scheme: Scheme::Https, host: "rtc.volcengineapi.com".to_owned(), region: DEFAULT_REGION.to_owned() }
    }
}

/// The parameters of one `ModifyMessage` call.
///
/// ```
/// use imedit::volcengine::{text_content, Credentials, Endpoint, ModifyMessage, Signer};
/// let signer = Signer::new(Credentials::new("AKLTexample", "c2VjcmV0")?);
/// let edit = ModifyMessage::new(123456, 7123456789012345678, 7234567890123456789)
///     .ext("key", "value")
///     .content(text_content("hello"));
/// let signed = signer.modify_message(&Endpoint::default(), &edit, 1_717_245_296)?;
/// assert_eq!(signed.request.url, "https://rtc.volcengineapi.com/?Action=ModifyMessage&Version=2020-12-01");
/// assert_eq!(
///     signed.request.body_text(),
///     Some(r#"{"AppId":123456,"ConversationShortId":7123456789012345678,"MessageId":7234567890123456789,"Ext":{"key":"value"},"Content":"{\"text\":\"hello\"}"}"#),
/// );
/// # Ok::<(), imedit::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModifyMessage {
    /// The RTC application id (`AppId`), positive.
    pub app_id: i64,
    /// The conversation (`ConversationShortId`), positive.
    pub conversation_short_id: i64,
    /// The message (`MessageId`), positive.
    pub message_id: i64,
    /// Extension fields to set, in order: a key that exists is overwritten, a new key is added,
    /// other keys stay (see [`crate::merge_ext`]).
    pub ext: Vec<(String, String)>,
    /// The new content, in the client's message format: a JSON document such as
    /// `{"text":"..."}` (see [`text_content`]).
    pub content: Option<String>,
}

impl ModifyMessage {
    /// An edit of one message, changing nothing yet.
    pub fn new(app_id: i64, conversation_short_id: i64, message_id: i64) -> Self {
        Self { app_id, conversation_short_id, message_id, ext: Vec::new(), content: None }
    }

    /// Sets one extension field.
    #[must_use]
    pub fn ext(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.ext.push((key.into(), value.into()));
        self
    }

    /// Sets the new content (a JSON document in the client's message format).
    #[must_use]
    pub fn content(mut self, content: impl Into<String>) -> Self {
        self.content = Some(content.into());
        self
    }

    /// The JSON body, after checking every field.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the field: a non-positive id, an empty or repeated `ext`
    /// key, `content` that is not JSON, or an edit that changes nothing (no `ext` and no
    /// `content`).
    pub fn body(&self) -> Result<Vec<u8>, Error> {
        for (field, id) in [
            ("app_id", self.app_id),
            ("conversation_short_id", self.conversation_short_id),
            ("message_id", self.message_id),
        ] {
            if id <= 0 {
                return Err(Error::invalid(field, "must be a positive integer"));
            }
        }
        validate::ext_map("ext", &self.ext)?;
        if let Some(content) = &self.content {
            if !json::is_valid(content) {
                return Err(Error::invalid(
                    "content",
                    "must be a JSON document in the client message format, such as {\"text\":\"...\"}",
                ));
            }
        } else if self.ext.is_empty() {
            return Err(Error::invalid("ext", "neither ext nor content is given: the edit would change nothing"));
        }
        let ext_len: usize = self.ext.iter().map(|(k, v)| k.len() + v.len() + 6).sum();
        // 59 bytes of keys and punctuation, 60 of digits at most, then the ext and the escaped content.
        let content_len = self.content.as_ref().map_or(0, |c| 13 + c.len() + c.len() / 4);
        let mut body = Vec::with_capacity(128 + ext_len + content_len);
        body.extend_from_slice(b"{\"AppId\":");
        json::push_i64(&mut body, self.app_id);
        body.extend_from_slice(b",\"ConversationShortId\":");
        json::push_i64(&mut body, self.conversation_short_id);
        body.extend_from_slice(b",\"MessageId\":");
        json::push_i64(&mut body, self.message_id);
        if !self.ext.is_empty() {
            body.extend_from_slice(b",\"Ext\":");
            json::push_map(&mut body, &self.ext);
        }
        if let Some(content) = &self.content {
            body.extend_from_slice(b",\"Content\":");
            json::push_str(&mut body, content);
        }
        body.push(b'}');
        Ok(body)
    }

    fn parts<'a>(&self, endpoint: &'a Endpoint) -> Result<Parts<'a>, Error> {
        Ok(Parts {
            method: Cow::Borrowed("POST"),
            scheme: endpoint.scheme,
            host: &endpoint.host,
            canonical_path: Cow::Borrowed("/"),
            canonical_query: Cow::Borrowed(QUERY),
            headers: vec![Header::new("Content-Type", "application/json")],
            body: self.body()?,
        })
    }
}

/// The `Content` of a text message, `{"text":"..."}`, with the text escaped as JSON.
///
/// ```
/// assert_eq!(imedit::volcengine::text_content("say \"hi\"\n"), r#"{"text":"say \"hi\"\n"}"#);
/// ```
pub fn text_content(text: &str) -> String {
    let mut out = Vec::with_capacity(text.len() + 12);
    out.extend_from_slice(b"{\"text\":");
    json::push_str(&mut out, text);
    out.push(b'}');
    // Built from a `&str` and ASCII, so it is UTF-8.
    String::from_utf8(out).unwrap_or_default()
}

/// Parses a 64-bit id given as decimal text (as JavaScript and JSON hosts must pass them).
///
/// ```
/// assert_eq!(imedit::volcengine::parse_id("message_id", "9223372036854775807"), Ok(i64::MAX));
/// assert!(imedit::volcengine::parse_id("message_id", "9007199254740993.0").is_err());
/// ```
///
/// # Errors
/// [`Error::InvalidInput`] naming `field` when the text is not a decimal integer in the signed
/// 64-bit range.
pub fn parse_id(field: &str, decimal: &str) -> Result<i64, Error> {
    if decimal.is_empty()
        || decimal.len() > 20
        || !decimal.bytes().enumerate().all(|(i, b)| b.is_ascii_digit() || (i == 0 && b == b'-'))
    {
        return Err(Error::invalid(field, "must be a decimal integer"));
    }
    decimal.parse().map_err(|_| Error::invalid(field, "must fit in a signed 64-bit integer"))
}

impl Signer {
    /// Builds and signs a `ModifyMessage` request, with the cached signing key.
    ///
    /// # Errors
    /// As [`ModifyMessage::body`], and [`Error::InvalidInput`] (field `time`) after the year 9999.
    pub fn modify_message(
        &self,
        endpoint: &Endpoint,
        params: &ModifyMessage,
        time: u64,
    ) -> Result<SignedRequest, Error> {
        self.sign_parts(params.parts(endpoint)?, &endpoint.region, SERVICE, time, None)
    }
}

/// Builds and signs a `ModifyMessage` request once, deriving the signing key afresh (prefer
/// [`Signer::modify_message`] for repeated calls).
///
/// # Errors
/// As [`Signer::modify_message`].
pub fn build_modify_message_request(
    credentials: &Credentials,
    endpoint: &Endpoint,
    params: &ModifyMessage,
    time: u64,
) -> Result<SignedRequest, Error> {
    sign::sign_parts_uncached(credentials, params.parts(endpoint)?, &endpoint.region, SERVICE, time, None)
}
