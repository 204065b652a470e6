//! Every spec family as ordinary `#[test]` functions, expanded by `spec!`:
//! `app_identity::<case file>::<case>::<generator>_to_<verifier>` and
//! `tls::<case>::<client>_to_<server>` and
//! `bogo::<shim>::[<variant>::]<case>`. `build.rs` watches `specs/`, so a
//! new App Identity case file, TLS case or implementation, BoGo case or
//! shim re-expands this with no Rust edit.

crosscheck_macros::spec!("specs/app_identity");
crosscheck_macros::spec!("specs/tls");
crosscheck_macros::spec!("specs/bogo");
