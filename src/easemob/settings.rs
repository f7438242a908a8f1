//! Where Easemob requests go: the REST origin, the org and the app.

use crate::error::Error;
use crate::validate;

/// Easemob data centre 国内1区 (China 1).
pub const EASEMOB_A1: &str = "https://a1.easemob.com";
/// Easemob data centre 国内2区 (China 2).
pub const EASEMOB_A31: &str = "https://a31.easemob.com";
/// Easemob data centre 新加坡1区 (Singapore 1).
pub const EASEMOB_A1_SGP: &str = "https://a1-sgp.easemob.com";
/// Easemob data centre 新加坡2区 (Singapore 2).
pub const EASEMOB_A61: &str = "https://a61.easemob.com";
/// Easemob data centre 美东1区 (US East 1).
pub const EASEMOB_A41: &str = "https://a41.easemob.com";
/// Easemob data centre 德国2区 (Germany 2).
pub const EASEMOB_A71: &str = "https://a71.easemob.com";
/// Agora Chat REST, Virginia.
pub const AGORA_CHAT_A41: &str = "https://a41.chat.agora.io";
/// Agora Chat REST, Singapore.
pub const AGORA_CHAT_A61: &str = "https://a61.chat.agora.io";
/// Agora Chat REST, Frankfurt.
pub const AGORA_CHAT_A71: &str = "https://a71.chat.agora.io";

/// The REST origin, org name and app name every Easemob request is built from. Always valid:
/// made only through [`Settings::new`], [`Settings::from_app_key`] or [`SettingsBuilder`].
///
/// ```
/// use imedit::easemob::{Settings, EASEMOB_A1};
/// let s = Settings::from_app_key(EASEMOB_A1, "1168250507209322#demo")?;
/// assert_eq!(s.url("/token"), "https://a1.easemob.com/1168250507209322/demo/token");
/// assert!(Settings::new("http://a1.easemob.com", "org", "app").is_err()); // https only, unless allowed
/// # Ok::<(), imedit::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    base_url: String,
    org_name: String,
    app_name: String,
    /// `base_url` + `/{org}/{app}`, percent-encoded.
    prefix: String,
}

impl Settings {
    /// Settings for an `https://` origin (one of the constants such as [`EASEMOB_A1`], or the
    /// domain the console shows), an org name and an app name.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `base_url`, `org_name` or `app_name`.
    pub fn new(base_url: &str, org_name: &str, app_name: &str) -> Result<Self, Error> {
        Self::builder(base_url).org_name(org_name).app_name(app_name).build()
    }

    /// Settings from an App Key, `org#app`.
    ///
    /// # Errors
    /// As [`Settings::new`], and (field `app_key`) when the key does not have exactly one `#`
    /// between two non-empty names.
    pub fn from_app_key(base_url: &str, app_key: &str) -> Result<Self, Error> {
        Self::builder(base_url).app_key(app_key).build()
    }

    /// A builder, for the App Key form or for a local `http://` emulator.
    pub fn builder(base_url: &str) -> SettingsBuilder {
        SettingsBuilder {
            base_url: base_url.to_owned(),
            org_name: String::new(),
            app_name: String::new(),
            app_key: None,
            allow_http: false,
        }
    }

    /// The origin, `https://host[:port]`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The org name.
    pub fn org_name(&self) -> &str {
        &self.org_name
    }

    /// The app name.
    pub fn app_name(&self) -> &str {
        &self.app_name
    }

    /// The App Key, `org#app`.
    pub fn app_key(&self) -> String {
        format!("{}#{}", self.org_name, self.app_name)
    }

    /// The full URL of a path under `/{org}/{app}` (the path already encoded).
    pub fn url(&self, encoded_path: &str) -> String {
        let mut url = String::with_capacity(self.prefix.len() + encoded_path.len());
        url.push_str(&self.prefix);
        url.push_str(encoded_path);
        url
    }
}

/// Builds [`Settings`].
#[derive(Debug, Clone)]
pub struct SettingsBuilder {
    base_url: String,
    org_name: String,
    app_name: String,
    app_key: Option<String>,
    allow_http: bool,
}

impl SettingsBuilder {
    /// The org name (Easemob assigns it).
    #[must_use]
    pub fn org_name(mut self, org_name: &str) -> Self {
        org_name.clone_into(&mut self.org_name);
        self
    }

    /// The app name (chosen in the console).
    #[must_use]
    pub fn app_name(mut self, app_name: &str) -> Self {
        app_name.clone_into(&mut self.app_name);
        self
    }

    /// The App Key `org#app`, instead of the two names.
    #[must_use]
    pub fn app_key(mut self, app_key: &str) -> Self {
        self.app_key = Some(app_key.to_owned());
        self
    }

    /// Accepts an `http://` origin, for a local emulator. Never use it against the real service:
    /// the app token would travel in clear text.
    #[must_use]
    pub fn allow_http(mut self, allow: bool) -> Self {
        self.allow_http = allow;
        self
    }

    /// Checks everything and builds the settings.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `base_url`, `app_key`, `org_name` or `app_name`.
    pub fn build(self) -> Result<Settings, Error> {
        let (org_name, app_name) = match &self.app_key {
            Some(key) => {
                let mut parts = key.split('#');
                match (parts.next(), parts.next(), parts.next()) {
                    (Some(org), Some(app), None) if !org.is_empty() && !app.is_empty() => {
                        (org.to_owned(), app.to_owned())
                    }
                    _ => {
                        return Err(Error::invalid(
                            "app_key",
                            "must be `org#app`: two non-empty names joined by one '#'",
                        ))
                    }
                }
            }
            None => (self.org_name, self.app_name),
        };
        name("org_name", &org_name)?;
        name("app_name", &app_name)?;
        let base_url = origin(&self.base_url, self.allow_http)?;
        let mut prefix = String::with_capacity(base_url.len() + org_name.len() + app_name.len() + 2);
        prefix.push_str(&base_url);
        prefix.push('/');
        push_segment(&mut prefix, &org_name);
        prefix.push('/');
        push_segment(&mut prefix, &app_name);
        Ok(Settings { base_url, org_name, app_name, prefix })
    }
}

/// Checks an org or app name: non-empty, at most 64 bytes, no `/`, `#`, `?`, whitespace or
/// control characters.
fn name(field: &str, value: &str) -> Result<(), Error> {
    validate::word(field, value)?;
    if value.contains(['/', '#', '?']) {
        return Err(Error::invalid(field, "must not contain '/', '#' or '?'"));
    }
    if value.len() > 64 {
        return Err(Error::invalid(field, "must be at most 64 bytes"));
    }
    Ok(())
}

/// Checks an origin (`https://host[:port]`, one trailing `/` tolerated) and returns it without
/// the trailing `/`.
fn origin(base_url: &str, allow_http: bool) -> Result<String, Error> {
    let field = "base_url";
    let rest = if let Some(rest) = base_url.strip_prefix("https://") {
        rest
    } else if let Some(rest) = base_url.strip_prefix("http://") {
        if !allow_http {
            return Err(Error::invalid(
                field,
                "must be https:// (http:// only when explicitly allowed, for a local emulator)",
            ));
        }
        rest
    } else {
        return Err(Error::invalid(field, "must be an absolute https:// origin, such as https://a1.easemob.com"));
    };
    let authority = rest.strip_suffix('/').unwrap_or(rest);
    validate::word(field, authority)?;
    if authority.contains(['/', '?', '#', '@', '\\']) {
        return Err(Error::invalid(field, "must be an origin only: no path, query, fragment or user"));
    }
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((host, "")) => (host, None),
            Some((host, after)) => (host, Some(after.strip_prefix(':').unwrap_or("x"))),
            None => return Err(Error::invalid(field, "has an unclosed IPv6 bracket")),
        },
        None => match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        },
    };
    if host.is_empty() {
        return Err(Error::invalid(field, "has no host"));
    }
    if port.is_some_and(|p| p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit())) {
        return Err(Error::invalid(field, "has an invalid port"));
    }
    Ok(base_url.strip_suffix('/').unwrap_or(base_url).to_owned())
}

/// Appends a path segment, percent-encoded (everything but RFC 3986 unreserved characters).
pub(crate) fn push_segment(out: &mut String, segment: &str) {
    for &b in segment.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            let hex = |n: u8| char::from(if n < 10 { b'0' + n } else { b'A' - 10 + n });
            out.push('%');
            out.push(hex(b >> 4));
            out.push(hex(b & 0x0f));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        assert!(Settings::new("https://a1.easemob.com/", "o", "a").is_ok());
        assert!(Settings::new("https://a1.easemob.com:8443", "o", "a").is_ok());
        for bad in [
            "a1.easemob.com",
            "https://a1.easemob.com/path",
            "https://a1.easemob.com?x",
            "https://",
            "https://h:x",
            "ftp://h",
        ] {
            assert!(Settings::new(bad, "o", "a").is_err(), "{bad}");
        }
        assert!(Settings::builder("http://127.0.0.1:8080")
            .org_name("o")
            .app_name("a")
            .allow_http(true)
            .build()
            .is_ok());
    }

    #[test]
    fn names_are_encoded() {
        let s = Settings::new(EASEMOB_A1, "o.r~g", "a_p-p").ok();
        assert_eq!(s.map(|s| s.url("/token")).as_deref(), Some("https://a1.easemob.com/o.r~g/a_p-p/token"));
        let mut seg = String::new();
        push_segment(&mut seg, "a%b");
        assert_eq!(seg, "a%25b");
        for bad in ["", "a/b", "a#b", "a?b", "a b", "a\nb"] {
            assert!(Settings::new(EASEMOB_A1, bad, "app").is_err(), "{bad:?}");
        }
        assert!(Settings::from_app_key(EASEMOB_A1, "org#app#x").is_err());
    }
}
