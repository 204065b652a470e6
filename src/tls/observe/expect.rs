//! Holding an observation to the case: what the wire must show, the facts
//! the shims claim, and, in negative cases, the refusal.

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
    if let Some(identity) = wire.psk_identity {
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
    if let Some(group) = wire.hello_retry_request {
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
        "session_resumed" if last.server_hello.is_some() && !last.psk_selected() => {
            judgement.contradict(format!(
                "the {side} claims session_resumed, but the wire shows connection {index} as a full handshake (its ServerHello selects no pre_shared_key): {}",
                last.summary()
            ));
        }
        "early_data_accepted" => match &last.decrypted {
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
        Some(alert) if refusal.alerts.contains(alert) => {}
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
