//! The precedence of the inputs — command line, then environment, then scenario — with an
//! environment of the test's own.

use std::collections::HashMap;
use std::path::PathBuf;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::env::Env;
use crate::exit::Failure;

fn command(args: &[&str]) -> Command {
    let mut argv = vec!["cogbench"];
    argv.extend_from_slice(args);
    Cli::try_parse_from(argv)
        .expect("the command line parses")
        .command
}

/// A scenario file that names its own target and region.
fn scenario(dir: &tempfile::TempDir) -> PathBuf {
    let file = dir.path().join("s.yaml");
    std::fs::write(
        &file,
        "name: t\ntarget: {kind: emulator, endpoint: \"http://127.0.0.1:7001\", region: eu-west-1}\n\
         phases: [{vus: 1, rounds: 1}]\nmix: {wrong-code: 1}\n",
    )
    .unwrap();
    file
}

fn run_plan(args: &[&str], env: &dyn Env) -> Result<super::RunInputs, Failure> {
    match command(args) {
        Command::Run(a) => super::run(&a, env),
        other => panic!("not run: {other:?}"),
    }
}

#[test]
fn the_command_line_comes_before_the_environment_and_the_environment_before_the_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(&dir);
    let file = file.to_str().unwrap();
    let env = HashMap::from([
        ("AWS_ENDPOINT_URL", "http://127.0.0.1:7002"),
        ("AWS_REGION", "us-west-2"),
        ("AWS_DEFAULT_REGION", "ap-south-1"),
    ]);
    // The scenario alone.
    let plan = run_plan(&["run", file], &HashMap::new()).unwrap().plan;
    assert_eq!(
        plan.target.endpoint.as_deref(),
        Some("http://127.0.0.1:7001")
    );
    assert_eq!(plan.region, "eu-west-1");
    // The environment over the scenario.
    let plan = run_plan(&["run", file], &env).unwrap().plan;
    assert_eq!(
        plan.target.endpoint.as_deref(),
        Some("http://127.0.0.1:7002")
    );
    assert_eq!(plan.region, "us-west-2");
    // The command line over the environment.
    let flags = [
        "run",
        file,
        "--endpoint-url",
        "http://127.0.0.1:7003",
        "--region",
        "ca-central-1",
    ];
    let plan = run_plan(&flags, &env).unwrap().plan;
    assert_eq!(
        plan.target.endpoint.as_deref(),
        Some("http://127.0.0.1:7003")
    );
    assert_eq!(plan.region, "ca-central-1");
}

#[test]
fn aws_region_comes_before_aws_default_region_and_empty_variables_count_as_unset() {
    let target = crate::cli::TargetArgs::default();
    let global = crate::cli::GlobalArgs::default();
    let o = |env: &[(&str, &str)]| {
        let env: HashMap<&str, &str> = env.iter().copied().collect();
        super::target_overrides(&target, Some(&global), &env)
    };
    assert_eq!(
        o(&[("AWS_DEFAULT_REGION", "b")]).region.as_deref(),
        Some("b")
    );
    assert_eq!(
        o(&[("AWS_REGION", "a"), ("AWS_DEFAULT_REGION", "b")])
            .region
            .as_deref(),
        Some("a")
    );
    assert_eq!(
        o(&[("AWS_REGION", ""), ("AWS_DEFAULT_REGION", "b")])
            .region
            .as_deref(),
        Some("b")
    );
    let none = o(&[("AWS_ENDPOINT_URL", ""), ("AWS_CA_BUNDLE", "")]);
    assert_eq!((none.endpoint_url, none.ca_bundle), (None, None));
    let set = o(&[("AWS_CA_BUNDLE", "/ca.pem")]);
    assert_eq!(set.ca_bundle, Some(PathBuf::from("/ca.pem")));
    let flag = super::target_overrides(
        &target,
        Some(&crate::cli::GlobalArgs {
            ca_bundle: Some("/flag.pem".into()),
            ..global.clone()
        }),
        &HashMap::from([("AWS_CA_BUNDLE", "/ca.pem")]),
    );
    assert_eq!(flag.ca_bundle, Some(PathBuf::from("/flag.pem")));
}

#[test]
fn provision_reads_the_environment_though_it_has_no_global_options() {
    let env = HashMap::from([
        ("AWS_ENDPOINT_URL", "http://127.0.0.1:7002"),
        ("AWS_REGION", "us-west-2"),
        ("AWS_CA_BUNDLE", "/ca.pem"),
    ]);
    let Command::Provision(args) = command(&[
        "provision",
        "--scenario",
        "s.yaml",
        "--users",
        "3",
        "--data-dir",
        "d",
    ]) else {
        panic!("not provision")
    };
    let o = super::provision(&args, &env);
    assert_eq!(
        o.overrides.endpoint_url.as_deref(),
        Some("http://127.0.0.1:7002")
    );
    assert_eq!(o.overrides.data_dir.as_deref(), Some("d"));
    assert_eq!(o.overrides.region.as_deref(), Some("us-west-2"));
    assert_eq!(o.overrides.ca_bundle, Some(PathBuf::from("/ca.pem")));
}

#[test]
fn diff_keeps_each_scenarios_own_target_whatever_the_environment_says() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(&dir);
    let file = file.to_str().unwrap();
    let out = dir.path().join("out");
    let env = HashMap::from([("AWS_ENDPOINT_URL", "http://127.0.0.1:7002")]);
    let Command::Diff(args) = command(&["diff", file, file, "--output-dir", out.to_str().unwrap()])
    else {
        panic!("not diff")
    };
    let d = super::diff(&args, &env).unwrap();
    for plan in [&d.left, &d.right] {
        assert_eq!(
            plan.target.endpoint.as_deref(),
            Some("http://127.0.0.1:7001")
        );
    }
}

fn bench_inputs(args: &[&str], env: &dyn Env) -> Result<super::BenchInputs, Failure> {
    let mut argv = vec!["bench"];
    argv.extend_from_slice(args);
    match command(&argv) {
        Command::Bench(a) => super::bench(&a, env),
        other => panic!("not bench: {other:?}"),
    }
}

/// What `bench ARGS --print-scenario` prints.
fn bench_text(args: &[&str], env: &dyn Env) -> String {
    match bench_inputs(&[args, &["--print-scenario"]].concat(), env).unwrap() {
        super::BenchInputs::Print(text) => text,
        super::BenchInputs::Run { .. } => panic!("--print-scenario runs nothing"),
    }
}

#[test]
fn bench_prints_the_environments_endpoint_as_its_scenarios() {
    let env = HashMap::from([("AWS_ENDPOINT_URL", "http://127.0.0.1:7002")]);
    assert!(bench_text(&[], &env).contains("http://127.0.0.1:7002"));
    let flagged = bench_text(&["--endpoint-url", "http://127.0.0.1:7003"], &env);
    assert!(flagged.contains("http://127.0.0.1:7003"), "{flagged}");
    assert!(!bench_text(&[], &HashMap::new()).contains("target:"));
}

/// The plan bench runs is the plan `cogbench run` makes of the scenario --print-scenario shows
/// (read with bench's catalog, which adds `raw`), whatever characters the values hold.
#[test]
fn bench_runs_the_scenario_it_prints() {
    let env = HashMap::new();
    let endpoint = "http://127.0.0.1:7003";
    let odd_endpoint = "http://127.0.0.1:7003/a: {b}, 'c' \"d\" e";
    for args in [
        &[][..],
        &["--rate", "50"],
        &["--rate", "2.5", "--max-in-flight", "7", "-c", "3"],
        &["--max-in-flight", "7"],
        &["--case", "raw"],
        &["--case", "raw", "--endpoint-url", endpoint],
        &["--case", "raw", "--endpoint-url", odd_endpoint],
        &["--endpoint-url", endpoint, "--rate", "10", "-z", "1.5s"],
        &["--http-version", "2", "-c", "2", "-z", "1m"],
        &["--case", "wrong-code", "--duration", " 500ms"],
    ] {
        let text = bench_text(args, &env);
        let Ok(super::BenchInputs::Run { plan, .. }) = bench_inputs(args, &env) else {
            panic!("{args:?} does not run")
        };
        let mut read = crate::scenario::parse(
            &text,
            std::path::Path::new("printed.yaml"),
            std::sync::Arc::new(crate::bench::catalog()),
            &crate::scenario::Overrides::default(),
        )
        .unwrap_or_else(|e| panic!("{args:?}: {e}\n{text}"));
        read.file = plan.file.clone();
        assert_eq!(format!("{read:?}"), format!("{plan:?}"), "{args:?}\n{text}");
    }
    let odd = bench_text(&["--case", "raw", "--endpoint-url", odd_endpoint], &env);
    assert!(odd.contains("endpoint: "), "{odd}");
}

/// A flag value is a value, never YAML: one that reads as YAML syntax is refused naming its
/// flag (exit 2), before anything is built or printed.
#[test]
fn bench_refuses_a_bad_flag_value_by_the_flags_name() {
    let env = HashMap::new();
    for (flag, args) in [
        ("--case", &["--case", "a: 1"][..]),
        ("--case", &["--case", "raw}\nphases: []\nx: {"]),
        ("--case", &["--case", "unknown-user: 1, valid-code"]),
        ("--duration", &["--duration", "10s}, x: ["]),
        ("--duration", &["--duration", "10s\nmix: all"]),
        ("--duration", &["-z", "0s"]),
        ("--duration", &["-z", "[1s]"]),
        (
            "--endpoint-url",
            &["--endpoint-url", "http://127.0.0.1:9\", x: \""],
        ),
        ("--endpoint-url", &["--endpoint-url", "{kind: emulator}"]),
        ("--http-version", &["--http-version", "2}, x: ["]),
        ("--http-version", &["--http-version", "1.1\"\nphases: []"]),
        ("--http-version", &["--http-version", "3"]),
        ("--rate", &["--rate", "NaN"]),
        ("--rate", &["-q=-4"]),
        ("--connections", &["-c", "0"]),
        ("--connections", &["-c", "10000000"]),
        ("--max-in-flight", &["--rate", "5", "--max-in-flight", "0"]),
        // The default --max-in-flight is 16 × connections: only --connections set it.
        ("--connections", &["--rate", "5", "-c", "10000"]),
    ] {
        for print in [&[][..], &["--print-scenario"]] {
            let args = [args, print].concat();
            let e = bench_inputs(&args, &env).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{args:?}: {e}");
            assert!(
                e.to_string().starts_with(&format!("{flag}: ")),
                "{args:?}: {e}"
            );
        }
    }
}

#[test]
fn bad_inputs_are_exit_2_and_keep_leaves_the_pools() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(&dir);
    let file = file.to_str().unwrap();
    let env = HashMap::new();
    for (flag, value) in [
        ("--cli-read-timeout", "0"),
        ("--grace-period", "-1"),
        ("--report", "pdf"),
        ("--fail-on", "sure"),
        ("--query", "[["),
    ] {
        let e = run_plan(&["run", file, &format!("{flag}={value}")], &env).unwrap_err();
        assert_eq!(e.exit_code(), 2, "{flag}: {e}");
        assert!(e.to_string().starts_with(flag), "{flag}: {e}");
    }
    let kept = run_plan(&["run", file, "--keep"], &env).unwrap().plan;
    assert!(kept.pools.iter().all(|p| !p.pool.delete_after));
    let plain = run_plan(&["run", file], &env).unwrap().plan;
    assert!(plain.pools.iter().all(|p| p.pool.delete_after));
}

/// Kind aws, planned only: nothing here is sent, to AWS or anywhere.
mod aws_kind {
    use super::*;

    const PHASES: &str = "phases: [{vus: 1, rounds: 1, think_time: 1s}]\n";
    const CODES: &str = "codes: {command: \"read-code {pool} {username}\"}";

    fn plan(
        yaml: &str,
        flags: &[&str],
        env: &[(&str, &str)],
    ) -> Result<crate::scenario::Plan, String> {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("s.yaml");
        std::fs::write(&file, format!("name: t\n{yaml}")).unwrap();
        std::fs::write(
            dir.path().join("users.csv"),
            "username,code\nu1,111111\nu2,222222\n",
        )
        .unwrap();
        let env: HashMap<&str, &str> = env.iter().copied().collect();
        let args = [&["run", file.to_str().unwrap()], flags].concat();
        run_plan(&args, &env)
            .map(|i| i.plan)
            .map_err(|e| e.to_string())
    }

    fn endpoint(yaml_target: &str, flags: &[&str], env: &[(&str, &str)]) -> String {
        let yaml = format!(
            "target: {{kind: aws, {yaml_target}{CODES}}}\n{PHASES}mix: {{wrong-code: 1}}\n"
        );
        let plan = plan(&yaml, flags, env).unwrap();
        assert_eq!(plan.target.kind.as_str(), "aws");
        plan.target.endpoint.unwrap()
    }

    #[test]
    fn the_endpoint_is_the_regions_unless_one_is_given() {
        assert_eq!(
            endpoint("region: eu-west-1, ", &[], &[]),
            "https://cognito-idp.eu-west-1.amazonaws.com"
        );
        assert_eq!(
            endpoint("region: eu-west-1, fips: true, ", &[], &[]),
            "https://cognito-idp-fips.eu-west-1.amazonaws.com"
        );
        assert_eq!(
            endpoint("region: cn-north-1, dual_stack: true, ", &[], &[]),
            "https://cognito-idp.cn-north-1.api.amazonwebservices.com.cn"
        );
        // --region and the AWS CLI's environment, as for every command.
        assert_eq!(
            endpoint("region: eu-west-1, ", &["--region", "us-gov-west-1"], &[]),
            "https://cognito-idp.us-gov-west-1.amazonaws.com"
        );
        assert_eq!(
            endpoint(
                "",
                &[],
                &[
                    ("AWS_REGION", "ca-central-1"),
                    ("AWS_USE_FIPS_ENDPOINT", "true"),
                    ("AWS_USE_DUALSTACK_ENDPOINT", "TRUE")
                ]
            ),
            "https://cognito-idp-fips.ca-central-1.api.aws"
        );
        // An explicit endpoint (a VPC endpoint) wins, and the environment's FIPS is then left
        // alone rather than refused.
        let vpce = "https://vpce-0a1b-x.cognito-idp.eu-west-1.vpce.amazonaws.com";
        assert_eq!(
            endpoint(
                &format!("region: eu-west-1, endpoint: \"{vpce}\", "),
                &[],
                &[("AWS_USE_FIPS_ENDPOINT", "true")]
            ),
            vpce
        );
        assert_eq!(
            endpoint(
                "",
                &[
                    "--region",
                    "eu-west-1",
                    "--endpoint-url",
                    "http://127.0.0.1:7001"
                ],
                &[]
            ),
            "http://127.0.0.1:7001"
        );
        // --target-kind makes a scenario's target a real pool.
        let yaml = format!("target: {{region: eu-north-1}}\n{PHASES}mix: {{unknown-user: 1}}\n");
        let plan = plan(&yaml, &["--target-kind", "aws"], &[]);
        let e = plan.err().unwrap();
        assert!(e.contains("kind aws needs a way to its codes"), "{e}");
    }

    #[test]
    fn what_cannot_be_planned_is_refused_with_its_reason() {
        let refused = |yaml: &str, flags: &[&str]| {
            plan(
                &format!("{yaml}\n{PHASES}mix: {{wrong-code: 1}}\n"),
                flags,
                &[],
            )
            .unwrap_err()
        };
        let e = refused(&format!("target: {{kind: aws, {CODES}}}"), &[]);
        assert!(
            e.contains("kind aws needs `region` (or --region, AWS_REGION)"),
            "{e}"
        );
        let e = refused("target: {kind: aws, region: eu-west-1}", &[]);
        assert!(
            e.contains("pool.existing with users.from_csv")
                && e.contains("{http: URL-template}")
                && e.contains("{command: template}"),
            "{e}"
        );
        let e = refused(
            "target: {kind: aws, region: eu-west-1, codes: {fixed: \"123456\"}}",
            &[],
        );
        assert!(e.contains("checks every code"), "{e}");
        let e = refused(
            &format!(
                "target: {{kind: aws, region: eu-west-1, fips: true, endpoint: \"https://x.example\", {CODES}}}"
            ),
            &[],
        );
        assert!(e.contains("leave them out"), "{e}");
        let e = refused(
            &format!("target: {{kind: aws, region: us-iso-east-1, {CODES}}}"),
            &[],
        );
        assert!(e.contains("isolated partition"), "{e}");
        let e = refused(
            "target: {kind: endpoint, endpoint: \"http://127.0.0.1:7001\", fips: true}",
            &[],
        );
        assert!(e.contains("`fips` belongs to kind: aws"), "{e}");
        let e = refused(
            &format!("target: {{kind: aws, region: eu-west-1, {CODES}}}"),
            &["--no-sign-request"],
        );
        assert!(
            e.contains("--no-sign-request: kind aws refuses unsigned"),
            "{e}"
        );
        // The quota guard is on whatever the endpoint (here a proxy on this machine).
        let e = plan(
            &format!("target: {{kind: aws, region: eu-west-1, endpoint: \"http://127.0.0.1:7001\", {CODES}}}\nphases: [{{executor: constant-arrival-rate, rate: 60, duration: 1s}}]\nmix: {{wrong-code: 1}}\n"),
            &[],
            &[],
        )
        .unwrap_err();
        assert!(
            e.contains("UserCreation") && e.contains("60 requests per second"),
            "{e}"
        );
    }

    /// Pre-provisioned users need no code source, and a plan sending no signed call takes
    /// --no-sign-request.
    #[test]
    fn listed_users_in_an_existing_pool_are_a_code_source() {
        let yaml = format!(
            "target: {{kind: aws, region: eu-west-1, admin_reads: false}}\n\
             pool: {{existing: {{id: eu-west-1_Abc123, client_id: c1}}}}\nusers: {{from_csv: users.csv}}\n{PHASES}mix: {{wrong-code: 1}}\n"
        );
        let plan = plan(&yaml, &["--no-sign-request"], &[]).unwrap();
        assert_eq!(plan.target.codes, crate::target_kinds::CodeSource::None);
        assert!(!plan.sends_signed_calls());
    }

    #[test]
    fn cases_a_real_pool_cannot_host_are_skipped_with_the_kinds_reasons() {
        let skips = |extra: &str| {
            let yaml = format!(
                "target: {{kind: aws, region: eu-west-1, {extra}{CODES}}}\n{PHASES}mix: {{expired-code: 1, resend-old-code: 1, resend-new-code: 1, valid-code: 1}}\n"
            );
            let plan = plan(&yaml, &[], &[]).unwrap();
            plan.mix
                .iter()
                .map(|m| (plan.catalog.cases[m.case].id.clone(), m.skip.clone()))
                .collect::<Vec<_>>()
        };
        let got = skips("");
        let why = |id: &str| got.iter().find(|(c, _)| c == id).unwrap().1.clone();
        let expired = why("expired-code").unwrap();
        assert!(
            expired.contains("clock cannot be moved") && expired.contains("24 h"),
            "{expired}"
        );
        let resend = why("resend-new-code").unwrap();
        assert!(resend.contains("resend_codes: true"), "{resend}");
        assert_eq!(why("resend-old-code").as_deref(), Some(resend.as_str()));
        assert_eq!(why("valid-code"), None);
        // Declared: the resend cases run.
        let declared = skips("resend_codes: true, ");
        assert!(
            declared.iter().filter(|(_, s)| s.is_none()).count() == 3,
            "{declared:?}"
        );
    }
}
