//! Lower-case hexadecimal encoding, written straight into a reused buffer.

/// Appends the lower-case hex form of `bytes` to `out`, 32 bytes at a time through a stack
/// buffer (one copy per chunk instead of one push per character).
pub(crate) fn push_hex(out: &mut String, bytes: &[u8]) {
    out.reserve(bytes.len() * 2);
    let mut buf = [0u8; 64];
    for chunk in bytes.chunks(32) {
        for (pair, &b) in buf.chunks_exact_mut(2).zip(chunk) {
            pair.copy_from_slice(&[digit(b >> 4), digit(b & 0x0f)]);
        }
        let written = buf.get(..chunk.len() * 2).unwrap_or_default();
        // Only ASCII hex digits were written.
        out.push_str(core::str::from_utf8(written).unwrap_or_default());
    }
}

/// The lower-case hex form of a 32-byte digest, on the stack.
pub(crate) fn hex32(bytes: &[u8]) -> [u8; 64] {
    let mut buf = [0u8; 64];
    for (pair, &b) in buf.chunks_exact_mut(2).zip(bytes) {
        pair.copy_from_slice(&[digit(b >> 4), digit(b & 0x0f)]);
    }
    buf
}

#[inline]
fn digit(nibble: u8) -> u8 {
    if nibble < 10 {
        b'0' + nibble
    } else {
        b'a' - 10 + nibble
    }
}

/// The lower-case hex form of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    push_hex(&mut out, bytes);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn encodes_every_nibble() {
        assert_eq!(super::hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
    }
}
