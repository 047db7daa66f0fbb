//! Request member values in cases: JSON literals and placeholders filled per request.

use serde::Deserialize;

/// A request member's value in a case.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Json(serde_json::Value),
    Field(Field),
    /// A string of `count` copies of `text`.
    Repeat(String, usize),
    /// Leave the member out.
    Omit,
}

/// A value known only at request time, from the client and user handed to the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    ClientId,
    Username,
    /// The username in upper case (case-sensitivity cases).
    UsernameUpper,
    Sub,
    Email,
    Code,
    /// The code a Resent user had before ResendConfirmationCode.
    OldCode,
    WrongCode,
    SecretHash,
    WrongSecretHash,
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        match v {
            serde_json::Value::String(s) => parse_placeholder(&s).map_err(serde::de::Error::custom),
            mut other => {
                expand_nested(&mut other).map_err(serde::de::Error::custom)?;
                Ok(Value::Json(other))
            }
        }
    }
}

/// Inside a structure or map only the static placeholders make sense (`$repeat`, `$$`): they
/// are expanded once, here.
fn expand_nested(v: &mut serde_json::Value) -> Result<(), String> {
    match v {
        serde_json::Value::String(s) if s.starts_with('$') => match parse_placeholder(s)? {
            Value::Repeat(text, n) => *s = text.repeat(n),
            Value::Json(serde_json::Value::String(literal)) => *s = literal,
            _ => {
                return Err(format!(
                    "`{s}`: inside a structure or map only $repeat(<text>,<count>) and $$ can be used"
                ));
            }
        },
        serde_json::Value::Array(items) => items.iter_mut().try_for_each(expand_nested)?,
        serde_json::Value::Object(map) => map.values_mut().try_for_each(expand_nested)?,
        _ => {}
    }
    Ok(())
}

pub(super) fn parse_placeholder(s: &str) -> Result<Value, String> {
    let Some(name) = s.strip_prefix('$') else {
        return Ok(Value::Json(serde_json::Value::String(s.to_owned())));
    };
    if name.starts_with('$') {
        return Ok(Value::Json(serde_json::Value::String(name.to_owned())));
    }
    let field = match name {
        "client_id" => Field::ClientId,
        "username" => Field::Username,
        "username_upper" => Field::UsernameUpper,
        "sub" => Field::Sub,
        "email" => Field::Email,
        "code" => Field::Code,
        "old_code" => Field::OldCode,
        "wrong_code" => Field::WrongCode,
        "secret_hash" => Field::SecretHash,
        "wrong_secret_hash" => Field::WrongSecretHash,
        "omit" => return Ok(Value::Omit),
        _ => {
            if let Some(args) = name
                .strip_prefix("repeat(")
                .and_then(|a| a.strip_suffix(')'))
            {
                let (text, count) = args
                    .rsplit_once(',')
                    .ok_or_else(|| format!("`{s}`: expected $repeat(<text>,<count>)"))?;
                let count: usize = count
                    .trim()
                    .parse()
                    .map_err(|_| format!("`{s}`: the count must be a whole number"))?;
                if count > 1 << 20 {
                    return Err(format!("`{s}`: at most {} repetitions", 1 << 20));
                }
                return Ok(Value::Repeat(text.to_owned(), count));
            }
            return Err(format!(
                "unknown placeholder `{s}`; expected one of $client_id, $username, $username_upper, $sub, $email, \
                 $code, $old_code, $wrong_code, $secret_hash, $wrong_secret_hash, $omit, $repeat(<text>,<count>) \
                 (write $$ for a literal $)"
            ));
        }
    };
    Ok(Value::Field(field))
}
