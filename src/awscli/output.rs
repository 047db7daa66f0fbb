//! `--output json|text|table`, rendered as the AWS CLI renders a response (after `--query`).
//!
//! * json: 4-space indented JSON and a newline; an empty object `{}` prints nothing (the AWS
//!   CLI's rule for operations without output, ConfirmSignUp among them); `null` prints `null`.
//! * text: scalars of an object on one tab-separated line (keys sorted), nested objects and
//!   lists below, lists of objects one line each with a column per scalar key, values as
//!   Python prints them (`True`, `None`).
//! * table: titled sections with `|` borders, one row of headers and values per object
//!   (a single key/value pair as a two-column row), nested objects as indented sections,
//!   80 columns wide (or `$COLUMNS`), a table wider than that turned vertical.

use serde_json::Value;

use super::model::{is_scalar, py_str as scalar};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Json,
    Text,
    Table,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "json" => Some(Format::Json),
            "text" => Some(Format::Text),
            "table" => Some(Format::Table),
            _ => None,
        }
    }
}

/// Renders `value`; `title` names the table (the operation).
pub fn render(format: Format, value: &Value, title: &str, color: bool) -> String {
    match format {
        Format::Json => json(value),
        Format::Text => {
            let mut out = String::new();
            text(value, None, None, &mut out);
            out
        }
        Format::Table => table(value, title, color, terminal_width()),
    }
}

pub fn json(value: &Value) -> String {
    if value.as_object().is_some_and(|o| o.is_empty()) {
        return String::new();
    }
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    serde::Serialize::serialize(value, &mut ser).expect("a JSON value serialises");
    let mut s = String::from_utf8(buf).expect("serde_json writes UTF-8");
    s.push('\n');
    s
}

fn text(item: &Value, identifier: Option<&str>, scalar_keys: Option<&[String]>, out: &mut String) {
    match item {
        Value::Object(map) => {
            let mut scalars: Vec<String> = Vec::new();
            let mut nested: Vec<(&String, &Value)> = Vec::new();
            match scalar_keys {
                None => {
                    let mut keys: Vec<&String> = map.keys().collect();
                    keys.sort();
                    for k in keys {
                        let v = &map[k];
                        if is_scalar(v) {
                            scalars.push(scalar(v));
                        } else {
                            nested.push((k, v));
                        }
                    }
                }
                Some(keys) => {
                    for k in keys {
                        scalars.push(map.get(k).map(scalar).unwrap_or_default());
                    }
                    let mut rest: Vec<&String> = map.keys().filter(|k| !keys.contains(k)).collect();
                    rest.sort();
                    nested.extend(rest.into_iter().map(|k| (k, &map[k])));
                }
            }
            if !scalars.is_empty() {
                if let Some(id) = identifier {
                    scalars.insert(0, id.to_uppercase());
                }
                out.push_str(&scalars.join("\t"));
                out.push('\n');
            }
            for (k, v) in nested {
                text(v, Some(k), None, out);
            }
        }
        Value::Array(items) => {
            if items.is_empty() {
                return;
            }
            if items.iter().any(Value::is_object) {
                let mut keys: Vec<String> = items
                    .iter()
                    .filter_map(Value::as_object)
                    .flat_map(|o| {
                        o.iter()
                            .filter(|(_, v)| is_scalar(v))
                            .map(|(k, _)| k.clone())
                    })
                    .collect();
                keys.sort();
                keys.dedup();
                for el in items {
                    text(el, identifier, Some(&keys), out);
                }
            } else if items.iter().any(Value::is_array) {
                let (scalars, rest): (Vec<&Value>, Vec<&Value>) =
                    items.iter().partition(|v| is_scalar(v));
                if !scalars.is_empty() {
                    scalar_list(&scalars, identifier, out);
                }
                for v in rest {
                    text(v, identifier, None, out);
                }
            } else {
                let all: Vec<&Value> = items.iter().collect();
                scalar_list(&all, identifier, out);
            }
        }
        other => {
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
}

fn scalar_list(items: &[&Value], identifier: Option<&str>, out: &mut String) {
    match identifier {
        Some(id) => {
            for v in items {
                out.push_str(&format!("{}\t{}\n", id.to_uppercase(), scalar(v)));
            }
        }
        None => {
            let parts: Vec<String> = items.iter().map(|v| scalar(v)).collect();
            out.push_str(&parts.join("\t"));
            out.push('\n');
        }
    }
}

/// `$COLUMNS` when it is a number, else 80 (what the AWS CLI uses when it cannot ask the
/// terminal; cogbench does not ask it).
fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse().ok())
        .filter(|w| *w > 0)
        .unwrap_or(80)
}

mod table;
pub use table::table;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn text_of(v: Value) -> String {
        render(Format::Text, &v, "Op", false)
    }

    #[test]
    fn json_prints_nothing_for_an_empty_object_and_null_for_none() {
        assert_eq!(json(&json!({})), "");
        assert_eq!(json(&Value::Null), "null\n");
        assert_eq!(json(&json!([])), "[]\n");
        assert_eq!(
            json(&json!({"Session": "abc", "N": [1, {"x": true}]})),
            "{\n    \"N\": [\n        1,\n        {\n            \"x\": true\n        }\n    ],\n    \"Session\": \"abc\"\n}\n"
        );
    }

    #[test]
    fn text_follows_the_aws_cli_layout() {
        assert_eq!(text_of(json!({})), "");
        assert_eq!(text_of(Value::Null), "None\n");
        assert_eq!(
            text_of(json!({"b": 2, "a": "x", "c": true})),
            "x\t2\tTrue\n"
        );
        assert_eq!(
            text_of(json!({"Name": "n", "Tags": [{"Key": "k1", "Value": "v1"}, {"Key": "k2"}]})),
            "n\nTAGS\tk1\tv1\nTAGS\tk2\t\n"
        );
        assert_eq!(text_of(json!({"Ids": ["a", "b"]})), "IDS\ta\nIDS\tb\n");
        assert_eq!(text_of(json!(["a", "b"])), "a\tb\n");
        assert_eq!(text_of(json!({"Outer": {"Inner": "v"}})), "OUTER\tv\n");
    }
}
