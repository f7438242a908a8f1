//! A string that must never be printed: secret keys, session tokens, app tokens.

use core::fmt;

use zeroize::Zeroizing;

/// A secret string (a secret access key, a session token, an app token, a client secret).
///
/// Its `Debug` and `Display` print `[REDACTED]`, and its memory is overwritten with zeros when it
/// is dropped. Read it with [`Secret::expose`], only where the value is really needed.
///
/// ```
/// use imedit::Secret;
/// let key = Secret::new("wJalrXUtnFEMI");
/// assert_eq!(format!("{key:?} {key}"), "[REDACTED] [REDACTED]");
/// assert_eq!(key.expose(), "wJalrXUtnFEMI");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// The text printed in place of every secret.
    pub const REDACTED: &'static str = "[REDACTED]";

    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(Zeroizing::new(value.into()))
    }

    /// The secret value itself. Never log or format it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(Self::REDACTED)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(Self::REDACTED)
    }
}
