#[allow(unused_imports)]
use ::crosscheck::app_identity::case::{
    Alphabet, AppSpec, CaseSpec, Expect, IdSpec, NonceSpec, PadlockCase, PadlockSpec,
    ProofSpec,
};
pub static FAMILY: ::crosscheck::app_identity::Family = ::crosscheck::app_identity::Family {
    name: "golden",
    implementations: &[
        ::crosscheck::app_identity::Implementation {
            name: "rust",
            description: "the Rust one",
            tool: ::crosscheck::app_identity::Tool::CargoBin {
                name: "app-identity-suite-rs",
                built_at: option_env!("CARGO_BIN_EXE_app-identity-suite-rs"),
            },
            generate_args: &[],
            generates_all_cases: true,
        },
        ::crosscheck::app_identity::Implementation {
            name: "other",
            description: "another",
            tool: ::crosscheck::app_identity::Tool::Command(&["other-tool"]),
            generate_args: &[],
            generates_all_cases: false,
        },
    ],
    cases: &[
        ::crosscheck::app_identity::FamilyCase {
            file: "up.yaml",
            upstream: true,
            spec: CaseSpec {
                description: "App V1, Proof V1",
                spec_version: 4u32,
                expect: Expect::Pass,
                required: true,
                app: AppSpec {
                    version: 1u8,
                    fuzz: None,
                    id: IdSpec::Random,
                },
                proof: ProofSpec {
                    version: 1u8,
                    id: None,
                    secret: None,
                    alphabet: Alphabet::UrlSafe,
                    padded: true,
                },
                nonce: NonceSpec::Default,
                padlock: PadlockSpec::Default,
            },
        },
    ],
    pairs: &[],
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
