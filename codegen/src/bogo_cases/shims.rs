//! The shims' side of the tests: each checked shim config as
//! [`ShimTests`], its `DisabledTests` globs deciding which tests are
//! `#[ignore]`d and why.

use go_glob::Pattern;

use crate::bogo_cases::emit::{Disabled, ShimTests, VariantTests};
use crate::bogo_shims::plan::{ShimPlan, TestGlobPlan};

/// One [`ShimTests`] per shim, in `SHIMS` order. A case matched by one of a
/// variant's globs is disabled with the first matching entry's reason and
/// where it is declared, unless the shim's runner options include disabled
/// tests. (The shim compiler has checked every glob; one that does not
/// compile matches nothing.)
pub fn from_shim_plans(plans: &[ShimPlan]) -> Vec<ShimTests<'_>> {
    plans
        .iter()
        .enumerate()
        .filter(|(_, shim)| shim.program.is_some())
        .map(|(index, shim)| ShimTests {
            index,
            name: &shim.name,
            variants: shim
                .variants
                .iter()
                .map(|variant| {
                    let disabled = if shim.runner.include_disabled {
                        &[]
                    } else {
                        variant.config.disabled_tests.as_deref().unwrap_or_default()
                    };
                    VariantTests {
                        name: &variant.name,
                        disabled: disabled_by(disabled),
                    }
                })
                .collect(),
        })
        .collect()
}

/// Why a case is disabled by `entries`, if one matches it.
pub fn disabled_by(entries: &[TestGlobPlan]) -> Disabled<'_> {
    let globs: Vec<(Pattern, &TestGlobPlan)> = entries
        .iter()
        .filter_map(|entry| Some((Pattern::new(&entry.glob).ok()?, entry)))
        .collect();
    Box::new(move |case| {
        globs
            .iter()
            .find(|(pattern, _)| pattern.matches(case))
            .map(|(_, entry)| {
                format!(
                    "{} (DisabledTests `{}`, {})",
                    entry.reason, entry.glob, entry.declared_at
                )
            })
    })
}

#[cfg(test)]
mod tests {
    use super::disabled_by;
    use crate::bogo_shims::plan::TestGlobPlan;

    #[test]
    fn the_first_matching_glob_gives_the_reason() {
        let entries = [
            TestGlobPlan {
                glob: "*-TLS1".to_string(),
                reason: "old".to_string(),
                declared_at: "s.yaml:1:3".to_string(),
            },
            TestGlobPlan {
                glob: "Basic-*".to_string(),
                reason: "basic".to_string(),
                declared_at: "s.yaml:2:3".to_string(),
            },
            TestGlobPlan {
                glob: "[".to_string(),
                reason: "malformed".to_string(),
                declared_at: "s.yaml:3:3".to_string(),
            },
        ];
        let disabled = disabled_by(&entries);
        assert_eq!(
            disabled("Basic-Client-TLS1").as_deref(),
            Some("old (DisabledTests `*-TLS1`, s.yaml:1:3)")
        );
        assert_eq!(
            disabled("Basic-Server").as_deref(),
            Some("basic (DisabledTests `Basic-*`, s.yaml:2:3)")
        );
        assert_eq!(disabled("Other"), None);
    }
}
