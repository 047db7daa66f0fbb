//! Every file cogbench reads, mutated: shipped files with bytes changed, inserted and
//! removed, through the reader the commands use. An error or a value, never a panic (the
//! cargo-fuzz targets in fuzz/ do the same for longer; these run with every `cargo test`).

use std::path::Path;

use cogbench::cases::Catalog;
use proptest::prelude::*;

const SUMMARIES: [&str; 2] = [
    include_str!("../fixtures/reports/failing-summary.json"),
    include_str!("../fixtures/reports/oracle-summary.json"),
];
const DEVIATIONS: &str = include_str!("../fixtures/known-deviations/moto.yaml");
const SNAPSHOT: &str = include_str!("../fixtures/snapshots/moto.json");
const CATALOG: &str = include_str!("../fixtures/examples/team-catalog.yaml");
const USERS: &str = include_str!("../fixtures/examples/existing-users.csv");

fn mutate(text: &str, edits: &[(prop::sample::Index, u8, u8)]) -> Vec<u8> {
    let mut bytes = text.as_bytes().to_vec();
    for (at, byte, kind) in edits {
        if bytes.is_empty() {
            break;
        }
        let i = at.index(bytes.len());
        match kind {
            0 => bytes[i] = *byte,
            1 => bytes.insert(i, *byte),
            2 => bytes.truncate(i),
            _ => {
                bytes.remove(i);
            }
        }
    }
    bytes
}

fn edits() -> impl Strategy<Value = Vec<(prop::sample::Index, u8, u8)>> {
    prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..4), 1..8)
}

fn scratch(name: &str, bytes: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("a scratch folder");
    let file = dir.path().join(name);
    std::fs::write(&file, bytes).expect("a scratch file");
    (dir, file)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn a_mutated_summary_is_compared_merged_and_reported_or_refused(which in 0..SUMMARIES.len(), e in edits()) {
        let (dir, file) = scratch("summary.json", &mutate(SUMMARIES[which], &e));
        let _ = cogbench::compare::compare(&file, &file, (None, None, None));
        let _ = cogbench::merge::merge(std::slice::from_ref(&file), None);
        if let Ok((_, value)) = cogbench::report::export::read_summary(&file)
            && cogbench::report::export::typed(&value).is_ok()
        {
            for name in ["json", "csv", "junit", "hlog", "html", "markdown"] {
                let format = cogbench::report::export::Format::parse(name).expect("a format");
                let _ = cogbench::report::write::export(format, &value, dir.path());
            }
        }
    }

    #[test]
    fn a_mutated_deviation_list_is_read_or_refused(e in edits()) {
        let (_dir, file) = scratch("known.yaml", &mutate(DEVIATIONS, &e));
        let _ = cogbench::deviations::load(&file);
    }

    #[test]
    fn a_mutated_snapshot_is_read_or_refused(e in edits()) {
        let (_dir, file) = scratch("snapshot.json", &mutate(SNAPSHOT, &e));
        let _ = cogbench::oracle::Snapshot::load(&file);
    }

    #[test]
    fn a_mutated_team_catalog_is_added_or_refused(e in edits()) {
        let text = String::from_utf8_lossy(&mutate(CATALOG, &e)).into_owned();
        let _ = Catalog::builtin().extend_from_str(&text, Path::new("team.yaml"));
    }

    #[test]
    fn a_mutated_users_csv_is_read_or_refused(e in edits()) {
        let (dir, _file) = scratch("users.csv", &mutate(USERS, &e));
        let checked = cogbench::scenario::existing::check_csv(
            &dir.path().join("s.yaml"),
            "users.csv",
            None,
            std::time::SystemTime::now(),
            std::time::Duration::ZERO,
            true,
        );
        // A file that checks reads back row for row, every row checking again.
        if let Ok(listed) = checked {
            let rows: Vec<_> = listed.read().unwrap().collect();
            prop_assert_eq!(rows.len() as u64, listed.rows);
            prop_assert!(rows.iter().all(Result::is_ok));
        }
    }
}
