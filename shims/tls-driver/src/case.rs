//! The roles and cases of the contract, by the names used on the command line.

use std::fmt;

use crate::pki::PkiFile;

/// Which end of the connection a shim plays.
pub use crosscheck_model::Role;

/// A scenario of the contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Case {
    Handshake,
    RequestResponse,
    LargeDataDownload,
    LargeDataDownloadWithFrequentKeyUpdates,
    MtlsRequestResponse,
    Resumption,
    EarlyData,
    OutOfBandPsk,
    HelloRetryRequest,
    SmallTcpPacket,
    UntrustedCertificate,
    WrongHostname,
    ExpiredCertificate,
    ClientCertificateRequired,
    NoSharedGroup,
}

impl Case {
    /// Every case, in the contract's order.
    pub const ALL: [Case; 15] = [
        Case::Handshake,
        Case::RequestResponse,
        Case::LargeDataDownload,
        Case::LargeDataDownloadWithFrequentKeyUpdates,
        Case::MtlsRequestResponse,
        Case::Resumption,
        Case::EarlyData,
        Case::OutOfBandPsk,
        Case::HelloRetryRequest,
        Case::SmallTcpPacket,
        Case::UntrustedCertificate,
        Case::WrongHostname,
        Case::ExpiredCertificate,
        Case::ClientCertificateRequired,
        Case::NoSharedGroup,
    ];

    /// Parses a case name as used on the command line.
    pub fn from_name(name: &str) -> Option<Case> {
        Case::ALL.into_iter().find(|case| case.name() == name)
    }

    pub fn name(self) -> &'static str {
        match self {
            Case::Handshake => "handshake",
            Case::RequestResponse => "request_response",
            Case::LargeDataDownload => "large_data_download",
            Case::LargeDataDownloadWithFrequentKeyUpdates => {
                "large_data_download_with_frequent_key_updates"
            }
            Case::MtlsRequestResponse => "mtls_request_response",
            Case::Resumption => "resumption",
            Case::EarlyData => "early_data",
            Case::OutOfBandPsk => "out_of_band_psk",
            Case::HelloRetryRequest => "hello_retry_request",
            Case::SmallTcpPacket => "small_tcp_packet",
            Case::UntrustedCertificate => "untrusted_certificate",
            Case::WrongHostname => "wrong_hostname",
            Case::ExpiredCertificate => "expired_certificate",
            Case::ClientCertificateRequired => "client_certificate_required",
            Case::NoSharedGroup => "no_shared_group",
        }
    }

    /// What the case's connections carry.
    pub fn flow(self) -> Flow {
        match self {
            Case::Handshake => Flow::Handshake,
            Case::RequestResponse
            | Case::MtlsRequestResponse
            | Case::OutOfBandPsk
            | Case::HelloRetryRequest
            | Case::SmallTcpPacket
            | Case::UntrustedCertificate
            | Case::WrongHostname
            | Case::ExpiredCertificate
            | Case::ClientCertificateRequired
            | Case::NoSharedGroup => Flow::RequestResponse,
            Case::LargeDataDownload => Flow::Download { key_updates: false },
            Case::LargeDataDownloadWithFrequentKeyUpdates => Flow::Download { key_updates: true },
            Case::Resumption => Flow::Resumed { early_data: false },
            Case::EarlyData => Flow::Resumed { early_data: true },
        }
    }

    /// In a negative case, the side that must refuse the handshake.
    pub fn refuser(self) -> Option<Role> {
        match self {
            Case::UntrustedCertificate | Case::WrongHostname | Case::ExpiredCertificate => {
                Some(Role::Client)
            }
            Case::ClientCertificateRequired | Case::NoSharedGroup => Some(Role::Server),
            _ => None,
        }
    }

    /// The chain and key the server presents.
    pub fn server_credentials(self) -> (PkiFile, PkiFile) {
        match self {
            Case::UntrustedCertificate => {
                (PkiFile::UntrustedServerChain, PkiFile::RefusedServerKey)
            }
            Case::ExpiredCertificate => (PkiFile::ExpiredServerChain, PkiFile::RefusedServerKey),
            Case::WrongHostname => (PkiFile::WrongNameServerChain, PkiFile::RefusedServerKey),
            _ => (PkiFile::ServerChain, PkiFile::ServerKey),
        }
    }

    /// Whether the server requires a client certificate.
    pub fn requires_client_certificate(self) -> bool {
        matches!(
            self,
            Case::MtlsRequestResponse | Case::ClientCertificateRequired
        )
    }

    /// Whether the case runs a second, resumed connection after the first.
    pub fn resumes(self) -> bool {
        matches!(self.flow(), Flow::Resumed { .. })
    }
}

/// The exchanges of a case; the case itself adds the library settings
/// (certificates, PSK, groups).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    /// One connection: handshake, then close.
    Handshake,
    /// One connection: the greeting, then the response.
    RequestResponse,
    /// One connection: the greeting, then `DOWNLOAD_BYTES` from the server,
    /// which with `key_updates` sends KeyUpdates on the way.
    Download { key_updates: bool },
    /// Two request_response connections, the second resuming the first; with
    /// `early_data` the second sends the greeting as 0-RTT data.
    Resumed { early_data: bool },
}

impl fmt::Display for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for case in Case::ALL {
            assert_eq!(Case::from_name(case.name()), Some(case));
        }
        assert_eq!(Case::from_name("Handshake"), None);
        assert_eq!(Role::from_name("server"), Some(Role::Server));
        assert_eq!(Role::from_name("peer"), None);
    }
}
