pub const ROOT: &str = "<root>";
pub static SHIMS: &[::crosscheck::bogo::ShimConfig] = {
    extern crate alloc;
    &[
        crosscheck::bogo::ShimConfig {
            name: alloc::borrow::Cow::Borrowed("demo"),
            description: alloc::borrow::Cow::Borrowed("A demo shim"),
            declared_in: alloc::borrow::Cow::Borrowed("shims/demo.yaml"),
            program: Some(::crosscheck::program::Program {
                name: ::std::borrow::Cow::Borrowed("demo"),
                provision: ::crosscheck::program::Provision::Cargo(::crosscheck::program::Cargo {
                    package: ::std::borrow::Cow::Borrowed("demo-shims"),
                    bin: ::std::borrow::Cow::Borrowed("demo-shim"),
                    built_at: ::core::option_env!("CARGO_BIN_EXE_demo-shim"),
                    compiled_in: ::core::option_env!("CARGO_PKG_NAME"),
                }),
                run: ::std::borrow::Cow::Borrowed(&[]),
                args: ::std::borrow::Cow::Borrowed(&[]),
                env: ::std::borrow::Cow::Borrowed(&[]),
                debian: ::std::borrow::Cow::Borrowed(&[]),
            }),
            runner: crosscheck::bogo::RunnerOptions {
                loose_errors: false,
                allow_unimplemented: false,
                include_disabled: false,
                protocol: crosscheck::bogo::Protocol {
                    shim_id: true,
                    trust_cert: true,
                    address: crosscheck::bogo::Address::Ipv6,
                },
            },
            upstream_tests: alloc::borrow::Cow::Borrowed("t1"),
            variants: alloc::borrow::Cow::Borrowed(
                &[
                    crosscheck::bogo::Variant {
                        name: alloc::borrow::Cow::Borrowed("default"),
                        description: alloc::borrow::Cow::Borrowed(
                            "the shim's only variant",
                        ),
                        env: alloc::borrow::Cow::Borrowed(&[]),
                        config_json: alloc::borrow::Cow::Borrowed(
                            "{\n  \"DisabledTests\": {\n    \"HttpGET\": \"no HTTP detection\",\n    \"VersionTooLow\": \"unimplemented: no version floor\",\n    \"Basic-Client-*\": \"expected to fail: a known bug\"\n  }\n}\n",
                        ),
                        disabled_tests: alloc::borrow::Cow::Borrowed(
                            &[
                                crosscheck::bogo::TestGlob {
                                    glob: alloc::borrow::Cow::Borrowed("HttpGET"),
                                    reason: alloc::borrow::Cow::Borrowed("no HTTP detection"),
                                    declared_at: alloc::borrow::Cow::Borrowed(
                                        "shims/demo.yaml:6:3",
                                    ),
                                },
                            ],
                        ),
                        unimplemented: alloc::borrow::Cow::Borrowed(
                            &[
                                crosscheck::bogo::TestGlob {
                                    glob: alloc::borrow::Cow::Borrowed("VersionTooLow"),
                                    reason: alloc::borrow::Cow::Borrowed("no version floor"),
                                    declared_at: alloc::borrow::Cow::Borrowed(
                                        "shims/demo.yaml:8:3",
                                    ),
                                },
                            ],
                        ),
                        expected_failures: alloc::borrow::Cow::Borrowed(
                            &[
                                crosscheck::bogo::TestGlob {
                                    glob: alloc::borrow::Cow::Borrowed("Basic-Client-*"),
                                    reason: alloc::borrow::Cow::Borrowed("a known bug"),
                                    declared_at: alloc::borrow::Cow::Borrowed(
                                        "shims/demo.yaml:10:3",
                                    ),
                                },
                            ],
                        ),
                        error_map: alloc::borrow::Cow::Borrowed(&[]),
                        test_error_map: alloc::borrow::Cow::Borrowed(&[]),
                        test_local_error_map: alloc::borrow::Cow::Borrowed(&[]),
                        half_rtt_tickets: None,
                        max_ack_buffer: None,
                        all_curves: None,
                        expected: alloc::borrow::Cow::Borrowed(
                            &[
                                crosscheck::bogo::PlannedTest {
                                    case: alloc::borrow::Cow::Borrowed("Basic-Client-TLS-Sync"),
                                    expectation: ::crosscheck::expectation::Expectation::Fail(
                                        ::crosscheck::expectation::Declared::new(
                                            "shim",
                                            "expected_failures `Basic-Client-*`",
                                            "a known bug",
                                            "shims/demo.yaml:10:3",
                                        ),
                                    ),
                                },
                                crosscheck::bogo::PlannedTest {
                                    case: alloc::borrow::Cow::Borrowed("HttpGET"),
                                    expectation: ::crosscheck::expectation::Expectation::Disabled(
                                        ::crosscheck::expectation::Declared::new(
                                            "shim",
                                            "DisabledTests `HttpGET`",
                                            "no HTTP detection",
                                            "shims/demo.yaml:6:3",
                                        ),
                                    ),
                                },
                                crosscheck::bogo::PlannedTest {
                                    case: alloc::borrow::Cow::Borrowed("VersionTooLow"),
                                    expectation: ::crosscheck::expectation::Expectation::Unsupported(
                                        ::std::borrow::Cow::Borrowed(
                                            &[
                                                ::crosscheck::expectation::Declared::new(
                                                    "shim",
                                                    "unimplemented `VersionTooLow`",
                                                    "no version floor",
                                                    "shims/demo.yaml:8:3",
                                                ),
                                            ],
                                        ),
                                    ),
                                },
                            ],
                        ),
                    },
                ],
            ),
        },
    ]
};
pub static CASES: &[::crosscheck::bogo::case::Case] = {
    extern crate alloc;
    &[
        crosscheck::bogo::case::Case {
            name: alloc::borrow::Cow::Borrowed("Basic-Client-TLS-Sync"),
            group: alloc::borrow::Cow::Borrowed("basic"),
            shim_role: crosscheck::Role::Client,
            key_type: crosscheck::bogo::case::KeyType::Rsa2048,
            flags: alloc::borrow::Cow::Borrowed(
                &[
                    alloc::borrow::Cow::Borrowed("-expect-no-hrr"),
                    alloc::borrow::Cow::Borrowed("-max-version"),
                    alloc::borrow::Cow::Borrowed("771"),
                ],
            ),
            resume_count: 0u32,
            shim_writes_first: false,
            shim_shuts_down: false,
            messages: crosscheck::bogo::case::Messages {
                count: 1u32,
                length: 32u32,
            },
            peer: crosscheck::bogo::case::Peer {
                min_version: None,
                max_version: Some(crosscheck::bogo::case::Version::Tls12),
                cipher_suites: alloc::borrow::Cow::Borrowed(&[]),
                groups: alloc::borrow::Cow::Borrowed(&[]),
                alpn: alloc::borrow::Cow::Borrowed(&[]),
                client_certificate: false,
                request_client_certificate: false,
                key_updates_after_handshake: 0u32,
                key_update_request: crosscheck::bogo::case::KeyUpdateRequest::NotRequested,
                misbehaviour: None,
            },
            expect: crosscheck::bogo::case::Expect {
                should_fail: false,
                error: None,
                local_error: None,
                unsolicited_key_update: false,
            },
        },
        crosscheck::bogo::case::Case {
            name: alloc::borrow::Cow::Borrowed("HttpGET"),
            group: alloc::borrow::Cow::Borrowed("basic"),
            shim_role: crosscheck::Role::Server,
            key_type: crosscheck::bogo::case::KeyType::Rsa2048,
            flags: alloc::borrow::Cow::Borrowed(&[]),
            resume_count: 0u32,
            shim_writes_first: false,
            shim_shuts_down: false,
            messages: crosscheck::bogo::case::Messages {
                count: 1u32,
                length: 32u32,
            },
            peer: crosscheck::bogo::case::Peer {
                min_version: None,
                max_version: None,
                cipher_suites: alloc::borrow::Cow::Borrowed(&[]),
                groups: alloc::borrow::Cow::Borrowed(&[]),
                alpn: alloc::borrow::Cow::Borrowed(&[]),
                client_certificate: false,
                request_client_certificate: false,
                key_updates_after_handshake: 0u32,
                key_update_request: crosscheck::bogo::case::KeyUpdateRequest::NotRequested,
                misbehaviour: Some(
                    crosscheck::bogo::case::Misbehaviour::RawBytesInsteadOfHandshake(
                        alloc::borrow::Cow::Borrowed(b"GET / HTTP/1.0\n"),
                    ),
                ),
            },
            expect: crosscheck::bogo::case::Expect {
                should_fail: true,
                error: Some(alloc::borrow::Cow::Borrowed(":HTTP_REQUEST:")),
                local_error: None,
                unsolicited_key_update: false,
            },
        },
        crosscheck::bogo::case::Case {
            name: alloc::borrow::Cow::Borrowed("VersionTooLow"),
            group: alloc::borrow::Cow::Borrowed("basic"),
            shim_role: crosscheck::Role::Client,
            key_type: crosscheck::bogo::case::KeyType::Rsa2048,
            flags: alloc::borrow::Cow::Borrowed(&[]),
            resume_count: 0u32,
            shim_writes_first: false,
            shim_shuts_down: false,
            messages: crosscheck::bogo::case::Messages {
                count: 1u32,
                length: 32u32,
            },
            peer: crosscheck::bogo::case::Peer {
                min_version: None,
                max_version: Some(crosscheck::bogo::case::Version::Tls12),
                cipher_suites: alloc::borrow::Cow::Borrowed(&[]),
                groups: alloc::borrow::Cow::Borrowed(&[]),
                alpn: alloc::borrow::Cow::Borrowed(&[]),
                client_certificate: false,
                request_client_certificate: false,
                key_updates_after_handshake: 0u32,
                key_update_request: crosscheck::bogo::case::KeyUpdateRequest::NotRequested,
                misbehaviour: None,
            },
            expect: crosscheck::bogo::case::Expect {
                should_fail: true,
                error: Some(alloc::borrow::Cow::Borrowed(":UNSUPPORTED_PROTOCOL:")),
                local_error: None,
                unsolicited_key_update: false,
            },
        },
    ]
};
pub mod demo {
    #[test]
    fn basic_client_tls_sync() {
        ::crosscheck::bogo::check(
            &super::SHIMS[0usize],
            0usize,
            &super::CASES[0usize],
            super::ROOT,
        )
    }
    #[test]
    #[ignore = "no HTTP detection (DisabledTests `HttpGET`, shims/demo.yaml:6:3)"]
    fn http_get() {
        ::crosscheck::bogo::check(
            &super::SHIMS[0usize],
            0usize,
            &super::CASES[1usize],
            super::ROOT,
        )
    }
    #[test]
    fn version_too_low() {
        ::crosscheck::bogo::check(
            &super::SHIMS[0usize],
            0usize,
            &super::CASES[2usize],
            super::ROOT,
        )
    }
}
