pub static FAMILY: ::crosscheck::app_identity::Family = {
    extern crate alloc;
    #[allow(unused_imports)]
    use ::crosscheck::app_identity;
    crosscheck::app_identity::Family {
        name: alloc::borrow::Cow::Borrowed("golden"),
        root: alloc::borrow::Cow::Borrowed(
            "<root>",
        ),
        implementations: alloc::borrow::Cow::Borrowed(
            &[
                crosscheck::app_identity::Implementation {
                    name: alloc::borrow::Cow::Borrowed("rust"),
                    description: alloc::borrow::Cow::Borrowed("the Rust one"),
                    program: ::crosscheck::program::Program {
                        name: ::std::borrow::Cow::Borrowed("rust"),
                        provision: ::crosscheck::program::Provision::Cargo(::crosscheck::program::Cargo {
                            package: ::std::borrow::Cow::Borrowed("crosscheck-suite"),
                            bin: ::std::borrow::Cow::Borrowed("app-identity-suite-rs"),
                            built_at: ::core::option_env!(
                                "CARGO_BIN_EXE_app-identity-suite-rs"
                            ),
                            compiled_in: ::core::option_env!("CARGO_PKG_NAME"),
                        }),
                        run: ::std::borrow::Cow::Borrowed(&[]),
                        args: ::std::borrow::Cow::Borrowed(&[]),
                        env: ::std::borrow::Cow::Borrowed(&[]),
                        debian: ::std::borrow::Cow::Borrowed(&[]),
                    },
                    generate_args: alloc::borrow::Cow::Borrowed(&[]),
                    generates_all_cases: true,
                },
                crosscheck::app_identity::Implementation {
                    name: alloc::borrow::Cow::Borrowed("other"),
                    description: alloc::borrow::Cow::Borrowed("another"),
                    program: ::crosscheck::program::Program {
                        name: ::std::borrow::Cow::Borrowed("other"),
                        provision: ::crosscheck::program::Provision::Installed,
                        run: ::std::borrow::Cow::Borrowed(
                            &[::std::borrow::Cow::Borrowed("other-tool")],
                        ),
                        args: ::std::borrow::Cow::Borrowed(&[]),
                        env: ::std::borrow::Cow::Borrowed(&[]),
                        debian: ::std::borrow::Cow::Borrowed(&[]),
                    },
                    generate_args: alloc::borrow::Cow::Borrowed(&[]),
                    generates_all_cases: false,
                },
            ],
        ),
        cases: alloc::borrow::Cow::Borrowed(
            &[
                crosscheck::app_identity::FamilyCase {
                    file: alloc::borrow::Cow::Borrowed("up.yaml"),
                    upstream: true,
                    spec: app_identity::case::CaseSpec {
                        description: alloc::borrow::Cow::Borrowed("App V1, Proof V1"),
                        spec_version: 4u32,
                        expect: app_identity::case::Expect::Pass,
                        required: true,
                        app: app_identity::case::AppSpec {
                            version: 1u8,
                            fuzz: None,
                            id: app_identity::case::IdSpec::Random,
                        },
                        proof: app_identity::case::ProofSpec {
                            version: 1u8,
                            id: None,
                            secret: None,
                            alphabet: app_identity::case::Alphabet::UrlSafe,
                            padded: true,
                        },
                        nonce: app_identity::case::NonceSpec::Default,
                        padlock: app_identity::case::PadlockSpec::Default,
                    },
                },
            ],
        ),
        pairs: alloc::borrow::Cow::Borrowed(&[]),
    }
};
pub mod up {
    mod app_v1_proof_v1 {
        #[test]
        fn rust_to_rust() {
            ::crosscheck::app_identity::check(
                &super::super::FAMILY,
                0usize,
                0usize,
                0usize,
            )
        }
        #[test]
        fn rust_to_other() {
            ::crosscheck::app_identity::check(
                &super::super::FAMILY,
                0usize,
                0usize,
                1usize,
            )
        }
        #[test]
        fn other_to_rust() {
            ::crosscheck::app_identity::check(
                &super::super::FAMILY,
                0usize,
                1usize,
                0usize,
            )
        }
        #[test]
        fn other_to_other() {
            ::crosscheck::app_identity::check(
                &super::super::FAMILY,
                0usize,
                1usize,
                1usize,
            )
        }
    }
}
