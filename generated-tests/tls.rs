//! The TLS interop family as ordinary `#[test]` functions, expanded by
//! `spec!`: `tls::<case>::<client>_to_<server>`. `build.rs` watches
//! `specs/`, so a new case or implementation re-expands this with no Rust
//! edit.

crosscheck_macros::spec!("specs/tls");
