//! Checks `cases.yaml` into case plans (without tests yet).

use std::collections::HashMap;

use crate::diagnostic::Diagnostics;
use crate::diagnostic::FileChecks;
use crate::entries::Entries;
use crate::tls::load::Parsed;
use crate::tls::model::{CaseDoc, CasesDoc, ParameterDoc, ParameterKindDoc, RelayDoc};
use crate::tls::plan::identifiers::Identifiers;
use crate::tls::plan::wire;
use std::borrow::Cow;

use crate::tls::plan::{Case, CasePlan, Parameter, ParameterKind, Relay};

/// Prefix of the environment variable carrying a parameter.
pub const ENV_PREFIX: &str = "CROSSCHECK_TLS_";

/// Every case in file order (so indices match the file even when some
/// have errors).
pub fn plan_cases(parsed: &Parsed<CasesDoc>, diagnostics: &mut Diagnostics) -> Vec<CasePlan> {
    let mut checks = FileChecks {
        source: &parsed.source,
        diagnostics,
    };
    if parsed.doc.cases.is_empty() {
        checks.file_error("`cases` must name at least one case");
    }
    let mut modules = Identifiers::new("the test module");
    let mut parameter_kinds = HashMap::new();
    parsed
        .doc
        .cases
        .iter()
        .map(|entry| {
            let module = modules.claim(&entry.name, &mut checks);
            plan_case(
                &entry.name,
                module,
                &entry.value,
                &mut parameter_kinds,
                &mut checks,
            )
        })
        .collect()
}

fn plan_case(
    name: &str,
    module: String,
    case: &CaseDoc,
    parameter_kinds: &mut ParameterKinds,
    checks: &mut FileChecks<'_>,
) -> CasePlan {
    let (client_facts, server_facts) = match &case.facts {
        Some(facts) => (
            checks.facts(&facts.client, "client"),
            checks.facts(&facts.server, "server"),
        ),
        None => (Vec::new(), Vec::new()),
    };
    let parameters = plan_parameters(&case.parameters, parameter_kinds, checks);
    let wire = wire::plan_wire(case.wire.as_ref(), &parameters, checks);
    let refusal = case
        .refusal
        .as_ref()
        .map(|refusal| wire::plan_refusal(refusal, checks));
    let record = Case {
        name: Cow::Owned(name.to_string()),
        description: owned(checks.text(&case.description, "a case's description")),
        upstream: case.upstream,
        client_duty: owned(checks.text(&case.client, "the client's duty")),
        server_duty: owned(checks.text(&case.server, "the server's duty")),
        deadline_ms: checks.duration_ms(&case.deadline, "deadline"),
        parameters: Cow::Owned(parameters),
        relay: case.relay.as_ref().map(|relay| Relay {
            segment_bytes: segment_bytes(relay, checks),
        }),
        client_facts: owned_list(client_facts),
        server_facts: owned_list(server_facts),
        wire,
        refusal,
        client_starts_at_second: case.client_starts_at_second,
    };
    CasePlan {
        record,
        module,
        tests: Vec::new(),
    }
}

fn owned(text: String) -> Cow<'static, str> {
    Cow::Owned(text)
}

fn owned_list(texts: Vec<String>) -> Cow<'static, [Cow<'static, str>]> {
    texts.into_iter().map(owned).collect()
}

/// A parameter name → its kind and `file:line:col`, across all cases: the
/// environment overrides a name in every case at once.
type ParameterKinds = HashMap<String, (ParameterKind, String)>;

fn plan_parameters(
    parameters: &Entries<ParameterDoc>,
    kinds: &mut ParameterKinds,
    checks: &mut FileChecks<'_>,
) -> Vec<Parameter> {
    parameters
        .iter()
        .map(|entry| {
            let name = &entry.name;
            let doc = &entry.value;
            let kind = match doc.kind {
                ParameterKindDoc::Bytes => ParameterKind::Bytes,
                ParameterKindDoc::Count => ParameterKind::Count,
            };
            let valid_name = name.starts_with(|c: char| c.is_ascii_lowercase())
                && name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !valid_name {
                checks.error(
                    name.position,
                    format!(
                        "parameter `{}` must be lower-case snake_case (like `download_bytes`): it becomes the variable {ENV_PREFIX}<NAME>",
                        name.value
                    ),
                );
            }
            match kinds.get(&name.value) {
                Some((first, at)) if *first != kind => checks.error(
                    name.position,
                    format!(
                        "parameter `{}` is a {} here but a {} at {at}; one variable overrides both, so use one kind",
                        name.value,
                        kind_name(kind),
                        kind_name(*first)
                    ),
                ),
                Some(_) => {}
                None => {
                    let at = checks.locate(name.position);
                    kinds.insert(name.value.clone(), (kind, at));
                }
            }
            Parameter {
                name: owned(name.value.clone()),
                env: owned(format!("{ENV_PREFIX}{}", name.to_ascii_uppercase())),
                description: owned(checks.text(&doc.description, "a parameter's description")),
                kind,
                default: checks.quantity(&doc.default, kind),
                deadline_per_billion_ms: doc
                    .deadline_per_billion
                    .as_ref()
                    .map(|extra| checks.duration_ms(extra, "deadline_per_billion")),
            }
        })
        .collect()
}

fn kind_name(kind: ParameterKind) -> &'static str {
    match kind {
        ParameterKind::Bytes => "`bytes`",
        ParameterKind::Count => "`count`",
    }
}

fn segment_bytes(relay: &RelayDoc, checks: &mut FileChecks<'_>) -> usize {
    let value = &relay.segment_bytes;
    match usize::try_from(value.value) {
        Ok(bytes) if bytes >= 1 => bytes,
        _ => {
            checks.error(
                value.position,
                format!(
                    "relay.segment_bytes must be at least 1 (and fit in memory), not {}",
                    value.value
                ),
            );
            1
        }
    }
}
