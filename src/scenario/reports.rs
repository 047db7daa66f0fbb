//! The report formats a scenario can ask for, by name (what each writes is the report
//! module's business).

/// The HTML report's file name.
pub const HTML_FILE: &str = "report.html";

/// The formats a run can write; `json` (summary.json) is always written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    /// summary.json.
    Json,
    /// latency.csv (per case) and timeline.csv (per case and second).
    Csv,
    /// junit.xml: a testcase per conformance case and per threshold.
    Junit,
    /// `<case>.hlog`: HdrHistogram interval logs.
    Hlog,
    /// report.html: one self-contained page with plots.
    Html,
    /// summary.md: for a pull-request comment or `$GITHUB_STEP_SUMMARY`.
    Markdown,
}

impl Format {
    pub const ALL: [Format; 6] = [
        Format::Json,
        Format::Csv,
        Format::Junit,
        Format::Hlog,
        Format::Html,
        Format::Markdown,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Junit => "junit",
            Format::Hlog => "hlog",
            Format::Html => "html",
            Format::Markdown => "markdown",
        }
    }

    /// Other names a format is read by: the file names of the first version, and `md`.
    const ALIASES: [(&str, Format); 3] = [
        ("summary.json", Format::Json),
        ("latency.csv", Format::Csv),
        ("md", Format::Markdown),
    ];

    /// Also accepts the file names of the first version (`summary.json`, `latency.csv`).
    pub fn parse(s: &str) -> Result<Format, String> {
        if let Some((_, format)) = Format::ALIASES.iter().find(|(a, _)| *a == s) {
            return Ok(*format);
        }
        Format::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| {
                format!(
                    "unknown report format `{s}`; expected {}",
                    Format::ALL.map(Format::name).join(", ")
                )
            })
    }

    /// The names [`Format::parse`] reads, for the scenario schema.
    pub(crate) fn schema() -> schemars::Schema {
        let names: Vec<&str> = Format::ALL
            .map(Format::name)
            .into_iter()
            .chain(Format::ALIASES.map(|(a, _)| a))
            .collect();
        schemars::json_schema!({
            "enum": names,
            "description": "A report format: json (summary.json, always written), csv (latency.csv and timeline.csv), junit (junit.xml), hlog (HdrHistogram logs per case), html (report.html), markdown (summary.md).",
        })
    }

    /// The files this format writes under fixed names (hlog writes one per case).
    pub fn files(self) -> &'static [&'static str] {
        match self {
            Format::Json => &["summary.json"],
            Format::Csv => &["latency.csv", "timeline.csv"],
            Format::Junit => &["junit.xml"],
            Format::Hlog => &[],
            Format::Html => &[HTML_FILE],
            Format::Markdown => &["summary.md"],
        }
    }
}
