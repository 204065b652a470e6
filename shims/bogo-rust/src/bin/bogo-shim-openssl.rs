//! BoGo shim for the system OpenSSL (see `shims/bogo-rust/README.md`).

use crosscheck_bogo_shims::driver;
use crosscheck_bogo_shims::openssl_adapter::OpenSsl;

fn main() -> std::process::ExitCode {
    driver::main::<OpenSsl>()
}
