//! Checks a loaded family and expands it into the concrete test list.
//!
//! Every problem is collected with its location; the plan exists only when
//! there were none.

use crate::names::position_among;
use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

use crate::app_identity::load::{LoadedFamily, Parsed};
use crate::app_identity::model::{
    AlphabetDoc, CaseDoc, CaseFile, ExpectDoc, GeneratesDoc, IdDoc, ManifestDoc, NonceDoc,
    PadlockCaseDoc, PadlockDoc,
};
use crate::diagnostic::{Diagnostic, Diagnostics, FileChecks, SourceFile};
use crate::located::Located;
use crate::names::snake_case;
use crate::program;

/// The checked family, ready to emit.
#[derive(Debug, Clone, PartialEq)]
pub struct FamilyPlan {
    /// Absolute project root.
    pub root: String,
    pub implementations: Vec<ImplementationPlan>,
    pub modules: Vec<ModulePlan>,
    pub known_failures: Vec<KnownFailurePlan>,
    /// Every spec file read, so emitted code can make rustc track them.
    pub tracked_files: Vec<String>,
}

impl FamilyPlan {
    /// What `FAMILY` holds, named `name`: the implementations, every
    /// module's cases in table order, and the pairs that must not simply
    /// conform (the others are left out, which keeps the table, and every
    /// edit's rebuild, small).
    pub fn family(&self, name: &str) -> Family {
        let cases = || self.modules.iter().flat_map(|module| &module.cases);
        Family {
            name: Cow::Owned(name.to_string()),
            root: Cow::Owned(self.root.clone()),
            implementations: self
                .implementations
                .iter()
                .map(|implementation| implementation.record.clone())
                .collect(),
            cases: cases().map(|case| case.record.clone()).collect(),
            pairs: cases()
                .flat_map(|case| &case.tests)
                .filter(|test| test.pair.expectation != Expectation::Pass)
                .map(|test| test.pair.clone())
                .collect(),
        }
    }
}

/// One implementation: `FAMILY.implementations[i]` and where it is declared.
#[derive(Debug, Clone, PartialEq)]
pub struct ImplementationPlan {
    /// What `FAMILY.implementations[i]` holds: the runtime's own record.
    /// Its name is the snake_case form of the declared one.
    pub record: Implementation,
    /// `file:line:col` of its entry in the manifest.
    pub declared_at: String,
}

impl ImplementationPlan {
    /// Its snake_case name, as test names write it.
    pub fn name(&self) -> &str {
        &self.record.name
    }
}

/// One case file: a module of cases.
#[derive(Debug, Clone, PartialEq)]
pub struct ModulePlan {
    pub name: String,
    pub file: String,
    pub cases: Vec<CasePlan>,
}

/// One case: `FAMILY.cases[index]` and one test per pair.
#[derive(Debug, Clone, PartialEq)]
pub struct CasePlan {
    /// Position in the family's case table.
    pub index: usize,
    /// Its module's name: the snake_case form of its description.
    pub name: String,
    /// What `FAMILY.cases[index]` holds: the runtime's own record.
    pub record: FamilyCase,
    pub tests: Vec<TestPlan>,
}

/// A declared failure, resolved to case and implementation indices.
#[derive(Debug, Clone, PartialEq)]
pub struct KnownFailurePlan {
    pub case: usize,
    pub generator: Option<usize>,
    pub verifier: Option<usize>,
    pub reason: String,
    pub declared_at: String,
}

/// One `#[test]`: a (generator, verifier) pair for a case.
#[derive(Debug, Clone, PartialEq)]
pub struct TestPlan {
    pub name: String,
    /// The case, generator and verifier, and what the pair must show,
    /// decided here once; `FAMILY.pairs` lists it unless that is a pass.
    pub pair: PlannedPair,
    /// Why it does not run by default (its `#[ignore]` reason); `None`:
    /// it runs.
    pub ignored: Option<String>,
}

pub use app_identity::case::{
    Alphabet, AppSpec, CaseSpec, Expect, IdSpec, NonceSpec, PadlockCase, PadlockSpec, ProofSpec,
};
pub use crosscheck_model::app_identity::{Family, FamilyCase, Implementation, PlannedPair};
pub use crosscheck_model::expectation::{Declared, Expectation};
pub use crosscheck_model::program::Program;

/// Checks and expands a loaded family.
pub fn plan(family: &LoadedFamily) -> Result<FamilyPlan, Diagnostics> {
    let mut diagnostics = Diagnostics::default();
    let manifest_source = &family.manifest.source;
    let manifest = &family.manifest.doc;
    let implementations =
        plan_implementations(manifest, manifest_source, &family.root, &mut diagnostics);
    let settings = file_settings(family, &mut diagnostics);

    let mut modules = Vec::new();
    let mut module_names: HashMap<String, String> = HashMap::new();
    let mut next_index = 0;
    let mut descriptions: HashMap<String, String> = HashMap::new();
    for parsed in in_manifest_order(family) {
        let file_name = file_name(&parsed.source);
        let (required, upstream) = settings
            .get(file_name.as_str())
            .copied()
            .unwrap_or((false, false));
        let stem = file_name.trim_end_matches(".yaml");
        let module_name = match snake_case(stem) {
            Ok(name) => name,
            Err(message) => {
                diagnostics.push(Diagnostic::without_position(
                    &parsed.source.display_path,
                    message,
                ));
                continue;
            }
        };
        if let Some(other) =
            module_names.insert(module_name.clone(), parsed.source.display_path.clone())
        {
            diagnostics.push(Diagnostic::without_position(
                &parsed.source.display_path,
                format!("file name gives module `{module_name}`, like {other}; rename one"),
            ));
        }
        let cases = plan_cases(
            parsed,
            required,
            upstream,
            &mut next_index,
            &mut descriptions,
            &mut diagnostics,
        );
        modules.push(ModulePlan {
            name: module_name,
            file: parsed.source.display_path.clone(),
            cases,
        });
    }

    let known_failures = check_known_failures(
        manifest,
        manifest_source,
        &implementations,
        &modules,
        &mut diagnostics,
    );
    expand_tests(&mut modules, &implementations, &known_failures);

    let mut tracked_files = vec![manifest_source.absolute_path.display().to_string()];
    tracked_files.extend(
        family
            .case_files
            .iter()
            .map(|p| p.source.absolute_path.display().to_string()),
    );
    diagnostics.into_result(FamilyPlan {
        root: family.root.display().to_string(),
        implementations,
        modules,
        known_failures,
        tracked_files,
    })
}

/// Case files in the manifest's `case_files` order, then the others by name,
/// so suites list required cases first, as upstream does.
fn in_manifest_order(family: &LoadedFamily) -> Vec<&Parsed<CaseFile>> {
    let rank = |parsed: &Parsed<CaseFile>| {
        let name = file_name(&parsed.source);
        family
            .manifest
            .doc
            .case_files
            .iter()
            .position(|entry| entry.file.value == name)
            .unwrap_or(usize::MAX)
    };
    let mut files: Vec<&Parsed<CaseFile>> = family.case_files.iter().collect();
    files.sort_by_key(|parsed| rank(parsed));
    files
}

fn file_name(source: &SourceFile) -> String {
    source
        .absolute_path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// (required, upstream) per case-file name, from the manifest.
fn file_settings<'a>(
    family: &'a LoadedFamily,
    diagnostics: &mut Diagnostics,
) -> HashMap<&'a str, (bool, bool)> {
    let source = &family.manifest.source;
    let present: Vec<String> = family
        .case_files
        .iter()
        .map(|p| file_name(&p.source))
        .collect();
    let mut settings = HashMap::new();
    for entry in &family.manifest.doc.case_files {
        let name = entry.file.value.as_str();
        if !present.iter().any(|p| p == name) {
            diagnostics.push(Diagnostic::at(
                source,
                entry.file.position,
                format!(
                    "no case file `{name}` next to the manifest (found: {})",
                    present.join(", ")
                ),
            ));
        }
        if settings
            .insert(name, (entry.required, entry.upstream))
            .is_some()
        {
            diagnostics.push(Diagnostic::at(
                source,
                entry.file.position,
                format!("`{name}` is listed twice"),
            ));
        }
    }
    settings
}

fn plan_implementations(
    manifest: &ManifestDoc,
    source: &SourceFile,
    root: &Path,
    diagnostics: &mut Diagnostics,
) -> Vec<ImplementationPlan> {
    if manifest.implementations.is_empty() {
        diagnostics.push(Diagnostic::without_position(
            &source.display_path,
            "`implementations` must name at least one implementation",
        ));
    }
    let mut seen: HashMap<String, &Located<String>> = HashMap::new();
    let mut plans = Vec::new();
    for implementation in &manifest.implementations {
        let name = match snake_case(&implementation.name) {
            Ok(name) => name,
            Err(message) => {
                diagnostics.push(Diagnostic::at(
                    source,
                    implementation.name.position,
                    message,
                ));
                continue;
            }
        };
        if let Some(first) = seen.insert(name.clone(), &implementation.name) {
            diagnostics.push(Diagnostic::at(
                source,
                implementation.name.position,
                format!(
                    "implementation `{name}` is declared twice (first at {})",
                    source.locate(first.position)
                ),
            ));
        }
        let program = program::plan(
            &implementation.name.value,
            &implementation.program,
            root,
            &mut FileChecks::new(source, diagnostics),
        );
        plans.push(ImplementationPlan {
            record: Implementation {
                name: Cow::Owned(name),
                description: Cow::Owned(implementation.description.clone()),
                program,
                generate_args: implementation
                    .generate_args
                    .iter()
                    .cloned()
                    .map(Cow::Owned)
                    .collect(),
                generates_all_cases: implementation.generates == GeneratesDoc::AllCases,
            },
            declared_at: source.locate(implementation.name.position),
        });
    }
    plans
}

/// `descriptions` maps every description seen in the family to its location:
/// known failures and suite lookups name cases by description.
fn plan_cases(
    parsed: &Parsed<CaseFile>,
    required: bool,
    upstream: bool,
    next_index: &mut usize,
    descriptions: &mut HashMap<String, String>,
    diagnostics: &mut Diagnostics,
) -> Vec<CasePlan> {
    let source = &parsed.source;
    let mut by_name: HashMap<String, &Located<String>> = HashMap::new();
    let mut plans = Vec::new();
    for case in &parsed.doc.0 {
        let mut problems = Diagnostics::default();
        let name = match snake_case(&case.description) {
            Ok(name) => name,
            Err(message) => {
                problems.push(Diagnostic::at(source, case.description.position, message));
                String::new()
            }
        };
        if let Some(first) = descriptions.get(&case.description.value) {
            problems.push(Diagnostic::at(
                source,
                case.description.position,
                format!(
                    "duplicate case `{}` (first at {first})",
                    case.description.value
                ),
            ));
        } else if let Some(first) = by_name.get(&name) {
            let message = {
                format!(
                    "`{}` and `{}` (at {}) both become the test name `{name}`; reword one",
                    case.description.value,
                    first.value,
                    source.locate(first.position)
                )
            };
            problems.push(Diagnostic::at(source, case.description.position, message));
        } else if !name.is_empty() {
            by_name.insert(name.clone(), &case.description);
        }
        descriptions
            .entry(case.description.value.clone())
            .or_insert_with(|| source.locate(case.description.position));
        let spec = case_spec(case, required, source, &mut problems);
        let failed = !problems.is_empty();
        diagnostics.extend(problems);
        if failed {
            continue;
        }
        plans.push(CasePlan {
            index: *next_index,
            name,
            record: FamilyCase {
                file: Cow::Owned(source.display_path.clone()),
                upstream,
                spec,
            },
            tests: Vec::new(),
        });
        *next_index += 1;
    }
    plans
}

fn version(
    value: &Located<i64>,
    what: &str,
    source: &SourceFile,
    problems: &mut Diagnostics,
) -> u8 {
    match u8::try_from(value.value) {
        Ok(v @ 1..=4) => v,
        _ => {
            problems.push(Diagnostic::at(
                source,
                value.position,
                format!("{what} must be 1, 2, 3 or 4, not {}", value.value),
            ));
            1
        }
    }
}

fn non_empty(
    value: &Option<Located<String>>,
    what: &str,
    source: &SourceFile,
    problems: &mut Diagnostics,
) -> Option<Cow<'static, str>> {
    let value = value.as_ref()?;
    if value.value.is_empty() {
        problems.push(Diagnostic::at(
            source,
            value.position,
            format!("{what} must not be empty"),
        ));
    }
    Some(Cow::Owned(value.value.clone()))
}

fn case_spec(
    case: &CaseDoc,
    required: bool,
    source: &SourceFile,
    problems: &mut Diagnostics,
) -> CaseSpec {
    let spec_version = *case.spec_version;
    if spec_version == 0 {
        problems.push(Diagnostic::at(
            source,
            case.spec_version.position,
            "spec_version must be 1 or more",
        ));
    }
    let (app_version, fuzz, app_id) = match &case.app {
        None => (1, None, IdSpec::Random),
        Some(app) => {
            let version = version(&app.version, "app.version", source, problems);
            let fuzz = app
                .config
                .as_ref()
                .map(|config| match u32::try_from(config.fuzz.value) {
                    Ok(fuzz) if fuzz > 0 => fuzz,
                    _ => {
                        problems.push(Diagnostic::at(
                            source,
                            config.fuzz.position,
                            format!(
                                "app.config.fuzz must be a positive number of seconds, not {}",
                                config.fuzz.value
                            ),
                        ));
                        600
                    }
                });
            let id = match app.id.as_ref().map(|id| (&id.value, id.position)) {
                None => IdSpec::Random,
                Some((IdDoc::Number(n), _)) => IdSpec::Number(*n),
                Some((IdDoc::Text(text), position)) => {
                    if text.is_empty() || text.contains(':') {
                        problems.push(Diagnostic::at(
                            source,
                            position,
                            "app.id must be non-empty and contain no `:`",
                        ));
                    }
                    IdSpec::Text(Cow::Owned(text.clone()))
                }
            };
            (version, fuzz, id)
        }
    };
    let proof_version = version(&case.proof.version, "proof.version", source, problems);
    CaseSpec {
        description: Cow::Owned(case.description.value.clone()),
        spec_version,
        expect: match case.expect {
            ExpectDoc::Pass => Expect::Pass,
            ExpectDoc::Fail => Expect::Fail,
        },
        required,
        app: AppSpec {
            version: app_version,
            fuzz,
            id: app_id,
        },
        proof: ProofSpec {
            version: proof_version,
            id: non_empty(&case.proof.id, "proof.id", source, problems),
            secret: non_empty(&case.proof.secret, "proof.secret", source, problems),
            alphabet: match case.proof.alphabet {
                Some(AlphabetDoc::Standard) => Alphabet::Standard,
                Some(AlphabetDoc::UrlSafe) | None => Alphabet::UrlSafe,
            },
            padded: case.proof.padded.unwrap_or(true),
        },
        nonce: case.nonce.as_ref().map_or(NonceSpec::Default, |nonce| {
            nonce_spec(nonce, source, problems)
        }),
        padlock: case
            .padlock
            .as_ref()
            .map_or(PadlockSpec::Default, |padlock| {
                padlock_spec(padlock, source, problems)
            }),
    }
}

fn nonce_spec(
    nonce: &Located<NonceDoc>,
    source: &SourceFile,
    problems: &mut Diagnostics,
) -> NonceSpec {
    let doc = &nonce.value;
    let timestamp = doc.offset_minutes.is_some() || doc.fraction_digits.is_some();
    let forms = usize::from(doc.value.is_some())
        + usize::from(doc.empty.is_some())
        + usize::from(timestamp);
    if forms != 1 {
        problems.push(Diagnostic::at(
            source,
            nonce.position,
            "nonce needs exactly one of `value`, `empty: true`, or a timestamp (`offset_minutes` and/or `fraction_digits`)",
        ));
        return NonceSpec::Default;
    }
    if let Some(value) = &doc.value {
        return NonceSpec::Value(Cow::Owned(value.clone()));
    }
    if let Some(empty) = &doc.empty {
        if !empty.value {
            problems.push(Diagnostic::at(
                source,
                empty.position,
                "nonce.empty may only be true",
            ));
        }
        return NonceSpec::Empty;
    }
    let fraction_digits = match &doc.fraction_digits {
        None => 3,
        Some(digits) => match u8::try_from(digits.value) {
            Ok(d @ 0..=9) => d,
            _ => {
                problems.push(Diagnostic::at(
                    source,
                    digits.position,
                    format!("nonce.fraction_digits must be 0 to 9, not {}", digits.value),
                ));
                3
            }
        },
    };
    NonceSpec::Timestamp {
        offset_minutes: doc.offset_minutes.unwrap_or(0),
        fraction_digits,
    }
}

fn padlock_spec(
    padlock: &Located<PadlockDoc>,
    source: &SourceFile,
    problems: &mut Diagnostics,
) -> PadlockSpec {
    let doc = &padlock.value;
    match (&doc.value, &doc.nonce, doc.case) {
        (Some(value), None, None) => {
            if value.value.is_empty() {
                problems.push(Diagnostic::at(
                    source,
                    value.position,
                    "padlock.value must not be empty",
                ));
            }
            PadlockSpec::Value(Cow::Owned(value.value.clone()))
        }
        (Some(value), _, _) => {
            problems.push(Diagnostic::at(
                source,
                value.position,
                "padlock.value cannot be combined with padlock.nonce or padlock.case",
            ));
            PadlockSpec::Default
        }
        (None, None, None) => {
            problems.push(Diagnostic::at(
                source,
                padlock.position,
                "padlock needs at least one of `value`, `nonce` or `case`",
            ));
            PadlockSpec::Default
        }
        (None, nonce, case) => PadlockSpec::Build {
            nonce: non_empty(nonce, "padlock.nonce", source, problems),
            case: match case {
                Some(PadlockCaseDoc::Upper) => PadlockCase::Upper,
                Some(PadlockCaseDoc::Lower) => PadlockCase::Lower,
                Some(PadlockCaseDoc::Random) | None => PadlockCase::Random,
            },
        },
    }
}

fn check_known_failures(
    manifest: &ManifestDoc,
    source: &SourceFile,
    implementations: &[ImplementationPlan],
    modules: &[ModulePlan],
    diagnostics: &mut Diagnostics,
) -> Vec<KnownFailurePlan> {
    let implementation = |name: &Option<Located<String>>,
                          diagnostics: &mut Diagnostics|
     -> Result<Option<usize>, ()> {
        let Some(name) = name else { return Ok(None) };
        let known = implementations.iter().map(ImplementationPlan::name);
        match position_among(known, &name.value, "implementation") {
            Ok(index) => Ok(Some(index)),
            Err(message) => {
                diagnostics.push(Diagnostic::at(source, name.position, message));
                Err(())
            }
        }
    };
    let mut resolved = Vec::new();
    for entry in &manifest.known_failures {
        let doc = &entry.value;
        if doc.reason.trim().is_empty() {
            diagnostics.push(Diagnostic::at(
                source,
                doc.reason.position,
                "a known failure needs a reason",
            ));
        }
        let case = modules
            .iter()
            .flat_map(|m| &m.cases)
            .find(|c| c.record.spec.description == doc.case.value)
            .map(|c| c.index);
        if case.is_none() {
            diagnostics.push(Diagnostic::at(
                source,
                doc.case.position,
                format!("no case is described `{}` in any case file", doc.case.value),
            ));
        }
        let generator = implementation(&doc.generator, diagnostics);
        let verifier = implementation(&doc.verifier, diagnostics);
        if let (Some(case), Ok(generator), Ok(verifier)) = (case, generator, verifier) {
            let duplicate = resolved.iter().any(|k: &KnownFailurePlan| {
                k.case == case && k.generator == generator && k.verifier == verifier
            });
            if duplicate {
                diagnostics.push(Diagnostic::at(
                    source,
                    entry.position,
                    "this known failure is declared twice",
                ));
            }
            resolved.push(KnownFailurePlan {
                case,
                generator,
                verifier,
                reason: doc.reason.value.clone(),
                declared_at: source.locate(entry.position),
            });
        }
    }
    resolved
}

fn expand_tests(
    modules: &mut [ModulePlan],
    implementations: &[ImplementationPlan],
    known_failures: &[KnownFailurePlan],
) {
    for case in modules.iter_mut().flat_map(|module| &mut module.cases) {
        for (generator, producer) in implementations.iter().enumerate() {
            for (verifier, checker) in implementations.iter().enumerate() {
                let expectation = expectation(
                    case.index,
                    case.record.upstream,
                    (generator, verifier),
                    implementations,
                    known_failures,
                );
                case.tests.push(TestPlan {
                    name: format!("{}_to_{}", producer.name(), checker.name()),
                    ignored: expectation.ignore_reason(),
                    pair: PlannedPair {
                        case: case.index,
                        generator,
                        verifier,
                        expectation,
                    },
                });
            }
        }
    }
}

/// What the pair must show on the case: unsupported where the generator
/// does not build it, else a failure where one is declared, else a pass.
fn expectation(
    case: usize,
    upstream: bool,
    (generator, verifier): (usize, usize),
    implementations: &[ImplementationPlan],
    known_failures: &[KnownFailurePlan],
) -> Expectation {
    let producer = &implementations[generator];
    if !producer.record.generates_all_cases && !upstream {
        return Expectation::Unsupported(Cow::Owned(vec![Declared {
            who: Cow::Borrowed("generator"),
            name: Cow::Owned(format!("the `{}` generator", producer.name())),
            reason: Cow::Borrowed("builds only the upstream cases it embeds"),
            declared_at: Cow::Owned(producer.declared_at.clone()),
        }]));
    }
    let known = known_failures.iter().find(|known| {
        known.case == case
            && known.generator.is_none_or(|g| g == generator)
            && known.verifier.is_none_or(|v| v == verifier)
    });
    match known {
        Some(known) => Expectation::known_failure(known.reason.clone(), known.declared_at.clone()),
        None => Expectation::Pass,
    }
}
