//! TLS interop shims: one scenario driver shared by every Rust TLS library
//! binding (see `shims/README.md` for the contract).
//!
//! The driver ([`driver`], [`scenario`], [`exchange`]) owns the command line,
//! the environment, TCP, the cases' exchanges, checks, facts and exit codes;
//! each adapter implements [`library::Library`] for one TLS library.

pub mod build_info;
pub mod c_library;
pub mod case;
pub mod certificates;
pub mod driver;
pub mod error;
pub mod exchange;
pub mod gnutls_adapter;
pub mod invocation;
pub mod key_log;
pub mod library;
pub mod nss_adapter;
pub mod openssl_adapter;
pub mod pki;
pub mod protocol;
pub mod rustls_adapter;
pub mod s2n_adapter;
pub mod scenario;
pub mod transport;
pub mod wolfssl_adapter;
