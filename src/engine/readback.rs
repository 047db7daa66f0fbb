//! Postconditions: the users' state read back after an execution (AdminGetUser), judged by
//! the catalog's postconditions or a snapshot's states, and how that shows in a record.

use std::collections::BTreeMap;

use serde_json::json;

use super::compiled::Compiled;
use super::runner::Engine;
use crate::cases::answer::{Names, State};
use crate::cases::judge;
use crate::cases::{Difference, Whom};
use crate::metrics::Record;
use crate::protocol::Operation;
use crate::target::Api;
use crate::users::{self, Lease};

impl Engine {
    /// Reads the state `c` is judged on (or, recording, every state its users have) and
    /// judges it: by the snapshot's states when it has some, else by the catalog's
    /// postconditions.
    pub(super) async fn read_and_judge_state(
        &self,
        c: &Compiled,
        lease: &Lease<'_>,
        out: &mut Vec<Difference>,
    ) -> Option<State> {
        let tenant = lease.tenant()?;
        let recorded = c.recorded.as_ref().filter(|r| !r.states.is_empty());
        let whos: Vec<Whom> = if self.record_state {
            if !tenant.crowd.is_empty() {
                // Which member of a crowd ends up verified is a race's outcome: only the
                // count is stable enough to record.
                vec![Whom::Group]
            } else if tenant.holder.is_some() {
                vec![Whom::User, Whom::PreviousOwner, Whom::Alias]
            } else {
                vec![Whom::User]
            }
        } else if let Some(rec) = recorded {
            rec.state_whos()
                .iter()
                .filter_map(|w| Whom::parse(w))
                .collect()
        } else {
            c.expect.post.iter().map(|p| p.of).collect()
        };
        let pool_id = &self.pools[c.pool].1;
        let state = read_state(&self.admin, pool_id, tenant, &whos).await;
        match recorded {
            Some(rec) => crate::cases::recorded::judge_state(rec, &state, out),
            None => judge::judge_state(&c.expect.post, &state, out),
        }
        Some(state)
    }
}

/// Adds state differences to a record's verdict.
pub(super) fn add_differences(record: &mut Record, differences: Vec<Difference>) {
    if differences.is_empty() {
        return;
    }
    match &mut record.verdict {
        Some(Err(d)) => d.extend(differences),
        verdict => *verdict = Some(Err(differences)),
    }
}

/// The users' state after an execution, as `State` keys: `user.UserStatus`,
/// `user.email_verified`, `previous_owner.…`, `group.verified_owners`, `alias.owner`.
async fn read_state(api: &Api, pool_id: &str, tenant: &users::Tenant, whos: &[Whom]) -> State {
    let mut state = State::new();
    let get = async |name: &str| {
        api.call(
            Operation::AdminGetUser,
            &json!({"UserPoolId": pool_id, "Username": name}),
        )
        .await
    };
    for who in whos {
        let key = |k: &str| format!("{}.{k}", who.as_str());
        match who {
            Whom::User | Whom::PreviousOwner => {
                let user = match who {
                    Whom::User => Some(&tenant.user),
                    _ => tenant.holder.as_ref(),
                };
                let Some(user) = user else { continue };
                match get(&user.internal).await {
                    Ok(answer) => {
                        let status = answer.get("UserStatus").and_then(|s| s.as_str());
                        state.insert(key("UserStatus"), status.unwrap_or("(absent)").into());
                        let verified = judge::attribute(&answer, "email_verified");
                        state.insert(key("email_verified"), verified.unwrap_or("(absent)").into());
                    }
                    Err(e) => {
                        state.insert(key("UserStatus"), unreadable(&e.to_string()));
                    }
                }
            }
            Whom::Group => {
                let mut verified = 0;
                let mut failed = None;
                for user in tenant.everyone() {
                    match get(&user.internal).await {
                        Ok(answer) => {
                            verified += u64::from(
                                judge::attribute(&answer, "email_verified") == Some("true"),
                            );
                        }
                        Err(e) => failed = Some(unreadable(&e.to_string())),
                    }
                }
                state.insert(
                    key("verified_owners"),
                    failed.unwrap_or_else(|| verified.to_string()),
                );
            }
            Whom::Alias => {
                // The alias signs in whoever AdminGetUser by the email names.
                let owner = match get(&tenant.user.email).await {
                    Ok(answer) => {
                        let name = answer.get("Username").and_then(|u| u.as_str());
                        if name == Some(tenant.user.internal.as_str()) {
                            "user".to_owned()
                        } else if name.is_some()
                            && name == tenant.holder.as_ref().map(|h| h.internal.as_str())
                        {
                            "previous_owner".to_owned()
                        } else {
                            "(another user)".to_owned()
                        }
                    }
                    Err(e) => unreadable(&e.to_string()),
                };
                state.insert(key("owner"), owner);
            }
        }
    }
    state
}

/// A read that failed, without the run's names (the error text may carry them).
fn unreadable(error: &str) -> String {
    let kind = [
        "UserNotFoundException",
        "ResourceNotFoundException",
        "NotAuthorizedException",
    ]
    .into_iter()
    .find(|k| error.contains(k));
    match kind {
        Some(k) => format!("(unreadable: {k})"),
        None => "(unreadable)".into(),
    }
}

/// An observation (`cogbench diff` compares them between targets) in the words normalised
/// answers use: the run's names as placeholders, secrets masked, unsafe characters escaped.
pub(super) fn normalise_sample(sample: &mut BTreeMap<String, String>, names: &Names<'_>) {
    for v in sample.values_mut() {
        *v = crate::cases::answer::normalise_observed(v, names);
    }
}

/// How the state read back compared with the expectation, for an observation.
pub(super) fn post_outcome(checked: bool, verdict: &Option<Result<(), Vec<Difference>>>) -> String {
    if !checked {
        return "not read".into();
    }
    let post: Vec<&str> = match verdict {
        Some(Err(d)) => d
            .iter()
            .filter(|d| d.field.contains("(AdminGetUser"))
            .map(|d| d.field.as_str())
            .collect(),
        _ => Vec::new(),
    };
    if post.is_empty() {
        "as expected".into()
    } else {
        format!("differ: {}", post.join(", "))
    }
}
