//! The plan as run, echoed in summary.json: defaults applied, secrets masked.
//!
//! Every struct lists its fields in alphabetical order: the echo was first written as a
//! `serde_json::Value`, whose maps sort their keys, and the summaries already written (and
//! the golden files) have that order.
//!
//! Read back (`merge`, `report`), the echo is lenient as the summary's own fields are: a field
//! an older or foreign summary lacks reads as empty (no thresholds, no mix entries…). What is
//! written back is the echo as read (`super::echo::Echo`), with the fields this version does
//! not know.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

use crate::scenario::{Load, Plan, Stop, units::format_duration};

/// What a secret is shown as.
const MASKED: &str = "***";

/// The plan as run, with defaults applied and secrets masked.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PlanEcho {
    pub compare: CompareEcho,
    pub http: HttpEcho,
    pub judge: JudgeEcho,
    pub mix: Vec<MixEcho>,
    pub name: String,
    /// This process's part of the phases (the whole of them unless `--shard`).
    pub phases: Vec<PhaseEcho>,
    pub pool: PoolEcho,
    /// The report formats to write. Absent (a summary without it): summary.json alone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reports: Option<Vec<String>>,
    /// The members merged into every case's request, by name (their values may be secrets).
    pub request: Vec<String>,
    pub retry: RetryEcho,
    /// `--shard`: which part, and the scenario's whole phases. Null for a whole run; absent
    /// from a merge's plan, which is the whole scenario's again.
    #[serde(deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub shard: Option<Option<ShardEcho>>,
    pub target: TargetEcho,
    /// As written in the scenario.
    pub thresholds: Vec<String>,
    pub users: UsersEcho,
    /// The pools after the first (`plan.pools`), each with the users its cases take.
    pub variant_pools: Vec<VariantPoolEcho>,
}

/// A field that may be null but is there: `Some(None)`, where its absence is `None`.
fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

impl PlanEcho {
    /// The scenario's phases, whole: a shard's plan keeps them under `shard.phases`.
    pub fn whole_phases(&self) -> &[PhaseEcho] {
        match &self.shard {
            // An echo whose shard lacks them (not one cogbench wrote) has only its own.
            Some(Some(shard)) if !shard.phases.is_empty() => &shard.phases,
            _ => &self.phases,
        }
    }
}

/// `compare:` limits (percent).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CompareEcho {
    pub max_p99_increase: Option<f64>,
    pub max_throughput_drop: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HttpEcho {
    pub connect_timeout: String,
    pub connections: usize,
    pub read_timeout: String,
    /// `1.1` or `2`.
    pub version: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct JudgeEcho {
    /// Fraction of answers whose postconditions are read back.
    pub postconditions: f64,
}

/// One case of the mix.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MixEcho {
    pub case: String,
    /// Why the case cannot run on this target and pool (null: it runs).
    pub skipped: Option<String>,
    pub weight: u32,
}

/// One phase: its executor and the load's parameters, which depend on its model.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PhaseEcho {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<String>,
    pub executor: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iterations: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_duration: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_in_flight: Option<usize>,
    /// `closed` or `open`.
    pub model: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rounds: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stages: Option<Vec<StageEcho>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_rate: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_vus: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub think_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vus: Option<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StageEcho {
    pub duration: String,
    /// Virtual users (closed model) or requests per second (open).
    pub target: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PoolEcho {
    pub alias_attributes: Vec<String>,
    pub auto_verified_attributes: Vec<String>,
    pub case_sensitive: bool,
    pub clients: ClientsEcho,
    pub delete_after: bool,
    /// Existing-pool mode: the pool and client the scenario names.
    pub existing: Option<ExistingEcho>,
    pub name: Option<String>,
    pub username_attributes: Vec<String>,
}

/// The app clients the run's cases use.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClientsEcho {
    pub hiding: ClientEcho,
    pub public: ClientEcho,
    pub secret: ClientEcho,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClientEcho {
    /// Masked; only the client that has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    pub prevent_user_existence_errors: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExistingEcho {
    pub client_id: String,
    /// Masked (null: the client has no secret).
    pub client_secret: Option<String>,
    pub id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RetryEcho {
    pub base_delay: String,
    pub max_attempts: u32,
    pub max_delay: String,
    /// The failures retried: `throttling`, `server_errors`, `transport_error`.
    pub on: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ShardEcho {
    pub count: u32,
    pub index: u32,
    /// The scenario's phases, whole.
    pub phases: Vec<PhaseEcho>,
}

/// Where requests go and how the codes and state are read there.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TargetEcho {
    pub admin_reads: bool,
    pub codes: String,
    /// Credentials in it redacted; null for the embedded emulator.
    pub endpoint: Option<String>,
    pub faults: Option<String>,
    pub kind: String,
    pub region: String,
    pub signing: String,
}

/// The main pool's users.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UsersEcho {
    pub bounded: bool,
    /// Users per slot.
    pub counts: BTreeMap<String, u64>,
    pub email: String,
    /// Existing-pool mode: how many users `users.from_csv` lists.
    pub listed: u64,
    /// Masked, or `(generated)`.
    pub password: String,
    pub reuse_limit: u64,
    pub username: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct VariantPoolEcho {
    pub case_sensitive: bool,
    /// Users per slot.
    pub users: BTreeMap<String, u64>,
    pub variant: String,
}

pub fn stages_echo(stages: &[crate::scenario::Stage]) -> Vec<StageEcho> {
    stages
        .iter()
        .map(|s| StageEcho {
            target: s.target,
            duration: format_duration(s.duration),
        })
        .collect()
}

pub fn phase_echo(p: &crate::scenario::Phase, load: &Load) -> PhaseEcho {
    let echo = PhaseEcho {
        name: p.name.clone(),
        executor: p.executor.to_owned(),
        ..PhaseEcho::default()
    };
    match load {
        Load::Closed {
            vus,
            stop,
            think_time,
            max_duration,
        } => {
            let mut echo = PhaseEcho {
                model: "closed".into(),
                vus: Some(*vus),
                think_time: Some(format_duration(*think_time)),
                max_duration: max_duration.map(format_duration),
                ..echo
            };
            match stop {
                Stop::Duration(d) => echo.duration = Some(format_duration(*d)),
                Stop::Iterations(n) => echo.iterations = Some(*n),
                Stop::Rounds(n) => echo.rounds = Some(*n),
            }
            echo
        }
        Load::RampingVus {
            start,
            stages,
            think_time,
        } => PhaseEcho {
            model: "closed".into(),
            start_vus: Some(*start),
            stages: Some(stages_echo(stages)),
            think_time: Some(format_duration(*think_time)),
            ..echo
        },
        Load::Open {
            start_rate,
            stages,
            max_in_flight,
        } => PhaseEcho {
            model: "open".into(),
            start_rate: Some(*start_rate),
            stages: Some(stages_echo(stages)),
            max_in_flight: Some(*max_in_flight),
            ..echo
        },
    }
}

/// Users per slot, by the slot's name.
fn slot_counts(counts: &BTreeMap<crate::cases::Slot, u64>) -> BTreeMap<String, u64> {
    counts
        .iter()
        .map(|(slot, n)| (slot.name().to_owned(), *n))
        .collect()
}

/// The plan as run, with defaults applied and secrets masked.
pub fn plan_echo(plan: &Plan) -> PlanEcho {
    let retry_on: Vec<String> = [
        ("throttling", plan.retry.on_throttling),
        ("server_errors", plan.retry.on_server_errors),
        ("transport_error", plan.retry.on_transport_errors),
    ]
    .into_iter()
    .filter(|(_, on)| *on)
    .map(|(n, _)| n.to_owned())
    .collect();
    let attrs = |a: &[crate::scenario::Attribute]| {
        a.iter().map(|x| x.as_str().to_owned()).collect::<Vec<_>>()
    };
    let client = |errors: &str, secret: Option<&str>| ClientEcho {
        client_secret: secret.map(str::to_owned),
        prevent_user_existence_errors: errors.to_owned(),
    };
    let main = plan.main_pool();
    let (pool, u) = (&main.pool, &main.users);
    PlanEcho {
        name: plan.name.clone(),
        target: TargetEcho {
            kind: plan.target.kind().to_owned(),
            endpoint: plan.target.endpoint.as_deref().map(crate::term::redact_url),
            codes: crate::target::codes::describe(&plan.target.codes),
            admin_reads: plan.target.admin_reads,
            faults: plan.target.faults.clone(),
            region: plan.region.clone(),
            signing: plan.signing.describe(),
        },
        pool: PoolEcho {
            name: pool.name.clone(),
            alias_attributes: attrs(&pool.alias_attributes),
            username_attributes: attrs(&pool.username_attributes),
            auto_verified_attributes: attrs(&pool.auto_verified_attributes),
            case_sensitive: pool.case_sensitive,
            clients: ClientsEcho {
                public: client(pool.public_client.as_str(), None),
                secret: client(pool.secret_client.as_str(), Some(MASKED)),
                hiding: client("ENABLED", None),
            },
            delete_after: pool.delete_after,
            existing: pool.existing.as_ref().map(|e| ExistingEcho {
                id: e.id.clone(),
                client_id: e.client_id.clone(),
                client_secret: e.client_secret.as_ref().map(|_| MASKED.to_owned()),
            }),
        },
        variant_pools: plan
            .pools
            .iter()
            .skip(1)
            .map(|p| VariantPoolEcho {
                variant: p.variant.as_str().to_owned(),
                case_sensitive: p.pool.case_sensitive,
                users: slot_counts(&p.users.counts),
            })
            .collect(),
        users: UsersEcho {
            username: u.username.0.clone(),
            email: u.email.0.clone(),
            password: if u.password.is_some() {
                MASKED
            } else {
                "(generated)"
            }
            .to_owned(),
            counts: slot_counts(&u.counts),
            reuse_limit: u.reuse_limit,
            bounded: u.bounded,
            listed: u.listed.as_ref().map_or(0, |l| l.rows),
        },
        http: HttpEcho {
            connections: plan.http.pool_size,
            version: if plan.http.http2 { "2" } else { "1.1" }.to_owned(),
            connect_timeout: format_duration(plan.http.connect_timeout),
            read_timeout: format_duration(plan.http.read_timeout),
        },
        judge: JudgeEcho {
            postconditions: plan.postconditions,
        },
        request: plan.request.iter().map(|(name, _)| name.clone()).collect(),
        phases: plan.phases.iter().map(|p| phase_echo(p, &p.load)).collect(),
        mix: plan
            .mix
            .iter()
            .map(|m| MixEcho {
                case: plan.catalog.cases[m.case].id.clone(),
                weight: m.weight,
                skipped: m.skip.clone(),
            })
            .collect(),
        thresholds: plan.thresholds.iter().map(|t| t.source.clone()).collect(),
        compare: CompareEcho {
            max_p99_increase: plan.compare.0,
            max_throughput_drop: plan.compare.1,
        },
        retry: RetryEcho {
            max_attempts: plan.retry.max_attempts,
            base_delay: format_duration(plan.retry.base_delay),
            max_delay: format_duration(plan.retry.max_delay),
            on: retry_on,
        },
        reports: Some(plan.reports.iter().map(|f| f.name().to_owned()).collect()),
        shard: Some(plan.shard.map(|s| {
            ShardEcho {
                index: s.index,
                count: s.count,
                phases: plan
                    .phases
                    .iter()
                    .map(|p| phase_echo(p, p.whole_load()))
                    .collect(),
            }
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_shard_is_null_for_a_whole_run_and_absent_from_a_merge() {
        for plan in [
            json!({"shard": null}),
            json!({}),
            json!({"shard": {"count": 2, "index": 1, "phases": []}}),
        ] {
            let echo: PlanEcho = serde_json::from_value(plan.clone()).unwrap();
            let back = serde_json::to_value(&echo).unwrap();
            assert_eq!(back.get("shard"), plan.get("shard"), "{plan}");
        }
    }

    #[test]
    fn unknown_fields_are_kept_and_missing_ones_read_as_empty() {
        let plan = json!({"name": "n", "later": {"x": 1}, "pool": {"existing": {"id": "p"}}});
        let echo = super::super::echo::Echo::from_value(plan).unwrap();
        assert!(echo.thresholds.is_empty() && echo.mix.is_empty() && echo.reports.is_none());
        assert_eq!(echo.pool.existing.as_ref().unwrap().client_secret, None);
        let back = serde_json::to_value(&echo).unwrap();
        assert_eq!(back["later"], json!({"x": 1}));
        assert!(back.get("reports").is_none());
    }

    #[test]
    fn a_plan_that_is_not_an_object_is_refused() {
        assert!(serde_json::from_value::<PlanEcho>(json!([1])).is_err());
        assert!(serde_json::from_value::<PlanEcho>(json!({"mix": "all"})).is_err());
    }
}
