//! The one module that touches the YAML library (serde_norway, the maintained fork of
//! serde_yaml), so swapping it is a one-file change. Errors carry file:line:column and the
//! path of the offending key.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

mod depth;
mod duplicates;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub file: PathBuf,
    /// 1-based; `None` when the library could not place the error (e.g. an empty document).
    pub position: Option<(usize, usize)>,
    pub message: String,
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some((line, column)) => write!(
                f,
                "{}:{line}:{column}: {}",
                self.file.display(),
                self.message
            ),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

impl std::error::Error for YamlError {}

pub fn from_str<T: DeserializeOwned>(text: &str, file: &Path) -> Result<T, YamlError> {
    // Editors on Windows may save a byte-order mark; the library reads it as a second document.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    depth::check(text).map_err(|position| YamlError {
        file: file.to_path_buf(),
        position: Some(position),
        message: format!("nested deeper than {} levels", depth::MAX_DEPTH),
    })?;
    duplicate_keys(text, file)?;
    serde_norway::from_str(text).map_err(|e| {
        let mut error = library_error(&e, file);
        if error.position.is_none() && error.message.contains("more than one document") {
            error.position = second_document(text);
        }
        error
    })
}

/// Where a second document starts: the `---` that follows content (the library says only
/// that there is more than one).
fn second_document(text: &str) -> Option<(usize, usize)> {
    let mut content = false;
    for (i, line) in text.lines().enumerate() {
        let marker = line == "---" || line.starts_with("--- ") || line.starts_with("---\t");
        if marker && content {
            return Some((i + 1, 1));
        }
        let t = line.trim();
        if !marker && !t.is_empty() && !t.starts_with('#') && !t.starts_with('%') {
            content = true;
        }
        if line == "..." {
            content = true;
        }
    }
    None
}

/// The line of a top-level key (`key:` at the start of a line): where an error found after
/// reading, about that key as a whole, is placed.
pub fn top_level_key(text: &str, key: &str) -> Option<(usize, usize)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.lines().enumerate().find_map(|(i, line)| {
        [key.to_owned(), format!("\"{key}\""), format!("'{key}'")]
            .iter()
            .any(|k| {
                line.strip_prefix(k.as_str())
                    .is_some_and(|rest| rest.trim_start().starts_with(':'))
            })
            .then_some((i + 1, 1))
    })
}

/// Refuses a key given twice in one mapping, at the second one.
fn duplicate_keys(text: &str, file: &Path) -> Result<(), YamlError> {
    let found = std::cell::Cell::new(false);
    match duplicates::walk(serde_norway::Deserializer::from_str(text), &found) {
        // Any other failure is the parser's, and the typed pass reports it with more context.
        Err(e) if found.get() => Err(library_error(&e, file)),
        _ => Ok(()),
    }
}

fn library_error(e: &serde_norway::Error, file: &Path) -> YamlError {
    YamlError {
        file: file.to_path_buf(),
        position: e.location().map(|l| (l.line(), l.column())),
        message: strip_location(&e.to_string()),
    }
}

impl YamlError {
    /// An error about the file as a whole (no position to give).
    pub fn whole(file: &Path, message: impl Into<String>) -> YamlError {
        YamlError {
            file: file.to_path_buf(),
            position: None,
            message: message.into(),
        }
    }

    /// An error found after reading: placed at the top-level key its message starts with
    /// (`thresholds: …`, `users.fresh …`), when the text has that key.
    pub fn after_reading(file: &Path, text: &str, message: impl Into<String>) -> YamlError {
        let message = message.into();
        let key: String = message
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let position = (!key.is_empty())
            .then(|| top_level_key(text, &key))
            .flatten();
        YamlError {
            file: file.to_path_buf(),
            position,
            message,
        }
    }
}

/// The text of a YAML input file (`what`: "scenario", "catalog"…) of at most `limit` bytes
/// (see [`crate::files`]), refusing a directory.
pub fn read_file(file: &Path, what: &str, limit: u64) -> Result<String, YamlError> {
    crate::files::read_to_string_limited(file, limit, what).map_err(|message| {
        // The message names the file already; the error puts it in front.
        let prefix = format!("{}: ", file.display());
        let message = message.strip_prefix(&prefix).unwrap_or(&message).to_owned();
        YamlError::whole(file, message)
    })
}

pub fn to_string<T: serde::Serialize>(value: &T) -> String {
    serde_norway::to_string(value).expect("plain data serialises to YAML")
}

/// Reads a `T` from a value a program composed, through the same checks as [`from_str`] but
/// with no text in between: no value can change the document's shape, whatever characters it
/// holds. The message has no position, as there is no text to point into.
pub fn from_value<T: DeserializeOwned>(value: &impl serde::Serialize) -> Result<T, String> {
    let value = serde_norway::to_value(value).map_err(|e| e.to_string())?;
    T::deserialize(value).map_err(|e| e.to_string())
}

/// The library writes " at line N column M" into its messages; the position is reported in
/// front instead, as compilers do.
fn strip_location(message: &str) -> String {
    static AT: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r" at line \d+ column \d+").expect("a valid pattern")
    });
    AT.replace_all(message, "").into_owned()
}

/// A whole number within `range`, checked while the parser stands on the value: a check made
/// after `u64::deserialize` returns is placed at the enclosing mapping instead (for a
/// top-level key, line 1 column 1). `expecting` completes "expected …" in the error.
pub fn whole_number<'de, D: serde::Deserializer<'de>>(
    d: D,
    range: std::ops::RangeInclusive<u64>,
    expecting: &'static str,
) -> Result<u64, D::Error> {
    struct V(std::ops::RangeInclusive<u64>, &'static str);
    impl serde::de::Visitor<'_> for V {
        type Value = u64;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.1)
        }
        fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<u64, E> {
            if self.0.contains(&n) {
                Ok(n)
            } else {
                Err(E::invalid_value(serde::de::Unexpected::Unsigned(n), &self))
            }
        }
        fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<u64, E> {
            match u64::try_from(n) {
                Ok(n) => self.visit_u64(n),
                Err(_) => Err(E::invalid_value(serde::de::Unexpected::Signed(n), &self)),
            }
        }
    }
    // `any`, so a negative number reaches `visit_i64` and is named as a value out of range.
    d.deserialize_any(V(range, expecting))
}

/// Reads a `Raw` (a plain serde struct) from a mapping and converts it with
/// `TryFrom<Raw, Error = String>`. The conversion runs inside the map visitor so an error is
/// placed at the start of the mapping with its key path, not at the end of the file.
/// `expecting` completes "expected …" in the error.
pub fn from_checked_map<'de, D, Raw, T>(d: D, expecting: &'static str) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    Raw: serde::Deserialize<'de>,
    T: TryFrom<Raw, Error = String>,
{
    struct V<Raw, T>(&'static str, std::marker::PhantomData<fn(Raw) -> T>);
    impl<'de, Raw, T> serde::de::Visitor<'de> for V<Raw, T>
    where
        Raw: serde::Deserialize<'de>,
        T: TryFrom<Raw, Error = String>,
    {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            let raw = Raw::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
            T::try_from(raw).map_err(serde::de::Error::custom)
        }
    }
    d.deserialize_map(V(expecting, std::marker::PhantomData))
}

/// Reads a `T` from a YAML string scalar through `parse`, so a bad value is reported at the
/// value itself. `expecting` completes "expected …" in the error.
pub fn from_parsed_str<'de, D, T>(
    d: D,
    expecting: &'static str,
    parse: fn(&str) -> Result<T, String>,
) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
{
    struct V<T>(&'static str, fn(&str) -> Result<T, String>);
    impl<T> serde::de::Visitor<'_> for V<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
        fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<T, E> {
            (self.1)(s).map_err(E::custom)
        }
    }
    d.deserialize_str(V(expecting, parse))
}

/// Implements `Deserialize` for `$ty` through [`from_checked_map`] from `$raw`, and its JSON
/// Schema: `$raw`'s (derived, so it lists the keys serde reads), refined by `$refine:
/// fn(&mut Schema)` with what the conversion checks, where a schema can say it. Or, for a
/// file format that has no published schema, `schema: $schema` gives the whole of it.
macro_rules! checked_map {
    ($ty:ty, $raw:ty, $expecting:literal, refine: $refine:expr) => {
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $crate::yaml::from_checked_map::<D, $raw, $ty>(d, $expecting)
            }
        }
        $crate::yaml::json_schema!($ty, |g| {
            let mut schema = <$raw as schemars::JsonSchema>::json_schema(g);
            let refine: fn(&mut schemars::Schema) = $refine;
            refine(&mut schema);
            schema
        });
    };
    ($ty:ty, $raw:ty, $expecting:literal, schema: $schema:expr) => {
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $crate::yaml::from_checked_map::<D, $raw, $ty>(d, $expecting)
            }
        }
        $crate::yaml::json_schema!($ty, $schema);
    };
}

/// Implements `Deserialize` for `$ty` through [`from_parsed_str`] with `$parse: fn(&str) ->
/// Result<$ty, String>`, and its JSON Schema, `$schema: fn(&mut SchemaGenerator) -> Schema`:
/// what `$parse` accepts, as far as a schema can say it and never less (editors refuse what
/// the schema refuses; `cogbench validate` stays the authority).
macro_rules! parsed_str {
    ($ty:ty, $expecting:literal, $parse:expr, schema: $schema:expr) => {
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $crate::yaml::from_parsed_str::<D, $ty>(d, $expecting, $parse)
            }
        }
        $crate::yaml::json_schema!($ty, $schema);
    };
}

/// Implements `schemars::JsonSchema` for `$ty` by `$schema: fn(&mut SchemaGenerator) ->
/// Schema`, named as the type. The reading macros require it, so that a type read by hand
/// cannot be added without saying in the scenario schema what it accepts.
macro_rules! json_schema {
    ($ty:ty, $schema:expr) => {
        impl schemars::JsonSchema for $ty {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($ty).into()
            }
            fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
                let schema: fn(&mut schemars::SchemaGenerator) -> schemars::Schema = $schema;
                schema(g)
            }
        }
    };
}

pub(crate) use checked_map;
pub(crate) use json_schema;
pub(crate) use parsed_str;

/// Implements `Deserialize` for `$ty` through a visitor made of the given `visit_*` methods,
/// entered by `Deserializer::$entry` (after its leading `$arg`s, as `deserialize_enum` takes).
/// The methods run while the parser stands on the value, so a check made in them is placed at
/// the value. `$expecting` (a format string) completes "expected …" in the error; the
/// visitor's lifetime is named `'de`. `$schema` is its JSON Schema, as for [`parsed_str`].
macro_rules! visited {
    ($ty:ty, $entry:ident($($arg:expr),*), $expecting:literal, schema: $schema:expr, { $($method:item)* }) => {
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> serde::de::Visitor<'de> for V {
                    type Value = $ty;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(f, $expecting)
                    }
                    $($method)*
                }
                d.$entry($($arg,)* V)
            }
        }
        $crate::yaml::json_schema!($ty, $schema);
    };
}

pub(crate) use visited;

/// For a `visit_str` that takes one keyword (`auto`, `all`): `value` for `word`, otherwise
/// an invalid-value error naming `s` against what `expected` expects.
pub fn keyword<T, E: serde::de::Error>(
    s: &str,
    word: &str,
    value: T,
    expected: &dyn serde::de::Expected,
) -> Result<T, E> {
    if s == word {
        Ok(value)
    } else {
        Err(E::invalid_value(serde::de::Unexpected::Str(s), expected))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_document_is_placed_at_its_marker() {
        assert_eq!(second_document("---\n# c\na: 1\n---\nb: 2\n"), Some((4, 1)));
        assert_eq!(second_document("a: 1\n...\n--- x\n"), Some((3, 1)));
        assert_eq!(second_document("a: '---'\n"), None);
    }

    #[test]
    fn an_error_after_reading_is_placed_at_its_top_level_key() {
        let text = "name: x\nmix:\n  a: 1\n\"thresholds\": []\n";
        let e = YamlError::after_reading(Path::new("s.yaml"), text, "thresholds: `x` names case");
        assert_eq!(e.position, Some((4, 1)));
        let e = YamlError::after_reading(Path::new("s.yaml"), text, "mix.a: weight");
        assert_eq!(e.position, Some((2, 1)));
        // Nested keys are not top-level keys; a message naming no key has no position.
        let e = YamlError::after_reading(Path::new("s.yaml"), text, "a: nested");
        assert_eq!(e.position, None);
        let e = YamlError::after_reading(Path::new("s.yaml"), text, "the endpoint is needed");
        assert_eq!(e.position, None);
    }

    #[test]
    fn strips_only_a_trailing_location() {
        assert_eq!(
            strip_location("x: unknown field `a` at line 4 column 5"),
            "x: unknown field `a`"
        );
        assert_eq!(
            strip_location("value at line of sight"),
            "value at line of sight"
        );
        assert_eq!(
            strip_location("did not find expected node at line 4 column 3, while parsing"),
            "did not find expected node, while parsing"
        );
    }

    #[test]
    fn a_byte_order_mark_is_skipped() {
        let v: std::collections::BTreeMap<String, u32> =
            from_str("\u{feff}a: 1\n", Path::new("s.yaml")).unwrap();
        assert_eq!(v["a"], 1);
    }

    #[test]
    fn deep_nesting_is_refused_at_its_position() {
        let text = format!("a: 1\nb: {}\n", "[".repeat(100_000));
        let e = from_str::<serde_json::Value>(&text, Path::new("s.yaml")).unwrap_err();
        assert_eq!(e.position, Some((2, 4 + depth::MAX_DEPTH)));
        assert!(e.to_string().starts_with("s.yaml:2:"), "{e}");
        assert!(e.message.contains("nested deeper than 64"), "{e}");
    }

    #[test]
    fn a_number_out_of_range_is_placed_at_the_value() {
        struct N(#[allow(dead_code)] u64);
        impl<'de> serde::Deserialize<'de> for N {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                whole_number(d, 2..=100, "from 2 to 100").map(N)
            }
        }
        #[derive(serde::Deserialize)]
        #[allow(dead_code)]
        struct T {
            a: u32,
            n: N,
        }
        let parse = |text: &str| from_str::<T>(text, Path::new("s.yaml"));
        assert!(parse("a: 1\nn: 100\n").is_ok());
        for (text, message) in [
            ("a: 1\nn: 1000000000\n", "integer `1000000000`"),
            ("a: 1\nn: -5\n", "integer `-5`"),
        ] {
            let e = parse(text).err().unwrap();
            assert_eq!(e.position, Some((2, 4)), "{e}");
            assert_eq!(
                e.message,
                format!("n: invalid value: {message}, expected from 2 to 100")
            );
        }
    }

    #[test]
    fn reports_file_line_and_column() {
        #[derive(Debug, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct T {
            a: u32,
        }
        let e = from_str::<T>("a: 1\nb: 2\n", Path::new("s.yaml")).unwrap_err();
        assert_eq!(e.position, Some((2, 1)));
        assert_eq!(e.to_string(), "s.yaml:2:1: unknown field `b`, expected `a`");
    }
}
