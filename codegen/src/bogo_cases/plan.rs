//! Checks the loaded case files into the case list.
//!
//! Every problem in every file is collected with its location: names that
//! are not upstream tests (or are, but claim to be crosscheck's own), names
//! defined twice or sanitising to the same test name, flags that are not
//! flags or belong to the runner, peers that contradict themselves or the
//! shim's role, misbehaviours the runner could never apply, malformed bytes,
//! and expectations of errors in tests that should pass.

mod case;
mod flags;
mod names;
mod peer;
mod values;

use std::collections::HashMap;
use std::path::Path;

use crate::bogo_cases::load::LoadedCases;
use crate::bogo_shims::{KnownTests, TestList};
use crate::diagnostic::FileChecks;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::located::Located;

pub use names::test_name;

/// Every checked case, ready to emit.
#[derive(Debug, Clone, PartialEq)]
pub struct CasesPlan {
    /// In file-name order.
    pub groups: Vec<GroupPlan>,
    /// In group order, then file order; `CASES[i]` is `cases[i]`.
    pub cases: Vec<CasePlan>,
    /// Every file read (case files and the upstream lists they name), as
    /// absolute paths, so emitted code can make rustc track them.
    pub tracked_files: Vec<String>,
}

impl CasesPlan {
    /// The names of crosscheck's own cases (not upstream tests), which shim
    /// configs may name too.
    pub fn own_names(&self) -> Vec<String> {
        self.cases
            .iter()
            .filter(|case| case.own)
            .map(|case| case.name().to_string())
            .collect()
    }
}

/// One case file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupPlan {
    /// The file stem, e.g. `version_negotiation`.
    pub name: String,
    pub description: String,
    /// The file as shown in messages.
    pub file: String,
    /// The id of the upstream test list its names were checked against.
    pub upstream_tests: String,
}

/// One case: `CASES[i]` and one test per shim and variant.
#[derive(Debug, Clone, PartialEq)]
pub struct CasePlan {
    /// What `CASES[i]` holds: the runtime's own record, emitted as it is.
    pub record: Case,
    /// Its test function's name, e.g. `version_too_low`.
    pub test_name: String,
    pub own: bool,
    pub description: Option<String>,
    /// `file:line:col` of its name.
    pub declared_at: String,
}

impl CasePlan {
    /// As written: the upstream test name.
    pub fn name(&self) -> &str {
        &self.record.name
    }
}

pub use crosscheck_model::Role;
pub use crosscheck_model::bogo::{
    Case, Expect, KeyType, KeyUpdateRequest, Messages, Misbehaviour, Peer, RecordAt, Version,
};

/// Strings the compiler checked, as the record's owned list.
fn owned_strings(
    strings: Vec<String>,
) -> std::borrow::Cow<'static, [std::borrow::Cow<'static, str>]> {
    strings.into_iter().map(std::borrow::Cow::Owned).collect()
}

/// Checks every loaded group. Problems are added to `diagnostics`; the
/// plan is meaningful only when none were.
pub fn plan(loaded: &LoadedCases, display_root: &Path, diagnostics: &mut Diagnostics) -> CasesPlan {
    let mut lists = UpstreamNames::default();
    let mut names = names::CaseNames::default();
    let mut groups = Vec::new();
    let mut cases = Vec::new();
    let mut tracked_files = Vec::new();
    if loaded.groups.is_empty() && diagnostics.is_empty() {
        diagnostics.push(Diagnostic::without_position(
            &loaded.directory.display().to_string(),
            "no case files (`*.yaml`) in the BoGo case directory",
        ));
    }
    for group in &loaded.groups {
        let source = &group.file.source;
        let doc = &group.file.doc;
        tracked_files.push(absolute(&source.absolute_path));
        let mut checks = FileChecks::new(source, diagnostics);
        check_group_name(&group.name, &mut checks);
        let description = checks.text(&doc.group, "the group's description");
        if doc.cases.is_empty() {
            checks.file_error("`cases` must name at least one case");
        }
        let known = lists.get(loaded, &doc.upstream_tests, display_root, &mut checks);
        if let Some((_, path)) = known
            && !tracked_files.contains(path)
        {
            tracked_files.push(path.clone());
        }
        for entry in &doc.cases {
            let test_name = names.claim(&entry.name, &mut checks);
            if let Some((known, _)) = known {
                names::check_upstream(&entry.name, &entry.value, known, &mut checks);
            }
            cases.push(case::plan_case(
                &entry.name,
                test_name,
                &group.name,
                &entry.value,
                &mut checks,
            ));
        }
        groups.push(GroupPlan {
            name: group.name.clone(),
            description,
            file: source.display_path.clone(),
            upstream_tests: doc.upstream_tests.value.clone(),
        });
    }
    CasesPlan {
        groups,
        cases,
        tracked_files,
    }
}

/// A group name becomes part of log paths and reports: lower-case
/// snake_case.
fn check_group_name(name: &str, checks: &mut FileChecks<'_>) {
    let valid = name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !valid {
        checks.file_error(format!(
            "the file name `{name}` names the group; use lower-case snake_case, like `version_negotiation.yaml`"
        ));
    }
}

/// `path` relative to `root` when it is under it.
fn shown(path: &Path, root: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

fn absolute(path: &Path) -> String {
    std::path::absolute(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string()
}

/// The upstream lists read so far, by id (`None`: unreadable, reported once).
#[derive(Default)]
struct UpstreamNames {
    lists: HashMap<String, Option<(KnownTests, String)>>,
}

impl UpstreamNames {
    /// The names of list `id`, and its absolute path; an unknown id is an
    /// error at `id`.
    fn get(
        &mut self,
        loaded: &LoadedCases,
        id: &Located<String>,
        display_root: &Path,
        checks: &mut FileChecks<'_>,
    ) -> Option<&(KnownTests, String)> {
        if !loaded.lists.ids.contains(&id.value) {
            let known = if loaded.lists.ids.is_empty() {
                "there are none".to_string()
            } else {
                format!("known lists: {}", loaded.lists.ids.join(", "))
            };
            checks.error(
                id.position,
                format!(
                    "unknown upstream test list `{}`: no {}/{}.txt; {known}",
                    id.value,
                    shown(&loaded.lists.directory, display_root),
                    id.value
                ),
            );
            return None;
        }
        self.lists
            .entry(id.value.clone())
            .or_insert_with(
                || match TestList::read(&loaded.lists, &id.value, display_root) {
                    Ok(list) => {
                        let path = absolute(&list.absolute_path);
                        Some((KnownTests::new(&list, &[]), path))
                    }
                    Err(problems) => {
                        checks.extend(problems);
                        None
                    }
                },
            )
            .as_ref()
    }
}
