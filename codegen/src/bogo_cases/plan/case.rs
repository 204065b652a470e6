//! One case: its shim side, messages and expectations (the peer is
//! [`super::peer`]'s).

use crate::bogo_cases::model::{CaseDoc, ExpectDoc, KeyTypeDoc, MessagesDoc, RoleDoc};
use crate::located::Located;

use std::borrow::Cow;

use super::{
    Case, CasePlan, Expect, KeyType, Messages, Peer, Role, Version, flags, owned_strings, peer,
};
use crate::diagnostic::FileChecks;

/// Upstream's default message: one of 32 bytes.
const DEFAULT_MESSAGES: Messages = Messages {
    count: 1,
    length: 32,
};

pub fn plan_case(
    name: &Located<String>,
    test_name: String,
    group: &str,
    case: &CaseDoc,
    checks: &mut FileChecks<'_>,
) -> CasePlan {
    let shim_role = match case.shim_role {
        RoleDoc::Client => Role::Client,
        RoleDoc::Server => Role::Server,
    };
    let key_type = match case.key_type {
        None | Some(KeyTypeDoc::Rsa2048) => KeyType::Rsa2048,
        Some(KeyTypeDoc::EcdsaP256) => KeyType::EcdsaP256,
    };
    let description = case
        .description
        .as_ref()
        .map(|description| checks.text(description, "a case's description"));
    // In the order the keys are usually written, so problems are too.
    let flags = flags::plan_flags(&case.flags, checks);
    let messages = plan_messages(case.messages.as_ref(), case.shim_shuts_down, checks);
    let peer = peer::plan_peer(&case.peer, shim_role, messages, checks);
    let expect = plan_expect(&case.expect, checks);
    check_unsolicited_key_update(case, messages, &peer, checks);
    CasePlan {
        record: Case {
            name: Cow::Owned(name.value.clone()),
            group: Cow::Owned(group.to_string()),
            shim_role,
            key_type,
            flags: owned_strings(flags),
            resume_count: case.resume_count.as_ref().map_or(0, |count| count.value),
            shim_writes_first: case.shim_writes_first,
            shim_shuts_down: case.shim_shuts_down,
            messages,
            peer,
            expect,
        },
        test_name,
        own: case.own,
        description,
        declared_at: checks.locate(name.position),
    }
}

/// Upstream's defaults: one 32-byte message, none when the shim shuts
/// down.
fn plan_messages(
    messages: Option<&Located<MessagesDoc>>,
    shim_shuts_down: bool,
    checks: &mut FileChecks<'_>,
) -> Messages {
    let default_count = if shim_shuts_down {
        0
    } else {
        DEFAULT_MESSAGES.count
    };
    let Some(messages) = messages else {
        return Messages {
            count: default_count,
            ..DEFAULT_MESSAGES
        };
    };
    let length = match &messages.length {
        Some(length) if length.value == 0 => {
            checks.error(
                length.position,
                "messages.length must be at least 1 (upstream reads 0 as its default, 32)",
            );
            DEFAULT_MESSAGES.length
        }
        Some(length) => length.value,
        None => DEFAULT_MESSAGES.length,
    };
    Messages {
        count: messages
            .count
            .as_ref()
            .map_or(default_count, |count| count.value),
        length,
    }
}

fn plan_expect(expect: &ExpectDoc, checks: &mut FileChecks<'_>) -> Expect {
    let should_fail = expect.fail.as_ref().is_some_and(|fail| fail.value);
    let mut error_text = |value: &Option<Located<String>>, key: &str| {
        let value = value.as_ref()?;
        if !should_fail {
            checks.error(
                value.position,
                format!("`{key}` needs `fail: true`: a test that passes reports no error"),
            );
        } else if value.is_empty() {
            checks.error(
                value.position,
                format!("`{key}` must not be empty; leave it out to accept any"),
            );
        }
        Some(value.value.clone())
    };
    Expect {
        should_fail,
        error: error_text(&expect.error, "error").map(Cow::Owned),
        local_error: error_text(&expect.local_error, "local_error").map(Cow::Owned),
        unsolicited_key_update: expect
            .unsolicited_key_update
            .as_ref()
            .is_some_and(|expected| expected.value),
    }
}

/// The shim's own KeyUpdate is looked for after its replies, in TLS 1.3.
fn check_unsolicited_key_update(
    case: &CaseDoc,
    messages: Messages,
    peer: &Peer,
    checks: &mut FileChecks<'_>,
) {
    let Some(expected) = &case.expect.unsolicited_key_update else {
        return;
    };
    if !expected.value {
        return;
    }
    if peer.max_version == Some(Version::Tls12) {
        checks.error(
            expected.position,
            "KeyUpdate exists only in TLS 1.3, but the peer's max_version is tls12",
        );
    }
    if messages.count == 0 || case.shim_shuts_down {
        checks.error(
            expected.position,
            "the runner looks for the shim's KeyUpdate after each of its replies, and here the shim echoes no messages",
        );
    }
}
