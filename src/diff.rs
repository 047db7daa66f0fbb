//! Differential mode: one catalog against two targets, and where their answers differ.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::report::Summary;

#[derive(Debug, Clone, Serialize)]
pub struct CaseDifference {
    pub case: String,
    /// Fields of the observed answers that differ (verdict included).
    pub fields: Vec<String>,
    pub left: BTreeMap<String, String>,
    pub right: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    pub left: Side,
    pub right: Side,
    /// Cases both ran; `differences` lists those whose answers differ.
    pub compared: usize,
    pub differences: Vec<CaseDifference>,
    /// Cases one side could not run (skipped), with why.
    pub not_compared: Vec<NotCompared>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Side {
    pub scenario: String,
    pub target: String,
    pub endpoint: String,
    pub report: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct NotCompared {
    pub case: String,
    pub reason: String,
}

fn observed(c: &crate::report::CaseSummary) -> Option<BTreeMap<String, String>> {
    let mut o = c.sample.clone()?;
    o.insert("verdict".into(), c.verdict.as_str().into());
    Some(o)
}

pub fn compare(left: &Summary, right: &Summary, sides: (Side, Side)) -> Diff {
    let mut differences = Vec::new();
    let mut not_compared = Vec::new();
    let mut compared = 0;
    for l in &left.cases {
        let Some(r) = right.cases.iter().find(|r| r.name == l.name) else {
            continue;
        };
        let (Some(lo), Some(ro)) = (observed(l), observed(r)) else {
            let why = |c: &crate::report::CaseSummary, side: &str| {
                c.skip_reason
                    .as_ref()
                    .map(|r| format!("{side}: {r}"))
                    .unwrap_or_else(|| format!("{side}: no judged answer"))
            };
            let mut reasons = Vec::new();
            if l.sample.is_none() {
                reasons.push(why(l, "left"));
            }
            if r.sample.is_none() {
                reasons.push(why(r, "right"));
            }
            not_compared.push(NotCompared {
                case: l.name.clone(),
                reason: reasons.join("; "),
            });
            continue;
        };
        compared += 1;
        let keys: BTreeSet<&String> = lo.keys().chain(ro.keys()).collect();
        let fields: Vec<String> = keys
            .into_iter()
            .filter(|k| lo.get(*k) != ro.get(*k))
            .cloned()
            .collect();
        if !fields.is_empty() {
            differences.push(CaseDifference {
                case: l.name.clone(),
                fields,
                left: lo,
                right: ro,
            });
        }
    }
    Diff {
        left: sides.0,
        right: sides.1,
        compared,
        differences,
        not_compared,
    }
}

/// As wide as the header or the widest cell below it.
fn column_width(header: &str, cells: impl Iterator<Item = usize>) -> usize {
    cells.fold(header.len(), usize::max)
}

pub fn render(diff: &Diff) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "left:  {} ({} {})\nright: {} ({} {})\n",
        diff.left.scenario,
        diff.left.target,
        diff.left.endpoint,
        diff.right.scenario,
        diff.right.target,
        diff.right.endpoint
    );
    let cw = column_width("case", diff.differences.iter().map(|d| d.case.len()));
    let fw = column_width(
        "field",
        diff.differences
            .iter()
            .flat_map(|d| d.fields.iter().map(String::len)),
    );
    if !diff.differences.is_empty() {
        let _ = writeln!(
            out,
            "{:<cw$}  {:<fw$}  {:<40}  right",
            "case", "field", "left"
        );
    }
    let none = "(none)".to_owned();
    for d in &diff.differences {
        for (i, f) in d.fields.iter().enumerate() {
            let case = if i == 0 { d.case.as_str() } else { "" };
            // What the targets answered, on one line with nothing a terminal acts on.
            let l: String = crate::term::inline(d.left.get(f).unwrap_or(&none))
                .chars()
                .take(40)
                .collect();
            let r = crate::term::inline(d.right.get(f).unwrap_or(&none));
            let _ = writeln!(out, "{case:<cw$}  {f:<fw$}  {l:<40}  {r}");
        }
    }
    for n in &diff.not_compared {
        let _ = writeln!(
            out,
            "not compared: {} — {}",
            n.case,
            crate::term::inline(&n.reason)
        );
    }
    let _ = writeln!(
        out,
        "\n{} of {} cases answered differently ({} not compared)",
        diff.differences.len(),
        diff.compared,
        diff.not_compared.len()
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_as_wide_as_their_header_or_widest_cell() {
        let side = || Side {
            scenario: "s".into(),
            target: "t".into(),
            endpoint: "e".into(),
            report: "r".into(),
        };
        let answer = |v: &str| BTreeMap::from([("x".to_owned(), v.to_owned())]);
        let difference = |case: &str| CaseDifference {
            case: case.into(),
            fields: vec!["x".into()],
            left: answer("1"),
            right: answer("2"),
        };
        let mut diff = Diff {
            left: side(),
            right: side(),
            compared: 1,
            differences: vec![difference("c")],
            not_compared: Vec::new(),
        };
        let table = |diff: &Diff| render(diff).lines().nth(4).unwrap_or_default().to_owned();
        assert_eq!(table(&diff), format!("c     x      {:<40}  2", "1"));
        diff.differences.push(difference("longer"));
        assert_eq!(table(&diff), format!("c       x      {:<40}  2", "1"));
    }
}
