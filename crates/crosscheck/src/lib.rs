//! The crosscheck runtime: what generated tests and the CLI call. Nothing
//! here reads YAML; specs arrive as static data compiled by `build.rs`.

pub use app_identity as app_identity_impl;
pub use crosscheck_key_schedule as key_schedule;
pub use crosscheck_model::Role;
pub use crosscheck_process as process;
pub use crosscheck_process::paths;
pub use crosscheck_tap as tap;

pub mod app_identity;
pub mod bogo;
pub mod cpu_slots;
pub mod expectation;
pub mod input;
pub mod pool;
pub mod program;
pub mod programs;
pub mod results;
pub mod tls;
