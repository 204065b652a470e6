//! Checks loaded shim files and expands each into one config per variant.
//!
//! Every problem is collected with its location: entries naming unknown
//! variants or claiming a variant twice, empty reasons and errors, globs
//! that are malformed or match no known test (unless kept with
//! `keep_unmatched`, which in turn must not be stale), and per-test map keys
//! that are not known tests.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::rc::Rc;

pub use crosscheck_model::bogo::shim::{
    Address, ErrorMapping, PlannedTest, Protocol, RunnerOptions, TestError, TestGlob,
};
use go_glob::Pattern;

use crate::bogo_shims::json;
use crate::bogo_shims::known_tests::{KnownTests, TestList, UpstreamLists};
use crate::bogo_shims::load::LoadedShim;
use crate::bogo_shims::model::{
    AddressDoc, ErrorsDoc, ShimDoc, TestErrorDoc, TestGlobDoc, VariantDoc, VariantsDoc,
};
use crate::diagnostic::{Diagnostics, FileChecks};
use crate::entries::Entries;
use crate::located::{Located, Position};
use crate::program::{self, is_plain_name};
use crosscheck_model::program::Program;

/// The variant of a shim file that declares none.
pub const DEFAULT_VARIANT: &str = "default";

/// A checked shim, ready to emit.
#[derive(Debug, Clone, PartialEq)]
pub struct ShimPlan {
    /// The file stem, e.g. `rustls-upstream`.
    pub name: String,
    pub description: String,
    /// The shim file, as shown in messages.
    pub declared_in: String,
    /// `None`: a config-only shim file (no program, no tests).
    pub program: Option<Program>,
    pub runner: RunnerOptions,
    /// The id of the upstream test list it was checked against.
    pub upstream_tests: String,
    /// In file order.
    pub variants: Vec<VariantPlan>,
    /// The shim file and its test list (absolute paths).
    pub tracked_files: Vec<String>,
}

/// One variant's config.
#[derive(Debug, Clone, PartialEq)]
pub struct VariantPlan {
    pub name: String,
    pub description: String,
    /// Environment variables the shim gets in this variant.
    pub env: Vec<(String, String)>,
    pub config: ConfigPlan,
    /// The `-shim-config` JSON.
    pub config_json: String,
    /// The cases of this project that must not simply pass in this
    /// variant, and what each expects (filled by the BoGo family's expand
    /// step, which knows the cases).
    pub expected: Vec<PlannedTest>,
}

/// A variant's `-shim-config` content. A map is `Some` when the file has
/// its section (even if no entry holds for this variant).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConfigPlan {
    pub disabled_tests: Option<Vec<TestGlob>>,
    /// Declared unimplemented (the shim exits 89).
    pub unimplemented: Vec<TestGlob>,
    /// Declared to fail.
    pub expected_failures: Vec<TestGlob>,
    pub error_map: Option<Vec<ErrorMapping>>,
    pub test_error_map: Option<Vec<TestError>>,
    pub test_local_error_map: Option<Vec<TestError>>,
    pub half_rtt_tickets: Option<u32>,
    pub max_ack_buffer: Option<u32>,
    pub all_curves: Option<Vec<u16>>,
}

/// Checks and expands every loaded shim. Test lists are read once each;
/// `extra_tests` join every list as known names.
pub fn plan(
    shims: &[LoadedShim],
    lists: &UpstreamLists,
    display_root: &Path,
    extra_tests: &[String],
    diagnostics: &mut Diagnostics,
) -> Vec<ShimPlan> {
    let mut known: HashMap<String, Option<(KnownTests, String)>> = HashMap::new();
    let mut plans = Vec::new();
    for shim in shims {
        let mut checks = FileChecks {
            source: &shim.source,
            diagnostics,
        };
        let id = &shim.doc.upstream_tests;
        if !known.contains_key(&id.value) && lists.ids.contains(&id.value) {
            let tests = match TestList::read(lists, &id.value, display_root) {
                Ok(list) => {
                    let path = std::path::absolute(&list.absolute_path)
                        .unwrap_or_else(|_| list.absolute_path.clone());
                    Some((
                        KnownTests::new(&list, extra_tests),
                        path.display().to_string(),
                    ))
                }
                Err(errors) => {
                    checks.diagnostics.extend(errors);
                    None
                }
            };
            known.insert(id.value.clone(), tests);
        }
        if !lists.ids.contains(&id.value) {
            let available = if lists.ids.is_empty() {
                format!("{} holds no `*.txt` lists", lists.directory.display())
            } else {
                format!("expected one of {}", lists.ids.join(", "))
            };
            checks.error(
                id.position,
                format!("unknown upstream test list `{}`; {available}", id.value),
            );
        }
        let tests = known.get(&id.value).and_then(Option::as_ref);
        plans.push(plan_shim(shim, tests, display_root, &mut checks));
    }
    plans
}

fn plan_shim(
    shim: &LoadedShim,
    tests: Option<&(KnownTests, String)>,
    root: &Path,
    checks: &mut FileChecks<'_>,
) -> ShimPlan {
    let doc = &shim.doc;
    if !is_plain_name(&shim.name) {
        checks.file_error(format!(
            "the shim's name `{}` (its file name) may use only letters, digits, `.`, `_` and `-`",
            shim.name
        ));
    }
    let variants = Variants::of(doc, checks);
    let known = tests.map(|(known, _)| known);
    let mut configs = vec![ConfigPlan::default(); variants.names.len()];

    let sections = [
        (GlobSection::Disabled, &doc.disabled_tests),
        (GlobSection::Unimplemented, &doc.unimplemented),
        (GlobSection::ExpectedFailures, &doc.expected_failures),
    ];
    let mut declared: Vec<(GlobSection, Vec<Vec<LocatedGlob>>)> = Vec::new();
    for (section, entries) in sections {
        if let Some(entries) = entries {
            declared.push((
                section,
                test_globs(entries, section, &variants, known, checks),
            ));
        }
    }
    check_sections_disjoint(&declared, &variants, known, checks);
    for (section, values) in declared {
        for (config, value) in configs.iter_mut().zip(values) {
            let value = value.into_iter().map(|glob| glob.plan).collect();
            match section {
                GlobSection::Disabled => config.disabled_tests = Some(value),
                GlobSection::Unimplemented => config.unimplemented = value,
                GlobSection::ExpectedFailures => config.expected_failures = value,
            }
        }
    }
    if let Some(entries) = &doc.error_map {
        let values = error_map(entries, &variants, checks);
        for (config, value) in configs.iter_mut().zip(values) {
            config.error_map = Some(value);
        }
    }
    if let Some(entries) = &doc.test_error_map {
        let values = test_errors(entries, "TestErrorMap", false, &variants, known, checks);
        for (config, value) in configs.iter_mut().zip(values) {
            config.test_error_map = Some(value);
        }
    }
    if let Some(entries) = &doc.test_local_error_map {
        let values = test_errors(entries, "TestLocalErrorMap", true, &variants, known, checks);
        for (config, value) in configs.iter_mut().zip(values) {
            config.test_local_error_map = Some(value);
        }
    }
    let all_curves = doc.all_curves.as_ref().map(|curves| {
        let mut seen: Vec<u16> = Vec::new();
        for curve in curves.iter() {
            if seen.contains(&curve.value) {
                checks.error(
                    curve.position,
                    format!("curve {} is listed twice", curve.value),
                );
            }
            seen.push(curve.value);
        }
        seen
    });
    for config in &mut configs {
        config.half_rtt_tickets = doc.half_rtt_tickets.as_ref().map(|n| n.value);
        config.max_ack_buffer = doc.max_ack_buffer.as_ref().map(|n| n.value);
        config.all_curves = all_curves.clone();
    }

    let variant_plans = variants
        .names
        .iter()
        .zip(variants.descriptions)
        .zip(variants.envs)
        .zip(configs)
        .map(|(((name, description), env), config)| VariantPlan {
            name: name.clone(),
            description,
            env,
            config_json: json::render(&config),
            config,
            expected: Vec::new(),
        })
        .collect();

    let shim_path = std::path::absolute(&shim.source.absolute_path)
        .unwrap_or_else(|_| shim.source.absolute_path.clone());
    let mut tracked_files = vec![shim_path.display().to_string()];
    tracked_files.extend(tests.map(|(_, path)| path.clone()));
    ShimPlan {
        name: shim.name.clone(),
        description: checks.text(&doc.description, "the shim's description"),
        declared_in: shim.source.display_path.clone(),
        program: doc
            .program
            .as_ref()
            .map(|p| program::plan(&shim.name, p, root, checks)),
        runner: doc
            .runner
            .as_ref()
            .map(|runner| RunnerOptions {
                loose_errors: runner.loose_errors,
                allow_unimplemented: runner.allow_unimplemented,
                include_disabled: runner.include_disabled,
                protocol: Protocol {
                    shim_id: runner.shim_id,
                    trust_cert: runner.trust_cert,
                    address: match runner.address {
                        AddressDoc::Ipv4 => Address::Ipv4,
                        AddressDoc::Ipv6 => Address::Ipv6,
                    },
                },
            })
            .unwrap_or_default(),
        upstream_tests: doc.upstream_tests.value.clone(),
        variants: variant_plans,
        tracked_files,
    }
}

/// The declared variants (or the one default variant).
struct Variants {
    names: Vec<String>,
    descriptions: Vec<String>,
    envs: Vec<Vec<(String, String)>>,
    /// Whether the file declares them (else entries may not name any).
    declared: bool,
}

impl Variants {
    fn of(doc: &ShimDoc, checks: &mut FileChecks<'_>) -> Variants {
        let Some(entries) = &doc.variants else {
            return Variants {
                names: vec![DEFAULT_VARIANT.to_string()],
                descriptions: vec!["the shim's only variant".to_string()],
                envs: vec![Vec::new()],
                declared: false,
            };
        };
        if entries.is_empty() {
            checks.file_error(
                "`variants` declares no variant; declare at least one, or leave `variants` out",
            );
        }
        let mut names = Vec::new();
        let mut descriptions = Vec::new();
        let mut envs = Vec::new();
        for entry in entries {
            if !is_plain_name(&entry.name) {
                checks.error(
                    entry.name.position,
                    format!(
                        "variant name `{}` may use only letters, digits, `.`, `_` and `-`",
                        entry.name.value
                    ),
                );
            }
            names.push(entry.name.value.clone());
            let (description, env) = match &entry.value.value {
                VariantDoc::Description(text) => (
                    Located {
                        value: text.clone(),
                        position: entry.value.position,
                    },
                    None,
                ),
                VariantDoc::Entry(doc) => (doc.description.clone(), doc.env.as_ref()),
            };
            descriptions.push(checks.text(&description, "a variant's description"));
            envs.push(
                env.map(|env| program::environment(env, checks))
                    .unwrap_or_default(),
            );
        }
        Variants {
            names,
            descriptions,
            envs,
            declared: true,
        }
    }

    /// The variants an entry holds for, as indices; unknown and repeated
    /// names are reported (and left out).
    fn resolve(&self, variants: &VariantsDoc, checks: &mut FileChecks<'_>) -> Vec<usize> {
        let Some(list) = variants else {
            return (0..self.names.len()).collect();
        };
        if list.is_empty() {
            checks.error(
                list.position,
                "`variants` needs at least one variant (leave it out for all)",
            );
        }
        let mut indices = Vec::new();
        for name in list.iter() {
            let Some(index) = self.names.iter().position(|known| *known == name.value) else {
                let expected = if self.declared {
                    format!("expected one of {}", self.names.join(", "))
                } else {
                    "this shim declares no `variants`".to_string()
                };
                checks.error(
                    name.position,
                    format!("unknown variant `{}`; {expected}", name.value),
                );
                continue;
            };
            if indices.contains(&index) {
                checks.error(
                    name.position,
                    format!("variant `{}` is listed twice", name.value),
                );
                continue;
            }
            indices.push(index);
        }
        indices
    }
}

/// One conditional value of an entry.
struct Alternative<'d, T> {
    value: T,
    variants: &'d VariantsDoc,
    position: Position,
}

/// The value of the entry `key` in each variant (`None`: the entry does not
/// hold there). A variant claimed by two alternatives is reported.
fn per_variant<T: Clone>(
    key: &Located<String>,
    alternatives: Vec<Alternative<'_, T>>,
    variants: &Variants,
    checks: &mut FileChecks<'_>,
) -> Vec<Option<T>> {
    let mut slots: Vec<Option<(T, Position)>> = vec![None; variants.names.len()];
    for alternative in alternatives {
        for index in variants.resolve(alternative.variants, checks) {
            match &slots[index] {
                Some((_, first)) => {
                    let first = checks.locate(*first);
                    checks.error(
                        alternative.position,
                        format!(
                            "`{}` already has an entry for variant `{}` (at {first})",
                            key.value, variants.names[index]
                        ),
                    );
                }
                None => slots[index] = Some((alternative.value.clone(), alternative.position)),
            }
        }
    }
    slots
        .into_iter()
        .map(|slot| slot.map(|(value, _)| value))
        .collect()
}

/// The sections that map test globs to reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GlobSection {
    Disabled,
    Unimplemented,
    ExpectedFailures,
}

impl GlobSection {
    fn key(self) -> &'static str {
        match self {
            GlobSection::Disabled => "DisabledTests",
            GlobSection::Unimplemented => "unimplemented",
            GlobSection::ExpectedFailures => "expected_failures",
        }
    }

    fn reason(self) -> &'static str {
        match self {
            GlobSection::Disabled => "a disabled test's reason",
            GlobSection::Unimplemented => "an unimplemented test's reason",
            GlobSection::ExpectedFailures => "an expected failure's reason",
        }
    }
}

/// A planned glob, where it is written and the known tests it matches
/// (indices into the list, in list order; none when it is malformed or
/// there is no list).
struct LocatedGlob {
    plan: TestGlob,
    position: Position,
    matches: Rc<[usize]>,
}

/// A test may be in one section only: disabled, declared unimplemented or
/// declared to fail. Per variant, two globs of different sections that
/// are the same or match a common known test are reported once.
fn check_sections_disjoint(
    declared: &[(GlobSection, Vec<Vec<LocatedGlob>>)],
    variants: &Variants,
    known: Option<&KnownTests>,
    checks: &mut FileChecks<'_>,
) {
    let mut reported: HashSet<(Position, Position)> = HashSet::new();
    for variant in 0..variants.names.len() {
        for (first_index, (first_section, first_globs)) in declared.iter().enumerate() {
            for (_, second_globs) in &declared[first_index + 1..] {
                let seconds = SectionGlobs::of(&second_globs[variant]);
                for first in &first_globs[variant] {
                    for (second, clash) in seconds.clashing_with(first, known) {
                        if !reported.insert((first.position, second.position)) {
                            continue;
                        }
                        let how = match clash {
                            Clash::Same => "is also in".to_string(),
                            Clash::Both(test) => {
                                format!("matches `{test}`, as does `{}` in", first.plan.glob)
                            }
                        };
                        checks.error(
                            second.position,
                            format!(
                                "glob `{}` {how} `{}` (at {}); a test is either disabled, unimplemented or expected to fail",
                                second.plan.glob,
                                first_section.key(),
                                first.plan.declared_at,
                            ),
                        );
                    }
                }
            }
        }
    }
}

/// How two globs of different sections clash.
enum Clash {
    Same,
    /// Both match this known test.
    Both(String),
}

/// One section's globs in one variant, by text and by the known tests
/// they match, so the globs clashing with another's are found without
/// trying every pair.
struct SectionGlobs<'g> {
    globs: &'g [LocatedGlob],
    /// Indices into `globs`, ascending.
    by_text: HashMap<&'g str, Vec<usize>>,
    by_test: HashMap<usize, Vec<usize>>,
}

impl<'g> SectionGlobs<'g> {
    fn of(globs: &'g [LocatedGlob]) -> SectionGlobs<'g> {
        let mut by_text: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut by_test: HashMap<usize, Vec<usize>> = HashMap::new();
        for (index, glob) in globs.iter().enumerate() {
            by_text.entry(&glob.plan.glob).or_default().push(index);
            for &test in glob.matches.iter() {
                by_test.entry(test).or_default().push(index);
            }
        }
        SectionGlobs {
            globs,
            by_text,
            by_test,
        }
    }

    /// The globs `first` clashes with, in file order: each is the same
    /// glob, or else matches a known test `first` matches (the first such
    /// test in list order).
    fn clashing_with(
        &self,
        first: &LocatedGlob,
        known: Option<&KnownTests>,
    ) -> Vec<(&'g LocatedGlob, Clash)> {
        let mut clashes: BTreeMap<usize, Clash> = BTreeMap::new();
        for &index in self
            .by_text
            .get(first.plan.glob.as_ref())
            .into_iter()
            .flatten()
        {
            clashes.insert(index, Clash::Same);
        }
        if let Some(known) = known {
            for &test in first.matches.iter() {
                for &index in self.by_test.get(&test).into_iter().flatten() {
                    clashes
                        .entry(index)
                        .or_insert_with(|| Clash::Both(known.name(test).to_string()));
                }
            }
        }
        clashes
            .into_iter()
            .map(|(index, clash)| (&self.globs[index], clash))
            .collect()
    }
}

/// A glob → reason section, per variant in file order.
fn test_globs(
    entries: &Entries<Located<TestGlobDoc>>,
    section: GlobSection,
    variants: &Variants,
    known: Option<&KnownTests>,
    checks: &mut FileChecks<'_>,
) -> Vec<Vec<LocatedGlob>> {
    let mut result: Vec<Vec<LocatedGlob>> = variants.names.iter().map(|_| Vec::new()).collect();
    for entry in entries {
        let glob = &entry.name;
        let (alternatives, keep) = match &entry.value.value {
            TestGlobDoc::Reason(reason) => {
                let reason = Located {
                    value: reason.clone(),
                    position: entry.value.position,
                };
                let alternative = Alternative {
                    value: checks.text(&reason, section.reason()),
                    variants: &None,
                    position: entry.value.position,
                };
                (vec![alternative], Vec::new())
            }
            TestGlobDoc::Entry(doc) => (
                vec![Alternative {
                    value: checks.text(&doc.reason, section.reason()),
                    variants: &doc.variants,
                    position: entry.value.position,
                }],
                doc.keep_unmatched.iter().collect(),
            ),
            TestGlobDoc::PerVariant(docs) => {
                if docs.is_empty() {
                    checks.error(
                        entry.value.position,
                        format!("`{}` needs at least one entry", glob.value),
                    );
                }
                let alternatives = docs
                    .iter()
                    .map(|doc| Alternative {
                        value: checks.text(&doc.reason, section.reason()),
                        variants: &doc.variants,
                        position: doc.position,
                    })
                    .collect();
                let keep = docs
                    .iter()
                    .filter_map(|doc| doc.keep_unmatched.as_ref())
                    .collect();
                (alternatives, keep)
            }
        };
        for why in &keep {
            checks.text(why, "`keep_unmatched` (why the glob is kept)");
        }
        let matches = check_glob(glob, !keep.is_empty(), known, checks);
        let declared_at = checks.locate(glob.position);
        for (index, reason) in per_variant(glob, alternatives, variants, checks)
            .into_iter()
            .enumerate()
        {
            if let Some(reason) = reason {
                result[index].push(LocatedGlob {
                    plan: TestGlob {
                        glob: Cow::Owned(glob.value.clone()),
                        reason: Cow::Owned(reason),
                        declared_at: Cow::Owned(declared_at.clone()),
                    },
                    position: glob.position,
                    matches: Rc::clone(&matches),
                });
            }
        }
    }
    result
}

/// A glob must be well-formed and match a known test, unless it is kept
/// (and then it must match none). The known tests it matches, in list
/// order.
fn check_glob(
    glob: &Located<String>,
    kept: bool,
    known: Option<&KnownTests>,
    checks: &mut FileChecks<'_>,
) -> Rc<[usize]> {
    let pattern = match Pattern::new(&glob.value) {
        Ok(pattern) => pattern,
        Err(error) => {
            checks.error(
                glob.position,
                format!("glob `{}` is malformed: {error}", glob.value),
            );
            return Rc::from([]);
        }
    };
    let Some(known) = known else {
        return Rc::from([]);
    };
    let matching = known.matching_indices(&pattern);
    match (matching.first().map(|&first| known.name(first)), kept) {
        (None, false) => checks.error(
            glob.position,
            format!(
                "glob `{}` matches no known test ({}); correct it, or keep it with `keep_unmatched: \"why\"`",
                glob.value,
                known.describe()
            ),
        ),
        (Some(first), true) => {
            let count = matching.len();
            checks.error(
                glob.position,
                format!(
                    "glob `{}` has `keep_unmatched` but matches {count} known test{} (e.g. `{first}`); remove `keep_unmatched`",
                    glob.value,
                    if count == 1 { "" } else { "s" }
                ),
            );
        }
        _ => {}
    }
    matching.into()
}

/// `ErrorMap`, per variant in file order.
fn error_map(
    entries: &Entries<Located<ErrorsDoc>>,
    variants: &Variants,
    checks: &mut FileChecks<'_>,
) -> Vec<Vec<ErrorMapping>> {
    let mut result = vec![Vec::new(); variants.names.len()];
    for entry in entries {
        let expected = checks.text(&entry.name, "an expected error");
        let errors = |list: &Located<Vec<Located<String>>>, checks: &mut FileChecks<'_>| {
            if list.is_empty() {
                checks.error(
                    list.position,
                    format!(
                        "`{}` needs at least one of the shim's errors",
                        entry.name.value
                    ),
                );
            }
            list.iter()
                .map(|error| checks.text(error, "an error"))
                .collect::<Vec<_>>()
        };
        let alternatives = match &entry.value.value {
            ErrorsDoc::Errors(list) => {
                let list = Located {
                    value: list.clone(),
                    position: entry.value.position,
                };
                vec![Alternative {
                    value: errors(&list, checks),
                    variants: &None,
                    position: entry.value.position,
                }]
            }
            ErrorsDoc::Entry(doc) => vec![Alternative {
                value: errors(&doc.errors, checks),
                variants: &doc.variants,
                position: entry.value.position,
            }],
            ErrorsDoc::PerVariant(docs) => docs
                .iter()
                .map(|doc| Alternative {
                    value: errors(&doc.errors, checks),
                    variants: &doc.variants,
                    position: doc.position,
                })
                .collect(),
        };
        for (index, errors) in per_variant(&entry.name, alternatives, variants, checks)
            .into_iter()
            .enumerate()
        {
            if let Some(errors) = errors {
                result[index].push(ErrorMapping {
                    expected: Cow::Owned(expected.clone()),
                    errors: errors.into_iter().map(Cow::Owned).collect(),
                });
            }
        }
    }
    result
}

/// `TestErrorMap` or `TestLocalErrorMap` (whose errors may be empty: any
/// local error), per variant in file order.
fn test_errors(
    entries: &Entries<Located<TestErrorDoc>>,
    section: &str,
    empty_allowed: bool,
    variants: &Variants,
    known: Option<&KnownTests>,
    checks: &mut FileChecks<'_>,
) -> Vec<Vec<TestError>> {
    let mut result = vec![Vec::new(); variants.names.len()];
    for entry in entries {
        let test = &entry.name;
        if let Some(known) = known
            && !known.contains(test)
        {
            let hint = if go_glob::has_wildcards(test) {
                format!("; {section} keys are test names, not globs")
            } else {
                known
                    .closest(test)
                    .map(|name| format!("; did you mean `{name}`?"))
                    .unwrap_or_default()
            };
            checks.error(
                test.position,
                format!(
                    "`{}` is not a known test ({}){hint}",
                    test.value,
                    known.describe()
                ),
            );
        }
        let error = |value: &Located<String>, checks: &mut FileChecks<'_>| {
            if empty_allowed {
                value.value.clone()
            } else {
                checks.text(value, "a test's expected error")
            }
        };
        let alternatives = match &entry.value.value {
            TestErrorDoc::Error(text) => {
                let text = Located {
                    value: text.clone(),
                    position: entry.value.position,
                };
                vec![Alternative {
                    value: error(&text, checks),
                    variants: &None,
                    position: entry.value.position,
                }]
            }
            TestErrorDoc::Entry(doc) => vec![Alternative {
                value: error(&doc.error, checks),
                variants: &doc.variants,
                position: entry.value.position,
            }],
            TestErrorDoc::PerVariant(docs) => docs
                .iter()
                .map(|doc| Alternative {
                    value: error(&doc.error, checks),
                    variants: &doc.variants,
                    position: doc.position,
                })
                .collect(),
        };
        for (index, error) in per_variant(test, alternatives, variants, checks)
            .into_iter()
            .enumerate()
        {
            if let Some(error) = error {
                result[index].push(TestError {
                    test: Cow::Owned(test.value.clone()),
                    error: Cow::Owned(error),
                });
            }
        }
    }
    result
}
