//! The declared form of a program (`program:` in every spec family), as
//! the spec compiler emits it; [`crate::programs::resolve`] starts one.

pub use crosscheck_model::program::{Build, Cargo, Npm, Program, Provision, Script, Text, Texts};
