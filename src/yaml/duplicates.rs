//! A walk over a YAML document looking for a key given twice in one mapping. The typed
//! deserialisers either keep the last value silently (maps of names) or refuse the file at the
//! start of the enclosing mapping (struct fields), which for a top-level key is line 1
//! column 1. The walk runs through the library's own parser, so the error it raises while
//! reading the second key is placed at that key, with the path of its mapping, whatever the
//! style (block or flow, quoted or plain) and however deep the mapping is.

use std::cell::Cell;
use std::collections::HashSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, Visitor};

/// Walks `d`; `Err` when the walk failed. `found` says whether it failed on a duplicate key
/// (any other failure is the parser's, which the typed pass reports the same way).
pub fn walk<'de, D: Deserializer<'de>>(d: D, found: &Cell<bool>) -> Result<(), D::Error> {
    Node { found }.deserialize(d)
}

/// A key as YAML compares them: `1` and `0x1` are the same key, `1` and `"1"` are not.
#[derive(Clone, PartialEq, Eq, Hash)]
enum Key {
    Str(String),
    Int(i128),
    Float(u64),
    Bool(bool),
    Null,
    /// A collection used as a key: never compared.
    Complex,
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Key::Str(s) => f.write_str(s),
            Key::Int(n) => write!(f, "{n}"),
            Key::Float(bits) => write!(f, "{}", f64::from_bits(*bits)),
            Key::Bool(b) => write!(f, "{b}"),
            Key::Null => f.write_str("~"),
            Key::Complex => f.write_str("?"),
        }
    }
}

#[derive(Clone, Copy)]
struct Node<'a> {
    found: &'a Cell<bool>,
}

impl<'de> DeserializeSeed<'de> for Node<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

/// Visitor methods that accept a scalar of each given type and look no further.
macro_rules! leaves {
    ($($name:ident($ty:ty)),* $(,)?) => {
        $(fn $name<E>(self, _: $ty) -> Result<(), E> {
            Ok(())
        })*
    };
}

impl<'de> Visitor<'de> for Node<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML node")
    }

    // Scalars are leaves: nothing below them can repeat a key.
    leaves! {
        visit_bool(bool), visit_i64(i64), visit_u64(u64), visit_i128(i128), visit_u128(u128),
        visit_f64(f64), visit_str(&str), visit_bytes(&[u8]),
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.deserialize(d)
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(self)?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = HashSet::new();
        while map
            .next_key_seed(KeySeed {
                node: self,
                seen: &mut seen,
            })?
            .is_some()
        {
            map.next_value_seed(self)?;
        }
        Ok(())
    }

    /// A tagged node (`!name value`): its value is walked like any other.
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<(), A::Error> {
        use serde::de::VariantAccess;
        let (_, variant): (de::IgnoredAny, _) = data.variant()?;
        variant.newtype_variant_seed(self)
    }
}

/// Reads one key of a mapping and refuses it if the mapping had it already. The error is
/// raised while the parser stands on the key, so it carries the key's own position.
struct KeySeed<'a, 'b> {
    node: Node<'a>,
    seen: &'b mut HashSet<Key>,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_, '_> {
    type Value = Key;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Key, D::Error> {
        d.deserialize_any(self)
    }
}

impl KeySeed<'_, '_> {
    fn check<E: de::Error>(self, key: Key) -> Result<Key, E> {
        if key == Key::Complex || self.seen.insert(key.clone()) {
            return Ok(key);
        }
        self.node.found.set(true);
        Err(E::custom(format!("duplicate key `{key}`")))
    }
}

impl<'de> Visitor<'de> for KeySeed<'_, '_> {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a mapping key")
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Key, E> {
        self.check(Key::Bool(b))
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Key, E> {
        self.check(Key::Int(n.into()))
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Key, E> {
        self.check(Key::Int(n.into()))
    }
    fn visit_i128<E: de::Error>(self, n: i128) -> Result<Key, E> {
        self.check(Key::Int(n))
    }
    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Key, E> {
        // -0.0 and 0.0 are one key; NaN is never equal to itself, so never a duplicate.
        if n.is_nan() {
            return Ok(Key::Complex);
        }
        let n = if n == 0.0 { 0.0 } else { n };
        self.check(Key::Float(n.to_bits()))
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Key, E> {
        self.check(Key::Str(s.to_owned()))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Key, E> {
        self.check(Key::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Key, E> {
        self.check(Key::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Key, A::Error> {
        self.node.visit_seq(seq).map(|()| Key::Complex)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Key, A::Error> {
        self.node.visit_map(map).map(|()| Key::Complex)
    }
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Key, A::Error> {
        self.node.visit_enum(data).map(|()| Key::Complex)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    type Any = serde_norway::Value;

    fn error(text: &str) -> (Option<(usize, usize)>, String) {
        let e = crate::yaml::from_str::<Any>(text, Path::new("d.yaml")).unwrap_err();
        (e.position, e.message)
    }

    #[test]
    fn a_top_level_key_twice_is_placed_at_the_second() {
        assert_eq!(
            error("name: a\nphases: []\nname: b\n"),
            (Some((3, 1)), "duplicate key `name`".into())
        );
    }

    #[test]
    fn a_nested_key_twice_is_placed_with_its_path() {
        let text = "a:\n  b:\n    - x: 1\n    - x: 1\n      y: 2\n      x: 3\n";
        assert_eq!(
            error(text),
            (Some((6, 7)), "a.b[1]: duplicate key `x`".into())
        );
        let text = "a: {k: 1, 'k': 2}\n";
        assert_eq!(error(text), (Some((1, 11)), "a: duplicate key `k`".into()));
        let text = "a:\n  1: x\n  0x1: y\n";
        assert_eq!(error(text), (Some((3, 3)), "a: duplicate key `1`".into()));
    }

    #[test]
    fn the_same_key_in_different_mappings_is_fine() {
        for text in [
            "a: {k: 1}\nb: {k: 1}\n",
            "- k: 1\n- k: 2\n",
            "a:\n  a:\n    a: 1\n",
            "1: x\n'1': y\n",
            "a: &x {k: 1}\nb: *x\n",
            "? [k, k]\n: 1\n",
            "",
        ] {
            assert!(
                crate::yaml::from_str::<Any>(text, Path::new("d.yaml")).is_ok(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn a_syntax_error_is_left_to_the_typed_pass() {
        let e = crate::yaml::from_str::<Any>("a: [\n", Path::new("d.yaml")).unwrap_err();
        assert!(!e.message.contains("duplicate"), "{e}");
        assert!(e.position.is_some(), "{e}");
    }

    #[test]
    fn the_shipped_fixtures_have_no_key_twice() {
        for text in [
            include_str!("../../fixtures/cases.yaml"),
            include_str!("../../fixtures/members.yaml"),
            include_str!("../../fixtures/errors.yaml"),
            include_str!("../../scenarios/smoke.yaml"),
            include_str!("../../scenarios/load-mixed.yaml"),
            include_str!("../../scenarios/conformance.yaml"),
        ] {
            assert!(crate::yaml::from_str::<Any>(text, Path::new("f.yaml")).is_ok());
        }
    }
}
