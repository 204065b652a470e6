//! Checks of single values (texts, durations, sizes, facts),
//! each reporting at the value's location in one spec file.

use std::str::FromStr;

use crate::diagnostic::FileChecks;
use crate::located::Located;
use crate::tls::model::QuantityDoc;
use crate::tls::plan::ParameterKind;

impl FileChecks<'_> {
    pub fn duration_ms(&mut self, value: &Located<String>, what: &str) -> u64 {
        let text = value.trim();
        let problem = match humantime::parse_duration(text) {
            Err(error) => format!(
                "{what} `{text}` is not a duration ({error}); expected a number and a unit, such as `10s`, `1500ms` or `2m`"
            ),
            Ok(duration) if duration.is_zero() => format!("{what} must be longer than zero"),
            Ok(duration) if duration.subsec_nanos() % 1_000_000 != 0 => {
                format!("{what} `{text}` is not a whole number of milliseconds")
            }
            Ok(duration) => match u64::try_from(duration.as_millis()) {
                Ok(ms) => return ms,
                Err(_) => format!("{what} `{text}` is too long"),
            },
        };
        self.error(value.position, problem);
        0
    }

    /// A parameter value: bytes (with optional units) or a plain count.
    pub fn quantity(&mut self, value: &Located<QuantityDoc>, kind: ParameterKind) -> u64 {
        let text = match &value.value {
            QuantityDoc::Number(number) => return *number,
            QuantityDoc::Text(text) => text.trim(),
        };
        let parsed = match kind {
            ParameterKind::Bytes => bytes(text),
            ParameterKind::Count => text.parse::<u64>().map_err(|_| {
                format!("`{text}` is not a count; a `count` parameter takes a whole number")
            }),
        };
        parsed.unwrap_or_else(|message| {
            self.error(value.position, message);
            0
        })
    }

    /// Fact names as the shims print them: `[a-z0-9_=]+`, each once.
    pub fn facts(&mut self, facts: &[Located<String>], side: &str) -> Vec<String> {
        let mut seen: Vec<&str> = Vec::new();
        for fact in facts {
            let valid = !fact.is_empty()
                && fact
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '=');
            if !valid {
                self.error(
                    fact.position,
                    format!(
                        "fact `{}` must be lower-case letters, digits, `_` and `=` (as in `session_resumed`)",
                        fact.value
                    ),
                );
            } else if seen.contains(&fact.as_str()) {
                self.error(
                    fact.position,
                    format!("the {side} fact `{}` is listed twice", fact.value),
                );
            }
            seen.push(fact.as_str());
        }
        facts.iter().map(|fact| fact.value.clone()).collect()
    }
}

/// `10 MB` (10^6 bytes), `512 MiB` (2^20 bytes) or a plain number of bytes.
fn bytes(text: &str) -> Result<u64, String> {
    let expected = "expected a number of bytes, or a number and a unit such as `10 MB` (10^6 bytes) or `512 MiB` (2^20 bytes)";
    match bytesize::ByteSize::from_str(text) {
        // The parser saturates instead of failing on overflow.
        Ok(size) if size.as_u64() == u64::MAX && text != u64::MAX.to_string() => {
            Err(format!("`{text}` is more bytes than fit in 64 bits"))
        }
        Ok(size) => Ok(size.as_u64()),
        Err(error) => Err(format!("`{text}` is not a size ({error}); {expected}")),
    }
}

#[cfg(test)]
mod tests {
    use super::bytes;

    #[test]
    fn sizes_use_decimal_and_binary_units() {
        assert_eq!(bytes("10 MB"), Ok(10_000_000));
        assert_eq!(bytes("10MiB"), Ok(10 * 1024 * 1024));
        assert_eq!(bytes("1 GB"), Ok(1_000_000_000));
        assert_eq!(bytes("42"), Ok(42));
        assert!(bytes("10 MX").is_err());
        assert!(bytes("-1 MB").is_err());
        assert!(bytes("99999999999 EB").is_err());
    }
}
