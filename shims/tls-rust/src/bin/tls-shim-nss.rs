//! TLS interop shim for NSS (see `shims/README.md`).

use crosscheck_tls_shims::driver;
use crosscheck_tls_shims::nss_adapter::Nss;

fn main() -> std::process::ExitCode {
    driver::main::<Nss>()
}
