//! Checks the `known_failures` of `implementations.yaml`.

use crate::names::position_among;
use std::borrow::Cow;

use crate::diagnostic::Diagnostics;
use crate::diagnostic::FileChecks;
use crate::located::Located;
use crate::tls::load::Parsed;
use crate::tls::model::ImplementationsDoc;
use crate::tls::plan::expand::{cells, unsupported};
use crate::tls::plan::implementations::case_index;
use crate::tls::plan::{CasePlan, Expectation, ImplementationPlan, KnownFailurePlan, Role};

/// Every known failure, resolved to indices.
pub fn plan_known_failures(
    parsed: &Parsed<ImplementationsDoc>,
    cases: &[CasePlan],
    implementations: &[ImplementationPlan],
    diagnostics: &mut Diagnostics,
) -> Vec<KnownFailurePlan> {
    let mut checks = FileChecks {
        source: &parsed.source,
        diagnostics,
    };
    let mut plans: Vec<KnownFailurePlan> = Vec::new();
    for entry in &parsed.doc.known_failures {
        let doc = &entry.value;
        let reason = checks.text(&doc.reason, "a known failure's reason");
        let case = case_index(&doc.case, cases, &mut checks);
        let client = implementation(&doc.client, implementations, &mut checks);
        let server = implementation(&doc.server, implementations, &mut checks);
        let (Some(case), Ok(client), Ok(server)) = (case, client, server) else {
            continue;
        };
        let plan = KnownFailurePlan {
            case,
            client,
            server,
            reason,
            declared_at: checks.locate(entry.position),
        };
        if let Some(first) = plans
            .iter()
            .find(|k| (k.case, k.client, k.server) == (case, client, server))
        {
            checks.error(
                entry.position,
                format!(
                    "this known failure is declared twice (first at {})",
                    first.declared_at
                ),
            );
        } else if let Some(problem) = runs_nothing(&plan, implementations) {
            checks.error(entry.position, problem);
        }
        plans.push(plan);
    }
    plans
}

/// `Ok(None)` for "any", `Err` when the name is unknown (reported).
fn implementation(
    name: &Option<Located<String>>,
    implementations: &[ImplementationPlan],
    checks: &mut FileChecks<'_>,
) -> Result<Option<usize>, ()> {
    let Some(name) = name else { return Ok(None) };
    let known = implementations.iter().map(|i| i.name());
    match position_among(known, &name.value, "implementation") {
        Ok(index) => Ok(Some(index)),
        Err(message) => {
            checks.error(name.position, message);
            Err(())
        }
    }
}

/// Why a known failure can never be observed: it covers no cell, or only
/// cells ignored as unsupported.
fn runs_nothing(
    known: &KnownFailurePlan,
    implementations: &[ImplementationPlan],
) -> Option<String> {
    for (index, role) in [(known.client, Role::Client), (known.server, Role::Server)] {
        if let Some(index) = index
            && !implementations[index].record.plays(role)
        {
            return Some(format!(
                "this known failure covers no test: `{}` never plays {} (see its `roles`)",
                implementations[index].name(),
                role.as_str()
            ));
        }
    }
    let mut ignored = cells(implementations)
        .filter(|&(client, server)| {
            known.client.is_none_or(|c| c == client) && known.server.is_none_or(|s| s == server)
        })
        .map(|(client, server)| {
            let sides = unsupported(known.case, client, server, implementations);
            (!sides.is_empty())
                .then(|| Expectation::Unsupported(Cow::Owned(sides)).ignore_reason())
                .flatten()
        });
    let first = ignored.next()??;
    ignored.all(|reason| reason.is_some()).then(|| {
        format!(
            "this known failure covers only tests ignored as unsupported ({first}); remove it or the unsupported entry"
        )
    })
}
