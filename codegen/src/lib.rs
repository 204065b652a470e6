//! The crosscheck spec compiler: YAML specs → checked model → concrete test
//! list → Rust tokens. `build.rs` and the `spec!` macro are thin fronts over it.

pub mod app_identity;
pub mod bogo_cases;
pub mod bogo_shims;
pub mod build_script;
pub mod diagnostic;
pub mod discover;
pub mod entries;
pub mod family;
pub mod located;
pub mod names;
pub mod placeholders;
pub mod program;
pub mod schema;
pub mod tls;
pub mod tokens;
pub mod yaml;

pub use diagnostic::{Diagnostic, Diagnostics};
pub use family::{SpecFamily, compile_module, compile_path, compile_path_as, compile_tables};
