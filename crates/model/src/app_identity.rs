//! The compiled form of `specs/app_identity/`: a family of cases and the
//! implementations that cross-verify them. The spec compiler builds it
//! (owning its strings) and emits it (with the `tokens` feature, as
//! `databake` tokens naming `crosscheck::app_identity`); the generated
//! tests, the suite tool and the command line read it from a static table
//! (borrowing them). The runtime re-exports these types as
//! `crosscheck::app_identity`.

use std::borrow::Cow;

use ::app_identity::case::CaseSpec;

use crate::expectation::Expectation;
use crate::program::{Program, Text, Texts};

/// A family of cases and the implementations that cross-verify them.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "tokens", derive(databake::Bake), databake(path = crosscheck::app_identity))]
pub struct Family {
    pub name: Text,
    /// Absolute path of the project root: relative paths in programs'
    /// declarations resolve against it.
    pub root: Text,
    pub implementations: Cow<'static, [Implementation]>,
    pub cases: Cow<'static, [FamilyCase]>,
    /// What each (case, generator, verifier) that must not simply conform
    /// must show; a pair not listed must conform.
    pub pairs: Cow<'static, [PlannedPair]>,
}

impl Family {
    /// The case specs in table order.
    pub fn case_specs(&self) -> Vec<CaseSpec> {
        self.cases.iter().map(|case| case.spec.clone()).collect()
    }

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

/// A case and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "tokens", derive(databake::Bake), databake(path = crosscheck::app_identity))]
pub struct FamilyCase {
    /// The spec file, relative to the project.
    pub file: Text,
    /// Whether the file is an unchanged upstream suite description.
    pub upstream: bool,
    pub spec: CaseSpec,
}

/// One implementation's suite tool (`generate` / `run`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "tokens", derive(databake::Bake), databake(path = crosscheck::app_identity))]
pub struct Implementation {
    pub name: Text,
    pub description: Text,
    /// Its suite tool; `generate …` or `run …` follow its arguments.
    pub program: Program,
    /// Extra arguments after `generate --stdout`.
    pub generate_args: Texts,
    /// Whether its generator builds every case (else only the upstream ones).
    pub generates_all_cases: bool,
}

/// A (case, generator, verifier) and what it must show.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "tokens", derive(databake::Bake), databake(path = crosscheck::app_identity))]
pub struct PlannedPair {
    pub case: usize,
    pub generator: usize,
    pub verifier: usize,
    pub expectation: Expectation,
}
