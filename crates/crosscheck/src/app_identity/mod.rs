//! App Identity at run time: the compiled family, its suite tools, the
//! canaries that vet each verifier, and the check every generated test calls.

pub use ::app_identity::case;

pub mod canaries;
mod check;
pub mod report;
pub mod run_store;
pub mod runs;
pub mod suite_tool;

pub use check::{Judgement, SPEC_VERSION, check, judge, pair_name};
pub use crosscheck_model::app_identity::{Family, FamilyCase, Implementation, PlannedPair};
