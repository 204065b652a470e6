//! The runner's own test PKI, as upstream's runner makes one: a root CA
//! and, per key type, a leaf usable as server and as client certificate.
//! Made once per machine under `work_dir()/bogo/credentials-v1/` and read
//! by every process after: making the RSA key costs about 100 ms, which a
//! process per test (nextest) would otherwise pay thousands of times.

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use thiserror::Error;

use crosscheck_model::bogo::KeyType;
use crosscheck_process::paths;

#[derive(Debug, Error)]
pub enum Error {
    #[error("cannot create {}: {source}", path.display())]
    Create { path: PathBuf, source: io::Error },
    #[error("cannot write {}: {source}", path.display())]
    Write { path: PathBuf, source: io::Error },
    #[error("cannot lock {}: {source}", path.display())]
    Lock { path: PathBuf, source: io::Error },
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: rustls::pki_types::pem::Error,
    },
    #[error("cannot make the runner's PKI: {0}")]
    Pki(#[source] rcgen::Error),
    /// This process's first attempt, given to every later one.
    #[error(transparent)]
    Earlier(Arc<Error>),
}

/// A leaf certificate, its key, and their files.
#[derive(Debug)]
pub struct Leaf {
    pub certificate: CertificateDer<'static>,
    key_der: Vec<u8>,
    /// PEM of the leaf (the shim's `-cert-file`).
    pub cert_file: PathBuf,
    /// PEM PKCS#8 key (the shim's `-key-file`).
    pub key_file: PathBuf,
}

impl Leaf {
    pub fn private_key(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key_der.clone()))
    }

    pub fn chain(&self) -> Vec<CertificateDer<'static>> {
        vec![self.certificate.clone()]
    }
}

/// The whole PKI.
#[derive(Debug)]
pub struct Credentials {
    /// PEM of the root (the shim's `-trust-cert`).
    pub ca_file: PathBuf,
    pub ca_certificate: CertificateDer<'static>,
    rsa: Leaf,
    ecdsa: Leaf,
}

impl Credentials {
    pub fn leaf(&self, key_type: KeyType) -> &Leaf {
        match key_type {
            KeyType::Rsa2048 => &self.rsa,
            KeyType::EcdsaP256 => &self.ecdsa,
        }
    }

    /// Makes a PKI in `dir`.
    pub fn generate(dir: &Path) -> Result<Credentials, Error> {
        fs::create_dir_all(dir).map_err(|source| Error::Create {
            path: dir.to_path_buf(),
            source,
        })?;
        let rcgen_error = Error::Pki;

        let ca_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(rcgen_error)?;
        let mut ca = CertificateParams::default();
        ca.distinguished_name = name("crosscheck BoGo runner root");
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca_certificate = ca.self_signed(&ca_key).map_err(rcgen_error)?;
        let ca_file = dir.join("ca-cert.pem");
        write(&ca_file, &ca_certificate.pem())?;
        let issuer = Issuer::new(ca, &ca_key);

        let leaf = |key_type: KeyType| -> Result<Leaf, Error> {
            let algorithm = match key_type {
                KeyType::Rsa2048 => &rcgen::PKCS_RSA_SHA256,
                KeyType::EcdsaP256 => &rcgen::PKCS_ECDSA_P256_SHA256,
            };
            let key = KeyPair::generate_for(algorithm).map_err(rcgen_error)?;
            let mut params = CertificateParams::default();
            params.distinguished_name = name("test");
            params.is_ca = IsCa::ExplicitNoCa;
            params.key_usages = vec![
                KeyUsagePurpose::DigitalSignature,
                KeyUsagePurpose::KeyEncipherment,
            ];
            params.extended_key_usages = vec![
                ExtendedKeyUsagePurpose::ServerAuth,
                ExtendedKeyUsagePurpose::ClientAuth,
            ];
            params.subject_alt_names = vec![
                SanType::DnsName("test".try_into().map_err(rcgen_error)?),
                SanType::DnsName("localhost".try_into().map_err(rcgen_error)?),
                SanType::IpAddress(std::net::Ipv4Addr::LOCALHOST.into()),
                SanType::IpAddress(std::net::Ipv6Addr::LOCALHOST.into()),
            ];
            params.use_authority_key_identifier_extension = true;
            let certificate = params.signed_by(&key, &issuer).map_err(rcgen_error)?;
            let cert_file = dir.join(format!("{}-cert.pem", key_type.as_str()));
            let key_file = dir.join(format!("{}-key.pem", key_type.as_str()));
            write(&cert_file, &certificate.pem())?;
            write(&key_file, &key.serialize_pem())?;
            Ok(Leaf {
                certificate: certificate.der().clone(),
                key_der: key.serialize_der(),
                cert_file,
                key_file,
            })
        };

        Ok(Credentials {
            ca_certificate: ca_certificate.der().clone(),
            ca_file,
            rsa: leaf(KeyType::Rsa2048)?,
            ecdsa: leaf(KeyType::EcdsaP256)?,
        })
    }

    /// Reads the PKI `generate` wrote in `dir`.
    pub fn read(dir: &Path) -> Result<Credentials, Error> {
        let certificate = |path: PathBuf| {
            CertificateDer::from_pem_file(&path).map_err(|source| Error::Read { path, source })
        };
        let leaf = |key_type: KeyType| -> Result<Leaf, Error> {
            let cert_file = dir.join(format!("{}-cert.pem", key_type.as_str()));
            let key_file = dir.join(format!("{}-key.pem", key_type.as_str()));
            let key =
                PrivatePkcs8KeyDer::from_pem_file(&key_file).map_err(|source| Error::Read {
                    path: key_file.clone(),
                    source,
                })?;
            Ok(Leaf {
                certificate: certificate(cert_file.clone())?,
                key_der: key.secret_pkcs8_der().to_vec(),
                cert_file,
                key_file,
            })
        };
        let ca_file = dir.join("ca-cert.pem");
        Ok(Credentials {
            ca_certificate: certificate(ca_file.clone())?,
            ca_file,
            rsa: leaf(KeyType::Rsa2048)?,
            ecdsa: leaf(KeyType::EcdsaP256)?,
        })
    }
}

/// Names the PKI's layout: a change to what `generate` makes takes a new one.
const SHARED_DIR: &str = "credentials-v1";

/// The machine's PKI, read on first use (made first if no process has).
pub fn shared() -> Result<Arc<Credentials>, Error> {
    static SHARED: OnceLock<Result<Arc<Credentials>, Arc<Error>>> = OnceLock::new();
    SHARED
        .get_or_init(|| {
            read_or_generate(&paths::work_dir().join("bogo").join(SHARED_DIR))
                .map(Arc::new)
                .map_err(Arc::new)
        })
        .clone()
        .map_err(Error::Earlier)
}

/// The PKI in `dir`, made there first (whole, under a lock every process
/// shares) when it is not there yet.
fn read_or_generate(dir: &Path) -> Result<Credentials, Error> {
    if dir.is_dir() {
        return Credentials::read(dir);
    }
    let parent = dir.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(|source| Error::Create {
        path: parent.to_path_buf(),
        source,
    })?;
    let lock_path = dir.with_extension("lock");
    let lock = File::create(&lock_path).map_err(|source| Error::Create {
        path: lock_path.clone(),
        source,
    })?;
    lock.lock().map_err(|source| Error::Lock {
        path: lock_path,
        source,
    })?;
    if dir.is_dir() {
        return Credentials::read(dir);
    }
    // Made aside and renamed, so no process ever reads half a PKI.
    let making = dir.with_extension(format!("making-{}", std::process::id()));
    let _ = fs::remove_dir_all(&making);
    Credentials::generate(&making)?;
    fs::rename(&making, dir).map_err(|source| Error::Create {
        path: dir.to_path_buf(),
        source,
    })?;
    Credentials::read(dir)
}

fn name(common_name: &str) -> DistinguishedName {
    let mut name = DistinguishedName::new();
    name.push(DnType::OrganizationName, "crosscheck");
    name.push(DnType::CommonName, common_name);
    name
}

fn write(path: &Path, text: &str) -> Result<(), Error> {
    fs::write(path, text).map_err(|source| Error::Write {
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pki_is_written_and_readable() {
        let dir = tempfile::tempdir().unwrap();
        let credentials = Credentials::generate(dir.path()).unwrap();
        let ca = CertificateDer::from_pem_file(&credentials.ca_file).unwrap();
        assert_eq!(ca, credentials.ca_certificate);
        for key_type in [KeyType::Rsa2048, KeyType::EcdsaP256] {
            let leaf = credentials.leaf(key_type);
            assert_eq!(
                CertificateDer::from_pem_file(&leaf.cert_file).unwrap(),
                leaf.certificate
            );
            let key = PrivateKeyDer::from_pem_file(&leaf.key_file).unwrap();
            assert_eq!(key.secret_der(), leaf.private_key().secret_der());
        }
    }

    #[test]
    fn the_shared_pki_is_made_once_and_read_after() {
        let dir = tempfile::tempdir().unwrap();
        let shared = dir.path().join("credentials-v1");
        let first = read_or_generate(&shared).unwrap();
        let second = read_or_generate(&shared).unwrap();
        assert_eq!(first.ca_certificate, second.ca_certificate);
        for key_type in [KeyType::Rsa2048, KeyType::EcdsaP256] {
            let (made, read) = (first.leaf(key_type), second.leaf(key_type));
            assert_eq!(made.certificate, read.certificate);
            assert_eq!(made.key_der, read.key_der);
        }
        // Nothing half-made is left beside it.
        let mut names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["credentials-v1", "credentials-v1.lock"]);
    }
}
