//! The command line: one table of every flag the shims understand, with its
//! kind, and the parser that applies BoringSSL's prefix rules to it.
//!
//! Any flag not in [`FLAGS`] makes the whole test unimplemented (exit 89): a
//! flag is never ignored unless it is addressed to a split handshaker
//! (`-on-handshaker-`), which these shims never run.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use crate::config::TestConfig;

/// How a flag takes its value and where it stores it.
#[derive(Clone, Copy)]
pub enum Kind {
    /// No value; sets a switch.
    Bool(fn(&mut TestConfig)),
    /// A decimal integer (may repeat, e.g. `-curves`).
    Int(fn(&mut TestConfig, i64) -> Result<(), String>),
    /// A string of arbitrary bytes (ALPN lists are raw wire bytes).
    Bytes(fn(&mut TestConfig, &[u8]) -> Result<(), String>),
}

/// One supported flag.
#[derive(Clone, Copy)]
pub struct Flag {
    pub name: &'static str,
    pub kind: Kind,
}

const fn boolean(name: &'static str, set: fn(&mut TestConfig)) -> Flag {
    Flag {
        name,
        kind: Kind::Bool(set),
    }
}

const fn int(name: &'static str, set: fn(&mut TestConfig, i64) -> Result<(), String>) -> Flag {
    Flag {
        name,
        kind: Kind::Int(set),
    }
}

const fn bytes(name: &'static str, set: fn(&mut TestConfig, &[u8]) -> Result<(), String>) -> Flag {
    Flag {
        name,
        kind: Kind::Bytes(set),
    }
}

fn narrow<T: TryFrom<i64>>(value: i64) -> Result<T, String> {
    T::try_from(value).map_err(|_| format!("{value} is out of range"))
}

fn text(value: &[u8]) -> Result<String, String> {
    String::from_utf8(value.to_vec()).map_err(|_| "not UTF-8".to_string())
}

fn path(value: &[u8]) -> PathBuf {
    PathBuf::from(OsStr::from_bytes(value))
}

/// Decodes standard base64 with padding, as BoringSSL's base64 flags.
pub fn base64(value: &[u8]) -> Result<Vec<u8>, String> {
    fn sextet(byte: u8) -> Option<u32> {
        match byte {
            b'A'..=b'Z' => Some(u32::from(byte - b'A')),
            b'a'..=b'z' => Some(u32::from(byte - b'a') + 26),
            b'0'..=b'9' => Some(u32::from(byte - b'0') + 52),
            b'+' => Some(62),
            b'/' => Some(63),
            _ => None,
        }
    }
    let invalid = || "not valid base64".to_string();
    if !value.len().is_multiple_of(4) {
        return Err(invalid());
    }
    let mut out = Vec::with_capacity(value.len() / 4 * 3);
    let chunks = value.len() / 4;
    for (index, chunk) in value.chunks(4).enumerate() {
        let padding = chunk.iter().rev().take_while(|&&byte| byte == b'=').count();
        if padding > 2 || (padding > 0 && index + 1 != chunks) {
            return Err(invalid());
        }
        let mut bits = 0u32;
        for &byte in &chunk[..4 - padding] {
            bits = (bits << 6) | sextet(byte).ok_or_else(invalid)?;
        }
        bits <<= 6 * padding;
        let bytes = bits.to_be_bytes();
        out.extend_from_slice(&bytes[1..4 - padding]);
    }
    Ok(out)
}

/// Every flag the shims understand. Whether a library can honour a value is
/// decided later, by the adapter, before any network activity.
pub const FLAGS: &[Flag] = &[
    // Process and transport.
    int("-port", |c, v| {
        c.port = narrow(v)?;
        Ok(())
    }),
    int("-shim-id", |c, v| {
        c.shim_id = narrow(v)?;
        Ok(())
    }),
    boolean("-ipv6", |c| c.ipv6 = true),
    boolean("-server", |c| c.is_server = true),
    int("-resume-count", |c, v| {
        c.resume_count = narrow(v)?;
        Ok(())
    }),
    boolean("-is-handshaker-supported", |c| {
        c.is_handshaker_supported = true
    }),
    // Credentials and trust.
    bytes("-cert-file", |c, v| {
        c.cert_file = Some(path(v));
        Ok(())
    }),
    bytes("-key-file", |c, v| {
        c.key_file = Some(path(v));
        Ok(())
    }),
    bytes("-trust-cert", |c, v| {
        c.trust_cert = Some(path(v));
        Ok(())
    }),
    int("-signing-prefs", |c, v| {
        c.signing_prefs.push(narrow(v)?);
        Ok(())
    }),
    int("-verify-prefs", |c, v| {
        c.verify_prefs.push(narrow(v)?);
        Ok(())
    }),
    int("-expect-peer-signature-algorithm", |c, v| {
        c.expect_peer_signature_algorithm = Some(narrow(v)?);
        Ok(())
    }),
    bytes("-ocsp-response", |c, v| {
        c.ocsp_response = Some(base64(v)?);
        Ok(())
    }),
    boolean("-enable-ocsp-stapling", |c| c.enable_ocsp_stapling = true),
    bytes("-psk", |c, v| {
        c.psk = v.to_vec();
        Ok(())
    }),
    bytes("-psk-identity", |c, v| {
        c.psk_identity = v.to_vec();
        Ok(())
    }),
    bytes("-expect-ocsp-response", |c, v| {
        c.expect_ocsp_response = Some(base64(v)?);
        Ok(())
    }),
    // Versions.
    int("-min-version", |c, v| {
        c.min_version = Some(narrow(v)?);
        Ok(())
    }),
    int("-max-version", |c, v| {
        c.max_version = Some(narrow(v)?);
        Ok(())
    }),
    int("-expect-version", |c, v| {
        c.expect_version = Some(narrow(v)?);
        Ok(())
    }),
    boolean("-no-tls1", |c| c.no_tls1 = true),
    boolean("-no-tls11", |c| c.no_tls11 = true),
    boolean("-no-tls12", |c| c.no_tls12 = true),
    boolean("-no-tls13", |c| c.no_tls13 = true),
    // Cipher suites and groups.
    bytes("-cipher", |c, v| {
        c.cipher = Some(text(v)?);
        Ok(())
    }),
    boolean("-server-preference", |c| c.server_preference = true),
    int("-curves", |c, v| {
        c.curves.push(narrow(v)?);
        Ok(())
    }),
    int("-expect-curve-id", |c, v| {
        c.expect_curve_id = Some(narrow(v)?);
        Ok(())
    }),
    // ALPN.
    bytes("-advertise-alpn", |c, v| {
        c.advertise_alpn = v.to_vec();
        Ok(())
    }),
    bytes("-select-alpn", |c, v| {
        c.select_alpn = v.to_vec();
        Ok(())
    }),
    bytes("-expect-alpn", |c, v| {
        c.expect_alpn = v.to_vec();
        Ok(())
    }),
    bytes("-expect-advertised-alpn", |c, v| {
        c.expect_advertised_alpn = v.to_vec();
        Ok(())
    }),
    boolean("-decline-alpn", |c| c.decline_alpn = true),
    boolean("-reject-alpn", |c| c.reject_alpn = true),
    // Peer authentication.
    boolean("-require-any-client-certificate", |c| {
        c.require_any_client_certificate = true
    }),
    boolean("-verify-peer", |c| c.verify_peer = true),
    boolean("-verify-fail", |c| c.verify_fail = true),
    boolean("-expect-verify-result", |c| c.expect_verify_result = true),
    bytes("-expect-peer-cert-file", |c, v| {
        c.expect_peer_cert_file = Some(path(v));
        Ok(())
    }),
    bytes("-host-name", |c, v| {
        c.host_name = Some(text(v)?);
        Ok(())
    }),
    bytes("-expect-server-name", |c, v| {
        c.expect_server_name = Some(text(v)?);
        Ok(())
    }),
    // Application data.
    boolean("-shim-writes-first", |c| c.shim_writes_first = true),
    boolean("-shim-shuts-down", |c| c.shim_shuts_down = true),
    boolean("-check-close-notify", |c| c.check_close_notify = true),
    boolean("-key-update", |c| c.key_update = true),
    boolean("-key-update-before-read", |c| {
        c.key_update_before_read = true
    }),
    int("-read-size", |c, v| {
        c.read_size = Some(narrow(v)?);
        Ok(())
    }),
    boolean("-write-different-record-sizes", |c| {
        c.write_different_record_sizes = true
    }),
    int("-export-keying-material", |c, v| {
        c.export_keying_material = narrow(v)?;
        Ok(())
    }),
    bytes("-export-label", |c, v| {
        c.export_label = v.to_vec();
        Ok(())
    }),
    bytes("-export-context", |c, v| {
        c.export_context = v.to_vec();
        Ok(())
    }),
    boolean("-use-export-context", |c| c.use_export_context = true),
    // Sessions.
    boolean("-no-ticket", |c| c.no_ticket = true),
    boolean("-expect-session-miss", |c| c.expect_session_miss = true),
    boolean("-expect-no-session", |c| c.expect_no_session = true),
    boolean("-expect-session-id", |c| c.expect_session_id = true),
    boolean("-expect-no-session-id", |c| c.expect_no_session_id = true),
    boolean("-expect-ticket-supports-early-data", |c| {
        c.expect_ticket_supports_early_data = true
    }),
    boolean("-expect-extended-master-secret", |c| {
        c.expect_extended_master_secret = true
    }),
    // Handshake shape.
    boolean("-expect-hrr", |c| c.expect_hrr = true),
    boolean("-expect-no-hrr", |c| c.expect_no_hrr = true),
    // I/O driving modes and callback APIs of the BoringSSL shim.
    boolean("-async", |c| c.async_io = true),
    boolean("-implicit-handshake", |c| c.implicit_handshake = true),
    boolean("-use-custom-verify-callback", |c| {
        c.use_custom_verify_callback = true
    }),
    boolean("-use-old-client-cert-callback", |c| {
        c.use_old_client_cert_callback = true
    }),
    boolean("-use-early-callback", |c| c.use_early_callback = true),
];

/// Looks a flag up by its full name (`-curves`).
pub fn find(name: &str) -> Option<&'static Flag> {
    FLAGS.iter().find(|flag| flag.name == name)
}

/// The parsed command line: one configuration per connection kind.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Invocation {
    /// The first connection.
    pub initial: TestConfig,
    /// Every resumption connection.
    pub resume: TestConfig,
}

impl Invocation {
    /// The configuration of connection `index` (0 is the initial one).
    pub fn connection(&self, index: u32) -> &TestConfig {
        if index == 0 {
            &self.initial
        } else {
            &self.resume
        }
    }
}

/// Why the command line was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParseError {
    /// A flag (or prefix) this shim does not implement: exit 89.
    Unimplemented(String),
    /// A malformed command line (missing or bad value).
    Invalid(String),
}

/// Which connections a flag applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    All,
    Initial,
    Resume,
}

/// Strips `prefix` when it is followed by `-`, keeping the `-`.
fn strip<'a>(name: &'a str, prefix: &str) -> Option<&'a str> {
    name.strip_prefix(prefix)
        .filter(|rest| rest.starts_with('-'))
}

/// Parses the arguments (without the program name) with BoringSSL's rules:
/// `-on-shim-` flags apply here, `-on-handshaker-` flags are for a split
/// handshaker and skipped, `-on-initial-`/`-on-resume-` flags apply to one
/// connection kind and unprefixed flags to all.
pub fn parse(arguments: &[Vec<u8>]) -> Result<Invocation, ParseError> {
    let mut invocation = Invocation::default();
    let mut index = 0;
    while index < arguments.len() {
        let argument = &arguments[index];
        index += 1;
        let Ok(full) = std::str::from_utf8(argument) else {
            return Err(ParseError::Unimplemented(format!(
                "unimplemented flag: {}",
                String::from_utf8_lossy(argument)
            )));
        };
        let mut name = full;
        let mut skip = false;
        if let Some(rest) = strip(name, "-on-shim") {
            name = rest;
        } else if let Some(rest) = strip(name, "-on-handshaker") {
            name = rest;
            skip = true;
        }
        let mut target = Target::All;
        if let Some(rest) = strip(name, "-on-initial") {
            name = rest;
            target = Target::Initial;
        } else if let Some(rest) = strip(name, "-on-resume") {
            name = rest;
            target = Target::Resume;
        } else if strip(name, "-on-retry").is_some() {
            return Err(ParseError::Unimplemented(format!(
                "unimplemented flag: {full} (0-RTT retry configurations are not supported)"
            )));
        }
        let Some(flag) = find(name) else {
            return Err(ParseError::Unimplemented(format!(
                "unimplemented flag: {full}"
            )));
        };
        let value = match flag.kind {
            Kind::Bool(_) => None,
            Kind::Int(_) | Kind::Bytes(_) => {
                let Some(value) = arguments.get(index) else {
                    return Err(ParseError::Invalid(format!("missing value for {full}")));
                };
                index += 1;
                Some(value.as_slice())
            }
        };
        if skip {
            continue;
        }
        let configs: Vec<&mut TestConfig> = match target {
            Target::All => vec![&mut invocation.initial, &mut invocation.resume],
            Target::Initial => vec![&mut invocation.initial],
            Target::Resume => vec![&mut invocation.resume],
        };
        for config in configs {
            apply(flag, value, config).map_err(|message| {
                ParseError::Invalid(format!("invalid value for {full}: {message}"))
            })?;
        }
    }
    Ok(invocation)
}

fn apply(flag: &Flag, value: Option<&[u8]>, config: &mut TestConfig) -> Result<(), String> {
    match (flag.kind, value) {
        (Kind::Bool(set), _) => {
            set(config);
            Ok(())
        }
        (Kind::Int(set), Some(value)) => {
            let text = std::str::from_utf8(value).map_err(|_| "not a number".to_string())?;
            let number: i64 = text
                .trim()
                .parse()
                .map_err(|_| format!("{text:?} is not a number"))?;
            set(config, number)
        }
        (Kind::Bytes(set), Some(value)) => set(config, value),
        (_, None) => Err("missing value".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<Vec<u8>> {
        list.iter().map(|arg| arg.as_bytes().to_vec()).collect()
    }

    #[test]
    fn runner_prefix_parses() {
        let invocation = parse(&args(&[
            "-port",
            "44089",
            "-shim-id",
            "7",
            "-ipv6",
            "-server",
            "-resume-count",
            "1",
            "-cert-file",
            "/tmp/cert",
        ]))
        .expect("parses");
        for config in [&invocation.initial, &invocation.resume] {
            assert_eq!(config.port, 44089);
            assert_eq!(config.shim_id, 7);
            assert!(config.ipv6 && config.is_server);
            assert_eq!(config.resume_count, 1);
            assert_eq!(config.cert_file, Some(PathBuf::from("/tmp/cert")));
        }
    }

    #[test]
    fn unknown_flags_are_unimplemented() {
        assert_eq!(
            parse(&args(&["-port", "1", "-enable-channel-id"])),
            Err(ParseError::Unimplemented(
                "unimplemented flag: -enable-channel-id".to_string()
            ))
        );
        assert!(matches!(
            parse(&args(&["-on-retry-expect-alpn", "foo"])),
            Err(ParseError::Unimplemented(_))
        ));
        assert!(matches!(
            parse(&args(&["-on-resume-use-ticket-callback"])),
            Err(ParseError::Unimplemented(_))
        ));
    }

    #[test]
    fn prefixes_select_connections() {
        let invocation = parse(&args(&[
            "-on-initial-expect-curve-id",
            "29",
            "-on-resume-expect-curve-id",
            "23",
            "-curves",
            "29",
            "-curves",
            "23",
            "-on-shim-expect-hrr",
            "-on-handshaker-expect-alpn",
            "ignored",
        ]))
        .expect("parses");
        assert_eq!(invocation.initial.expect_curve_id, Some(29));
        assert_eq!(invocation.resume.expect_curve_id, Some(23));
        assert_eq!(invocation.initial.curves, vec![29, 23]);
        assert_eq!(invocation.resume.curves, vec![29, 23]);
        assert!(invocation.initial.expect_hrr && invocation.resume.expect_hrr);
        assert!(invocation.initial.expect_alpn.is_empty());
        assert_eq!(invocation.connection(0), &invocation.initial);
        assert_eq!(invocation.connection(2), &invocation.resume);
    }

    #[test]
    fn values_are_checked() {
        assert!(matches!(
            parse(&args(&["-port"])),
            Err(ParseError::Invalid(_))
        ));
        assert!(matches!(
            parse(&args(&["-port", "http"])),
            Err(ParseError::Invalid(_))
        ));
        assert!(matches!(
            parse(&args(&["-curves", "70000"])),
            Err(ParseError::Invalid(_))
        ));
    }

    #[test]
    fn alpn_values_keep_raw_bytes() {
        let arguments = vec![b"-advertise-alpn".to_vec(), b"\x03foo\x03bar".to_vec()];
        let invocation = parse(&arguments).expect("parses");
        assert_eq!(invocation.initial.advertise_alpn, b"\x03foo\x03bar");
    }

    #[test]
    fn base64_values_decode() {
        assert_eq!(base64(b"AQIDBA=="), Ok(vec![1, 2, 3, 4]));
        assert_eq!(base64(b"BQYHCA=="), Ok(vec![5, 6, 7, 8]));
        assert_eq!(base64(b"AAYABAECAwQ="), Ok(vec![0, 6, 0, 4, 1, 2, 3, 4]));
        assert_eq!(base64(b"AwQ="), Ok(vec![3, 4]));
        assert_eq!(base64(b""), Ok(vec![]));
        assert!(base64(b"AQI").is_err());
        assert!(base64(b"A=QI").is_err());
        assert!(base64(b"AQ==AQ==").is_err());
        assert!(base64(b"AQ*=").is_err());
    }

    #[test]
    fn flag_names_are_unique() {
        for (index, flag) in FLAGS.iter().enumerate() {
            assert!(
                FLAGS[index + 1..]
                    .iter()
                    .all(|other| other.name != flag.name),
                "{} is listed twice",
                flag.name
            );
        }
    }
}
