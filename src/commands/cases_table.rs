//! `cogbench cases` as text. Piped, one line per case with its columns lined up, so that grep
//! and cut work; on a terminal too narrow for that table, a short block per case wrapped to its
//! width, since a line the terminal wraps itself breaks every column after it.

use std::fmt::Write as _;

pub struct Row<'a> {
    pub id: &'a str,
    pub confidence: &'a str,
    pub spec: &'a str,
    pub needs: String,
    pub title: &'a str,
}

const HEADER: [&str; 5] = ["id", "confidence", "spec", "needs", "title"];
const GAP: &str = "  ";
const INDENT: &str = "    ";

/// The table, or blocks when `width` (a terminal's) is too narrow for it.
pub fn render(rows: &[Row<'_>], width: Option<usize>) -> String {
    let mut widths = HEADER.map(chars);
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(cells(row)) {
            *w = (*w).max(chars(cell));
        }
    }
    let table_width = widths.iter().sum::<usize>() + GAP.len() * (widths.len() - 1);
    match width {
        Some(width) if table_width > width => blocks(rows, width),
        _ => table(rows, &widths),
    }
}

fn cells<'r>(row: &'r Row<'_>) -> [&'r str; 5] {
    [row.id, row.confidence, row.spec, &row.needs, row.title]
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

fn table(rows: &[Row<'_>], widths: &[usize; 5]) -> String {
    let mut out = String::new();
    for line in std::iter::once(HEADER).chain(rows.iter().map(cells)) {
        let mut text = String::new();
        for (i, (cell, w)) in line.iter().zip(widths).enumerate() {
            if i > 0 {
                text.push_str(GAP);
            }
            text.push_str(cell);
            if i + 1 < line.len() {
                text.extend(std::iter::repeat_n(' ', w - chars(cell)));
            }
        }
        out.push_str(&text);
        out.push('\n');
    }
    out
}

fn blocks(rows: &[Row<'_>], width: usize) -> String {
    let inner = width.saturating_sub(INDENT.len()).max(20);
    let mut out = String::new();
    for row in rows {
        let _ = writeln!(out, "{}", row.id);
        let mut facts = format!("{} · {}", row.confidence, row.spec);
        if !row.needs.is_empty() {
            let _ = write!(facts, " · needs {}", row.needs.replace(',', ", "));
        }
        for text in [facts.as_str(), row.title] {
            for line in crate::term::wrap(text, inner) {
                let _ = writeln!(out, "{INDENT}{line}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows() -> Vec<Row<'static>> {
        vec![
            Row {
                id: "valid-code",
                confidence: "documented",
                spec: "§1.3; §4.6",
                needs: "provision,read_codes".into(),
                title: "The current code confirms an UNCONFIRMED user",
            },
            Row {
                id: "member-user-context-data-ip-address-number",
                confidence: "inferred",
                spec: "Decision order 2; §2",
                needs: String::new(),
                title: "UserContextData.IpAddress given as a number",
            },
        ]
    }

    /// Each column starts at the same character on every line, whatever the longest cell.
    #[test]
    fn piped_columns_line_up() {
        let text = render(&rows(), None);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        for column in ["documented", "§1.3", "provision", "The current"] {
            let header = &lines[0];
            let at = lines[1].find(column).expect(column);
            let start = lines[1][..at].chars().count();
            let name = HEADER
                .iter()
                .find(|h| {
                    header
                        .find(*h)
                        .is_some_and(|i| header[..i].chars().count() == start)
                })
                .unwrap_or_else(|| panic!("no header starts where `{column}` does:\n{text}"));
            assert!(!name.is_empty());
        }
        let title_at =
            |line: &str| line.chars().count() - line.split("  ").last().unwrap().chars().count();
        assert_eq!(title_at(lines[1]), title_at(lines[2]), "{text}");
    }

    #[test]
    fn a_narrow_terminal_gets_wrapped_blocks() {
        let text = render(&rows(), Some(40));
        for line in text.lines() {
            assert!(
                line.chars().count() <= 42,
                "{line:?} is wider than 40:\n{text}"
            );
        }
        assert!(
            text.starts_with("valid-code\n    documented · §1.3; §4.6"),
            "{text}"
        );
        assert!(
            text.contains("    The current code confirms an\n    UNCONFIRMED user\n"),
            "{text}"
        );
    }

    #[test]
    fn a_wide_terminal_gets_the_table() {
        assert_eq!(render(&rows(), Some(400)), render(&rows(), None));
    }
}
