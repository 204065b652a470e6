//! TLS interop shim for s2n-tls (see `shims/README.md`).

use crosscheck_tls_shims::driver;
use crosscheck_tls_shims::s2n_adapter::S2nTls;

fn main() -> std::process::ExitCode {
    driver::main::<S2nTls>()
}
