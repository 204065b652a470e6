//! Holding an observation to the case: what the wire must show, the facts
//! the shims claim, and, in negative cases, the refusal.

use crosscheck_model::tls::{EARLY_DATA_ACCEPTED, SESSION_RESUMED};

use crate::tls::matrix::{Case, ConnectionWire, Refusal, Role};
use crate::tls::observe::Observation;
use crate::tls::observe::connection::ConnectionObservation;
use crate::tls::parameters::Value;

/// What the wire says about a cell.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WireJudgement {
    /// Where the wire contradicts the case or a claim; any fails the cell.
    pub contradictions: Vec<String>,
    /// What the case asks that the harness could not see (cleartext only).
    pub unobserved: Vec<String>,
}

impl WireJudgement {
    fn contradict(&mut self, why: String) {
        self.contradictions.push(why);
    }
}

/// The version every connection of a positive case negotiates.
const VERSION: &str = "TLS 1.3";

/// A positive case: the connections, each as the case describes it, and
/// the claims both sides made.
pub fn judge_exchange(
    case: &Case,
    values: &[Value],
    observation: &Observation,
    claims: &[(Role, Vec<String>)],
) -> WireJudgement {
    let mut judgement = WireJudgement::default();
    let expected = case.wire.connections.len().max(1);
    let seen = observation.connections.len();
    if seen != expected {
        judgement.contradict(format!(
            "the case makes {expected} connection{}, the wire shows {seen}",
            plural(expected)
        ));
    }
    for (index, connection) in observation.connections.iter().enumerate() {
        let name = format!("connection {}", index + 1);
        well_formed(&name, connection, &mut judgement);
        if let Some(hello) = &connection.server_hello
            && hello.version != VERSION
        {
            judgement.contradict(format!(
                "{name} negotiated {}, not {VERSION}",
                hello.version
            ));
        }
        for alert in &connection.alerts {
            if alert.description != "close_notify" {
                judgement.contradict(format!(
                    "{name}: the {} sent a {} {} alert",
                    alert.from, alert.level, alert.description
                ));
            }
        }
        if let Some(wire) = case.wire.connections.get(index) {
            connection_as_described(&name, connection, wire, &mut judgement);
        }
    }
    if let Some(updates) = &case.wire.key_updates {
        key_updates(updates, values, observation, &mut judgement);
    }
    for (role, facts) in claims {
        for fact in facts {
            claim_against_wire(*role, fact, observation, &mut judgement);
        }
    }
    judgement
}

fn plural(count: usize) -> &'static str {
    if count == 1 { "" } else { "s" }
}

fn well_formed(name: &str, connection: &ConnectionObservation, judgement: &mut WireJudgement) {
    for problem in &connection.problems {
        judgement.contradict(format!("{name}: {problem}"));
    }
    if connection.client_hello.is_none() {
        judgement.contradict(format!("{name}: no ClientHello on the wire"));
    } else if connection.server_hello.is_none() {
        judgement.contradict(format!("{name}: no ServerHello on the wire"));
    }
}

fn connection_as_described(
    name: &str,
    connection: &ConnectionObservation,
    wire: &ConnectionWire,
    judgement: &mut WireJudgement,
) {
    if let Some(resumed) = wire.resumed
        && connection.server_hello.is_some()
        && connection.psk_selected() != resumed
    {
        judgement.contradict(if resumed {
            format!("{name} should resume, but its ServerHello selects no pre_shared_key (a full handshake)")
        } else {
            format!("{name} should be a full handshake, but its ServerHello selects a pre_shared_key")
        });
    }
    if let Some(identity) = wire.psk_identity.as_deref() {
        let offered = connection.client_hello.as_ref().is_some_and(|hello| {
            hello
                .psk_identities
                .iter()
                .any(|offered| offered == identity)
        });
        if !offered {
            judgement.contradict(format!(
                "{name}: the ClientHello does not offer PSK identity `{identity}`"
            ));
        } else if connection.selected_identity() != Some(identity) {
            judgement.contradict(format!(
                "{name}: the ServerHello does not select PSK identity `{identity}`"
            ));
        }
    }
    if let Some(group) = wire.hello_retry_request.as_deref() {
        hello_retry(name, connection, group, judgement);
    }
    if let Some(accepted) = wire.early_data_accepted {
        let offered = connection
            .client_hello
            .as_ref()
            .is_some_and(|hello| hello.early_data);
        match &connection.decrypted {
            _ if accepted && !offered => {
                judgement.contradict(format!("{name}: the ClientHello offers no early_data"))
            }
            Some(decrypted) if decrypted.early_data_accepted != accepted => {
                judgement.contradict(format!(
                    "{name}: the EncryptedExtensions {} early_data",
                    if accepted { "do not accept" } else { "accept" }
                ));
            }
            Some(_) => {}
            None => judgement
                .unobserved
                .push(format!("{name}: early data acceptance (encrypted)")),
        }
    }
    if let Some(expected) = wire.client_certificate {
        match &connection.decrypted {
            Some(decrypted) => {
                let sent = decrypted.certificate_requested
                    && decrypted.client_certificates.is_some_and(|count| count > 0);
                if sent != expected {
                    judgement.contradict(format!(
                        "{name}: the server {} and the client sent {} certificate(s)",
                        if decrypted.certificate_requested {
                            "requested a certificate"
                        } else {
                            "requested no certificate"
                        },
                        decrypted.client_certificates.unwrap_or(0)
                    ));
                }
            }
            None => judgement
                .unobserved
                .push(format!("{name}: the client certificate (encrypted)")),
        }
    }
}

fn hello_retry(
    name: &str,
    connection: &ConnectionObservation,
    group: &str,
    judgement: &mut WireJudgement,
) {
    let Some(retry) = &connection.hello_retry else {
        judgement.contradict(format!("{name}: no HelloRetryRequest on the wire"));
        return;
    };
    if retry.group.as_deref() != Some(group) {
        judgement.contradict(format!(
            "{name}: the HelloRetryRequest selects {}, not {group}",
            retry.group.as_deref().unwrap_or("no group")
        ));
    }
    let shares = connection
        .retried_client_hello
        .as_ref()
        .map(|hello| hello.key_shares.clone());
    if !shares
        .as_ref()
        .is_some_and(|shares| shares.iter().any(|share| share == group))
    {
        judgement.contradict(format!(
            "{name}: the second ClientHello has no key share for {group} ({})",
            shares.map_or("no second ClientHello".to_string(), |shares| format!(
                "shares: {shares:?}"
            ))
        ));
    }
    if let Some(hello) = &connection.server_hello
        && hello.group.as_deref() != Some(group)
    {
        judgement.contradict(format!(
            "{name}: the ServerHello's key share is for {}, not {group}",
            hello.group.as_deref().unwrap_or("no group")
        ));
    }
}

fn key_updates(
    updates: &crate::tls::matrix::KeyUpdates,
    values: &[Value],
    observation: &Observation,
    judgement: &mut WireJudgement,
) {
    let value = |index: usize| values.get(index).map(|value| value.value);
    let (Some(every), Some(of)) = (value(updates.every), value(updates.of)) else {
        return;
    };
    let wanted = of.div_ceil(every.max(1));
    let mut decrypted_any = false;
    let seen: u64 = observation
        .connections
        .iter()
        .filter_map(|connection| connection.decrypted.as_ref())
        .map(|decrypted| {
            decrypted_any = true;
            match updates.sender {
                Role::Client => decrypted.client_key_updates,
                Role::Server => decrypted.server_key_updates,
            }
        })
        .sum();
    if !decrypted_any {
        judgement
            .unobserved
            .push(format!("KeyUpdates (encrypted; {wanted} expected)"));
    } else if seen < wanted {
        judgement.contradict(format!(
            "the {} sent {seen} KeyUpdates; one per {every} bytes of {of} makes {wanted}",
            updates.sender.as_str()
        ));
    }
}

/// A fact a shim printed, against what the wire shows of it.
fn claim_against_wire(
    role: Role,
    fact: &str,
    observation: &Observation,
    judgement: &mut WireJudgement,
) {
    let Some(last) = observation.connections.last() else {
        return;
    };
    let side = role.as_str();
    let index = observation.connections.len();
    match fact {
        SESSION_RESUMED if last.server_hello.is_some() && !last.psk_selected() => {
            judgement.contradict(format!(
                "the {side} claims session_resumed, but the wire shows connection {index} as a full handshake (its ServerHello selects no pre_shared_key): {}",
                last.summary()
            ));
        }
        EARLY_DATA_ACCEPTED => match &last.decrypted {
            Some(decrypted) if !decrypted.early_data_accepted => judgement.contradict(format!(
                "the {side} claims early_data_accepted, but connection {index}'s EncryptedExtensions do not accept early data"
            )),
            Some(_) => {}
            None => judgement
                .unobserved
                .push(format!("the {side}'s claim early_data_accepted (encrypted)")),
        },
        _ => {}
    }
}

/// A negative case: the refusing side's alert on the wire.
pub fn judge_refusal(refusal: &Refusal, observation: &Observation) -> WireJudgement {
    let mut judgement = WireJudgement::default();
    let Some(connection) = observation.connections.first() else {
        judgement.contradict("no connection on the wire".to_string());
        return judgement;
    };
    for problem in &connection.problems {
        judgement.contradict(format!("connection 1: {problem}"));
    }
    if connection.client_hello.is_none() {
        judgement.contradict("no ClientHello on the wire".to_string());
        return judgement;
    }
    let side = refusal.by.as_str();
    let sent: Vec<&str> = connection
        .alerts_from(refusal.by)
        .map(|alert| alert.description.as_str())
        .filter(|description| *description != "close_notify")
        .collect();
    match sent.first() {
        Some(alert) if refusal.alerts.iter().any(|allowed| allowed == alert) => {}
        Some(alert) => judgement.contradict(format!(
            "the {side} refused with {alert}, not one of {}",
            refusal.alerts.join(", ")
        )),
        None if connection.decrypted.is_none() && connection.server_hello.is_some() => {
            judgement.unobserved.push(format!(
                "the {side}'s alert (encrypted after the ServerHello; {})",
                connection
                    .cleartext_only
                    .as_deref()
                    .unwrap_or("cleartext only")
            ));
        }
        None => judgement.contradict(format!(
            "the wire shows no alert from the {side} (expected one of {}): {}",
            refusal.alerts.join(", "),
            connection.summary()
        )),
    }
    // A client's Finished says it accepted the server; a server refuses
    // only after the client's Finished in TLS 1.3, so it proves nothing.
    if refusal.by == Role::Client
        && sent.is_empty()
        && connection
            .decrypted
            .as_ref()
            .is_some_and(|decrypted| decrypted.client_finished)
    {
        judgement.contradict("the client sent its Finished: it accepted the server".to_string());
    }
    judgement
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;
    use crate::tls::matrix::{KeyUpdates, Wire};
    use crate::tls::observe::connection::{Decrypted, SeenAlert};
    use crate::tls::observe::hello::{ClientHello, HelloRetry, ServerHello};

    const fn case(wire: Wire, refusal: Option<Refusal>) -> Case {
        Case {
            name: Cow::Borrowed("case"),
            description: Cow::Borrowed(""),
            upstream: false,
            client_duty: Cow::Borrowed(""),
            server_duty: Cow::Borrowed(""),
            deadline_ms: 1_000,
            parameters: Cow::Borrowed(&[]),
            relay: None,
            client_facts: Cow::Borrowed(&[]),
            server_facts: Cow::Borrowed(&[]),
            wire,
            refusal,
            client_starts_at_second: false,
        }
    }

    fn connection(psk: Option<u16>, group: &str) -> ConnectionObservation {
        ConnectionObservation {
            client_hello: Some(ClientHello {
                key_shares: vec!["x25519".into()],
                psk_identities: vec!["crosscheck-external-psk".into()],
                ..Default::default()
            }),
            server_hello: Some(ServerHello {
                version: "TLS 1.3".into(),
                cipher_suite_code: 0x1301,
                cipher_suite: "TLS_AES_128_GCM_SHA256".into(),
                group: Some(group.into()),
                selected_psk: psk,
            }),
            ..Default::default()
        }
    }

    fn observed(connections: Vec<ConnectionObservation>) -> Observation {
        Observation {
            connections,
            ..Default::default()
        }
    }

    static RESUMPTION: Case = case(
        Wire {
            connections: Cow::Borrowed(&[
                ConnectionWire {
                    resumed: Some(false),
                    psk_identity: None,
                    hello_retry_request: None,
                    early_data_accepted: None,
                    client_certificate: None,
                },
                ConnectionWire {
                    resumed: Some(true),
                    psk_identity: None,
                    hello_retry_request: None,
                    early_data_accepted: None,
                    client_certificate: None,
                },
            ]),
            key_updates: None,
        },
        None,
    );

    #[test]
    fn a_resumption_the_wire_does_not_show_is_contradicted_twice() {
        let wire = observed(vec![connection(None, "x25519"), connection(None, "x25519")]);
        let claims = [(Role::Client, vec!["session_resumed".to_string()])];
        let judgement = judge_exchange(&RESUMPTION, &[], &wire, &claims);
        assert_eq!(judgement.contradictions.len(), 2, "{judgement:?}");
        assert!(judgement.contradictions[0].starts_with("connection 2 should resume"));
        assert!(judgement.contradictions[1].starts_with("the client claims session_resumed"));

        let resumed = observed(vec![
            connection(None, "x25519"),
            connection(Some(0), "x25519"),
        ]);
        assert_eq!(
            judge_exchange(&RESUMPTION, &[], &resumed, &claims),
            WireJudgement::default()
        );
    }

    #[test]
    fn a_missing_connection_an_old_version_and_an_alert_are_contradictions() {
        let mut old = connection(None, "x25519");
        if let Some(hello) = &mut old.server_hello {
            hello.version = "TLS 1.2".into();
        }
        old.alerts.push(SeenAlert {
            from: "server",
            level: "fatal",
            description: Cow::Borrowed("decode_error").into(),
            encrypted: false,
        });
        let judgement = judge_exchange(&RESUMPTION, &[], &observed(vec![old]), &[]);
        let text = judgement.contradictions.join("\n");
        assert!(
            text.contains("the case makes 2 connections, the wire shows 1"),
            "{text}"
        );
        assert!(
            text.contains("connection 1 negotiated TLS 1.2, not TLS 1.3"),
            "{text}"
        );
        assert!(
            text.contains("the server sent a fatal decode_error alert"),
            "{text}"
        );
    }

    #[test]
    fn a_retry_must_select_the_group_and_the_second_hello_must_share_it() {
        static RETRY: Case = case(
            Wire {
                connections: Cow::Borrowed(&[ConnectionWire {
                    resumed: None,
                    psk_identity: None,
                    hello_retry_request: Some(Cow::Borrowed("secp256r1")),
                    early_data_accepted: None,
                    client_certificate: None,
                }]),
                key_updates: None,
            },
            None,
        );
        let mut wire = connection(None, "secp256r1");
        let judgement = judge_exchange(&RETRY, &[], &observed(vec![wire.clone()]), &[]);
        assert_eq!(
            judgement.contradictions,
            ["connection 1: no HelloRetryRequest on the wire"]
        );
        wire.hello_retry = Some(HelloRetry {
            cipher_suite: "TLS_AES_128_GCM_SHA256".into(),
            group: Some("secp256r1".into()),
        });
        wire.retried_client_hello = wire.client_hello.clone();
        let judgement = judge_exchange(&RETRY, &[], &observed(vec![wire.clone()]), &[]);
        assert!(
            judgement.contradictions[0].contains("no key share for secp256r1"),
            "{judgement:?}"
        );
        if let Some(hello) = &mut wire.retried_client_hello {
            hello.key_shares = vec!["secp256r1".into()];
        }
        assert_eq!(
            judge_exchange(&RETRY, &[], &observed(vec![wire]), &[]),
            WireJudgement::default()
        );
    }

    #[test]
    fn what_is_encrypted_without_a_key_log_is_unobserved_not_passed() {
        static UPDATES: Case = case(
            Wire {
                connections: Cow::Borrowed(&[]),
                key_updates: Some(KeyUpdates {
                    sender: Role::Server,
                    every: 0,
                    of: 1,
                }),
            },
            None,
        );
        static EVERY: crate::tls::Parameter = crate::tls::Parameter {
            name: Cow::Borrowed("every"),
            env: Cow::Borrowed("E"),
            description: Cow::Borrowed(""),
            kind: crate::tls::ParameterKind::Bytes,
            default: 10,
            deadline_per_billion_ms: None,
        };
        let values = [
            Value {
                parameter: &EVERY,
                value: 10,
                overridden: false,
            },
            Value {
                parameter: &EVERY,
                value: 95,
                overridden: false,
            },
        ];
        let cleartext = observed(vec![connection(None, "x25519")]);
        let judgement = judge_exchange(&UPDATES, &values, &cleartext, &[]);
        assert!(judgement.contradictions.is_empty());
        assert_eq!(
            judgement.unobserved,
            ["KeyUpdates (encrypted; 10 expected)"]
        );

        let mut decrypted = connection(None, "x25519");
        decrypted.decrypted = Some(Decrypted {
            server_key_updates: 9,
            ..Default::default()
        });
        let judgement = judge_exchange(&UPDATES, &values, &observed(vec![decrypted]), &[]);
        assert_eq!(
            judgement.contradictions,
            ["the server sent 9 KeyUpdates; one per 10 bytes of 95 makes 10"]
        );
    }

    #[test]
    fn a_refusal_needs_the_right_alert_from_the_right_side() {
        let refusal = Refusal {
            by: Role::Client,
            alerts: Cow::Borrowed(&[
                Cow::Borrowed("unknown_ca"),
                Cow::Borrowed("bad_certificate"),
            ]),
        };
        let mut wire = connection(None, "x25519");
        wire.decrypted = Some(Decrypted {
            client_finished: true,
            ..Default::default()
        });
        let judgement = judge_refusal(&refusal, &observed(vec![wire.clone()]));
        let text = judgement.contradictions.join("\n");
        assert!(
            text.contains("the wire shows no alert from the client"),
            "{text}"
        );
        assert!(
            text.contains("the client sent its Finished: it accepted the server"),
            "{text}"
        );

        wire.decrypted = Some(Decrypted::default());
        wire.alerts.push(SeenAlert {
            from: "client",
            level: "fatal",
            description: Cow::Borrowed("decode_error").into(),
            encrypted: true,
        });
        let judgement = judge_refusal(&refusal, &observed(vec![wire.clone()]));
        assert_eq!(
            judgement.contradictions,
            ["the client refused with decode_error, not one of unknown_ca, bad_certificate"]
        );

        wire.alerts[0].description = "unknown_ca".into();
        assert_eq!(
            judge_refusal(&refusal, &observed(vec![wire])),
            WireJudgement::default()
        );
    }
}
