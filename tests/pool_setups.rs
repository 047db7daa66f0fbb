//! The pools the trigger, WAF, quota and internal-error cases need: set up by cogbench on its
//! emulator, declared by the owner elsewhere (`target.configured`), skipped with a true reason
//! where neither holds, and refused where a declaration cannot be true.

use cogbench::cases::PoolVariant;
use cogbench::scenario::Plan;

use crate::support::plan_from_str;

const MIX: &str = "mix: {post-confirmation-trigger-raises: 1, waf-blocked: 1, rate-quota-exceeded: 1, internal-error: 1, valid-code: 1}\n";

fn plan(target: &str) -> Plan {
    plan_from_str(&format!(
        "name: p\nphases: [{{vus: 1, rounds: 1}}]\n{MIX}{target}"
    ))
}

fn parse_error(target: &str) -> String {
    cogbench::scenario::parse(
        &format!("name: p\nphases: [{{vus: 1, rounds: 1}}]\n{MIX}{target}"),
        std::path::Path::new("t.yaml"),
        std::sync::Arc::new(cogbench::cases::Catalog::builtin()),
        &Default::default(),
    )
    .err()
    .map(|e| e.to_string())
    .unwrap_or_else(|| panic!("accepted: {target}"))
}

/// (case id, its pool's variant, why skipped).
fn entries(p: &Plan) -> Vec<(String, PoolVariant, Option<String>)> {
    p.mix
        .iter()
        .map(|m| {
            (
                p.catalog.cases[m.case].id.clone(),
                p.pools[m.pool].variant,
                m.skip.clone(),
            )
        })
        .collect()
}

#[test]
fn the_embedded_emulator_gets_a_pool_of_each_set_up() {
    let p = plan("");
    let variants: Vec<PoolVariant> = p.pools.iter().map(|r| r.variant).collect();
    assert_eq!(
        variants,
        [
            PoolVariant::Scenario,
            PoolVariant::PostConfirmationTrigger,
            PoolVariant::WebAcl,
            PoolVariant::RateQuota,
            PoolVariant::InternalError,
        ]
    );
    assert!(entries(&p).iter().all(|(_, _, skip)| skip.is_none()));
    let trigger = &p.pools[1].pool;
    assert!(
        trigger
            .post_confirmation
            .as_deref()
            .is_some_and(|a| a.ends_with(":function:cogbench-reference-trigger"))
    );
    assert_eq!(
        p.pools[2].pool.tags,
        [(
            "cogbench:web-acl:block-header".to_owned(),
            "x-cogbench-waf".to_owned()
        )]
    );
    // The scenario's own pool is left as it was written.
    assert!(p.pools[0].pool.post_confirmation.is_none() && p.pools[0].pool.tags.is_empty());
}

#[test]
fn a_declared_set_up_runs_in_the_scenarios_pool_and_the_rest_are_skipped_saying_how() {
    let p = plan(
        "target: {kind: endpoint, endpoint: \"http://127.0.0.1:9\", codes: {fixed: \"123456\"}, configured: [post-confirmation-trigger, web-acl]}\n",
    );
    assert_eq!(p.pools.len(), 1, "no pool is created for a declared set-up");
    for (id, variant, skip) in entries(&p) {
        assert_eq!(variant, PoolVariant::Scenario, "{id}");
        match id.as_str() {
            "rate-quota-exceeded" => {
                assert!(skip.unwrap().contains("request-rate quota"), "{id}")
            }
            "internal-error" => assert!(skip.unwrap().contains("InternalErrorException")),
            _ => assert!(skip.is_none(), "{id}: {skip:?}"),
        }
    }
    let p = plan(
        "target: {kind: endpoint, endpoint: \"http://127.0.0.1:9\", codes: {fixed: \"123456\"}}\n",
    );
    let (_, _, skip) = &entries(&p)[0];
    assert!(
        skip.as_deref()
            .is_some_and(|s| s.contains("configured: [post-confirmation-trigger]")),
        "{skip:?}"
    );
}

#[test]
fn the_peers_skip_the_set_ups_with_their_own_reasons() {
    let p = plan(
        "target: {kind: cognito-local, endpoint: \"http://127.0.0.1:9\", data_dir: /tmp/none}\n",
    );
    let e = entries(&p);
    assert!(
        e[0].2.as_deref().unwrap().contains("logged, not returned"),
        "{e:?}"
    );
    assert!(e[1].2.as_deref().unwrap().contains("no web ACL"), "{e:?}");
    assert!(e[4].2.is_none(), "valid-code runs");
    // A skipped case makes no pool of its own.
    assert_eq!(p.pools.len(), 1);
    let p = plan("target: {kind: moto, endpoint: \"http://127.0.0.1:9\"}\n");
    assert!(
        entries(&p)[0]
            .2
            .as_deref()
            .unwrap()
            .contains("invokes no trigger")
    );
}

#[test]
fn declarations_that_cannot_be_true_are_refused() {
    let aws = "target: {kind: aws, region: eu-west-1, codes: {command: \"x {username}\"}, ";
    for (target, says) in [
        (
            format!("{aws}configured: [rate-quota]}}\n"),
            "at least 50 requests a second",
        ),
        (
            format!("{aws}configured: [internal-error]}}\n"),
            "answer InternalErrorException on purpose",
        ),
        (
            format!("{aws}configured: [web-acl]}}\n"),
            "needs pool.existing",
        ),
        (
            "target: {configured: [web-acl]}\n".to_owned(),
            "sets up the pools of kind embedded itself",
        ),
        (
            "target: {kind: moto, endpoint: \"http://127.0.0.1:9\", configured: [post-confirmation-trigger]}\n"
                .to_owned(),
            "invokes no trigger",
        ),
        (
            "target: {kind: cognito-local, endpoint: \"http://127.0.0.1:9\", data_dir: /tmp/none, configured: [web-acl]}\n"
                .to_owned(),
            "no web ACL",
        ),
        (
            "target: {kind: endpoint, endpoint: \"http://127.0.0.1:9\", configured: [webacl]}\n"
                .to_owned(),
            "unknown `webacl`",
        ),
        (
            "target: {kind: endpoint, endpoint: \"http://127.0.0.1:9\", lambda_endpoint: \"http://127.0.0.1:3001\"}\n"
                .to_owned(),
            "cogbench emulator --lambda-endpoint",
        ),
        (
            "target: {lambda_endpoint: \"ftp://127.0.0.1:3001\"}\n".to_owned(),
            "expected http:// or https://",
        ),
    ] {
        let e = parse_error(&target);
        assert!(e.contains(says), "{target}: {e}");
    }
}

#[test]
fn cognito_local_may_declare_its_trigger_and_cases_filtered_out_make_no_pool() {
    let p = plan(
        "target: {kind: cognito-local, endpoint: \"http://127.0.0.1:9\", data_dir: /tmp/none, configured: [post-confirmation-trigger]}\n",
    );
    let e = entries(&p);
    assert!(e[0].2.is_none() && e[0].1 == PoolVariant::Scenario, "{e:?}");

    let p = cogbench::scenario::parse(
        &format!("name: p\nphases: [{{vus: 1, rounds: 1}}]\n{MIX}"),
        std::path::Path::new("t.yaml"),
        std::sync::Arc::new(cogbench::cases::Catalog::builtin()),
        &cogbench::scenario::Overrides {
            cases: Some("waf-blocked".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let variants: Vec<PoolVariant> = p.pools.iter().map(|r| r.variant).collect();
    assert_eq!(variants, [PoolVariant::Scenario, PoolVariant::WebAcl]);
    assert_eq!(p.mix.len(), 1);
    assert_eq!(p.pools[p.mix[0].pool].variant, PoolVariant::WebAcl);
}
