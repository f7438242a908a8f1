//! The extension-field (`ext`) update rule both vendors apply.

/// How an edit's extension fields combine with the ones the message already has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum ExtMode {
    /// Same key overwrites, new key is appended, other keys stay (both vendors' default; the only
    /// mode Volcengine has).
    #[default]
    Merge,
    /// The new map replaces the old one entirely (Easemob `is_combine_ext: false`).
    Replace,
}

impl ExtMode {
    /// `merge` or `replace`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Merge => "merge",
            Self::Replace => "replace",
        }
    }
}

/// The extension map the server holds after an edit, for optimistic UI updates.
///
/// In [`ExtMode::Merge`], a key of `patch` that exists in `current` overwrites its value in place,
/// and a new key is appended in `patch` order. In [`ExtMode::Replace`], the result is `patch`.
/// When `patch` repeats a key, its last value wins.
///
/// ```
/// use imedit::{merge_ext, ExtMode};
/// let pair = |k: &str, v: &str| (k.to_owned(), v.to_owned());
/// let current = vec![pair("key1", "value1"), pair("key2", "value2")];
/// let patch = vec![pair("key1", "update_value"), pair("key3", "value3")];
/// assert_eq!(
///     merge_ext(&current, &patch, ExtMode::Merge),
///     vec![pair("key1", "update_value"), pair("key2", "value2"), pair("key3", "value3")],
/// );
/// assert_eq!(merge_ext(&current, &patch, ExtMode::Replace), patch);
/// ```
pub fn merge_ext(current: &[(String, String)], patch: &[(String, String)], mode: ExtMode) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = match mode {
        ExtMode::Merge => current.to_vec(),
        ExtMode::Replace => Vec::with_capacity(patch.len()),
    };
    for (key, value) in patch {
        match out.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1.clone_from(value),
            None => out.push((key.clone(), value.clone())),
        }
    }
    out
}
