//! Names read back from summary.json (`cogbench merge`, `report`): the summary's names (outcome classes,
//! executors, units) are `&'static str` while a run writes them; read back, each distinct
//! name is kept once for the life of the process.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Mutex, OnceLock};

use serde::{Deserialize, Deserializer};

/// A name the summary holds. (An alias, so that serde's derive does not take the field for
/// one borrowed from the input, which a `'static` one cannot be.)
pub type Name = &'static str;

/// The one `&'static str` with this content.
pub fn intern(s: &str) -> &'static str {
    static NAMES: OnceLock<Mutex<BTreeSet<&'static str>>> = OnceLock::new();
    let mut names = NAMES
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(known) = names.get(s) {
        return known;
    }
    let kept: &'static str = Box::leak(s.to_owned().into_boxed_str());
    names.insert(kept);
    kept
}

pub fn name<'de, D: Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
    Ok(intern(&String::deserialize(d)?))
}

pub fn names<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<&'static str>, D::Error> {
    Ok(Vec::<String>::deserialize(d)?
        .iter()
        .map(|s| intern(s))
        .collect())
}

pub fn counts<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<&'static str, u64>, D::Error> {
    Ok(BTreeMap::<String, u64>::deserialize(d)?
        .iter()
        .map(|(k, v)| (intern(k), *v))
        .collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn each_name_is_kept_once() {
        let a = super::intern(&String::from("expected_error"));
        let b = super::intern("expected_error");
        assert!(std::ptr::eq(a, b));
        assert_eq!(a, "expected_error");
    }
}
