//! The AWS CLI's shorthand syntax for structure and map options:
//! `Key=value,Other="quoted, with comma",List=a,b,Nested={K=v},Explicit=[a,b]`.
//!
//! Grammar (the AWS CLI's, read from its documentation and behaviour):
//! ```text
//! parameter     = keyval *("," keyval)
//! keyval        = key "=" [values]
//! values        = csv-list / explicit-list / hash-literal
//! csv-list      = first-value *("," second-value)   ; one value alone is a scalar
//! explicit-list = "[" [value *("," value)] "]"
//! hash-literal  = "{" [key "=" value *("," key "=" value)] "}"
//! ```
//! A bare value cannot hold a space, a quote or (unescaped) a comma; `\,` is a literal comma;
//! `'…'` and `"…"` quote anything (`\'`, `\"` and `\\` escape inside them). A second value of a
//! comma-separated list cannot hold `=`: `a=b,c=d` is two keys, `a=b,c` a list. Keys hold
//! letters, digits and `-_.#/:`.

use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    input: String,
    expected: String,
    actual: String,
    index: usize,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The caret counts from the last newline before the error.
        let before: String = self.input.chars().take(self.index).collect();
        let column = match before.rfind('\n') {
            Some(nl) => before[nl + 1..].chars().count(),
            None => self.index,
        };
        write!(
            f,
            "Expected: '{}', received: '{}' for input:\n{}\n{}^",
            self.expected,
            self.actual,
            self.input,
            " ".repeat(column)
        )
    }
}

impl std::error::Error for ParseError {}

/// Parses a shorthand value into JSON: strings, lists of values, and objects.
pub fn parse(input: &str) -> Result<Value, ParseError> {
    let mut p = Parser {
        input,
        chars: input.chars().collect(),
        i: 0,
    };
    p.parameter().map(Value::Object)
}

struct Parser<'a> {
    input: &'a str,
    chars: Vec<char>,
    i: usize,
}

fn key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-_.#/:".contains(c)
}

/// The first character of a bare value: not a space, quote, comma, `=`, `[` or `{`.
fn value_start(c: char) -> bool {
    !matches!(c, '\0'..=' ' | '"' | '\'' | ',' | '=' | '[' | '{')
}

/// Later characters of a first value: not a space, quote, comma, `]` or `}`.
fn first_value_rest(c: char) -> bool {
    !matches!(c, '\0'..=' ' | '"' | '\'' | ',' | ']' | '}')
}

/// Later characters of a second value: not a space, quote, comma or `=`.
fn second_value_rest(c: char) -> bool {
    !matches!(c, '\0'..=' ' | '"' | '\'' | ',' | '=')
}

impl Parser<'_> {
    fn current(&self) -> Option<char> {
        self.chars.get(self.i).copied()
    }

    fn at_eof(&self) -> bool {
        self.i >= self.chars.len()
    }

    fn error(&self, expected: impl Into<String>, actual: impl Into<String>) -> ParseError {
        ParseError {
            input: self.input.to_owned(),
            expected: expected.into(),
            actual: actual.into(),
            index: self.i,
        }
    }

    fn skip_whitespace(&mut self) {
        while self.current().is_some_and(char::is_whitespace) {
            self.i += 1;
        }
    }

    fn expect(&mut self, c: char, whitespace: bool) -> Result<(), ParseError> {
        if whitespace {
            self.skip_whitespace();
        }
        match self.current() {
            None => return Err(self.error(c, "EOF")),
            Some(a) if a != c => return Err(self.error(c, a)),
            Some(_) => self.i += 1,
        }
        if whitespace {
            self.skip_whitespace();
        }
        Ok(())
    }

    fn parameter(&mut self) -> Result<Map<String, Value>, ParseError> {
        let mut params = Map::new();
        let (k, v) = self.keyval()?;
        params.insert(k, v);
        while !self.at_eof() {
            self.expect(',', true)?;
            let (k, v) = self.keyval()?;
            params.insert(k, v);
        }
        Ok(params)
    }

    fn keyval(&mut self) -> Result<(String, Value), ParseError> {
        let key = self.key();
        self.expect('=', true)?;
        Ok((key, self.values()?))
    }

    fn key(&mut self) -> String {
        let start = self.i;
        while self.current().is_some_and(key_char) {
            self.i += 1;
        }
        self.chars[start..self.i].iter().collect()
    }

    fn values(&mut self) -> Result<Value, ParseError> {
        match self.current() {
            None => Ok(Value::String(String::new())),
            Some('[') => self.explicit_list(),
            Some('{') => self.hash_literal(),
            Some(_) => self.csv_value(),
        }
    }

    fn csv_value(&mut self) -> Result<Value, ParseError> {
        let first = self.first_value()?;
        self.skip_whitespace();
        if self.current() != Some(',') {
            return Ok(Value::String(first));
        }
        self.expect(',', true)?;
        let mut list = vec![Value::String(first.clone())];
        loop {
            let attempt = (|| {
                let v = self.second_value()?;
                self.skip_whitespace();
                if self.at_eof() {
                    return Ok((v, true));
                }
                self.expect(',', true)?;
                Ok((v, false))
            })();
            match attempt {
                Ok((v, done)) => {
                    list.push(Value::String(v));
                    if done {
                        break;
                    }
                }
                Err(e) => {
                    if self.at_eof() {
                        return Err(e);
                    }
                    // `a=b,c=d`: what followed the comma was the next key; go back to it.
                    while self.i > 0 && self.current() != Some(',') {
                        self.i -= 1;
                    }
                    break;
                }
            }
        }
        if list.len() == 1 {
            Ok(Value::String(first))
        } else {
            Ok(Value::Array(list))
        }
    }

    fn bare(&mut self, rest: fn(char) -> bool) -> Option<String> {
        if !self.current().is_some_and(value_start) {
            return None;
        }
        let start = self.i;
        self.i += 1;
        loop {
            match self.current() {
                // `\,` is part of the value (a literal comma).
                Some('\\') if self.chars.get(self.i + 1) == Some(&',') => self.i += 2,
                Some(c) if rest(c) => self.i += 1,
                _ => break,
            }
        }
        let raw: String = self.chars[start..self.i].iter().collect();
        Some(raw.replace("\\,", ","))
    }

    fn first_value(&mut self) -> Result<String, ParseError> {
        match self.current() {
            Some(q @ ('\'' | '"')) => self.quoted(q),
            _ => Ok(self.bare(first_value_rest).unwrap_or_default()),
        }
    }

    fn second_value(&mut self) -> Result<String, ParseError> {
        match self.current() {
            Some(q @ ('\'' | '"')) => self.quoted(q),
            _ => self
                .bare(second_value_rest)
                .ok_or_else(|| self.error("<second>", "<none>")),
        }
    }

    fn quoted(&mut self, quote: char) -> Result<String, ParseError> {
        let start = self.i;
        let mut j = self.i + 1;
        let mut out = String::new();
        loop {
            match self.chars.get(j) {
                None => {
                    let name = if quote == '\'' {
                        "singled quoted"
                    } else {
                        "double quoted"
                    };
                    self.i = start;
                    return Err(self.error(format!("<{name}>"), "<none>"));
                }
                Some('\\') if matches!(self.chars.get(j + 1), Some(c) if *c == quote || *c == '\\') =>
                {
                    out.push(self.chars[j + 1]);
                    j += 2;
                }
                Some(c) if *c == quote => break,
                Some(c) => {
                    out.push(*c);
                    j += 1;
                }
            }
        }
        self.i = j + 1;
        Ok(out)
    }

    fn explicit_values(&mut self) -> Result<Value, ParseError> {
        match self.current() {
            Some('[') => self.explicit_list(),
            Some('{') => self.hash_literal(),
            _ => self.first_value().map(Value::String),
        }
    }

    fn explicit_list(&mut self) -> Result<Value, ParseError> {
        self.expect('[', true)?;
        let mut values = Vec::new();
        while self.current() != Some(']') {
            values.push(self.explicit_values()?);
            self.skip_whitespace();
            if self.current() != Some(']') {
                self.expect(',', false)?;
                self.skip_whitespace();
            }
        }
        self.expect(']', false)?;
        Ok(Value::Array(values))
    }

    fn hash_literal(&mut self) -> Result<Value, ParseError> {
        self.expect('{', true)?;
        let mut map = Map::new();
        while self.current() != Some('}') {
            let key = self.key();
            self.expect('=', true)?;
            let v = self.explicit_values()?;
            self.skip_whitespace();
            if self.current() != Some('}') {
                self.expect(',', false)?;
                self.skip_whitespace();
            }
            map.insert(key, v);
        }
        self.expect('}', false)?;
        Ok(Value::Object(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ok(s: &str) -> Value {
        parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn the_seeds_forms() {
        assert_eq!(
            ok("AnalyticsEndpointId=string"),
            json!({"AnalyticsEndpointId": "string"})
        );
        assert_eq!(
            ok("IpAddress=192.0.2.1,EncodedData=abc/+=="),
            json!({"IpAddress": "192.0.2.1", "EncodedData": "abc/+=="})
        );
        assert_eq!(
            ok("KeyName1=string,KeyName2=string"),
            json!({"KeyName1": "string", "KeyName2": "string"})
        );
    }

    #[test]
    fn lists_quotes_and_escapes() {
        assert_eq!(ok("a=b,c"), json!({"a": ["b", "c"]}));
        assert_eq!(ok("a=b,c,d=e"), json!({"a": ["b", "c"], "d": "e"}));
        assert_eq!(ok("a=x\\,y"), json!({"a": "x,y"}));
        assert_eq!(ok("a='x, y',b=\"it's\""), json!({"a": "x, y", "b": "it's"}));
        assert_eq!(ok(r"a='it\'s'"), json!({"a": "it's"}));
        assert_eq!(ok("a="), json!({"a": ""}));
        assert_eq!(ok("a=,b=c"), json!({"a": "", "b": "c"}));
        assert_eq!(ok("a = b , c = d "), json!({"a": "b", "c": "d"}));
        assert_eq!(
            ok("a=[x,y],b={k=v}"),
            json!({"a": ["x", "y"], "b": {"k": "v"}})
        );
        assert_eq!(
            ok("source-app=web,v=1.2"),
            json!({"source-app": "web", "v": "1.2"})
        );
    }

    #[test]
    fn errors_point_at_the_position() {
        let e = parse("foo").unwrap_err();
        assert_eq!(
            e.to_string(),
            "Expected: '=', received: 'EOF' for input:\nfoo\n   ^"
        );
        let e = parse("a=hello world").unwrap_err();
        assert_eq!(
            e.to_string(),
            "Expected: ',', received: 'w' for input:\na=hello world\n        ^"
        );
        assert!(parse("a=b,").is_err());
        assert!(parse("a='open").is_err());
        assert!(parse("a=[x,y").is_err());
    }
}
