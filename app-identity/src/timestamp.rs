//! Timestamp nonces: UTC in ISO 8601 basic form, `YYYYMMDDTHHMMSS[.fraction]Z`.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::Offset;

/// Why a nonce is not a timestamp nonce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TimestampError {
    #[error("nonce is not a timestamp of the form YYYYMMDDTHHMMSS[.fraction]Z")]
    Malformed,
    #[error("nonce timestamp names no valid UTC date and time")]
    OutOfRange,
}

/// A fraction longer than nanoseconds was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a timestamp nonce has at most 9 fraction digits, not {0}")]
pub struct TooManyFractionDigits(pub u8);

const LEN_WITHOUT_FRACTION: usize = "YYYYMMDDTHHMMSSZ".len();

/// Reads a timestamp nonce. Fraction digits past nanoseconds are ignored.
pub fn parse_timestamp_nonce(nonce: &str) -> Result<Timestamp, TimestampError> {
    let bytes = nonce.as_bytes();
    if bytes.len() < LEN_WITHOUT_FRACTION
        || bytes[8] != b'T'
        || bytes[bytes.len() - 1] != b'Z'
        || !bytes[..8]
            .iter()
            .chain(&bytes[9..15])
            .all(u8::is_ascii_digit)
    {
        return Err(TimestampError::Malformed);
    }
    let nanosecond = parse_fraction(&bytes[15..bytes.len() - 1])?;

    let year = digits(&bytes[0..4]) as i16;
    let month = digits(&bytes[4..6]) as i8;
    let day = digits(&bytes[6..8]) as i8;
    let hour = digits(&bytes[9..11]) as i8;
    let minute = digits(&bytes[11..13]) as i8;
    let second = digits(&bytes[13..15]) as i8;

    let date = Date::new(year, month, day).map_err(|_| TimestampError::OutOfRange)?;
    let time =
        Time::new(hour, minute, second, nanosecond).map_err(|_| TimestampError::OutOfRange)?;
    Offset::UTC
        .to_timestamp(DateTime::from_parts(date, time))
        .map_err(|_| TimestampError::OutOfRange)
}

/// Nanoseconds of an optional `.digits` suffix (empty input: no fraction).
fn parse_fraction(fraction: &[u8]) -> Result<i32, TimestampError> {
    let Some((&b'.', digits)) = fraction.split_first() else {
        return if fraction.is_empty() {
            Ok(0)
        } else {
            Err(TimestampError::Malformed)
        };
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return Err(TimestampError::Malformed);
    }
    let mut nanosecond = 0;
    for position in 0..9 {
        let digit = digits.get(position).map_or(0, |d| i32::from(d - b'0'));
        nanosecond = nanosecond * 10 + digit;
    }
    Ok(nanosecond)
}

/// The value of ASCII digits already checked to be digits.
fn digits(bytes: &[u8]) -> u32 {
    bytes
        .iter()
        .fold(0, |value, digit| value * 10 + u32::from(digit - b'0'))
}

/// Writes `at` as a timestamp nonce with `fraction_digits` (0–9) digits of
/// fractional seconds, truncated; 0 leaves out the fraction and its dot.
///
/// Years before 0000 have no four-digit form; their nonces verify nowhere.
pub fn timestamp_nonce(
    at: Timestamp,
    fraction_digits: u8,
) -> Result<String, TooManyFractionDigits> {
    if fraction_digits > 9 {
        return Err(TooManyFractionDigits(fraction_digits));
    }
    Ok(format_timestamp_nonce(at, usize::from(fraction_digits)))
}

/// [`timestamp_nonce`] for a digit count already known to be at most 9.
pub(crate) fn format_timestamp_nonce(at: Timestamp, fraction_digits: usize) -> String {
    let civil = Offset::UTC.to_datetime(at);
    let mut nonce = format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}",
        civil.year(),
        civil.month(),
        civil.day(),
        civil.hour(),
        civil.minute(),
        civil.second()
    );
    if fraction_digits > 0 {
        let all_nine = format!("{:09}", civil.subsec_nanosecond());
        nonce.push('.');
        nonce.push_str(&all_nine[..fraction_digits.min(9)]);
    }
    nonce.push('Z');
    nonce
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn parses_every_fraction_length() {
        assert_eq!(
            parse_timestamp_nonce("20060102T150405Z"),
            Ok(at("2006-01-02T15:04:05Z"))
        );
        assert_eq!(
            parse_timestamp_nonce("20060102T150405.3Z"),
            Ok(at("2006-01-02T15:04:05.3Z"))
        );
        assert_eq!(
            parse_timestamp_nonce("20060102T150405.333Z"),
            Ok(at("2006-01-02T15:04:05.333Z"))
        );
        assert_eq!(
            parse_timestamp_nonce("20060102T150405.123456789999Z"),
            Ok(at("2006-01-02T15:04:05.123456789Z"))
        );
    }

    #[test]
    fn rejects_other_forms() {
        for nonce in [
            "2006-01-02T15:04:05.333Z",
            "20060102T150405.Z",
            "20060102T150405.333",
            "20060102 150405.333Z",
            "20060102T150405,333Z",
            "20060102T150405.33aZ",
            "2006012T150405.333Z",
            "20060102T150405.333z",
            "20060102T150405+0000",
            "nonce",
            "",
            "+20060102T150405Z",
        ] {
            assert_eq!(
                parse_timestamp_nonce(nonce),
                Err(TimestampError::Malformed),
                "{nonce}"
            );
        }
    }

    #[test]
    fn rejects_impossible_dates_and_times() {
        for nonce in [
            "20060230T150405Z",
            "20061301T150405Z",
            "20060001T150405Z",
            "20060100T150405Z",
            "20060102T240000Z",
            "20060102T156005Z",
            "20060102T150460Z",
            "20050229T000000Z",
        ] {
            assert_eq!(
                parse_timestamp_nonce(nonce),
                Err(TimestampError::OutOfRange),
                "{nonce}"
            );
        }
        assert!(parse_timestamp_nonce("20040229T235959.999Z").is_ok());
    }

    #[test]
    fn formats_with_any_fraction_length() {
        let moment = at("2024-03-05T07:08:09.123456789Z");
        assert_eq!(timestamp_nonce(moment, 0).unwrap(), "20240305T070809Z");
        assert_eq!(timestamp_nonce(moment, 3).unwrap(), "20240305T070809.123Z");
        assert_eq!(
            timestamp_nonce(moment, 9).unwrap(),
            "20240305T070809.123456789Z"
        );
        assert_eq!(timestamp_nonce(moment, 10), Err(TooManyFractionDigits(10)));
    }

    #[test]
    fn formatted_nonces_parse_back() {
        let moment = at("1999-12-31T23:59:59.5Z");
        let nonce = timestamp_nonce(moment, 3).unwrap();
        assert_eq!(parse_timestamp_nonce(&nonce), Ok(moment));
    }
}
