//! Existing-pool mode: a pool made beforehand on a running emulator, its users listed in a CSV
//! with their codes; cogbench creates and deletes nothing there.

use std::net::SocketAddr;
use std::time::{Duration, SystemTime};

use cogbench::emulator::{self, EmulatorConfig, RunningEmulator};
use cogbench::report::Verdict;
use cogbench::scenario::existing::format_time;
use serde_json::json;

use crate::support::{call_ok as call, plan_from_str, run_quiet};

pub(crate) struct Prepared {
    pub(crate) emulator: RunningEmulator,
    pub(crate) pool: String,
    pub(crate) public: String,
    pub(crate) secret_client: String,
    pub(crate) secret: String,
    pub(crate) csv: tempfile::NamedTempFile,
}

/// A pool with a public and a secret client, `old` users whose codes are a day old and `fresh`
/// users signed up just now, all listed in a CSV.
pub(crate) async fn prepare(old: usize, fresh: usize) -> Prepared {
    let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let emulator = emulator::start(EmulatorConfig::default(), addr)
        .await
        .expect("the emulator starts");
    let ep = emulator.endpoint();
    let out = call(
        &ep,
        "CreateUserPool",
        json!({"PoolName": "kept", "AliasAttributes": ["email"], "AutoVerifiedAttributes": ["email"]}),
    )
    .await;
    let pool = out["UserPool"]["Id"].as_str().unwrap().to_owned();
    let client = |secret: bool| {
        let (ep, pool) = (ep.clone(), pool.clone());
        async move {
            call(
                &ep,
                "CreateUserPoolClient",
                json!({"UserPoolId": pool, "ClientName": "c", "GenerateSecret": secret}),
            )
            .await["UserPoolClient"]
                .clone()
        }
    };
    let public = client(false).await["ClientId"].as_str().unwrap().to_owned();
    let secret_out = client(true).await;
    let mut csv = String::from("username,code,sub,email,signed_up_at\n");
    let day_ago = SystemTime::now() - Duration::from_secs(25 * 3600);
    for (i, when) in (0..old)
        .map(|_| day_ago)
        .chain((0..fresh).map(|_| SystemTime::now()))
        .enumerate()
    {
        if i == old {
            // The emulator's clock moves a day on, so the first users' codes really expire.
            emulator.emulator().advance_clock(25 * 3600);
        }
        let username = format!("listed-{i}");
        let email = format!("listed-{i}@example.com");
        let out = call(
            &ep,
            "SignUp",
            json!({"ClientId": public, "Username": username, "Password": "Passw0rd!-x",
                   "UserAttributes": [{"Name": "email", "Value": email}]}),
        )
        .await;
        let code = emulator
            .emulator()
            .current_code(&pool, &username)
            .expect("a code");
        let sub = out["UserSub"].as_str().unwrap();
        csv.push_str(&format!(
            "{username},{code},{sub},{email},{}\n",
            format_time(when)
        ));
    }
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), csv).unwrap();
    Prepared {
        emulator,
        pool,
        public,
        secret_client: secret_out["ClientId"].as_str().unwrap().to_owned(),
        secret: secret_out["ClientSecret"].as_str().unwrap().to_owned(),
        csv: file,
    }
}

#[tokio::test]
async fn runs_the_catalog_on_listed_users_and_leaves_the_pool() {
    let p = prepare(2, 12).await;
    let yaml = format!(
        "name: existing\n\
         target: {{kind: emulator, endpoint: \"{}\"}}\n\
         pool: {{existing: {{id: {}, client_id: {}}}}}\n\
         users: {{from_csv: \"{}\", reuse_limit: 5}}\n\
         phases: [{{vus: 1, rounds: 2}}]\n\
         mix: {{valid-code: 1, wrong-code: 1, already-confirmed: 1, unknown-user: 1, expired-code: 1,\n\
         \x20     secret-hash-missing: 1, resend-old-code: 1, username-case-insensitive: 1, unknown-user-hidden: 1,\n\
         \x20     waf-blocked: 1}}\n",
        p.emulator.endpoint(),
        p.pool,
        p.public,
        p.csv.path().display()
    );
    let plan = plan_from_str(&yaml);
    assert_eq!(plan.pools.len(), 1, "an existing pool has no variants");
    let (outcome, _dir) = run_quiet(plan).await;
    let s = &outcome.summary;
    let verdict = |id: &str| {
        let c = s.cases.iter().find(|c| c.name == id).unwrap();
        (c.verdict, c.skip_reason.clone().unwrap_or_default())
    };
    for id in [
        "valid-code",
        "wrong-code",
        "already-confirmed",
        "unknown-user",
        "expired-code",
    ] {
        assert_eq!(verdict(id).0, Verdict::Pass, "{id}: {:?}", s.cases);
    }
    for (id, why) in [
        ("secret-hash-missing", "with a secret"),
        ("resend-old-code", "resent-code"),
        ("username-case-insensitive", "variant `case-insensitive`"),
        ("unknown-user-hidden", "PreventUserExistenceErrors"),
        ("waf-blocked", "configured: [web-acl]"),
    ] {
        let (v, reason) = verdict(id);
        assert_eq!(v, Verdict::Skipped, "{id}");
        assert!(reason.contains(why), "{id}: {reason}");
    }
    assert_eq!(s.exit_code, 0);
    // Nothing was deleted: the pool still answers for a listed user.
    call(
        &p.emulator.endpoint(),
        "AdminGetUser",
        json!({"UserPoolId": p.pool, "Username": "listed-0"}),
    )
    .await;
}

#[tokio::test]
async fn a_secret_client_from_the_environment_never_reaches_the_reports() {
    let p = prepare(0, 8).await;
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("existing-secret.yaml");
    std::fs::write(
        &scenario,
        format!(
            "name: existing-secret\n\
             target: {{kind: emulator, endpoint: \"{}\"}}\n\
             pool: {{existing: {{id: {}, client_id: {}, client_secret: \"${{COGBENCH_TEST_EXISTING_SECRET}}\"}}}}\n\
             users: {{from_csv: \"{}\"}}\n\
             phases: [{{vus: 1, rounds: 2}}]\n\
             mix: {{secret-hash-correct: 1, secret-hash-missing: 1, secret-hash-wrong: 1, valid-code: 1}}\n",
            p.emulator.endpoint(),
            p.pool,
            p.secret_client,
            p.csv.path().display()
        ),
    )
    .unwrap();
    let out = dir.path().join("out");
    // The child process gets the secret in its environment, as a user's shell would give it.
    let run = tokio::process::Command::new(crate::support::bin())
        .args([
            "run",
            scenario.to_str().unwrap(),
            "--progress",
            "plain",
            "--debug",
        ])
        .args([
            "--report", "junit", "--report", "html", "--report", "markdown", "--report", "hlog",
        ])
        .arg("--output-dir")
        .arg(&out)
        .env("COGBENCH_TEST_EXISTING_SECRET", &p.secret)
        .output()
        .await
        .unwrap();
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(run.status.code(), Some(0), "{printed}");
    assert!(
        !printed.contains(&p.secret),
        "the client secret was printed"
    );
    assert!(
        printed.contains("debug: the plan"),
        "--debug shows the plan: {printed}"
    );
    let s = crate::support::read_json(&out.join("summary.json"));
    for c in s["cases"].as_array().unwrap() {
        let want = if c["name"] == "valid-code" {
            "skipped"
        } else {
            "pass"
        };
        assert_eq!(c["verdict"], want, "{c}");
    }
    assert_eq!(s["plan"]["pool"]["existing"]["client_secret"], "***");
    for entry in std::fs::read_dir(&out).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap_or_default();
        assert!(!text.contains(&p.secret), "the client secret leaked");
    }
}

#[test]
fn a_plan_that_needs_more_users_than_listed_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("few.csv");
    std::fs::write(&csv, "username,code\na,111111\nb,222222\n").unwrap();
    let yaml = format!(
        "name: few\ntarget: {{endpoint: \"http://127.0.0.1:9\"}}\n\
         pool: {{existing: {{id: us-east-1_abc, client_id: abc}}}}\n\
         users: {{from_csv: \"{}\"}}\n\
         phases: [{{vus: 1, rounds: 5}}]\nmix: {{valid-code: 1}}\n",
        csv.display()
    );
    let e = cogbench::scenario::parse(
        &yaml,
        std::path::Path::new("few.yaml"),
        std::sync::Arc::new(cogbench::cases::Catalog::builtin()),
        &Default::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("need 5 users whose code lasts the load") && e.contains("has 2"),
        "{e}"
    );
}

#[test]
fn the_shipped_example_validates() {
    let plan =
        crate::support::plan_from_file("fixtures/examples/existing-pool.yaml", &Default::default());
    let main = plan.main_pool();
    assert_eq!(main.users.listed.as_ref().map(|l| l.rows), Some(7));
    assert!(plan.mix.iter().all(|m| m.skip.is_none()));
    assert!(!main.pool.delete_after);
}

#[test]
fn a_real_pools_quota_refuses_a_faster_plan_unless_allowed() {
    let yaml = |rate: u32| {
        format!(
            "name: aws\ntarget: {{kind: endpoint, endpoint: \"https://cognito-idp.eu-west-1.amazonaws.com\", codes: {{none: true}}, admin_reads: false}}\n\
             phases: [{{executor: constant-arrival-rate, rate: {rate}, duration: 10s}}, {{executor: constant-vus, vus: 4, duration: 5s, think_time: 100ms}}]\n\
             mix: {{unknown-user: 1}}\n"
        )
    };
    let parse = |text: &str, allow: bool| {
        cogbench::scenario::parse(
            text,
            std::path::Path::new("aws.yaml"),
            std::sync::Arc::new(cogbench::cases::Catalog::builtin()),
            &cogbench::scenario::Overrides {
                allow_above_quota: allow,
                ..Default::default()
            },
        )
    };
    // 40/s and 4 users thinking 100 ms (at most 40/s) fit the default 50/s.
    assert!(parse(&yaml(40), false).is_ok());
    let e = parse(&yaml(60), false).unwrap_err().to_string();
    assert!(
        e.contains("plan up to 60 requests per second") && e.contains("--allow-above-quota"),
        "{e}"
    );
    assert!(parse(&yaml(60), true).is_ok());
    // Virtual users without think time have no bound.
    let unbounded = yaml(10).replace(", think_time: 100ms", "");
    assert!(
        parse(&unbounded, false)
            .unwrap_err()
            .to_string()
            .contains("no rate bound")
    );
}

#[test]
fn validate_shows_the_quota_refusal_with_exit_2() {
    let o = std::process::Command::new(crate::support::bin())
        .args(["validate", "tests/scenarios/aws/above-quota.yaml"])
        .current_dir(crate::support::repo(""))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("UserCreation request-rate quota, 50 requests per second"),
        "{err}"
    );
}

#[test]
fn a_client_secret_can_come_from_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let (secret, csv) = (dir.path().join("secret"), dir.path().join("u.csv"));
    std::fs::write(&secret, "s3cr3t-from-a-file\n").unwrap();
    std::fs::write(&csv, "username,code\na,123456\nb,234567\n").unwrap();
    let yaml = |path: &std::path::Path| {
        format!(
            "name: f\ntarget: {{endpoint: \"http://127.0.0.1:9\"}}\n\
             pool: {{existing: {{id: us-east-1_abc, client_id: abc, client_secret: \"${{file:{}}}\"}}}}\n\
             users: {{from_csv: \"{}\"}}\nphases: [{{vus: 1, rounds: 1}}]\nmix: {{secret-hash-correct: 1}}\n",
            path.display(),
            csv.display()
        )
    };
    let plan = crate::support::plan_from_str(&yaml(&secret));
    let got = plan.main_pool().pool.existing.as_ref().unwrap();
    assert_eq!(got.client_secret.as_ref().unwrap().0, "s3cr3t-from-a-file");
    assert_eq!(format!("{:?}", got.client_secret), "Some(Secret(***))");
    let e = cogbench::scenario::parse(
        &yaml(&dir.path().join("missing")),
        std::path::Path::new("f.yaml"),
        std::sync::Arc::new(cogbench::cases::Catalog::builtin()),
        &Default::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("secret file") && e.contains("missing"), "{e}");
}

#[tokio::test]
async fn a_long_runs_listed_users_are_read_as_the_load_takes_them() {
    let p = prepare(0, 1000).await;
    // 800 fresh users over 4 s: more than two seconds' worth (400), so they are read from the
    // file a stock ahead of the load rather than all before it.
    let yaml = format!(
        "name: existing-stream\n\
         target: {{kind: emulator, endpoint: \"{}\"}}\n\
         pool: {{existing: {{id: {}, client_id: {}}}}}\n\
         users: {{from_csv: \"{}\"}}\n\
         phases: [{{arrival_rate: 200, duration: 4s, max_in_flight: 64}}]\n\
         mix: {{valid-code: 1}}\n",
        p.emulator.endpoint(),
        p.pool,
        p.public,
        p.csv.path().display()
    );
    let (outcome, _dir) = run_quiet(plan_from_str(&yaml)).await;
    let s = serde_json::to_value(&outcome.summary).unwrap();
    let fresh = &s["users"]["fresh"];
    assert_eq!(fresh["used"], 800, "{fresh}");
    let (stock, planned) = (
        fresh["on_demand"]["stock"].as_u64().unwrap(),
        fresh["on_demand"]["planned"].as_u64().unwrap(),
    );
    // The plan keeps one start to spare; two seconds of it are the stock.
    assert!((800..=810).contains(&planned), "{fresh}");
    assert_eq!(stock, planned.div_ceil(2), "{fresh}");
    assert_eq!(fresh["provisioned"], planned, "every planned row was read");
    let case = outcome
        .summary
        .cases
        .iter()
        .find(|c| c.name == "valid-code")
        .unwrap();
    assert_eq!(case.verdict, Verdict::Pass);
    assert_eq!(outcome.summary.exit_code, 0);
}
