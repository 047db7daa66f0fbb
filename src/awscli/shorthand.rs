//! The AWS CLI's shorthand syntax for structure and map options:
//! `Key=value with spaces,Other="quoted, with comma",List=a,b,Nested={K=v},Explicit=[a,b]`.
//!
//! Grammar (the AWS CLI's `awscli/shorthand.py`, checked against `aws` 1.45.11):
//! ```text
//! parameter     = keyval *("," keyval)          ; a key given twice is refused
//! keyval        = key ["@"] "=" [values]        ; "@=": a file:// value is the file's text
//! key           = *(ALPHA / DIGIT / "-" / "_" / "." / "#" / "/" / ":")
//! values        = explicit-list / hash-literal / csv-value
//! csv-value     = first-value *("," second-value)  ; one value alone is a scalar
//! explicit-list = "[" [explicit-value *("," explicit-value)] "]"
//! hash-literal  = "{" [key ["@"] "=" explicit-value *("," key ["@"] "=" explicit-value)] "}"
//! explicit-value = explicit-list / hash-literal / first-value
//! ```
//! A bare value starts with anything but a space or control character, `"`, `'`, `,`, `=`, `[`
//! or `{`, and goes on over spaces (trailing ones are dropped); a first value stops at `"`,
//! `'`, `,`, `]` or `}`, a second value at `"`, `'`, `,` or `=` (so `a=b,c=d` is two keys and
//! `a=b,c` a list). `\,` is a literal comma. `'…'` and `"…"` quote anything; inside them `\'`
//! (or `\"`) and `\\` are escapes. Characters past U+FFFF cannot appear in a bare value.

use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// The AWS CLI's `ShorthandParseSyntaxError`.
    Syntax {
        input: String,
        expected: String,
        actual: String,
        index: usize,
    },
    /// The AWS CLI's `DuplicateKeyInObjectError`: a top-level key given twice.
    DuplicateKey {
        input: String,
        key: String,
        index: usize,
    },
    /// A `key@=file://path` whose file could not be read.
    File(String),
    /// More than [`MAX_DEPTH`] lists and maps inside one another.
    TooDeep,
}

/// At most this many `[` and `{` open at once: far more than any ClientMetadata or
/// UserContextData needs, and few enough that the parser, which recurses once per level,
/// stays inside the main thread's stack (5,000 overflowed it). The AWS CLI's parser stops at
/// Python's recursion limit instead ("maximum recursion depth exceeded", exit 255).
pub const MAX_DEPTH: usize = 256;

/// The input with a caret under `index`, each counted in characters from the line it is on.
fn location(input: &str, index: usize) -> String {
    let chars: Vec<char> = input.chars().collect();
    let index = index.min(chars.len());
    let before = &chars[..index];
    let column = match before.iter().rposition(|c| *c == '\n') {
        Some(nl) => index - nl - 1,
        None => index,
    };
    let (consumed, remaining) = match chars[index..].iter().position(|c| *c == '\n') {
        Some(nl) => chars.split_at(index + nl),
        None => (&chars[..], &[][..]),
    };
    format!(
        "{}\n{}^{}",
        consumed.iter().collect::<String>(),
        " ".repeat(column),
        remaining.iter().collect::<String>()
    )
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ParseError::Syntax {
                input,
                expected,
                actual,
                index,
            } => write!(
                f,
                "Expected: '{expected}', received: '{actual}' for input:\n{}",
                location(input, *index)
            ),
            ParseError::DuplicateKey { input, key, index } => write!(
                f,
                "Second instance of key \"{key}\" encountered for input:\n{}\nThis is often \
                 because there is a preceding \",\" instead of a space.",
                location(input, *index)
            ),
            ParseError::File(message) => f.write_str(message),
            ParseError::TooDeep => write!(
                f,
                "the value is nested too deeply: more than {MAX_DEPTH} lists and maps \
                 inside one another"
            ),
        }
    }
}

impl std::error::Error for ParseError {}

/// Reads the file a `key@=file://path` value names; `Err` is the message to show.
pub type LoadFile<'a> = &'a dyn Fn(&str) -> Result<Option<String>, String>;

/// Parses a shorthand value into JSON: strings, lists of values, and objects. `load` gives the
/// text of a `file://` value after `@=` (`Ok(None)` when the value names no file).
pub fn parse(input: &str, load: LoadFile<'_>) -> Result<Value, ParseError> {
    let mut p = Parser {
        input,
        chars: input.chars().collect(),
        i: 0,
        from_file: false,
        depth: 0,
        load,
    };
    p.parameter().map(Value::Object)
}

struct Parser<'a> {
    input: &'a str,
    chars: Vec<char>,
    i: usize,
    /// The key being read was written `key@=`.
    from_file: bool,
    /// How many lists and maps are open where the parser is.
    depth: usize,
    load: LoadFile<'a>,
}

/// Python's `str.isspace()`: Unicode white space and the separators U+001C to U+001F.
fn py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

fn key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-_.#/:".contains(c)
}

/// The first character of a bare value.
fn start_char(c: char) -> bool {
    matches!(c, '!' | '#'..='&' | '('..='+' | '-'..='<' | '>'..='Z' | '\\'..='z' | '|'..='\u{ffff}')
}

/// Later characters of a first value: spaces too, not `"`, `'`, `,`, `]` or `}`.
fn first_follow(c: char) -> bool {
    py_space(c)
        || matches!(c, '!' | '#'..='&' | '('..='+' | '-'..='\\' | '^'..='|' | '~'..='\u{ffff}')
}

/// Later characters of a second value: spaces too, not `"`, `'`, `,` or `=`.
fn second_follow(c: char) -> bool {
    py_space(c) || matches!(c, '!' | '#'..='&' | '('..='+' | '-'..='<' | '>'..='\u{ffff}')
}

impl Parser<'_> {
    fn current(&self) -> Option<char> {
        self.chars.get(self.i).copied()
    }

    fn at_eof(&self) -> bool {
        self.i >= self.chars.len()
    }

    fn syntax(&self, expected: impl Into<String>, actual: impl Into<String>) -> ParseError {
        ParseError::Syntax {
            input: self.input.to_owned(),
            expected: expected.into(),
            actual: actual.into(),
            index: self.i,
        }
    }

    fn skip_whitespace(&mut self) {
        while self.current().is_some_and(py_space) {
            self.i += 1;
        }
    }

    /// Consumes `c`. With `whitespace`, spaces before and after it too; the ones before stay
    /// consumed when `c` is not there (as the AWS CLI's parser leaves them).
    fn expect(&mut self, c: char, whitespace: bool) -> Result<(), ParseError> {
        if whitespace {
            self.skip_whitespace();
        }
        match self.current() {
            None => return Err(self.syntax(c, "EOF")),
            Some(a) if a != c => return Err(self.syntax(c, a)),
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
        let mut last = self.i;
        while !self.at_eof() {
            self.expect(',', true)?;
            let (k, v) = self.keyval()?;
            if params.contains_key(&k) {
                // Usually a space typed as a comma: `k=a,b` meant as one value.
                return Err(ParseError::DuplicateKey {
                    input: self.input.to_owned(),
                    key: k,
                    index: last + 1,
                });
            }
            params.insert(k, v);
            last = self.i;
        }
        Ok(params)
    }

    /// `=` or `@=` after a key; notes which.
    fn assignment(&mut self) -> Result<(), ParseError> {
        self.from_file = self.expect('@', true).is_ok();
        self.expect('=', true)
    }

    fn keyval(&mut self) -> Result<(String, Value), ParseError> {
        let key = self.key();
        self.assignment()?;
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
                Err(e @ ParseError::Syntax { .. }) => {
                    if self.at_eof() {
                        return Err(e);
                    }
                    // `a=b,c=d`: what followed the comma was the next key; back to the comma.
                    while self.i > 0 && self.current() != Some(',') {
                        self.i -= 1;
                    }
                    break;
                }
                Err(other) => return Err(other),
            }
        }
        if list.len() == 1 {
            Ok(Value::String(first))
        } else {
            Ok(Value::Array(list))
        }
    }

    /// A bare value (`None` when none starts here): `\,` for a comma, trailing spaces dropped.
    fn bare(&mut self, follow: fn(char) -> bool) -> Option<String> {
        let escaped_comma =
            |p: &Self| p.current() == Some('\\') && p.chars.get(p.i + 1) == Some(&',');
        let start = self.i;
        if escaped_comma(self) {
            self.i += 2;
        } else if self.current().is_some_and(start_char) {
            self.i += 1;
        } else {
            return None;
        }
        loop {
            if escaped_comma(self) {
                self.i += 2;
            } else if self.current().is_some_and(follow) {
                self.i += 1;
            } else {
                break;
            }
        }
        let raw: String = self.chars[start..self.i].iter().collect();
        Some(
            raw.replace("\\,", ",")
                .trim_end_matches(py_space)
                .to_owned(),
        )
    }

    /// The value, or the text of the file it names after `@=`.
    fn resolved(&self, value: String) -> Result<String, ParseError> {
        if !self.from_file {
            return Ok(value);
        }
        match (self.load)(&value) {
            Ok(Some(text)) => Ok(text),
            Ok(None) => Ok(value),
            Err(message) => Err(ParseError::File(message)),
        }
    }

    fn first_value(&mut self) -> Result<String, ParseError> {
        let v = match self.current() {
            Some(q @ ('\'' | '"')) => self.quoted(q)?,
            _ => self.bare(first_follow).unwrap_or_default(),
        };
        self.resolved(v)
    }

    fn second_value(&mut self) -> Result<String, ParseError> {
        let v = match self.current() {
            Some(q @ ('\'' | '"')) => self.quoted(q)?,
            _ => self
                .bare(second_follow)
                .ok_or_else(|| self.syntax("<second>", "<none>"))?,
        };
        self.resolved(v)
    }

    /// A quoted value. As the AWS CLI's regular expression `'(?:\\'|[^'])*'` matches: up to
    /// the first quote that is not escaped, or, when there is none, up to the quote of the
    /// last `\'` (which then ends the value instead of escaping).
    fn quoted(&mut self, quote: char) -> Result<String, ParseError> {
        let mut j = self.i + 1;
        let mut last_escape = None;
        let end = loop {
            match self.chars.get(j) {
                None => match last_escape {
                    Some(q) => break q,
                    None => {
                        let name = if quote == '\'' {
                            "singled quoted"
                        } else {
                            "double quoted"
                        };
                        return Err(self.syntax(format!("<{name}>"), "<none>"));
                    }
                },
                Some('\\') if self.chars.get(j + 1) == Some(&quote) => {
                    last_escape = Some(j + 1);
                    j += 2;
                }
                Some(c) if *c == quote => break j,
                Some(_) => j += 1,
            }
        };
        let inner: String = self.chars[self.i + 1..end].iter().collect();
        self.i = end + 1;
        Ok(inner
            .replace(&format!("\\{quote}"), &quote.to_string())
            .replace("\\\\", "\\"))
    }

    fn explicit_values(&mut self) -> Result<Value, ParseError> {
        match self.current() {
            Some('[') => self.explicit_list(),
            Some('{') => self.hash_literal(),
            _ => self.first_value().map(Value::String),
        }
    }

    /// Counts a list or map opening; refuses one too many.
    fn enter(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ParseError::TooDeep);
        }
        Ok(())
    }

    fn explicit_list(&mut self) -> Result<Value, ParseError> {
        self.expect('[', true)?;
        self.enter()?;
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
        self.depth -= 1;
        Ok(Value::Array(values))
    }

    fn hash_literal(&mut self) -> Result<Value, ParseError> {
        self.expect('{', true)?;
        self.enter()?;
        let mut map = Map::new();
        while self.current() != Some('}') {
            let key = self.key();
            self.assignment()?;
            let v = self.explicit_values()?;
            self.skip_whitespace();
            if self.current() != Some('}') {
                self.expect(',', false)?;
                self.skip_whitespace();
            }
            map.insert(key, v);
        }
        self.expect('}', false)?;
        self.depth -= 1;
        Ok(Value::Object(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn no_files(_: &str) -> Result<Option<String>, String> {
        Ok(None)
    }

    fn ok(s: &str) -> Value {
        parse(s, &no_files).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn error(s: &str) -> String {
        parse(s, &no_files)
            .map(|v| panic!("{s} parsed as {v}"))
            .unwrap_err()
            .to_string()
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

    /// Each input with what `aws cognito-idp confirm-sign-up --client-metadata INPUT` (aws-cli
    /// 1.45.11) sent, read from its `--debug` log against a local emulator.
    #[test]
    fn what_the_aws_cli_sends() {
        for (input, sent) in [
            ("k=a b", json!({"k": "a b"})),
            ("k=\"a,b\",k2=c d", json!({"k": "a,b", "k2": "c d"})),
            ("k=a b ,k2=c", json!({"k": "a b", "k2": "c"})),
            ("k= a b ", json!({"k": "a b"})),
            ("k=a b,c d", json!({"k": ["a b", "c d"]})),
            ("k=a,b c,d=e", json!({"k": ["a", "b c"], "d": "e"})),
            ("k=a\\,b", json!({"k": "a,b"})),
            ("k=a\\b", json!({"k": "a\\b"})),
            ("k='it\\'s'", json!({"k": "it's"})),
            ("k='a\\'", json!({"k": "a\\"})),
            ("k='a\\\\'", json!({"k": "a\\"})),
            ("k=a=b", json!({"k": "a=b"})),
            ("k=a,b=c=d", json!({"k": "a", "b": "c=d"})),
            ("k=[a, b c]", json!({"k": ["a", "b c"]})),
            ("k={x=y z}", json!({"k": {"x": "y z"}})),
            ("k=a,]b", json!({"k": ["a", "]b"]})),
            ("k=", json!({"k": ""})),
            ("k=,j=1", json!({"k": "", "j": "1"})),
            ("k=a,,j=1", json!({"k": "a", "j": "1"})),
            ("k=[]", json!({"k": []})),
            ("k@=v", json!({"k": "v"})),
            ("k=héllo wörld", json!({"k": "héllo wörld"})),
            ("k=a\tb", json!({"k": "a\tb"})),
            ("=v", json!({"": "v"})),
            (
                "AnalyticsEndpointId=a b",
                json!({"AnalyticsEndpointId": "a b"}),
            ),
            (
                "IpAddress=1.2.3.4, EncodedData=x y",
                json!({"IpAddress": "1.2.3.4", "EncodedData": "x y"}),
            ),
        ] {
            assert_eq!(ok(input), sent, "{input}");
        }
    }

    /// Inputs `aws` (1.45.11) refuses, with what it says. (That version prints the literal
    /// text `{self._error_location()}` where the input and caret belong, a formatting slip in
    /// its source; cogbench prints the input and caret the message means to show.)
    #[test]
    fn what_the_aws_cli_refuses() {
        for (input, expected, actual) in [
            ("k=\"x\" y", ",", "y"),
            ("k=a]b", ",", "]"),
            ("k=a}b", ",", "}"),
            (" k = v ", "=", "k"),
            ("k=v,", "<second>", "<none>"),
            ("k=v ,", "<second>", "<none>"),
            ("k==v", ",", "="),
            ("k!=v", "=", "!"),
            ("k=a'b", ",", "'"),
            ("k=a\"b", ",", "\""),
            ("k=a,b'c", "=", "'"),
            ("foo", "=", "EOF"),
            ("k=[x,y", ",", "EOF"),
            ("k='open", "<singled quoted>", "<none>"),
        ] {
            let e = error(input);
            assert!(
                e.starts_with(&format!(
                    "Expected: '{expected}', received: '{actual}' for input:\n"
                )),
                "{input}: {e}"
            );
        }
    }

    #[test]
    fn a_second_instance_of_a_key_is_refused() {
        // `aws` 1.45.11's stderr for `--client-metadata k=v,k=w`, after its parameter prefix.
        assert_eq!(
            error("k=v,k=w"),
            "Second instance of key \"k\" encountered for input:\nk=v,k=w\n    ^\n\
             This is often because there is a preceding \",\" instead of a space."
        );
        assert!(
            error("a=1,b=2,a=3")
                .contains("key \"a\" encountered for input:\na=1,b=2,a=3\n        ^\n"),
            "{}",
            error("a=1,b=2,a=3")
        );
        // Inside a hash literal the last one wins, as in the AWS CLI.
        assert_eq!(ok("k={a=1,a=2}"), json!({"k": {"a": "2"}}));
    }

    #[test]
    fn nesting_deeper_than_the_cap_is_refused_not_a_stack_overflow() {
        let at_cap = format!("k={}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        let mut v = &ok(&at_cap)["k"];
        for _ in 1..MAX_DEPTH {
            v = &v[0];
        }
        assert_eq!(v, &json!([]));
        let over = format!("k={}", "[".repeat(MAX_DEPTH + 1));
        assert_eq!(parse(&over, &no_files), Err(ParseError::TooDeep));
        // The hostile tester's input, and maps, and both mixed, unclosed.
        for deep in [
            format!("k={}", "[".repeat(4960)),
            format!("k={}", "{a=".repeat(100_000)),
            format!("k={}", "[{a=".repeat(50_000)),
        ] {
            assert!(
                error(&deep).contains("nested too deeply"),
                "{}",
                error(&deep)
            );
        }
    }

    #[test]
    fn carets_count_from_the_line_they_are_on() {
        assert_eq!(
            error("foo"),
            "Expected: '=', received: 'EOF' for input:\nfoo\n   ^"
        );
        assert_eq!(
            error("a=b,\nc==d\ne=f"),
            "Expected: ',', received: '=' for input:\na=b,\nc==d\n  ^\ne=f"
        );
    }

    #[test]
    fn at_equals_reads_files() {
        let load = |v: &str| -> Result<Option<String>, String> {
            match v.strip_prefix("file://") {
                Some("missing") => Err("Unable to load paramfile file://missing: gone".into()),
                Some(path) => Ok(Some(format!("<{path}>"))),
                None => Ok(None),
            }
        };
        assert_eq!(
            parse("a@=file://x,b=file://y,c@=plain", &load).unwrap(),
            json!({"a": "<x>", "b": "file://y", "c": "plain"})
        );
        assert_eq!(
            parse("a @= [file://x, 'file://y']", &load).unwrap(),
            json!({"a": ["<x>", "<y>"]})
        );
        assert_eq!(
            parse("a@=file://missing", &load).unwrap_err().to_string(),
            "Unable to load paramfile file://missing: gone"
        );
    }
}
