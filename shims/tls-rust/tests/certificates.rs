//! The committed test PKI in `certificates/`: every file parses, both chains
//! verify up to the root, the server leaf names `localhost` and `127.0.0.1`,
//! keys match their leaves, and nothing expires within a year; the leaves a
//! client must refuse fail verification for their one reason each.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on what they set up

use std::path::PathBuf;

use openssl::asn1::Asn1Time;
use openssl::pkey::{PKey, Private};
use openssl::stack::Stack;
use openssl::x509::store::X509StoreBuilder;
use openssl::x509::{X509, X509StoreContext, X509VerifyResult};

const REGENERATE: &str = "run `cargo run -p crosscheck-tls-shims --bin write-certificates`";
/// Certificates must stay valid at least this long from today.
const MINIMUM_REMAINING_DAYS: u32 = 365;

/// Found through the package directory cargo or nextest gives the run (it
/// moves when nextest runs tests from an archive elsewhere).
fn directory() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from)
        .join("../../certificates")
}

fn read(name: &str) -> Vec<u8> {
    let path = directory().join(name);
    std::fs::read(&path).unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
}

fn certificates(name: &str) -> Vec<X509> {
    let chain = X509::stack_from_pem(&read(name))
        .unwrap_or_else(|error| panic!("{name} does not parse as PEM certificates: {error}"));
    assert!(!chain.is_empty(), "{name} holds no certificate");
    chain
}

fn private_key(name: &str) -> PKey<Private> {
    PKey::private_key_from_pem(&read(name))
        .unwrap_or_else(|error| panic!("{name} does not parse as a PEM private key: {error}"))
}

fn pem_files() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(directory())
        .expect("the certificates directory is readable")
        .map(|entry| {
            entry
                .expect("a directory entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.ends_with(".pem"))
        .collect();
    names.sort();
    names
}

#[test]
fn every_pem_file_parses() {
    let names = pem_files();
    for expected in [
        "ca-certificate.pem",
        "intermediate-certificate.pem",
        "server-chain.pem",
        "server-key.pem",
        "client-chain.pem",
        "client-key.pem",
        "untrusted-server-chain.pem",
        "expired-server-chain.pem",
        "wrong-name-server-chain.pem",
        "refused-server-key.pem",
    ] {
        assert!(
            names.iter().any(|name| name == expected),
            "{expected} is missing; {REGENERATE}"
        );
    }
    for name in &names {
        let text = String::from_utf8(read(name)).expect("PEM is ASCII");
        if text.contains("-----BEGIN PRIVATE KEY-----") {
            private_key(name);
        } else {
            certificates(name);
        }
    }
}

/// Verifies the chain in `name` against `ca-certificate.pem` alone, today,
/// for no particular name: the verdict and OpenSSL's reason.
fn verify(name: &str) -> (bool, X509VerifyResult) {
    let mut store = X509StoreBuilder::new().expect("an X509 store");
    for root in certificates("ca-certificate.pem") {
        store.add_cert(root).expect("the root goes into the store");
    }
    let store = store.build();
    let mut chain = certificates(name).into_iter();
    let leaf = chain.next().expect("a leaf");
    let mut intermediates = Stack::new().expect("a certificate stack");
    for certificate in chain {
        intermediates
            .push(certificate)
            .expect("push an intermediate");
    }
    let mut context = X509StoreContext::new().expect("an X509 store context");
    context
        .init(&store, &leaf, &intermediates, |context| {
            let ok = context.verify_cert()?;
            Ok((ok, context.error()))
        })
        .expect("verification runs")
}

#[test]
fn chains_verify_up_to_the_root() {
    for name in [
        "server-chain.pem",
        "client-chain.pem",
        "wrong-name-server-chain.pem",
    ] {
        let (verified, reason) = verify(name);
        assert!(
            verified,
            "{name} does not verify up to ca-certificate.pem: {reason}; {REGENERATE}"
        );
    }
}

#[test]
fn refused_leaves_fail_for_their_one_reason() {
    let (verified, reason) = verify("untrusted-server-chain.pem");
    assert!(!verified, "the untrusted chain verifies");
    assert_eq!(
        reason.as_raw(),
        openssl_sys::X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN,
        "the untrusted chain fails for another reason: {reason}"
    );
    let (verified, reason) = verify("expired-server-chain.pem");
    assert!(!verified, "the expired chain verifies");
    assert_eq!(
        reason.as_raw(),
        openssl_sys::X509_V_ERR_CERT_HAS_EXPIRED,
        "the expired chain fails for another reason: {reason}"
    );
    let leaf = certificates("wrong-name-server-chain.pem").remove(0);
    let names = leaf.subject_alt_names().expect("subjectAltName");
    let dns: Vec<&str> = names.iter().filter_map(|name| name.dnsname()).collect();
    assert_eq!(dns, [crosscheck_tls_shims::certificates::WRONG_NAME]);
    assert!(names.iter().all(|name| name.ipaddress().is_none()));
}

#[test]
fn server_leaf_names_localhost_and_loopback() {
    let leaf = certificates("server-chain.pem").remove(0);
    let names = leaf
        .subject_alt_names()
        .expect("the server leaf has subjectAltName");
    let dns: Vec<&str> = names.iter().filter_map(|name| name.dnsname()).collect();
    let addresses: Vec<&[u8]> = names.iter().filter_map(|name| name.ipaddress()).collect();
    assert!(
        dns.contains(&"localhost"),
        "server leaf DNS names {dns:?} lack localhost"
    );
    assert!(
        addresses.contains(&&[127u8, 0, 0, 1][..]),
        "server leaf IP addresses {addresses:?} lack 127.0.0.1"
    );
}

#[test]
fn keys_match_their_leaves() {
    for (chain, key) in [
        ("server-chain.pem", "server-key.pem"),
        ("client-chain.pem", "client-key.pem"),
        ("untrusted-server-chain.pem", "refused-server-key.pem"),
        ("expired-server-chain.pem", "refused-server-key.pem"),
        ("wrong-name-server-chain.pem", "refused-server-key.pem"),
    ] {
        let leaf = certificates(chain).remove(0);
        let public = leaf.public_key().expect("the leaf has a public key");
        assert!(
            public.public_eq(&private_key(key)),
            "{key} does not match the leaf of {chain}; {REGENERATE}"
        );
    }
}

#[test]
fn nothing_expires_within_a_year() {
    let limit = Asn1Time::days_from_now(MINIMUM_REMAINING_DAYS).expect("a time a year from now");
    for name in pem_files() {
        let text = String::from_utf8(read(&name)).expect("PEM is ASCII");
        if !text.contains("-----BEGIN CERTIFICATE-----") {
            continue;
        }
        let mut chain = certificates(&name);
        if name == "expired-server-chain.pem" {
            // Its leaf is meant to be expired; the intermediate is not.
            chain.remove(0);
        }
        for certificate in chain {
            let not_after = certificate.not_after();
            assert!(
                *not_after >= *limit,
                "a certificate in {name} ({:?}) expires {not_after}, within {MINIMUM_REMAINING_DAYS} days; {REGENERATE}",
                certificate.subject_name()
            );
        }
    }
}
