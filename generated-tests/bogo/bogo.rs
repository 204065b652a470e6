//! The BoGo family as ordinary `#[test]` functions, expanded by `spec!`:
//! `bogo::<shim>::[<variant>::]<case>`. This package's `build.rs` watches
//! `specs/bogo/` and `specs/shims/`, so a new BoGo case or shim file
//! re-expands this with no Rust edit.

crosscheck_macros::spec!("specs/bogo");
