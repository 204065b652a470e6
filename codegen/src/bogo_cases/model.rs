//! A BoGo case file as written: `specs/bogo/<group>.yaml`, one behaviour
//! group per file, every case keyed by its upstream test name.
//!
//! The defaults mirror upstream's runner: the shim gets no extra flags, one
//! connection (no resumption), one 32-byte message (none when the shim shuts
//! down), and the runner behaves like a normal TLS 1.2/1.3 peer.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

use crate::entries::Entries;
use crate::located::Located;

/// `specs/bogo/<group>.yaml`: one behaviour group of BoGo cases. The file
/// stem names the group in reports and log directories.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "BoGo cases")]
pub struct CaseFileDoc {
    /// What the cases of this file have in common.
    pub group: Located<String>,
    /// The upstream runner's test list the case names are checked against:
    /// `specs/bogo/upstream-tests/<this>.txt`, e.g. `b28d2e8`.
    #[schemars(example = &"b28d2e8")]
    pub upstream_tests: Located<String>,
    /// Every case by its upstream test name (`VersionTooLow`,
    /// `Basic-Client-TLS-Sync`), in the order tests are listed. Its
    /// snake_case form names the tests: `bogo::<shim>::<name>`.
    pub cases: Entries<CaseDoc>,
}

/// One BoGo test: the shim's side, the runner's behaviour as its peer, and
/// what must happen.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseDoc {
    /// A crosscheck case, not one of upstream's: its name need not be in
    /// the upstream list (and must not be), and it needs a `description`.
    #[serde(default)]
    pub own: bool,
    /// What the case checks (required with `own: true`).
    #[serde(default)]
    pub description: Option<Located<String>>,
    /// The shim's side of the connection (upstream's `testType`: `client`
    /// for a `clientTest`, `server` for a `serverTest`); the runner plays
    /// the other one.
    pub shim_role: RoleDoc,
    /// The key type of the test's certificates: the server's and the
    /// runner's client certificate (default `rsa2048`, upstream's default
    /// credential).
    #[serde(default)]
    pub key_type: Option<KeyTypeDoc>,
    /// The test's own shim flags, in order: `-flag`, or a flag and its
    /// value as `[-flag, value]`. Values may use `{cert_file}`,
    /// `{key_file}` and `{ca_file}` for the runner's generated credential
    /// files. Flags the runner adds itself (`-server`, `-resume-count`,
    /// `-shim-writes-first`, …) come from the other fields.
    #[serde(default)]
    pub flags: Vec<Located<FlagDoc>>,
    /// Resumption connections after the first (upstream's `resumeSession`
    /// is 1, with `resumeRenewedSession` 2); default 0.
    #[serde(default)]
    pub resume_count: Option<Located<u32>>,
    /// The shim writes `hello` right after each handshake.
    #[serde(default)]
    pub shim_writes_first: bool,
    /// The shim closes the connection right after each handshake.
    #[serde(default)]
    pub shim_shuts_down: bool,
    /// The application data the runner sends after each handshake.
    #[serde(default)]
    pub messages: Option<Located<MessagesDoc>>,
    /// How the runner behaves as the shim's peer.
    #[serde(default)]
    pub peer: PeerDoc,
    /// What must happen (default: both sides succeed).
    #[serde(default)]
    pub expect: ExpectDoc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoleDoc {
    /// The shim connects; the runner is the server.
    Client,
    /// The shim accepts (the runner adds `-server`); the runner is the
    /// client.
    Server,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum KeyTypeDoc {
    /// RSA 2048 with PKCS#1 v1.5 SHA-256 signatures.
    Rsa2048,
    /// ECDSA on P-256 with SHA-256.
    EcdsaP256,
}

/// `count` messages of `length` bytes; message `i` is made of the byte
/// `0x42 ^ i`, and the shim echoes each with every byte XOR `0xFF`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MessagesDoc {
    /// How many (default 1; 0 with `shim_shuts_down`).
    #[serde(default)]
    pub count: Option<Located<u32>>,
    /// Bytes in each (default 32; at least 1).
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub length: Option<Located<u32>>,
}

/// A TLS protocol version the runner can speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum VersionDoc {
    /// TLS 1.2.
    Tls12,
    /// TLS 1.3.
    Tls13,
}

impl VersionDoc {
    pub fn as_str(self) -> &'static str {
        match self {
            VersionDoc::Tls12 => "tls12",
            VersionDoc::Tls13 => "tls13",
        }
    }
}

/// The runner's TLS configuration as the shim's peer (rustls with the
/// aws-lc-rs provider).
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PeerDoc {
    /// Lowest version offered or accepted (default `tls12`).
    #[serde(default)]
    pub min_version: Option<Located<VersionDoc>>,
    /// Highest version offered or accepted (default `tls13`).
    #[serde(default)]
    pub max_version: Option<Located<VersionDoc>>,
    /// Cipher suites as rustls names them (`TLS13_AES_128_GCM_SHA256`,
    /// `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`), in preference order
    /// (default: rustls' defaults).
    #[serde(default)]
    #[schemars(length(min = 1))]
    pub cipher_suites: Option<Located<Vec<Located<String>>>>,
    /// Key exchange groups as rustls names them (`X25519`, `secp256r1`,
    /// `secp384r1`, `X25519MLKEM768`, …), in preference order (default:
    /// rustls' defaults).
    #[serde(default)]
    #[schemars(length(min = 1))]
    pub groups: Option<Located<Vec<Located<String>>>>,
    /// ALPN protocols offered (runner as client) or accepted (runner as
    /// server), in preference order.
    #[serde(default)]
    pub alpn: Vec<Located<String>>,
    /// The runner as client presents a certificate when asked (only with
    /// `shim_role: server`).
    #[serde(default)]
    pub client_certificate: Option<Located<bool>>,
    /// The runner as server asks for a client certificate and accepts a
    /// connection without one (only with `shim_role: client`).
    #[serde(default)]
    pub request_client_certificate: Option<Located<bool>>,
    /// TLS 1.3 KeyUpdates the runner sends before each of its messages
    /// (upstream's `sendKeyUpdates`); it protects records itself from the
    /// handshake's end.
    #[serde(default)]
    pub key_updates_after_handshake: Option<Located<u32>>,
    /// What those KeyUpdates ask of the shim (upstream's
    /// `keyUpdateRequest`; default `not_requested`).
    #[serde(default)]
    pub key_update_request: Option<Located<KeyUpdateRequestDoc>>,
    /// Something a well-behaved peer never does.
    #[serde(default)]
    pub misbehaviour: Option<Located<MisbehaviourDoc>>,
}

/// The `request_update` field of the runner's KeyUpdates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum KeyUpdateRequestDoc {
    /// `update_not_requested`: the shim only updates its read keys.
    NotRequested,
    /// `update_requested`: the shim must answer each run of them with one
    /// KeyUpdate before its reply, and send no other (upstream's
    /// `RejectUnsolicitedKeyUpdate`).
    Requested,
    /// A value no TLS version defines, e.g. `{invalid: 42}`: the shim must
    /// reject the KeyUpdate.
    Invalid(u8),
}

/// What a well-behaved peer never sends; it applies to every connection of
/// the test.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum MisbehaviourDoc {
    /// Raw bytes instead of the runner's first handshake flight (e.g. a
    /// hand-made ClientHello the runner's TLS library cannot send).
    RawBytesInsteadOfHandshake(BytesDoc),
    /// Raw bytes before the runner's first record, the handshake following
    /// as usual (an HTTP request, garbage; upstream's `sendPrefix`).
    SendPrefix(BytesDoc),
    /// The `legacy_record_version` of the runner's first record, e.g.
    /// `0x03ff` (upstream's `SendInitialRecordVersion`).
    FirstRecordVersion(Located<u16>),
    /// A record with a content type no TLS version defines.
    InvalidRecordType(InvalidRecordTypeDoc),
    /// Bytes appended to the body of the runner's first plaintext
    /// handshake message of a type, its length adjusted (upstream's
    /// `SendTrailingMessageData` appends one zero byte).
    TrailingDataInHandshakeMessage(TrailingDataDoc),
    /// An extension the runner sends appears twice in its ClientHello or
    /// ServerHello (upstream's `DuplicateExtension` adds an unknown one,
    /// `0xffff`, twice).
    DuplicateExtension(DuplicateExtensionDoc),
    /// An encrypted alert before each of the runner's messages.
    Alert(AlertDoc),
    /// An encrypted alert record with this body before each of the
    /// runner's messages (e.g. an unknown level, a fragment, two alerts).
    BogusAlert(BytesDoc),
    /// This many empty encrypted application data records before each of
    /// the runner's messages (upstream's `sendEmptyRecords`).
    EmptyRecords(Located<u32>),
}

/// A record of an undefined content type.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InvalidRecordTypeDoc {
    /// The record's content type, e.g. 42.
    pub content_type: Located<u8>,
    /// When it is sent.
    pub at: RecordAtDoc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecordAtDoc {
    /// The runner's first record gets the type (its body unchanged).
    FirstRecord,
    /// An encrypted record of the type before each of the runner's
    /// messages (upstream's `SendInvalidRecordType`).
    AfterHandshake,
}

/// Trailing bytes in a plaintext handshake message.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TrailingDataDoc {
    /// The message that gets them; it must be one the runner sends in
    /// plaintext.
    pub message: Located<HandshakeMessageDoc>,
    /// The bytes appended.
    pub bytes: BytesDoc,
}

/// A repeated extension.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DuplicateExtensionDoc {
    /// `client_hello` (the runner is the client) or `server_hello`.
    pub message: Located<HandshakeMessageDoc>,
    /// The code point of an extension the runner's hello has, e.g.
    /// `0x000d` (signature_algorithms) in a ClientHello.
    pub extension: Located<u16>,
}

/// Handshake message types the runner can edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum HandshakeMessageDoc {
    ClientHello,
    ServerHello,
    NewSessionTicket,
    EncryptedExtensions,
    Certificate,
    ServerKeyExchange,
    CertificateRequest,
    ServerHelloDone,
    CertificateVerify,
    ClientKeyExchange,
    Finished,
}

/// An alert record `[level, description]`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AlertDoc {
    pub level: AlertLevelDoc,
    /// An alert name (`record_overflow`, `unexpected_message`, …) or
    /// number.
    pub description: Located<NameOrNumberDoc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlertLevelDoc {
    /// 1.
    Warning,
    /// 2.
    Fatal,
}

/// Raw bytes: text (its UTF-8 bytes; YAML's double-quoted escapes such as
/// `\n` and `\x00` apply) or hex digits (spaces allowed between bytes).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum BytesDoc {
    /// Text, e.g. `"GET / HTTP/1.0\n"`.
    Text(Located<String>),
    /// Hex digits, e.g. `16 03 01 00 00`.
    Hex(#[schemars(regex(pattern = r"^[0-9A-Fa-f\s]*$"))] Located<String>),
}

/// A shim flag: `-flag`, or `[-flag, value]`.
#[derive(Debug, Clone)]
pub enum FlagDoc {
    /// A flag without a value (the position is the list item's).
    Flag(String),
    /// A flag and its value (numbers are written as they read).
    WithValue(Vec<Located<String>>),
}

impl JsonSchema for FlagDoc {
    fn schema_name() -> Cow<'static, str> {
        "FlagDoc".into()
    }

    fn json_schema(_generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A shim flag: `-flag`, or a flag and its value as `[-flag, value]`.",
            "oneOf": [
                { "type": "string", "pattern": "^-" },
                {
                    "type": "array",
                    "prefixItems": [
                        { "type": "string", "pattern": "^-" },
                        { "type": ["string", "integer"] }
                    ],
                    "minItems": 2,
                    "maxItems": 2
                }
            ]
        })
    }
}

impl<'de> Deserialize<'de> for FlagDoc {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(FlagVisitor)
    }
}

struct FlagVisitor;

impl<'de> Visitor<'de> for FlagVisitor {
    type Value = FlagDoc;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a flag (`-flag`), or a flag and its value as `[-flag, value]`")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<FlagDoc, E> {
        Ok(FlagDoc::Flag(value.to_string()))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<FlagDoc, E> {
        self.visit_str(&value.to_string())
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<FlagDoc, E> {
        self.visit_str(&value.to_string())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<FlagDoc, A::Error> {
        let mut words = Vec::new();
        while let Some(word) = seq.next_element::<Located<WordDoc>>()? {
            words.push(Located {
                value: word.value.0,
                position: word.position,
            });
        }
        Ok(FlagDoc::WithValue(words))
    }
}

/// A flag word: text, or a number written as it reads.
struct WordDoc(String);

impl<'de> Deserialize<'de> for WordDoc {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(WordVisitor)
    }
}

struct WordVisitor;

impl Visitor<'_> for WordVisitor {
    type Value = WordDoc;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a flag or its value (text or a number)")
    }
    fn visit_str<E: de::Error>(self, value: &str) -> Result<WordDoc, E> {
        Ok(WordDoc(value.to_string()))
    }
    fn visit_u64<E: de::Error>(self, value: u64) -> Result<WordDoc, E> {
        Ok(WordDoc(value.to_string()))
    }
    fn visit_i64<E: de::Error>(self, value: i64) -> Result<WordDoc, E> {
        Ok(WordDoc(value.to_string()))
    }
}

/// A name or a number, e.g. an alert description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameOrNumberDoc {
    Name(String),
    Number(u64),
}

impl JsonSchema for NameOrNumberDoc {
    fn schema_name() -> Cow<'static, str> {
        "NameOrNumberDoc".into()
    }

    fn json_schema(_generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A name, or a number from 0 to 255.",
            "oneOf": [
                { "type": "string" },
                { "type": "integer", "minimum": 0, "maximum": 255 }
            ]
        })
    }
}

impl<'de> Deserialize<'de> for NameOrNumberDoc {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NameOrNumberVisitor)
    }
}

struct NameOrNumberVisitor;

impl Visitor<'_> for NameOrNumberVisitor {
    type Value = NameOrNumberDoc;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a name or a number")
    }
    fn visit_str<E: de::Error>(self, value: &str) -> Result<NameOrNumberDoc, E> {
        Ok(NameOrNumberDoc::Name(value.to_string()))
    }
    fn visit_u64<E: de::Error>(self, value: u64) -> Result<NameOrNumberDoc, E> {
        Ok(NameOrNumberDoc::Number(value))
    }
    fn visit_i64<E: de::Error>(self, value: i64) -> Result<NameOrNumberDoc, E> {
        u64::try_from(value)
            .map(NameOrNumberDoc::Number)
            .map_err(|_| E::invalid_value(de::Unexpected::Signed(value), &self))
    }
}

/// What must happen.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpectDoc {
    /// The test fails: the shim exits non-zero or the runner sees an
    /// error (upstream's `shouldFail`).
    #[serde(default)]
    pub fail: Option<Located<bool>>,
    /// The error the shim's stderr must contain, as upstream's
    /// `expectedError` (`:NO_SHARED_CIPHER:`); only with `fail: true`.
    #[serde(default)]
    pub error: Option<Located<String>>,
    /// Text the runner's own error must contain, as upstream's
    /// `expectedLocalError` (`remote error: handshake failure`); only with
    /// `fail: true`.
    #[serde(default)]
    pub local_error: Option<Located<String>>,
    /// The shim sends a TLS 1.3 KeyUpdate of its own (`-key-update`)
    /// before it echoes the runner's first message (upstream's
    /// `expectUnsolicitedKeyUpdate`). Wherever the runner protects records
    /// itself (KeyUpdates, post-handshake misbehaviours), a KeyUpdate the
    /// shim sends unasked fails the test unless this is set.
    #[serde(default)]
    pub unsolicited_key_update: Option<Located<bool>>,
}
