//! Where the test PKI lives (`CROSSCHECK_TLS_CERTIFICATES`) and reading its files.

use std::path::{Path, PathBuf};

use crate::error::Error;

/// One file of the test PKI.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PkiFile {
    /// The root CA, the only trust anchor.
    Ca,
    /// Server leaf (`localhost`, `127.0.0.1`), then the intermediate.
    ServerChain,
    /// The server leaf's key, PKCS#8.
    ServerKey,
    /// Client leaf, then the intermediate.
    ClientChain,
    /// The client leaf's key, PKCS#8.
    ClientKey,
    /// A `localhost` leaf from a root no client trusts, then that root.
    UntrustedServerChain,
    /// A `localhost` leaf that expired in 2001, then the intermediate.
    ExpiredServerChain,
    /// A leaf for `wrong-name.crosscheck.test` only, then the intermediate.
    WrongNameServerChain,
    /// The key of the three leaves above.
    RefusedServerKey,
}

impl PkiFile {
    pub fn file_name(self) -> &'static str {
        match self {
            PkiFile::Ca => "ca-certificate.pem",
            PkiFile::ServerChain => "server-chain.pem",
            PkiFile::ServerKey => "server-key.pem",
            PkiFile::ClientChain => "client-chain.pem",
            PkiFile::ClientKey => "client-key.pem",
            PkiFile::UntrustedServerChain => "untrusted-server-chain.pem",
            PkiFile::ExpiredServerChain => "expired-server-chain.pem",
            PkiFile::WrongNameServerChain => "wrong-name-server-chain.pem",
            PkiFile::RefusedServerKey => "refused-server-key.pem",
        }
    }
}

/// The PKI directory; files are read only when an adapter asks for them.
#[derive(Clone, Debug)]
pub struct Pki {
    directory: PathBuf,
}

impl Pki {
    pub fn new(directory: impl Into<PathBuf>) -> Pki {
        Pki {
            directory: directory.into(),
        }
    }

    pub fn directory(&self) -> &Path {
        &self.directory
    }

    /// Path of `file`, checked to be readable, for libraries that load files
    /// themselves.
    pub fn path(&self, file: PkiFile) -> Result<PathBuf, Error> {
        let path = self.directory.join(file.file_name());
        std::fs::File::open(&path).map_err(|source| unreadable(&path, source))?;
        Ok(path)
    }

    /// The PEM text of `file`.
    pub fn read(&self, file: PkiFile) -> Result<Vec<u8>, Error> {
        let path = self.directory.join(file.file_name());
        std::fs::read(&path).map_err(|source| unreadable(&path, source))
    }
}

fn unreadable(path: &Path, source: std::io::Error) -> Error {
    Error::io(
        format!(
            "cannot read {} (set CROSSCHECK_TLS_CERTIFICATES to the PKI directory)",
            path.display()
        ),
        source,
    )
}
