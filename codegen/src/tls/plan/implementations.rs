//! Checks the `implementations` of `implementations.yaml`.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

use crate::diagnostic::Diagnostics;
use crate::diagnostic::FileChecks;
use crate::entries::Entries;
use crate::located::Located;
use crate::program;
use crate::tls::load::Parsed;
use crate::tls::model::{ImplementationDoc, ImplementationsDoc, RoleDoc, UnsupportedDoc};
use crate::tls::plan::identifiers::Identifiers;
use crate::tls::plan::{CasePlan, Implementation, ImplementationPlan, Role, UnsupportedPlan};

/// Every implementation in file order; `cases` resolves `unsupported`,
/// `root` is the project root its program's files are in.
pub fn plan_implementations(
    parsed: &Parsed<ImplementationsDoc>,
    cases: &[CasePlan],
    root: &Path,
    diagnostics: &mut Diagnostics,
) -> Vec<ImplementationPlan> {
    let mut checks = FileChecks {
        source: &parsed.source,
        diagnostics,
    };
    let doc = &parsed.doc;
    if doc.implementations.is_empty() {
        checks.file_error("`implementations` must name at least one implementation");
    }
    let mut idents = Identifiers::new("the test-name part");
    let plans: Vec<ImplementationPlan> = doc
        .implementations
        .iter()
        .map(|entry| {
            let ident = idents.claim(&entry.name, &mut checks);
            plan_implementation(&entry.name, ident, &entry.value, cases, root, &mut checks)
        })
        .collect();
    check_test_names(&doc.implementations, &plans, &mut checks);
    plans
}

fn plan_implementation(
    name: &Located<String>,
    ident: String,
    doc: &ImplementationDoc,
    cases: &[CasePlan],
    root: &Path,
    checks: &mut FileChecks<'_>,
) -> ImplementationPlan {
    let program = program::plan(&name.value, &doc.program, root, checks);
    let (client, server) = roles(doc, checks);
    let record = Implementation {
        name: Cow::Owned(name.value.clone()),
        description: Cow::Owned(checks.text(&doc.description, "an implementation's description")),
        program,
        client,
        server,
    };
    let mut plan = ImplementationPlan {
        record,
        declared_at: checks.locate(name.position),
        ident,
        unsupported: Vec::new(),
    };
    plan.unsupported = unsupported(&plan, &doc.unsupported, cases, checks);
    plan
}

/// (plays client, plays server); absent `roles` means both.
fn roles(doc: &ImplementationDoc, checks: &mut FileChecks<'_>) -> (bool, bool) {
    let Some(roles) = &doc.roles else {
        return (true, true);
    };
    if roles.is_empty() {
        checks.error(
            roles.position,
            "`roles` needs `client`, `server` or both (leave it out for both)",
        );
    }
    let mut seen = Vec::new();
    for role in roles.iter() {
        if seen.contains(&role.value) {
            checks.error(
                role.position,
                format!("role `{}` is listed twice", role_of(role.value).as_str()),
            );
        }
        seen.push(role.value);
    }
    (
        seen.contains(&RoleDoc::Client),
        seen.contains(&RoleDoc::Server),
    )
}

fn role_of(role: RoleDoc) -> Role {
    match role {
        RoleDoc::Client => Role::Client,
        RoleDoc::Server => Role::Server,
    }
}

fn unsupported(
    implementation: &ImplementationPlan,
    entries: &[Located<UnsupportedDoc>],
    cases: &[CasePlan],
    checks: &mut FileChecks<'_>,
) -> Vec<UnsupportedPlan> {
    // (case, role, `file:line:col`) of the entries so far.
    let mut declared: Vec<(usize, Option<Role>, String)> = Vec::new();
    let mut plans = Vec::new();
    for entry in entries {
        let doc = &entry.value;
        let role = doc.role.map(role_of);
        let reason = checks.text(&doc.reason, "the reason a case is unsupported");
        let Some(case) = case_index(&doc.case, cases, checks) else {
            continue;
        };
        if let Some(role) = role
            && !implementation.record.plays(role)
        {
            checks.error(
                entry.position,
                format!(
                    "`{}` never plays {} (see its `roles`), so it needs no unsupported entry as one",
                    implementation.name(),
                    role.as_str()
                ),
            );
        }
        let overlap = declared.iter().find(|(other_case, other_role, _)| {
            *other_case == case && (role.is_none() || other_role.is_none() || *other_role == role)
        });
        if let Some((_, _, at)) = overlap {
            checks.error(
                entry.position,
                format!(
                    "`{}` is already declared unsupported in `{}`{} at {at}",
                    implementation.name(),
                    doc.case.value,
                    role.map(|r| format!(" as {}", r.as_str()))
                        .unwrap_or_default()
                ),
            );
        }
        let declared_at = checks.locate(entry.position);
        declared.push((case, role, declared_at.clone()));
        plans.push(UnsupportedPlan {
            case,
            role,
            reason,
            declared_at,
        });
    }
    plans
}

/// The index of the case called `name`, or an error listing the cases.
pub fn case_index(
    name: &Located<String>,
    cases: &[CasePlan],
    checks: &mut FileChecks<'_>,
) -> Option<usize> {
    let index = cases
        .iter()
        .position(|case| *case.record.name == name.value);
    if index.is_none() {
        let known: Vec<&str> = cases.iter().map(|case| &*case.record.name).collect();
        checks.error(
            name.position,
            format!(
                "unknown case `{}`; expected one of {}",
                name.value,
                known.join(", ")
            ),
        );
    }
    index
}

/// `<client>_to_<server>` must be unique per pair (`a_to` + `b` and `a` +
/// `to_b` would both give `a_to_to_b`).
fn check_test_names(
    entries: &Entries<ImplementationDoc>,
    plans: &[ImplementationPlan],
    checks: &mut FileChecks<'_>,
) {
    let mut names: HashMap<String, (&str, &str)> = HashMap::new();
    for (server_index, server) in plans.iter().enumerate() {
        for client in plans {
            if client.ident.is_empty() || server.ident.is_empty() {
                continue;
            }
            let name = format!("{}_to_{}", client.ident, server.ident);
            match names.get(&name) {
                Some(&(first_client, first_server)) => {
                    let position = entries.0[server_index].name.position;
                    checks.error(
                        position,
                        format!(
                            "the tests of `{}` to `{}` and of `{first_client}` to `{first_server}` would both be named `{name}`; rename one implementation",
                            client.name(), server.name()
                        ),
                    );
                }
                None => {
                    names.insert(name, (client.name(), server.name()));
                }
            }
        }
    }
}
