//! The tests of every case: every client × every server, in file order.

use crate::tls::plan::{CasePlan, ImplementationPlan, PlannedOutcome, Role, TestPlan};

/// Fills in every case's tests.
pub fn expand(cases: &mut [CasePlan], implementations: &[ImplementationPlan]) {
    for (index, case) in cases.iter_mut().enumerate() {
        case.tests = cells(implementations)
            .map(|(client, server)| {
                let (client_plan, server_plan) =
                    (&implementations[client], &implementations[server]);
                TestPlan {
                    name: format!("{}_to_{}", client_plan.ident, server_plan.ident),
                    client,
                    server,
                    outcome: match ignore_reason(index, client_plan, server_plan) {
                        Some(reason) => PlannedOutcome::Ignored { reason },
                        None => PlannedOutcome::Runs,
                    },
                }
            })
            .collect();
    }
}

/// (client, server) indices of every cell: each implementation that plays
/// client against each that plays server, clients in file order first.
pub fn cells(implementations: &[ImplementationPlan]) -> impl Iterator<Item = (usize, usize)> + '_ {
    let playing = move |role: Role| {
        implementations
            .iter()
            .enumerate()
            .filter(move |(_, implementation)| implementation.plays(role))
            .map(|(index, _)| index)
    };
    playing(Role::Client)
        .flat_map(move |client| playing(Role::Server).map(move |server| (client, server)))
}

/// Why the cell cannot run: `java as server: JSSE does not implement …`,
/// both sides' reasons when both are unsupported.
pub fn ignore_reason(
    case: usize,
    client: &ImplementationPlan,
    server: &ImplementationPlan,
) -> Option<String> {
    let reasons: Vec<String> = [(client, Role::Client), (server, Role::Server)]
        .into_iter()
        .filter_map(|(implementation, role)| {
            implementation
                .unsupported_reason(case, role)
                .map(|reason| format!("{} as {}: {reason}", implementation.name, role.as_str()))
        })
        .collect();
    (!reasons.is_empty()).then(|| reasons.join("; "))
}
