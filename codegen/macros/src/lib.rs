//! `spec!("specs/app_identity")` (a family directory) or
//! `spec!("specs/app_identity/extra.yaml")` (one case file): expands specs into a
//! module of `#[test]` functions at the call site.
//!
//! The family comes from the directory (the path itself or the file's
//! parent): `manifest.yaml` marks App Identity, `implementations.yaml` TLS.
//! `spec!("specs/tls")` and `spec!("specs/tls/cases.yaml")` both expand the
//! whole TLS family (`pub mod tls { MATRIX, one module per case }`).
//!
//! `spec!("specs/tls", module = tls_interop)` names the module instead of
//! the directory, so that a filter such as `cargo test -- tls_interop::`
//! selects one family alone.
//!
//! The path is relative to the project root: the nearest of the calling
//! crate's `CARGO_MANIFEST_DIR` and its ancestors that holds it (so a
//! family's test package under `generated-tests/` names `specs/tls` as the
//! root package does). Spec errors become `compile_error!` carrying the YAML location; the expansion
//! `include_bytes!`s every spec file it read, so editing one rebuilds.

use std::path::PathBuf;

use proc_macro::TokenStream;

use syn::parse::{Parse, ParseStream};
use syn::{Ident, LitStr, Token, parse_macro_input};

/// `"PATH"` or `"PATH", module = NAME`.
struct SpecInput {
    path: LitStr,
    module: Option<Ident>,
}

impl Parse for SpecInput {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let path = input.parse()?;
        let mut module = None;
        if input.parse::<Option<Token![,]>>()?.is_some() && !input.is_empty() {
            let key: Ident = input.parse()?;
            if key != "module" {
                return Err(syn::Error::new(key.span(), "expected `module = NAME`"));
            }
            input.parse::<Token![=]>()?;
            module = Some(input.parse()?);
            input.parse::<Option<Token![,]>>()?;
        }
        Ok(SpecInput { path, module })
    }
}

#[proc_macro]
pub fn spec(input: TokenStream) -> TokenStream {
    let SpecInput {
        path: literal,
        module,
    } = parse_macro_input!(input as SpecInput);
    let manifest_dir = match std::env::var_os("CARGO_MANIFEST_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => {
            return error(
                &literal,
                "CARGO_MANIFEST_DIR is not set; spec! must be expanded by cargo",
            );
        }
    };
    let relative = literal.value();
    let root = manifest_dir
        .ancestors()
        .find(|dir| dir.join(&relative).exists())
        .unwrap_or(&manifest_dir)
        .to_path_buf();
    let path = root.join(relative);
    let module = module.map(|module| module.to_string());
    match crosscheck_codegen::compile_path_as(&path, &root, module.as_deref()) {
        Ok(tokens) => tokens.into(),
        Err(diagnostics) => error(&literal, &diagnostics.to_string()),
    }
}

fn error(literal: &LitStr, message: &str) -> TokenStream {
    let message = format!("crosscheck spec error:\n{message}");
    quote::quote_spanned! { literal.span() => compile_error!(#message); }.into()
}
