//! A program under test, as every spec family declares it (`program:`):
//! how to provision it (build or install it, once) and how to start it.
//! Decided by the spec compiler, carried in the static tables, and resolved
//! by the runtime (`crosscheck::programs::resolve`) into a path, leading
//! arguments and an environment. (The runtime re-exports this module as
//! `crosscheck::program`, the path generated code uses.)
//!
//! A new way to provision a program is a new [`Provision`] variant with its
//! own small record, a spec key, and an arm of the runtime's dispatch.

use std::borrow::Cow;

/// Text known when the code was built, or made at run time.
pub type Text = Cow<'static, str>;
/// A list of [`Text`]s (a command, arguments, paths).
pub type Texts = Cow<'static, [Text]>;

/// One program: an implementation's shim, a BoGo shim, a suite tool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Program {
    /// Who it is (the implementation, shim or tool): messages, logs and
    /// build directories use it.
    pub name: Text,
    /// How to get it onto the machine.
    pub provision: Provision,
    /// The program to start and its first arguments, when it is not simply
    /// what [`Provision`] made (empty: that program). `{root}` is the
    /// project root, `{build_dir}` a [`Build`]'s output directory and
    /// `{program}` the program a provision made. A program with a `/` is
    /// relative to the project root; otherwise it is looked up on `PATH`.
    pub run: Texts,
    /// Arguments after `run`'s (or after the program), before the caller's.
    pub args: Texts,
    /// Environment variables it gets.
    pub env: Cow<'static, [(Text, Text)]>,
    /// Debian packages it needs on the machine (a system library, a
    /// runtime), installed before it is provisioned.
    pub debian: Texts,
}

impl Program {
    /// `provision`'s program started as it is: no `run`, arguments or
    /// environment.
    pub const fn new(name: &'static str, provision: Provision) -> Program {
        Program {
            name: Cow::Borrowed(name),
            provision,
            run: Cow::Borrowed(&[]),
            args: Cow::Borrowed(&[]),
            env: Cow::Borrowed(&[]),
            debian: Cow::Borrowed(&[]),
        }
    }

    /// A program already on the machine, started with `run` (a program and
    /// its first arguments).
    pub const fn installed(name: &'static str, run: &'static [Text]) -> Program {
        Program {
            name: Cow::Borrowed(name),
            provision: Provision::Installed,
            run: Cow::Borrowed(run),
            args: Cow::Borrowed(&[]),
            env: Cow::Borrowed(&[]),
            debian: Cow::Borrowed(&[]),
        }
    }
}

/// How a program gets onto the machine; each way is one small record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Provision {
    /// Nothing to do: `run` names a program already there.
    Installed,
    /// A binary of a package of this workspace.
    Cargo(Cargo),
    /// An npm package pinned by a committed lockfile.
    Npm(Npm),
    /// A script of the project that builds a heavy third-party program
    /// into the machine's cache.
    Script(Script),
    /// A command that builds into a directory of the work dir.
    Build(Build),
}

impl Provision {
    /// The spec key of this way (`cargo`, `npm`, …), for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Provision::Installed => "installed",
            Provision::Cargo(_) => "cargo",
            Provision::Npm(_) => "npm",
            Provision::Script(_) => "script",
            Provision::Build(_) => "build",
        }
    }
}

/// `cargo build --release` of a workspace package, once per package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cargo {
    pub package: Text,
    pub bin: Text,
    /// Where cargo already built `bin` for the code holding this record,
    /// when that code is a test or bench of `package` (cargo's
    /// `CARGO_BIN_EXE_<bin>`). Filled in where the record is compiled,
    /// never by the spec compiler.
    pub built_at: Option<&'static str>,
    /// The package whose code holds this record (cargo's `CARGO_PKG_NAME`
    /// where it was compiled): a binary of that same package is the one
    /// beside the running program. Filled in like `built_at`.
    pub compiled_in: Option<&'static str>,
}

impl Cargo {
    /// `bin` of `package`, built by the runtime.
    pub const fn new(package: &'static str, bin: &'static str) -> Cargo {
        Cargo {
            package: Cow::Borrowed(package),
            bin: Cow::Borrowed(bin),
            built_at: None,
            compiled_in: None,
        }
    }
}

/// An npm package installed (`npm ci`) under the work directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Npm {
    /// Holds package.json and package-lock.json; relative to the root.
    pub package_dir: Text,
    /// The executable the package installs.
    pub bin: Text,
}

/// A script run with an empty output directory as its argument; the build
/// is cached per machine under a hash of every file beside the script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    /// Relative to the project root.
    pub path: Text,
    /// The program, relative to the output directory.
    pub output: Text,
    /// More files or directories (relative to the root) the build is made
    /// from, e.g. a crate the built program depends on.
    pub inputs: Texts,
}

/// A command run in the project root; `{build_dir}` is its output
/// directory, `{root}` the root, `{cargo}` the cargo running the tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Build {
    pub command: Texts,
    /// Files whose contents decide whether an earlier build still holds:
    /// relative to the root, absolute (outside the project), or a bare
    /// program name found on `PATH` when the project has no such file (e.g.
    /// `java`: a new JDK makes a new build). Empty: the command runs every time.
    pub inputs: Texts,
}

#[cfg(feature = "tokens")]
mod tokens {
    use proc_macro2::TokenStream;
    use quote::{ToTokens, quote};

    use super::{Build, Cargo, Npm, Program, Provision, Script, Text};

    fn text(text: &Text) -> TokenStream {
        let text = text.as_ref();
        quote! { ::std::borrow::Cow::Borrowed(#text) }
    }

    fn texts(texts: &[Text]) -> TokenStream {
        let texts = texts.iter().map(text);
        quote! { ::std::borrow::Cow::Borrowed(&[#(#texts),*]) }
    }

    impl ToTokens for Program {
        fn to_tokens(&self, tokens: &mut TokenStream) {
            let name = text(&self.name);
            let provision = &self.provision;
            let run = texts(&self.run);
            let args = texts(&self.args);
            let env = self.env.iter().map(|(key, value)| {
                let (key, value) = (text(key), text(value));
                quote! { (#key, #value) }
            });
            let debian = texts(&self.debian);
            tokens.extend(quote! {
                ::crosscheck::program::Program {
                    name: #name,
                    provision: #provision,
                    run: #run,
                    args: #args,
                    env: ::std::borrow::Cow::Borrowed(&[#(#env),*]),
                    debian: #debian,
                }
            });
        }
    }

    impl ToTokens for Provision {
        fn to_tokens(&self, tokens: &mut TokenStream) {
            tokens.extend(match self {
                Provision::Installed => quote! { ::crosscheck::program::Provision::Installed },
                Provision::Cargo(Cargo { package, bin, .. }) => {
                    let built_at = format!("CARGO_BIN_EXE_{bin}");
                    let (package, bin) = (text(package), text(bin));
                    quote! {
                        ::crosscheck::program::Provision::Cargo(::crosscheck::program::Cargo {
                            package: #package,
                            bin: #bin,
                            built_at: ::core::option_env!(#built_at),
                            compiled_in: ::core::option_env!("CARGO_PKG_NAME"),
                        })
                    }
                }
                Provision::Npm(Npm { package_dir, bin }) => {
                    let (package_dir, bin) = (text(package_dir), text(bin));
                    quote! {
                        ::crosscheck::program::Provision::Npm(::crosscheck::program::Npm {
                            package_dir: #package_dir,
                            bin: #bin,
                        })
                    }
                }
                Provision::Script(Script {
                    path,
                    output,
                    inputs,
                }) => {
                    let (path, output, inputs) = (text(path), text(output), texts(inputs));
                    quote! {
                        ::crosscheck::program::Provision::Script(::crosscheck::program::Script {
                            path: #path,
                            output: #output,
                            inputs: #inputs,
                        })
                    }
                }
                Provision::Build(Build { command, inputs }) => {
                    let (command, inputs) = (texts(command), texts(inputs));
                    quote! {
                        ::crosscheck::program::Provision::Build(::crosscheck::program::Build {
                            command: #command,
                            inputs: #inputs,
                        })
                    }
                }
            });
        }
    }

    bake_as_tokens!(Program, Provision);

    impl databake::BakeSize for Program {
        fn borrows_size(&self) -> usize {
            self.name.borrows_size()
                + self.provision.borrows_size()
                + self.run.borrows_size()
                + self.args.borrows_size()
                + self.env.borrows_size()
                + self.debian.borrows_size()
        }
    }

    impl databake::BakeSize for Provision {
        fn borrows_size(&self) -> usize {
            match self {
                Provision::Installed => 0,
                Provision::Cargo(Cargo { package, bin, .. }) => {
                    package.borrows_size() + bin.borrows_size()
                }
                Provision::Npm(Npm { package_dir, bin }) => {
                    package_dir.borrows_size() + bin.borrows_size()
                }
                Provision::Script(Script {
                    path,
                    output,
                    inputs,
                }) => path.borrows_size() + output.borrows_size() + inputs.borrows_size(),
                Provision::Build(Build { command, inputs }) => {
                    command.borrows_size() + inputs.borrows_size()
                }
            }
        }
    }
}
