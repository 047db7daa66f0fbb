//! Hands each request a user in the state its case needs. Consumed users are never handed
//! out twice; reusable users at most `reuse_limit` times; running out is an error, never a
//! silent fallback to a user in the wrong state.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::cases::{UserKind, UserView};

#[derive(Debug, Clone)]
pub struct UserRecord {
    /// The string sent as `Username`.
    pub username: String,
    pub sub: String,
    pub email: String,
    /// The code issued at sign-up (for a CONFIRMED user, the one that confirmed it).
    pub code: String,
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
        }
    }
}

/// A CONFIRMED user holding an email as verified alias, and an UNCONFIRMED user who signed
/// up with the same email.
#[derive(Debug, Clone)]
pub struct ContestedPair {
    pub holder: UserRecord,
    pub claimant: UserRecord,
}

#[derive(Debug, Default)]
struct Reusable<T> {
    items: Vec<T>,
    next: AtomicU64,
}

impl<T> Reusable<T> {
    fn new(items: Vec<T>) -> Self {
        Reusable {
            items,
            next: AtomicU64::new(0),
        }
    }

    /// Round-robin, so concurrent requests spread over the users.
    fn take(&self, limit: u64) -> Option<&T> {
        let n = self.items.len() as u64;
        if n == 0 {
            return None;
        }
        let i = self.next.fetch_add(1, Ordering::Relaxed);
        (i < n.saturating_mul(limit)).then(|| &self.items[(i % n) as usize])
    }

    fn single(&self) -> Option<&T> {
        self.take(1)
    }

    fn used(&self, limit: u64) -> u64 {
        self.next
            .load(Ordering::Relaxed)
            .min(self.items.len() as u64 * limit)
    }
}

/// The user handed to one request.
#[derive(Debug)]
pub enum Lease<'a> {
    User(&'a UserRecord),
    Pair(&'a ContestedPair),
    /// A name no user has.
    Unknown(String),
    None,
}

impl Lease<'_> {
    pub fn view(&self) -> UserView<'_> {
        match self {
            Lease::User(u) => u.view(),
            Lease::Pair(p) => p.claimant.view(),
            Lease::Unknown(name) => UserView {
                username: name,
                sub: "",
                email: "",
                code: "",
            },
            Lease::None => UserView {
                username: "",
                sub: "",
                email: "",
                code: "",
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

pub struct UserPools {
    fresh: Reusable<UserRecord>,
    unconfirmed: Reusable<UserRecord>,
    confirmed: Reusable<UserRecord>,
    contested_fresh: Reusable<ContestedPair>,
    contested_reusable: Reusable<ContestedPair>,
    unknown_next: AtomicU64,
    run_id: String,
    reuse_limit: u64,
}

#[derive(Debug, Default)]
pub struct PoolsBuilder {
    pub fresh: Vec<UserRecord>,
    pub unconfirmed: Vec<UserRecord>,
    pub confirmed: Vec<UserRecord>,
    pub contested_fresh: Vec<ContestedPair>,
    pub contested_reusable: Vec<ContestedPair>,
}

/// How many users of each kind were provisioned and handed out.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Usage {
    pub provisioned: u64,
    pub used: u64,
}

impl UserPools {
    pub fn new(b: PoolsBuilder, run_id: &str, reuse_limit: u64) -> UserPools {
        UserPools {
            fresh: Reusable::new(b.fresh),
            unconfirmed: Reusable::new(b.unconfirmed),
            confirmed: Reusable::new(b.confirmed),
            contested_fresh: Reusable::new(b.contested_fresh),
            contested_reusable: Reusable::new(b.contested_reusable),
            unknown_next: AtomicU64::new(0),
            run_id: run_id.to_owned(),
            reuse_limit,
        }
    }

    pub fn take(&self, kind: UserKind, consumes: bool) -> Result<Lease<'_>, Exhausted> {
        let limit = self.reuse_limit;
        let exhausted = |what, provisioned, reuse_limit| Exhausted {
            what,
            provisioned,
            reuse_limit,
        };
        match (kind, consumes) {
            (UserKind::Unconfirmed, true) => self
                .fresh
                .single()
                .map(Lease::User)
                .ok_or_else(|| exhausted("fresh UNCONFIRMED", self.fresh.items.len(), 1)),
            (UserKind::Unconfirmed, false) => self
                .unconfirmed
                .take(limit)
                .map(Lease::User)
                .ok_or_else(|| {
                    exhausted("reusable UNCONFIRMED", self.unconfirmed.items.len(), limit)
                }),
            (UserKind::Confirmed, _) => self
                .confirmed
                .take(limit)
                .map(Lease::User)
                .ok_or_else(|| exhausted("CONFIRMED", self.confirmed.items.len(), limit)),
            (UserKind::AliasContested, true) => self
                .contested_fresh
                .single()
                .map(Lease::Pair)
                .ok_or_else(|| {
                    exhausted("fresh alias-contested", self.contested_fresh.items.len(), 1)
                }),
            (UserKind::AliasContested, false) => self
                .contested_reusable
                .take(limit)
                .map(Lease::Pair)
                .ok_or_else(|| {
                    exhausted(
                        "reusable alias-contested",
                        self.contested_reusable.items.len(),
                        limit,
                    )
                }),
            (UserKind::Unknown, _) => {
                let n = self.unknown_next.fetch_add(1, Ordering::Relaxed);
                Ok(Lease::Unknown(format!("cb-{}-nobody-{n}", self.run_id)))
            }
            (UserKind::None, _) => Ok(Lease::None),
        }
    }

    pub fn usage(&self) -> Vec<(&'static str, Usage)> {
        let l = self.reuse_limit;
        let u = |p: u64, used: u64| Usage {
            provisioned: p,
            used,
        };
        vec![
            (
                "fresh",
                u(self.fresh.items.len() as u64, self.fresh.used(1)),
            ),
            (
                "unconfirmed",
                u(
                    self.unconfirmed.items.len() as u64,
                    self.unconfirmed.used(l),
                ),
            ),
            (
                "confirmed",
                u(self.confirmed.items.len() as u64, self.confirmed.used(l)),
            ),
            (
                "contested_fresh",
                u(
                    self.contested_fresh.items.len() as u64,
                    self.contested_fresh.used(1),
                ),
            ),
            (
                "contested_reusable",
                u(
                    self.contested_reusable.items.len() as u64,
                    self.contested_reusable.used(l),
                ),
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(n: usize) -> UserRecord {
        UserRecord {
            username: format!("u{n}"),
            sub: format!("s{n}"),
            email: format!("u{n}@example.com"),
            code: "123456".into(),
            internal: format!("u{n}"),
        }
    }

    #[test]
    fn fresh_users_are_never_handed_out_twice() {
        let pools = UserPools::new(
            PoolsBuilder {
                fresh: (0..3).map(user).collect(),
                ..Default::default()
            },
            "r",
            10,
        );
        let names: Vec<String> = (0..3)
            .map(|_| match pools.take(UserKind::Unconfirmed, true).unwrap() {
                Lease::User(u) => u.username.clone(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(names, ["u0", "u1", "u2"]);
        let e = pools.take(UserKind::Unconfirmed, true).unwrap_err();
        assert_eq!(e.what, "fresh UNCONFIRMED");
        assert!(e.to_string().contains("after 3 were provisioned"));
    }

    #[test]
    fn reusable_users_respect_the_limit_round_robin() {
        let pools = UserPools::new(
            PoolsBuilder {
                confirmed: (0..2).map(user).collect(),
                ..Default::default()
            },
            "r",
            3,
        );
        let mut seen = Vec::new();
        for _ in 0..6 {
            match pools.take(UserKind::Confirmed, false).unwrap() {
                Lease::User(u) => seen.push(u.username.clone()),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(seen, ["u0", "u1", "u0", "u1", "u0", "u1"]);
        assert!(pools.take(UserKind::Confirmed, false).is_err());
        let usage = pools.usage();
        assert_eq!(usage[2].1.used, 6);
    }

    #[test]
    fn unknown_users_get_distinct_names() {
        let pools = UserPools::new(PoolsBuilder::default(), "abc", 1);
        let a = pools
            .take(UserKind::Unknown, false)
            .unwrap()
            .view()
            .username
            .to_owned();
        let b = pools
            .take(UserKind::Unknown, false)
            .unwrap()
            .view()
            .username
            .to_owned();
        assert_ne!(a, b);
        assert!(a.starts_with("cb-abc-nobody-"));
    }
}
