//! BoGo shim for rustls (see `shims/bogo-rust/README.md`).

use crosscheck_bogo_shims::driver;
use crosscheck_bogo_shims::rustls_adapter::Rustls;

fn main() -> std::process::ExitCode {
    driver::main::<Rustls>()
}
