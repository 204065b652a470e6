//! Checks a case's `wire` and `refusal`: names of groups and alerts, and
//! parameters the KeyUpdate count refers to.

use std::borrow::Cow;

use crate::diagnostic::FileChecks;
use crate::located::Located;
use crate::tls::model::{ConnectionWireDoc, KeyUpdatesDoc, RefusalDoc, RoleDoc, WireDoc};
use crate::tls::plan::{ConnectionWire, KeyUpdates, Parameter, Refusal, Role, Wire};

/// Alert descriptions by their RFC 8446 §6 names.
const ALERTS: &[&str] = &[
    "close_notify",
    "unexpected_message",
    "bad_record_mac",
    "record_overflow",
    "handshake_failure",
    "bad_certificate",
    "unsupported_certificate",
    "certificate_revoked",
    "certificate_expired",
    "certificate_unknown",
    "illegal_parameter",
    "unknown_ca",
    "access_denied",
    "decode_error",
    "decrypt_error",
    "protocol_version",
    "insufficient_security",
    "internal_error",
    "inappropriate_fallback",
    "user_canceled",
    "missing_extension",
    "unsupported_extension",
    "unrecognized_name",
    "bad_certificate_status_response",
    "unknown_psk_identity",
    "certificate_required",
    "no_application_protocol",
];

/// Named groups a HelloRetryRequest may select.
const GROUPS: &[&str] = &[
    "secp256r1",
    "secp384r1",
    "secp521r1",
    "x25519",
    "x448",
    "ffdhe2048",
    "ffdhe3072",
    "X25519MLKEM768",
];

pub fn plan_wire(
    wire: Option<&WireDoc>,
    parameters: &[Parameter],
    checks: &mut FileChecks<'_>,
) -> Wire {
    let Some(wire) = wire else {
        return Wire::default();
    };
    Wire {
        connections: wire
            .connections
            .iter()
            .map(|connection| plan_connection(connection, checks))
            .collect(),
        key_updates: wire
            .key_updates
            .as_ref()
            .map(|updates| plan_key_updates(updates, parameters, checks)),
    }
}

fn plan_connection(
    connection: &Located<ConnectionWireDoc>,
    checks: &mut FileChecks<'_>,
) -> ConnectionWire {
    let doc = &connection.value;
    if let Some(group) = &doc.hello_retry_request {
        known(group, GROUPS, "group", checks);
    }
    ConnectionWire {
        resumed: doc.resumed,
        psk_identity: doc
            .psk_identity
            .as_ref()
            .map(|identity| Cow::Owned(identity.value.clone())),
        hello_retry_request: doc
            .hello_retry_request
            .as_ref()
            .map(|group| Cow::Owned(group.value.clone())),
        early_data_accepted: doc.early_data_accepted,
        client_certificate: doc.client_certificate,
    }
}

fn plan_key_updates(
    updates: &KeyUpdatesDoc,
    parameters: &[Parameter],
    checks: &mut FileChecks<'_>,
) -> KeyUpdates {
    let mut parameter = |name: &Located<String>| {
        parameters
            .iter()
            .position(|parameter| *parameter.name == name.value)
            .unwrap_or_else(|| {
                checks.error(
                    name.position,
                    format!("`{}` is not a parameter of this case", name.value),
                );
                0
            })
    };
    KeyUpdates {
        sender: role(updates.sender),
        every: parameter(&updates.every),
        of: parameter(&updates.of),
    }
}

pub fn plan_refusal(refusal: &RefusalDoc, checks: &mut FileChecks<'_>) -> Refusal {
    if refusal.alerts.is_empty() {
        checks.error(
            refusal.alerts.position,
            "`alerts` must name at least one alert",
        );
    }
    for alert in refusal.alerts.iter() {
        known(alert, ALERTS, "alert", checks);
    }
    Refusal {
        by: role(refusal.by),
        alerts: refusal
            .alerts
            .iter()
            .map(|alert| Cow::Owned(alert.value.clone()))
            .collect(),
    }
}

fn known(name: &Located<String>, names: &[&str], what: &str, checks: &mut FileChecks<'_>) {
    if !names.contains(&name.as_str()) {
        checks.error(
            name.position,
            format!(
                "`{}` is not a known {what}; expected one of {}",
                name.value,
                names.join(", ")
            ),
        );
    }
}

fn role(role: RoleDoc) -> Role {
    match role {
        RoleDoc::Client => Role::Client,
        RoleDoc::Server => Role::Server,
    }
}
