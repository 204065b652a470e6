pub static MATRIX: ::crosscheck::tls::Matrix = ::crosscheck::tls::Matrix {
    root: "<root>",
    certificates: "<root>/certificates",
    cases: &[
        ::crosscheck::tls::Case {
            name: "handshake",
            description: "Handshake, then close.",
            upstream: true,
            client_duty: "Handshake; close.",
            server_duty: "Handshake; close after the client.",
            deadline: ::std::time::Duration::from_millis(10000u64),
            parameters: &[],
            relay: None,
            client_facts: &[],
            server_facts: &[],
            wire: ::crosscheck::tls::Wire {
                connections: &[],
                key_updates: None,
            },
            refusal: None,
        },
        ::crosscheck::tls::Case {
            name: "resumption",
            description: "A full handshake, then a resumed one.",
            upstream: false,
            client_duty: "Two connections, the second resuming.",
            server_duty: "Two connections, the second resumed.",
            deadline: ::std::time::Duration::from_millis(10000u64),
            parameters: &[],
            relay: None,
            client_facts: &["session_resumed"],
            server_facts: &[],
            wire: ::crosscheck::tls::Wire {
                connections: &[
                    ::crosscheck::tls::ConnectionWire {
                        resumed: Some(false),
                        psk_identity: None,
                        hello_retry_request: None,
                        early_data_accepted: None,
                        client_certificate: None,
                    },
                    ::crosscheck::tls::ConnectionWire {
                        resumed: Some(true),
                        psk_identity: None,
                        hello_retry_request: None,
                        early_data_accepted: None,
                        client_certificate: None,
                    },
                ],
                key_updates: None,
            },
            refusal: None,
        },
        ::crosscheck::tls::Case {
            name: "untrusted_certificate",
            description: "The client refuses an untrusted chain.",
            upstream: false,
            client_duty: "Refuse.",
            server_duty: "Present the untrusted chain.",
            deadline: ::std::time::Duration::from_millis(10000u64),
            parameters: &[],
            relay: None,
            client_facts: &[],
            server_facts: &[],
            wire: ::crosscheck::tls::Wire {
                connections: &[],
                key_updates: None,
            },
            refusal: Some(::crosscheck::tls::Refusal {
                by: ::crosscheck::Role::Client,
                alerts: &["unknown_ca"],
            }),
        },
    ],
    implementations: &[
        ::crosscheck::tls::Implementation {
            name: "rustls",
            description: "rustls",
            program: ::crosscheck::program::Program {
                name: ::std::borrow::Cow::Borrowed("rustls"),
                provision: ::crosscheck::program::Provision::Installed,
                run: ::std::borrow::Cow::Borrowed(
                    &[::std::borrow::Cow::Borrowed("{root}/rustls")],
                ),
                args: ::std::borrow::Cow::Borrowed(&[]),
                env: ::std::borrow::Cow::Borrowed(&[]),
            },
            client: true,
            server: true,
        },
        ::crosscheck::tls::Implementation {
            name: "java",
            description: "JSSE",
            program: ::crosscheck::program::Program {
                name: ::std::borrow::Cow::Borrowed("java"),
                provision: ::crosscheck::program::Provision::Installed,
                run: ::std::borrow::Cow::Borrowed(
                    &[
                        ::std::borrow::Cow::Borrowed("java"),
                        ::std::borrow::Cow::Borrowed("TlsShim"),
                    ],
                ),
                args: ::std::borrow::Cow::Borrowed(&[]),
                env: ::std::borrow::Cow::Borrowed(&[]),
            },
            client: true,
            server: true,
        },
    ],
    cells: &[
        ::crosscheck::tls::PlannedCell {
            case: 1usize,
            client: 0usize,
            server: 1usize,
            expectation: ::crosscheck::expectation::Expectation::Unsupported(
                ::std::borrow::Cow::Borrowed(
                    &[
                        ::crosscheck::expectation::Declared::new(
                            "server",
                            "java as server",
                            "no tickets",
                            "implementations.yaml:9:9",
                        ),
                    ],
                ),
            ),
        },
        ::crosscheck::tls::PlannedCell {
            case: 1usize,
            client: 1usize,
            server: 1usize,
            expectation: ::crosscheck::expectation::Expectation::Unsupported(
                ::std::borrow::Cow::Borrowed(
                    &[
                        ::crosscheck::expectation::Declared::new(
                            "server",
                            "java as server",
                            "no tickets",
                            "implementations.yaml:9:9",
                        ),
                    ],
                ),
            ),
        },
        ::crosscheck::tls::PlannedCell {
            case: 2usize,
            client: 1usize,
            server: 0usize,
            expectation: ::crosscheck::expectation::Expectation::Fail(
                ::crosscheck::expectation::Declared::new(
                    "test",
                    "a known failure",
                    "sends no alert",
                    "implementations.yaml:13:5",
                ),
            ),
        },
        ::crosscheck::tls::PlannedCell {
            case: 2usize,
            client: 1usize,
            server: 1usize,
            expectation: ::crosscheck::expectation::Expectation::Fail(
                ::crosscheck::expectation::Declared::new(
                    "test",
                    "a known failure",
                    "sends no alert",
                    "implementations.yaml:13:5",
                ),
            ),
        },
    ],
};
pub mod handshake {
    #[test]
    fn rustls_to_rustls() {
        ::crosscheck::tls::check(&super::MATRIX, 0usize, 0usize, 0usize)
    }
    #[test]
    fn rustls_to_java() {
        ::crosscheck::tls::check(&super::MATRIX, 0usize, 0usize, 1usize)
    }
    #[test]
    fn java_to_rustls() {
        ::crosscheck::tls::check(&super::MATRIX, 0usize, 1usize, 0usize)
    }
    #[test]
    fn java_to_java() {
        ::crosscheck::tls::check(&super::MATRIX, 0usize, 1usize, 1usize)
    }
}
pub mod resumption {
    #[test]
    fn rustls_to_rustls() {
        ::crosscheck::tls::check(&super::MATRIX, 1usize, 0usize, 0usize)
    }
    #[test]
    #[ignore = "java as server: no tickets"]
    fn rustls_to_java() {
        ::crosscheck::tls::check(&super::MATRIX, 1usize, 0usize, 1usize)
    }
    #[test]
    fn java_to_rustls() {
        ::crosscheck::tls::check(&super::MATRIX, 1usize, 1usize, 0usize)
    }
    #[test]
    #[ignore = "java as server: no tickets"]
    fn java_to_java() {
        ::crosscheck::tls::check(&super::MATRIX, 1usize, 1usize, 1usize)
    }
}
pub mod untrusted_certificate {
    #[test]
    fn rustls_to_rustls() {
        ::crosscheck::tls::check(&super::MATRIX, 2usize, 0usize, 0usize)
    }
    #[test]
    fn rustls_to_java() {
        ::crosscheck::tls::check(&super::MATRIX, 2usize, 0usize, 1usize)
    }
    #[test]
    fn java_to_rustls() {
        ::crosscheck::tls::check(&super::MATRIX, 2usize, 1usize, 0usize)
    }
    #[test]
    fn java_to_java() {
        ::crosscheck::tls::check(&super::MATRIX, 2usize, 1usize, 1usize)
    }
}
