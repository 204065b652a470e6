//! The test PKI in `certificates/`: a root CA, an intermediate, a server leaf
//! for `localhost`/`127.0.0.1` and a client leaf, ECDSA P-256, valid for fifty
//! years from the start of the year they were made; and, for the negative
//! cases, server leaves a client must refuse: one from a second root nobody
//! trusts, one that expired in 2001, and one for another name.

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType,
};
use time::OffsetDateTime;

/// Validity of every certificate, in years.
pub const VALID_YEARS: i32 = 50;

/// A generated file: its name inside `certificates/` and its PEM text.
pub struct PemFile {
    pub name: &'static str,
    pub pem: String,
}

/// Every file of the PKI, freshly generated.
pub fn generate(year: i32) -> Result<Vec<PemFile>, rcgen::Error> {
    let (not_before, not_after) = validity(year);

    let ca_key = KeyPair::generate()?;
    let mut ca = ca_params("crosscheck test root CA", not_before, not_after);
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca.self_signed(&ca_key)?;
    let ca_issuer = Issuer::new(ca, &ca_key);

    let intermediate_key = KeyPair::generate()?;
    let mut intermediate = ca_params("crosscheck test intermediate CA", not_before, not_after);
    intermediate.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    let intermediate_cert = intermediate.signed_by(&intermediate_key, &ca_issuer)?;
    let intermediate_issuer = Issuer::new(intermediate, &intermediate_key);

    let server_key = KeyPair::generate()?;
    let server_cert =
        server_leaf(not_before, not_after)?.signed_by(&server_key, &intermediate_issuer)?;

    let client_key = KeyPair::generate()?;
    let mut client = leaf_params("crosscheck test client", not_before, not_after);
    client.subject_alt_names = vec![SanType::DnsName("client.crosscheck.test".try_into()?)];
    client.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let client_cert = client.signed_by(&client_key, &intermediate_issuer)?;

    let refused_key = KeyPair::generate()?;
    let untrusted_key = KeyPair::generate()?;
    let mut untrusted = ca_params("crosscheck untrusted root CA", not_before, not_after);
    untrusted.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let untrusted_cert = untrusted.self_signed(&untrusted_key)?;
    let untrusted_issuer = Issuer::new(untrusted, &untrusted_key);
    let untrusted_leaf =
        server_leaf(not_before, not_after)?.signed_by(&refused_key, &untrusted_issuer)?;

    let (expired_from, expired_until) = (
        rcgen::date_time_ymd(2000, 1, 1),
        rcgen::date_time_ymd(2001, 1, 1),
    );
    let expired_leaf =
        server_leaf(expired_from, expired_until)?.signed_by(&refused_key, &intermediate_issuer)?;

    let mut wrong_name = leaf_params(WRONG_NAME, not_before, not_after);
    wrong_name.subject_alt_names = vec![SanType::DnsName(WRONG_NAME.try_into()?)];
    wrong_name.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let wrong_name_leaf = wrong_name.signed_by(&refused_key, &intermediate_issuer)?;

    let intermediate_pem = intermediate_cert.pem();
    Ok(vec![
        PemFile {
            name: "ca-certificate.pem",
            pem: ca_cert.pem(),
        },
        PemFile {
            name: "intermediate-certificate.pem",
            pem: intermediate_pem.clone(),
        },
        PemFile {
            name: "server-chain.pem",
            pem: format!("{}{intermediate_pem}", server_cert.pem()),
        },
        PemFile {
            name: "server-key.pem",
            pem: server_key.serialize_pem(),
        },
        PemFile {
            name: "client-chain.pem",
            pem: format!("{}{intermediate_pem}", client_cert.pem()),
        },
        PemFile {
            name: "client-key.pem",
            pem: client_key.serialize_pem(),
        },
        PemFile {
            name: "untrusted-server-chain.pem",
            pem: format!("{}{}", untrusted_leaf.pem(), untrusted_cert.pem()),
        },
        PemFile {
            name: "expired-server-chain.pem",
            pem: format!("{}{intermediate_pem}", expired_leaf.pem()),
        },
        PemFile {
            name: "wrong-name-server-chain.pem",
            pem: format!("{}{intermediate_pem}", wrong_name_leaf.pem()),
        },
        PemFile {
            name: "refused-server-key.pem",
            pem: refused_key.serialize_pem(),
        },
    ])
}

/// The only name the wrong-name leaf is valid for.
pub const WRONG_NAME: &str = "wrong-name.crosscheck.test";

/// Parameters of a server leaf for `localhost` and `127.0.0.1`.
fn server_leaf(
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
) -> Result<CertificateParams, rcgen::Error> {
    let mut server = leaf_params("localhost", not_before, not_after);
    server.subject_alt_names = vec![
        SanType::DnsName("localhost".try_into()?),
        SanType::IpAddress(std::net::Ipv4Addr::LOCALHOST.into()),
    ];
    server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    Ok(server)
}

fn validity(year: i32) -> (OffsetDateTime, OffsetDateTime) {
    (
        rcgen::date_time_ymd(year, 1, 1),
        rcgen::date_time_ymd(year + VALID_YEARS, 1, 1),
    )
}

fn ca_params(
    name: &str,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name = distinguished_name(name);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.not_before = not_before;
    params.not_after = not_after;
    params
}

fn leaf_params(
    name: &str,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name = distinguished_name(name);
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.use_authority_key_identifier_extension = true;
    params.not_before = not_before;
    params.not_after = not_after;
    params
}

fn distinguished_name(common_name: &str) -> DistinguishedName {
    let mut name = DistinguishedName::new();
    name.push(DnType::OrganizationName, "crosscheck");
    name.push(DnType::CommonName, common_name);
    name
}
