//! BoringSSL's BoGo shim protocol, and the small values of a BoGo case that
//! the spec compiler checks and the runner plays.

/// Exit status: the shim does not implement what the test asks.
pub const UNIMPLEMENTED_EXIT: u8 = 89;

/// The shim's certificate and key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyType {
    Rsa2048,
    EcdsaP256,
}

impl KeyType {
    /// As case files write it.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyType::Rsa2048 => "rsa2048",
            KeyType::EcdsaP256 => "ecdsa-p256",
        }
    }
}

/// A protocol version the runner's peer may be limited to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Version {
    Tls12,
    Tls13,
}

impl Version {
    /// Its value on the wire.
    pub fn wire(self) -> u16 {
        match self {
            Version::Tls12 => 0x0303,
            Version::Tls13 => 0x0304,
        }
    }
}

/// The `request_update` value of the peer's KeyUpdate messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyUpdateRequest {
    NotRequested,
    Requested,
    /// A value RFC 8446 does not define, which the shim must reject.
    Invalid(u8),
}

impl KeyUpdateRequest {
    /// Its value on the wire.
    pub fn wire(self) -> u8 {
        match self {
            KeyUpdateRequest::NotRequested => 0,
            KeyUpdateRequest::Requested => 1,
            KeyUpdateRequest::Invalid(value) => value,
        }
    }
}

/// Where the peer sends a record of an invalid type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordAt {
    /// Instead of its first handshake record.
    FirstRecord,
    /// After the handshake, instead of application data.
    AfterHandshake,
}

#[cfg(feature = "tokens")]
mod tokens {
    use proc_macro2::TokenStream;
    use quote::{ToTokens, quote};

    use super::{KeyType, KeyUpdateRequest, RecordAt, Version};

    impl ToTokens for KeyType {
        fn to_tokens(&self, tokens: &mut TokenStream) {
            let variant = match self {
                KeyType::Rsa2048 => quote! { Rsa2048 },
                KeyType::EcdsaP256 => quote! { EcdsaP256 },
            };
            tokens.extend(quote! { ::crosscheck::bogo::case::KeyType::#variant });
        }
    }

    impl ToTokens for Version {
        fn to_tokens(&self, tokens: &mut TokenStream) {
            let variant = match self {
                Version::Tls12 => quote! { Tls12 },
                Version::Tls13 => quote! { Tls13 },
            };
            tokens.extend(quote! { ::crosscheck::bogo::case::Version::#variant });
        }
    }

    impl ToTokens for KeyUpdateRequest {
        fn to_tokens(&self, tokens: &mut TokenStream) {
            let variant = match self {
                KeyUpdateRequest::NotRequested => quote! { NotRequested },
                KeyUpdateRequest::Requested => quote! { Requested },
                KeyUpdateRequest::Invalid(value) => quote! { Invalid(#value) },
            };
            tokens.extend(quote! { ::crosscheck::bogo::case::KeyUpdateRequest::#variant });
        }
    }

    impl ToTokens for RecordAt {
        fn to_tokens(&self, tokens: &mut TokenStream) {
            let variant = match self {
                RecordAt::FirstRecord => quote! { FirstRecord },
                RecordAt::AfterHandshake => quote! { AfterHandshake },
            };
            tokens.extend(quote! { ::crosscheck::bogo::case::RecordAt::#variant });
        }
    }
}
