//! Case names: upstream test names, each defined once, each giving a test
//! function name no other case gives.

use std::collections::HashMap;

use crate::bogo_cases::model::CaseDoc;
use crate::bogo_shims::KnownTests;
use crate::located::Located;
use crate::names::snake_case;

use crate::diagnostic::FileChecks;

/// The test function name of upstream test `name`: acronyms are words of
/// their own, so `ALPNServer-Decline-TLS-TLS13` is
/// `alpn_server_decline_tls_tls13` and `HttpGET` is `http_get`.
pub fn test_name(name: &str) -> Result<String, String> {
    let chars: Vec<char> = name.chars().collect();
    let mut spaced = String::with_capacity(name.len() + 8);
    for (index, &ch) in chars.iter().enumerate() {
        let previous = index.checked_sub(1).and_then(|i| chars.get(i));
        let next = chars.get(index + 1);
        // `ALPNServer`: the `S` ends the acronym `ALPN` and starts a word.
        let ends_acronym = ch.is_ascii_uppercase()
            && previous.is_some_and(char::is_ascii_uppercase)
            && next.is_some_and(char::is_ascii_lowercase);
        if ends_acronym {
            spaced.push(' ');
        }
        spaced.push(ch);
    }
    snake_case(&spaced).map_err(|message| message.replace(&spaced, name))
}

/// The names and test names claimed so far, across every case file.
#[derive(Default)]
pub struct CaseNames {
    /// name → `file:line:col`.
    names: HashMap<String, String>,
    /// test name → (name, `file:line:col`).
    test_names: HashMap<String, (String, String)>,
}

impl CaseNames {
    /// The test name of `name`; a name defined before, a name with no
    /// usable test name and one whose test name is taken are errors (and
    /// give an empty test name).
    pub fn claim(&mut self, name: &Located<String>, checks: &mut FileChecks<'_>) -> String {
        let here = checks.locate(name.position);
        if let Some(first) = self.names.get(&name.value) {
            checks.error(
                name.position,
                format!("case `{}` is already defined at {first}", name.value),
            );
            return String::new();
        }
        self.names.insert(name.value.clone(), here.clone());
        let ident = match test_name(name) {
            Ok(ident) => ident,
            Err(message) => {
                checks.error(name.position, message);
                return String::new();
            }
        };
        if let Some((first, at)) = self.test_names.get(&ident) {
            checks.error(
                name.position,
                format!(
                    "`{}` and `{first}` (at {at}) both become the test name `{ident}`",
                    name.value
                ),
            );
            return String::new();
        }
        self.test_names
            .insert(ident.clone(), (name.value.clone(), here));
        ident
    }
}

/// An upstream case's name must be an upstream test; an own case's must
/// not be, and it needs a description.
pub fn check_upstream(
    name: &Located<String>,
    case: &CaseDoc,
    known: &KnownTests,
    checks: &mut FileChecks<'_>,
) {
    let listed = known.contains(name);
    if case.own {
        if listed {
            checks.error(
                name.position,
                format!(
                    "`{}` is a test of the {}; drop `own: true`",
                    name.value,
                    known.describe()
                ),
            );
        }
        if case.description.is_none() {
            checks.error(
                name.position,
                format!(
                    "crosscheck's own case `{}` needs a `description`",
                    name.value
                ),
            );
        }
    } else if !listed {
        let suggestion = known
            .closest(name)
            .map(|closest| format!(" (did you mean `{closest}`?)"))
            .unwrap_or_default();
        checks.error(
            name.position,
            format!(
                "`{}` is not a test of the {}{suggestion}; a case of crosscheck's own needs `own: true` and a description",
                name.value,
                known.describe()
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::test_name;

    #[test]
    fn acronyms_are_words() {
        let cases = [
            ("VersionTooLow", "version_too_low"),
            ("Basic-Client-TLS-Sync", "basic_client_tls_sync"),
            (
                "ALPNServer-Decline-TLS-TLS13",
                "alpn_server_decline_tls_tls13",
            ),
            ("HttpGET", "http_get"),
            ("TLSFatalBadPackets", "tls_fatal_bad_packets"),
            (
                "TLS-TLS13-AES_128_GCM_SHA256-LargeRecord",
                "tls_tls13_aes_128_gcm_sha256_large_record",
            ),
            ("NoSharedCipher-TLS13", "no_shared_cipher_tls13"),
            ("TLS13-1RTT-Client-TLS-Sync", "tls13_1_rtt_client_tls_sync"),
        ];
        for (name, expected) in cases {
            assert_eq!(test_name(name).as_deref(), Ok(expected), "{name}");
        }
    }

    #[test]
    fn unusable_names_are_errors_naming_the_case() {
        assert_eq!(
            test_name("---"),
            Err("`---` has no letters or digits to build a test name from".to_string())
        );
        assert_eq!(
            test_name("Loop"),
            Err("`Loop` becomes the Rust keyword `loop`; rename it".to_string())
        );
    }
}
