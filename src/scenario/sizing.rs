//! How many users each slot needs: from the phases' bounds and the mix, or from the users a
//! scenario lists.

use super::existing::ListedUsers;
use super::phase::Phase;
use super::shard::Shard;
use super::values::Count;
use std::collections::BTreeMap;

use super::plan::{MixEntry, UsersPlan};
use crate::cases::{Catalog, Slot};

/// Users provisioned per kind when a phase has no bound on its requests.
const UNBOUNDED_FRESH: u64 = 10_000;
const UNBOUNDED_REUSABLE: u64 = 100;

/// Existing-pool mode: the slots are served from the listed users, those with an expired code
/// for `expired`, the others for the rest. A bounded plan must fit; an unbounded one takes
/// what there is.
pub(super) fn fit_to_listed(
    users: &mut UsersPlan,
    listed: &ListedUsers,
    file: &str,
) -> Result<(), String> {
    let (expired, live) = (listed.expired, listed.live());
    let need_expired = users.count(Slot::Expired);
    let live_slots = [Slot::Confirmed, Slot::Unconfirmed, Slot::Fresh];
    let need_live: u64 = live_slots.iter().map(|s| users.count(*s)).sum();
    if users.bounded {
        if need_live > live || need_expired > expired {
            return Err(format!(
                "users.from_csv: the phases need {need_live} users whose code lasts the load and {need_expired} with an expired one; {file} has {live} and {expired}{}. List more users or shorten the phases",
                if listed.expiring > 0 {
                    format!(
                        " ({} more whose code expires before the load ends, used for neither)",
                        listed.expiring
                    )
                } else {
                    String::new()
                }
            ));
        }
        return Ok(());
    }
    // Without a bound, each reusable slot gets a tenth of the live users, the fresh slot the rest.
    let mut left = live;
    for slot in live_slots {
        let Some(n) = users.counts.get_mut(&slot) else {
            continue;
        };
        *n = if slot == Slot::Fresh {
            left
        } else {
            (*n).min((live / 10).max(1)).min(left)
        };
        left -= *n;
        if *n == 0 {
            return Err(format!(
                "users.from_csv: {file} has too few users with a live code ({live}) for the mix"
            ));
        }
    }
    if let Some(n) = users.counts.get_mut(&Slot::Expired) {
        *n = (*n).min(expired);
    }
    Ok(())
}

/// Upper bound on the requests a phase sends, or `None` when it runs for a duration with a
/// closed model (its count depends on the target's speed).
pub fn phase_bound(phase: &Phase, cycle: u64) -> Option<u64> {
    Some(phase.starts(cycle)? + phase.load.starts_to_spare())
}

/// Users for the pool `pool` (an index into the plan's pools): the cycle counts every runnable
/// case, the uses only the cases that run in this pool.
pub(super) fn size_users(
    def: &super::model::UsersDef,
    phases: &[Phase],
    mix: &[MixEntry],
    pool: usize,
    catalog: &Catalog,
    shard: Option<Shard>,
) -> Result<UsersPlan, String> {
    let runnable: Vec<&MixEntry> = mix.iter().filter(|m| m.skip.is_none()).collect();
    let cycle: u64 = runnable.iter().map(|m| u64::from(m.weight)).sum();
    let mut bounded = true;
    let mut total: u64 = 0;
    for p in phases {
        match phase_bound(p, cycle) {
            // Round up per phase: each phase restarts the weighted sequence.
            Some(n) => total += n.div_ceil(cycle) * cycle,
            None => bounded = false,
        }
    }
    let rounds = total / cycle.max(1);
    let mut uses: BTreeMap<Slot, u64> = BTreeMap::new();
    for m in runnable.iter().filter(|m| m.pool == pool) {
        let case = &catalog.cases[m.case];
        if let Some(slot) = case.slot() {
            *uses.entry(slot).or_default() +=
                rounds * u64::from(m.weight) * case.users_per_request();
        }
    }
    let limit = def.reuse_limit.0;
    let mut counts = BTreeMap::new();
    for (&slot, &n) in &uses {
        let (what, count, needed, unbounded_default) = if slot.single_use() {
            ("fresh", def.fresh, n, UNBOUNDED_FRESH)
        } else {
            (
                "reusable",
                def.reusable,
                n.div_ceil(limit),
                UNBOUNDED_REUSABLE,
            )
        };
        // A shard provisions its part of a number given, and needs only its part.
        let count = match (count, shard) {
            (Count::Exactly(k), Some(s)) => Count::Exactly(s.share(k)),
            (c, _) => c,
        };
        let resolved = match count {
            Count::Auto if bounded => needed,
            Count::Auto => needed.max(unbounded_default),
            Count::Exactly(k) if bounded && k < needed => {
                let part = shard.map_or(String::new(), |s| {
                    format!(" (shard {s}'s part of the number given)")
                });
                return Err(format!(
                    "users.{what} is {k}{part}, but the phases can send requests needing {needed} {} users; raise it or write `auto`",
                    slot.describe()
                ));
            }
            Count::Exactly(k) => k,
        };
        counts.insert(slot, resolved);
    }
    let crowd_size = runnable
        .iter()
        .filter(|m| m.pool == pool)
        .map(|m| &catalog.cases[m.case])
        .filter(|c| c.slot() == Some(Slot::Crowd))
        .map(|c| c.requests_per_execution())
        .max()
        .unwrap_or(0);
    let plan = UsersPlan {
        username: def.username.clone(),
        email: def.email.clone(),
        password: def.password.clone(),
        counts,
        crowd_size,
        reuse_limit: limit,
        on_demand: def.on_demand,
        bounded,
        listed: None,
    };
    Ok(plan)
}
