//! Every spec family as ordinary `#[test]` functions, expanded by `spec!`.
//! `build.rs` watches `specs/`, so a new YAML file there re-expands this
//! with no Rust edit.

crosscheck_macros::spec!("specs/app_identity");
