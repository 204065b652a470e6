//! What each BoGo test expects, decided once: for every shim with a
//! program, every variant and every case, the first entry of the variant's
//! config that matches the case's name — `DisabledTests` (unless the
//! shim's runner includes disabled tests), then `unimplemented`, then
//! `expected_failures` — or a plain pass.

use std::borrow::Cow;

use crosscheck_model::expectation::{Declared, Expectation};
use go_glob::Pattern;

use crate::bogo_cases::plan::CasesPlan;
use crate::bogo_shims::plan::{PlannedTest, ShimPlan, TestGlob, VariantPlan};

/// Fills each variant's `expected` with the cases that must not simply
/// pass. (The shim compiler has checked every glob; one that does not
/// compile matches nothing.)
pub fn expand(cases: &CasesPlan, shims: &mut [ShimPlan]) {
    for shim in shims.iter_mut().filter(|shim| shim.program.is_some()) {
        let include_disabled = shim.runner.include_disabled;
        for variant in &mut shim.variants {
            let sections = sections(variant, include_disabled);
            variant.expected = cases
                .cases
                .iter()
                .filter_map(|case| {
                    let expectation = expectation(&sections, case.name())?;
                    Some(PlannedTest {
                        case: Cow::Owned(case.name().to_string()),
                        expectation,
                    })
                })
                .collect();
        }
    }
}

/// How a section's entries change a test, with the entries compiled.
struct Section<'a> {
    key: &'static str,
    expect: fn(Declared) -> Expectation,
    globs: Vec<(Pattern, &'a TestGlob)>,
}

fn sections(variant: &VariantPlan, include_disabled: bool) -> [Section<'_>; 3] {
    let disabled = match (include_disabled, &variant.config.disabled_tests) {
        (false, Some(entries)) => compile(entries),
        _ => Vec::new(),
    };
    [
        Section {
            key: "DisabledTests",
            expect: Expectation::Disabled,
            globs: disabled,
        },
        Section {
            key: "unimplemented",
            expect: |entry| Expectation::Unsupported(vec![entry].into()),
            globs: compile(&variant.config.unimplemented),
        },
        Section {
            key: "expected_failures",
            expect: Expectation::Fail,
            globs: compile(&variant.config.expected_failures),
        },
    ]
}

fn compile(entries: &[TestGlob]) -> Vec<(Pattern, &TestGlob)> {
    entries
        .iter()
        .filter_map(|entry| Some((Pattern::new(&entry.glob).ok()?, entry)))
        .collect()
}

/// The first matching entry's expectation, or `None` for a plain pass.
fn expectation(sections: &[Section<'_>], case: &str) -> Option<Expectation> {
    sections.iter().find_map(|section| {
        let (_, entry) = section
            .globs
            .iter()
            .find(|(pattern, _)| pattern.matches(case))?;
        Some((section.expect)(Declared {
            who: "shim".into(),
            name: format!("{} `{}`", section.key, entry.glob).into(),
            reason: entry.reason.clone(),
            declared_at: entry.declared_at.clone(),
        }))
    })
}

#[cfg(test)]
mod tests {
    use crosscheck_model::expectation::Expectation;

    use super::{expectation, sections};
    use crate::bogo_shims::plan::{ConfigPlan, TestGlob, VariantPlan};

    fn glob(glob: &str, reason: &str, line: u32) -> TestGlob {
        TestGlob {
            glob: glob.to_string().into(),
            reason: reason.to_string().into(),
            declared_at: format!("s.yaml:{line}:3").into(),
        }
    }

    fn variant() -> VariantPlan {
        VariantPlan {
            name: "default".to_string(),
            description: String::new(),
            env: Vec::new(),
            config: ConfigPlan {
                disabled_tests: Some(vec![
                    glob("*-TLS1", "old", 1),
                    glob("Basic-*", "basic", 2),
                    glob("[", "malformed", 3),
                ]),
                unimplemented: vec![glob("ALPN-*", "no ALPN flags", 4)],
                expected_failures: vec![glob("*-Sync", "known bug", 5)],
                ..ConfigPlan::default()
            },
            config_json: String::new(),
            expected: Vec::new(),
        }
    }

    fn reason(expectation: Option<Expectation>) -> Option<(String, String)> {
        let expectation = expectation?;
        let entry = expectation.declared().first()?;
        Some((entry.name.to_string(), entry.declared_at.to_string()))
    }

    #[test]
    fn a_test_expects_what_the_first_matching_glob_of_the_first_section_says() {
        let variant = variant();
        let sections = sections(&variant, false);
        let of = |case| expectation(&sections, case);
        assert_eq!(
            of("Basic-Client-TLS1")
                .and_then(|e| e.ignore_reason())
                .as_deref(),
            Some("old (DisabledTests `*-TLS1`, s.yaml:1:3)")
        );
        assert_eq!(
            reason(of("Basic-Server-Sync")),
            Some(("DisabledTests `Basic-*`".into(), "s.yaml:2:3".into()))
        );
        assert!(matches!(
            of("ALPN-Server"),
            Some(Expectation::Unsupported(_))
        ));
        assert_eq!(
            reason(of("ALPN-Server")),
            Some(("unimplemented `ALPN-*`".into(), "s.yaml:4:3".into()))
        );
        assert!(matches!(of("Resume-Sync"), Some(Expectation::Fail(_))));
        assert_eq!(of("Other-TLS12"), None);
    }

    #[test]
    fn a_shim_that_runs_disabled_tests_expects_them_to_pass() {
        let variant = variant();
        let sections = sections(&variant, true);
        assert_eq!(expectation(&sections, "Basic-Client-TLS1"), None);
        assert!(matches!(
            expectation(&sections, "Basic-Client-Sync"),
            Some(Expectation::Fail(_))
        ));
    }
}
