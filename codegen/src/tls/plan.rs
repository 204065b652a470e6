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
pub use crosscheck_model::tls::ParameterKind;

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
    /// Every (case, client, server), with what it must show.
    pub cells: Vec<CellPlan>,
    /// Every spec file read, so emitted code can make rustc track them.
    pub tracked_files: Vec<String>,
}

/// One case: a test module with one test per (client, server) pair.
#[derive(Debug, Clone, PartialEq)]
pub struct CasePlan {
    /// As written (what shims receive).
    pub name: String,
    /// The test module's name.
    pub module: String,
    pub description: String,
    pub upstream: bool,
    pub client_duty: String,
    pub server_duty: String,
    pub deadline_ms: u64,
    pub parameters: Vec<ParameterPlan>,
    pub relay_segment_bytes: Option<usize>,
    pub client_facts: Vec<String>,
    pub server_facts: Vec<String>,
    pub wire: WirePlan,
    pub refusal: Option<RefusalPlan>,
    pub tests: Vec<TestPlan>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct WirePlan {
    pub connections: Vec<ConnectionWirePlan>,
    pub key_updates: Option<KeyUpdatesPlan>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConnectionWirePlan {
    pub resumed: Option<bool>,
    pub psk_identity: Option<String>,
    pub hello_retry_request: Option<String>,
    pub early_data_accepted: Option<bool>,
    pub client_certificate: Option<bool>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct KeyUpdatesPlan {
    pub sender: Role,
    /// Index of the interval parameter in the case's parameters.
    pub every: usize,
    /// Index of the transferred-bytes parameter.
    pub of: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RefusalPlan {
    pub by: Role,
    pub alerts: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParameterPlan {
    pub name: String,
    /// `CROSSCHECK_TLS_<NAME>`.
    pub env: String,
    pub description: String,
    pub kind: ParameterKind,
    pub default: u64,
    pub deadline_per_billion_ms: Option<u64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ImplementationPlan {
    /// As written (`s2n-tls`).
    pub name: String,
    /// `file:line:col` of its entry.
    pub declared_at: String,
    /// Its part of test names (`s2n_tls`).
    pub ident: String,
    pub description: String,
    pub program: Program,
    pub client: bool,
    pub server: bool,
    pub unsupported: Vec<UnsupportedPlan>,
}

impl ImplementationPlan {
    /// Whether it takes part in cells as `role`.
    pub fn plays(&self, role: Role) -> bool {
        match role {
            Role::Client => self.client,
            Role::Server => self.server,
        }
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

pub use crosscheck_model::Role;

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

/// A (case, client, server) cell and what it must show: one for every
/// pair of implementations, whether or not they play those roles, so the
/// command line finds every cell's expectation in the table.
#[derive(Debug, Clone, PartialEq)]
pub struct CellPlan {
    pub case: usize,
    pub client: usize,
    pub server: usize,
    pub expectation: Expectation,
}

pub use crosscheck_model::expectation::{Declared, Expectation};
pub use crosscheck_model::program::Program;

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
