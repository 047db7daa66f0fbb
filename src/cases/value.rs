//! Request member values in cases: JSON literals and placeholders filled per request.

use serde::Deserialize;

/// A request member's value in a case.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Json(serde_json::Value),
    Field(Field),
    /// A string of `count` copies of `text`.
    Repeat(String, usize),
    /// Leave the member out.
    Omit,
}

/// A value known only at request time, from the client and user handed to the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    ClientId,
    Username,
    /// The username in upper case (case-sensitivity cases).
    UsernameUpper,
    Sub,
    Email,
    Code,
    /// The code a Resent user had before ResendConfirmationCode.
    OldCode,
    WrongCode,
    SecretHash,
    WrongSecretHash,
}

/// The largest request body a case and a scenario's `request:` may make together. Cognito's
/// longest member value is 131,072 characters (a ClientMetadata value): this leaves room for
/// a deliberately oversized one of each member, while a phase of thousands of requests cannot
/// fill memory. Checked when the catalog and scenario load, before any `$repeat` is expanded.
pub const MAX_REQUEST_BYTES: usize = 1 << 20;

/// What a value filled at request time may take at most (a username or email is at most 128
/// characters in Cognito, escaped up to 6 bytes each in JSON; codes and hashes are shorter).
const FIELD_BYTES: usize = 800;

impl Value {
    /// The bytes the value takes in a request body, at most (fields are filled later).
    pub fn wire_size(&self) -> usize {
        match self {
            Value::Json(v) => json_size(v),
            Value::Repeat(text, n) => repeat_size(text, *n),
            Value::Field(_) => FIELD_BYTES,
            Value::Omit => 0,
        }
    }
}

/// The bytes one member (`"name":value,`) takes in a request body, at most.
pub fn member_size(name: &str, value: &Value) -> usize {
    (string_size(name) + 2).saturating_add(value.wire_size())
}

/// Refuses a body whose members (name and [`member_size`]) could pass
/// [`MAX_REQUEST_BYTES`], naming the largest member.
pub fn check_request_size<'a>(
    members: impl IntoIterator<Item = (&'a str, usize)>,
) -> Result<(), String> {
    let mut total = 2usize;
    let mut largest: Option<(&str, usize)> = None;
    for (name, size) in members {
        total = total.saturating_add(size);
        if largest.is_none_or(|(_, l)| size > l) {
            largest = Some((name, size));
        }
    }
    if total <= MAX_REQUEST_BYTES {
        return Ok(());
    }
    let largest = largest.map_or(String::new(), |(name, size)| {
        format!(" (the largest member, {name}, takes {size} bytes)")
    });
    Err(format!(
        "the request body would take up to {total} bytes, more than the {} a request may hold{largest}",
        crate::files::size(MAX_REQUEST_BYTES as u64)
    ))
}

/// [`check_request_size`] of members as written.
pub fn check_members_size(members: &[(String, Value)]) -> Result<(), String> {
    check_request_size(members.iter().map(|(n, v)| (n.as_str(), member_size(n, v))))
}

/// The length of `s` as a JSON string, quotes included.
fn string_size(s: &str) -> usize {
    s.bytes().fold(2, |n, b| {
        n + match b {
            b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 0x08 | 0x0c => 2,
            0..0x20 => 6,
            _ => 1,
        }
    })
}

fn repeat_size(text: &str, n: usize) -> usize {
    (string_size(text) - 2).saturating_mul(n).saturating_add(2)
}

/// The value's JSON length with each `$repeat` counted as expanded, without expanding it.
fn json_size(v: &serde_json::Value) -> usize {
    use serde_json::Value as J;
    let separators = |n: usize| n.saturating_sub(1);
    match v {
        J::String(s) => match parse_placeholder(s) {
            Ok(Value::Repeat(text, n)) => repeat_size(&text, n),
            _ => string_size(s),
        },
        J::Array(items) => items.iter().fold(2 + separators(items.len()), |t, i| {
            t.saturating_add(json_size(i))
        }),
        J::Object(map) => map.iter().fold(2 + separators(map.len()), |t, (k, v)| {
            t.saturating_add(string_size(k) + 1)
                .saturating_add(json_size(v))
        }),
        other => other.to_string().len(),
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        match v {
            serde_json::Value::String(s) => parse_placeholder(&s).map_err(serde::de::Error::custom),
            mut other => {
                // Sized before anything is expanded: many small `$repeat`s add up.
                let size = json_size(&other);
                if size > MAX_REQUEST_BYTES {
                    return Err(serde::de::Error::custom(format!(
                        "this value would take {size} bytes, more than the {} a request may hold",
                        crate::files::size(MAX_REQUEST_BYTES as u64)
                    )));
                }
                expand_nested(&mut other).map_err(serde::de::Error::custom)?;
                Ok(Value::Json(other))
            }
        }
    }
}

/// Inside a structure or map only the static placeholders make sense (`$repeat`, `$$`): they
/// are expanded once, here.
fn expand_nested(v: &mut serde_json::Value) -> Result<(), String> {
    match v {
        serde_json::Value::String(s) if s.starts_with('$') => match parse_placeholder(s)? {
            Value::Repeat(text, n) => *s = text.repeat(n),
            Value::Json(serde_json::Value::String(literal)) => *s = literal,
            _ => {
                return Err(format!(
                    "`{s}`: inside a structure or map only $repeat(<text>,<count>) and $$ can be used"
                ));
            }
        },
        serde_json::Value::Array(items) => items.iter_mut().try_for_each(expand_nested)?,
        serde_json::Value::Object(map) => map.values_mut().try_for_each(expand_nested)?,
        _ => {}
    }
    Ok(())
}

/// The placeholders filled at request time, by name (after the `$`).
const FIELDS: [(&str, Field); 10] = [
    ("client_id", Field::ClientId),
    ("username", Field::Username),
    ("username_upper", Field::UsernameUpper),
    ("sub", Field::Sub),
    ("email", Field::Email),
    ("code", Field::Code),
    ("old_code", Field::OldCode),
    ("wrong_code", Field::WrongCode),
    ("secret_hash", Field::SecretHash),
    ("wrong_secret_hash", Field::WrongSecretHash),
];

/// The placeholder that leaves the member out.
const OMIT: &str = "omit";

/// What a member value given as a string may be, as a pattern (ECMA 262): text not starting
/// with `$`, `$$…` (a literal `$…`), or one placeholder. Sizes are not in it.
pub fn string_value_pattern() -> String {
    let names: Vec<&str> = FIELDS.iter().map(|(n, _)| *n).chain([OMIT]).collect();
    format!(
        r"^(?:[^$][\s\S]*|\$\$[\s\S]*|\$(?:{})|\$repeat\([\s\S]*,[\s\S]*\))?$",
        names.join("|")
    )
}

pub(super) fn parse_placeholder(s: &str) -> Result<Value, String> {
    let Some(name) = s.strip_prefix('$') else {
        return Ok(Value::Json(serde_json::Value::String(s.to_owned())));
    };
    if name.starts_with('$') {
        return Ok(Value::Json(serde_json::Value::String(name.to_owned())));
    }
    let field = match FIELDS.iter().find(|(n, _)| *n == name) {
        Some((_, field)) => *field,
        None if name == OMIT => return Ok(Value::Omit),
        None => {
            if let Some(args) = name
                .strip_prefix("repeat(")
                .and_then(|a| a.strip_suffix(')'))
            {
                let (text, count) = args
                    .rsplit_once(',')
                    .ok_or_else(|| format!("`{s}`: expected $repeat(<text>,<count>)"))?;
                let count: usize = count
                    .trim()
                    .parse()
                    .map_err(|_| format!("`{s}`: the count must be a whole number"))?;
                if count > 1 << 20 {
                    return Err(format!("`{s}`: at most {} repetitions", 1 << 20));
                }
                let size = repeat_size(text, count);
                if size > MAX_REQUEST_BYTES {
                    return Err(format!(
                        "`$repeat(…,{count})` would take {size} bytes, more than the {} a request may hold",
                        crate::files::size(MAX_REQUEST_BYTES as u64)
                    ));
                }
                return Ok(Value::Repeat(text.to_owned(), count));
            }
            return Err(format!(
                "unknown placeholder `{s}`; expected one of $client_id, $username, $username_upper, $sub, $email, \
                 $code, $old_code, $wrong_code, $secret_hash, $wrong_secret_hash, $omit, $repeat(<text>,<count>) \
                 (write $$ for a literal $)"
            ));
        }
    };
    Ok(Value::Field(field))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(name: &str, v: Value) -> (String, Value) {
        (name.to_owned(), v)
    }

    #[test]
    fn sizes_are_those_of_the_body_sent() {
        let v: serde_json::Value =
            serde_json::json!({"a": ["$repeat(xy,3)", 1, true], "b\"": null});
        let mut expanded = v.clone();
        expand_nested(&mut expanded).unwrap();
        assert_eq!(json_size(&v), expanded.to_string().len());
        let members = [
            member("A", Value::Json(v)),
            member("B", Value::Repeat("é\n".into(), 4)),
        ];
        let body = serde_json::json!({"A": expanded, "B": "é\n".repeat(4), "C": "\u{1}\"\\"});
        let members = [
            &members[..],
            &[member("C", Value::Json("\u{1}\"\\".into()))],
        ]
        .concat();
        let size: usize = members.iter().map(|(n, v)| member_size(n, v)).sum();
        // One comma fewer than members.
        assert_eq!(size + 2 - 1, body.to_string().len());
    }

    #[test]
    fn a_repeat_past_the_request_limit_is_refused_unexpanded() {
        assert!(parse_placeholder("$repeat(x,1000000)").is_ok());
        let e = parse_placeholder("$repeat(xx,1048576)").unwrap_err();
        assert!(e.contains("2097154 bytes, more than the 1 MiB"), "{e}");
        // Ten repeats that each fit, in one map, do not.
        let text = (0..10)
            .map(|i| format!("  k{i}: $repeat(x,1000000)\n"))
            .collect::<String>();
        let e =
            crate::yaml::from_str::<Value>(&format!("\n{text}"), std::path::Path::new("s.yaml"))
                .unwrap_err();
        assert!(
            e.message.contains("more than the 1 MiB a request may hold"),
            "{e}"
        );
    }

    #[test]
    fn members_that_fit_alone_may_not_fit_together() {
        let big = || Value::Repeat("x".into(), 600_000);
        let one = [member("A", big())];
        assert!(check_members_size(&one).is_ok());
        let two = [member("A", big()), member("ClientMetadata", big())];
        let e = check_members_size(&two).unwrap_err();
        assert!(
            e.contains("more than the 1 MiB") && e.contains("largest member"),
            "{e}"
        );
    }
}
