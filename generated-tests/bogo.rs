//! The BoGo family as ordinary `#[test]` functions, expanded by `spec!`:
//! `bogo::<shim>::[<variant>::]<case>`. `build.rs` watches `specs/`, so a
//! new BoGo case or shim file re-expands this with no Rust edit.

crosscheck_macros::spec!("specs/bogo");
