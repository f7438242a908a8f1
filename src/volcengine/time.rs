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
}
