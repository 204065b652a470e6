//! TLS interop shims: one scenario driver shared by every Rust TLS library
//! binding (see `shims/README.md` for the contract).

pub mod certificates;
