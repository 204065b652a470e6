//! A shim's `main`: parse the invocation, settle unsupported cases before any
//! network activity, run the case and turn the outcome into the exit status.

use std::ffi::OsString;
use std::path::Path;
use std::process::ExitCode;

use crate::case::Role;
use crate::error::Error;
use crate::invocation::{Invocation, Parameters};
use crate::library::Library;
use crate::pki::Pki;
use crate::scenario::{report_refusal, run_client, run_server};

/// Exit status: the scenario passed.
const PASSED: u8 = 0;
/// Exit status: a step or check failed.
const FAILED: u8 = 1;
/// Exit status: the command line or environment is malformed.
const USAGE: u8 = 2;
/// Exit status: the library does not support the case in this role.
const UNSUPPORTED: u8 = crosscheck_model::tls::UNSUPPORTED_EXIT;

/// Runs the shim for library `L` on the process's arguments and environment.
pub fn main<L: Library>() -> ExitCode {
    let mut arguments = std::env::args_os();
    let program = arguments
        .next()
        .as_deref()
        .and_then(|path| Path::new(path).file_name())
        .map_or_else(
            || "tls-shim".to_string(),
            |name| name.to_string_lossy().into_owned(),
        );
    ExitCode::from(run::<L>(&program, arguments))
}

/// `[OPTIONS] version`: prints the library's version line.
fn print_version<L: Library>(program: &str, options: Vec<OsString>, usage: &str) -> u8 {
    let options: Result<Vec<String>, _> = options.into_iter().map(OsString::into_string).collect();
    let library = options
        .map_err(|argument| format!("argument {argument:?} is not valid UTF-8"))
        .and_then(|options| L::from_options(&options));
    match library {
        Ok(library) => {
            println!("{}", library.version());
            PASSED
        }
        Err(message) => {
            eprintln!("{program}: {message}\n{usage}");
            USAGE
        }
    }
}

/// Runs the shim and returns its exit status; messages go to stderr.
pub fn run<L: Library>(program: &str, arguments: impl IntoIterator<Item = OsString>) -> u8 {
    let usage = || {
        let options = L::OPTIONS_SYNOPSIS;
        let space = if options.is_empty() { "" } else { " " };
        format!(
            "usage: {program} {options}{space}client|server CASE PORT\n       {program} {options}{space}version"
        )
    };
    let mut arguments: Vec<OsString> = arguments.into_iter().collect();
    if arguments.last().is_some_and(|last| last == "version") {
        arguments.pop();
        return print_version::<L>(program, arguments, &usage());
    }
    let invocation = match Invocation::parse(arguments) {
        Ok(invocation) => invocation,
        Err(message) => {
            eprintln!("{program}: {message}\n{}", usage());
            return USAGE;
        }
    };
    let library = match L::from_options(&invocation.options) {
        Ok(library) => library,
        Err(message) => {
            eprintln!("{program}: {message}\n{}", usage());
            return USAGE;
        }
    };
    let (role, case) = (invocation.role, invocation.case);
    if let Some(reason) = library.unsupported(role, case) {
        eprintln!("{program}: {role} {case} is not supported: {reason}");
        return UNSUPPORTED;
    }
    let parameters = match Parameters::from_env() {
        Ok(parameters) => parameters,
        Err(message) => {
            eprintln!("{program}: {message}");
            return USAGE;
        }
    };
    let pki = Pki::new(&parameters.certificates);
    let outcome = match role {
        Role::Client => library
            .client(case, &pki)
            .map_err(|error| error.during("setting up the client"))
            .and_then(|mut client| {
                run_client(&mut client, case, invocation.port, &parameters)
                    .map_err(|error| report_refusal(role, case, error))
            }),
        Role::Server => library
            .server(case, &pki)
            .map_err(|error| error.during("setting up the server"))
            .and_then(|mut server| {
                run_server(&mut server, case, invocation.port, &parameters)
                    .map_err(|error| report_refusal(role, case, error))
            }),
    };
    match outcome {
        Ok(()) => PASSED,
        Err(error @ Error::Invocation(_)) => {
            eprintln!("{program}: {error}");
            USAGE
        }
        Err(error) => {
            eprintln!("{program} {role} {case}: error: {error}");
            FAILED
        }
    }
}
