//! The TLS interop family as ordinary `#[test]` functions, expanded by
//! `spec!`: `tls::<case>::<client>_to_<server>`. This package's `build.rs`
//! watches `specs/tls/`, so a new case or implementation re-expands this
//! with no Rust edit.

crosscheck_macros::spec!("specs/tls");
