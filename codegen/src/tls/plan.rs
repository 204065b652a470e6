//! Checks the loaded TLS family and expands it into the concrete test list.
//!
//! Every problem in both files is collected with its location; the plan
//! exists only when there were none. Indices (cases, implementations)
//! follow file order, as the emitted `MATRIX` does.

mod cases;
mod expand;
mod identifiers;
mod implementations;
mod known_failures;
mod values;
mod wire;

use crate::diagnostic::Diagnostics;
use crate::tls::load::LoadedFamily;

/// The checked family, ready to emit.
#[derive(Debug, Clone, PartialEq)]
pub struct MatrixPlan {
    /// Absolute project root.
    pub root: String,
    /// Absolute path of `certificates/` under the root.
    pub certificates: String,
    pub cases: Vec<CasePlan>,
    pub implementations: Vec<ImplementationPlan>,
    /// Checked here; the cells' expectations carry them.
    pub known_failures: Vec<KnownFailurePlan>,
    /// Every (case, client, server), with what it must show: one for every
    /// pair of implementations, whether or not they play those roles.
    pub cells: Vec<PlannedCell>,
    /// Every spec file read, so emitted code can make rustc track them.
    pub tracked_files: Vec<String>,
}

pub use crosscheck_model::Role;
pub use crosscheck_model::expectation::{Declared, Expectation};
pub use crosscheck_model::program::Program;
pub use crosscheck_model::tls::{
    Case, ConnectionWire, Implementation, KeyUpdates, Matrix, Parameter, ParameterKind,
    PlannedCell, Refusal, Relay, Wire,
};

/// One case: its record, and the test module with one test per (client,
/// server) pair.
#[derive(Debug, Clone, PartialEq)]
pub struct CasePlan {
    pub record: Case,
    /// The test module's name.
    pub module: String,
    pub tests: Vec<TestPlan>,
}

/// One implementation: its record, and what only the compiler needs.
#[derive(Debug, Clone, PartialEq)]
pub struct ImplementationPlan {
    pub record: Implementation,
    /// `file:line:col` of its entry.
    pub declared_at: String,
    /// Its part of test names (`s2n_tls`).
    pub ident: String,
    pub unsupported: Vec<UnsupportedPlan>,
}

impl ImplementationPlan {
    /// As written (`s2n-tls`).
    pub fn name(&self) -> &str {
        &self.record.name
    }

    /// The entry declaring it cannot play `role` in `case`, if any.
    pub fn unsupported_entry(&self, case: usize, role: Role) -> Option<&UnsupportedPlan> {
        self.unsupported
            .iter()
            .find(|entry| entry.case == case && entry.role.is_none_or(|r| r == role))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct UnsupportedPlan {
    pub case: usize,
    /// `None`: neither role.
    pub role: Option<Role>,
    pub reason: String,
    /// `file:line:col` of the entry.
    pub declared_at: String,
}

/// A declared failing cell, resolved to indices.
#[derive(Debug, Clone, PartialEq)]
pub struct KnownFailurePlan {
    pub case: usize,
    pub client: Option<usize>,
    pub server: Option<usize>,
    pub reason: String,
    /// `file:line:col` of the entry.
    pub declared_at: String,
}

/// One `#[test]`: a (client, server) pair for a case.
#[derive(Debug, Clone, PartialEq)]
pub struct TestPlan {
    /// `<client>_to_<server>`.
    pub name: String,
    pub client: usize,
    pub server: usize,
    /// Why it does not run by default (its `#[ignore]` reason); `None`: it
    /// runs, and its cell's expectation judges the result.
    pub ignored: Option<String>,
}

/// Checks and expands a loaded family.
pub fn plan(family: &LoadedFamily) -> Result<MatrixPlan, Diagnostics> {
    let mut diagnostics = Diagnostics::default();
    let cases_file = &family.cases;
    let implementations_file = &family.implementations;

    let mut cases = cases::plan_cases(cases_file, &mut diagnostics);
    let implementations = implementations::plan_implementations(
        implementations_file,
        &cases,
        &family.root,
        &mut diagnostics,
    );
    let known_failures = known_failures::plan_known_failures(
        implementations_file,
        &cases,
        &implementations,
        &mut diagnostics,
    );
    let cells = expand::expand(&mut cases, &implementations, &known_failures);

    let root = family.root.display().to_string();
    let certificates = family.root.join("certificates").display().to_string();
    let tracked_files = [&cases_file.source, &implementations_file.source]
        .iter()
        .map(|source| {
            let path = &source.absolute_path;
            let absolute = std::path::absolute(path).unwrap_or_else(|_| path.clone());
            absolute.display().to_string()
        })
        .collect();
    diagnostics.into_result(MatrixPlan {
        root,
        certificates,
        cases,
        implementations,
        known_failures,
        cells,
        tracked_files,
    })
}
