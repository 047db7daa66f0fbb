//! `--query`: JMESPath over the response, through the `jmespath` crate (the JMESPath
//! project's Rust implementation).

use serde_json::Value;

pub struct Query {
    expression: jmespath::Expression<'static>,
}

impl std::fmt::Debug for Query {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Query")
            .field(&self.expression.as_str())
            .finish()
    }
}

impl Query {
    /// Compiles an expression; `Err` is the parser's message with its position.
    pub fn compile(text: &str) -> Result<Query, String> {
        check_nesting(text)?;
        jmespath::compile(text)
            .map(|expression| Query { expression })
            .map_err(|e| e.to_string().trim_end().to_owned())
    }

    pub fn search(&self, data: &Value) -> Result<Value, String> {
        let found = self.expression.search(data).map_err(|e| e.to_string())?;
        serde_json::to_value(&*found).map_err(|e| e.to_string())
    }
}

/// At most this many operators and opening brackets: far more than any real query holds, and
/// few enough that the crate's parser and interpreter, which recurse once per level, stay
/// inside the main thread's stack.
pub const MAX_OPERATORS: usize = 256;

/// The characters that open a nesting level in the parser or the interpreter.
const OPERATORS: &[char] = &['[', '(', '{', '!', '&', '.', '|', '<', '>', '='];

/// Refuses an expression the crate would recurse through too deeply (its parser has no depth
/// limit: 20,000 `[` overflowed the stack). Quoted identifiers, raw strings and JSON literals
/// are skipped: what they hold is text, not structure.
fn check_nesting(text: &str) -> Result<(), String> {
    let mut operators = 0usize;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in text.chars() {
        match quote {
            Some(_) if escaped => escaped = false,
            Some(_) if c == '\\' => escaped = true,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if matches!(c, '\'' | '"' | '`') => quote = Some(c),
            None if OPERATORS.contains(&c) => {
                operators += 1;
                if operators > MAX_OPERATORS {
                    return Err(format!(
                        "the expression is nested too deeply: more than {MAX_OPERATORS} \
                         operators and brackets"
                    ));
                }
            }
            None => {}
        }
    }
    Ok(())
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

    #[test]
    fn deep_expressions_are_refused_not_overflowed() {
        for deep in [
            "[".repeat(20_000),
            format!("{}a", "!".repeat(30_000)),
            "[".repeat(100_000),
            format!("{}a{}", "(".repeat(50_000), ")".repeat(50_000)),
            format!("{}a", "a.".repeat(50_000)),
        ] {
            let e = Query::compile(&deep).expect_err("refused");
            assert!(e.contains("nested too deeply"), "{e}");
        }
    }

    /// The queries run on the main thread (8 MiB of stack); checked here with half that.
    #[test]
    fn the_deepest_accepted_expressions_compile_and_search() {
        std::thread::Builder::new()
            .stack_size(4 << 20)
            .spawn(deepest_accepted)
            .unwrap()
            .join()
            .unwrap();
    }

    fn deepest_accepted() {
        let n = MAX_OPERATORS;
        let data = json!({"a": {"a": [1]}});
        for deep in [
            format!("{}a", "!".repeat(n)),
            format!("{}a{}", "(".repeat(n), ")".repeat(n)),
            format!("{}a", "a.".repeat(n)),
            format!("{}a", "a|".repeat(n / 2)),
            format!("a{}", "[0]".repeat(n)),
            format!("{}a{}", "[".repeat(n), "]".repeat(n)),
        ] {
            if let Ok(q) = Query::compile(&deep) {
                let _ = q.search(&data);
            }
        }
        // Quoted text is not structure.
        let q = Query::compile(&format!("'{}'", "[".repeat(10_000))).unwrap();
        assert_eq!(q.search(&data).unwrap(), json!("[".repeat(10_000)));
    }
}
