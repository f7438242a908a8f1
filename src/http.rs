//! Plain HTTP data: what the host sends and what it got back.
//!
//! [`HttpRequest`] maps one to one onto `fetch(url, { method, headers, body })`, Python's
//! `urllib.request.Request` or `requests.request`, OkHttp's `Request.Builder`, Java's `HttpRequest`
//! and `URLRequest`. [`HttpResponse`] is what the parsers take back: the status, the headers and the
//! raw body bytes, whatever they are (a gateway's HTML page is a real response).

use core::fmt;
use std::borrow::Cow;

use zeroize::Zeroize;

use crate::secret::Secret;

/// One request header, in the order it is to be sent.
///
/// A header that carries a secret (`Authorization`, `X-Security-Token`) is marked `sensitive`:
/// its value is redacted in `Debug` and in [`HttpRequest::to_curl`], and zeroized on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct Header {
    /// The header name, spelled as it is sent (for example `Content-Type`).
    pub name: Cow<'static, str>,
    /// The header value, exactly as it was signed.
    pub value: Cow<'static, str>,
    /// Whether the value carries a secret.
    pub sensitive: bool,
}

impl Header {
    /// A header whose value is not secret.
    pub fn new(name: impl Into<Cow<'static, str>>, value: impl Into<Cow<'static, str>>) -> Self {
        Self { name: name.into(), value: value.into(), sensitive: false }
    }

    /// A header whose value carries a secret.
    pub fn sensitive(name: impl Into<Cow<'static, str>>, value: impl Into<Cow<'static, str>>) -> Self {
        Self { name: name.into(), value: value.into(), sensitive: true }
    }

    /// The value, or [`Secret::REDACTED`] when the header is sensitive.
    pub fn display_value(&self) -> &str {
        if self.sensitive {
            Secret::REDACTED
        } else {
            &self.value
        }
    }
}

impl Drop for Header {
    fn drop(&mut self) {
        if let (true, Cow::Owned(value)) = (self.sensitive, &mut self.value) {
            value.zeroize();
        }
    }
}

impl fmt::Debug for Header {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name, self.display_value())
    }
}

/// A request ready to send: send it byte for byte, with nothing added, removed or re-encoded
/// (the URL is already percent-encoded, and a signed request breaks if a signed header, the query
/// or the body changes).
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// The method, upper-case (`POST`, `PUT`, `GET`).
    pub method: String,
    /// The full URL: scheme, host, encoded path and encoded query.
    pub url: String,
    /// The headers, in order. The `Host` header is not listed: HTTP clients derive it from the URL.
    pub headers: Vec<Header>,
    /// The body bytes (empty for none).
    pub body: Vec<u8>,
    /// Whether the body carries a secret (the token request's `client_secret`): then it is
    /// redacted in `Debug` and in [`HttpRequest::to_curl`], and zeroized on drop.
    pub body_sensitive: bool,
}

impl HttpRequest {
    /// The value of the first header with this name (compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|h| h.name.eq_ignore_ascii_case(name)).map(|h| &*h.value)
    }

    /// The body as text, when it is UTF-8 (every body this library builds is).
    pub fn body_text(&self) -> Option<&str> {
        core::str::from_utf8(&self.body).ok()
    }

    /// The request as a `curl` command line, with every argument quoted for a POSIX shell.
    ///
    /// Secrets (sensitive headers, a sensitive body) are printed as `[REDACTED]` unless
    /// `reveal_secrets` is true.
    pub fn to_curl(&self, reveal_secrets: bool) -> String {
        let mut out = String::from("curl -X ");
        out.push_str(&shell_quote(&self.method));
        out.push(' ');
        out.push_str(&shell_quote(&self.url));
        for h in &self.headers {
            let value = if reveal_secrets { &*h.value } else { h.display_value() };
            out.push_str(" \\\n  -H ");
            out.push_str(&shell_quote(&format!("{}: {}", h.name, value)));
        }
        if !self.body.is_empty() {
            out.push_str(" \\\n  --data-binary ");
            if self.body_sensitive && !reveal_secrets {
                out.push_str(&shell_quote(Secret::REDACTED));
            } else {
                out.push_str(&shell_quote(&String::from_utf8_lossy(&self.body)));
            }
        }
        out
    }
}

impl Drop for HttpRequest {
    fn drop(&mut self) {
        if self.body_sensitive {
            self.body.zeroize();
        }
    }
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let body = if self.body_sensitive { Secret::REDACTED.into() } else { String::from_utf8_lossy(&self.body) };
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &self.headers)
            .field("body", &body)
            .finish()
    }
}

/// What the server answered: status, headers and the raw body.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct HttpResponse {
    /// The HTTP status code.
    pub status: u16,
    /// The response headers (names in any case).
    pub headers: Vec<(String, String)>,
    /// The raw body bytes, whatever their content type.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// A response from its parts.
    pub fn new(status: u16, headers: Vec<(String, String)>, body: impl Into<Vec<u8>>) -> Self {
        Self { status, headers, body: body.into() }
    }

    /// The value of the first header with this name (compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

impl Drop for HttpResponse {
    // A token response carries an access token in its body.
    fn drop(&mut self) {
        self.body.zeroize();
    }
}

impl fmt::Debug for HttpResponse {
    // The body can hold an access token, so only its length is shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// Quotes `s` for a POSIX shell: wrapped in single quotes, with `'` written as `'\''`.
fn shell_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        if c == '\'' {
            out.push_str("'\\''");
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> HttpRequest {
        HttpRequest {
            method: "PUT".into(),
            url: "https://a1.easemob.com/org/app/token".into(),
            headers: vec![
                Header::new("Accept", "application/json"),
                Header::sensitive("Authorization", "Bearer tok'en"),
            ],
            body: b"{\"client_secret\":\"s3cr3t\"}".to_vec(),
            body_sensitive: true,
        }
    }

    #[test]
    fn debug_and_curl_hide_secrets() {
        let r = request();
        for text in [format!("{r:?}"), r.to_curl(false)] {
            assert!(!text.contains("Bearer tok"), "{text}");
            assert!(!text.contains("s3cr3t"), "{text}");
            assert!(text.contains("[REDACTED]"), "{text}");
        }
    }

    #[test]
    fn curl_quotes_for_the_shell() {
        let curl = request().to_curl(true);
        assert!(curl.contains("-H 'Authorization: Bearer tok'\\''en'"), "{curl}");
        assert!(curl.starts_with("curl -X 'PUT' 'https://a1.easemob.com/org/app/token'"));
    }

    #[test]
    fn header_lookup_ignores_case() {
        assert_eq!(request().header("accept"), Some("application/json"));
        assert_eq!(request().header("x-missing"), None);
    }
}
