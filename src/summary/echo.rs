//! The plan echo as a summary holds it: typed for reading, and written back exactly as it was
//! read. `merge` and `report` read summaries that other versions of cogbench wrote; what they
//! write must keep that echo's fields, absences and key order, not this version's idea of it.

use std::ops::{Deref, DerefMut};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::plan::PlanEcho;

/// A plan echo, with the JSON it was read from (none for a run's own echo).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Echo {
    typed: PlanEcho,
    as_read: Option<Value>,
}

impl Echo {
    /// An echo read from JSON: it must be an object (a summary's `plan` always is).
    pub fn from_value(value: Value) -> Result<Echo, String> {
        if !value.is_object() {
            return Err("plan: expected an object".into());
        }
        let typed = serde_json::from_value(value.clone()).map_err(|e| format!("plan: {e}"))?;
        Ok(Echo {
            typed,
            as_read: Some(value),
        })
    }

    /// The JSON this echo is written as.
    pub fn to_value(&self) -> Value {
        match &self.as_read {
            Some(v) => v.clone(),
            None => serde_json::to_value(&self.typed).unwrap_or(Value::Null),
        }
    }
}

impl From<PlanEcho> for Echo {
    fn from(typed: PlanEcho) -> Echo {
        Echo {
            typed,
            as_read: None,
        }
    }
}

impl Deref for Echo {
    type Target = PlanEcho;
    fn deref(&self) -> &PlanEcho {
        &self.typed
    }
}

/// Changing the typed echo makes it the one written: the JSON read no longer says the same.
impl DerefMut for Echo {
    fn deref_mut(&mut self) -> &mut PlanEcho {
        self.as_read = None;
        &mut self.typed
    }
}

impl Serialize for Echo {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.as_read {
            Some(v) => v.serialize(s),
            None => self.typed.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Echo {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Echo, D::Error> {
        Echo::from_value(Value::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_echo_read_is_written_back_as_read() {
        // Keys out of order, a nested field this version does not know, a section absent.
        let text = r#"{"zz":1,"http":{"zz":2,"version":"1.1"},"mix":[{"case":"a","note":"n"}],"judge":{"postconditions":1}}"#;
        let echo: Echo = serde_json::from_str(text).unwrap();
        assert_eq!(echo.http.version, "1.1");
        assert_eq!(echo.mix[0].case, "a");
        let back = serde_json::to_value(&echo).unwrap();
        assert_eq!(back, serde_json::from_str::<Value>(text).unwrap());
        assert!(back.get("compare").is_none());
    }

    #[test]
    fn an_edited_echo_is_written_from_its_fields() {
        let mut echo: Echo = serde_json::from_str(r#"{"zz":1,"name":"a"}"#).unwrap();
        echo.name = "b".into();
        let back = serde_json::to_value(&echo).unwrap();
        assert_eq!(back["name"], "b");
    }

    #[test]
    fn a_plan_that_is_not_an_object_is_refused() {
        for text in ["[]", "[1]", "1", "\"plan\"", "null"] {
            let e = serde_json::from_str::<Echo>(text).unwrap_err();
            assert!(
                e.to_string().contains("plan: expected an object"),
                "{text}: {e}"
            );
        }
    }
}
