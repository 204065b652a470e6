//! TLS interop shims for the Rust TLS library bindings and the C libraries
//! loaded at run time (see `shims/README.md` for the contract).
//!
//! The scenario driver is the `crosscheck-tls-driver` crate, re-exported
//! here at its modules' paths ([`driver`], [`scenario`], [`exchange`], ...);
//! each adapter in this crate implements [`library::Library`] for one TLS
//! library.

pub use crosscheck_tls_driver::{
    case, driver, error, exchange, invocation, key_log, library, pki, protocol, scenario, transport,
};

pub mod build_info;
pub mod c_library;
pub mod certificates;
pub mod gnutls_adapter;
pub mod nss_adapter;
pub mod openssl_adapter;
pub mod rustls_adapter;
pub mod s2n_adapter;
pub mod wolfssl_adapter;
