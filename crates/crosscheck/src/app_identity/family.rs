//! The compiled form of `specs/app_identity/`: static data the generated
//! tests and the binaries share. Built by the spec compiler, never by hand.

use crate::app_identity::case::CaseSpec;
use crate::expectation::Expectation;
use crate::program::Program;

/// A family of cases and the implementations that cross-verify them.
#[derive(Debug)]
pub struct Family {
    pub name: &'static str,
    /// Absolute path of the project root: relative paths in programs'
    /// declarations resolve against it.
    pub root: &'static str,
    pub implementations: &'static [Implementation],
    pub cases: &'static [FamilyCase],
    /// What each (case, generator, verifier) that must not simply conform
    /// must show; a pair not listed must conform.
    pub pairs: &'static [PlannedPair],
}

impl Family {
    /// The case specs in table order.
    pub fn case_specs(&self) -> Vec<CaseSpec> {
        self.cases.iter().map(|case| case.spec.clone()).collect()
    }
}

/// A case and where it came from.
#[derive(Debug, Clone)]
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
    /// Its suite tool; `generate …` or `run …` follow its arguments.
    pub program: Program,
    /// Extra arguments after `generate --stdout`.
    pub generate_args: &'static [&'static str],
    /// Whether its generator builds every case (else only the upstream ones).
    pub generates_all_cases: bool,
}

/// A (case, generator, verifier) and what it must show.
#[derive(Debug)]
pub struct PlannedPair {
    pub case: usize,
    pub generator: usize,
    pub verifier: usize,
    pub expectation: Expectation,
}

impl Family {
    /// What the pair must show on the case, as the spec compiler decided
    /// from the known failures and what each generator builds; one the
    /// table does not list must conform.
    pub fn expectation(&self, case: usize, generator: usize, verifier: usize) -> &Expectation {
        const PASS: &Expectation = &Expectation::Pass;
        self.pairs
            .iter()
            .find(|pair| (pair.case, pair.generator, pair.verifier) == (case, generator, verifier))
            .map_or(PASS, |pair| &pair.expectation)
    }
}
