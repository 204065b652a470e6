//! TLS interop shim for GnuTLS (see `shims/README.md`).

use crosscheck_tls_shims::driver;
use crosscheck_tls_shims::gnutls_adapter::GnuTls;

fn main() -> std::process::ExitCode {
    driver::main::<GnuTls>()
}
