//! `--output table`: sections with a centred title, a row of centred headers and left-aligned
//! values between `|` borders; nested objects become sections indented by one `|` per level.

use serde_json::Value;

use crate::awscli::model::{is_scalar, py_str as scalar};

const BOLD_BLUE: &str = "\x1b[1m\x1b[34m";
const DIM_YELLOW: &str = "\x1b[2m\x1b[33m";
const RESET: &str = "\x1b[0m";

/// Display width: East Asian wide and fullwidth characters take two columns.
fn width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            let c = c as u32;
            let wide = (0x1100..=0x115F).contains(&c)
                || (0x2E80..=0xA4CF).contains(&c)
                || (0xAC00..=0xD7A3).contains(&c)
                || (0xF900..=0xFAFF).contains(&c)
                || (0xFE30..=0xFE4F).contains(&c)
                || (0xFF00..=0xFF60).contains(&c)
                || (0xFFE0..=0xFFE6).contains(&c)
                || (0x1F300..=0x1FAFF).contains(&c)
                || (0x20000..=0x3FFFD).contains(&c);
            if wide { 2 } else { 1 }
        })
        .sum()
}

fn spaces(n: i64) -> String {
    " ".repeat(n.max(0) as usize)
}

fn center(text: &str, text_len: usize, length: usize, left: &str, right: &str) -> String {
    let (length, text_len) = (length as i64, text_len as i64);
    let start = length / 2 - text_len / 2 - 1;
    let so_far = width(left) as i64 + start + text_len;
    let right_spaces = length - width(right) as i64 - so_far;
    format!(
        "{left}{}{text}{}{right}",
        spaces(start),
        spaces(right_spaces)
    )
}

fn align_left(text: &str, text_len: usize, length: usize, left: &str, right: &str) -> String {
    let edges = width(left) + width(right);
    let padding = if length >= text_len + 2 + edges { 2 } else { 0 };
    let fill = length as i64 - (width(left) + padding + text_len) as i64 - width(right) as i64;
    format!("{left}{}{text}{}{right}", " ".repeat(padding), spaces(fill))
}

#[derive(Default, Clone)]
struct Section {
    title: String,
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    indent: usize,
    max_widths: Vec<usize>,
}

impl Section {
    fn update_widths(&mut self, cells: &[String]) {
        for (i, c) in cells.iter().enumerate() {
            let w = width(c);
            match self.max_widths.get_mut(i) {
                Some(m) => *m = (*m).max(w),
                None => self.max_widths.push(w),
            }
        }
    }

    fn add_header(&mut self, headers: Vec<String>) {
        self.update_widths(&headers);
        self.headers = headers;
    }

    fn add_row(&mut self, row: Vec<String>) {
        self.update_widths(&row);
        self.rows.push(row);
    }

    /// Column widths with `padding` each, scaled to add up to `max_width`.
    fn column_widths(&self, padding: usize, max_width: usize) -> Vec<usize> {
        let unscaled: Vec<usize> = self.max_widths.iter().map(|w| w + padding).collect();
        let total: usize = unscaled.iter().sum();
        if unscaled.is_empty() || total == 0 {
            return unscaled;
        }
        let factor = max_width as f64 / total as f64;
        let mut scaled: Vec<i64> = unscaled
            .iter()
            .map(|w| (factor * *w as f64).round_ties_even() as i64)
            .collect();
        let mut off_by = scaled.iter().sum::<i64>() - max_width as i64;
        while off_by != 0 {
            let order: Vec<usize> = if off_by > 0 {
                (0..scaled.len()).collect()
            } else {
                (0..scaled.len()).rev().collect()
            };
            for i in order {
                if off_by > 0 {
                    scaled[i] -= 1;
                    off_by -= 1;
                } else {
                    scaled[i] += 1;
                    off_by += 1;
                }
                if off_by == 0 {
                    break;
                }
            }
        }
        scaled.into_iter().map(|w| w.max(0) as usize).collect()
    }

    fn total_width(&self) -> usize {
        let columns: usize = self.max_widths.iter().map(|w| w + 4).sum();
        let total = columns + 2 + 2 * self.indent;
        total.max(width(&self.title) + 2 + 2 * self.indent)
    }
}

struct Builder {
    sections: Vec<Section>,
}

fn falsy(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
    }
}

impl Builder {
    fn new_section(&mut self, title: &str, indent: usize) {
        self.sections.push(Section {
            title: title.to_owned(),
            indent,
            ..Section::default()
        });
    }

    fn current(&mut self) -> &mut Section {
        if self.sections.is_empty() {
            self.sections.push(Section::default());
        }
        self.sections.last_mut().expect("a section exists")
    }

    fn build(&mut self, title: Option<&str>, current: &Value, indent: usize) -> bool {
        if falsy(current) {
            return false;
        }
        if let Some(t) = title {
            self.new_section(t, indent);
        }
        match current {
            Value::Array(items) if items[0].is_object() => {
                self.list_of_objects(items, indent, title.unwrap_or(""));
            }
            Value::Array(items) => {
                for item in items {
                    match item {
                        Value::Array(inner) if inner.iter().all(is_scalar) => {
                            self.current().add_row(inner.iter().map(scalar).collect());
                        }
                        v if is_scalar(v) => self.current().add_row(vec![scalar(v)]),
                        v => {
                            self.build(None, v, 0);
                        }
                    }
                }
            }
            Value::Object(map) => {
                let (headers, more) = group(map.iter());
                if headers.len() == 1 {
                    let v = scalar(&map[&headers[0]]);
                    self.current().add_row(vec![headers[0].clone(), v]);
                } else if !headers.is_empty() {
                    let values = headers.iter().map(|h| scalar(&map[h])).collect();
                    let s = self.current();
                    s.add_header(headers);
                    s.add_row(values);
                }
                for k in more {
                    self.build(Some(&k), &map[&k], indent + 1);
                }
            }
            _ => {}
        }
        true
    }

    fn list_of_objects(&mut self, items: &[Value], indent: usize, title: &str) {
        let objects: Vec<&serde_json::Map<String, Value>> =
            items.iter().filter_map(Value::as_object).collect();
        let (headers, more) = group(objects.iter().flat_map(|o| o.iter()));
        self.current().add_header(headers.clone());
        for (i, el) in objects.iter().enumerate() {
            if i > 0 && !more.is_empty() {
                self.new_section(title, indent);
                self.current().add_header(headers.clone());
            }
            let row = headers
                .iter()
                .map(|h| el.get(h).map(scalar).unwrap_or_default())
                .collect();
            self.current().add_row(row);
            for k in &more {
                if let Some(v) = el.get(k) {
                    self.build(Some(k), v, indent + 1);
                }
            }
        }
    }
}

/// The keys with scalar values and the others, each sorted and without repeats.
fn group<'a>(entries: impl Iterator<Item = (&'a String, &'a Value)>) -> (Vec<String>, Vec<String>) {
    let (mut headers, mut more) = (Vec::new(), Vec::new());
    for (k, v) in entries {
        if is_scalar(v) {
            &mut headers
        } else {
            &mut more
        }
        .push(k.clone());
    }
    for list in [&mut headers, &mut more] {
        list.sort();
        list.dedup();
    }
    (headers, more)
}

/// One section turned on its side: `header | value` rows.
fn vertical(s: &Section) -> Section {
    let mut out = Section {
        title: s.title.clone(),
        indent: s.indent,
        ..Section::default()
    };
    for (h, v) in s.headers.iter().zip(&s.rows[0]) {
        out.add_row(vec![h.clone(), v.clone()]);
    }
    out
}

/// Renders `value` as a table `terminal_width` columns wide at most (wider tables are
/// turned vertical); empty or false-like values print nothing.
pub fn table(value: &Value, title: &str, color: bool, terminal_width: usize) -> String {
    let mut b = Builder {
        sections: Vec::new(),
    };
    if !b.build(Some(title), value, 0) {
        return String::new();
    }
    let mut sections = b.sections;
    let widest = |s: &[Section]| s.iter().map(Section::total_width).max().unwrap_or(0);
    let mut max_width = widest(&sections);
    if max_width > terminal_width {
        for s in sections.iter_mut() {
            if s.rows.len() == 1 && !s.headers.is_empty() {
                *s = vertical(s);
            }
        }
        max_width = widest(&sections);
    }
    let bar = if color {
        format!("{DIM_YELLOW}|{RESET}")
    } else {
        "|".to_owned()
    };
    let mut out = format!("{}\n", "-".repeat(max_width));
    for s in &sections {
        let edge = bar.repeat(s.indent);
        let mut line = |text: String| {
            out.push_str(&edge);
            out.push_str(&text);
            out.push_str(&edge);
            out.push('\n');
        };
        let width_here = max_width.saturating_sub(2 * s.indent);
        if !s.title.is_empty() {
            line(center(&s.title, width(&s.title), width_here, "|", "|"));
            if s.headers.is_empty() && s.rows.is_empty() {
                line(format!("+{}+", "-".repeat(width_here.saturating_sub(2))));
            }
        }
        let widths = s.column_widths(4, width_here);
        let rule = || {
            let mut r = String::new();
            for (i, w) in widths.iter().enumerate() {
                if i == 0 {
                    r.push_str(&format!("+{}+", "-".repeat(w.saturating_sub(2))));
                } else {
                    r.push_str(&format!("{}+", "-".repeat(w.saturating_sub(1))));
                }
            }
            r
        };
        if !s.headers.is_empty() {
            let mut cells = String::new();
            for (i, (w, h)) in widths.iter().zip(&s.headers).enumerate() {
                cells.push_str(&center(h, width(h), *w, if i == 0 { "|" } else { "" }, "|"));
            }
            line(rule());
            line(cells);
        }
        if !s.rows.is_empty() && !widths.is_empty() {
            line(rule());
            for row in &s.rows {
                let mut cells = String::new();
                for (i, (w, v)) in widths.iter().zip(row).enumerate() {
                    let styled = if color {
                        format!("{BOLD_BLUE}{v}{RESET}")
                    } else {
                        v.clone()
                    };
                    let left = if i == 0 { "|" } else { "" };
                    cells.push_str(&align_left(&styled, width(v), *w, left, "|"));
                }
                line(cells);
            }
            line(rule());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn empty_values_print_nothing() {
        for v in [json!({}), Value::Null, json!([]), json!(""), json!(false)] {
            assert_eq!(table(&v, "ConfirmSignUp", false, 80), "");
        }
    }

    #[test]
    fn one_scalar_key_is_a_two_column_row() {
        let t = table(&json!({"Session": "abc"}), "ConfirmSignUp", false, 80);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 5, "{t}");
        assert!(
            lines.iter().all(|l| l.chars().count() == lines[0].len()),
            "{t}"
        );
        assert!(lines[1].starts_with('|') && lines[1].contains("ConfirmSignUp"));
        assert!(lines[2].starts_with("+-") && lines[2].ends_with('+'));
        assert!(lines[3].starts_with("|  Session") && lines[3].contains("|  abc"));
        assert_eq!(lines[4], lines[2]);
    }

    #[test]
    fn several_keys_get_headers_and_nested_objects_indent() {
        let t = table(
            &json!({"A": "1", "B": "two", "Inner": {"X": "y", "Z": "w"}}),
            "Op",
            false,
            80,
        );
        let lines: Vec<&str> = t.lines().collect();
        let w = lines[0].len();
        assert!(lines.iter().all(|l| l.chars().count() == w), "{t}");
        assert!(
            lines.iter().any(|l| l.contains(" A ") && l.contains(" B ")),
            "{t}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("||") && l.contains("Inner")),
            "{t}"
        );
    }

    #[test]
    fn color_styles_values_and_indentation() {
        let t = table(&json!({"Session": "abc", "In": {"k": "v"}}), "Op", true, 80);
        assert!(t.contains("\x1b[1m\x1b[34mabc\x1b[0m"), "{t:?}");
        assert!(t.contains("\x1b[2m\x1b[33m|\x1b[0m"), "{t:?}");
    }

    #[test]
    fn a_table_wider_than_the_terminal_turns_vertical() {
        let v = json!({"Alpha": "a".repeat(30), "Beta": "b".repeat(30), "Gamma": "c".repeat(30)});
        let t = table(&v, "Op", false, 80);
        assert!(t.lines().all(|l| l.chars().count() <= 80), "{t}");
        assert!(
            t.lines().any(|l| l.contains("Alpha") && l.contains("aaaa")),
            "{t}"
        );
    }
}
