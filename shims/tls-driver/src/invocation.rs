//! What a shim was asked to do: the command line and the `CROSSCHECK_TLS_*`
//! environment variables, parsed without trusting either.

use std::ffi::OsString;
use std::path::PathBuf;

use crate::case::{Case, Role};

/// `[OPTIONS...] client|server CASE PORT`, with the options left to the library.
#[derive(Debug, PartialEq, Eq)]
pub struct Invocation {
    /// Leading arguments before the role, for the library adapter.
    pub options: Vec<String>,
    pub role: Role,
    pub case: Case,
    pub port: u16,
}

impl Invocation {
    /// Parses the arguments after the program name; the error says what is wrong.
    pub fn parse(arguments: impl IntoIterator<Item = OsString>) -> Result<Invocation, String> {
        let mut arguments = arguments
            .into_iter()
            .map(|argument| {
                argument
                    .into_string()
                    .map_err(|argument| format!("argument {argument:?} is not valid UTF-8"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if arguments.len() < 3 {
            return Err(format!(
                "expected ROLE CASE PORT, got {} argument(s)",
                arguments.len()
            ));
        }
        let tail = arguments.split_off(arguments.len() - 3);
        let [role, case, port] =
            <[String; 3]>::try_from(tail).map_err(|_| "expected ROLE CASE PORT".to_string())?;
        let role = Role::from_name(&role)
            .ok_or_else(|| format!("unknown role {role:?} (expected client or server)"))?;
        let case = Case::from_name(&case).ok_or_else(|| {
            let names: Vec<&str> = Case::ALL.iter().map(|case| case.name()).collect();
            format!(
                "unknown case {case:?} (expected one of {})",
                names.join(", ")
            )
        })?;
        let port = match port.parse::<u16>() {
            Ok(port) if port != 0 => port,
            _ => return Err(format!("invalid port {port:?} (expected 1 to 65535)")),
        };
        Ok(Invocation {
            options: arguments,
            role,
            case,
            port,
        })
    }
}

/// Directory of the test PKI.
pub const CERTIFICATES_VARIABLE: &str = "CROSSCHECK_TLS_CERTIFICATES";
/// Bytes the server sends in the download cases.
pub const DOWNLOAD_BYTES_VARIABLE: &str = "CROSSCHECK_TLS_DOWNLOAD_BYTES";
/// Distance between the server's KeyUpdate requests.
pub const KEY_UPDATE_INTERVAL_VARIABLE: &str = "CROSSCHECK_TLS_KEY_UPDATE_INTERVAL_BYTES";

const DEFAULT_CERTIFICATES: &str = "certificates";
const DEFAULT_DOWNLOAD_BYTES: u64 = 256_000_000_000;
const DEFAULT_KEY_UPDATE_INTERVAL_BYTES: u64 = 1_000_000_000;

/// The scenario parameters taken from the environment.
#[derive(Debug, PartialEq, Eq)]
pub struct Parameters {
    pub certificates: PathBuf,
    pub download_bytes: u64,
    /// Never zero.
    pub key_update_interval_bytes: u64,
}

impl Parameters {
    /// Reads the process environment.
    pub fn from_env() -> Result<Parameters, String> {
        Parameters::from_lookup(|name| std::env::var_os(name))
    }

    /// Reads the variables through `lookup` (the environment, or a test's map).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<OsString>) -> Result<Parameters, String> {
        let certificates = lookup(CERTIFICATES_VARIABLE)
            .filter(|value| !value.is_empty())
            .map_or_else(|| PathBuf::from(DEFAULT_CERTIFICATES), PathBuf::from);
        let download_bytes = number(&lookup, DOWNLOAD_BYTES_VARIABLE, DEFAULT_DOWNLOAD_BYTES)?;
        let key_update_interval_bytes = number(
            &lookup,
            KEY_UPDATE_INTERVAL_VARIABLE,
            DEFAULT_KEY_UPDATE_INTERVAL_BYTES,
        )?;
        if key_update_interval_bytes == 0 {
            return Err(format!("{KEY_UPDATE_INTERVAL_VARIABLE} must be at least 1"));
        }
        Ok(Parameters {
            certificates,
            download_bytes,
            key_update_interval_bytes,
        })
    }
}

fn number(
    lookup: &impl Fn(&str) -> Option<OsString>,
    name: &str,
    default: u64,
) -> Result<u64, String> {
    let Some(value) = lookup(name) else {
        return Ok(default);
    };
    value
        .to_str()
        .and_then(|text| text.trim().parse::<u64>().ok())
        .ok_or_else(|| format!("{name}={value:?} is not a whole number of bytes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(arguments: &[&str]) -> Result<Invocation, String> {
        Invocation::parse(arguments.iter().map(OsString::from))
    }

    #[test]
    fn parses_role_case_port_after_options() {
        let invocation = parse(&["--provider", "ring", "server", "early_data", "4433"]).unwrap();
        assert_eq!(invocation.options, ["--provider", "ring"]);
        assert_eq!(invocation.role, Role::Server);
        assert_eq!(invocation.case, Case::EarlyData);
        assert_eq!(invocation.port, 4433);
    }

    #[test]
    fn rejects_bad_arguments_with_a_reason() {
        assert!(
            parse(&["client", "handshake"])
                .unwrap_err()
                .contains("ROLE CASE PORT")
        );
        assert!(
            parse(&["peer", "handshake", "1"])
                .unwrap_err()
                .contains("role")
        );
        assert!(
            parse(&["client", "nope", "1"])
                .unwrap_err()
                .contains("case")
        );
        assert!(
            parse(&["client", "handshake", "0"])
                .unwrap_err()
                .contains("port")
        );
        assert!(
            parse(&["client", "handshake", "70000"])
                .unwrap_err()
                .contains("port")
        );
        assert!(
            parse(&["client", "handshake", "x"])
                .unwrap_err()
                .contains("port")
        );
    }

    #[test]
    fn environment_defaults_and_errors() {
        let defaults = Parameters::from_lookup(|_| None).unwrap();
        assert_eq!(defaults.certificates, PathBuf::from("certificates"));
        assert_eq!(defaults.download_bytes, 256_000_000_000);
        assert_eq!(defaults.key_update_interval_bytes, 1_000_000_000);

        let set = Parameters::from_lookup(|name| match name {
            DOWNLOAD_BYTES_VARIABLE => Some("10000000".into()),
            KEY_UPDATE_INTERVAL_VARIABLE => Some("1000000".into()),
            CERTIFICATES_VARIABLE => Some("/pki".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(set.download_bytes, 10_000_000);
        assert_eq!(set.key_update_interval_bytes, 1_000_000);
        assert_eq!(set.certificates, PathBuf::from("/pki"));

        let malformed = Parameters::from_lookup(|name| {
            (name == DOWNLOAD_BYTES_VARIABLE).then(|| "10MB".into())
        });
        assert!(malformed.unwrap_err().contains(DOWNLOAD_BYTES_VARIABLE));
        let zero = Parameters::from_lookup(|name| {
            (name == KEY_UPDATE_INTERVAL_VARIABLE).then(|| "0".into())
        });
        assert!(zero.unwrap_err().contains(KEY_UPDATE_INTERVAL_VARIABLE));
    }
}
