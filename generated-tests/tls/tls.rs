//! The TLS interop family as ordinary `#[test]` functions, expanded by
//! `spec!`: `tls_interop::<case>::<client>_to_<server>` (not `tls::`, which
//! `cargo test -- tls::` would also find inside `bogo::rustls::…`). This
//! package's `build.rs` watches `specs/tls/`, so a new case or
//! implementation re-expands this with no Rust edit.

crosscheck_macros::spec!("specs/tls", module = tls_interop);
