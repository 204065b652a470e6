//! The runner's side of a case: versions, suites, groups, ALPN, client
//! certificates, KeyUpdates and misbehaviour, checked against each other
//! and against the shim's role.

use std::collections::HashSet;

use crate::bogo_cases::model::{
    AlertLevelDoc, HandshakeMessageDoc, KeyUpdateRequestDoc, MisbehaviourDoc, PeerDoc, RecordAtDoc,
    VersionDoc,
};
use crate::located::{Located, Position};

use super::values::{CIPHER_SUITES, GROUPS, alert_description, message_info};
use std::borrow::Cow;

use super::{
    KeyUpdateRequest, Messages, Misbehaviour, Peer, RecordAt, Role, Version, owned_strings,
};
use crate::diagnostic::FileChecks;

/// Content types TLS defines (ChangeCipherSpec, alert, handshake,
/// application data, heartbeat).
const CONTENT_TYPES: &[(u8, &str)] = &[
    (20, "change_cipher_spec"),
    (21, "alert"),
    (22, "handshake"),
    (23, "application_data"),
    (24, "heartbeat"),
];

/// The versions the peer may use: (lowest, highest).
#[derive(Clone, Copy)]
struct Versions {
    min: VersionDoc,
    max: VersionDoc,
}

pub fn plan_peer(
    peer: &PeerDoc,
    shim_role: Role,
    messages: Messages,
    checks: &mut FileChecks<'_>,
) -> Peer {
    let versions = versions(peer, checks);
    let cipher_suites = plan_suites(peer.cipher_suites.as_ref(), versions, checks);
    let groups = plan_names(
        peer.groups.as_ref(),
        GROUPS,
        "key exchange group",
        "groups",
        checks,
        |_, _| {},
    );
    let alpn = plan_alpn(&peer.alpn, checks);
    let client_certificate = flag_for_role(
        peer.client_certificate.as_ref(),
        shim_role,
        Role::Server,
        "client_certificate",
        "the runner presents a client certificate only as the client",
        checks,
    );
    let request_client_certificate = flag_for_role(
        peer.request_client_certificate.as_ref(),
        shim_role,
        Role::Client,
        "request_client_certificate",
        "the runner asks for a client certificate only as the server",
        checks,
    );
    let key_updates_after_handshake = match &peer.key_updates_after_handshake {
        Some(count) if count.value > 0 => {
            if versions.max < VersionDoc::Tls13 {
                checks.error(
                    count.position,
                    "KeyUpdate exists only in TLS 1.3, but the peer's max_version is tls12",
                );
            }
            after_handshake(count.position, "KeyUpdates", messages, checks);
            count.value
        }
        _ => 0,
    };
    let key_update_request = match &peer.key_update_request {
        None => KeyUpdateRequest::NotRequested,
        Some(request) => {
            if key_updates_after_handshake == 0 {
                checks.error(
                    request.position,
                    "`key_update_request` needs `key_updates_after_handshake` of at least 1: here the runner sends no KeyUpdates",
                );
            }
            match request.value {
                KeyUpdateRequestDoc::NotRequested => KeyUpdateRequest::NotRequested,
                KeyUpdateRequestDoc::Requested => KeyUpdateRequest::Requested,
                KeyUpdateRequestDoc::Invalid(value @ (0 | 1)) => {
                    let name = if value == 0 {
                        "not_requested"
                    } else {
                        "requested"
                    };
                    checks.error(
                        request.position,
                        format!("{value} is a valid request (`{name}`); write `{name}`, or use a value other than 0 and 1"),
                    );
                    KeyUpdateRequest::Invalid(value)
                }
                KeyUpdateRequestDoc::Invalid(value) => KeyUpdateRequest::Invalid(value),
            }
        }
    };
    let context = Context {
        shim_role,
        versions,
        client_certificate,
        request_client_certificate,
        messages,
    };
    let misbehaviour = peer
        .misbehaviour
        .as_ref()
        .map(|misbehaviour| plan_misbehaviour(misbehaviour, &context, checks));
    Peer {
        min_version: peer.min_version.as_ref().map(|v| version(v.value)),
        max_version: peer.max_version.as_ref().map(|v| version(v.value)),
        cipher_suites: owned_strings(cipher_suites),
        groups: owned_strings(groups),
        alpn: owned_strings(alpn),
        client_certificate,
        request_client_certificate,
        key_updates_after_handshake,
        key_update_request,
        misbehaviour,
    }
}

fn version(version: VersionDoc) -> Version {
    match version {
        VersionDoc::Tls12 => Version::Tls12,
        VersionDoc::Tls13 => Version::Tls13,
    }
}

/// The peer's version range (rustls' TLS 1.2 to 1.3 by default); a
/// minimum above the maximum is an error.
fn versions(peer: &PeerDoc, checks: &mut FileChecks<'_>) -> Versions {
    let min = peer
        .min_version
        .as_ref()
        .map_or(VersionDoc::Tls12, |v| v.value);
    let max = peer
        .max_version
        .as_ref()
        .map_or(VersionDoc::Tls13, |v| v.value);
    if min > max {
        let position = peer
            .min_version
            .as_ref()
            .map(|v| v.position)
            .unwrap_or_default();
        checks.error(
            position,
            format!(
                "min_version {} is above max_version {}",
                min.as_str(),
                max.as_str()
            ),
        );
    }
    Versions { min, max }
}

fn plan_suites(
    suites: Option<&Located<Vec<Located<String>>>>,
    versions: Versions,
    checks: &mut FileChecks<'_>,
) -> Vec<String> {
    let known: Vec<&str> = CIPHER_SUITES.iter().map(|(name, _)| *name).collect();
    plan_names(
        suites,
        &known,
        "cipher suite",
        "cipher_suites",
        checks,
        |suite, checks| {
            let tls13 = CIPHER_SUITES
                .iter()
                .any(|(name, tls13)| *name == suite.value && *tls13);
            if tls13 && versions.max < VersionDoc::Tls13 {
                checks.error(
                    suite.position,
                    format!(
                        "`{}` is a TLS 1.3 suite, but the peer's max_version is tls12",
                        suite.value
                    ),
                );
            } else if !tls13 && versions.min > VersionDoc::Tls12 {
                checks.error(
                    suite.position,
                    format!(
                        "`{}` is a TLS 1.2 suite, but the peer's min_version is tls13",
                        suite.value
                    ),
                );
            }
        },
    )
}

/// A list of names the runner's rustls must know, each once, each then
/// checked by `check`; an empty list is an error (rustls would use its
/// defaults, not none).
fn plan_names(
    list: Option<&Located<Vec<Located<String>>>>,
    known: &[&str],
    what: &str,
    key: &str,
    checks: &mut FileChecks<'_>,
    mut check: impl FnMut(&Located<String>, &mut FileChecks<'_>),
) -> Vec<String> {
    let Some(list) = list else {
        return Vec::new();
    };
    if list.is_empty() {
        checks.error(
            list.position,
            format!("`{key}` must name at least one {what}; leave it out for rustls' defaults"),
        );
    }
    let mut seen = HashSet::new();
    for name in &list.value {
        if !known.contains(&name.as_str()) {
            checks.error(
                name.position,
                format!(
                    "the runner's rustls has no {what} `{}`; it has {}",
                    name.value,
                    known.join(", ")
                ),
            );
        } else if !seen.insert(name.as_str()) {
            checks.error(
                name.position,
                format!("{what} `{}` is listed twice", name.value),
            );
        } else {
            check(name, checks);
        }
    }
    list.iter().map(|name| name.value.clone()).collect()
}

fn plan_alpn(protocols: &[Located<String>], checks: &mut FileChecks<'_>) -> Vec<String> {
    let mut seen = HashSet::new();
    for protocol in protocols {
        if protocol.is_empty() || protocol.len() > 255 {
            checks.error(protocol.position, "an ALPN protocol has 1 to 255 bytes");
        } else if !seen.insert(protocol.as_str()) {
            checks.error(
                protocol.position,
                format!("ALPN protocol `{}` is listed twice", protocol.value),
            );
        }
    }
    protocols.iter().map(|p| p.value.clone()).collect()
}

/// A switch that means something only when the shim plays `shim_role`.
fn flag_for_role(
    value: Option<&Located<bool>>,
    shim_role: Role,
    needs: Role,
    key: &str,
    why: &str,
    checks: &mut FileChecks<'_>,
) -> bool {
    match value {
        Some(value) if value.value && shim_role != needs => {
            checks.error(
                value.position,
                format!(
                    "`{key}` needs `shim_role: {}`: {why}, and here the runner is the {}",
                    needs.as_str(),
                    shim_role.peer().as_str()
                ),
            );
            false
        }
        Some(value) => value.value,
        None => false,
    }
}

/// Something the runner does before each of its messages needs messages.
fn after_handshake(
    position: Position,
    what: &str,
    messages: Messages,
    checks: &mut FileChecks<'_>,
) {
    if messages.count == 0 {
        checks.error(
            position,
            format!(
                "the runner sends {what} before each of its messages, and here it sends none (messages.count is 0)"
            ),
        );
    }
}

/// What a misbehaviour is checked against.
struct Context {
    shim_role: Role,
    versions: Versions,
    client_certificate: bool,
    request_client_certificate: bool,
    messages: Messages,
}

fn plan_misbehaviour(
    misbehaviour: &Located<MisbehaviourDoc>,
    context: &Context,
    checks: &mut FileChecks<'_>,
) -> Misbehaviour {
    let position = misbehaviour.position;
    match &misbehaviour.value {
        MisbehaviourDoc::RawBytesInsteadOfHandshake(bytes) => {
            Misbehaviour::RawBytesInsteadOfHandshake(Cow::Owned(
                checks.bytes(bytes, "the raw bytes"),
            ))
        }
        MisbehaviourDoc::SendPrefix(bytes) => {
            Misbehaviour::SendPrefix(Cow::Owned(checks.bytes(bytes, "the prefix")))
        }
        MisbehaviourDoc::FirstRecordVersion(version) => {
            Misbehaviour::FirstRecordVersion(version.value)
        }
        MisbehaviourDoc::InvalidRecordType(invalid) => {
            let content_type = invalid.content_type.value;
            if let Some((_, name)) = CONTENT_TYPES.iter().find(|(code, _)| *code == content_type) {
                checks.error(
                    invalid.content_type.position,
                    format!(
                        "content type {content_type} is {name}, which TLS defines; pick one it does not (upstream uses 42)"
                    ),
                );
            }
            let at = match invalid.at {
                RecordAtDoc::FirstRecord => RecordAt::FirstRecord,
                RecordAtDoc::AfterHandshake => {
                    after_handshake(position, "the invalid record", context.messages, checks);
                    RecordAt::AfterHandshake
                }
            };
            Misbehaviour::InvalidRecordType { content_type, at }
        }
        MisbehaviourDoc::TrailingDataInHandshakeMessage(trailing) => {
            let message = &trailing.message;
            if check_sender(message, context, checks) {
                check_plaintext(message, context, checks);
            }
            Misbehaviour::TrailingDataInHandshakeMessage {
                message: message_info(message.value).code,
                bytes: Cow::Owned(checks.bytes(&trailing.bytes, "the trailing bytes")),
            }
        }
        MisbehaviourDoc::DuplicateExtension(duplicate) => {
            let message = &duplicate.message;
            let hello = matches!(
                message.value,
                HandshakeMessageDoc::ClientHello | HandshakeMessageDoc::ServerHello
            );
            if !hello {
                checks.error(
                    message.position,
                    format!(
                        "the runner repeats extensions only in client_hello or server_hello, not in {}",
                        message_info(message.value).name
                    ),
                );
            } else {
                check_sender(message, context, checks);
            }
            Misbehaviour::DuplicateExtension {
                message: message_info(message.value).code,
                extension: duplicate.extension.value,
            }
        }
        MisbehaviourDoc::Alert(alert) => {
            after_handshake(position, "the alert", context.messages, checks);
            Misbehaviour::Alert {
                level: match alert.level {
                    AlertLevelDoc::Warning => 1,
                    AlertLevelDoc::Fatal => 2,
                },
                description: alert_description(&alert.description, checks),
            }
        }
        MisbehaviourDoc::BogusAlert(bytes) => {
            after_handshake(position, "the bogus alert", context.messages, checks);
            Misbehaviour::BogusAlert(Cow::Owned(checks.bytes(bytes, "the alert body")))
        }
        MisbehaviourDoc::EmptyRecords(count) => {
            if count.value == 0 {
                checks.error(count.position, "empty_records must be at least 1");
            }
            after_handshake(position, "the empty records", context.messages, checks);
            Misbehaviour::EmptyRecords(count.value)
        }
    }
}

/// Whether the runner, in its role, ever sends `message`; reports when not.
fn check_sender(
    message: &Located<HandshakeMessageDoc>,
    context: &Context,
    checks: &mut FileChecks<'_>,
) -> bool {
    let info = message_info(message.value);
    let runner = context.shim_role.peer();
    let sends = match runner {
        Role::Client => info.client,
        Role::Server => info.server,
    };
    if !sends {
        checks.error(
            message.position,
            format!(
                "the runner is the {} here (`shim_role: {}`), and a {} never sends {}",
                runner.as_str(),
                context.shim_role.as_str(),
                runner.as_str(),
                info.name
            ),
        );
        return false;
    }
    let needs = match (runner, message.value) {
        (
            Role::Client,
            HandshakeMessageDoc::Certificate | HandshakeMessageDoc::CertificateVerify,
        ) if !context.client_certificate => Some("`peer.client_certificate: true`"),
        (Role::Server, HandshakeMessageDoc::CertificateRequest)
            if !context.request_client_certificate =>
        {
            Some("`peer.request_client_certificate: true`")
        }
        _ => None,
    };
    if let Some(needs) = needs {
        checks.error(
            message.position,
            format!(
                "the runner as {} sends {} only with {needs}",
                runner.as_str(),
                info.name
            ),
        );
        return false;
    }
    true
}

/// The runner edits only plaintext handshake messages.
fn check_plaintext(
    message: &Located<HandshakeMessageDoc>,
    context: &Context,
    checks: &mut FileChecks<'_>,
) {
    let info = message_info(message.value);
    let server_certificate_verify = context.shim_role.peer() == Role::Server
        && message.value == HandshakeMessageDoc::CertificateVerify;
    let problem = if !info.plaintext_in_tls12 && !info.plaintext_in_tls13 {
        Some(format!(
            "{} is always encrypted; the runner edits only plaintext handshake messages",
            info.name
        ))
    } else if server_certificate_verify {
        Some(
            "a server sends certificate_verify only in TLS 1.3, where it is encrypted; the runner edits only plaintext handshake messages"
                .to_string(),
        )
    } else if !info.plaintext_in_tls13 && context.versions.max > VersionDoc::Tls12 {
        Some(format!(
            "{} travels in plaintext only in TLS 1.2; set `peer.max_version: tls12`",
            info.name
        ))
    } else {
        None
    };
    if let Some(problem) = problem {
        checks.error(message.position, problem);
    }
}
