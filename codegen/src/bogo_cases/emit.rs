//! Rust tokens for checked cases: one static `CASES` of
//! `::crosscheck::bogo::case::Case`, and thin `#[test]` functions, one per
//! shim, variant and case, that index into it and into `SHIMS`.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use crate::bogo_cases::plan::{
    CasePlan, CasesPlan, ExpectPlan, MessagesPlan, MisbehaviourPlan, PeerPlan,
};
use crate::bogo_shims::plan::{ProgramPlan, ShimPlan};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::names::snake_case;
use crate::tokens::{ignore_attribute, optional};
use crosscheck_model::expectation::Expectation;

/// `pub static CASES: &[::crosscheck::bogo::case::Case] = &[…];`
pub fn cases(plan: &CasesPlan) -> TokenStream {
    let cases = plan.cases.iter().map(case);
    quote! {
        pub static CASES: &[::crosscheck::bogo::case::Case] = &[#(#cases),*];
    }
}

/// `pub const ROOT: &str = "<project root>";`: where the tests' shims are
/// built and run from, as an absolute path.
pub fn root(display_root: &std::path::Path) -> TokenStream {
    let root = std::path::absolute(display_root)
        .unwrap_or_else(|_| display_root.to_path_buf())
        .display()
        .to_string();
    quote! { pub const ROOT: &str = #root; }
}

/// One shim's tests: where it is in `SHIMS`, its name, and its variants.
pub struct ShimTests<'a> {
    /// Its index in `SHIMS`.
    pub index: usize,
    /// As written (`rustls-upstream`); its snake_case form names the module.
    pub name: &'a str,
    /// In the order of the shim's variants (the index is the variant's).
    pub variants: Vec<VariantTests<'a>>,
}

/// One variant of a shim.
pub struct VariantTests<'a> {
    /// As written (`aws-lc-rs`); with several variants its snake_case form
    /// names a module.
    pub name: &'a str,
    /// The cases that must not simply pass, and what each expects; a
    /// disabled case's test is `#[ignore]`d with its reason.
    pub expected: &'a [(String, Expectation)],
}

/// One [`ShimTests`] per shim with a program, in `SHIMS` order.
pub fn shim_tests(plans: &[ShimPlan]) -> Vec<ShimTests<'_>> {
    plans
        .iter()
        .enumerate()
        .filter(|(_, shim)| shim.program != ProgramPlan::None)
        .map(|(index, shim)| ShimTests {
            index,
            name: &shim.name,
            variants: shim
                .variants
                .iter()
                .map(|variant| VariantTests {
                    name: &variant.name,
                    expected: &variant.expected,
                })
                .collect(),
        })
        .collect()
}

/// One module per shim holding one test per case, or, when the shim has
/// several variants, one module per variant:
/// `<shim>::<case>` or `<shim>::<variant>::<case>`. The modules must sit
/// next to `CASES`, `SHIMS` and `ROOT` (see [`root`]); each test is
/// `::crosscheck::bogo::check(&SHIMS[shim], variant, &CASES[case], ROOT)`.
///
/// Shim and variant names that give no module name, or the same one, are
/// errors.
pub fn tests(plan: &CasesPlan, shims: &[ShimTests<'_>]) -> Result<TokenStream, Diagnostics> {
    let mut diagnostics = Diagnostics::default();
    let shim_modules = module_names(shims.iter().map(|shim| shim.name), "shim", &mut diagnostics);
    let mut modules = Vec::new();
    for (shim, module) in shims.iter().zip(shim_modules) {
        let module = format_ident!("{module}");
        let body = match shim.variants.as_slice() {
            [] => {
                diagnostics.push(Diagnostic::without_position(
                    shim.name,
                    format!("shim `{}` has no variants to test", shim.name),
                ));
                continue;
            }
            [only] => variant_tests(plan, shim.index, 0, only, &quote! { super:: }),
            variants => {
                let names = module_names(
                    variants.iter().map(|variant| variant.name),
                    &format!("variant of shim `{}`", shim.name),
                    &mut diagnostics,
                );
                let variant_modules =
                    variants
                        .iter()
                        .zip(names)
                        .enumerate()
                        .map(|(index, (variant, name))| {
                            let name = format_ident!("{name}");
                            let tests = variant_tests(
                                plan,
                                shim.index,
                                index,
                                variant,
                                &quote! { super::super:: },
                            );
                            quote! { pub mod #name { #tests } }
                        });
                quote! { #(#variant_modules)* }
            }
        };
        modules.push(quote! { pub mod #module { #body } });
    }
    diagnostics.into_result(quote! { #(#modules)* })
}

/// The snake_case module name of each name; problems are reported and give
/// a placeholder name.
fn module_names<'a>(
    names: impl Iterator<Item = &'a str>,
    what: &str,
    diagnostics: &mut Diagnostics,
) -> Vec<String> {
    let mut seen: Vec<(String, &str)> = Vec::new();
    names
        .enumerate()
        .map(|(index, name)| match snake_case(name) {
            Ok(module) => {
                if let Some((_, first)) = seen.iter().find(|(taken, _)| *taken == module) {
                    diagnostics.push(Diagnostic::without_position(
                        name,
                        format!(
                            "{what} names `{name}` and `{first}` both become the module `{module}`; rename one"
                        ),
                    ));
                }
                seen.push((module.clone(), name));
                module
            }
            Err(message) => {
                diagnostics.push(Diagnostic::without_position(name, format!("{what}: {message}")));
                format!("unnamed_{index}")
            }
        })
        .collect()
}

fn variant_tests(
    plan: &CasesPlan,
    shim: usize,
    variant: usize,
    tests: &VariantTests<'_>,
    prefix: &TokenStream,
) -> TokenStream {
    let functions = plan.cases.iter().enumerate().map(|(index, case)| {
        let name = format_ident!("{}", case.test_name);
        let disabled = tests
            .expected
            .iter()
            .find(|(name, _)| *name == case.name)
            .and_then(|(_, expectation)| match expectation {
                Expectation::Disabled(_) => expectation.ignore_reason(),
                _ => None,
            });
        let ignore = ignore_attribute(disabled.as_deref());
        quote! {
            #[test]
            #ignore
            fn #name() {
                ::crosscheck::bogo::check(
                    &#prefix SHIMS[#shim],
                    #variant,
                    &#prefix CASES[#index],
                    #prefix ROOT,
                )
            }
        }
    });
    quote! { #(#functions)* }
}

fn bytes(bytes: &[u8]) -> Literal {
    Literal::byte_string(bytes)
}

fn case(case: &CasePlan) -> TokenStream {
    let CasePlan {
        name,
        group,
        flags,
        resume_count,
        shim_writes_first,
        shim_shuts_down,
        ..
    } = case;
    let shim_role = case.shim_role;
    let key_type = case.key_type;
    let MessagesPlan { count, length } = case.messages;
    let peer = peer(&case.peer);
    let expect = expect(&case.expect);
    quote! {
        ::crosscheck::bogo::case::Case {
            name: #name,
            group: #group,
            shim_role: #shim_role,
            key_type: #key_type,
            flags: &[#(#flags),*],
            resume_count: #resume_count,
            shim_writes_first: #shim_writes_first,
            shim_shuts_down: #shim_shuts_down,
            messages: ::crosscheck::bogo::case::Messages { count: #count, length: #length },
            peer: #peer,
            expect: #expect,
        }
    }
}

fn peer(peer: &PeerPlan) -> TokenStream {
    let PeerPlan {
        cipher_suites,
        groups,
        alpn,
        client_certificate,
        request_client_certificate,
        key_updates_after_handshake,
        ..
    } = peer;
    let key_update_request = peer.key_update_request;
    let min_version = optional(peer.min_version);
    let max_version = optional(peer.max_version);
    let misbehaviour = optional(peer.misbehaviour.as_ref().map(misbehaviour));
    quote! {
        ::crosscheck::bogo::case::Peer {
            min_version: #min_version,
            max_version: #max_version,
            cipher_suites: &[#(#cipher_suites),*],
            groups: &[#(#groups),*],
            alpn: &[#(#alpn),*],
            client_certificate: #client_certificate,
            request_client_certificate: #request_client_certificate,
            key_updates_after_handshake: #key_updates_after_handshake,
            key_update_request: #key_update_request,
            misbehaviour: #misbehaviour,
        }
    }
}

fn misbehaviour(misbehaviour: &MisbehaviourPlan) -> TokenStream {
    let variant = match misbehaviour {
        MisbehaviourPlan::RawBytesInsteadOfHandshake(raw) => {
            let raw = bytes(raw);
            quote! { RawBytesInsteadOfHandshake(#raw) }
        }
        MisbehaviourPlan::SendPrefix(prefix) => {
            let prefix = bytes(prefix);
            quote! { SendPrefix(#prefix) }
        }
        MisbehaviourPlan::FirstRecordVersion(version) => quote! { FirstRecordVersion(#version) },
        MisbehaviourPlan::InvalidRecordType { content_type, at } => {
            quote! { InvalidRecordType { content_type: #content_type, at: #at } }
        }
        MisbehaviourPlan::TrailingDataInHandshakeMessage {
            message,
            bytes: data,
        } => {
            let data = bytes(data);
            quote! { TrailingDataInHandshakeMessage { message: #message, bytes: #data } }
        }
        MisbehaviourPlan::DuplicateExtension { message, extension } => {
            quote! { DuplicateExtension { message: #message, extension: #extension } }
        }
        MisbehaviourPlan::Alert { level, description } => {
            quote! { Alert { level: #level, description: #description } }
        }
        MisbehaviourPlan::BogusAlert(body) => {
            let body = bytes(body);
            quote! { BogusAlert(#body) }
        }
        MisbehaviourPlan::EmptyRecords(count) => quote! { EmptyRecords(#count) },
    };
    quote! { ::crosscheck::bogo::case::Misbehaviour::#variant }
}

fn expect(expect: &ExpectPlan) -> TokenStream {
    let should_fail = expect.should_fail;
    let error = optional(expect.error.as_ref());
    let local_error = optional(expect.local_error.as_ref());
    let unsolicited_key_update = expect.unsolicited_key_update;
    quote! {
        ::crosscheck::bogo::case::Expect {
            should_fail: #should_fail,
            error: #error,
            local_error: #local_error,
            unsolicited_key_update: #unsolicited_key_update,
        }
    }
}
