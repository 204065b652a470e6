//! The compiled form of `specs/app_identity/`: static data the generated
//! tests and the binaries share. Built by the spec compiler, never by hand.

use crate::app_identity::case::CaseSpec;

/// A family of cases and the implementations that cross-verify them.
#[derive(Debug)]
pub struct Family {
    pub name: &'static str,
    pub implementations: &'static [Implementation],
    pub cases: &'static [FamilyCase],
    pub known_failures: &'static [KnownFailure],
}

impl Family {
    /// The case specs in table order.
    pub fn case_specs(&self) -> Vec<CaseSpec> {
        self.cases.iter().map(|case| case.spec).collect()
    }
}

/// A case and where it came from.
#[derive(Debug, Clone, Copy)]
pub struct FamilyCase {
    /// The spec file, relative to the project.
    pub file: &'static str,
    /// Whether the file is an unchanged upstream suite description.
    pub upstream: bool,
    pub spec: CaseSpec,
}

/// One implementation's suite tool (`generate` / `run`).
#[derive(Debug)]
pub struct Implementation {
    pub name: &'static str,
    pub description: &'static str,
    pub tool: Tool,
    /// Extra arguments after `generate --stdout`.
    pub generate_args: &'static [&'static str],
    /// Whether its generator builds every case (else only the upstream ones).
    pub generates_all_cases: bool,
}

/// How to start a suite tool.
#[derive(Debug)]
pub enum Tool {
    /// A binary target of this package; `built_at` is cargo's path for it
    /// when the caller was compiled by cargo as a test.
    CargoBin {
        name: &'static str,
        built_at: Option<&'static str>,
    },
    /// An npm package pinned by a committed lockfile in `package_dir`.
    Npm {
        package_dir: &'static str,
        bin: &'static str,
    },
    /// A program and its leading arguments.
    Command(&'static [&'static str]),
}

/// A case a (generator, verifier) pair is declared to get wrong today.
#[derive(Debug, Clone, Copy)]
pub struct KnownFailure {
    pub case: usize,
    /// `None` matches every generator.
    pub generator: Option<usize>,
    /// `None` matches every verifier.
    pub verifier: Option<usize>,
    pub reason: &'static str,
    /// `file:line:col` of the declaration, to point at when it goes stale.
    pub declared_at: &'static str,
}

impl Family {
    /// The known failure declared for this case and pair, if any.
    pub fn known_failure(
        &self,
        case: usize,
        generator: usize,
        verifier: usize,
    ) -> Option<&KnownFailure> {
        self.known_failures.iter().find(|known| {
            known.case == case
                && known.generator.is_none_or(|g| g == generator)
                && known.verifier.is_none_or(|v| v == verifier)
        })
    }

    /// Whether `generator` builds this case at all.
    pub fn generates(&self, generator: usize, case: usize) -> bool {
        self.implementations[generator].generates_all_cases || self.cases[case].upstream
    }
}
