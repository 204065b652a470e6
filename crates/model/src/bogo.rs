//! BoringSSL's BoGo shim protocol, and the compiled form of a BoGo case:
//! what the spec compiler builds and emits (with the `tokens` feature, as
//! `databake` tokens naming `crosscheck::bogo::case`), and what the runner
//! plays from the static table. The runtime's tables borrow their strings;
//! the compiler's own values own them.

use std::borrow::Cow;

use crate::Role;

pub mod shim;

/// Exit status: the shim does not implement what the test asks.
pub const UNIMPLEMENTED_EXIT: u8 = 89;

/// The shim's certificate and key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "tokens", derive(databake::Bake), databake(path = crosscheck::bogo::case))]
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
#[cfg_attr(feature = "tokens", derive(databake::Bake), databake(path = crosscheck::bogo::case))]
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
#[cfg_attr(feature = "tokens", derive(databake::Bake), databake(path = crosscheck::bogo::case))]
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
#[cfg_attr(feature = "tokens", derive(databake::Bake), databake(path = crosscheck::bogo::case))]
pub enum RecordAt {
    /// Instead of its first handshake record.
    FirstRecord,
    /// After the handshake, instead of application data.
    AfterHandshake,
}

/// One test: how the shim is started, how the runner (the shim's peer)
/// behaves, and what must happen.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "tokens", derive(databake::Bake), databake(path = crosscheck::bogo::case))]
pub struct Case {
    /// The upstream test name (`Basic-Client-TLS13`); the key of the shim
    /// config's `TestErrorMap` and `TestLocalErrorMap`, and the log file name.
    pub name: Cow<'static, str>,
    /// The spec group the case belongs to (`basic`, `record_layer`, …), for
    /// reports and log directories.
    pub group: Cow<'static, str>,
    /// The shim's side of the connection; the runner plays the other one.
    pub shim_role: Role,
    /// The key type of the certificates in this test: the server's (the
    /// shim's `-cert-file` in server tests, the runner's own in client
    /// tests) and the runner's client certificate.
    pub key_type: KeyType,
    /// The test's own shim flags, appended after the runner's. The words
    /// `{cert_file}`, `{key_file}` and `{ca_file}` are replaced by the
    /// runner's generated credential files (for a shim that presents a
    /// client certificate, for instance).
    pub flags: Cow<'static, [Cow<'static, str>]>,
    /// Resumption connections after the first (`-resume-count N` when > 0).
    pub resume_count: u32,
    /// The shim writes `hello` right after each handshake
    /// (`-shim-writes-first`); the runner reads it before its messages.
    pub shim_writes_first: bool,
    /// The shim closes the connection right after each handshake
    /// (`-shim-shuts-down`); the runner expects the close and sends no
    /// messages of its own unless [`Case::messages`] says so.
    pub shim_shuts_down: bool,
    /// The application data the runner sends after each handshake.
    pub messages: Messages,
    /// How the runner behaves as the shim's peer.
    pub peer: Peer,
    /// What must happen.
    pub expect: Expect,
}

/// Application data after each handshake: `count` messages of `length`
/// bytes, message `i` made of the byte `0x42 ^ i`; the shim must echo each
/// with every byte XOR `0xFF`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "tokens", derive(databake::Bake), databake(path = crosscheck::bogo::case))]
pub struct Messages {
    pub count: u32,
    pub length: u32,
}

impl Messages {
    /// Upstream's default: one message of 32 bytes.
    pub const DEFAULT: Messages = Messages {
        count: 1,
        length: 32,
    };
    /// No application data (upstream's default with `-shim-shuts-down`).
    pub const NONE: Messages = Messages {
        count: 0,
        length: 32,
    };
}

/// The runner's TLS configuration as the shim's peer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "tokens", derive(databake::Bake), databake(path = crosscheck::bogo::case))]
pub struct Peer {
    /// Lowest version offered or accepted; `None`: TLS 1.2.
    pub min_version: Option<Version>,
    /// Highest version offered or accepted; `None`: TLS 1.3.
    pub max_version: Option<Version>,
    /// rustls cipher suite names (`TLS13_AES_128_GCM_SHA256`,
    /// `TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256`, …) in preference order;
    /// empty: rustls' defaults.
    pub cipher_suites: Cow<'static, [Cow<'static, str>]>,
    /// Key exchange group names as rustls spells them (`X25519`,
    /// `secp256r1`, `X25519MLKEM768`, …) in preference order; empty:
    /// rustls' defaults.
    pub groups: Cow<'static, [Cow<'static, str>]>,
    /// ALPN protocols offered (runner as client) or accepted (runner as
    /// server), in preference order.
    pub alpn: Cow<'static, [Cow<'static, str>]>,
    /// The runner as client presents a certificate when asked.
    pub client_certificate: bool,
    /// The runner as server asks for a client certificate (and accepts a
    /// connection without one).
    pub request_client_certificate: bool,
    /// TLS 1.3 KeyUpdates the runner sends before each of its messages
    /// (upstream's `sendKeyUpdates`); it then protects records itself.
    pub key_updates_after_handshake: u32,
    /// What those KeyUpdates ask of the shim (upstream's
    /// `keyUpdateRequest`).
    pub key_update_request: KeyUpdateRequest,
    /// Something a well-behaved peer never does.
    pub misbehaviour: Option<Misbehaviour>,
}

impl Peer {
    /// A peer with rustls' defaults and manners.
    pub const DEFAULT: Peer = Peer {
        min_version: None,
        max_version: None,
        cipher_suites: Cow::Borrowed(&[]),
        groups: Cow::Borrowed(&[]),
        alpn: Cow::Borrowed(&[]),
        client_certificate: false,
        request_client_certificate: false,
        key_updates_after_handshake: 0,
        key_update_request: KeyUpdateRequest::NotRequested,
        misbehaviour: None,
    };
}

/// What a well-behaved peer never sends. Each applies to every connection
/// of the test; one that never gets the chance to apply (its message is
/// never sent, or the handshake fails before a post-handshake one) fails
/// the test as a runner error rather than letting it pass.
///
/// The post-handshake ones ([`Misbehaviour::is_after_handshake`]) are sent
/// before each of the runner's messages (after its KeyUpdates), or once
/// right after the handshake when it sends none; from then on the runner
/// protects records itself, and TLS 1.3 tickets the shim sends afterwards
/// are not kept for resumption.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "tokens", derive(databake::Bake), databake(path = crosscheck::bogo::case))]
pub enum Misbehaviour {
    /// Instead of its first handshake flight, the runner writes these bytes
    /// raw (an HTTP request, garbage) and then waits for the shim to close.
    /// As server it first reads the shim's first record.
    RawBytesInsteadOfHandshake(Cow<'static, [u8]>),
    /// Before its first record, the runner writes these bytes raw (an HTTP
    /// request, garbage); the handshake follows as usual (upstream's
    /// `sendPrefix`).
    SendPrefix(Cow<'static, [u8]>),
    /// The `legacy_record_version` of the runner's first record.
    FirstRecordVersion(u16),
    /// A record with this content type.
    InvalidRecordType { content_type: u8, at: RecordAt },
    /// `bytes` appended to the body of the runner's first plaintext
    /// handshake message of this type (1 ClientHello, 2 ServerHello, 11
    /// Certificate, 12 ServerKeyExchange, 14 ServerHelloDone, 16
    /// ClientKeyExchange, …), its length adjusted.
    TrailingDataInHandshakeMessage {
        message: u8,
        bytes: Cow<'static, [u8]>,
    },
    /// The extension of this type appears twice in the runner's first
    /// ClientHello (1) or ServerHello (2).
    DuplicateExtension { message: u8, extension: u16 },
    /// An encrypted alert record `[level, description]`, before each of
    /// the runner's messages.
    Alert { level: u8, description: u8 },
    /// An encrypted alert record with this body, before each of the
    /// runner's messages.
    BogusAlert(Cow<'static, [u8]>),
    /// This many empty encrypted application data records, before each of
    /// the runner's messages.
    EmptyRecords(u32),
}

impl Misbehaviour {
    /// Whether it happens after the handshake, on encrypted records the
    /// runner protects itself.
    pub fn is_after_handshake(&self) -> bool {
        matches!(
            self,
            Misbehaviour::Alert { .. }
                | Misbehaviour::BogusAlert(_)
                | Misbehaviour::EmptyRecords(_)
                | Misbehaviour::InvalidRecordType {
                    at: RecordAt::AfterHandshake,
                    ..
                }
        )
    }
}

/// What must happen.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "tokens", derive(databake::Bake), databake(path = crosscheck::bogo::case))]
pub struct Expect {
    /// The test fails: the shim exits non-zero or the runner sees an error.
    pub should_fail: bool,
    /// BoringSSL-style error the shim's stderr must contain when failing
    /// (`:NO_SHARED_CIPHER:`), before the shim config's error maps apply.
    pub error: Option<Cow<'static, str>>,
    /// Substring of the runner's own error when failing
    /// (`remote error: handshake failure`).
    pub local_error: Option<Cow<'static, str>>,
    /// The shim sends a TLS 1.3 KeyUpdate of its own before it echoes the
    /// runner's first message (upstream's `expectUnsolicitedKeyUpdate`);
    /// the runner then protects records itself to see it. Wherever the
    /// runner does (KeyUpdates, post-handshake misbehaviours), a KeyUpdate
    /// the shim sends unasked fails the test unless this is set.
    pub unsolicited_key_update: bool,
}

impl Expect {
    /// Success: both sides finish without an error.
    pub const SUCCESS: Expect = Expect {
        should_fail: false,
        error: None,
        local_error: None,
        unsolicited_key_update: false,
    };
}
