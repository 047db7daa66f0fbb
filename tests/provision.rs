//! `cogbench provision` then `cogbench run` in existing-pool mode, end to end through the
//! binary, against `cogbench emulator` running as a child process: the pool and its clients
//! are made with plain HTTP calls, as a team's own tooling would make them.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, SystemTime};

use serde_json::{Value, json};

use crate::support::{Emulator, bin, call_ok as call, read_json};

/// A pool made the way a team's tooling would make it, and one app client of it.
async fn pool_and_client(endpoint: &str, pool: Value, secret: bool) -> (String, String, String) {
    let out = call(endpoint, "CreateUserPool", pool).await;
    let pool = out["UserPool"]["Id"].as_str().unwrap().to_owned();
    let out = call(
        endpoint,
        "CreateUserPoolClient",
        json!({"UserPoolId": pool, "ClientName": "kept", "GenerateSecret": secret}),
    )
    .await;
    let client = &out["UserPoolClient"];
    (
        pool,
        client["ClientId"].as_str().unwrap().to_owned(),
        client["ClientSecret"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

fn cogbench(args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = Command::new(bin())
        .args(args)
        .envs(env.iter().copied())
        .env_remove("AWS_ENDPOINT_URL")
        .stdin(Stdio::null())
        .output()
        .expect("cogbench runs");
    (
        status.code(),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

/// The CSV's rows as maps, after checking the header is the one existing-pool mode reads.
fn read_rows(file: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(file).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        ["username", "code", "sub", "email", "signed_up_at"],
        "the columns"
    );
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            header
                .iter()
                .cloned()
                .zip(r.iter().map(String::from))
                .collect()
        })
        .collect()
}

fn verdicts(summary: &Value) -> Vec<(String, String)> {
    summary["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_owned(),
                c["verdict"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn provision_then_run_on_a_running_emulator() {
    let emulator = Emulator::start(&[]);
    let ep = &emulator.endpoint;
    let (pool, client, _) = pool_and_client(
        ep,
        json!({"PoolName": "team-pool", "AliasAttributes": ["email"], "AutoVerifiedAttributes": ["email"]}),
        false,
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("kept.yaml");
    std::fs::write(
        &scenario,
        format!(
            "name: kept\n\
             target: {{kind: emulator, endpoint: \"{ep}\"}}\n\
             pool: {{existing: {{id: {pool}, client_id: {client}}}, alias_attributes: [email]}}\n\
             users: {{from_csv: users.csv, username: \"team-{{run}}-{{n}}\", email: \"team+{{run}}-{{n}}@example.com\"}}\n\
             phases: [{{vus: 2, rounds: 3}}]\n\
             mix: {{valid-code: 1, wrong-code: 1, already-confirmed: 1, unknown-user: 1}}\n"
        ),
    )
    .unwrap();
    let before = SystemTime::now() - Duration::from_secs(2);
    // No --output: the list goes where the scenario reads it (users.from_csv).
    let (code, stdout, stderr) = cogbench(
        &["provision", "--scenario", path(&scenario), "--users", "12"],
        &[],
    );
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(
        stderr.contains("12/12 users signed up") && stderr.contains("12 with a code"),
        "progress on stderr: {stderr}"
    );
    let rows = read_rows(&dir.path().join("users.csv"));
    assert_eq!(rows.len(), 12);
    let run_id = rows[0]["username"]
        .strip_prefix("team-")
        .and_then(|r| r.strip_suffix("-0"))
        .expect("named by users.username with a run id")
        .to_owned();
    assert_eq!(run_id.len(), 6);
    for (n, row) in rows.iter().enumerate() {
        assert_eq!(row["username"], format!("team-{run_id}-{n}"));
        assert_eq!(row["email"], format!("team+{run_id}-{n}@example.com"));
        assert!(
            row["code"].len() == 6 && row["code"].bytes().all(|b| b.is_ascii_digit()),
            "{row:?}"
        );
        assert_eq!(row["sub"].len(), 36, "{row:?}");
        assert!(row["signed_up_at"].ends_with('Z'), "{row:?}");
        let at = cogbench::scenario::existing::parse_time(&row["signed_up_at"]).unwrap();
        assert!(at >= before && at <= SystemTime::now(), "{row:?}");
    }
    // The users wait UNCONFIRMED with the codes listed.
    let user = call(
        ep,
        "AdminGetUser",
        json!({"UserPoolId": pool, "Username": rows[3]["username"]}),
    )
    .await;
    assert_eq!(user["UserStatus"], "UNCONFIRMED");
    assert_eq!(
        emulator_code(ep, &pool, &rows[3]["username"]).await,
        rows[3]["code"]
    );

    // A second provision draws a fresh run id: new users, no collision.
    let second = dir.path().join("more.csv");
    let (code, stdout, stderr) = cogbench(
        &[
            "provision",
            "--scenario",
            path(&scenario),
            "--users",
            "3",
            "--output",
            path(&second),
            "--progress",
            "quiet",
        ],
        &[],
    );
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stderr.is_empty(), "--progress quiet: {stderr}");
    let more = read_rows(&second);
    assert_eq!(more.len(), 3);
    assert!(more.iter().all(|r| !r["username"].contains(&run_id)));

    let out = dir.path().join("out");
    let (code, stdout, stderr) = cogbench(
        &[
            "run",
            path(&scenario),
            "--progress",
            "plain",
            "--output-dir",
            path(&out),
        ],
        &[],
    );
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    let summary = read_json(&out.join("summary.json"));
    for (case, verdict) in verdicts(&summary) {
        assert_eq!(verdict, "pass", "{case}: {summary}");
    }
    assert_eq!(summary["plan"]["pool"]["existing"]["id"], pool.as_str());
    // valid-code confirmed some of the listed users: the run used the provisioned ones.
    let mut confirmed = 0;
    for row in &rows {
        let user = call(
            ep,
            "AdminGetUser",
            json!({"UserPoolId": pool, "Username": row["username"]}),
        )
        .await;
        if user["UserStatus"] == "CONFIRMED" {
            confirmed += 1;
        }
    }
    assert!(confirmed >= 3, "{confirmed} listed users confirmed");
}

async fn emulator_code(endpoint: &str, pool: &str, username: &str) -> String {
    cogbench::client::build(&Default::default())
        .unwrap()
        .get(format!("{endpoint}/_emulator/codes/{pool}/{username}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
        .trim()
        .to_owned()
}

#[tokio::test]
async fn a_client_with_a_secret_signs_up_with_secret_hash_and_the_secret_is_never_printed() {
    let emulator = Emulator::start(&[]);
    let ep = &emulator.endpoint;
    let (pool, client, secret) =
        pool_and_client(ep, json!({"PoolName": "secret-pool"}), true).await;
    assert!(!secret.is_empty());
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("secret.yaml");
    std::fs::write(
        &scenario,
        format!(
            "name: secret\n\
             target: {{kind: emulator, endpoint: \"{ep}\"}}\n\
             pool: {{existing: {{id: {pool}, client_id: {client}, client_secret: \"${{COGBENCH_TEST_PROVISION_SECRET}}\"}}}}\n\
             users: {{from_csv: listed.csv}}\n\
             phases: [{{vus: 1, rounds: 2}}]\n\
             mix: {{secret-hash-correct: 1, secret-hash-missing: 1, secret-hash-wrong: 1}}\n"
        ),
    )
    .unwrap();
    let env = [("COGBENCH_TEST_PROVISION_SECRET", secret.as_str())];
    // Without the secret the emulator refuses SignUp: an honest error, exit 3, no list.
    let (code, stdout, stderr) = cogbench(
        &["provision", "--scenario", path(&scenario), "--users", "4"],
        &[("COGBENCH_TEST_PROVISION_SECRET", "not-the-secret")],
    );
    assert_eq!(code, Some(3), "{stdout}{stderr}");
    assert!(
        stderr.contains("SignUp of user #") && stderr.contains("NotAuthorizedException"),
        "{stderr}"
    );
    assert!(stderr.contains("no list was written"), "{stderr}");
    assert!(!dir.path().join("listed.csv").exists());

    let (code, stdout, stderr) = cogbench(
        &[
            "provision",
            "--scenario",
            path(&scenario),
            "--users",
            "6",
            "--endpoint-url",
            ep,
        ],
        &env,
    );
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stderr.contains("with SecretHash"), "{stderr}");
    let printed = format!("{stdout}{stderr}");
    assert!(!printed.contains(&secret), "the client secret was printed");
    let rows = read_rows(&dir.path().join("listed.csv"));
    assert_eq!(rows.len(), 6);
    assert!(rows.iter().all(|r| r["code"].len() == 6));
    let csv_text = std::fs::read_to_string(dir.path().join("listed.csv")).unwrap();
    assert!(!csv_text.contains(&secret));

    let out = dir.path().join("out");
    let (code, stdout, stderr) = cogbench(
        &[
            "run",
            path(&scenario),
            "--progress",
            "plain",
            "--output-dir",
            path(&out),
            "--report",
            "junit",
        ],
        &env,
    );
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(!format!("{stdout}{stderr}").contains(&secret));
    let summary = read_json(&out.join("summary.json"));
    for (case, verdict) in verdicts(&summary) {
        assert_eq!(verdict, "pass", "{case}: {summary}");
    }
}

#[tokio::test]
async fn create_pool_prints_ids_that_a_scenario_then_names() {
    let emulator = Emulator::start(&[]);
    let ep = &emulator.endpoint;
    let dir = tempfile::tempdir().unwrap();
    let scenario = |existing: &str| {
        format!(
            "name: fresh\n\
             target: {{kind: emulator, endpoint: \"{ep}\"}}\n\
             pool: {{username_attributes: [email]{existing}}}\n\
             users: {{from_csv: users.csv}}\n\
             phases: [{{vus: 1, rounds: 2}}]\n\
             mix: {{valid-code: 1, wrong-code: 1}}\n"
        )
    };
    let file = dir.path().join("fresh.yaml");
    std::fs::write(&file, scenario("")).unwrap();
    let (code, stdout, stderr) = cogbench(
        &[
            "provision",
            "--scenario",
            path(&file),
            "--users",
            "4",
            "--create-pool",
        ],
        &[],
    );
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    // stdout is only the snippet for the scenario.
    let snippet = stdout
        .lines()
        .find(|l| l.contains("existing:"))
        .unwrap_or_else(|| panic!("no ids printed: {stdout}"));
    let inner = snippet
        .trim()
        .strip_prefix("existing: {")
        .and_then(|s| s.strip_suffix('}'))
        .unwrap();
    let field = |name: &str| {
        inner
            .split(", ")
            .find_map(|kv| kv.strip_prefix(&format!("{name}: ")))
            .unwrap()
            .to_owned()
    };
    let (pool, client) = (field("id"), field("client_id"));
    let rows = read_rows(&dir.path().join("users.csv"));
    assert_eq!(rows.len(), 4);
    for row in &rows {
        assert_eq!(row["username"], row["email"]);
        assert_eq!(row["code"].len(), 6, "{row:?}");
    }
    // The pool was created as the scenario describes it: usernames are emails, so users are
    // kept under their sub (where the code was read).
    let user = call(
        ep,
        "AdminGetUser",
        json!({"UserPoolId": pool, "Username": rows[0]["email"]}),
    )
    .await;
    assert_eq!(user["Username"], rows[0]["sub"].as_str(), "{user}");

    std::fs::write(
        &file,
        scenario(&format!(", existing: {{id: {pool}, client_id: {client}}}")),
    )
    .unwrap();
    let out = dir.path().join("out");
    let (code, stdout, stderr) = cogbench(
        &[
            "run",
            path(&file),
            "--progress",
            "quiet",
            "--output-dir",
            path(&out),
        ],
        &[],
    );
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    for (case, verdict) in verdicts(&read_json(&out.join("summary.json"))) {
        assert_eq!(verdict, "pass", "{case}");
    }

    // With pool.existing named, --create-pool is refused.
    let (code, _, stderr) = cogbench(
        &[
            "provision",
            "--scenario",
            path(&file),
            "--users",
            "1",
            "--create-pool",
        ],
        &[],
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("already names pool.existing"), "{stderr}");
}

#[tokio::test]
async fn without_a_code_source_the_code_column_stays_empty() {
    let emulator = Emulator::start(&[]);
    let ep = &emulator.endpoint;
    let (pool, client, _) = pool_and_client(ep, json!({"PoolName": "mailed"}), false).await;
    let dir = tempfile::tempdir().unwrap();
    // As against a real pool, whose codes go out by email.
    let scenario = dir.path().join("mailed.yaml");
    std::fs::write(
        &scenario,
        format!(
            "name: mailed\n\
             target: {{kind: endpoint, endpoint: \"{ep}\", codes: {{none: true}}, admin_reads: false}}\n\
             pool: {{existing: {{id: {pool}, client_id: {client}}}}}\n\
             users: {{from_csv: users.csv}}\n\
             phases: [{{vus: 1, rounds: 1}}]\n\
             mix: {{unknown-user: 1}}\n"
        ),
    )
    .unwrap();
    let csv = dir.path().join("mailed.csv");
    let (code, stdout, stderr) = cogbench(
        &[
            "provision",
            "--scenario",
            path(&scenario),
            "--users",
            "3",
            "--output",
            path(&csv),
        ],
        &[],
    );
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(
        stderr.contains("0 with a code") && stderr.contains("code column is empty"),
        "{stderr}"
    );
    let rows = read_rows(&csv);
    assert_eq!(rows.len(), 3);
    assert!(
        rows.iter()
            .all(|r| r["code"].is_empty() && !r["sub"].is_empty())
    );
}

#[test]
fn refusals_come_before_anything_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let file = dir.path().join(name);
        std::fs::write(&file, text).unwrap();
        file
    };
    let phases = "phases: [{vus: 1, rounds: 1}]\nmix: {valid-code: 1}\n";
    // Nothing listens on port 9: a refusal that reached the network would be exit 3.
    let provisioning = write(
        "provisioning.yaml",
        &format!("name: p\ntarget: {{endpoint: \"http://127.0.0.1:9\"}}\n{phases}"),
    );
    let embedded = write(
        "embedded.yaml",
        &format!(
            "name: e\npool: {{existing: {{id: us-east-1_abc, client_id: abc}}}}\nusers: {{from_csv: u.csv}}\n{phases}"
        ),
    );
    let existing = write(
        "existing.yaml",
        &format!(
            "name: x\ntarget: {{endpoint: \"http://127.0.0.1:9\"}}\npool: {{existing: {{id: us-east-1_abc, client_id: abc}}}}\n{phases}"
        ),
    );
    let aws = write(
        "aws.yaml",
        &format!(
            "name: a\ntarget: {{kind: endpoint, endpoint: \"https://cognito-idp.eu-west-1.amazonaws.com\", admin_reads: false}}\n{phases}"
        ),
    );
    let out = dir.path().join("u.csv");
    let out = path(&out);
    for (args, why) in [
        (
            vec![
                "--scenario",
                path(&provisioning),
                "--users",
                "2",
                "--output",
                out,
            ],
            "names none",
        ),
        (
            vec!["--scenario", path(&embedded), "--users", "2"],
            "embedded emulator starts empty",
        ),
        (
            vec![
                "--scenario",
                path(&existing),
                "--users",
                "0",
                "--output",
                out,
            ],
            "--users",
        ),
        (
            vec!["--scenario", path(&existing), "--users", "2"],
            "no users.from_csv to default to",
        ),
        (
            vec![
                "--scenario",
                path(&existing),
                "--users",
                "2",
                "--output",
                "/nonexistent-folder/u.csv",
            ],
            "does not exist",
        ),
        (
            vec![
                "--scenario",
                path(&aws),
                "--users",
                "2",
                "--output",
                out,
                "--create-pool",
            ],
            "signed call",
        ),
        (
            vec![
                "--scenario",
                path(&existing),
                "--users",
                "2",
                "--output",
                out,
                "--target-kind",
                "cognito-local",
            ],
            "needs `data_dir`",
        ),
    ] {
        let mut all = vec!["provision"];
        all.extend(args);
        let (code, stdout, stderr) = cogbench(&all, &[]);
        assert_eq!(code, Some(2), "{all:?}: {stdout}{stderr}");
        assert!(stderr.contains(why), "{all:?}: {stderr}");
    }
    assert!(!Path::new(out).exists());

    // A target that does not answer: exit 3, and no list.
    let (code, _, stderr) = cogbench(
        &[
            "provision",
            "--scenario",
            path(&existing),
            "--users",
            "2",
            "--output",
            out,
        ],
        &[],
    );
    assert_eq!(code, Some(3), "{stderr}");
    assert!(stderr.contains("no user was signed up"), "{stderr}");
    assert!(!Path::new(out).exists());
}
