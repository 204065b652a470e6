//! App Identity, spec 4: proofs that a client knows an app's secret, their
//! verification, and the integration suites implementations exchange.

pub mod app;
pub mod case;
mod encoding;
pub mod evaluate;
pub mod generate;
pub mod nonce;
pub mod padlock;
mod parts;
pub mod proof;
pub mod secret;
pub mod suite;
pub mod timestamp;
pub mod verify;
pub mod version;

/// The App Identity specification version implemented here.
pub const SPEC_VERSION: u32 = 4;

pub use app::{App, AppError, AppId, DEFAULT_FUZZ};
pub use evaluate::{EvaluateOptions, Evaluation, Outcome, SuiteReport, TestResult, evaluate};
pub use generate::{GenerateError, GeneratorInfo, generate_suite};
pub use jiff::Timestamp;
pub use nonce::{NonceError, generate_nonce, validate_nonce};
pub use proof::{GenerateProofError, Proof, generate_proof};
pub use secret::Secret;
pub use suite::{Suite, SuiteApp, SuiteAppId, SuiteError, SuiteTest};
pub use timestamp::timestamp_nonce;
pub use verify::{VerifyError, verify_proof, verify_proof_with_diagnostic};
pub use version::Version;
