use serde::Deserialize;

/// An error answer decoded the way the AWS SDKs decode AWS JSON 1.1 errors (spec §1.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorBody {
    /// The sanitised error type, e.g. `CodeMismatchException`.
    pub error_type: String,
    pub message: Option<String>,
}

#[derive(Deserialize)]
struct RawError<'a> {
    #[serde(rename = "__type", borrow, default)]
    type_: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    message: Option<std::borrow::Cow<'a, str>>,
    #[serde(rename = "Message", borrow, default)]
    message_upper: Option<std::borrow::Cow<'a, str>>,
}

/// Reduces a raw error type to the bare shape name: keep what precedes the first `:`, then
/// what follows the last `#` (Smithy's rule; `ns#Foo:http://…` → `Foo`).
pub fn sanitize_error_type(raw: &str) -> &str {
    let head = raw.split(':').next().unwrap_or(raw);
    let name = head.rsplit('#').next().unwrap_or(head);
    name.trim()
}

/// Reads the error type from the body's `__type`, falling back to the `x-amzn-ErrorType`
/// header; the message from `message`, then `Message`. Returns `None` when neither place
/// names a type (a body that is not an AWS error).
pub fn parse_error(body: &[u8], header_error_type: Option<&str>) -> Option<ErrorBody> {
    let raw: Option<RawError> = serde_json::from_slice(body).ok();
    let (body_type, message) = match raw {
        Some(r) => (r.type_, r.message.or(r.message_upper)),
        None => (None, None),
    };
    let error_type = body_type
        .as_deref()
        .map(sanitize_error_type)
        .filter(|t| !t.is_empty())
        .or_else(|| {
            header_error_type
                .map(sanitize_error_type)
                .filter(|t| !t.is_empty())
        })?;
    Some(ErrorBody {
        error_type: error_type.to_owned(),
        message: message.map(|m| m.into_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitises_the_forms_smithy_lists() {
        for raw in [
            "FooError",
            "FooError:http://internal.amazon.com/coral/com.amazon.coral.validate/",
            "aws.protocoltests.restjson#FooError",
            "aws.protocoltests.restjson#FooError:http://internal.amazon.com/coral/com.amazon.coral.validate/",
            "CognitoLocal#FooError",
            "FooError:",
        ] {
            assert_eq!(sanitize_error_type(raw), "FooError", "{raw}");
        }
    }

    #[test]
    fn reads_type_and_lowercase_message_from_body() {
        let e = parse_error(
            br#"{"__type":"NotAuthorizedException","message":"User cannot be confirmed. Current status is CONFIRMED"}"#,
            None,
        )
        .unwrap();
        assert_eq!(e.error_type, "NotAuthorizedException");
        assert_eq!(
            e.message.as_deref(),
            Some("User cannot be confirmed. Current status is CONFIRMED")
        );
    }

    #[test]
    fn reads_capitalised_message_and_namespaced_type() {
        let e = parse_error(
            br#"{"__type":"com.amazon.coral.service#SerializationException","Message":"Unexpected field type"}"#,
            None,
        )
        .unwrap();
        assert_eq!(e.error_type, "SerializationException");
        assert_eq!(e.message.as_deref(), Some("Unexpected field type"));
    }

    #[test]
    fn body_type_wins_over_header() {
        let e = parse_error(
            br#"{"__type":"CodeMismatchException"}"#,
            Some("ExpiredCodeException:"),
        )
        .unwrap();
        assert_eq!(e.error_type, "CodeMismatchException");
        assert_eq!(e.message, None);
    }

    #[test]
    fn falls_back_to_header_when_body_has_no_type() {
        let e = parse_error(
            br#"{"message":"Invalid code provided, please request a code again."}"#,
            Some("ExpiredCodeException:"),
        )
        .unwrap();
        assert_eq!(e.error_type, "ExpiredCodeException");
        assert_eq!(
            e.message.as_deref(),
            Some("Invalid code provided, please request a code again.")
        );
        let e = parse_error(b"<html>bad gateway</html>", Some("InternalErrorException")).unwrap();
        assert_eq!(e.error_type, "InternalErrorException");
    }

    #[test]
    fn no_type_anywhere_is_not_an_aws_error() {
        assert_eq!(parse_error(b"{}", None), None);
        assert_eq!(
            parse_error(br#"{"message":"Missing x-amz-target header"}"#, None),
            None
        );
        assert_eq!(parse_error(b"not json", None), None);
        assert_eq!(parse_error(br#"{"__type":""}"#, Some("")), None);
    }
}
