//! A snapshot's part in a run's summary: which cases it judged, and why the catalog judged
//! the others.

use std::collections::BTreeMap;

use super::Snapshot;
use crate::summary::oracle::OracleInfo;
use crate::summary::types::{Summary, Verdict};

/// Names the snapshot that judged the run, and says for each case it did not judge why the
/// catalog did (`notes`: the cases the run found not comparable with their recording).
pub fn apply_oracle(
    summary: &mut Summary,
    file: &std::path::Path,
    snapshot: &Snapshot,
    catalog_sha256: &str,
    notes: &BTreeMap<String, String>,
) {
    let mut from_catalog = Vec::new();
    for c in &mut summary.cases {
        if let Some(note) = notes.get(&c.name) {
            c.oracle_note = Some(note.clone());
        }
        if c.oracle == "snapshot" || c.verdict == Verdict::Skipped && c.judged == 0 {
            continue;
        }
        if c.oracle_note.is_none() {
            let why = match snapshot.cases.get(&c.name) {
                Some(_) => "the snapshot recorded no judged answer for this case (only transport errors, timeouts or throttling)".to_owned(),
                None => match snapshot.skipped.get(&c.name) {
                    Some(reason) => format!("not in the snapshot (skipped when recorded: {reason})"),
                    None if snapshot.header.partial => {
                        "not in the snapshot, whose recording did not finish".to_owned()
                    }
                    None => "not in the snapshot".to_owned(),
                },
            };
            c.oracle_note = Some(format!("{why}; judged by the catalog"));
        }
        from_catalog.push(c.name.clone());
    }
    summary.oracle = Some(OracleInfo {
        file: crate::term::printable(&file.display().to_string()),
        target_kind: snapshot.header.target_kind.clone(),
        endpoint: snapshot.header.endpoint.clone(),
        recorded_at: snapshot.header.recorded_at.clone(),
        same_catalog: snapshot.header.catalog_sha256 == catalog_sha256,
        cases_judged: summary
            .cases
            .iter()
            .filter(|c| c.oracle == "snapshot")
            .count() as u64,
        cases_from_catalog: from_catalog,
        partial: snapshot.header.partial,
    });
}
