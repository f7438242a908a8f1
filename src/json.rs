//! A small JSON writer for request bodies: exact integers, strings escaped the way
//! `serde_json` and Python's `json.dumps(ensure_ascii=False)` escape them.

/// Appends `s` as a JSON string literal: `"` and `\` escaped, `\n \r \t \b \f` by name, other
/// control characters as `\u00xx`; everything else (non-ASCII included) kept as UTF-8.
pub(crate) fn push_str(out: &mut Vec<u8>, s: &str) {
    out.reserve(s.len() + 2);
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0x00..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(bytes.get(start..i).unwrap_or_default());
        if escape.is_empty() {
            let hex = |n: u8| if n < 10 { b'0' + n } else { b'a' - 10 + n };
            out.extend_from_slice(&[b'\\', b'u', b'0', b'0', hex(b >> 4), hex(b & 0x0f)]);
        } else {
            out.extend_from_slice(escape);
        }
        start = i + 1;
    }
    out.extend_from_slice(bytes.get(start..).unwrap_or_default());
    out.push(b'"');
}

/// Appends a signed integer in decimal.
pub(crate) fn push_i64(out: &mut Vec<u8>, value: i64) {
    out.extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
}

/// Appends `{"k":"v",...}` for an ordered string map.
pub(crate) fn push_map(out: &mut Vec<u8>, map: &[(String, String)]) {
    out.push(b'{');
    for (i, (k, v)) in map.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push_str(out, k);
        out.push(b':');
        push_str(out, v);
    }
    out.push(b'}');
}

/// Whether `text` is one complete JSON document.
pub(crate) fn is_valid(text: &str) -> bool {
    serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_escape_like_serde_json() {
        for s in ["plain", "quote\" back\\slash", "ctl \n\r\t\x08\x0c\x01\x1f\x7f", "中文 😀 \u{2028}", ""] {
            let mut out = Vec::new();
            push_str(&mut out, s);
            assert_eq!(String::from_utf8(out).ok(), serde_json::to_string(s).ok(), "{s:?}");
        }
    }

    #[test]
    fn integers_are_exact() {
        for n in [0, 1, -1, 9_007_199_254_740_993, i64::MAX, i64::MIN] {
            let mut out = Vec::new();
            push_i64(&mut out, n);
            assert_eq!(String::from_utf8(out).ok(), Some(n.to_string()));
        }
    }
}
