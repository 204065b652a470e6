//! Golden files: each directory under `tests/golden/<family>/` is a small
//! spec (for BoGo, its `bogo/` and `shims/` folders). One that compiles must expand to its committed `expanded.rs` (the
//! tests' tokens, formatted, with the directory's path as `<root>`); one that
//! does not must report its committed `errors.txt`, every problem at once.
//! `CROSSCHECK_BLESS=1 cargo test -p crosscheck-codegen --test golden`
//! rewrites them after an intended change; review the diff.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on what they set up

mod support;

use std::path::{Path, PathBuf};

use crosscheck_codegen::app_identity::AppIdentity;
use crosscheck_codegen::bogo_cases::Bogo;
use crosscheck_codegen::tls::Tls;
use crosscheck_codegen::{Diagnostics, SpecFamily};
use proc_macro2::TokenStream;

const BLESS: &str = "CROSSCHECK_BLESS";

type Compile = fn(&Path, &Path) -> Result<TokenStream, Diagnostics>;

/// The family's tables and tests, as `spec!` would expand them (module
/// named after the family, without the file tracking).
fn compile<F: SpecFamily>(directory: &Path, root: &Path) -> Result<TokenStream, Diagnostics> {
    let plan = F::plan(directory, root)?;
    let tables = F::tables(&plan, "golden");
    let tests = F::tests(&plan)?;
    Ok(quote::quote! { #tables #tests })
}

/// What a spec directory compiles to, as committed text.
fn render(directory: &Path, compile: Compile) -> (&'static str, String) {
    match compile(directory, directory) {
        Ok(tokens) => {
            let file: syn::File = syn::parse2(tokens).expect("the expansion parses as Rust");
            let text = prettyplease::unparse(&file);
            let root = directory.display().to_string();
            ("expanded.rs", text.replace(&root, "<root>"))
        }
        Err(diagnostics) => ("errors.txt", diagnostics.to_string()),
    }
}

fn family_cases(family: &str) -> Vec<PathBuf> {
    let base = support::package_dir().join("tests/golden").join(family);
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&base)
        .unwrap_or_else(|error| panic!("cannot list {}: {error}", base.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.is_dir())
        .collect();
    cases.sort();
    cases
}

fn check_family(family: &str, compile: Compile) {
    let bless = std::env::var_os(BLESS).is_some();
    let mut stale = Vec::new();
    for directory in family_cases(family) {
        let (name, actual) = render(&directory, compile);
        let path = directory.join(name);
        let other = if name == "expanded.rs" {
            "errors.txt"
        } else {
            "expanded.rs"
        };
        if bless {
            std::fs::write(&path, &actual).expect("write the golden file");
            let _ = std::fs::remove_file(directory.join(other));
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(expected) if expected == actual => {}
            Ok(expected) => {
                let line = expected
                    .lines()
                    .zip(actual.lines())
                    .position(|(expected, actual)| expected != actual)
                    .map_or(
                        expected.lines().count().min(actual.lines().count()),
                        |line| line,
                    );
                stale.push(format!(
                    "{} differs from line {}:\n  expected: {}\n  actual:   {}",
                    path.display(),
                    line + 1,
                    expected.lines().nth(line).unwrap_or("<end>"),
                    actual.lines().nth(line).unwrap_or("<end>")
                ));
            }
            Err(_) => stale.push(format!(
                "{} is missing (the spec now gives {name}; {other} is stale):\n{actual}",
                path.display()
            )),
        }
    }
    assert!(
        stale.is_empty(),
        "{}\nif the change is intended: {BLESS}=1 cargo test -p crosscheck-codegen --test golden",
        stale.join("\n")
    );
}

#[test]
fn tls_specs_expand_as_committed() {
    check_family("tls", compile::<Tls>);
}

/// A BoGo golden directory holds the family's two folders: `bogo/` (the
/// cases and `upstream-tests/`) and `shims/`.
fn compile_bogo(directory: &Path, root: &Path) -> Result<TokenStream, Diagnostics> {
    compile::<Bogo>(&directory.join("bogo"), root)
}

#[test]
fn bogo_specs_expand_as_committed() {
    check_family("bogo", compile_bogo);
}

#[test]
fn app_identity_specs_expand_as_committed() {
    check_family("app_identity", compile::<AppIdentity>);
}
