//! `--query`: JMESPath over the response, through the `jmespath` crate (the JMESPath
//! project's Rust implementation).

use serde_json::Value;

pub struct Query {
    expression: jmespath::Expression<'static>,
}

impl Query {
    /// Compiles an expression; `Err` is the parser's message with its position.
    pub fn compile(text: &str) -> Result<Query, String> {
        jmespath::compile(text)
            .map(|expression| Query { expression })
            .map_err(|e| e.to_string().trim_end().to_owned())
    }

    pub fn search(&self, data: &Value) -> Result<Value, String> {
        let found = self.expression.search(data).map_err(|e| e.to_string())?;
        serde_json::to_value(&*found).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn searches_and_reports_compile_errors() {
        let q = Query::compile("Session").unwrap();
        assert_eq!(q.search(&json!({})).unwrap(), Value::Null);
        assert_eq!(q.search(&json!({"Session": "s"})).unwrap(), json!("s"));
        let q = Query::compile("keys(@)").unwrap();
        assert_eq!(q.search(&json!({})).unwrap(), json!([]));
        assert!(Query::compile("foo[").is_err());
        assert!(Query::compile("").is_err());
    }
}
