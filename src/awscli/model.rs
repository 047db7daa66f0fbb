//! ConfirmSignUp's input as botocore's current model has it (the seed's AWS CLI page predates
//! `Session`, added to the model in 2024-11, spec §2.1), the client-side parameter validation
//! botocore does before sending, and the `--generate-cli-skeleton` skeletons.
//!
//! botocore checks required members, JSON types, unknown members and *minimum* lengths; it
//! does not check maximum lengths or patterns, which are the service's business (spec §3.2).
//! So neither does this module: `cogbench confirm-sign-up --username $(printf 'u%.0s' {1..129})`
//! reaches the wire, as it would with the AWS CLI.

use serde_json::{Map, Value};

/// The type of one member.
#[derive(Debug, Clone, Copy)]
pub enum Shape {
    /// A string of at least `min` characters.
    String {
        min: usize,
    },
    Boolean,
    /// A structure of string members (the only kind ConfirmSignUp has).
    Structure(&'static [&'static str]),
    /// A map of string to string.
    Map,
}

#[derive(Debug, Clone, Copy)]
pub struct Member {
    pub name: &'static str,
    /// The command-line option that sets it.
    pub option: &'static str,
    pub shape: Shape,
    pub required: bool,
}

impl Member {
    const fn new(name: &'static str, option: &'static str, shape: Shape, required: bool) -> Self {
        Member {
            name,
            option,
            shape,
            required,
        }
    }
}

/// ConfirmSignUp's four string members all have botocore's `min: 1`.
const NON_EMPTY: Shape = Shape::String { min: 1 };

/// The members in the model's order (the order of the synopsis and of the skeleton).
pub const MEMBERS: [Member; 9] = [
    Member::new("ClientId", "--client-id", NON_EMPTY, true),
    Member::new("SecretHash", "--secret-hash", NON_EMPTY, false),
    Member::new("Username", "--username", NON_EMPTY, true),
    Member::new("ConfirmationCode", "--confirmation-code", NON_EMPTY, true),
    Member::new(
        "ForceAliasCreation",
        "--force-alias-creation",
        Shape::Boolean,
        false,
    ),
    Member::new(
        "AnalyticsMetadata",
        "--analytics-metadata",
        Shape::Structure(&["AnalyticsEndpointId"]),
        false,
    ),
    Member::new(
        "UserContextData",
        "--user-context-data",
        Shape::Structure(&["IpAddress", "EncodedData"]),
        false,
    ),
    Member::new("ClientMetadata", "--client-metadata", Shape::Map, false),
    Member::new("Session", "--session", Shape::String { min: 20 }, false),
];

pub fn member(name: &str) -> Option<&'static Member> {
    MEMBERS.iter().find(|m| m.name == name)
}

/// Not an array or an object: what the text and table outputs print as one value.
pub fn is_scalar(v: &Value) -> bool {
    !matches!(v, Value::Array(_) | Value::Object(_))
}

/// Python's `str()` of a JSON value, as botocore's messages show values.
pub fn py_str(v: &Value) -> String {
    match v {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Array(_) | Value::Object(_) => py_repr(v),
    }
}

fn py_repr(v: &Value) -> String {
    match v {
        Value::String(s) => format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")),
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(py_repr).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(map) => format!(
            "{{{}}}",
            map.iter()
                .map(|(k, v)| format!("{}: {}", py_repr(&Value::String(k.clone())), py_repr(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => py_str(other),
    }
}

fn py_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "<class 'NoneType'>",
        Value::Bool(_) => "<class 'bool'>",
        Value::Number(n) if n.is_f64() => "<class 'float'>",
        Value::Number(_) => "<class 'int'>",
        Value::String(_) => "<class 'str'>",
        Value::Array(_) => "<class 'list'>",
        Value::Object(_) => "<class 'dict'>",
    }
}

fn type_error(errors: &mut Vec<String>, path: &str, v: &Value, valid: &str) {
    errors.push(format!(
        "Invalid type for parameter {path}, value: {}, type: {}, valid types: {valid}",
        py_str(v),
        py_type(v)
    ));
}

fn check_string(errors: &mut Vec<String>, path: &str, v: &Value, min: usize) {
    match v {
        Value::String(s) => {
            let len = s.chars().count();
            if len < min {
                errors.push(format!(
                    "Invalid length for parameter {path}, value: {len}, valid min length: {min}"
                ));
            }
        }
        _ => type_error(errors, path, v, "<class 'str'>"),
    }
}

/// botocore's `ParamValidator` over the whole input: `Err` holds its message,
/// `Parameter validation failed:` and one line per problem.
pub fn validate(input: &Map<String, Value>) -> Result<(), String> {
    let mut errors = Vec::new();
    for m in MEMBERS.iter().filter(|m| m.required) {
        if !input.contains_key(m.name) {
            errors.push(format!(
                "Missing required parameter in input: \"{}\"",
                m.name
            ));
        }
    }
    for (name, v) in input {
        let Some(m) = member(name) else {
            let all: Vec<&str> = MEMBERS.iter().map(|m| m.name).collect();
            errors.push(format!(
                "Unknown parameter in input: \"{name}\", must be one of: {}",
                all.join(", ")
            ));
            continue;
        };
        match m.shape {
            Shape::String { min } => check_string(&mut errors, name, v, min),
            Shape::Boolean => {
                if !v.is_boolean() {
                    type_error(&mut errors, name, v, "<class 'bool'>");
                }
            }
            Shape::Structure(fields) => match v {
                Value::Object(obj) => {
                    for (k, fv) in obj {
                        if fields.contains(&k.as_str()) {
                            check_string(&mut errors, &format!("{name}.{k}"), fv, 0);
                        } else {
                            errors.push(format!(
                                "Unknown parameter in {name}: \"{k}\", must be one of: {}",
                                fields.join(", ")
                            ));
                        }
                    }
                }
                _ => type_error(&mut errors, name, v, "<class 'dict'>"),
            },
            Shape::Map => match v {
                Value::Object(obj) => {
                    for (k, fv) in obj {
                        check_string(&mut errors, &format!("{name}.{k}"), fv, 0);
                    }
                }
                _ => type_error(&mut errors, name, v, "<class 'dict'>"),
            },
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "Parameter validation failed:\n{}",
            errors.join("\n")
        ))
    }
}

/// `--generate-cli-skeleton input`: every member, strings empty, booleans true, a map with one
/// `KeyName`, as botocore's `ArgumentGenerator` makes it, in the model's order (printed with
/// 4-space indentation like the AWS CLI's `json.dumps(indent=4)`).
pub fn input_skeleton() -> String {
    let mut out = String::from("{\n");
    for (i, m) in MEMBERS.iter().enumerate() {
        let value = match m.shape {
            Shape::String { .. } => "\"\"".to_owned(),
            Shape::Boolean => "true".to_owned(),
            Shape::Structure(fields) => {
                let inner: Vec<String> = fields
                    .iter()
                    .map(|f| format!("        \"{f}\": \"\""))
                    .collect();
                format!("{{\n{}\n    }}", inner.join(",\n"))
            }
            Shape::Map => "{\n        \"KeyName\": \"\"\n    }".to_owned(),
        };
        let comma = if i + 1 < MEMBERS.len() { "," } else { "" };
        out.push_str(&format!("    \"{}\": {value}{comma}\n", m.name));
    }
    out.push_str("}\n");
    out
}

/// `--generate-cli-skeleton output`: the output shape of the seed's model is an empty
/// structure, so the stubbed answer is `{}` (which the json output prints as nothing).
pub fn output_skeleton() -> Value {
    Value::Object(Map::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn the_input_skeleton_is_valid_json_with_every_member_in_order() {
        let text = input_skeleton();
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v.as_object().unwrap().len(), 9);
        let positions: Vec<usize> = MEMBERS
            .iter()
            .map(|m| text.find(&format!("\"{}\"", m.name)).unwrap())
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
        assert!(text.contains("\"ForceAliasCreation\": true,"));
        assert!(text.contains("    \"ClientMetadata\": {\n        \"KeyName\": \"\"\n    },\n"));
        assert!(text.ends_with("    \"Session\": \"\"\n}\n"));
    }

    #[test]
    fn validation_speaks_botocores_messages() {
        let ok = obj(json!({"ClientId": "c", "Username": "u", "ConfirmationCode": "1"}));
        assert_eq!(validate(&ok), Ok(()));
        let err = validate(&obj(json!({
            "ClientId": "",
            "Username": 7,
            "ForceAliasCreation": "yes",
            "AnalyticsMetadata": {"Nope": "x", "AnalyticsEndpointId": ["a", "b"]},
            "ClientMetadata": {"k": 1},
            "Extra": 1
        })))
        .unwrap_err();
        for line in [
            "Parameter validation failed:",
            "Missing required parameter in input: \"ConfirmationCode\"",
            "Invalid length for parameter ClientId, value: 0, valid min length: 1",
            "Invalid type for parameter Username, value: 7, type: <class 'int'>, valid types: <class 'str'>",
            "Invalid type for parameter ForceAliasCreation, value: yes, type: <class 'str'>, valid types: <class 'bool'>",
            "Unknown parameter in AnalyticsMetadata: \"Nope\", must be one of: AnalyticsEndpointId",
            "Invalid type for parameter AnalyticsMetadata.AnalyticsEndpointId, value: ['a', 'b'], type: <class 'list'>, valid types: <class 'str'>",
            "Invalid type for parameter ClientMetadata.k, value: 1, type: <class 'int'>, valid types: <class 'str'>",
            "Unknown parameter in input: \"Extra\", must be one of: ClientId, SecretHash, Username, ConfirmationCode, ForceAliasCreation, AnalyticsMetadata, UserContextData, ClientMetadata, Session",
        ] {
            assert!(err.lines().any(|l| l == line), "missing {line:?} in\n{err}");
        }
    }

    #[test]
    fn session_has_a_minimum_length_of_20() {
        let mut input = obj(json!({"ClientId": "c", "Username": "u", "ConfirmationCode": "1"}));
        input.insert("Session".into(), json!("short"));
        // `aws cognito-idp confirm-sign-up ... --session short` (aws-cli 1.45.11) prints this.
        assert_eq!(
            validate(&input),
            Err("Parameter validation failed:\n\
                 Invalid length for parameter Session, value: 5, valid min length: 20"
                .into())
        );
        input.insert("Session".into(), json!("s".repeat(20)));
        assert_eq!(validate(&input), Ok(()));
        input.insert("Session".into(), json!("s".repeat(2049)));
        assert_eq!(
            validate(&input),
            Ok(()),
            "the maximum is the service's to check"
        );
    }

    #[test]
    fn maximum_lengths_and_patterns_are_left_to_the_service() {
        let long = "u".repeat(129);
        let input = obj(json!({"ClientId": "c", "Username": long, "ConfirmationCode": "12 34"}));
        assert_eq!(validate(&input), Ok(()));
    }
}
