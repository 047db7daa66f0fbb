//! `cogbench merge`: the runs of a scenario's shards (`run --shard I/N`) put together as the
//! summary of one run, then judged by the same gate as a run (`run::conclude`).
//!
//! Exact: every count (they add), the latency percentiles of the cases and of the totals
//! (recomputed from the merged HDR histograms, never averaged), the scheduling lag (from the
//! phases' histograms), the verdicts and the thresholds. Not exact: the timelines' per-second
//! percentiles, which are the maximum of the shards' values for that second (a second's
//! histograms are not kept), and the alignment of the shards' seconds, which rests on their
//! clocks.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use hdrhistogram::Histogram;
use serde_json::Value;

use crate::cases::Tally;
use crate::deviations::KnownDeviations;
use crate::engine::PhaseOutcome;
use crate::gate::Merged;
use crate::metrics::{MAX_SAMPLES, Percentiles, Point, codec, new_histogram};
use crate::report::export::{Format, read_summary};
use crate::report::{self, CaseSummary, MergeInfo, MergedRun, Summary, Verdict};
use crate::run;
use crate::summary::build;
use crate::summary::echo::Echo;
use crate::summary::plan::PlanEcho;

/// The merged run, ready to be written.
#[derive(Debug)]
pub struct Merge {
    pub summary: Summary,
    /// The report formats the first shard's plan lists.
    pub formats: Vec<Format>,
    /// Why the runs may not add up to one run of one scenario (also in `summary.merged`).
    pub warnings: Vec<String>,
}

struct Part {
    source: String,
    summary: Summary,
    /// When the run's timeline began (second 1 starts here).
    origin: SystemTime,
}

/// Reads and merges the runs (folders or summary.json files). An unreadable or malformed
/// summary is an error; runs that are not the shards 1..N of one scenario are merged with
/// warnings.
pub fn merge(
    sources: &[PathBuf],
    known_deviations: Option<&(PathBuf, KnownDeviations)>,
) -> Result<Merge, String> {
    if sources.is_empty() {
        return Err("merge needs at least one run folder".into());
    }
    let mut parts = Vec::with_capacity(sources.len());
    for source in sources {
        let (file, value) = read_summary(source)?;
        let mut summary: Summary = serde_json::from_value(value)
            .map_err(|e| format!("{}: not a summary cogbench can merge: {e}", file.display()))?;
        mark_unjudged(&mut summary);
        let at = summary
            .load_started_at
            .as_deref()
            .unwrap_or(&summary.started_at);
        let origin = report::parse_rfc3339(at)
            .ok_or_else(|| format!("{}: `{at}` is not a time", file.display()))?;
        parts.push(Part {
            source: file.display().to_string(),
            summary,
            origin,
        });
    }
    // Shard order (runs without a shard last, as given).
    parts.sort_by_key(|p| p.summary.shard.map_or(u32::MAX, |s| s.index));
    let mut warnings = check_set(&parts);
    let complete = warnings.is_empty();

    let earliest = parts
        .iter()
        .map(|p| p.origin)
        .min()
        .expect("one run at least");
    let offsets: Vec<u64> = parts
        .iter()
        .map(|p| {
            p.origin
                .duration_since(earliest)
                .unwrap_or_default()
                .as_secs_f64()
                .round() as u64
        })
        .collect();

    // Cases, in the first run's order, then any only later runs have.
    let mut names: Vec<&str> = Vec::new();
    for p in &parts {
        for c in &p.summary.cases {
            if !names.contains(&c.name.as_str()) {
                names.push(&c.name);
            }
        }
    }
    let mut cases = Vec::with_capacity(names.len());
    let mut histograms: Vec<(String, Merged)> = Vec::new();
    let (mut all_response, mut all_service) = (new_histogram(), new_histogram());
    for name in names {
        let copies: Vec<(u64, &CaseSummary)> = parts
            .iter()
            .zip(&offsets)
            .filter_map(|(p, off)| {
                p.summary
                    .cases
                    .iter()
                    .find(|c| c.name == name)
                    .map(|c| (*off, c))
            })
            .collect();
        let (case, h, ran) = merge_case(&copies)?;
        let _ = all_response.add(&h.response);
        let _ = all_service.add(&h.service);
        if ran {
            histograms.push((case.name.clone(), h));
        }
        cases.push(case);
    }

    let start_spread_ms = start_spread(&parts, &mut warnings);
    let phases = merge_phases(&parts, &mut warnings)?;
    let mut totals = build::totals_of(&cases, &phases, &all_response, &all_service);
    for p in &parts {
        totals.sent += p.summary.totals.sent;
        totals.abandoned += p.summary.totals.abandoned;
        totals.unaccounted += p.summary.totals.unaccounted;
    }

    let mut users: BTreeMap<String, crate::users::Usage> = BTreeMap::new();
    for p in &parts {
        for (k, u) in &p.summary.users {
            let e = users.entry(k.clone()).or_default();
            e.provisioned += u.provisioned;
            e.used += u.used;
            // Each shard keeps its own stock: the whole run's are the shards' added up.
            if let Some(o) = u.on_demand {
                let all = e.on_demand.get_or_insert_default();
                all.stock += o.stock;
                all.planned += o.planned;
                all.waited += o.waited;
            }
        }
    }

    let timeline = merge_timeline(
        parts
            .iter()
            .zip(&offsets)
            .map(|(p, off)| (*off, p.summary.timeline.as_slice())),
        true,
    );

    let first = &parts[0].summary;
    if known_deviations.is_none()
        && let Some(d) = parts.iter().find_map(|p| p.summary.deviations.as_ref())
    {
        warnings.push(format!(
            "the shards were gated against known deviations ({}); give --known-deviations to gate the merged run against them too",
            d.file
        ));
    }
    let thresholds = first
        .plan
        .thresholds
        .iter()
        .map(|t| crate::scenario::threshold::parse(t))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{}: plan.thresholds: {e}", parts[0].source))?;
    // A format this version does not write (a newer cogbench's) is left out.
    let formats: Vec<Format> = first
        .plan
        .reports
        .as_ref()
        .map(|list| list.iter().filter_map(|f| Format::parse(f).ok()).collect())
        .unwrap_or_else(|| vec![Format::Json]);

    let times = |f: fn(&Summary) -> &str| -> Vec<SystemTime> {
        parts
            .iter()
            .filter_map(|p| report::parse_rfc3339(f(&p.summary)))
            .collect()
    };
    let started_at = times(|s| &s.started_at).into_iter().min();
    let finished_at = times(|s| &s.finished_at).into_iter().max();
    let aborted = parts.iter().find_map(|p| {
        p.summary.aborted.as_ref().map(|why| match p.summary.shard {
            Some(s) => format!("shard {s}: {why}"),
            None => why.clone(),
        })
    });
    let interrupted = parts.iter().any(|p| p.summary.interrupted);
    for p in parts.iter().filter(|p| p.summary.interrupted) {
        let shard = p
            .summary
            .shard
            .map_or(String::new(), |s| format!("shard {s} "));
        warnings.push(format!(
            "{shard}({}) was interrupted: the merged summary is partial, and its gate fails (exit 1)",
            p.source
        ));
    }
    let mut summary = Summary {
        schema_version: report::SCHEMA_VERSION,
        tool: report::Tool::default(),
        scenario: first.scenario.clone(),
        plan: merged_plan(&parts),
        target: first.target.clone(),
        started_at: started_at.map_or_else(|| first.started_at.clone(), report::rfc3339_utc),
        finished_at: finished_at.map_or_else(|| first.finished_at.clone(), report::rfc3339_utc),
        load_started_at: Some(report::rfc3339_utc_micros(earliest)),
        start_at: common_start_at(&parts),
        start_late_ms: common_start_at(&parts).and_then(|_| {
            parts
                .iter()
                .filter_map(|p| p.summary.start_late_ms)
                .reduce(f64::max)
        }),
        shard: None,
        merged: Some(MergeInfo {
            runs: parts
                .iter()
                .map(|p| MergedRun {
                    source: p.source.clone(),
                    shard: p.summary.shard,
                    started_at: p.summary.started_at.clone(),
                    load_started_at: p.summary.load_started_at.clone(),
                    start_at: p.summary.start_at.clone(),
                    exit_code: p.summary.exit_code,
                })
                .collect(),
            complete,
            warnings: warnings.clone(),
            start_spread_ms,
        }),
        partial: interrupted || aborted.is_some() || parts.iter().any(|p| p.summary.partial),
        interrupted,
        interrupted_during: None,
        aborted,
        totals,
        transport_errors: report::TransportErrors::merge(
            parts.iter().map(|p| p.summary.transport_errors.as_slice()),
        ),
        connections: report::Connections::merge(
            parts.iter().map(|p| p.summary.connections.as_ref()),
        ),
        timing: build::timing(&phases),
        conformance: build::conformance_of(&cases),
        coverage: merged_coverage(&parts, &cases),
        deviations: None,
        oracle: first.oracle.clone(),
        fail_on: first.fail_on.clone(),
        phases,
        users,
        cases,
        thresholds: Vec::new(),
        timeline,
        exit_code: 0,
    };
    run::conclude(&mut summary, &thresholds, known_deviations, &histograms);
    Ok(Merge {
        summary,
        formats,
        warnings,
    })
}

/// Shards whose loads started further apart than this (in milliseconds) are warned about:
/// their loads overlapped less than the scenario planned, so the merged rate was not reached
/// at once. Clocks kept by NTP agree to a few milliseconds; a run's own wake-up is well under
/// one.
pub const START_SPREAD_TOLERANCE_MS: f64 = 50.0;

/// Milliseconds between the earliest and the latest load start, when every run says when its
/// load started (a summary of an older cogbench may not); a warning when over the tolerance.
fn start_spread(parts: &[Part], warnings: &mut Vec<String>) -> Option<f64> {
    let starts: Vec<SystemTime> = parts
        .iter()
        .map(|p| report::parse_rfc3339(p.summary.load_started_at.as_deref()?))
        .collect::<Option<_>>()?;
    let (first, last) = (starts.iter().min()?, starts.iter().max()?);
    let spread = last.duration_since(*first).unwrap_or_default().as_micros() as f64 / 1e3;
    if parts.len() > 1 && spread > START_SPREAD_TOLERANCE_MS {
        let requested: Vec<Option<&str>> = parts
            .iter()
            .map(|p| p.summary.start_at.as_deref())
            .collect();
        let why = if requested.iter().all(Option::is_none) {
            "give every shard one `--start-at` to start their loads together".to_owned()
        } else if requested.windows(2).any(|w| w[0] != w[1]) {
            "the shards were given different start times (a `+DURATION` counts from each shard's own start: give them one absolute time)".to_owned()
        } else {
            let late = parts
                .iter()
                .filter_map(|p| Some((p.summary.shard?, p.summary.start_late_ms?)))
                .filter(|(_, ms)| *ms > START_SPREAD_TOLERANCE_MS)
                .map(|(s, ms)| format!("shard {s} started {ms:.1} ms late"))
                .collect::<Vec<_>>();
            if late.is_empty() {
                "their clocks may disagree (are the machines synchronised by NTP?)".to_owned()
            } else {
                format!(
                    "{}: give a start time further ahead than the set-up takes",
                    late.join(", ")
                )
            }
        };
        warnings.push(format!(
            "the shards' loads started {spread:.1} ms apart (over {START_SPREAD_TOLERANCE_MS} ms), so they overlapped less than planned: {why}"
        ));
    }
    Some(spread)
}

/// The `--start-at` every run was given, when they were all given the same one.
fn common_start_at(parts: &[Part]) -> Option<String> {
    let first = parts.first()?.summary.start_at.clone()?;
    parts
        .iter()
        .all(|p| p.summary.start_at.as_deref() == Some(&first))
        .then_some(first)
}

/// Writes summary.json and the other formats into `dir`.
pub fn write(merge: &Merge, dir: &Path) -> std::io::Result<()> {
    report::write::write_reports(&merge.summary, dir, &merge.formats)?;
    // A run streams its interval logs; a merge has only the whole histograms to write.
    if merge.formats.contains(&Format::Hlog) {
        let files = report::export::render(Format::Hlog, &merge.summary)?;
        report::write::write_files(dir, files)?;
    }
    Ok(())
}

/// `unjudged` is not written to summary.json: a skipped case was unjudged when its plan did
/// not skip it (it ran, and nothing it sent was judged).
fn mark_unjudged(summary: &mut Summary) {
    let mix = &summary.plan.mix;
    for c in &mut summary.cases {
        c.unjudged = c.verdict == Verdict::Skipped
            && mix.iter().any(|m| m.case == c.name && m.skipped.is_none());
    }
}

/// Whether the runs are the shards 1..N of one scenario, each once; what is wrong if not.
fn check_set(parts: &[Part]) -> Vec<String> {
    let mut warnings = Vec::new();
    let first = &parts[0];
    let same = |what: &str, equal: &dyn Fn(&PlanEcho, &PlanEcho) -> bool| {
        parts
            .iter()
            .skip(1)
            .filter(|p| !equal(&p.summary.plan, &first.summary.plan))
            .map(|p| {
                format!(
                    "{} is not of the same scenario as {}: its {what} differ",
                    p.source, first.source
                )
            })
            .collect::<Vec<_>>()
    };
    for p in parts.iter().skip(1) {
        if p.summary.scenario.name != first.summary.scenario.name {
            warnings.push(format!(
                "{} is a run of scenario `{}`, {} one of `{}`",
                p.source, p.summary.scenario.name, first.source, first.summary.scenario.name
            ));
        }
    }
    warnings.extend(same("phases", &|a, b| a.whole_phases() == b.whole_phases()));
    warnings.extend(same("mix's cases", &|a, b| {
        a.mix
            .iter()
            .map(|m| &m.case)
            .eq(b.mix.iter().map(|m| &m.case))
    }));
    warnings.extend(same("thresholds", &|a, b| a.thresholds == b.thresholds));
    let unsharded: Vec<&str> = parts
        .iter()
        .filter(|p| p.summary.shard.is_none())
        .map(|p| p.source.as_str())
        .collect();
    if !unsharded.is_empty() {
        warnings.push(format!(
            "not a shard (run without --shard): {}",
            unsharded.join(", ")
        ));
    }
    let counts: std::collections::BTreeSet<u32> = parts
        .iter()
        .filter_map(|p| p.summary.shard.map(|s| s.count))
        .collect();
    if counts.len() > 1 {
        warnings.push(format!(
            "the runs are shards of different splits (into {} parts)",
            counts
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    } else if let Some(&n) = counts.iter().next() {
        let mut seen = vec![0u32; n as usize + 1];
        for s in parts.iter().filter_map(|p| p.summary.shard) {
            seen[s.index as usize] += 1;
        }
        let mut name = |applies: fn(u32) -> bool, what: &str| {
            let shards: Vec<String> = (1..=n)
                .filter(|i| applies(seen[*i as usize]))
                .map(|i| format!("{i}/{n}"))
                .collect();
            if !shards.is_empty() {
                warnings.push(format!("shard {} {what}", shards.join(", ")));
            }
        };
        name(
            |times| times > 1,
            "given more than once: its requests are counted twice",
        );
        name(
            |times| times == 0,
            "missing: the merged run is not the whole scenario",
        );
    }
    warnings
}

/// The first run's plan, as the whole scenario's: the whole phases, the users of every shard,
/// a case skipped only where every shard skipped it. It is patched as JSON, so what the first
/// run's echo holds beyond this version's fields is written back unchanged.
fn merged_plan(parts: &[Part]) -> Echo {
    let plans: Vec<Value> = parts.iter().map(|p| p.summary.plan.to_value()).collect();
    let mut plan = plans[0].clone();
    if let Some(o) = plan.as_object_mut() {
        // A shard's echo holds the whole phases under `shard.phases`.
        let whole = o
            .get("shard")
            .and_then(|s| s.get("phases"))
            .filter(|p| p.as_array().is_some_and(|a| !a.is_empty()))
            .cloned();
        if let Some(phases) = whole {
            o.insert("phases".into(), phases);
        }
        o.remove("shard");
        if let Some(users) = o.get_mut("users").and_then(Value::as_object_mut) {
            let listed = plans.iter().try_fold(0u64, |sum, p| {
                sum.checked_add(p["users"]["listed"].as_u64()?)
            });
            if let Some(n) = listed {
                users.insert("listed".into(), n.into());
            }
            if let Some(counts) = users.get_mut("counts").and_then(Value::as_object_mut) {
                for (slot, total) in counts.iter_mut() {
                    let sum = plans
                        .iter()
                        .filter_map(|p| p["users"]["counts"][slot].as_u64())
                        .fold(0u64, u64::saturating_add);
                    *total = sum.into();
                }
            }
        }
        if let Some(mix) = o.get_mut("mix").and_then(Value::as_array_mut) {
            for (i, entry) in mix.iter_mut().enumerate() {
                let everywhere = plans.iter().all(|p| !p["mix"][i]["skipped"].is_null());
                if let (false, Some(entry)) = (everywhere, entry.as_object_mut()) {
                    entry.insert("skipped".into(), Value::Null);
                }
            }
        }
    }
    // Only fields read as valid were moved, so the patched echo reads again.
    Echo::from_value(plan).unwrap_or_else(|_| parts[0].summary.plan.clone())
}

fn decode(text: &str, what: &str) -> Result<Histogram<u64>, String> {
    codec::decode(text).map_err(|e| format!("{what}: {e}"))
}

/// One case over the runs that have it (with each run's timeline offset): the case, its merged
/// histograms, and whether it ran anywhere (a threshold on it reads its own histograms).
fn merge_case(copies: &[(u64, &CaseSummary)]) -> Result<(CaseSummary, Merged, bool), String> {
    let mut m = copies[0].1.clone();
    let mut h = Merged::default();
    let (mut count, mut errors, mut retries, mut judged, mut passed, mut failed, mut post) =
        (0, 0, 0, 0, 0, 0, 0);
    let mut by_class: BTreeMap<&'static str, u64> = BTreeMap::new();
    for (_, c) in copies {
        count += c.count;
        errors += c.errors;
        retries += c.retries;
        judged += c.judged;
        passed += c.passed_responses;
        failed += c.failed_responses;
        post += c.postconditions_checked;
        for (class, n) in &c.by_class {
            *by_class.entry(class).or_default() += n;
        }
        if let Some(hs) = &c.histograms {
            let what = format!("case {}'s histograms", c.name);
            let _ = h.response.add(decode(&hs.response, &what)?);
            let _ = h.service.add(decode(&hs.service, &what)?);
        }
    }
    (m.count, m.errors, m.retries) = (count, errors, retries);
    (m.judged, m.passed_responses, m.failed_responses) = (judged, passed, failed);
    m.postconditions_checked = post;
    m.by_class = by_class;
    m.transport_errors =
        report::TransportErrors::merge(copies.iter().map(|(_, c)| c.transport_errors.as_slice()));
    let (mut answers, mut patterns, mut states) =
        (Tally::default(), Tally::default(), Tally::default());
    for (_, c) in copies {
        answers.merge(&c.answers);
        patterns.merge(&c.patterns);
        states.merge(&c.states);
    }
    m.race = report::RaceOutcome::of(&patterns);
    (m.answers, m.patterns, m.states) = (answers, patterns, states);
    for check in &mut m.by_check {
        let mine = copies
            .iter()
            .flat_map(|(_, c)| c.by_check.iter().filter(|x| x.check == check.check));
        let (judged, failed) = mine.fold((0, 0), |(j, f), x| (j + x.judged, f + x.failed));
        *check = build::check_verdict(check.check, judged, failed);
    }

    let failing = copies.iter().find(|(_, c)| c.verdict == Verdict::Fail);
    let everywhere_skipped = copies.iter().all(|(_, c)| c.verdict == Verdict::Skipped);
    let ran = copies
        .iter()
        .any(|(_, c)| c.verdict != Verdict::Skipped || c.unjudged);
    (m.verdict, m.skip_reason, m.unjudged) = match failing {
        Some(_) => (Verdict::Fail, None, false),
        None if everywhere_skipped && ran => (
            Verdict::Skipped,
            Some(build::unjudged_reason(&m.by_class)),
            true,
        ),
        None if everywhere_skipped => (Verdict::Skipped, m.skip_reason.clone(), false),
        None => (Verdict::Pass, None, false),
    };
    (m.expected, m.observed) = match failing {
        Some((_, c)) => (c.expected.clone(), c.observed.clone()),
        None => (None, None),
    };
    // Distinct failing answers, the first failing run's first.
    let mut failures: Vec<Vec<crate::cases::Difference>> = Vec::new();
    let order = failing
        .into_iter()
        .chain(copies.iter().filter(|(_, c)| c.verdict == Verdict::Fail));
    for (_, c) in order {
        for f in &c.failures {
            if failures.len() < MAX_SAMPLES && !failures.contains(f) {
                failures.push(f.clone());
            }
        }
    }
    m.failures = failures;
    m.sample = copies.iter().find_map(|(_, c)| c.sample.clone());
    m.latency_us = Percentiles::of(&h.response);
    m.service_time_us = Percentiles::of(&h.service);
    m.histograms = (!h.response.is_empty()).then(|| report::Histograms {
        response: codec::encode(&h.response),
        service: codec::encode(&h.service),
    });
    m.timeline = merge_timeline(
        copies.iter().map(|(off, c)| (*off, c.timeline.as_slice())),
        false,
    );
    Ok((m, h, ran))
}

/// The most empty seconds a merged timeline gets filled with (an hour between the shards' starts).
const MAX_FILLED_SECONDS: u64 = 3600;

/// Timelines aligned on the wall clock: each run's points moved by its offset (whole seconds
/// from the earliest run's start). Counts add; a second's percentiles are the highest of the
/// runs' values for it. `fill`: every second from 1 gets a point (as a run's overall timeline
/// has), not only those with requests.
fn merge_timeline<'a>(runs: impl Iterator<Item = (u64, &'a [Point])>, fill: bool) -> Vec<Point> {
    let mut seconds: BTreeMap<u64, Point> = BTreeMap::new();
    for (offset, points) in runs {
        for p in points {
            let second = p.second.saturating_add(offset);
            let m = seconds.entry(second).or_insert(Point {
                second,
                requests: 0,
                errors: 0,
                p50_us: 0,
                p99_us: 0,
            });
            m.requests = m.requests.saturating_add(p.requests);
            m.errors = m.errors.saturating_add(p.errors);
            m.p50_us = m.p50_us.max(p.p50_us);
            m.p99_us = m.p99_us.max(p.p99_us);
        }
    }
    // Each run's own timeline has every second already, so the gaps are the runs' start
    // offsets; seconds far past that (a crafted summary.json) would only cost memory.
    if fill
        && let Some(&last) = seconds.keys().next_back()
        && last <= seconds.len() as u64 + MAX_FILLED_SECONDS
    {
        for second in 1..=last {
            seconds.entry(second).or_insert(Point {
                second,
                requests: 0,
                errors: 0,
                p50_us: 0,
                p99_us: 0,
            });
        }
    }
    seconds.into_values().collect()
}

/// Phases by index: counts add, the rates asked add up to the whole's, a phase lasts as long
/// as its longest shard, and the scheduling lag merges from the histograms.
fn merge_phases(parts: &[Part], warnings: &mut Vec<String>) -> Result<Vec<PhaseOutcome>, String> {
    let most = parts
        .iter()
        .map(|p| p.summary.phases.len())
        .max()
        .unwrap_or(0);
    let mut phases = Vec::with_capacity(most);
    for i in 0..most {
        let copies: Vec<&PhaseOutcome> = parts
            .iter()
            .filter_map(|p| p.summary.phases.get(i))
            .collect();
        let mut m = copies[0].clone();
        m.planned_rate = copies
            .iter()
            .filter_map(|p| p.planned_rate)
            .reduce(|a, b| [a[0] + b[0], a[1] + b[1]]);
        m.starts = copies.iter().map(|p| p.starts).sum();
        m.requests = copies.iter().map(|p| p.requests).sum();
        m.dropped = copies.iter().map(|p| p.dropped).sum();
        m.late_starts = copies.iter().map(|p| p.late_starts).sum();
        m.duration_seconds = copies
            .iter()
            .map(|p| p.duration_seconds)
            .fold(0.0, f64::max);
        m.achieved_rate = if m.duration_seconds > 0.0 {
            m.requests as f64 / m.duration_seconds
        } else {
            0.0
        };
        let mut notes: Vec<&str> = Vec::new();
        for n in copies.iter().filter_map(|p| p.note.as_deref()) {
            if !notes.contains(&n) {
                notes.push(n);
            }
        }
        m.note = (!notes.is_empty()).then(|| notes.join("; "));
        let lagged: Vec<&&PhaseOutcome> = copies
            .iter()
            .filter(|p| p.schedule_lag_us.is_some())
            .collect();
        (m.schedule_lag, m.schedule_lag_histogram, m.schedule_lag_us) = if lagged.is_empty() {
            (None, None, None)
        } else if lagged.iter().all(|p| p.schedule_lag_histogram.is_some()) {
            let mut lag = new_histogram();
            for p in &lagged {
                let text = p.schedule_lag_histogram.as_deref().unwrap_or_default();
                let _ = lag.add(decode(text, &format!("phase {}'s lag", p.name))?);
            }
            (
                Some(lag.clone()),
                Some(codec::encode(&lag)),
                Some(Percentiles::of(&lag)),
            )
        } else {
            warnings.push(format!(
                "phase {}: a run has no scheduling-lag histogram; the merged lag is the highest of the runs' figures",
                m.name
            ));
            let most = |f: fn(&Percentiles) -> u64| {
                lagged
                    .iter()
                    .filter_map(|p| p.schedule_lag_us.as_ref())
                    .map(f)
                    .max()
                    .unwrap_or(0)
            };
            let mean = lagged
                .iter()
                .filter_map(|p| p.schedule_lag_us.map(|l| l.mean))
                .fold(0.0, f64::max);
            (
                None,
                None,
                Some(Percentiles {
                    p50: most(|p| p.p50),
                    p90: most(|p| p.p90),
                    p99: most(|p| p.p99),
                    p999: most(|p| p.p999),
                    max: most(|p| p.max),
                    mean,
                }),
            )
        };
        phases.push(m);
    }
    Ok(phases)
}

/// The documented errors provoked anywhere, and the members some run's judged cases varied.
fn merged_coverage(parts: &[Part], cases: &[CaseSummary]) -> report::Coverage {
    let first = &parts[0].summary.coverage;
    let mut errors = Vec::new();
    let mut skipped = Vec::new();
    for e in &first.errors {
        let mine: Vec<&CaseSummary> = cases.iter().filter(|c| e.cases.contains(&c.name)).collect();
        let unprovokable = first
            .errors_skipped
            .iter()
            .find(|s| s.error == e.error && !s.provokable)
            .map(|s| s.reason.as_str());
        let (mut covered, not) = build::error_coverage(&e.error, &e.spec, unprovokable, &mine);
        covered.note = e.note.clone();
        errors.push(covered);
        skipped.extend(not);
    }
    let uncovered: Vec<String> = first
        .members_uncovered
        .iter()
        .filter(|m| {
            parts
                .iter()
                .all(|p| p.summary.coverage.members_uncovered.contains(m))
        })
        .cloned()
        .collect();
    report::Coverage {
        cases_total: cases.len() as u64,
        errors_documented: first.errors_documented,
        errors_provoked: errors.iter().filter(|e| e.provoked).count() as u64,
        errors_skipped: skipped,
        errors,
        members_total: first.members_total,
        members_covered: first.members_total.saturating_sub(uncovered.len() as u64),
        members_uncovered: uncovered,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(second: u64, requests: u64, p99: u64) -> Point {
        Point {
            second,
            requests,
            errors: requests / 10,
            p50_us: p99 / 2,
            p99_us: p99,
        }
    }

    #[test]
    fn timelines_align_on_the_clock_and_fill_the_gaps() {
        let a = [point(1, 10, 100), point(2, 20, 300)];
        let b = [point(1, 5, 200), point(3, 7, 50)];
        let merged = merge_timeline([(0, &a[..]), (1, &b[..])].into_iter(), true);
        let seconds: Vec<(u64, u64, u64)> = merged
            .iter()
            .map(|p| (p.second, p.requests, p.p99_us))
            .collect();
        assert_eq!(seconds, [(1, 10, 100), (2, 25, 300), (3, 0, 0), (4, 7, 50)]);
        assert_eq!(merged[1].errors, 2);
        let sparse = merge_timeline([(0, &a[..]), (1, &b[..])].into_iter(), false);
        assert_eq!(sparse.len(), 3);
    }

    #[test]
    fn a_second_far_out_is_kept_but_not_filled_up_to() {
        let a = [point(1, 10, 100), point(u64::MAX - 1, 1, 1)];
        let merged = merge_timeline([(0, &a[..]), (5, &a[..])].into_iter(), true);
        assert_eq!(merged.len(), 4);
        assert_eq!(merged[3].second, u64::MAX);
    }

    /// The fixture's run, once per shard given, as if it were that shard.
    fn fixture_parts(shards: &[(u32, u32)]) -> Vec<Part> {
        let text = include_str!("../fixtures/reports/failing-summary.json");
        shards
            .iter()
            .map(|&(index, count)| {
                let mut summary: Summary = serde_json::from_str(text).unwrap();
                summary.shard = Some(crate::scenario::Shard { index, count });
                Part {
                    source: format!("shard-{index}"),
                    summary,
                    origin: SystemTime::UNIX_EPOCH,
                }
            })
            .collect()
    }

    #[test]
    fn a_shard_given_twice_and_the_shards_missing_are_named() {
        let parts = fixture_parts(&[(1, 3), (1, 3)]);
        assert_eq!(
            check_set(&parts),
            [
                "shard 1/3 given more than once: its requests are counted twice",
                "shard 2/3, 3/3 missing: the merged run is not the whole scenario",
            ]
        );
    }

    #[test]
    fn the_merged_plan_is_the_whole_scenarios() {
        let mut parts = fixture_parts(&[(1, 2), (2, 2)]);
        let whole = parts[0].summary.plan.phases.clone();
        for p in &mut parts {
            let plan = &mut p.summary.plan;
            plan.phases.truncate(1);
            plan.shard = Some(Some(crate::summary::plan::ShardEcho {
                index: p.summary.shard.unwrap().index,
                count: 2,
                phases: whole.clone(),
            }));
            plan.users.listed = 3;
        }
        // The first case is skipped everywhere, the second only in the first shard.
        parts[0].summary.plan.mix[1].skipped = Some("not here".into());
        assert!(check_set(&parts).is_empty(), "{:?}", check_set(&parts));

        let plan = merged_plan(&parts);
        assert_eq!(plan.phases, whole);
        assert_eq!(plan.shard, None);
        assert!(serde_json::to_value(&plan).unwrap().get("shard").is_none());
        assert_eq!(plan.users.listed, 6);
        assert_eq!(plan.users.counts["unconfirmed"], 54);
        assert!(plan.mix[0].skipped.is_some());
        assert_eq!(plan.mix[1].skipped, None);
    }

    #[test]
    fn a_plan_without_thresholds_or_reports_merges_with_none_and_writes_json() {
        let dir = tempfile::tempdir().unwrap();
        let mut value: serde_json::Value =
            serde_json::from_str(include_str!("../fixtures/reports/failing-summary.json")).unwrap();
        let plan = value["plan"].as_object_mut().unwrap();
        plan.remove("thresholds");
        plan.remove("reports");
        plan.insert("later".into(), "a newer cogbench's".into());
        let file = dir.path().join("summary.json");
        std::fs::write(&file, value.to_string()).unwrap();
        let m = merge(&[file], None).unwrap();
        assert_eq!(m.formats, [Format::Json]);
        assert!(m.summary.thresholds.is_empty());
        let written = serde_json::to_value(&m.summary).unwrap();
        assert_eq!(written["plan"]["later"], "a newer cogbench's");
        assert!(written["plan"].get("reports").is_none());
    }

    #[test]
    fn the_fixture_reads_back_as_a_summary() {
        let text = include_str!("../fixtures/reports/failing-summary.json");
        let mut s: Summary = serde_json::from_str(text).expect("the fixture deserialises");
        mark_unjudged(&mut s);
        assert!(!s.cases.is_empty());
        // Written again, it reads the same.
        let again = serde_json::to_value(&s).unwrap();
        let back: Summary = serde_json::from_value(again.clone()).unwrap();
        assert_eq!(serde_json::to_value(&back).unwrap(), again);
    }
}
