//! rustls errors as BoringSSL error strings: the one table of this adapter.

use rustls::{
    AlertDescription, CertificateError, Error, InvalidMessage, PeerIncompatible, PeerMisbehaved,
};

use crate::config::TLS1_2;
use crate::error::{Failure, alert_error};

/// Where the error happened, as far as the mapping depends on it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Context {
    /// The shim is the client.
    pub client: bool,
    /// The negotiated version, once the hellos settled it.
    pub version: Option<u16>,
}

/// The failure for a rustls error.
pub fn failure(error: &Error, context: Context) -> Failure {
    Failure::tls(boringssl_code(error, context), format!("{error:?}"))
}

/// The BoringSSL error string for `error`: what BoringSSL reports for the
/// same condition.
pub fn boringssl_code(error: &Error, context: Context) -> String {
    let tls12 = context.version == Some(TLS1_2);
    let code =
        match error {
            Error::InappropriateMessage { .. } => ":UNEXPECTED_RECORD:",
            Error::InappropriateHandshakeMessage { .. } => ":UNEXPECTED_MESSAGE:",
            // A ClientHello that does not parse as a structure.
            Error::InvalidMessage(InvalidMessage::TrailingData(
                "ClientHelloPayload" | "SessionID",
            )) if !context.client && context.version.is_none() => ":CLIENTHELLO_PARSE_FAILED:",
            Error::InvalidMessage(message) => invalid_message(message),
            // A TLS 1.2 client reads an empty Certificate as malformed.
            Error::NoCertificatesPresented if context.client && tls12 => ":DECODE_ERROR:",
            Error::NoCertificatesPresented => ":PEER_DID_NOT_RETURN_A_CERTIFICATE:",
            Error::DecryptError => ":DECRYPTION_FAILED_OR_BAD_RECORD_MAC:",
            Error::PeerSentOversizedRecord => ":DATA_LENGTH_TOO_LONG:",
            Error::NoApplicationProtocol => ":NO_APPLICATION_PROTOCOL:",
            // The server refused the ClientHello itself.
            Error::AlertReceived(AlertDescription::HandshakeFailure)
                if context.client && context.version.is_none() =>
            {
                ":HANDSHAKE_FAILURE_ON_CLIENT_HELLO:"
            }
            Error::AlertReceived(alert) => return alert_error(u8::from(*alert)),
            // Without a common group no ECDHE suite is usable in TLS 1.2.
            Error::PeerIncompatible(PeerIncompatible::NoKxGroupsInCommon) if tls12 => {
                ":NO_SHARED_CIPHER:"
            }
            Error::PeerIncompatible(incompatible) => peer_incompatible(incompatible),
            Error::PeerMisbehaved(misbehaved) => peer_misbehaved(misbehaved),
            Error::InvalidCertificate(certificate) => invalid_certificate(certificate),
            Error::InvalidEncryptedClientHello(_) => ":INVALID_ECH_CONFIG_LIST:",
            Error::UnsupportedNameType => ":UNSUPPORTED_NAME_TYPE:",
            Error::InconsistentKeys(_) => ":KEY_VALUES_MISMATCH:",
            _ => ":INTERNAL_ERROR:",
        };
    code.to_string()
}

fn invalid_message(message: &InvalidMessage) -> &'static str {
    match message {
        InvalidMessage::InvalidContentType => ":UNEXPECTED_RECORD:",
        InvalidMessage::UnknownProtocolVersion => ":WRONG_VERSION_NUMBER:",
        InvalidMessage::MessageTooLarge => ":ENCRYPTED_LENGTH_TOO_LONG:",
        InvalidMessage::HandshakePayloadTooLarge | InvalidMessage::CertificatePayloadTooLarge => {
            ":EXCESSIVE_MESSAGE_SIZE:"
        }
        InvalidMessage::InvalidEmptyPayload => ":BAD_RECORD:",
        InvalidMessage::InvalidCcs => ":BAD_CHANGE_CIPHER_SPEC:",
        InvalidMessage::MissingData("AlertDescription")
        | InvalidMessage::TrailingData("AlertMessagePayload") => ":BAD_ALERT:",
        InvalidMessage::TrailingData("ChangeCipherSpecPayload") => ":BAD_CHANGE_CIPHER_SPEC:",
        InvalidMessage::DuplicateExtension(_) => ":DUPLICATE_EXTENSION:",
        InvalidMessage::PreSharedKeyIsNotFinalExtension => ":PRE_SHARED_KEY_MUST_BE_LAST:",
        InvalidMessage::UnknownHelloRetryRequestExtension
        | InvalidMessage::UnknownCertificateExtension => ":UNEXPECTED_EXTENSION:",
        InvalidMessage::UnsupportedCompression => ":DECODE_ERROR:",
        InvalidMessage::IllegalEmptyValue => ":PARSE_TLSEXT:",
        InvalidMessage::UnsupportedCurveType => ":UNSUPPORTED_ELLIPTIC_CURVE:",
        InvalidMessage::InvalidKeyUpdate => ":DECODE_ERROR:",
        InvalidMessage::UnexpectedMessage(_) => ":UNEXPECTED_MESSAGE:",
        InvalidMessage::InvalidServerName => ":BAD_SERVER_NAME:",
        _ => ":DECODE_ERROR:",
    }
}

fn peer_incompatible(incompatible: &PeerIncompatible) -> &'static str {
    match incompatible {
        PeerIncompatible::NoCipherSuitesInCommon => ":NO_SHARED_CIPHER:",
        PeerIncompatible::NoKxGroupsInCommon => ":NO_SHARED_GROUP:",
        PeerIncompatible::NoSignatureSchemesInCommon
        | PeerIncompatible::NoCertificateRequestSignatureSchemesInCommon => {
            ":NO_COMMON_SIGNATURE_ALGORITHMS:"
        }
        PeerIncompatible::ServerDoesNotSupportTls12Or13
        | PeerIncompatible::ServerTlsVersionIsDisabledByOurConfig
        | PeerIncompatible::Tls12NotOffered
        | PeerIncompatible::Tls12NotOfferedOrEnabled
        | PeerIncompatible::SupportedVersionsExtensionRequired => ":UNSUPPORTED_PROTOCOL:",
        PeerIncompatible::KeyShareExtensionRequired => ":MISSING_KEY_SHARE:",
        PeerIncompatible::NullCompressionRequired => ":INVALID_COMPRESSION_LIST:",
        PeerIncompatible::UncompressedEcPointsRequired
        | PeerIncompatible::EcPointsExtensionRequired
        | PeerIncompatible::NoEcPointFormatsInCommon => ":ERROR_PARSING_EXTENSION:",
        PeerIncompatible::ServerSentHelloRetryRequestWithUnknownExtension => {
            ":UNEXPECTED_EXTENSION:"
        }
        PeerIncompatible::ServerRejectedEncryptedClientHello(_) => ":ECH_REJECTED:",
        _ => ":HANDSHAKE_FAILURE:",
    }
}

fn peer_misbehaved(misbehaved: &PeerMisbehaved) -> &'static str {
    use PeerMisbehaved as P;
    match misbehaved {
        P::AttemptedDowngradeToTls12WhenTls13IsSupported => ":TLS13_DOWNGRADE:",
        P::DuplicateClientHelloExtensions
        | P::DuplicateEncryptedExtensions
        | P::DuplicateHelloRetryRequestExtensions
        | P::DuplicateNewSessionTicketExtensions
        | P::DuplicateServerHelloExtensions => ":DUPLICATE_EXTENSION:",
        P::EarlyDataExtensionWithoutResumption
        | P::UnsolicitedCertExtension
        | P::UnsolicitedEncryptedExtension
        | P::UnsolicitedServerHelloExtension
        | P::UnexpectedCleartextExtension
        | P::UnsolicitedEchExtension
        | P::UnsolicitedSctList
        | P::IllegalHelloRetryRequestWithInvalidEch => ":UNEXPECTED_EXTENSION:",
        P::DisallowedEncryptedExtension | P::OfferedDuplicateCertificateCompressions => {
            ":ERROR_PARSING_EXTENSION:"
        }
        P::EarlyDataOfferedWithVariedCipherSuite => ":CIPHER_MISMATCH_ON_EARLY_DATA:",
        P::IllegalHelloRetryRequestWithEmptyCookie => ":DECODE_ERROR:",
        P::IllegalHelloRetryRequestWithNoChanges => ":EMPTY_HELLO_RETRY_REQUEST:",
        P::IllegalHelloRetryRequestWithOfferedGroup
        | P::IllegalHelloRetryRequestWithUnofferedNamedGroup
        | P::SelectedUnofferedKxGroup
        | P::WrongGroupForKeyShare
        | P::RefusedToFollowHelloRetryRequest => ":WRONG_CURVE:",
        P::IllegalHelloRetryRequestWithUnofferedCipherSuite
        | P::SelectedUnofferedCipherSuite
        | P::SelectedUnusableCipherSuiteForVersion => ":WRONG_CIPHER_RETURNED:",
        P::SelectedDifferentCipherSuiteAfterRetry | P::CipherSuiteDifferedOnRetry => {
            ":WRONG_CIPHER_RETURNED:"
        }
        P::IllegalHelloRetryRequestWithUnsupportedVersion => {
            ":SECOND_SERVERHELLO_VERSION_MISMATCH:"
        }
        P::IllegalHelloRetryRequestWithWrongSessionId | P::ServerEchoedCompatibilitySessionId => {
            ":SERVER_ECHOED_INVALID_SESSION_ID:"
        }
        P::IllegalMiddleboxChangeCipherSpec => ":UNEXPECTED_RECORD:",
        P::IllegalTlsInnerPlaintext => ":DECRYPTION_FAILED_OR_BAD_RECORD_MAC:",
        P::IncorrectBinder => ":DIGEST_CHECK_FAILED:",
        P::InvalidCertCompression => ":CERT_DECOMPRESSION_FAILED:",
        P::InvalidKeyShare => ":BAD_ECPOINT:",
        P::KeyEpochWithPendingFragment => ":EXCESS_HANDSHAKE_DATA:",
        P::MessageInterleavedWithHandshakeMessage => ":UNEXPECTED_RECORD:",
        P::MissingKeyShare => ":MISSING_KEY_SHARE:",
        P::MissingPskModesExtension => ":MISSING_EXTENSION:",
        P::OfferedDuplicateKeyShares => ":DUPLICATE_KEY_SHARE:",
        P::OfferedEarlyDataWithOldProtocolVersion => ":WRONG_VERSION_ON_EARLY_DATA:",
        P::OfferedEmptyApplicationProtocol => ":PARSE_TLSEXT:",
        P::OfferedIncorrectCompressions => ":INVALID_COMPRESSION_LIST:",
        P::PskExtensionMustBeLast => ":PRE_SHARED_KEY_MUST_BE_LAST:",
        P::PskExtensionWithMismatchedIdsAndBinders => ":PSK_IDENTITY_BINDER_COUNT_MISMATCH:",
        P::RejectedEarlyDataInterleavedWithHandshakeMessage => {
            ":DECRYPTION_FAILED_OR_BAD_RECORD_MAC:"
        }
        P::ResumptionAttemptedWithVariedEms | P::ResumptionOfferedWithVariedEms => {
            ":RESUMED_EMS_SESSION_WITHOUT_EMS_EXTENSION:"
        }
        P::ResumptionOfferedWithIncompatibleCipherSuite => ":OLD_SESSION_PRF_HASH_MISMATCH:",
        P::ResumptionOfferedWithVariedCipherSuite => ":OLD_SESSION_CIPHER_NOT_RETURNED:",
        P::SelectedInvalidPsk | P::SelectedUnofferedPsk => ":PSK_IDENTITY_NOT_FOUND:",
        P::SelectedTls12UsingTls13VersionExtension => ":UNEXPECTED_EXTENSION:",
        P::SelectedUnofferedApplicationProtocol => ":INVALID_ALPN_PROTOCOL:",
        P::SelectedUnofferedCertCompression => ":UNKNOWN_CERT_COMPRESSION_ALG:",
        P::SelectedUnofferedCompression => ":UNSUPPORTED_COMPRESSION_ALGORITHM:",
        P::ServerHelloMustOfferUncompressedEcPoints => ":ERROR_PARSING_EXTENSION:",
        P::SignedHandshakeWithUnadvertisedSigScheme => ":WRONG_SIGNATURE_TYPE:",
        // The ServerKeyExchange signature does not fit the suite: the
        // certificate's key type is wrong for it.
        P::SignedKxWithWrongAlgorithm => ":WRONG_CERTIFICATE_TYPE:",
        P::TooManyEmptyFragments => ":TOO_MANY_EMPTY_FRAGMENTS:",
        P::TooManyKeyUpdateRequests => ":TOO_MANY_KEY_UPDATES:",
        P::TooManyRenegotiationRequests => ":NO_RENEGOTIATION:",
        P::TooManyWarningAlertsReceived => ":TOO_MANY_WARNING_ALERTS:",
        P::TooMuchEarlyDataReceived => ":TOO_MUCH_READ_EARLY_DATA:",
        P::HandshakeHashVariedAfterRetry | P::ServerNameDifferedOnRetry => {
            ":INCONSISTENT_CLIENT_HELLO:"
        }
        P::EarlyDataAttemptedInSecondClientHello => ":UNEXPECTED_EXTENSION_ON_EARLY_DATA:",
        P::MissingPskExtensionInSecondClientHello => ":INCONSISTENT_CLIENT_HELLO:",
        P::InvalidMaxEarlyDataSize => ":DECODE_ERROR:",
        P::BadCertChainExtensions => ":UNEXPECTED_EXTENSION:",
        P::ServerNameMustContainOneHostName | P::DuplicateServerNameTypes => ":DECODE_ERROR:",
        _ => ":HANDSHAKE_FAILURE:",
    }
}

fn invalid_certificate(certificate: &CertificateError) -> &'static str {
    match certificate {
        CertificateError::BadEncoding => ":CANNOT_PARSE_LEAF_CERT:",
        CertificateError::BadSignature => ":BAD_SIGNATURE:",
        CertificateError::UnsupportedSignatureAlgorithmContext { .. } => ":WRONG_SIGNATURE_TYPE:",
        // A key type rustls knows, signed with an algorithm that does not
        // fit it: BoringSSL rejects the signature algorithm for the key.
        // A key type rustls does not know is an unsupported algorithm.
        CertificateError::UnsupportedSignatureAlgorithmForPublicKeyContext {
            public_key_algorithm_id,
            ..
        } if known_key_type(public_key_algorithm_id) => ":WRONG_SIGNATURE_TYPE:",
        CertificateError::UnsupportedSignatureAlgorithmForPublicKeyContext { .. } => {
            ":UNSUPPORTED_ALGORITHM:"
        }
        _ => ":CERTIFICATE_VERIFY_FAILED:",
    }
}

/// DER OIDs (tag and length included) of the public key types rustls
/// verifies: rsaEncryption, id-ecPublicKey and id-Ed25519.
const KNOWN_KEY_OIDS: [&[u8]; 3] = [
    &[
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01,
    ],
    &[0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01],
    &[0x06, 0x03, 0x2b, 0x65, 0x70],
];

/// Whether an AlgorithmIdentifier body names a key type rustls verifies.
fn known_key_type(algorithm_id: &[u8]) -> bool {
    KNOWN_KEY_OIDS
        .iter()
        .any(|oid| algorithm_id.starts_with(oid))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::{ContentType, HandshakeType};

    #[test]
    fn common_errors_map_to_boringssl_codes() {
        let cases: Vec<(Error, &str)> = vec![
            (
                PeerIncompatible::NoCipherSuitesInCommon.into(),
                ":NO_SHARED_CIPHER:",
            ),
            (Error::DecryptError, ":DECRYPTION_FAILED_OR_BAD_RECORD_MAC:"),
            (
                Error::InvalidMessage(InvalidMessage::TrailingData("ServerHelloPayload")),
                ":DECODE_ERROR:",
            ),
            (
                Error::InvalidMessage(InvalidMessage::MissingData("AlertDescription")),
                ":BAD_ALERT:",
            ),
            (
                Error::InappropriateHandshakeMessage {
                    expect_types: vec![HandshakeType::Finished],
                    got_type: HandshakeType::ServerHello,
                },
                ":UNEXPECTED_MESSAGE:",
            ),
            (
                Error::InappropriateMessage {
                    expect_types: vec![ContentType::Handshake],
                    got_type: ContentType::ApplicationData,
                },
                ":UNEXPECTED_RECORD:",
            ),
            (
                Error::AlertReceived(AlertDescription::HandshakeFailure),
                ":SSLV3_ALERT_HANDSHAKE_FAILURE:",
            ),
            (
                Error::InvalidCertificate(CertificateError::ApplicationVerificationFailure),
                ":CERTIFICATE_VERIFY_FAILED:",
            ),
        ];
        for (error, code) in cases {
            assert_eq!(
                boringssl_code(&error, Context::default()),
                code,
                "for {error:?}"
            );
        }
    }

    #[test]
    fn context_refines_the_code() {
        let client_hello = Context {
            client: true,
            version: None,
        };
        let tls12_client = Context {
            client: true,
            version: Some(TLS1_2),
        };
        let alert = Error::AlertReceived(AlertDescription::HandshakeFailure);
        assert_eq!(
            boringssl_code(&alert, client_hello),
            ":HANDSHAKE_FAILURE_ON_CLIENT_HELLO:"
        );
        assert_eq!(
            boringssl_code(&alert, tls12_client),
            ":SSLV3_ALERT_HANDSHAKE_FAILURE:"
        );
        assert_eq!(
            boringssl_code(&Error::NoCertificatesPresented, tls12_client),
            ":DECODE_ERROR:"
        );
        assert_eq!(
            boringssl_code(&Error::NoCertificatesPresented, Context::default()),
            ":PEER_DID_NOT_RETURN_A_CERTIFICATE:"
        );
        let bad_hello = Error::InvalidMessage(InvalidMessage::TrailingData("ClientHelloPayload"));
        assert_eq!(
            boringssl_code(&bad_hello, Context::default()),
            ":CLIENTHELLO_PARSE_FAILED:"
        );
        assert_eq!(boringssl_code(&bad_hello, tls12_client), ":DECODE_ERROR:");
        let no_groups: Error = PeerIncompatible::NoKxGroupsInCommon.into();
        let tls12_server = Context {
            client: false,
            version: Some(TLS1_2),
        };
        assert_eq!(
            boringssl_code(&no_groups, tls12_server),
            ":NO_SHARED_CIPHER:"
        );
        assert_eq!(
            boringssl_code(&no_groups, Context::default()),
            ":NO_SHARED_GROUP:"
        );
    }

    #[test]
    fn signature_and_key_mismatches_depend_on_the_key_type() {
        let mismatch = |key: &[u8]| {
            Error::InvalidCertificate(
                CertificateError::UnsupportedSignatureAlgorithmForPublicKeyContext {
                    signature_algorithm_id: vec![6, 8, 42, 134, 72, 206, 61, 4, 3, 2],
                    public_key_algorithm_id: key.to_vec(),
                },
            )
        };
        let rsa = [6, 9, 42, 134, 72, 134, 247, 13, 1, 1, 1, 5, 0];
        let rsa_pss = [6, 9, 42, 134, 72, 134, 247, 13, 1, 1, 10];
        assert_eq!(
            boringssl_code(&mismatch(&rsa), Context::default()),
            ":WRONG_SIGNATURE_TYPE:"
        );
        assert_eq!(
            boringssl_code(&mismatch(&rsa_pss), Context::default()),
            ":UNSUPPORTED_ALGORITHM:"
        );
    }

    #[test]
    fn failures_keep_the_rustls_description() {
        let failure = failure(&Error::DecryptError, Context::default());
        assert_eq!(failure.detail(), Some("DecryptError"));
        assert_eq!(failure.exit_code(), 1);
    }
}
