//! A case's shim flags: flags start with `-`, a flag with a value is a pair,
//! the runner's own flags come from the case's fields, and values use only
//! the runner's credential placeholders.

use crate::bogo_cases::model::FlagDoc;
use crate::located::Located;

use crate::diagnostic::FileChecks;
use crate::placeholders;

/// Placeholders the runner replaces in flag values.
pub const PLACEHOLDERS: &[&str] = &["cert_file", "key_file", "ca_file"];

/// Flags the runner adds itself, and where a case says what they say.
const RUNNER_FLAGS: &[(&str, &str)] = &[
    ("-port", "the runner's connection set-up"),
    ("-shim-id", "the runner's connection set-up"),
    ("-ipv6", "the runner's connection set-up"),
    ("-server", "`shim_role: server`"),
    ("-resume-count", "`resume_count`"),
    ("-shim-writes-first", "`shim_writes_first: true`"),
    ("-shim-shuts-down", "`shim_shuts_down: true`"),
];

/// The argv words of `flags`, in order.
pub fn plan_flags(flags: &[Located<FlagDoc>], checks: &mut FileChecks<'_>) -> Vec<String> {
    let mut words = Vec::new();
    for flag in flags {
        match &flag.value {
            FlagDoc::Flag(name) => {
                check_name(name, flag.position, checks);
                words.push(name.clone());
            }
            FlagDoc::WithValue(pair) => {
                if pair.len() != 2 {
                    checks.error(
                        flag.position,
                        format!(
                            "a flag with a value is written `[-flag, value]`: two items, not {}",
                            pair.len()
                        ),
                    );
                }
                if let Some(name) = pair.first() {
                    check_name(name, name.position, checks);
                }
                for value in pair.iter().skip(1) {
                    check_placeholders(value, checks);
                }
                words.extend(pair.iter().map(|word| word.value.clone()));
            }
        }
    }
    words
}

fn check_name(name: &str, position: crate::located::Position, checks: &mut FileChecks<'_>) {
    let is_flag = name.len() > 1 && name.starts_with('-');
    if !is_flag {
        checks.error(
            position,
            format!(
                "`{name}` is not a flag: flags start with `-`, and a value goes with its flag as `[-flag, value]`"
            ),
        );
        return;
    }
    if let Some((_, instead)) = RUNNER_FLAGS.iter().find(|(runner, _)| *runner == name) {
        checks.error(
            position,
            format!("the runner adds `{name}` itself, from {instead}; remove it from `flags`"),
        );
    }
}

fn check_placeholders(value: &Located<String>, checks: &mut FileChecks<'_>) {
    for name in placeholder_names(value) {
        if !PLACEHOLDERS.contains(&name) {
            let known: Vec<String> = PLACEHOLDERS.iter().map(|p| format!("{{{p}}}")).collect();
            checks.error(
                value.position,
                format!(
                    "unknown placeholder `{{{name}}}`; flag values may use {}",
                    known.join(", ")
                ),
            );
        }
    }
}

/// Names of the `{name}` placeholders in `text`: braces around lower-case
/// letters, digits and `_`.
fn placeholder_names(text: &str) -> Vec<&str> {
    placeholders::names(text, |c| {
        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'
    })
}

#[cfg(test)]
mod tests {
    use super::placeholder_names;

    #[test]
    fn placeholders_are_braced_lower_case_words() {
        assert_eq!(
            placeholder_names("{cert_file}:{key_file}{"),
            ["cert_file", "key_file"]
        );
        assert!(placeholder_names("{\"json\": 1} {A}").is_empty());
    }
}
