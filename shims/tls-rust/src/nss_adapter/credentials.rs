//! The test PKI in NSS terms: PEM files turned into temporary certificates
//! and session keys (no certificate database), the certificate hooks that
//! check a peer's chain against the test CA alone, and the hook that hands a
//! client certificate over.

use std::ffi::{CString, c_int, c_uint, c_void};
use std::ptr;

use super::ffi::{
    CERTCertTrust, CERTCertificate, CERTCertificateList, CERTDistNames, KU_ALL, Nspr4, Nss3,
    PR_FALSE, PR_TRUE, PRBool, PRFileDesc, SEC_FAILURE, SEC_SUCCESS, SECItem, SECKEYPrivateKey,
    SECStatus, SSL_ERROR_BAD_CERTIFICATE, Ssl3,
};
use super::nss_error;
use crate::error::Error;
use crate::pki::{Pki, PkiFile};

/// The base64 bodies of the PEM blocks labelled `label` in `text`, in order,
/// without their line breaks.
fn pem_bodies(text: &str, label: &str) -> Vec<String> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let mut bodies = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(&begin) {
        let after = &rest[start + begin.len()..];
        let Some(stop) = after.find(&end) else { break };
        bodies.push(after[..stop].split_whitespace().collect());
        rest = &after[stop + end.len()..];
    }
    bodies
}

/// Decodes base64 with NSS's own decoder.
fn decode_base64(nss: &Nss3, body: &str) -> Result<Vec<u8>, Error> {
    let text = CString::new(body).map_err(|error| Error::library("reading PEM", error))?;
    let mut length: c_uint = 0;
    // SAFETY: a NUL-terminated string and a place for the length.
    let data = unsafe { (nss.ATOB_AsciiToData)(text.as_ptr(), &mut length) };
    if data.is_null() {
        return Err(nss_error("decoding base64 (ATOB_AsciiToData)"));
    }
    // SAFETY: NSS returned `length` bytes at `data`, which it allocated.
    let bytes = unsafe { std::slice::from_raw_parts(data, length as usize) }.to_vec();
    // SAFETY: allocated by NSS (PORT_Alloc) and used no more.
    unsafe { (nss.PORT_Free)(data.cast()) };
    Ok(bytes)
}

/// The DER of every `label` block of `file`.
fn read_der(pki: &Pki, file: PkiFile, label: &str) -> Result<Vec<Vec<u8>>, Error> {
    let nss = Nss3::get()?;
    let pem = pki.read(file)?;
    let text = String::from_utf8_lossy(&pem);
    let bodies = pem_bodies(&text, label);
    if bodies.is_empty() {
        return Err(Error::library(
            format!("reading {}", file.file_name()),
            format!("no PEM block labelled {label}"),
        ));
    }
    bodies.iter().map(|body| decode_base64(nss, body)).collect()
}

/// A certificate in NSS's temporary store, with its DER.
pub struct Certificate {
    pointer: *mut CERTCertificate,
    der: Vec<u8>,
}

impl Certificate {
    fn from_der(der: Vec<u8>) -> Result<Certificate, Error> {
        let nss = Nss3::get()?;
        let mut item = SECItem::borrowing(&der);
        // SAFETY: the default database exists after NSS_NoDB_Init; the DER is
        // copied (copyDER), so `item` may go after the call.
        let pointer = unsafe {
            (nss.CERT_NewTempCertificate)(
                (nss.CERT_GetDefaultCertDB)(),
                &mut item,
                ptr::null_mut(),
                PR_FALSE,
                PR_TRUE,
            )
        };
        if pointer.is_null() {
            return Err(nss_error(
                "decoding a certificate (CERT_NewTempCertificate)",
            ));
        }
        Ok(Certificate { pointer, der })
    }

    pub fn as_ptr(&self) -> *mut CERTCertificate {
        self.pointer
    }
}

impl Drop for Certificate {
    fn drop(&mut self) {
        if let Ok(nss) = Nss3::get() {
            // SAFETY: the reference this value holds, released once.
            unsafe { (nss.CERT_DestroyCertificate)(self.pointer) };
        }
    }
}

/// A certificate chain file: the leaf, then the rest as the file lists it.
pub struct Chain {
    certificates: Vec<Certificate>,
}

impl Chain {
    pub fn load(pki: &Pki, file: PkiFile) -> Result<Chain, Error> {
        let certificates = read_der(pki, file, "CERTIFICATE")?
            .into_iter()
            .map(Certificate::from_der)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|error| error.during(&format!("loading {}", file.file_name())))?;
        Ok(Chain { certificates })
    }

    pub fn leaf(&self) -> &Certificate {
        // `load` never makes an empty chain.
        &self.certificates[0]
    }

    /// The chain's DER as items for a `CERTCertificateList`; they point into
    /// this chain.
    pub fn der_items(&self) -> Vec<SECItem> {
        self.certificates
            .iter()
            .map(|certificate| SECItem::borrowing(&certificate.der))
            .collect()
    }
}

/// A private key imported into NSS's internal slot for this process only.
pub struct PrivateKey(*mut SECKEYPrivateKey);

impl PrivateKey {
    pub fn load(pki: &Pki, file: PkiFile) -> Result<PrivateKey, Error> {
        let nss = Nss3::get()?;
        let der = read_der(pki, file, "PRIVATE KEY")?;
        let Some(der) = der.first() else {
            return Err(Error::library(
                format!("reading {}", file.file_name()),
                "no key",
            ));
        };
        let mut item = SECItem::borrowing(der);
        let mut key = ptr::null_mut();
        // SAFETY: the internal key slot exists after NSS_NoDB_Init and is
        // released below; the DER item lives across the call; the key is a
        // session object (not permanent).
        let status = unsafe {
            let slot = (nss.PK11_GetInternalKeySlot)();
            if slot.is_null() {
                return Err(nss_error("PK11_GetInternalKeySlot"));
            }
            let status = (nss.PK11_ImportDERPrivateKeyInfoAndReturnKey)(
                slot,
                &mut item,
                ptr::null_mut(),
                ptr::null_mut(),
                PR_FALSE,
                PR_TRUE,
                KU_ALL,
                &mut key,
                ptr::null_mut(),
            );
            (nss.PK11_FreeSlot)(slot);
            status
        };
        if status != SEC_SUCCESS || key.is_null() {
            return Err(nss_error(&format!(
                "importing {} (PK11_ImportDERPrivateKeyInfoAndReturnKey)",
                file.file_name()
            )));
        }
        Ok(PrivateKey(key))
    }

    pub fn as_ptr(&self) -> *mut SECKEYPrivateKey {
        self.0
    }
}

impl Drop for PrivateKey {
    fn drop(&mut self) {
        if let Ok(nss) = Nss3::get() {
            // SAFETY: the key this value owns, released once.
            unsafe { (nss.SECKEY_DestroyPrivateKey)(self.0) };
        }
    }
}

/// A server's certificate chain and key.
pub struct ServerCredentials {
    pub chain: Chain,
    pub key: PrivateKey,
}

impl ServerCredentials {
    /// Configures the server socket `fd` to present exactly this chain.
    pub fn configure(&self, fd: *mut PRFileDesc) -> Result<(), Error> {
        let ssl = Ssl3::get()?;
        let mut items = self.chain.der_items();
        let list = CERTCertificateList {
            certs: items.as_mut_ptr(),
            len: c_int::try_from(items.len()).unwrap_or(c_int::MAX),
            arena: ptr::null_mut(),
        };
        let extra = super::ffi::SSLExtraServerCertData {
            auth_type: super::ffi::SSL_AUTH_NULL,
            cert_chain: &list,
            stapled_ocsp_responses: ptr::null(),
            signed_cert_timestamps: ptr::null(),
            deleg_cred: ptr::null(),
            deleg_cred_priv_key: ptr::null(),
        };
        // SAFETY: a live socket; NSS copies the certificate, key and chain
        // (CERT_DupCertList), so the borrowed items may go after the call.
        let status = unsafe {
            (ssl.SSL_ConfigServerCert)(
                fd,
                self.chain.leaf().as_ptr(),
                self.key.as_ptr(),
                &extra,
                c_uint::try_from(std::mem::size_of_val(&extra)).unwrap_or(0),
            )
        };
        if status != SEC_SUCCESS {
            return Err(nss_error("SSL_ConfigServerCert"));
        }
        Ok(())
    }
}

/// A client's certificate chain and key, handed over when a server asks.
pub struct ClientCredentials {
    /// Holds the intermediate too, so NSS finds it when it builds the chain
    /// it sends.
    pub chain: Chain,
    pub key: PrivateKey,
}

/// `SSLGetClientAuthData` hook: the client's certificate and key.
///
/// # Safety
/// `argument` points to a live [`ClientCredentials`]; the out pointers are
/// NSS's.
pub unsafe extern "C" fn client_credentials_hook(
    argument: *mut c_void,
    _fd: *mut PRFileDesc,
    _ca_names: *mut CERTDistNames,
    certificate: *mut *mut CERTCertificate,
    key: *mut *mut SECKEYPrivateKey,
) -> SECStatus {
    let Ok(nss) = Nss3::get() else {
        return SEC_FAILURE;
    };
    // SAFETY: guaranteed by the caller (the connection keeps the
    // credentials alive while the socket exists).
    let credentials = unsafe { &*argument.cast::<ClientCredentials>() };
    // SAFETY: NSS takes ownership of the new references it is handed.
    unsafe {
        let copy = (nss.SECKEY_CopyPrivateKey)(credentials.key.as_ptr());
        if copy.is_null() {
            return SEC_FAILURE;
        }
        *key = copy;
        *certificate = (nss.CERT_DupCertificate)(credentials.chain.leaf().as_ptr());
    }
    SEC_SUCCESS
}

/// The test CA as the one trust anchor: a temporary certificate trusted to
/// issue server and client certificates ("CT,,"). NSS runs without a
/// database, so nothing else is trusted, and its own certificate hook
/// (`SSL_AuthCertificate`) verifies peers against it, checking a server's
/// name against the client's `SSL_SetURL`. The trust lasts as long as this
/// value holds the certificate.
pub struct TrustedCa {
    _ca: Certificate,
}

impl TrustedCa {
    pub fn load(pki: &Pki) -> Result<TrustedCa, Error> {
        let nss = Nss3::get()?;
        let mut der = read_der(pki, PkiFile::Ca, "CERTIFICATE")?;
        let ca = Certificate::from_der(der.swap_remove(0))
            .map_err(|error| error.during("loading ca-certificate.pem"))?;
        let mut trust = CERTCertTrust::default();
        // SAFETY: a NUL-terminated trust string and a trust record; a live
        // certificate in the default database.
        unsafe {
            if (nss.CERT_DecodeTrustString)(&mut trust, c"CT,,".as_ptr()) != SEC_SUCCESS {
                return Err(nss_error("CERT_DecodeTrustString"));
            }
            if (nss.CERT_ChangeCertTrust)((nss.CERT_GetDefaultCertDB)(), ca.as_ptr(), &mut trust)
                != SEC_SUCCESS
            {
                return Err(nss_error(
                    "trusting ca-certificate.pem (CERT_ChangeCertTrust)",
                ));
            }
        }
        Ok(TrustedCa { _ca: ca })
    }
}

/// `SSLAuthCertificate` hook for the external PSK: no certificate is
/// acceptable (the PSK alone authenticates the server).
///
/// # Safety
/// Called by NSS with its socket.
pub unsafe extern "C" fn refuse_certificates_hook(
    _argument: *mut c_void,
    _fd: *mut PRFileDesc,
    _check_signature: PRBool,
    _is_server: PRBool,
) -> SECStatus {
    if let Ok(nspr) = Nspr4::get() {
        // SAFETY: sets the thread's error code.
        unsafe { (nspr.PR_SetError)(SSL_ERROR_BAD_CERTIFICATE, 0) };
    }
    SEC_FAILURE
}

#[cfg(test)]
mod tests {
    use super::pem_bodies;

    #[test]
    fn pem_bodies_are_found_in_order_without_line_breaks() {
        let text = "junk\n-----BEGIN CERTIFICATE-----\nQUJD\nREVG\n-----END CERTIFICATE-----\n\
                    -----BEGIN PRIVATE KEY-----\nS0VZ\n-----END PRIVATE KEY-----\n\
                    -----BEGIN CERTIFICATE-----\r\nR0hJ\r\n-----END CERTIFICATE-----\n";
        assert_eq!(pem_bodies(text, "CERTIFICATE"), ["QUJDREVG", "R0hJ"]);
        assert_eq!(pem_bodies(text, "PRIVATE KEY"), ["S0VZ"]);
        assert!(pem_bodies(text, "PUBLIC KEY").is_empty());
    }
}
