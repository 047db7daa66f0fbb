//! latency.csv (one row per case) and timeline.csv (one row per case and second).
//!
//! latency.csv names beside each verdict the confidence of the expectation that judged it and
//! the oracle (`catalog` or `snapshot`), so a spreadsheet can sort the failures it trusts.

use crate::summary::Summary;

pub const HEADER: [&str; 17] = [
    "case",
    "verdict",
    "confidence",
    "oracle",
    "count",
    "errors",
    "judged",
    "failed_responses",
    "p50_us",
    "p90_us",
    "p99_us",
    "p999_us",
    "max_us",
    "mean_us",
    "service_p50_us",
    "service_p99_us",
    "skip_reason",
];

pub const TIMELINE_HEADER: [&str; 6] = ["case", "second", "count", "errors", "p50_us", "p99_us"];

/// A text cell with control and bidirectional characters written visibly (`\u{1b}`): a
/// spreadsheet or `cat` shows the file, and a crafted case name must not act on either.
fn cell(text: &str) -> String {
    crate::term::inline(text)
}

/// `header` and then `rows` as CSV.
fn table<R>(header: &[&str], rows: impl IntoIterator<Item = R>) -> std::io::Result<Vec<u8>>
where
    R: IntoIterator<Item = String>,
{
    let mut w = ::csv::Writer::from_writer(Vec::new());
    w.write_record(header)?;
    for row in rows {
        w.write_record(row)?;
    }
    w.into_inner()
        .map_err(|e| std::io::Error::other(e.to_string()))
}

pub fn render_cases(v: &Summary) -> std::io::Result<Vec<u8>> {
    let rows = v.cases.iter().map(|c| {
        let l = &c.latency_us;
        [
            cell(&c.name),
            c.verdict.as_str().to_owned(),
            cell(c.confidence),
            cell(&c.oracle),
            c.count.to_string(),
            c.errors.to_string(),
            c.judged.to_string(),
            c.failed_responses.to_string(),
            l.p50.to_string(),
            l.p90.to_string(),
            l.p99.to_string(),
            l.p999.to_string(),
            l.max.to_string(),
            format!("{:.1}", l.mean),
            c.service_time_us.p50.to_string(),
            c.service_time_us.p99.to_string(),
            cell(c.skip_reason.as_deref().unwrap_or_default()),
        ]
    });
    table(&HEADER, rows)
}

pub fn render_timeline(v: &Summary) -> std::io::Result<Vec<u8>> {
    let rows = v.cases.iter().flat_map(|c| {
        c.timeline.iter().map(|p| {
            let counts = [p.second, p.requests, p.errors, p.p50_us, p.p99_us];
            std::iter::once(cell(&c.name)).chain(counts.map(|n| n.to_string()))
        })
    });
    table(&TIMELINE_HEADER, rows)
}

/// latency.csv and timeline.csv: `(file name, bytes)`.
pub fn files(summary: &Summary) -> std::io::Result<Vec<(String, Vec<u8>)>> {
    Ok(vec![
        ("latency.csv".to_owned(), render_cases(summary)?),
        ("timeline.csv".to_owned(), render_timeline(summary)?),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_row_names_its_confidence_and_oracle() {
        let s: Summary =
            serde_json::from_str(include_str!("../../fixtures/reports/oracle-summary.json"))
                .unwrap();
        let bytes = render_cases(&s).unwrap();
        let mut r = ::csv::Reader::from_reader(bytes.as_slice());
        assert_eq!(r.headers().unwrap(), HEADER.as_slice());
        let rows: Vec<(String, String, String, String)> = r
            .records()
            .map(|r| {
                let r = r.unwrap();
                (r[0].into(), r[1].into(), r[2].into(), r[3].into())
            })
            .collect();
        let row = |name: &str| rows.iter().find(|r| r.0 == name).unwrap().clone();
        assert_eq!(
            row("wrong-code"),
            (
                "wrong-code".into(),
                "fail".into(),
                "recorded".into(),
                "snapshot".into()
            )
        );
        assert_eq!(
            row("unknown-user"),
            (
                "unknown-user".into(),
                "fail".into(),
                "observed".into(),
                "catalog".into()
            )
        );
    }
}
