//! Pieces of the scenario schema shared by the types that read scalars by hand: regular
//! expressions (ECMA 262, as JSON Schema's `pattern` takes them) for what the parsers accept,
//! and text read from any plain scalar.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

/// Whitespace as Rust's `str::trim` and `char::is_whitespace` see it (Unicode White_Space),
/// spelt out: ECMA's `\s` is a slightly different set, and a schema must not refuse what the
/// loader trims. (No lookahead in these patterns: not every validator has it.)
macro_rules! ws_chars {
    () => {
        r"\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000"
    };
}

/// The whitespace characters, for a bracket expression of one's own (`[^{}…]`).
pub const WS_CHARS: &str = ws_chars!();

/// One whitespace character.
pub const WS: &str = concat!("[", ws_chars!(), "]");

/// A number as Rust's `f64::from_str` reads it (a sign, digits with an optional point and
/// exponent). The loaders refuse negatives, infinities and NaN with their own messages; the
/// sign stays because `-0` is zero.
pub const NUMBER: &str = r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?";

/// `body` anchored, with the whitespace `trim` removes allowed around it.
pub fn trimmed(body: &str) -> String {
    format!("^{WS}*(?:{body}){WS}*$")
}

/// A string matching `pattern`, described.
pub fn string(pattern: &str, description: &str) -> Schema {
    json_schema!({
        "type": "string",
        "pattern": pattern,
        "description": description,
    })
}

/// Merges `extra` into the schema of `schema`'s property `key` (a derived struct's), for
/// what the conversion after reading checks. The property must be there.
pub fn refine_property(schema: &mut Schema, key: &str, extra: serde_json::Value) {
    let property = schema
        .get_mut("properties")
        .and_then(|p| p.get_mut(key))
        .and_then(|p| p.as_object_mut())
        .unwrap_or_else(|| panic!("the schema has a property `{key}`"));
    merge(property, extra.as_object().expect("an object"));
}

/// `extra`'s keys into `into`, mappings merged key by key (so that refining a list's `items`
/// keeps the `$ref` to its element's schema), anything else replaced.
fn merge(
    into: &mut serde_json::Map<String, serde_json::Value>,
    extra: &serde_json::Map<String, serde_json::Value>,
) {
    for (k, v) in extra {
        match (into.get_mut(k), v) {
            (Some(serde_json::Value::Object(old)), serde_json::Value::Object(new)) => {
                merge(old, new)
            }
            _ => {
                into.insert(k.clone(), v.clone());
            }
        }
    }
}

/// Text the loader reads from any plain scalar: YAML's `name: 123` or `fixed: 012345` is
/// read as the text written, so numbers and booleans are text too.
pub struct PlainText;

impl JsonSchema for PlainText {
    fn schema_name() -> Cow<'static, str> {
        "PlainText".into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": ["string", "number", "boolean"] })
    }
}

/// Says `key: ` (an empty value) is allowed wherever the loader reads it as an empty mapping
/// or list: YAML's empty value is JSON's null, which serde_norway reads as an empty
/// section, so every mapping that needs no key and every list that may be empty also takes
/// null. The root, a mapping with required keys, and lists or mappings with a least size are
/// left as they are. Recursive, but for the schema given.
pub fn allow_empty_values(root: &mut Schema) {
    schemars::transform::transform_subschemas(&mut empty_allowed, root);
}

fn empty_allowed(schema: &mut Schema) {
    if let Some(object) = schema.as_object_mut() {
        let kind = object.get("type").and_then(|t| t.as_str());
        let open = match kind {
            Some("object") => {
                object
                    .get("required")
                    .and_then(|r| r.as_array())
                    .is_none_or(|r| r.is_empty())
                    && !object.contains_key("minProperties")
            }
            Some("array") => object
                .get("minItems")
                .and_then(|m| m.as_u64())
                .is_none_or(|m| m == 0),
            _ => false,
        };
        if open {
            let kind = kind.expect("matched").to_owned();
            object.insert("type".into(), serde_json::json!([kind, "null"]));
        }
    }
    schemars::transform::transform_subschemas(&mut empty_allowed, schema);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The patterns are written for ECMA 262; the regex crate reads these ones alike.
    fn matches(pattern: &str, text: &str) -> bool {
        regex::Regex::new(pattern).unwrap().is_match(text)
    }

    #[test]
    fn a_number_is_what_f64_reads() {
        let number = trimmed(NUMBER);
        for n in ["1", "1.", ".5", "1.5e3", "+2", "-0", " 7 ", "\u{a0}3"] {
            assert!(n.trim().parse::<f64>().is_ok(), "{n}");
            assert!(matches(&number, n), "{n}");
        }
        for n in ["1.2.3", "e5", ".", "1e", "0x10", ""] {
            assert!(n.trim().parse::<f64>().is_err(), "{n}");
            assert!(!matches(&number, n), "{n}");
        }
    }

    #[test]
    fn whitespace_is_what_trim_removes() {
        for c in (0..=0x3000u32).filter_map(char::from_u32) {
            let text = format!("{c}x");
            assert_eq!(
                matches(&format!("^{WS}x$"), &text),
                c.is_whitespace(),
                "U+{:04X}",
                c as u32
            );
        }
    }

    #[test]
    fn empty_values_are_allowed_where_an_empty_section_is() {
        let mut schema = json_schema!({
            "type": "object",
            "required": ["a"],
            "properties": {
                "a": { "type": "object", "properties": { "x": { "type": "string" } } },
                "b": { "type": "object", "required": ["x"] },
                "c": { "type": "array", "items": { "type": "object", "minProperties": 1 } },
                "d": { "type": "array", "minItems": 1 },
            }
        });
        allow_empty_values(&mut schema);
        let kind = |key: &str| schema.get("properties").unwrap()[key]["type"].clone();
        assert_eq!(kind("a"), serde_json::json!(["object", "null"]));
        assert_eq!(kind("b"), "object");
        assert_eq!(kind("c"), serde_json::json!(["array", "null"]));
        assert_eq!(
            schema.get("properties").unwrap()["c"]["items"]["type"],
            "object"
        );
        assert_eq!(kind("d"), "array");
        assert_eq!(schema.get("type").unwrap(), "object");
    }
}
