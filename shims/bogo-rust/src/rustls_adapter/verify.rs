//! Peer certificate handling with BoringSSL-shim semantics: the shim does not
//! validate chains (its verify callback accepts any chain unless
//! `-verify-fail`), but handshake signatures are always checked with the
//! leaf's key, so an unusable leaf still fails the handshake.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{WebPkiSupportedAlgorithms, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{
    CertificateError, DigitallySignedStruct, DistinguishedName, Error, OtherError, SignatureScheme,
};

/// The error for an application-rejected chain (`-verify-fail`), chosen
/// for the alert rustls sends with it. BoringSSL's custom verify callback
/// (`-use-custom-verify-callback`) rejects with certificate_unknown, which
/// rustls sends for `Other`; its legacy callback rejects with
/// handshake_failure, which no certificate error gives in rustls, so that
/// one stays the application's own error (access_denied).
fn rejected(custom_callback: bool) -> Error {
    if custom_callback {
        Error::InvalidCertificate(CertificateError::Other(OtherError(Arc::new(ChainRejected))))
    } else {
        Error::InvalidCertificate(CertificateError::ApplicationVerificationFailure)
    }
}

/// The verify callback's rejection (`-verify-fail`).
#[derive(Debug)]
struct ChainRejected;

impl std::fmt::Display for ChainRejected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the verify callback rejected the chain (-verify-fail)")
    }
}

impl std::error::Error for ChainRejected {}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What the last peer authentication in this process established, which is
/// what a resumed session carries (rustls does not authenticate the peer
/// again on resumption).
#[derive(Debug)]
pub struct PeerAuth {
    ok: AtomicBool,
    scheme: Mutex<Option<SignatureScheme>>,
    ocsp: Mutex<Option<Vec<u8>>>,
}

impl PeerAuth {
    pub fn new() -> Arc<PeerAuth> {
        Arc::new(PeerAuth {
            ok: AtomicBool::new(true),
            scheme: Mutex::new(None),
            ocsp: Mutex::new(None),
        })
    }

    /// Whether the chain was accepted (true when nothing was verified).
    pub fn ok(&self) -> bool {
        self.ok.load(Ordering::Relaxed)
    }

    /// The scheme of the peer's handshake signature.
    pub fn scheme(&self) -> Option<u16> {
        lock(&self.scheme).map(u16::from)
    }

    /// The OCSP response stapled to the server's certificate.
    pub fn ocsp(&self) -> Option<Vec<u8>> {
        lock(&self.ocsp).clone()
    }

    fn record(&self, ok: bool) {
        self.ok.store(ok, Ordering::Relaxed);
    }

    fn record_scheme(&self, scheme: SignatureScheme) {
        *lock(&self.scheme) = Some(scheme);
    }
}

/// The schemes to advertise and accept: `-verify-prefs` where given (in its
/// order, restricted to what the provider verifies), else the provider's.
fn accepted_schemes(
    algorithms: &WebPkiSupportedAlgorithms,
    prefs: &[SignatureScheme],
) -> Vec<SignatureScheme> {
    let supported = algorithms.supported_schemes();
    if prefs.is_empty() {
        return supported;
    }
    prefs
        .iter()
        .copied()
        .filter(|scheme| supported.contains(scheme))
        .collect()
}

/// A handshake signature: its scheme must be one of `accepted` and it must
/// verify; a good one is recorded as the peer's.
fn check_signature(
    accepted: &[SignatureScheme],
    auth: &PeerAuth,
    scheme: SignatureScheme,
    verify: impl FnOnce() -> Result<HandshakeSignatureValid, Error>,
) -> Result<HandshakeSignatureValid, Error> {
    if !accepted.contains(&scheme) {
        return Err(rustls::PeerMisbehaved::SignedHandshakeWithUnadvertisedSigScheme.into());
    }
    let valid = verify()?;
    auth.record_scheme(scheme);
    Ok(valid)
}

/// The client's verifier of the server. One instance serves every
/// connection of the process (rustls resumes only with the same verifier),
/// so the per-connection settings are switched, not rebuilt.
#[derive(Debug)]
pub struct ServerVerifier {
    algorithms: WebPkiSupportedAlgorithms,
    auth: Arc<PeerAuth>,
    fail: AtomicBool,
    custom_callback: AtomicBool,
    soft: AtomicBool,
    prefs: Mutex<Vec<SignatureScheme>>,
}

impl ServerVerifier {
    pub fn new(algorithms: WebPkiSupportedAlgorithms, auth: Arc<PeerAuth>) -> Arc<ServerVerifier> {
        Arc::new(ServerVerifier {
            algorithms,
            auth,
            fail: AtomicBool::new(false),
            custom_callback: AtomicBool::new(false),
            soft: AtomicBool::new(true),
            prefs: Mutex::new(Vec::new()),
        })
    }

    /// `fail`: the application rejects the chain (`-verify-fail`), through
    /// the custom verify callback if `custom_callback`.
    /// `soft`: a rejection is recorded but does not end the handshake, as
    /// with BoringSSL's `SSL_VERIFY_NONE` (a client without `-verify-peer`).
    /// `prefs`: the schemes to accept (`-verify-prefs`), empty for all.
    pub fn configure(
        &self,
        fail: bool,
        custom_callback: bool,
        soft: bool,
        prefs: Vec<SignatureScheme>,
    ) {
        self.fail.store(fail, Ordering::Relaxed);
        self.custom_callback
            .store(custom_callback, Ordering::Relaxed);
        self.soft.store(soft, Ordering::Relaxed);
        *lock(&self.prefs) = prefs;
    }

    fn accepted(&self) -> Vec<SignatureScheme> {
        accepted_schemes(&self.algorithms, &lock(&self.prefs))
    }
}

impl ServerCertVerifier for ServerVerifier {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        *lock(&self.auth.ocsp) = (!ocsp_response.is_empty()).then(|| ocsp_response.to_vec());
        let fail = self.fail.load(Ordering::Relaxed);
        self.auth.record(!fail);
        if fail && !self.soft.load(Ordering::Relaxed) {
            return Err(rejected(self.custom_callback.load(Ordering::Relaxed)));
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        check_signature(&self.accepted(), &self.auth, dss.scheme, || {
            verify_tls12_signature(message, cert, dss, &self.algorithms)
        })
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        check_signature(&self.accepted(), &self.auth, dss.scheme, || {
            verify_tls13_signature(message, cert, dss, &self.algorithms)
        })
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.accepted()
    }
}

/// The server's verifier of client certificates for `-verify-peer`
/// (optional) and `-require-any-client-certificate` (mandatory).
#[derive(Debug)]
pub struct ClientVerifier {
    algorithms: WebPkiSupportedAlgorithms,
    auth: Arc<PeerAuth>,
    accepted: Vec<SignatureScheme>,
    mandatory: bool,
    fail: bool,
    custom_callback: bool,
}

impl ClientVerifier {
    /// `fail`: the application rejects the chain (`-verify-fail`), through
    /// the custom verify callback if `custom_callback`.
    pub fn new(
        algorithms: WebPkiSupportedAlgorithms,
        auth: Arc<PeerAuth>,
        prefs: &[SignatureScheme],
        mandatory: bool,
        fail: bool,
        custom_callback: bool,
    ) -> Self {
        ClientVerifier {
            accepted: accepted_schemes(&algorithms, prefs),
            algorithms,
            auth,
            mandatory,
            fail,
            custom_callback,
        }
    }
}

impl ClientCertVerifier for ClientVerifier {
    fn client_auth_mandatory(&self) -> bool {
        self.mandatory
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, Error> {
        self.auth.record(!self.fail);
        if self.fail {
            return Err(rejected(self.custom_callback));
        }
        Ok(ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        check_signature(&self.accepted, &self.auth, dss.scheme, || {
            verify_tls12_signature(message, cert, dss, &self.algorithms)
        })
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        check_signature(&self.accepted, &self.auth, dss.scheme, || {
            verify_tls13_signature(message, cert, dss, &self.algorithms)
        })
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.accepted.clone()
    }
}

#[cfg(test)]
mod tests {
    use rustls::AlertDescription;

    use super::{Error, rejected};

    #[test]
    fn a_rejection_sends_the_alert_of_boringssls_callback_where_rustls_can() {
        let alert = |custom_callback| match rejected(custom_callback) {
            Error::InvalidCertificate(error) => AlertDescription::from(error),
            other => panic!("not a certificate error: {other:?}"),
        };
        assert_eq!(alert(true), AlertDescription::CertificateUnknown);
        assert_eq!(alert(false), AlertDescription::AccessDenied);
    }
}
