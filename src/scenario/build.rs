//! Building the plan from the scenario as written: the target, the pools and their variants,
//! the mix with its skipped cases, the users and the HTTP client settings.

use std::path::PathBuf;
use std::sync::Arc;

use super::existing;
use super::model::{Mix, RawScenario};
use super::phase::{Load, Phase, Stop};
use super::pool_def::Attribute;
use super::shard::Shard;
use super::values::Template;
use std::time::Duration;

use super::plan::{
    MixEntry, Overrides, Plan, PoolPlan, PoolRun, SignUpPlan, Signing, TargetPlan, UsersPlan,
};
use super::reports::Format;
use super::sizing::{fit_to_listed, size_users};
use super::skip::{existing_skip, skip_reason};
use crate::cases::{Capability, Catalog, PoolVariant};
use crate::client::ClientSettings;
use crate::target_kinds::{CodeInputs, CodeSource, TargetKind, aws};

/// The target from the scenario and the command line (which wins). `pre_provisioned`: the
/// users come from `pool.existing` and a list, with their codes.
fn target_plan(
    def: Option<&super::target_def::TargetDef>,
    o: &Overrides,
    pre_provisioned: bool,
) -> Result<TargetPlan, String> {
    if let Some(t) = &o.target {
        return Ok(t.clone());
    }
    let endpoint = match &o.endpoint_url {
        Some(url) => {
            super::target_def::check_endpoint(url).map_err(|e| format!("--endpoint-url: {e}"))?;
            Some(url.clone())
        }
        None => def.and_then(|d| d.endpoint.clone()),
    }
    .map(|e| e.trim_end_matches('/').to_owned());
    let scenario_kind = def.and_then(|d| d.kind);
    let kind = match (&o.target_kind, scenario_kind) {
        (Some(k), _) => TargetKind::parse(k).map_err(|e| format!("--target-kind: {e}"))?,
        (None, Some(k)) if k.in_process && endpoint.is_some() => TargetKind::AT_ENDPOINT,
        (None, Some(k)) => k,
        (None, None) if endpoint.is_some() => TargetKind::AT_ENDPOINT,
        (None, None) => TargetKind::EMBEDDED,
    };
    let variant = aws::Variant {
        fips: def.and_then(|d| d.fips).unwrap_or(false),
        dual_stack: def.and_then(|d| d.dual_stack).unwrap_or(false),
    };
    // The environment's choice, as the AWS CLI's, for an endpoint built from the region only:
    // one set for every tool must not refuse an explicit endpoint.
    let built_variant = aws::Variant {
        fips: o.use_fips.unwrap_or(variant.fips),
        dual_stack: o.use_dual_stack.unwrap_or(variant.dual_stack),
    };
    let resend_codes = def.and_then(|d| d.resend_codes).unwrap_or(false);
    if !kind.from_region {
        let given = [
            ("fips", def.and_then(|d| d.fips).is_some()),
            ("dual_stack", def.and_then(|d| d.dual_stack).is_some()),
            ("resend_codes", def.and_then(|d| d.resend_codes).is_some()),
        ];
        if let Some((key, _)) = given.iter().find(|(_, g)| *g) {
            return Err(format!(
                "target: `{key}` belongs to kind aws (a real pool), not {}",
                kind.as_str()
            ));
        }
    }
    // The region signs every call (a VPC endpoint's too) and names the endpoint when none is
    // given: a real pool is not sent to a default Region.
    let region = if kind.from_region {
        let region = match &o.region {
            Some(r) => Some((r, "--region")),
            None => def
                .and_then(|d| d.region.as_ref())
                .map(|r| (r, "target.region")),
        };
        let Some((region, from)) = region else {
            return Err(format!(
                "target: kind {} needs `region` (or --region, AWS_REGION): the Region of the pool, which its endpoint and signatures name",
                kind.as_str()
            ));
        };
        super::target_def::check_region(region).map_err(|e| format!("{from}: {e}"))?;
        Some(region)
    } else {
        None
    };
    let endpoint = match (kind.in_process, endpoint, region) {
        (true, Some(_), _) => {
            return Err(
                "target: the embedded emulator starts in-process and takes no endpoint".into(),
            );
        }
        // As botocore's ruleset: a custom endpoint is not combined with FIPS or dual-stack
        // (spec §1.1); it is used as given.
        (false, Some(_), _) if variant.fips || variant.dual_stack => {
            return Err("target: `fips` and `dual_stack` choose the endpoint of the region; with an explicit endpoint (target.endpoint or --endpoint-url) leave them out, as the AWS SDKs refuse a custom endpoint with either".into());
        }
        (false, None, Some(region)) => Some(
            aws::endpoint(region, built_variant)
                .map_err(|e| format!("target: {e}"))?
                .trim_end_matches('/')
                .to_owned(),
        ),
        (false, None, None) => {
            return Err(format!(
                "target: kind {} needs `endpoint` (or --endpoint-url)",
                kind.as_str()
            ));
        }
        (_, e, _) => e,
    };
    let configured = def.map(|d| d.configured.clone()).unwrap_or_default();
    if !configured.is_empty() {
        check_configured(kind, &configured)?;
    }
    let data_dir = o
        .data_dir
        .clone()
        .or_else(|| def.and_then(|d| d.data_dir.clone()));
    let scenario_codes = def.and_then(|d| d.codes.clone());
    let codes = (kind.codes)(CodeInputs {
        data_dir,
        scenario_codes,
        pre_provisioned,
    })?;
    Ok(TargetPlan {
        kind,
        endpoint,
        codes,
        admin_reads: def.and_then(|d| d.admin_reads).unwrap_or(true),
        faults: if kind.in_process {
            def.and_then(|d| d.faults.clone())
        } else {
            None
        },
        quota: if kind.in_process {
            def.and_then(|d| d.quota.clone())
        } else {
            None
        },
        lambda_endpoint: if kind.in_process {
            def.and_then(|d| d.lambda_endpoint.clone())
        } else {
            None
        },
        resend_codes,
        configured,
    })
}

/// `target.configured` declares what cogbench cannot set up itself: the emulator's pools it
/// sets up itself, and some kinds cannot have some set-ups at all (the kind says which it can).
fn check_configured(kind: TargetKind, configured: &[PoolVariant]) -> Result<(), String> {
    for v in configured {
        let Some(need) = v.needs() else { continue };
        if kind.configurable.contains(&need) {
            continue;
        }
        let why = match kind.why_not(need) {
            Some(why) => why.to_owned(),
            None => format!(
                "cogbench sets up the pools of kind {} itself (leave `configured` out)",
                kind.as_str()
            ),
        };
        return Err(format!(
            "target: configured: {} cannot be declared for kind {}: {why}",
            v.as_str(),
            kind.as_str()
        ));
    }
    Ok(())
}

/// Why a real pool cannot take `--no-sign-request` for this plan.
fn check_signing(plan: &Plan, overrides: &Overrides) -> Result<(), String> {
    if plan.target.kind.real_pool && overrides.no_sign_request && plan.sends_signed_calls() {
        return Err(format!(
            "--no-sign-request: kind {} refuses unsigned CreateUserPool, CreateUserPoolClient, AdminGetUser and DeleteUserPool (spec §5), which this plan sends; \
             drop the flag and give credentials, or use pool.existing with users.from_csv and admin_reads: false (then only ConfirmSignUp is sent, which is never signed)",
            plan.target.kind.as_str()
        ));
    }
    Ok(())
}

/// `--duration`: the one phase of the scenario, at a steady load (virtual users for a
/// duration, or a constant arrival rate), runs for `length`. Anything else is refused rather
/// than guessed at: which phase of several, or which stage of a ramp, would it stretch?
fn set_length(phases: &mut [Phase], length: Duration) -> Result<(), String> {
    let refuse = |why: &str| {
        Err(format!(
            "--duration sets the length of a scenario with one phase at a steady load; {why}"
        ))
    };
    if length.is_zero() {
        return Err("--duration must be longer than 0s".into());
    }
    let [phase] = phases else {
        return refuse(&format!("this one has {} phases", phases.len()));
    };
    match &mut phase.load {
        Load::Closed {
            stop: Stop::Duration(d),
            ..
        } => *d = length,
        Load::Open {
            start_rate, stages, ..
        } if stages.len() == 1 && stages[0].target == *start_rate => stages[0].duration = length,
        Load::Closed { .. } => {
            return refuse(&format!(
                "phase `{}` ends after a number of iterations or rounds, not a duration",
                phase.name
            ));
        }
        Load::Open { .. } | Load::RampingVus { .. } => {
            return refuse(&format!("phase `{}` ramps its load in stages", phase.name));
        }
    }
    Ok(())
}

pub(super) fn build(
    mut raw: RawScenario,
    file: PathBuf,
    catalog: Arc<Catalog>,
    overrides: &Overrides,
) -> Result<Plan, String> {
    let catalog = match raw.race_size {
        None => catalog,
        Some(n) => {
            let mut resized = (*catalog).clone();
            for case in &mut resized.cases {
                if let Some(r) = &mut case.repeat
                    && r.concurrent
                {
                    r.count = n.0;
                }
            }
            Arc::new(resized)
        }
    };
    let pre_provisioned = raw.pool.existing.is_some() && raw.users.from_csv.is_some();
    let target = target_plan(raw.target.as_ref(), overrides, pre_provisioned)?;
    let region = region_of(raw.target.as_ref(), overrides)?;
    let pool = raw.pool;
    check_naming(
        &raw.users.username,
        &raw.users.email,
        &pool,
        overrides.shard,
    )?;
    if let Some(length) = overrides.duration {
        set_length(&mut raw.phases.0, length)?;
    }
    // Against AWS the quota is the account's: the whole scenario's rate counts, not a shard's.
    let phases: Vec<Phase> = match overrides.shard {
        None => raw.phases.0.clone(),
        Some(s) => raw.phases.0.iter().map(|p| s.split(p)).collect(),
    };
    let now = std::time::SystemTime::now();
    let listed = match (&pool.existing, &raw.users.from_csv) {
        (None, None) => None,
        (None, Some(_)) => {
            return Err("users.from_csv lists users of a pool that already exists: name it in pool.existing (id, client_id, client_secret)".into());
        }
        (Some(_), None) => {
            return Err("pool.existing needs users.from_csv: a CSV of users signed up beforehand (columns username, code, sub, email, signed_up_at)".into());
        }
        (Some(_), Some(path)) => {
            if let Some(why) = target.kind.refuses_existing_pool {
                return Err(why.into());
            }
            // Each shard signs in with its own listed users, dealt round-robin in file order.
            Some(existing::check_csv(
                &file,
                path,
                overrides.shard,
                now,
                // A live row's code must last the load (its length when time bounds it).
                std::time::Duration::from_secs_f64(
                    super::on_demand::load_seconds(&phases).unwrap_or(0.0),
                ),
                pool.case_sensitive,
            )?)
        }
    };
    let mut capabilities = target.capabilities();
    if let Some(listed) = &listed {
        let no_code_source = "users.from_csv: some rows have no code and the target has no code source (target.codes); give every row a code or none";
        // As for this run's rows: a shard's part must not hide a row without a code.
        if listed.whole_coded != 0
            && listed.whole_coded != listed.whole
            && target.codes == CodeSource::None
        {
            return Err(no_code_source.into());
        }
        if let Some(s) = overrides.shard
            && listed.rows == 0
        {
            return Err(format!(
                "--shard {s}: users.from_csv lists {} users, fewer than the {} shards; each shard needs users of its own",
                listed.whole, s.count
            ));
        }
        // Expired codes come from the listed users' age (signed_up_at), not from a clock.
        if !capabilities.contains(&Capability::AdvanceClock) {
            capabilities.push(Capability::AdvanceClock);
        }
        // Listed users arrive with their codes, or the target's code source finds them.
        if listed.coded == listed.rows {
            capabilities.push(Capability::ReadCodes);
        } else if target.codes == CodeSource::None && listed.coded != 0 {
            return Err(no_code_source.into());
        }
    }
    if target.kind.real_pool && !target.configured.is_empty() && pool.existing.is_none() {
        return Err(format!(
            "target: `configured` declares what the owner set up in an existing pool; kind {} needs pool.existing with it (the pools cogbench creates have none of it)",
            target.kind.as_str()
        ));
    }
    let mut variants: Vec<(PoolVariant, PoolPlan)> = vec![(PoolVariant::Scenario, pool.clone())];
    let mix: Vec<MixEntry> = match raw.mix {
        Mix::All => (0..catalog.cases.len())
            .map(|case| (case, 1))
            .collect::<Vec<_>>(),
        Mix::Weighted(entries) => entries
            .into_iter()
            .map(|(id, w)| (catalog.index_of(&id).expect("checked while parsing"), w))
            .collect(),
    }
    .into_iter()
    .map(|(case, weight)| {
        let variant = match catalog.cases[case].pool {
            // A pool that already compares usernames case-insensitively serves as it is.
            PoolVariant::CaseInsensitive if !pool.case_sensitive => PoolVariant::Scenario,
            // So does a pool whose owner set up what the case needs.
            v if target.configured.contains(&v) => PoolVariant::Scenario,
            v => v,
        };
        // A variant pool is created only for a case that runs in it.
        let candidate = match variants.iter().position(|(v, _)| *v == variant) {
            Some(i) => Ok(i),
            // An existing pool has no variants; such cases are skipped below.
            None if pool.existing.is_some() => Ok(0),
            None => {
                let mut p = pool.clone();
                p.set_up_as(variant);
                p.name = p.name.map(|n| format!("{n}-{}", variant.as_str()));
                Err(p)
            }
        };
        let skip = match &pool.existing {
            Some(e) => existing_skip(
                &catalog.cases[case],
                variant,
                e,
                listed.as_ref().map_or(0, |l| l.expired),
            ),
            None => None,
        }
        .or_else(|| {
            let planned = match &candidate {
                Ok(i) => &variants[*i].1,
                Err(p) => p,
            };
            skip_reason(
                &catalog.cases[case],
                planned,
                &capabilities,
                target.kind.spec(),
            )
        });
        let index = match candidate {
            Ok(i) => i,
            Err(_) if skip.is_some() => 0,
            Err(p) => {
                variants.push((variant, p));
                variants.len() - 1
            }
        };
        MixEntry {
            case,
            pool: index,
            weight,
            skip,
        }
    })
    .collect();
    check_request_sizes(&mix, &catalog, &raw.request.0)?;
    let mix: Vec<MixEntry> = match &overrides.cases {
        None => mix,
        Some(patterns) => {
            let patterns: Vec<&str> = patterns
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .collect();
            let kept: Vec<MixEntry> = mix
                .into_iter()
                .filter(|m| patterns.iter().any(|p| glob(p, &catalog.cases[m.case].id)))
                .collect();
            if kept.is_empty() {
                return Err(format!(
                    "--cases `{}` matches no case of the mix (`cogbench cases` lists them)",
                    patterns.join(",")
                ));
            }
            kept
        }
    };
    // A variant pool that no case left in the mix runs in (`--cases` took them out) is not
    // created: on a real target each is a CreateUserPool call and three clients.
    let mut mix = mix;
    let mut renumbered = vec![None; variants.len()];
    let mut kept_variants = Vec::with_capacity(variants.len());
    for (i, v) in variants.into_iter().enumerate() {
        if i == 0 || mix.iter().any(|m| m.pool == i) {
            renumbered[i] = Some(kept_variants.len());
            kept_variants.push(v);
        }
    }
    let variants = kept_variants;
    for m in &mut mix {
        m.pool = renumbered[m.pool].expect("a pool a case runs in is kept");
    }
    if mix.iter().all(|m| m.skip.is_some()) {
        return Err(format!(
            "mix: every case is skipped on this target and pool ({})",
            mix.iter()
                .filter_map(|m| m.skip.clone())
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }

    // Against AWS the quota is the account's: the whole scenario's rate counts, not a shard's,
    // and every ConfirmSignUp of a start counts (a race sends several).
    if (target.kind.real_pool || target.endpoint.as_deref().is_some_and(super::quota::is_aws))
        && !overrides.allow_above_quota
        && let Some(refusal) = super::quota::check(
            &raw.phases.0,
            super::quota::requests_per_start(&mix, &catalog),
        )
    {
        return Err(refusal);
    }

    for t in &raw.thresholds {
        if let Some(case) = &t.case {
            let in_mix = mix.iter().any(|m| catalog.cases[m.case].id == *case);
            if !in_mix {
                return Err(format!(
                    "thresholds: `{t}` names case `{case}`, which is not in the mix"
                ));
            }
        }
    }

    let listed = listed.map(Arc::new);
    let mut pools = Vec::with_capacity(variants.len());
    for (i, (variant, pool)) in variants.into_iter().enumerate() {
        let mut users = size_users(&raw.users, &phases, &mix, i, &catalog, overrides.shard)?;
        check_attempt_limit(&users, &mix, i, &catalog)?;
        if let Some(listed) = &listed {
            fit_to_listed(
                &mut users,
                listed,
                raw.users.from_csv.as_deref().unwrap_or(""),
            )?;
            users.listed = Some(listed.clone());
        }
        pools.push(PoolRun {
            variant,
            pool,
            users,
        });
    }
    // Users supplied on demand are never all held at once: only those made before the load
    // count against the limit.
    let signups: u64 = pools
        .iter()
        .map(|p| {
            p.users
                .total_signups()
                .saturating_sub(super::on_demand::on_demand_signups(
                    &phases,
                    target.kind.real_pool || !p.users.on_demand,
                    |slot| p.users.count(slot),
                    |slot| p.users.signups_of(slot),
                ))
        })
        .sum();
    if signups > super::values::MAX_USERS {
        return Err(format!(
            "users: the plan needs {signups} sign-ups before the load, above the limit of {}; shorten the phases or lower the rate",
            super::values::MAX_USERS
        ));
    }

    let http = http_of(&raw.http, default_connections(&phases), overrides)?;

    let plan = Plan {
        name: raw.name.0,
        description: raw.description,
        file,
        target,
        region,
        pools,
        phases,
        mix,
        thresholds: raw.thresholds,
        retry: raw.retry,
        compare: (
            raw.compare.max_p99_increase.map(|p| p.0),
            raw.compare.max_throughput_drop.map(|p| p.0),
        ),
        reports: {
            let mut r: Vec<Format> = if raw.reports.is_empty() {
                vec![Format::Json, Format::Csv]
            } else {
                raw.reports.iter().map(|n| n.0).collect()
            };
            r.extend(overrides.reports.iter().copied());
            r.push(Format::Json);
            r.sort();
            r.dedup();
            r
        },
        http,
        postconditions: raw.judge.postconditions.0,
        request: raw.request.0,
        catalog,
        shard: overrides.shard,
        signing: if overrides.no_sign_request {
            Signing::Off
        } else {
            Signing::Chain {
                profile: overrides.profile.clone(),
            }
        },
    };
    check_signing(&plan, overrides)?;
    Ok(plan)
}

fn region_of(
    target: Option<&super::target_def::TargetDef>,
    overrides: &Overrides,
) -> Result<String, String> {
    Ok(match &overrides.region {
        Some(r) => {
            super::target_def::check_region(r).map_err(|e| format!("--region: {e}"))?;
            r.clone()
        }
        None => target
            .and_then(|t| t.region.clone())
            .unwrap_or_else(|| "us-east-1".to_owned()),
    })
}

/// Each case of the mix as sent, with the scenario's `request:` members: the two may fit
/// apart and not together. Sizes are taken once per member, not once per case.
fn check_request_sizes(
    mix: &[MixEntry],
    catalog: &Catalog,
    members: &[(String, crate::cases::Value)],
) -> Result<(), String> {
    use crate::cases::{Value, check_request_size, member_size};
    let extra: Vec<(&str, usize, bool)> = members
        .iter()
        .map(|(n, v)| (n.as_str(), member_size(n, v), *v == Value::Omit))
        .collect();
    for entry in mix {
        let case = &catalog.cases[entry.case];
        // As Case::with_members merges them: a scenario member replaces the case's default
        // one, unless the case sets that member itself.
        let applied =
            |name: &str| !case.own_members.contains(name) && extra.iter().any(|(n, ..)| *n == name);
        for request in std::iter::once(&case.request).chain(case.last_request.as_ref()) {
            let kept = request
                .iter()
                .filter(|(n, _)| !applied(n))
                .map(|(n, v)| (n.as_str(), member_size(n, v)));
            let added = extra
                .iter()
                .filter(|(n, _, omit)| !omit && !case.own_members.contains(*n))
                .map(|(n, size, _)| (*n, *size));
            check_request_size(kept.chain(added))
                .map_err(|e| format!("request: with the members of case `{}`, {e}", case.id))?;
        }
    }
    Ok(())
}

/// The scenario's `http:` with the command line's TLS and timeout options over it. A CA bundle
/// that cannot be used is bad input, found here before any target starts.
fn http_of(
    def: &super::model::HttpDef,
    default_pool_size: usize,
    overrides: &Overrides,
) -> Result<ClientSettings, String> {
    if let Some(path) = &overrides.ca_bundle {
        crate::client::read_ca_bundle(path).map_err(|e| e.to_string())?;
    }
    let mut http = ClientSettings {
        pool_size: def.connections.as_ref().map_or(default_pool_size, |c| c.0),
        http2: def.version == super::model::HttpVersion::Http2,
        verify_tls: !overrides.no_verify_ssl,
        ca_bundle: overrides.ca_bundle.clone(),
        ..ClientSettings::default()
    };
    if let Some(d) = overrides
        .connect_timeout
        .or(def.connect_timeout.as_ref().map(|d| d.0))
    {
        http.connect_timeout = d;
    }
    if let Some(d) = overrides
        .read_timeout
        .or(def.read_timeout.as_ref().map(|d| d.0))
    {
        http.read_timeout = d;
    }
    Ok(http)
}

pub(super) fn build_signup(
    raw: RawScenario,
    file: PathBuf,
    overrides: &Overrides,
) -> Result<SignUpPlan, String> {
    // `provision` writes the list of pre-provisioned users: with no code source, its code
    // column stays empty, to be filled in from the emails.
    let target = target_plan(raw.target.as_ref(), overrides, raw.pool.existing.is_some())?;
    if let Some(why) = target.kind.refuses_provision {
        return Err(why.into());
    }
    let region = region_of(raw.target.as_ref(), overrides)?;
    let pool = raw.pool;
    check_naming(&raw.users.username, &raw.users.email, &pool, None)?;
    let from_csv = raw.users.from_csv.as_deref().map(|p| match file.parent() {
        Some(dir) if std::path::Path::new(p).is_relative() => dir.join(p),
        _ => PathBuf::from(p),
    });
    Ok(SignUpPlan {
        name: raw.name.0,
        file,
        target,
        region,
        pool,
        username: raw.users.username,
        email: raw.users.email,
        password: raw.users.password,
        from_csv,
        http: http_of(&raw.http, 16, overrides)?,
    })
}

/// `*` matches any run of characters, `?` one; everything else itself.
fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

fn check_naming(
    username: &Template,
    email: &Template,
    pool: &PoolPlan,
    shard: Option<Shard>,
) -> Result<(), String> {
    // The longest run id: a shard's carries its index (`run::run_id`).
    let run = match shard {
        Some(_) => "abcdefs1000",
        None => "abcdef",
    };
    let sample_user = username.render(run, MAX_INDEX);
    let sample_email = email.render(run, MAX_INDEX);
    if !sample_email.contains('@') {
        return Err(format!(
            "users.email: `{}` does not render an email address",
            email.0
        ));
    }
    if pool.username_attributes.is_empty() {
        if sample_user.chars().count() > 128 {
            return Err(format!(
                "users.username: `{}` renders names over 128 characters",
                username.0
            ));
        }
        if pool.alias_attributes.contains(&Attribute::Email) && sample_user.contains('@') {
            return Err("users.username: a pool with an email alias refuses usernames that look like an email (spec §4.2)".into());
        }
    } else if sample_email.chars().count() > 128 {
        return Err(format!(
            "users.email: `{}` renders addresses over 128 characters",
            email.0
        ));
    }
    Ok(())
}

const MAX_INDEX: u64 = 9_999_999;

fn default_connections(phases: &[Phase]) -> usize {
    phases
        .iter()
        .map(|p| p.load.default_connections())
        .max()
        .unwrap_or(16)
        .max(16)
}

/// Cognito allows a user 15 ConfirmSignUp attempts an hour (spec §4.5; the emulator counts
/// the wrong codes): a reusable UNCONFIRMED user given a wrong code more often than that would
/// be locked out mid-run, and its cases would fail for a reason of the harness's making.
const ATTEMPTS_PER_USER_HOUR: u64 = 15;

fn check_attempt_limit(
    users: &UsersPlan,
    mix: &[MixEntry],
    pool: usize,
    catalog: &Catalog,
) -> Result<(), String> {
    if users.reuse_limit <= ATTEMPTS_PER_USER_HOUR {
        return Ok(());
    }
    let guessing = mix
        .iter()
        .filter(|m| m.skip.is_none() && m.pool == pool)
        .map(|m| &catalog.cases[m.case])
        .find(|c| {
            c.slot().is_some_and(|s| !s.single_use())
                && c.expect.error.as_deref() == Some("CodeMismatchException")
        });
    match guessing {
        Some(case) => Err(format!(
            "users.reuse_limit is {}, but case `{}` gives its reusable users a wrong code each time, and Cognito allows a user {ATTEMPTS_PER_USER_HOUR} ConfirmSignUp attempts an hour (spec §4.5): past that they are locked out; use at most {ATTEMPTS_PER_USER_HOUR}",
            users.reuse_limit, case.id
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn globs_match_whole_ids() {
        assert!(glob("member-*", "member-client-id-empty"));
        assert!(glob("*-at-max", "member-session-at-max"));
        assert!(glob("valid-code", "valid-code"));
        assert!(glob("wrong-c?de", "wrong-code"));
        assert!(glob("*", "anything"));
        assert!(!glob("member-*", "valid-code"));
        assert!(!glob("valid", "valid-code"));
        assert!(glob("a*b*c", "a-x-b-y-c"));
        assert!(!glob("a*b*c", "a-x-c-y-b"));
    }
}
