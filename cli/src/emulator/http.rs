//! A plain request and response, independent of the HTTP server, so every handler is a function
//! from one to the other.

use crate::ojson::Json;

/// The most body bytes read from one request; a longer body is marked `truncated`.
pub(crate) const MAX_BODY: usize = 1 << 20;

/// A received request.
#[derive(Debug, Clone, Default)]
pub(crate) struct Req {
    pub(crate) method: String,
    /// The path, still percent-encoded.
    pub(crate) path: String,
    /// The query string, still percent-encoded, without `?`.
    pub(crate) query: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
    /// Whether the body was longer than [`MAX_BODY`].
    pub(crate) truncated: bool,
}

impl Req {
    /// A request from a method, a target (`/path?query`), headers and a body.
    pub(crate) fn new(method: &str, target: &str, headers: Vec<(String, String)>, body: Vec<u8>) -> Self {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        Self {
            method: method.to_ascii_uppercase(),
            path: path.to_owned(),
            query: query.to_owned(),
            headers,
            body,
            truncated: false,
        }
    }

    /// The values of every header with this name (any case), joined with `,`.
    pub(crate) fn header(&self, name: &str) -> Option<String> {
        let values: Vec<&str> =
            self.headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str()).collect();
        if values.is_empty() {
            None
        } else {
            Some(values.join(","))
        }
    }

    /// The decoded path segments (`/a/b%20c` → `["a", "b c"]`).
    pub(crate) fn segments(&self) -> Vec<String> {
        self.path.split('/').filter(|s| !s.is_empty()).map(|s| percent_decode(s, false)).collect()
    }

    /// The decoded query pairs, in order (`+` is a space).
    pub(crate) fn query_pairs(&self) -> Vec<(String, String)> {
        self.query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (percent_decode(k, true), percent_decode(v, true))
            })
            .collect()
    }

    /// The first value of a query parameter.
    pub(crate) fn query_param(&self, name: &str) -> Option<String> {
        self.query_pairs().into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }
}

/// Decodes `%XX` escapes (and `+` as a space when asked); invalid escapes are kept as they are.
pub(crate) fn percent_decode(s: &str, plus_as_space: bool) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = |j: usize| bytes.get(j).and_then(|c| char::from(*c).to_digit(16));
        match b {
            b'%' => match (hex(i + 1), hex(i + 2)) {
                (Some(h), Some(l)) => {
                    out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
                    i += 3;
                    continue;
                }
                _ => out.push(b),
            },
            b'+' if plus_as_space => out.push(b' '),
            _ => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A response to send.
#[derive(Debug, Clone)]
pub(crate) struct Resp {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
    /// The error code to show in the request log, if the reply is an error.
    pub(crate) error: Option<String>,
}

impl Resp {
    /// A JSON reply.
    pub(crate) fn json(status: u16, body: &Json) -> Self {
        Self {
            status,
            headers: vec![("Content-Type".to_owned(), "application/json;charset=UTF-8".to_owned())],
            body: body.to_text().into_bytes(),
            error: None,
        }
    }

    /// An HTML reply (a gateway's error page).
    pub(crate) fn html(status: u16, body: String) -> Self {
        Self {
            status,
            headers: vec![("Content-Type".to_owned(), "text/html".to_owned())],
            body: body.into_bytes(),
            error: None,
        }
    }

    /// A reply without a body.
    pub(crate) fn empty(status: u16) -> Self {
        Self { status, headers: Vec::new(), body: Vec::new(), error: None }
    }

    /// Names the error code for the request log.
    pub(crate) fn with_error(mut self, code: impl Into<String>) -> Self {
        self.error = Some(code.into());
        self
    }
}

/// A gateway's HTML error page for a status.
pub(crate) fn gateway_page(status: u16) -> String {
    let reason = reason(status);
    format!(
        "<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    )
}

/// The reason phrase of a status.
pub(crate) fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        413 => "Request Entity Too Large",
        415 => "Unsupported Media Type",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_paths_and_queries() {
        let r = Req::new("put", "/a%20b/c%2Fd/%zz?Action=Modify%20Message&x=a+b&flag", vec![], vec![]);
        assert_eq!(r.method, "PUT");
        assert_eq!(r.segments(), vec!["a b", "c/d", "%zz"]);
        assert_eq!(
            r.query_pairs(),
            vec![
                ("Action".to_owned(), "Modify Message".to_owned()),
                ("x".to_owned(), "a b".to_owned()),
                ("flag".to_owned(), String::new())
            ]
        );
    }
}
