//! Input checks shared by both vendors. Every refusal names the field at fault and never echoes a
//! value that could be a secret.

use crate::error::Error;

/// Refuses a header name that is not an RFC 9110 token.
pub(crate) fn header_name(field: &str, name: &str) -> Result<(), Error> {
    let ok = !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            field,
            "a header name must be a non-empty HTTP token (letters, digits, and !#$%&'*+-.^_`|~)",
        ))
    }
}

/// Refuses a header value with CR, LF, NUL, another control character, or a non-ASCII character
/// (header injection, and values that `fetch` and other clients would refuse or re-encode).
pub(crate) fn header_value(field: &str, value: &str) -> Result<(), Error> {
    for b in value.bytes() {
        match b {
            b'\r' | b'\n' => return Err(Error::invalid(field, "CR and LF are not allowed in a header value")),
            0 => return Err(Error::invalid(field, "NUL is not allowed in a header value")),
            b'\t' | 0x20..=0x7e => {}
            0x80..=0xff => {
                return Err(Error::invalid(
                    field,
                    "a header value must be ASCII (percent-encode or base64 other text)",
                ));
            }
            _ => return Err(Error::invalid(field, "control characters are not allowed in a header value")),
        }
    }
    Ok(())
}

/// Refuses an empty value, or one with whitespace or control characters (access keys, tokens,
/// names that end up in a URL path or a header).
pub(crate) fn word(field: &str, value: &str) -> Result<(), Error> {
    if value.is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    if value.chars().any(|c| c.is_control()) {
        return Err(Error::invalid(field, "must not contain CR, LF, NUL or other control characters"));
    }
    if value.chars().any(char::is_whitespace) {
        return Err(Error::invalid(field, "must not contain whitespace"));
    }
    Ok(())
}

/// Refuses an empty key or a repeated key in an extension-field map.
pub(crate) fn ext_map(field: &str, ext: &[(String, String)]) -> Result<(), Error> {
    for (i, (key, _)) in ext.iter().enumerate() {
        if key.is_empty() {
            return Err(Error::invalid(field, "keys must not be empty"));
        }
        if ext.iter().take(i).any(|(k, _)| k == key) {
            return Err(Error::invalid(field, format!("key {key:?} is given twice")));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_values_refuse_injection() {
        for bad in ["a\r\nX-Evil: 1", "a\nb", "a\0b", "a\x7fb", "中文"] {
            assert_eq!(header_value("h", bad).map_err(|e| e.code()), Err("invalid_input"), "{bad:?}");
        }
        assert!(header_value("h", "application/json; charset=utf-8\tx").is_ok());
    }

    #[test]
    fn ext_keys_are_unique_and_non_empty() {
        let dup = vec![("a".to_owned(), "1".to_owned()), ("a".to_owned(), "2".to_owned())];
        assert!(ext_map("ext", &dup).is_err());
        assert!(ext_map("ext", &[(String::new(), "1".to_owned())]).is_err());
        assert!(ext_map("ext", &[("a".to_owned(), String::new())]).is_ok());
    }
}
