//! Hands each request a user in the state its case needs. Single-use users are never handed
//! out twice; reusable users at most `reuse_limit` times; running out is an error, never a
//! silent fallback to a user in the wrong state.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::cases::{Slot, UserKind, UserView};

#[derive(Debug, Clone)]
pub struct UserRecord {
    /// The string sent as `Username`.
    pub username: String,
    pub sub: String,
    pub email: String,
    /// The current code (for a CONFIRMED user, the one that confirmed it).
    pub code: String,
    /// The code before ResendConfirmationCode, for a resent user; empty otherwise.
    pub old_code: String,
    /// The name AdminGetUser is asked about.
    pub internal: String,
}

impl UserRecord {
    pub fn view(&self) -> UserView<'_> {
        UserView {
            username: &self.username,
            sub: &self.sub,
            email: &self.email,
            code: &self.code,
            old_code: &self.old_code,
        }
    }
}

/// The user a request is about, and for alias-contested users the CONFIRMED user who holds
/// the same email (for `alias-contested-other-case`, in other letter case) as a verified alias.
#[derive(Debug, Clone)]
pub struct Tenant {
    pub user: UserRecord,
    pub holder: Option<UserRecord>,
    /// An alias crowd's other members (they share `user`'s email).
    pub crowd: Vec<UserRecord>,
}

impl Tenant {
    pub fn single(user: UserRecord, holder: Option<UserRecord>) -> Tenant {
        Tenant {
            user,
            holder,
            crowd: Vec::new(),
        }
    }

    /// The `i`-th member of a crowd (0 is `user`).
    pub fn member(&self, i: usize) -> &UserRecord {
        if i == 0 {
            &self.user
        } else {
            self.crowd.get(i - 1).unwrap_or(&self.user)
        }
    }

    /// The holder, then every member.
    pub fn everyone(&self) -> impl Iterator<Item = &UserRecord> {
        self.holder
            .iter()
            .chain(std::iter::once(&self.user))
            .chain(self.crowd.iter())
    }
}

#[derive(Debug, Default)]
struct Shelf {
    tenants: Vec<Tenant>,
    next: AtomicU64,
}

impl Shelf {
    /// Round-robin, so concurrent requests spread over the users.
    fn take(&self, limit: u64) -> Option<&Tenant> {
        let n = self.tenants.len() as u64;
        if n == 0 {
            return None;
        }
        let i = self.next.fetch_add(1, Ordering::Relaxed);
        (i < n.saturating_mul(limit)).then(|| &self.tenants[(i % n) as usize])
    }

    fn used(&self, limit: u64) -> u64 {
        self.next
            .load(Ordering::Relaxed)
            .min(self.tenants.len() as u64 * limit)
    }
}

/// The user handed to one request.
#[derive(Debug)]
pub enum Lease<'a> {
    Tenant(&'a Tenant),
    /// A name no user has.
    Unknown(String),
    None,
}

impl Lease<'_> {
    pub fn view(&self) -> UserView<'_> {
        match self {
            Lease::Tenant(t) => t.user.view(),
            Lease::Unknown(name) => UserView {
                username: name,
                sub: "",
                email: "",
                code: "",
                old_code: "",
            },
            Lease::None => UserView {
                username: "",
                sub: "",
                email: "",
                code: "",
                old_code: "",
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("ran out of {what} users after {provisioned} were provisioned{}", if *reuse_limit > 1 { format!(" (each used up to {reuse_limit} times)") } else { String::new() })]
pub struct Exhausted {
    pub what: &'static str,
    pub provisioned: usize,
    pub reuse_limit: u64,
}

/// Provisioned users, by slot.
#[derive(Debug, Default)]
pub struct PoolsBuilder {
    shelves: std::collections::BTreeMap<Slot, Vec<Tenant>>,
}

impl PoolsBuilder {
    pub fn push(&mut self, slot: Slot, tenant: Tenant) {
        self.shelves.entry(slot).or_default().push(tenant);
    }

    pub fn len(&self, slot: Slot) -> usize {
        self.shelves.get(&slot).map_or(0, Vec::len)
    }
}

/// How many users of a slot were provisioned and handed out.
#[derive(Debug, Clone, Copy, Default, serde::Serialize, serde::Deserialize)]
pub struct Usage {
    pub provisioned: u64,
    pub used: u64,
}

pub struct UserPools {
    shelves: Vec<Shelf>,
    unknown_next: AtomicU64,
    run_id: String,
    reuse_limit: u64,
}

impl UserPools {
    pub fn new(mut b: PoolsBuilder, run_id: &str, reuse_limit: u64) -> UserPools {
        UserPools {
            shelves: Slot::ALL
                .iter()
                .map(|s| Shelf {
                    tenants: b.shelves.remove(s).unwrap_or_default(),
                    next: AtomicU64::new(0),
                })
                .collect(),
            unknown_next: AtomicU64::new(0),
            run_id: run_id.to_owned(),
            reuse_limit,
        }
    }

    fn shelf(&self, slot: Slot) -> &Shelf {
        &self.shelves[Slot::ALL
            .iter()
            .position(|s| *s == slot)
            .expect("every slot has a shelf")]
    }

    fn limit(&self, slot: Slot) -> u64 {
        if slot.single_use() {
            1
        } else {
            self.reuse_limit
        }
    }

    pub fn take(&self, kind: UserKind, consumes: bool) -> Result<Lease<'_>, Exhausted> {
        match Slot::of(kind, consumes) {
            Some(slot) => {
                let shelf = self.shelf(slot);
                let limit = self.limit(slot);
                shelf.take(limit).map(Lease::Tenant).ok_or(Exhausted {
                    what: slot.describe(),
                    provisioned: shelf.tenants.len(),
                    reuse_limit: limit,
                })
            }
            None if kind == UserKind::Unknown => {
                let n = self.unknown_next.fetch_add(1, Ordering::Relaxed);
                Ok(Lease::Unknown(format!("cb-{}-nobody-{n}", self.run_id)))
            }
            None => Ok(Lease::None),
        }
    }

    /// Takes `n` distinct users of a slot for one group of requests.
    pub fn take_many(
        &self,
        kind: UserKind,
        consumes: bool,
        n: usize,
    ) -> Result<Vec<Lease<'_>>, Exhausted> {
        (0..n).map(|_| self.take(kind, consumes)).collect()
    }

    pub fn usage(&self) -> Vec<(&'static str, Usage)> {
        Slot::ALL
            .iter()
            .map(|&slot| {
                let shelf = self.shelf(slot);
                (
                    slot.name(),
                    Usage {
                        provisioned: shelf.tenants.len() as u64,
                        used: shelf.used(self.limit(slot)),
                    },
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tenant(n: usize) -> Tenant {
        Tenant {
            user: UserRecord {
                username: format!("u{n}"),
                sub: format!("s{n}"),
                email: format!("u{n}@example.com"),
                code: "123456".into(),
                old_code: String::new(),
                internal: format!("u{n}"),
            },
            holder: None,
            crowd: Vec::new(),
        }
    }

    fn pools(slot: Slot, n: usize, limit: u64) -> UserPools {
        let mut b = PoolsBuilder::default();
        for i in 0..n {
            b.push(slot, tenant(i));
        }
        UserPools::new(b, "r", limit)
    }

    fn name(l: Lease<'_>) -> String {
        l.view().username.to_owned()
    }

    /// The names of `n` users taken one after the other.
    fn take_names(pools: &UserPools, kind: UserKind, fresh: bool, n: usize) -> Vec<String> {
        (0..n)
            .map(|_| name(pools.take(kind, fresh).unwrap()))
            .collect()
    }

    #[test]
    fn fresh_users_are_never_handed_out_twice() {
        let pools = pools(Slot::Fresh, 3, 10);
        assert_eq!(
            take_names(&pools, UserKind::Unconfirmed, true, 3),
            ["u0", "u1", "u2"]
        );
        let e = pools.take(UserKind::Unconfirmed, true).unwrap_err();
        assert_eq!(e.what, "fresh UNCONFIRMED");
        assert!(e.to_string().contains("after 3 were provisioned"));
    }

    #[test]
    fn reusable_users_respect_the_limit_round_robin() {
        let pools = pools(Slot::Confirmed, 2, 3);
        assert_eq!(
            take_names(&pools, UserKind::Confirmed, false, 6),
            ["u0", "u1", "u0", "u1", "u0", "u1"]
        );
        assert!(pools.take(UserKind::Confirmed, false).is_err());
        let usage = pools.usage();
        assert_eq!(
            usage
                .iter()
                .find(|(k, _)| *k == "confirmed")
                .unwrap()
                .1
                .used,
            6
        );
    }

    #[test]
    fn unknown_users_get_distinct_names() {
        let pools = UserPools::new(PoolsBuilder::default(), "abc", 1);
        let a = name(pools.take(UserKind::Unknown, false).unwrap());
        let b = name(pools.take(UserKind::Unknown, false).unwrap());
        assert_ne!(a, b);
        assert!(a.starts_with("cb-abc-nobody-"));
    }

    #[test]
    fn a_group_takes_distinct_users() {
        let pools = pools(Slot::Fresh, 4, 1);
        let group = pools.take_many(UserKind::Unconfirmed, true, 3).unwrap();
        let names: Vec<String> = group.into_iter().map(name).collect();
        assert_eq!(names, ["u0", "u1", "u2"]);
        assert!(pools.take_many(UserKind::Unconfirmed, true, 2).is_err());
    }
}
