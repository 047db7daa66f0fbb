//! The one module that touches the YAML library (serde_norway, the maintained fork of
//! serde_yaml), so swapping it is a one-file change. Errors carry file:line:column and the
//! path of the offending key.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

mod depth;

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
    serde_norway::from_str(text).map_err(|e| {
        let position = e.location().map(|l| (l.line(), l.column()));
        YamlError {
            file: file.to_path_buf(),
            position,
            message: strip_location(&e.to_string()),
        }
    })
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

/// The library writes " at line N column M" into its messages; the position is reported in
/// front instead, as compilers do.
fn strip_location(message: &str) -> String {
    static AT: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r" at line \d+ column \d+").expect("a valid pattern")
    });
    AT.replace_all(message, "").into_owned()
}

/// Implements `Deserialize` for `$ty` by reading `$raw` (a plain serde struct) and converting
/// it with `TryFrom<$raw, Error = String>`. The conversion runs inside the map visitor so an
/// error is placed at the start of the mapping with its key path, not at the end of the file.
macro_rules! checked_map {
    ($ty:ty, $raw:ty, $expecting:literal) => {
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> serde::de::Visitor<'de> for V {
                    type Value = $ty;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_map<A: serde::de::MapAccess<'de>>(
                        self,
                        map: A,
                    ) -> Result<$ty, A::Error> {
                        let raw = <$raw as serde::Deserialize>::deserialize(
                            serde::de::value::MapAccessDeserializer::new(map),
                        )?;
                        <$ty as TryFrom<$raw>>::try_from(raw).map_err(serde::de::Error::custom)
                    }
                }
                d.deserialize_map(V)
            }
        }
    };
}

/// Implements `Deserialize` for `$ty` from a YAML string scalar through `$parse: fn(&str) ->
/// Result<$ty, String>`, so a bad value is reported at the value itself.
macro_rules! parsed_str {
    ($ty:ty, $expecting:literal, $parse:expr) => {
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> serde::de::Visitor<'de> for V {
                    type Value = $ty;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<$ty, E> {
                        let parse: fn(&str) -> Result<$ty, String> = $parse;
                        parse(s).map_err(E::custom)
                    }
                }
                d.deserialize_str(V)
            }
        }
    };
}

pub(crate) use checked_map;
pub(crate) use parsed_str;

#[cfg(test)]
mod tests {
    use super::*;

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
