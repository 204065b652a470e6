pub static MATRIX: ::crosscheck::tls::Matrix = {
    extern crate alloc;
    crosscheck::tls::Matrix {
        root: alloc::borrow::Cow::Borrowed(
            "<root>",
        ),
        certificates: alloc::borrow::Cow::Borrowed(
            "<root>/certificates",
        ),
        cases: alloc::borrow::Cow::Borrowed(
            &[
                crosscheck::tls::Case {
                    name: alloc::borrow::Cow::Borrowed("handshake"),
                    description: alloc::borrow::Cow::Borrowed("Handshake, then close."),
                    upstream: true,
                    client_duty: alloc::borrow::Cow::Borrowed("Handshake; close."),
                    server_duty: alloc::borrow::Cow::Borrowed(
                        "Handshake; close after the client.",
                    ),
                    deadline_ms: 10000u64,
                    parameters: alloc::borrow::Cow::Borrowed(&[]),
                    relay: None,
                    client_facts: alloc::borrow::Cow::Borrowed(&[]),
                    server_facts: alloc::borrow::Cow::Borrowed(&[]),
                    wire: crosscheck::tls::Wire {
                        connections: alloc::borrow::Cow::Borrowed(&[]),
                        key_updates: None,
                    },
                    refusal: None,
                    client_starts_at_second: false,
                },
                crosscheck::tls::Case {
                    name: alloc::borrow::Cow::Borrowed("resumption"),
                    description: alloc::borrow::Cow::Borrowed(
                        "A full handshake, then a resumed one.",
                    ),
                    upstream: false,
                    client_duty: alloc::borrow::Cow::Borrowed(
                        "Two connections, the second resuming.",
                    ),
                    server_duty: alloc::borrow::Cow::Borrowed(
                        "Two connections, the second resumed.",
                    ),
                    deadline_ms: 10000u64,
                    parameters: alloc::borrow::Cow::Borrowed(&[]),
                    relay: None,
                    client_facts: alloc::borrow::Cow::Borrowed(
                        &[alloc::borrow::Cow::Borrowed("session_resumed")],
                    ),
                    server_facts: alloc::borrow::Cow::Borrowed(&[]),
                    wire: crosscheck::tls::Wire {
                        connections: alloc::borrow::Cow::Borrowed(
                            &[
                                crosscheck::tls::ConnectionWire {
                                    resumed: Some(false),
                                    psk_identity: None,
                                    hello_retry_request: None,
                                    early_data_accepted: None,
                                    client_certificate: None,
                                },
                                crosscheck::tls::ConnectionWire {
                                    resumed: Some(true),
                                    psk_identity: None,
                                    hello_retry_request: None,
                                    early_data_accepted: None,
                                    client_certificate: None,
                                },
                            ],
                        ),
                        key_updates: None,
                    },
                    refusal: None,
                    client_starts_at_second: false,
                },
                crosscheck::tls::Case {
                    name: alloc::borrow::Cow::Borrowed("untrusted_certificate"),
                    description: alloc::borrow::Cow::Borrowed(
                        "The client refuses an untrusted chain.",
                    ),
                    upstream: false,
                    client_duty: alloc::borrow::Cow::Borrowed("Refuse."),
                    server_duty: alloc::borrow::Cow::Borrowed(
                        "Present the untrusted chain.",
                    ),
                    deadline_ms: 10000u64,
                    parameters: alloc::borrow::Cow::Borrowed(&[]),
                    relay: None,
                    client_facts: alloc::borrow::Cow::Borrowed(&[]),
                    server_facts: alloc::borrow::Cow::Borrowed(&[]),
                    wire: crosscheck::tls::Wire {
                        connections: alloc::borrow::Cow::Borrowed(&[]),
                        key_updates: None,
                    },
                    refusal: Some(crosscheck::tls::Refusal {
                        by: crosscheck::Role::Client,
                        alerts: alloc::borrow::Cow::Borrowed(
                            &[alloc::borrow::Cow::Borrowed("unknown_ca")],
                        ),
                    }),
                    client_starts_at_second: false,
                },
            ],
        ),
        implementations: alloc::borrow::Cow::Borrowed(
            &[
                crosscheck::tls::Implementation {
                    name: alloc::borrow::Cow::Borrowed("rustls"),
                    description: alloc::borrow::Cow::Borrowed("rustls"),
                    program: ::crosscheck::program::Program {
                        name: ::std::borrow::Cow::Borrowed("rustls"),
                        provision: ::crosscheck::program::Provision::Installed,
                        run: ::std::borrow::Cow::Borrowed(
                            &[::std::borrow::Cow::Borrowed("{root}/rustls")],
                        ),
                        args: ::std::borrow::Cow::Borrowed(&[]),
                        env: ::std::borrow::Cow::Borrowed(&[]),
                        debian: ::std::borrow::Cow::Borrowed(&[]),
                    },
                    client: true,
                    server: true,
                },
                crosscheck::tls::Implementation {
                    name: alloc::borrow::Cow::Borrowed("java"),
                    description: alloc::borrow::Cow::Borrowed("JSSE"),
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
                        debian: ::std::borrow::Cow::Borrowed(&[]),
                    },
                    client: true,
                    server: true,
                },
            ],
        ),
        cells: alloc::borrow::Cow::Borrowed(
            &[
                crosscheck::tls::PlannedCell {
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
                crosscheck::tls::PlannedCell {
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
                crosscheck::tls::PlannedCell {
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
                crosscheck::tls::PlannedCell {
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
        ),
    }
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
