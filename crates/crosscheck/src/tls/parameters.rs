//! A case's parameter values: the spec's, unless the harness's environment
//! (`CROSSCHECK_TLS_DOWNLOAD_BYTES="1 GB" cargo test …`) or the command line
//! (`crosscheck tls --set download_bytes=1GB`) overrides one.

use std::time::Duration;

use thiserror::Error;

use crate::tls::matrix::{Case, Parameter, ParameterKind};

/// The parameter whose value the throughput figures divide by.
pub const TRANSFER_PARAMETER: &str = "download_bytes";

/// An override that does not parse, named as the user wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Error {
    #[error("{origin}={text:?} is not a whole number")]
    NotCount { origin: String, text: String },
    #[error(
        "{origin}={text:?} is not a size (write e.g. `10000000`, `10 MB` or `1 GiB`; 1 MB = 1,000,000 bytes)"
    )]
    NotSize { origin: String, text: String },
}

/// A parameter's value as the user gave it, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    /// How the user named it: `CROSSCHECK_TLS_DOWNLOAD_BYTES` or
    /// `--set download_bytes`.
    pub origin: String,
    pub text: String,
}

impl Setting {
    /// A value from the environment variable `env`.
    pub fn from_environment(env: &str, text: String) -> Self {
        Setting {
            origin: env.to_string(),
            text,
        }
    }
}

/// One parameter's value for a run.
#[derive(Debug, Clone, Copy)]
pub struct Value {
    pub parameter: &'static Parameter,
    pub value: u64,
    /// Whether it came from the environment rather than the spec.
    pub overridden: bool,
}

/// Every parameter of `case`, each overridden by what `lookup` finds for
/// it (the command line, then the environment, in practice); a malformed
/// override is an error naming it as the user wrote it.
pub fn resolve(
    case: &'static Case,
    lookup: impl Fn(&Parameter) -> Option<Setting>,
) -> Result<Vec<Value>, Error> {
    case.parameters
        .iter()
        .map(|parameter| match lookup(parameter) {
            None => Ok(Value {
                parameter,
                value: parameter.default,
                overridden: false,
            }),
            Some(setting) => parse(parameter, setting).map(|value| Value {
                parameter,
                value,
                overridden: true,
            }),
        })
        .collect()
}

fn parse(parameter: &'static Parameter, setting: Setting) -> Result<u64, Error> {
    let Setting { origin, text } = setting;
    let trimmed = text.trim();
    match parameter.kind {
        ParameterKind::Count => trimmed
            .parse::<u64>()
            .map_err(|_| Error::NotCount { origin, text }),
        ParameterKind::Bytes => trimmed
            .parse::<bytesize::ByteSize>()
            .map(|size| size.as_u64())
            .map_err(|_| Error::NotSize { origin, text }),
    }
}

/// The case's deadline extended for its parameter values.
pub fn deadline(case: &Case, values: &[Value]) -> Duration {
    values.iter().fold(case.deadline(), |total, value| {
        match value.parameter.deadline_per_billion() {
            Some(per_billion) => total + per_billion.mul_f64(value.value as f64 / 1_000_000_000.0),
            None => total,
        }
    })
}

/// Bytes the case moves, when it has a transfer size.
pub fn transfer_bytes(values: &[Value]) -> Option<u64> {
    values
        .iter()
        .find(|value| value.parameter.name == TRANSFER_PARAMETER)
        .map(|value| value.value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    const DOWNLOAD: Parameter = Parameter {
        name: Cow::Borrowed("download_bytes"),
        env: Cow::Borrowed("CROSSCHECK_TLS_DOWNLOAD_BYTES"),
        description: Cow::Borrowed(""),
        kind: ParameterKind::Bytes,
        default: 10_000_000,
        deadline_per_billion_ms: Some(30_000),
    };
    const ROUNDS: Parameter = Parameter {
        name: Cow::Borrowed("rounds"),
        env: Cow::Borrowed("CROSSCHECK_TLS_ROUNDS"),
        description: Cow::Borrowed(""),
        kind: ParameterKind::Count,
        default: 3,
        deadline_per_billion_ms: None,
    };
    static CASE: Case = Case {
        name: Cow::Borrowed("large_data_download"),
        description: Cow::Borrowed(""),
        upstream: true,
        client_duty: Cow::Borrowed(""),
        server_duty: Cow::Borrowed(""),
        deadline_ms: 20_000,
        parameters: Cow::Borrowed(&[DOWNLOAD, ROUNDS]),
        relay: None,
        client_facts: Cow::Borrowed(&[]),
        server_facts: Cow::Borrowed(&[]),
        wire: crate::tls::Wire::ANY,
        refusal: None,
        client_starts_at_second: false,
    };

    /// `text` for the parameter read from the variable `env`.
    fn environment(parameter: &Parameter, env: &str, text: &str) -> Option<Setting> {
        (parameter.env == env).then(|| Setting::from_environment(env, text.to_string()))
    }

    #[test]
    fn spec_values_apply_without_overrides() {
        let values = resolve(&CASE, |_| None).expect("resolve");
        assert_eq!(values[0].value, 10_000_000);
        assert!(!values[0].overridden);
        assert_eq!(transfer_bytes(&values), Some(10_000_000));
        assert_eq!(deadline(&CASE, &values), Duration::from_millis(20_300));
    }

    #[test]
    fn overrides_take_units_and_extend_the_deadline() {
        let values = resolve(&CASE, |parameter| {
            environment(parameter, "CROSSCHECK_TLS_DOWNLOAD_BYTES", "2 GB")
        })
        .expect("resolve");
        assert_eq!(values[0].value, 2_000_000_000);
        assert!(values[0].overridden);
        assert_eq!(deadline(&CASE, &values), Duration::from_secs(80));
        let binary = resolve(&CASE, |parameter| {
            environment(parameter, "CROSSCHECK_TLS_DOWNLOAD_BYTES", "1 MiB")
        })
        .expect("resolve");
        assert_eq!(binary[0].value, 1_048_576);
    }

    #[test]
    fn malformed_overrides_name_the_variable() {
        let error = resolve(&CASE, |parameter| {
            environment(parameter, "CROSSCHECK_TLS_DOWNLOAD_BYTES", "lots")
        })
        .expect_err("must fail")
        .to_string();
        assert!(
            error.starts_with("CROSSCHECK_TLS_DOWNLOAD_BYTES=\"lots\" is not a size"),
            "{error}"
        );
        let error = resolve(&CASE, |parameter| {
            environment(parameter, "CROSSCHECK_TLS_ROUNDS", "-1")
        })
        .expect_err("must fail")
        .to_string();
        assert!(error.contains("not a whole number"), "{error}");
    }

    #[test]
    fn malformed_settings_name_the_option() {
        let error = resolve(&CASE, |parameter| {
            (parameter.name == "download_bytes").then(|| Setting {
                origin: "--set download_bytes".to_string(),
                text: "banana".to_string(),
            })
        })
        .expect_err("must fail")
        .to_string();
        assert!(
            error.starts_with("--set download_bytes=\"banana\" is not a size"),
            "{error}"
        );
    }
}
