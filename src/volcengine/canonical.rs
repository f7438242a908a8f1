//! The canonical forms the signature covers: RFC 3986 percent-encoding, the sorted query string,
//! the encoded path.

/// Appends `s` percent-encoded per RFC 3986: `A-Z a-z 0-9 - _ . ~` are kept (and `/` when
/// `keep_slash`), every other UTF-8 byte becomes `%XX` in upper-case hex.
pub(crate) fn push_encoded(out: &mut String, s: &str, keep_slash: bool) {
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') || (keep_slash && b == b'/') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(upper_hex(b >> 4));
            out.push(upper_hex(b & 0x0f));
        }
    }
}

fn upper_hex(nibble: u8) -> char {
    char::from(if nibble < 10 { b'0' + nibble } else { b'A' - 10 + nibble })
}

/// The canonical query string: each key and value percent-encoded per RFC 3986 (space is `%20`,
/// never `+`), pairs sorted by key in code-point order (a repeated key keeps its values in the
/// given order), joined with `&`; an empty value is written `key=`.
///
/// The signed URL carries exactly this string, so it is encoded once and only once.
///
/// ```
/// use imedit::volcengine::canonical_query;
/// let q = |k: &str, v: &str| (k.to_owned(), v.to_owned());
/// assert_eq!(
///     canonical_query(&[q("Version", "2020-12-01"), q("Action", "ModifyMessage"), q("a b", "*/+ ~")]),
///     "Action=ModifyMessage&Version=2020-12-01&a%20b=%2A%2F%2B%20~",
/// );
/// ```
pub fn canonical_query(query: &[(String, String)]) -> String {
    let mut pairs: Vec<(&str, &str)> = query.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    write_query(&mut pairs)
}

/// Sorts `pairs` by key (stable) and writes the canonical query string.
pub(crate) fn write_query(pairs: &mut [(&str, &str)]) -> String {
    pairs.sort_by(|a, b| a.0.cmp(b.0));
    let len: usize = pairs.iter().map(|(k, v)| k.len() + v.len() + 2).sum();
    let mut out = String::with_capacity(len + len / 2);
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        push_encoded(&mut out, k, false);
        out.push('=');
        push_encoded(&mut out, v, false);
    }
    out
}

/// The canonical URI: the path percent-encoded per RFC 3986 with `/` kept; an empty path is `/`.
pub(crate) fn canonical_path(path: &str) -> String {
    if path.is_empty() {
        return "/".to_owned();
    }
    let mut out = String::with_capacity(path.len() + 8);
    push_encoded(&mut out, path, true);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_reserved_and_unicode() {
        let mut out = String::new();
        push_encoded(&mut out, "!'()*+/ ~=&中", false);
        assert_eq!(out, "%21%27%28%29%2A%2B%2F%20~%3D%26%E4%B8%AD");
    }

    #[test]
    fn repeated_keys_keep_their_order() {
        let q = |k: &str, v: &str| (k.to_owned(), v.to_owned());
        assert_eq!(canonical_query(&[q("b", "2"), q("a", "z"), q("b", "1"), q("a", "")]), "a=z&a=&b=2&b=1");
    }

    #[test]
    fn paths_keep_slashes() {
        assert_eq!(canonical_path(""), "/");
        assert_eq!(canonical_path("/a b/c+d"), "/a%20b/c%2Bd");
    }
}
