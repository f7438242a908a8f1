//! `X-Date` from Unix seconds, with no clock and no date library.

use crate::error::Error;

/// The largest time an `X-Date` can carry: 9999-12-31T23:59:59Z.
const MAX_UNIX: u64 = 253_402_300_799;

/// The `X-Date` value (`YYYYMMDD'T'HHMMSS'Z'`, UTC) for a Unix time in seconds.
///
/// ```
/// assert_eq!(imedit::volcengine::x_date(1_717_245_296).unwrap(), "20240601T123456Z");
/// ```
///
/// # Errors
/// [`Error::InvalidInput`] (field `time`) after the year 9999.
pub fn x_date(unix_secs: u64) -> Result<String, Error> {
    XDate::new(unix_secs).map(|d| d.as_str().to_owned())
}

/// Reads an `X-Date` (`YYYYMMDD'T'HHMMSS'Z'`) back as Unix seconds: the inverse of [`x_date`].
///
/// ```
/// use imedit::volcengine::{parse_x_date, x_date};
/// assert_eq!(parse_x_date("20240601T123456Z"), Ok(1_717_245_296));
/// assert!(parse_x_date("20240230T000000Z").is_err()); // February 30th
/// ```
///
/// # Errors
/// [`Error::InvalidInput`] (field `x_date`) when the text is not a real UTC instant in that form.
pub fn parse_x_date(text: &str) -> Result<u64, Error> {
    let invalid = || Error::invalid("x_date", "expected YYYYMMDD'T'HHMMSS'Z', a real UTC date and time");
    let b = text.as_bytes();
    if b.len() != 16 || b.get(8) != Some(&b'T') || b.get(15) != Some(&b'Z') {
        return Err(invalid());
    }
    let digits = |range: core::ops::Range<usize>| -> Option<u64> {
        let part = text.get(range)?;
        part.bytes().all(|c| c.is_ascii_digit()).then(|| part.parse().ok()).flatten()
    };
    let fields = (digits(0..4), digits(4..6), digits(6..8), digits(9..11), digits(11..13), digits(13..15));
    let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) = fields else {
        return Err(invalid());
    };
    if year < 1970 || !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 59
    {
        return Err(invalid());
    }
    let secs = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
    // A date that does not exist (February 30th) does not format back the same.
    match XDate::new(secs) {
        Ok(d) if d.as_str() == text => Ok(secs),
        _ => Err(invalid()),
    }
}

/// Days since 1970-01-01 of a civil date, for years from 1970 on (Howard Hinnant's algorithm).
fn days_from_civil(year: u64, month: u64, day: u64) -> u64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y / 400;
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe).saturating_sub(719_468)
}

/// An `X-Date`, kept on the stack.
#[derive(Clone, Copy)]
pub(crate) struct XDate([u8; 16]);

impl XDate {
    pub(crate) fn new(unix_secs: u64) -> Result<Self, Error> {
        if unix_secs > MAX_UNIX {
            return Err(Error::invalid("time", "must be a Unix time in seconds before the year 10000"));
        }
        let days = unix_secs / 86_400;
        let secs = unix_secs % 86_400;
        let (year, month, day) = civil_from_days(days);
        let mut out = *b"00000000T000000Z";
        let fields: [(usize, u64, usize); 6] = [
            (0, year, 4),
            (4, month, 2),
            (6, day, 2),
            (9, secs / 3600, 2),
            (11, secs % 3600 / 60, 2),
            (13, secs % 60, 2),
        ];
        for (start, mut value, width) in fields {
            for slot in out.iter_mut().skip(start).take(width).rev() {
                // `value % 10` is below 10, so the cast cannot truncate.
                *slot = b'0' + (value % 10) as u8;
                value /= 10;
            }
        }
        Ok(Self(out))
    }

    pub(crate) fn as_str(&self) -> &str {
        // Only ASCII digits, 'T' and 'Z' are ever written.
        core::str::from_utf8(&self.0).unwrap_or("")
    }
}

/// (year, month, day) of a day count since 1970-01-01 (proleptic Gregorian calendar).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    // Howard Hinnant's algorithm, shifted so that every intermediate value is non-negative.
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        for (t, want) in [
            (0, "19700101T000000Z"),
            (951_782_400, "20000229T000000Z"),
            (1_717_245_296, "20240601T123456Z"),
            (1_735_689_599, "20241231T235959Z"),
            (4_102_444_800, "21000101T000000Z"),
            (MAX_UNIX, "99991231T235959Z"),
        ] {
            assert_eq!(XDate::new(t).map(|d| d.as_str().to_owned()).ok().as_deref(), Some(want), "{t}");
        }
        assert!(XDate::new(MAX_UNIX + 1).is_err());
    }

    #[test]
    fn parse_is_the_inverse() {
        for t in [0, 951_782_400, 1_717_245_296, 1_735_689_599, 4_102_444_800, MAX_UNIX, 1_709_164_800] {
            let text = XDate::new(t).map(|d| d.as_str().to_owned()).unwrap_or_default();
            assert_eq!(parse_x_date(&text).ok(), Some(t), "{text}");
        }
        for bad in [
            "",
            "20240601T123456",
            "2024-06-01T12:34Z",
            "20241301T000000Z",
            "20240601T246000Z",
            "19691231T235959Z",
            "2024060+T123456Z",
        ] {
            assert!(parse_x_date(bad).is_err(), "{bad}");
        }
    }
}
