//! The App Identity family as ordinary `#[test]` functions, expanded by
//! `spec!`: `app_identity::<case file>::<case>::<generator>_to_<verifier>`.
//! `build.rs` watches `specs/`, so a new case file or case re-expands this
//! with no Rust edit.

crosscheck_macros::spec!("specs/app_identity");
