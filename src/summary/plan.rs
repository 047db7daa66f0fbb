//! The plan as run, echoed in summary.json: defaults applied, secrets masked.

use serde_json::json;

use crate::scenario::{Load, Plan, Stop, units::format_duration};

pub fn stages_echo(stages: &[crate::scenario::Stage]) -> Vec<serde_json::Value> {
    stages
        .iter()
        .map(|s| json!({"target": s.target, "duration": format_duration(s.duration)}))
        .collect()
}

pub fn phase_echo(p: &crate::scenario::Phase, load: &Load) -> serde_json::Value {
    let mut v = match load {
        Load::Closed {
            vus,
            stop,
            think_time,
            max_duration,
        } => {
            let mut v =
                json!({"model": "closed", "vus": vus, "think_time": format_duration(*think_time)});
            match stop {
                Stop::Duration(d) => v["duration"] = json!(format_duration(*d)),
                Stop::Iterations(n) => v["iterations"] = json!(n),
                Stop::Rounds(n) => v["rounds"] = json!(n),
            }
            if let Some(d) = max_duration {
                v["max_duration"] = json!(format_duration(*d));
            }
            v
        }
        Load::RampingVus {
            start,
            stages,
            think_time,
        } => json!({
            "model": "closed", "start_vus": start, "stages": stages_echo(stages),
            "think_time": format_duration(*think_time),
        }),
        Load::Open {
            start_rate,
            stages,
            max_in_flight,
        } => json!({
            "model": "open", "start_rate": start_rate, "stages": stages_echo(stages),
            "max_in_flight": max_in_flight,
        }),
    };
    v["name"] = json!(p.name);
    v["executor"] = json!(p.executor);
    v
}

/// The plan as run, with defaults applied and secrets masked.
pub fn plan_echo(plan: &Plan) -> serde_json::Value {
    let phases: Vec<_> = plan.phases.iter().map(|p| phase_echo(p, &p.load)).collect();
    let whole_phases: Vec<_> = plan
        .phases
        .iter()
        .map(|p| phase_echo(p, p.whole_load()))
        .collect();
    let retry_on: Vec<&str> = [
        ("throttling", plan.retry.on_throttling),
        ("server_errors", plan.retry.on_server_errors),
        ("transport_error", plan.retry.on_transport_errors),
    ]
    .into_iter()
    .filter(|(_, on)| *on)
    .map(|(n, _)| n)
    .collect();
    let attrs = |a: &[crate::scenario::Attribute]| a.iter().map(|x| x.as_str()).collect::<Vec<_>>();
    let main = plan.main_pool();
    let (pool, u) = (&main.pool, &main.users);
    json!({
        "name": plan.name,
        "target": {
            "kind": plan.target.kind(),
            "endpoint": plan.target.endpoint.as_deref().map(crate::term::redact_url),
            "codes": crate::target::codes::describe(&plan.target.codes),
            "admin_reads": plan.target.admin_reads,
            "faults": plan.target.faults,
            "region": plan.region,
            "signing": plan.signing.describe(),
        },
        "pool": {
            "name": pool.name,
            "alias_attributes": attrs(&pool.alias_attributes),
            "username_attributes": attrs(&pool.username_attributes),
            "auto_verified_attributes": attrs(&pool.auto_verified_attributes),
            "case_sensitive": pool.case_sensitive,
            "clients": {
                "public": {"prevent_user_existence_errors": pool.public_client.as_str()},
                "secret": {"prevent_user_existence_errors": pool.secret_client.as_str(), "client_secret": "***"},
                "hiding": {"prevent_user_existence_errors": "ENABLED"},
            },
            "delete_after": pool.delete_after,
            "existing": pool.existing.as_ref().map(|e| json!({
                "id": e.id,
                "client_id": e.client_id,
                "client_secret": e.client_secret.as_ref().map(|_| "***"),
            })),
        },
        "variant_pools": plan.pools.iter().skip(1).map(|p| json!({
            "variant": p.variant.as_str(),
            "case_sensitive": p.pool.case_sensitive,
            "users": p.users.counts.iter().map(|(slot, n)| (slot.name(), *n)).collect::<std::collections::BTreeMap<_, _>>(),
        })).collect::<Vec<_>>(),
        "users": {
            "username": u.username.0, "email": u.email.0,
            "password": if u.password.is_some() { "***" } else { "(generated)" },
            "counts": u.counts.iter().map(|(slot, n)| (slot.name(), *n)).collect::<std::collections::BTreeMap<_, _>>(),
            "reuse_limit": u.reuse_limit, "bounded": u.bounded,
            "listed": u.listed.len(),
        },
        "http": {
            "connections": plan.http.pool_size,
            "version": if plan.http.http2 { "2" } else { "1.1" },
            "connect_timeout": format_duration(plan.http.connect_timeout),
            "read_timeout": format_duration(plan.http.read_timeout),
        },
        "judge": {"postconditions": plan.postconditions},
        "request": plan.request.iter().map(|(name, _)| name.clone()).collect::<Vec<_>>(),
        "phases": phases,
        "mix": plan.mix.iter().map(|m| json!({
            "case": plan.catalog.cases[m.case].id, "weight": m.weight, "skipped": m.skip,
        })).collect::<Vec<_>>(),
        "thresholds": plan.thresholds.iter().map(|t| t.source.clone()).collect::<Vec<_>>(),
        "compare": {"max_p99_increase": plan.compare.0, "max_throughput_drop": plan.compare.1},
        "retry": {
            "max_attempts": plan.retry.max_attempts,
            "base_delay": format_duration(plan.retry.base_delay),
            "max_delay": format_duration(plan.retry.max_delay),
            "on": retry_on,
        },
        "reports": plan.reports.iter().map(|f| f.name()).collect::<Vec<_>>(),
        "shard": plan.shard.map(|s| json!({
            "index": s.index,
            "count": s.count,
            "phases": whole_phases,
        })),
    })
}
