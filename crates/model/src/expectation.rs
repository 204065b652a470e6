//! What a generated test expects of its run: decided once, by the spec
//! compiler, from the spec's declarations, and carried in the static tables
//! that the tests and the command line both read. (The runtime re-exports
//! this module as `crosscheck::expectation`, the path generated code uses.)

use std::borrow::Cow;

/// A declaration in a spec file that changes what a test expects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declared {
    /// Who it is about: `client` or `server` for a TLS implementation, the
    /// shim for a BoGo test.
    pub who: Cow<'static, str>,
    /// How messages name it: `java as server`, a shim glob.
    pub name: Cow<'static, str>,
    pub reason: Cow<'static, str>,
    /// `file:line:col` of the entry, to point at when it no longer holds.
    pub declared_at: Cow<'static, str>,
}

impl Declared {
    /// A declaration known when the code was built (what generated tables
    /// hold).
    pub const fn new(
        who: &'static str,
        name: &'static str,
        reason: &'static str,
        declared_at: &'static str,
    ) -> Declared {
        Declared {
            who: Cow::Borrowed(who),
            name: Cow::Borrowed(name),
            reason: Cow::Borrowed(reason),
            declared_at: Cow::Borrowed(declared_at),
        }
    }
}

/// What a test's run must show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expectation {
    /// It passes.
    Pass,
    /// Each program declared here says it cannot play the test (and no
    /// other does). Such tests are `#[ignore]`d.
    Unsupported(Cow<'static, [Declared]>),
    /// It fails, as declared (a known failure).
    Fail(Declared),
    /// It is not run by default (`#[ignore]`d), as declared; run anyway,
    /// it must pass.
    Disabled(Declared),
}

impl Expectation {
    /// A failure declared at `declared_at` (a `known_failures` entry).
    pub fn known_failure(reason: String, declared_at: String) -> Expectation {
        Expectation::Fail(Declared {
            who: Cow::Borrowed("test"),
            name: Cow::Borrowed("a known failure"),
            reason: Cow::Owned(reason),
            declared_at: Cow::Owned(declared_at),
        })
    }

    /// Why the test does not run by default (its `#[ignore]` reason).
    pub fn ignore_reason(&self) -> Option<String> {
        match self {
            Expectation::Unsupported(declared) => Some(
                declared
                    .iter()
                    .map(|entry| format!("{}: {}", entry.name, entry.reason))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            Expectation::Disabled(entry) => Some(format!(
                "{} ({}, {})",
                entry.reason, entry.name, entry.declared_at
            )),
            Expectation::Pass | Expectation::Fail(_) => None,
        }
    }

    /// The declarations it rests on (none for a plain pass).
    pub fn declared(&self) -> &[Declared] {
        match self {
            Expectation::Pass => &[],
            Expectation::Unsupported(declared) => declared,
            Expectation::Fail(entry) | Expectation::Disabled(entry) => std::slice::from_ref(entry),
        }
    }
}

#[cfg(feature = "tokens")]
mod tokens {
    use proc_macro2::TokenStream;
    use quote::{ToTokens, quote};

    use super::{Declared, Expectation};

    impl ToTokens for Declared {
        fn to_tokens(&self, tokens: &mut TokenStream) {
            let (who, name, reason, declared_at) = (
                self.who.as_ref(),
                self.name.as_ref(),
                self.reason.as_ref(),
                self.declared_at.as_ref(),
            );
            tokens.extend(quote! {
                ::crosscheck::expectation::Declared::new(#who, #name, #reason, #declared_at)
            });
        }
    }

    impl ToTokens for Expectation {
        fn to_tokens(&self, tokens: &mut TokenStream) {
            tokens.extend(match self {
                Expectation::Pass => quote! { ::crosscheck::expectation::Expectation::Pass },
                Expectation::Unsupported(declared) => {
                    let declared = declared.iter();
                    quote! {
                        ::crosscheck::expectation::Expectation::Unsupported(
                            ::std::borrow::Cow::Borrowed(&[#(#declared),*])
                        )
                    }
                }
                Expectation::Fail(declared) => {
                    quote! { ::crosscheck::expectation::Expectation::Fail(#declared) }
                }
                Expectation::Disabled(declared) => {
                    quote! { ::crosscheck::expectation::Expectation::Disabled(#declared) }
                }
            });
        }
    }

    bake_as_tokens!(Declared, Expectation);

    impl databake::BakeSize for Declared {
        fn borrows_size(&self) -> usize {
            self.who.borrows_size()
                + self.name.borrows_size()
                + self.reason.borrows_size()
                + self.declared_at.borrows_size()
        }
    }

    impl databake::BakeSize for Expectation {
        fn borrows_size(&self) -> usize {
            match self {
                Expectation::Pass => 0,
                Expectation::Unsupported(declared) => declared.borrows_size(),
                Expectation::Fail(declared) | Expectation::Disabled(declared) => {
                    declared.borrows_size()
                }
            }
        }
    }
}
