//! The small values a scenario is made of, each checked where it stands: durations,
//! secrets, user counts and naming templates, percentages and fractions.

use std::time::Duration;

use schemars::json_schema;
use serde::Deserialize;

use super::patterns::{self, NUMBER, WS, WS_CHARS};
use super::units::parse_duration;
use crate::yaml::{parsed_str, visited};

pub const MAX_USERS: u64 = 1_000_000;

/// A percentage: `10%` or `10`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Percent(pub f64);
// Checked in the visitor, so an error is placed at the value.
visited!(
    Percent,
    deserialize_any(),
    "a percentage of 0 or more, like 10% or 10",
    schema: |_| json_schema!({
        "description": "A percentage of 0 or more: 10 or \"10%\".",
        "anyOf": [
            { "type": "number", "minimum": 0 },
            { "type": "string", "pattern": patterns::trimmed(&format!("{NUMBER}{WS}*%")) },
        ],
        "examples": ["10%"],
    }),
    {
        fn visit_f64<E: serde::de::Error>(self, n: f64) -> Result<Percent, E> {
            if n.is_finite() && n >= 0.0 {
                Ok(Percent(n))
            } else {
                Err(E::invalid_value(serde::de::Unexpected::Float(n), &self))
            }
        }
        fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<Percent, E> {
            self.visit_f64(n as f64)
        }
        fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<Percent, E> {
            if n < 0 {
                return Err(E::invalid_value(serde::de::Unexpected::Signed(n), &self));
            }
            self.visit_f64(n as f64)
        }
        fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Percent, E> {
            let n = s
                .trim()
                .strip_suffix('%')
                .and_then(|n| n.trim().parse().ok());
            match n {
                Some(n) => self.visit_f64(n),
                None => Err(E::invalid_value(serde::de::Unexpected::Str(s), &self)),
            }
        }
    }
);

#[derive(Debug, Clone, Copy)]
pub(crate) struct Dur(pub Duration);
parsed_str!(
    Dur,
    "a duration like 500ms, 10s or 2m",
    |s| parse_duration(s).map(Dur),
    schema: |_| super::units::duration_schema()
);

/// A secret: only ever `${ENV_VAR}` (read from the environment while the scenario loads) or
/// `${file:PATH}` (a file's content without its trailing newline; PATH relative to the working
/// folder), never the secret itself.
#[derive(Clone)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

parsed_str!(Secret, "`${ENV_VAR}` or `${file:PATH}`", |s| {
    if let Some(path) = s.strip_prefix("${file:").and_then(|r| r.strip_suffix('}')) {
        let text = crate::files::read_to_string_limited(
            std::path::Path::new(path),
            crate::files::SECRET_MAX,
            "secret",
        )
        .map_err(|e| format!("secret file {e}"))?;
        let secret = text.trim_end_matches(['\n', '\r']);
        if secret.is_empty() {
            return Err(format!("secret file {path} is empty"));
        }
        return Ok(Secret(secret.to_owned()));
    }
    let name = s
        .strip_prefix("${")
        .and_then(|r| r.strip_suffix('}'))
        .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .ok_or_else(|| {
            "secrets are read from the environment or a file: write `${ENV_VAR}` or `${file:PATH}`, never the secret itself"
                .to_owned()
        })?;
    match std::env::var(name) {
        Ok(v) if !v.is_empty() => Ok(Secret(v)),
        Ok(_) => Err(format!("environment variable {name} is empty")),
        Err(_) => Err(format!("environment variable {name} is not set")),
    }
}, schema: |_| patterns::string(
    r"^\$\{(?:file:[\s\S]+|[A-Za-z0-9_]+)\}$",
    "A secret, never written here: ${ENV_VAR} (read from the environment while the scenario loads; it must be set and not empty) or ${file:PATH} (a file's content without its trailing newline; PATH relative to the working folder).",
));

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    Auto,
    Exactly(u64),
}

visited!(
    Count,
    deserialize_any(),
    "`auto` or a whole number from 1 to {MAX_USERS}",
    schema: |_| json_schema!({
        "description": format!("`auto` (sized from the phases and the mix) or a whole number from 1 to {MAX_USERS}."),
        "anyOf": [
            { "const": "auto" },
            { "type": "integer", "minimum": 1, "maximum": MAX_USERS },
        ],
    }),
    {
        fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Count, E> {
            crate::yaml::keyword(s, "auto", Count::Auto, &self)
        }
        fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<Count, E> {
            if (1..=MAX_USERS).contains(&n) {
                Ok(Count::Exactly(n))
            } else {
                Err(E::invalid_value(serde::de::Unexpected::Unsigned(n), &self))
            }
        }
        fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<Count, E> {
            Err(E::invalid_value(serde::de::Unexpected::Signed(n), &self))
        }
    }
);

/// A user naming template: `{n}` is the user's index, `{run}` a per-run id.
#[derive(Debug, Clone)]
pub struct Template(pub String);
parsed_str!(Template, "a template containing {n}", |s| {
    if !s.contains("{n}") {
        return Err(format!(
            "`{s}` must contain {{n}} so every user gets a distinct value"
        ));
    }
    let stripped = s.replace("{n}", "").replace("{run}", "");
    if stripped.contains('{') || stripped.contains('}') {
        return Err(format!("`{s}`: only {{n}} and {{run}} can be substituted"));
    }
    if s.chars().any(char::is_whitespace) {
        return Err(format!("`{s}` must not contain whitespace"));
    }
    Ok(Template(s.to_owned()))
}, schema: |_| {
    // Runs of text that is neither whitespace nor a brace, and the two placeholders.
    let piece = format!(r"(?:[^{{}}{WS_CHARS}]|\{{n\}}|\{{run\}})");
    let mut schema = patterns::string(
        &format!(r"^{piece}*\{{n\}}{piece}*$"),
        "A naming template: {n} (required) is the user's number, {run} a per-run id; no other braces, no whitespace.",
    );
    schema.insert("examples".into(), serde_json::json!(["cb-{run}-{n}"]));
    schema
});

impl Template {
    pub fn render(&self, run: &str, n: u64) -> String {
        self.0.replace("{run}", run).replace("{n}", &n.to_string())
    }
}

/// A whole number checked against its range where it stands, kept as the newtype's integer;
/// its schema is the same range.
macro_rules! whole_number_in {
    ($ty:ident($inner:ty), $range:expr, $expecting:literal) => {
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                crate::yaml::whole_number(d, $range, $expecting).map(|n| $ty(n as $inner))
            }
        }
        crate::yaml::json_schema!($ty, |_| {
            let range: std::ops::RangeInclusive<u64> = $range;
            json_schema!({
                "type": "integer",
                "minimum": range.start(),
                "maximum": range.end(),
                "description": format!("A whole number, {}.", $expecting),
            })
        });
    };
}

#[derive(Debug, Clone, Copy)]
pub(super) struct ReuseLimit(pub u64);
whole_number_in!(
    ReuseLimit(u64),
    1..=1_000_000,
    "a whole number from 1 to 1000000"
);

#[derive(Debug, Clone, Copy)]
pub(super) struct RaceSize(pub u32);
whole_number_in!(RaceSize(u32), 2..=100, "from 2 to 100 concurrent requests");

#[derive(Debug, Clone, Copy)]
pub(super) struct Connections(pub usize);
whole_number_in!(
    Connections(usize),
    1..=10_000,
    "from 1 to 10000 connections"
);

/// A case's weight in the mix.
pub(super) struct Weight(pub u32);
whole_number_in!(Weight(u32), 1..=10_000, "a weight from 1 to 10000");

#[derive(Debug, Clone, Copy)]
pub(super) struct Fraction(pub f64);
// Checked in the visitor, so an error is placed at the value.
visited!(
    Fraction,
    deserialize_f64(),
    "a fraction from 0 (never) to 1 (every response)",
    schema: |_| json_schema!({
        "type": "number",
        "minimum": 0,
        "maximum": 1,
        "description": "A fraction from 0 (never) to 1 (every response).",
    }),
    {
        fn visit_f64<E: serde::de::Error>(self, f: f64) -> Result<Fraction, E> {
            if (0.0..=1.0).contains(&f) {
                Ok(Fraction(f))
            } else {
                Err(E::invalid_value(serde::de::Unexpected::Float(f), &self))
            }
        }
        fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<Fraction, E> {
            self.visit_f64(n as f64)
        }
        fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<Fraction, E> {
            self.visit_f64(n as f64)
        }
    }
);
