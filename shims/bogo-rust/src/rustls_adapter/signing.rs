//! `-signing-prefs`: the shim's own signature algorithm preferences, as a
//! signing key that only signs with the listed schemes, in that order.

use std::sync::Arc;

use rustls::pki_types::SubjectPublicKeyInfoDer;
use rustls::sign::{Signer, SigningKey};
use rustls::{SignatureAlgorithm, SignatureScheme};

/// A key restricted to, and preferring in order, the configured schemes.
#[derive(Debug)]
pub struct PreferringKey {
    inner: Arc<dyn SigningKey>,
    prefs: Vec<SignatureScheme>,
}

/// The key type a signature scheme needs, by IANA value; `None` for
/// values that name no known scheme.
pub fn key_type(scheme: u16) -> Option<SignatureAlgorithm> {
    match scheme {
        0x0201
        | 0x0401
        | 0x0501
        | 0x0601
        | 0x0420
        | 0x0520
        | 0x0620
        | 0x0804..=0x0806
        | 0x0809..=0x080b => Some(SignatureAlgorithm::RSA),
        0x0203 | 0x0403 | 0x0503 | 0x0603 => Some(SignatureAlgorithm::ECDSA),
        0x0807 => Some(SignatureAlgorithm::ED25519),
        0x0808 => Some(SignatureAlgorithm::ED448),
        _ => None,
    }
}

impl PreferringKey {
    /// `inner` itself when there are no preferences. `Err` names a scheme
    /// the preferences list for this key type that rustls cannot sign with.
    pub fn wrap(inner: Arc<dyn SigningKey>, prefs: &[u16]) -> Result<Arc<dyn SigningKey>, u16> {
        if prefs.is_empty() {
            return Ok(inner);
        }
        for &pref in prefs {
            let usable = inner
                .choose_scheme(&[SignatureScheme::from(pref)])
                .is_some();
            if !usable && key_type(pref).is_none_or(|kind| kind == inner.algorithm()) {
                return Err(pref);
            }
        }
        Ok(Arc::new(PreferringKey {
            inner,
            prefs: prefs.iter().copied().map(SignatureScheme::from).collect(),
        }))
    }
}

impl SigningKey for PreferringKey {
    fn choose_scheme(&self, offered: &[SignatureScheme]) -> Option<Box<dyn Signer>> {
        self.prefs
            .iter()
            .filter(|scheme| offered.contains(scheme))
            .find_map(|scheme| self.inner.choose_scheme(&[*scheme]))
    }

    fn public_key(&self) -> Option<SubjectPublicKeyInfoDer<'_>> {
        self.inner.public_key()
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        self.inner.algorithm()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_name_their_key_type() {
        assert_eq!(key_type(0x0804), Some(SignatureAlgorithm::RSA));
        assert_eq!(key_type(0x0201), Some(SignatureAlgorithm::RSA));
        assert_eq!(key_type(0x0403), Some(SignatureAlgorithm::ECDSA));
        assert_eq!(key_type(0x0807), Some(SignatureAlgorithm::ED25519));
        assert_eq!(key_type(0x2a01), None);
    }
}
