//! The tests of every case: every client × every server, in file order,
//! and what every cell must show, decided here once from the declarations
//! (unsupported entries, known failures).

use std::borrow::Cow;

use crate::tls::plan::{
    CasePlan, Declared, Expectation, ImplementationPlan, KnownFailurePlan, PlannedCell, Role,
    TestPlan,
};

/// Fills in every case's tests, and returns every cell of every case.
pub fn expand(
    cases: &mut [CasePlan],
    implementations: &[ImplementationPlan],
    known_failures: &[KnownFailurePlan],
) -> Vec<PlannedCell> {
    let mut all = Vec::new();
    for (index, case) in cases.iter_mut().enumerate() {
        let first = all.len();
        for client in 0..implementations.len() {
            for server in 0..implementations.len() {
                all.push(PlannedCell {
                    case: index,
                    client,
                    server,
                    expectation: expectation(
                        index,
                        client,
                        server,
                        implementations,
                        known_failures,
                    ),
                });
            }
        }
        case.tests = cells(implementations)
            .map(|(client, server)| {
                let cell = &all[first + client * implementations.len() + server];
                TestPlan {
                    name: format!(
                        "{}_to_{}",
                        implementations[client].ident, implementations[server].ident
                    ),
                    client,
                    server,
                    ignored: cell.expectation.ignore_reason(),
                }
            })
            .collect();
    }
    all
}

/// (client, server) indices of every cell: each implementation that plays
/// client against each that plays server, clients in file order first.
pub fn cells(implementations: &[ImplementationPlan]) -> impl Iterator<Item = (usize, usize)> + '_ {
    let playing = move |role: Role| {
        implementations
            .iter()
            .enumerate()
            .filter(move |(_, implementation)| implementation.record.plays(role))
            .map(|(index, _)| index)
    };
    playing(Role::Client)
        .flat_map(move |client| playing(Role::Server).map(move |server| (client, server)))
}

/// What the cell must show: unsupported where a side is declared so (or
/// does not play its role), else a failure where one is declared, else a
/// pass.
fn expectation(
    case: usize,
    client: usize,
    server: usize,
    implementations: &[ImplementationPlan],
    known_failures: &[KnownFailurePlan],
) -> Expectation {
    let unsupported = unsupported(case, client, server, implementations);
    if !unsupported.is_empty() {
        return Expectation::Unsupported(Cow::Owned(unsupported));
    }
    let known = known_failures.iter().find(|known| {
        known.case == case
            && known.client.is_none_or(|c| c == client)
            && known.server.is_none_or(|s| s == server)
    });
    match known {
        Some(known) => Expectation::known_failure(known.reason.clone(), known.declared_at.clone()),
        None => Expectation::Pass,
    }
}

/// The sides of a cell that cannot play it, with the declaration that
/// says so: `java as server: JSSE does not implement …`.
pub fn unsupported(
    case: usize,
    client: usize,
    server: usize,
    implementations: &[ImplementationPlan],
) -> Vec<Declared> {
    [(client, Role::Client), (server, Role::Server)]
        .into_iter()
        .filter_map(|(index, role)| {
            let implementation = &implementations[index];
            let (reason, declared_at) = if implementation.record.plays(role) {
                let entry = implementation.unsupported_entry(case, role)?;
                (entry.reason.clone(), entry.declared_at.clone())
            } else {
                (
                    format!("has no {} program", role.as_str()),
                    implementation.declared_at.clone(),
                )
            };
            Some(Declared {
                who: Cow::Borrowed(role.as_str()),
                name: Cow::Owned(format!("{} as {}", implementation.name(), role.as_str())),
                reason: Cow::Owned(reason),
                declared_at: Cow::Owned(declared_at),
            })
        })
        .collect()
}
