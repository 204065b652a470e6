//! The cleartext hellos (RFC 8446 §4.1): what a ClientHello offers and what
//! a ServerHello or HelloRetryRequest selects. Parsing never panics; a
//! malformed hello is an error naming what was short.

use serde::Serialize;
use thiserror::Error;

use crate::tls::observe::names;

/// `ServerHello.random` of a HelloRetryRequest (RFC 8446 §4.1.3).
const HELLO_RETRY_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

const SERVER_NAME: u16 = 0;
const SUPPORTED_GROUPS: u16 = 10;
const PRE_SHARED_KEY: u16 = 41;
const EARLY_DATA: u16 = 42;
const SUPPORTED_VERSIONS: u16 = 43;
const KEY_SHARE: u16 = 51;

/// What a ClientHello offers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ClientHello {
    #[serde(skip)]
    pub random: [u8; 32],
    pub server_name: Option<String>,
    /// `supported_versions`, else the legacy version.
    pub versions: Vec<String>,
    pub cipher_suites: Vec<String>,
    pub groups: Vec<String>,
    /// Groups with a key share.
    pub key_shares: Vec<String>,
    /// `pre_shared_key` identities, as text where they are printable.
    pub psk_identities: Vec<String>,
    pub early_data: bool,
}

/// What a ServerHello selects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServerHello {
    pub version: String,
    #[serde(skip)]
    pub cipher_suite_code: u16,
    pub cipher_suite: String,
    /// The key share's group.
    pub group: Option<String>,
    /// Index of the selected `pre_shared_key` identity.
    pub selected_psk: Option<u16>,
}

/// What a HelloRetryRequest asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HelloRetry {
    pub cipher_suite: String,
    /// The group the client must send a key share for.
    pub group: Option<String>,
}

/// A ServerHello-shaped message: a real one or a retry request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerHelloMessage {
    Hello(ServerHello),
    Retry(HelloRetry),
}

/// A hello too short for what its lengths announce.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{what} is cut short")]
pub struct CutShort {
    /// "the ClientHello" or "the ServerHello".
    pub what: &'static str,
}

/// A cursor over a message body that reports, rather than panics on,
/// missing bytes.
struct Reader<'a> {
    bytes: &'a [u8],
    what: &'static str,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8], what: &'static str) -> Self {
        Reader { bytes, what }
    }

    fn take(&mut self, count: usize) -> Result<&'a [u8], CutShort> {
        if self.bytes.len() < count {
            return Err(CutShort { what: self.what });
        }
        let (taken, rest) = self.bytes.split_at(count);
        self.bytes = rest;
        Ok(taken)
    }

    fn u8(&mut self) -> Result<u8, CutShort> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, CutShort> {
        let bytes = self.take(2)?;
        Ok(u16::from_be_bytes([bytes[0], bytes[1]]))
    }

    /// A vector with a one- or two-byte length prefix.
    fn vector(&mut self, length_bytes: usize) -> Result<Reader<'a>, CutShort> {
        let length = match length_bytes {
            1 => usize::from(self.u8()?),
            _ => usize::from(self.u16()?),
        };
        Ok(Reader::new(self.take(length)?, self.what))
    }

    fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    fn u16_list(mut self) -> Result<Vec<u16>, CutShort> {
        let mut values = Vec::new();
        while !self.is_empty() {
            values.push(self.u16()?);
        }
        Ok(values)
    }

    /// `(type, body)` of each extension.
    fn extensions(mut self) -> Result<Vec<(u16, Reader<'a>)>, CutShort> {
        let mut extensions = Vec::new();
        while !self.is_empty() {
            let kind = self.u16()?;
            extensions.push((kind, self.vector(2)?));
        }
        Ok(extensions)
    }
}

pub fn parse_client_hello(body: &[u8]) -> Result<ClientHello, CutShort> {
    let mut reader = Reader::new(body, "the ClientHello");
    let legacy_version = reader.u16()?;
    let mut hello = ClientHello::default();
    hello.random.copy_from_slice(reader.take(32)?);
    reader.vector(1)?;
    hello.cipher_suites = names::list(reader.vector(2)?.u16_list()?, names::cipher_suite);
    reader.vector(1)?;
    hello.versions = vec![names::version(legacy_version)];
    if reader.is_empty() {
        return Ok(hello);
    }
    for (kind, mut extension) in reader.vector(2)?.extensions()? {
        match kind {
            SERVER_NAME => {
                let mut names = extension.vector(2)?;
                if !names.is_empty() && names.u8()? == 0 {
                    let name = names.vector(2)?;
                    hello.server_name = Some(String::from_utf8_lossy(name.bytes).into_owned());
                }
            }
            SUPPORTED_VERSIONS => {
                hello.versions = names::list(extension.vector(1)?.u16_list()?, names::version);
            }
            SUPPORTED_GROUPS => {
                hello.groups = names::list(extension.vector(2)?.u16_list()?, names::group);
            }
            KEY_SHARE => {
                let mut shares = extension.vector(2)?;
                while !shares.is_empty() {
                    hello.key_shares.push(names::group(shares.u16()?));
                    shares.vector(2)?;
                }
            }
            PRE_SHARED_KEY => {
                let mut identities = extension.vector(2)?;
                while !identities.is_empty() {
                    let identity = identities.vector(2)?;
                    identities.take(4)?;
                    hello.psk_identities.push(names::identity(identity.bytes));
                }
            }
            EARLY_DATA => hello.early_data = true,
            _ => {}
        }
    }
    Ok(hello)
}

pub fn parse_server_hello(body: &[u8]) -> Result<ServerHelloMessage, CutShort> {
    let mut reader = Reader::new(body, "the ServerHello");
    let legacy_version = reader.u16()?;
    let retry = reader.take(32)? == HELLO_RETRY_RANDOM;
    reader.vector(1)?;
    let cipher_suite_code = reader.u16()?;
    reader.u8()?;
    let mut version = legacy_version;
    let mut group = None;
    let mut selected_psk = None;
    if !reader.is_empty() {
        for (kind, mut extension) in reader.vector(2)?.extensions()? {
            match kind {
                SUPPORTED_VERSIONS => version = extension.u16()?,
                KEY_SHARE => group = Some(names::group(extension.u16()?)),
                PRE_SHARED_KEY => selected_psk = Some(extension.u16()?),
                _ => {}
            }
        }
    }
    let cipher_suite = names::cipher_suite(cipher_suite_code);
    Ok(if retry {
        ServerHelloMessage::Retry(HelloRetry {
            cipher_suite,
            group,
        })
    } else {
        ServerHelloMessage::Hello(ServerHello {
            version: names::version(version),
            cipher_suite_code,
            cipher_suite,
            group,
            selected_psk,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extension(kind: u16, body: &[u8]) -> Vec<u8> {
        let mut bytes = kind.to_be_bytes().to_vec();
        bytes.extend_from_slice(&(body.len() as u16).to_be_bytes());
        bytes.extend_from_slice(body);
        bytes
    }

    fn with_length(prefix: usize, body: &[u8]) -> Vec<u8> {
        let mut bytes = if prefix == 1 {
            vec![body.len() as u8]
        } else {
            (body.len() as u16).to_be_bytes().to_vec()
        };
        bytes.extend_from_slice(body);
        bytes
    }

    fn client_hello() -> Vec<u8> {
        let mut extensions = Vec::new();
        extensions.extend(extension(
            SERVER_NAME,
            &with_length(2, &[&[0][..], &with_length(2, b"localhost")].concat()),
        ));
        extensions.extend(extension(
            SUPPORTED_VERSIONS,
            &with_length(1, &[3, 4, 3, 3]),
        ));
        extensions.extend(extension(
            SUPPORTED_GROUPS,
            &with_length(2, &[0, 29, 0, 23]),
        ));
        extensions.extend(extension(
            KEY_SHARE,
            &with_length(2, &[&[0, 29][..], &with_length(2, &[9; 32])].concat()),
        ));
        extensions.extend(extension(EARLY_DATA, &[]));
        extensions.extend(extension(
            PRE_SHARED_KEY,
            &[
                with_length(
                    2,
                    &[with_length(2, b"crosscheck-external-psk"), vec![0; 4]].concat(),
                ),
                with_length(2, &with_length(1, &[1; 32])),
            ]
            .concat(),
        ));
        [
            &[3, 3][..],
            &[5; 32],
            &with_length(1, &[]),
            &with_length(2, &[0x13, 0x01, 0x13, 0x02]),
            &with_length(1, &[0]),
            &with_length(2, &extensions),
        ]
        .concat()
    }

    #[test]
    fn a_client_hello_shows_what_it_offers() {
        let hello = parse_client_hello(&client_hello()).unwrap();
        assert_eq!(hello.server_name.as_deref(), Some("localhost"));
        assert_eq!(hello.versions, ["TLS 1.3", "TLS 1.2"]);
        assert_eq!(
            hello.cipher_suites,
            ["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"]
        );
        assert_eq!(hello.groups, ["x25519", "secp256r1"]);
        assert_eq!(hello.key_shares, ["x25519"]);
        assert_eq!(hello.psk_identities, ["crosscheck-external-psk"]);
        assert!(hello.early_data);
        assert_eq!(hello.random, [5; 32]);
    }

    #[test]
    fn every_cut_of_a_client_hello_is_an_error_not_a_panic() {
        let hello = client_hello();
        for end in 0..hello.len() {
            let _ = parse_client_hello(&hello[..end]);
        }
        assert!(parse_client_hello(&hello[..40]).is_err());
    }

    #[test]
    fn server_hellos_and_retries_are_told_apart() {
        let server_hello = |random: &[u8], extensions: &[u8]| {
            [
                &[3, 3][..],
                random,
                &with_length(1, &[]),
                &[0x13, 0x01, 0],
                &with_length(2, extensions),
            ]
            .concat()
        };
        let hello = server_hello(
            &[1; 32],
            &[
                extension(SUPPORTED_VERSIONS, &[3, 4]),
                extension(
                    KEY_SHARE,
                    &[&[0, 23][..], &with_length(2, &[4; 65])].concat(),
                ),
                extension(PRE_SHARED_KEY, &[0, 0]),
            ]
            .concat(),
        );
        let ServerHelloMessage::Hello(hello) = parse_server_hello(&hello).unwrap() else {
            panic!("not a ServerHello");
        };
        assert_eq!(hello.version, "TLS 1.3");
        assert_eq!(hello.group.as_deref(), Some("secp256r1"));
        assert_eq!(hello.selected_psk, Some(0));

        let retry = server_hello(&HELLO_RETRY_RANDOM, &extension(KEY_SHARE, &[0, 23]));
        assert_eq!(
            parse_server_hello(&retry).unwrap(),
            ServerHelloMessage::Retry(HelloRetry {
                cipher_suite: "TLS_AES_128_GCM_SHA256".into(),
                group: Some("secp256r1".into()),
            })
        );
    }
}
