//! AWS JSON 1.1 framing on the server side (spec §1): decoding a request body into a typed
//! input, the error type every operation returns, and the response framing shared by all
//! routes (request id, content type, error headers).

use std::borrow::Cow;

use axum::body::Body;
use axum::http::header::CONTENT_TYPE as CONTENT_TYPE_HEADER;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use serde::{Deserialize, Serialize};

use super::ids;
use crate::protocol::{CONTENT_TYPE, HEADER_ERROR_MESSAGE, HEADER_ERROR_TYPE, HEADER_REQUEST_ID};

/// Error type names (the `__type` of the body).
pub mod names {
    pub const ALIAS_EXISTS: &str = "AliasExistsException";
    pub const CODE_MISMATCH: &str = "CodeMismatchException";
    pub const EXPIRED_CODE: &str = "ExpiredCodeException";
    pub const INVALID_PARAMETER: &str = "InvalidParameterException";
    pub const INVALID_PASSWORD: &str = "InvalidPasswordException";
    pub const LIMIT_EXCEEDED: &str = "LimitExceededException";
    pub const NOT_AUTHORIZED: &str = "NotAuthorizedException";
    pub const RESOURCE_NOT_FOUND: &str = "ResourceNotFoundException";
    pub const USER_NOT_FOUND: &str = "UserNotFoundException";
    pub const USERNAME_EXISTS: &str = "UsernameExistsException";
    pub const INTERNAL_ERROR: &str = "InternalErrorException";
    pub const SERIALIZATION: &str = "SerializationException";
    /// Sent by a request-rate quota (`--quota`, a pool's quota tag) and the `throttle` fault.
    pub const TOO_MANY_REQUESTS: &str = "TooManyRequestsException";
    pub const FORBIDDEN: &str = "ForbiddenException";
    pub const USER_LAMBDA_VALIDATION: &str = "UserLambdaValidationException";
    pub const INVALID_LAMBDA_RESPONSE: &str = "InvalidLambdaResponseException";
    pub const UNEXPECTED_LAMBDA: &str = "UnexpectedLambdaException";
    /// Coral's spelling, copied from DynamoDB and its emulators; unverified for Cognito (§1.5).
    pub const UNKNOWN_OPERATION: &str = "com.amazon.coral.service#UnknownOperationException";
}

/// Fixed message texts (spec §3.1 and §5).
pub mod messages {
    pub const CODE_MISMATCH: &str = "Invalid verification code provided, please try again.";
    /// Observed for ChangePassword and ConfirmForgotPassword (§3.1); a guess for ConfirmSignUp.
    pub const ATTEMPT_LIMIT: &str = "Attempt limit exceeded, please try after some time.";
    pub const EXPIRED_CODE: &str = "Invalid code provided, please request a code again.";
    pub const USER_NOT_FOUND_CLIENT: &str = "Username/client id combination not found.";
    pub const USER_NOT_FOUND_ADMIN: &str = "User does not exist.";
    pub const USERNAME_EXISTS: &str = "User already exists";
    pub const ALREADY_CONFIRMED: &str = "User is already confirmed.";
    pub const UNEXPECTED_FIELD_TYPE: &str = "Unexpected field type";
}

/// An error answer. `status` is 400 for every client error, 500 for `InternalErrorException`
/// (spec §3: what real Cognito sends, not the Smithy hints) and 403 for a WAF block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub name: &'static str,
    pub message: Option<Cow<'static, str>>,
    /// Some AWS protocol-level errors spell the member `Message` (spec §1.5).
    pub capital_message: bool,
}

impl ApiError {
    pub fn new(name: &'static str, message: impl Into<Cow<'static, str>>) -> ApiError {
        ApiError {
            name,
            message: Some(message.into()),
            capital_message: false,
        }
    }

    /// An error with no message member at all.
    pub fn bare(name: &'static str) -> ApiError {
        ApiError {
            name,
            message: None,
            capital_message: false,
        }
    }

    pub fn status(&self) -> StatusCode {
        match self.name {
            names::INTERNAL_ERROR => StatusCode::INTERNAL_SERVER_ERROR,
            // The one WAF block captured (a token refresh) came with 403, as the Smithy
            // model says; the API reference says 400 (spec §3, §6.5).
            names::FORBIDDEN => StatusCode::FORBIDDEN,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    pub fn invalid_parameter(message: impl Into<Cow<'static, str>>) -> ApiError {
        ApiError::new(names::INVALID_PARAMETER, message)
    }

    pub fn not_authorized(message: impl Into<Cow<'static, str>>) -> ApiError {
        ApiError::new(names::NOT_AUTHORIZED, message)
    }

    pub fn pool_not_found(pool_id: &str) -> ApiError {
        ApiError::new(
            names::RESOURCE_NOT_FOUND,
            format!("User pool {pool_id} does not exist."),
        )
    }

    pub fn client_not_found(client_id: &str) -> ApiError {
        ApiError::new(
            names::RESOURCE_NOT_FOUND,
            format!("User pool client {client_id} does not exist."),
        )
    }

    /// An unknown user of an operation an app client calls (§3.1).
    pub fn user_not_found_for_client() -> ApiError {
        ApiError::new(names::USER_NOT_FOUND, messages::USER_NOT_FOUND_CLIENT)
    }

    /// Malformed body: `{"__type":"SerializationException"}` with no message (§1.5, observed).
    pub fn serialization() -> ApiError {
        ApiError::bare(names::SERIALIZATION)
    }

    /// A member of the wrong JSON type (§1.5, observed in a 2026 probe with capital `Message`).
    pub fn unexpected_field_type() -> ApiError {
        ApiError {
            name: names::SERIALIZATION,
            message: Some(Cow::Borrowed(messages::UNEXPECTED_FIELD_TYPE)),
            capital_message: true,
        }
    }

    pub fn unknown_operation() -> ApiError {
        ApiError::bare(names::UNKNOWN_OPERATION)
    }
}

/// A JSON output structure as the response body.
pub fn json_body(v: &serde_json::Value) -> Bytes {
    Bytes::from(serde_json::to_vec(v).expect("serialising a Value cannot fail"))
}

/// Decodes a request body into `T`.
///
/// * An empty (or all-whitespace) body is read as `{}`: awsJson servers must accept an empty
///   body (§1.1). For operations with required members it then fails member validation
///   (InvalidParameterException), not serialization.
/// * Anything that is not a JSON object (malformed text, `[]`, `null`, a string, trailing
///   garbage) is a bare SerializationException. The leading-`{` check matters: serde would
///   otherwise read a JSON array positionally into a struct.
/// * Well-formed JSON whose members have the wrong type is SerializationException
///   "Unexpected field type". Unknown members are ignored (the input structs do not deny them).
pub fn parse_input<'a, T: Deserialize<'a>>(body: &'a [u8]) -> Result<T, ApiError> {
    let trimmed = body.trim_ascii_start();
    let body: &'a [u8] = match trimmed.first() {
        None => b"{}",
        Some(b'{') => body,
        Some(_) => return Err(ApiError::serialization()),
    };
    serde_json::from_slice(body).map_err(|e| {
        if e.is_data() {
            ApiError::unexpected_field_type()
        } else {
            ApiError::serialization()
        }
    })
}

/// A JSON string member, borrowed from the request body when it has no escapes. (serde only
/// borrows a bare `Cow<str>` field; inside `Option` it would always allocate.) Any other JSON
/// type is a data error, i.e. "Unexpected field type".
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Str<'a>(pub Cow<'a, str>);

impl std::ops::Deref for Str<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Str<'a>, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// A boolean member that also takes a string. The only live evidence (spec §1.5) is a probe
/// of another Cognito operation that got a string accepted for a boolean member, while other
/// wrong types were refused; what value the service reads from a string is unknown, so this
/// reads it as Java's `Boolean.parseBoolean` would ("true" in any case, else false). Numbers,
/// objects and arrays stay "Unexpected field type".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LooseBool(pub bool);

impl<'de> Deserialize<'de> for LooseBool {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<LooseBool, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = LooseBool;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a boolean, or a string")
            }
            fn visit_bool<E>(self, v: bool) -> Result<LooseBool, E> {
                Ok(LooseBool(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<LooseBool, E> {
                Ok(LooseBool(v.eq_ignore_ascii_case("true")))
            }
        }
        d.deserialize_any(V)
    }
}

/// A `map<string,string>` member (ClientMetadata, UserPoolTags), its entries borrowed from the
/// body where they can be. Cognito neither stores nor validates ClientMetadata (§2.1); the
/// emulator hands it to a post-confirmation trigger (§4.7), the one place it has an effect.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StringMap<'a> {
    pub entries: Vec<(Str<'a>, Str<'a>)>,
}

#[cfg(test)]
impl StringMap<'static> {
    /// A map of the given entries, as a request body would give them.
    pub fn of(pairs: &[(&'static str, &'static str)]) -> StringMap<'static> {
        StringMap {
            entries: pairs
                .iter()
                .map(|(k, v)| (Str(Cow::Borrowed(*k)), Str(Cow::Borrowed(*v))))
                .collect(),
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for StringMap<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<StringMap<'a>, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = StringMap<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a map of strings to strings")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut m: A,
            ) -> Result<StringMap<'de>, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = m.next_entry::<Str<'de>, Str<'de>>()? {
                    entries.push(entry);
                }
                Ok(StringMap { entries })
            }
        }
        d.deserialize_map(V)
    }
}

static REQUEST_ID: HeaderName = HeaderName::from_static(HEADER_REQUEST_ID);
static ERROR_TYPE: HeaderName = HeaderName::from_static(HEADER_ERROR_TYPE);
static ERROR_MESSAGE: HeaderName = HeaderName::from_static(HEADER_ERROR_MESSAGE);
static AMZ_JSON: HeaderValue = HeaderValue::from_static(CONTENT_TYPE);
static TEXT_PLAIN: HeaderValue = HeaderValue::from_static("text/plain; charset=utf-8");
static APPLICATION_JSON: HeaderValue = HeaderValue::from_static("application/json");

/// The success body of operations with an empty output structure.
pub const EMPTY_OBJECT: &[u8] = b"{}";

/// A response with `x-amzn-RequestId` set; every route answers through this.
fn base_response(status: StatusCode, content_type: &HeaderValue, body: Body) -> Response {
    let mut resp = Response::new(body);
    *resp.status_mut() = status;
    let headers = resp.headers_mut();
    headers.insert(CONTENT_TYPE_HEADER, content_type.clone());
    headers.insert(
        REQUEST_ID.clone(),
        HeaderValue::from_bytes(&ids::request_id()).expect("a UUID is a valid header value"),
    );
    resp
}

/// 200 with an AWS JSON body.
pub fn json_ok(body: Bytes) -> Response {
    base_response(StatusCode::OK, &AMZ_JSON, Body::from(body))
}

/// A plain-text answer of the side routes.
pub fn text(status: StatusCode, body: impl Into<String>) -> Response {
    base_response(status, &TEXT_PLAIN, Body::from(body.into()))
}

/// An `application/json` answer of the side routes.
pub fn plain_json(status: StatusCode, body: Vec<u8>) -> Response {
    base_response(status, &APPLICATION_JSON, Body::from(body))
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    #[serde(rename = "__type")]
    type_: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
    #[serde(rename = "Message", skip_serializing_if = "Option::is_none")]
    message_capital: Option<&'a str>,
}

/// Header values may not hold control characters; the body keeps the exact text.
/// The longest `x-amzn-ErrorMessage` sent: a trigger's error text can be as long as the body
/// it came in, and clients refuse header lines far shorter than that (8 KiB is common). The
/// body carries the whole message.
const MAX_HEADER_TEXT: usize = 1024;

fn header_text(text: &str) -> Option<HeaderValue> {
    let mut end = text.len().min(MAX_HEADER_TEXT);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let text = &text[..end];
    HeaderValue::from_str(text).ok().or_else(|| {
        let cleaned: String = text.chars().filter(|c| !c.is_control()).collect();
        HeaderValue::from_bytes(cleaned.as_bytes()).ok()
    })
}

/// The error answer: `{"__type":…,"message":…}`, `x-amzn-ErrorType: <Name>:` (trailing colon
/// as observed, §1.3) and `x-amzn-ErrorMessage` when there is a message.
pub fn error_response(err: &ApiError) -> Response {
    let message = err.message.as_deref();
    let body = ErrorBody {
        type_: err.name,
        message: message.filter(|_| !err.capital_message),
        message_capital: message.filter(|_| err.capital_message),
    };
    let bytes = serde_json::to_vec(&body).expect("serialising strings cannot fail");
    let mut resp = base_response(err.status(), &AMZ_JSON, Body::from(bytes));
    let headers = resp.headers_mut();
    if let Some(v) = header_text(&format!("{}:", err.name)) {
        headers.insert(ERROR_TYPE.clone(), v);
    }
    if let Some(v) = message.and_then(header_text) {
        headers.insert(ERROR_MESSAGE.clone(), v);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Debug)]
    #[serde(rename_all = "PascalCase")]
    struct Probe<'a> {
        #[serde(borrow)]
        name: Option<Str<'a>>,
        flag: Option<bool>,
        #[serde(borrow)]
        meta: Option<StringMap<'a>>,
    }

    #[test]
    fn empty_body_reads_as_empty_object() {
        let p: Probe = parse_input(b"").unwrap();
        assert!(p.name.is_none() && p.flag.is_none());
        let p: Probe = parse_input(b"  \n ").unwrap();
        assert!(p.name.is_none());
    }

    #[test]
    fn non_objects_are_bare_serialization_errors() {
        for body in [
            &b"[]"[..],
            b"[\"a\", true]",
            b"null",
            b"\"x\"",
            b"{",
            b"{} trailing",
            b"not json",
        ] {
            let err = parse_input::<Probe>(body).unwrap_err();
            assert_eq!(err, ApiError::serialization(), "{:?}", body);
        }
    }

    #[test]
    fn wrong_member_types_say_unexpected_field_type() {
        for body in [
            &br#"{"Name": 5}"#[..],
            br#"{"Name": {"a": "b"}}"#,
            br#"{"Flag": "true"}"#,
            br#"{"Meta": "x"}"#,
            br#"{"Meta": {"a": 1}}"#,
            br#"{"Meta": {"a": null}}"#,
        ] {
            let err = parse_input::<Probe>(body).unwrap_err();
            assert_eq!(err, ApiError::unexpected_field_type());
        }
    }

    #[test]
    fn a_loose_boolean_takes_strings_but_no_other_type() {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Loose {
            force: Option<LooseBool>,
        }
        for (body, want) in [
            (&br#"{"Force": true}"#[..], Some(true)),
            (br#"{"Force": false}"#, Some(false)),
            (br#"{"Force": "true"}"#, Some(true)),
            (br#"{"Force": "TRUE"}"#, Some(true)),
            (br#"{"Force": "yes"}"#, Some(false)),
            (br#"{"Force": null}"#, None),
        ] {
            let p: Loose = parse_input(body).unwrap();
            assert_eq!(p.force.map(|b| b.0), want, "{:?}", body);
        }
        for body in [
            &br#"{"Force": 1}"#[..],
            br#"{"Force": {"a": true}}"#,
            br#"{"Force": [true]}"#,
        ] {
            let err = parse_input::<Loose>(body).err().unwrap();
            assert_eq!(err, ApiError::unexpected_field_type(), "{:?}", body);
        }
    }

    #[test]
    fn unknown_members_are_ignored_and_escapes_decoded() {
        let p: Probe =
            parse_input(br#"{"Other": [1], "Name": "a\u00e9", "Flag": null, "Meta": {"k": "v"}}"#)
                .unwrap();
        assert_eq!(p.name.as_deref(), Some("a\u{e9}"));
        assert!(matches!(p.name.unwrap().0, Cow::Owned(_)));
        assert_eq!(p.flag, None);
        let meta = p.meta.unwrap();
        assert_eq!(meta.entries.len(), 1);
        assert_eq!((&*meta.entries[0].0, &*meta.entries[0].1), ("k", "v"));
    }

    #[test]
    fn plain_strings_are_borrowed() {
        let body = br#"{"Name": "plain"}"#;
        let p: Probe = parse_input(body).unwrap();
        assert!(matches!(p.name.unwrap().0, Cow::Borrowed("plain")));
    }

    #[test]
    fn error_headers_and_body() {
        let resp = error_response(&ApiError::new(names::EXPIRED_CODE, messages::EXPIRED_CODE));
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
        let h = resp.headers();
        assert_eq!(h[HEADER_ERROR_TYPE], "ExpiredCodeException:");
        assert_eq!(h[HEADER_ERROR_MESSAGE], messages::EXPIRED_CODE);
        assert_eq!(h["content-type"], CONTENT_TYPE);
        assert_eq!(h[HEADER_REQUEST_ID].len(), 36);
        let internal = error_response(&ApiError::new(names::INTERNAL_ERROR, "x"));
        assert_eq!(internal.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let bare = error_response(&ApiError::serialization());
        assert!(!bare.headers().contains_key(HEADER_ERROR_MESSAGE));
    }

    #[test]
    fn a_long_message_is_cut_in_its_header_only() {
        let long = format!("{}ü", "a".repeat(MAX_HEADER_TEXT - 1));
        let resp = error_response(&ApiError::new(names::USER_LAMBDA_VALIDATION, long.clone()));
        assert_eq!(
            resp.headers()[HEADER_ERROR_MESSAGE].len(),
            MAX_HEADER_TEXT - 1
        );
        let huge = "x".repeat(1 << 20);
        let resp = error_response(&ApiError::new(names::USER_LAMBDA_VALIDATION, huge));
        assert_eq!(resp.headers()[HEADER_ERROR_MESSAGE].len(), MAX_HEADER_TEXT);
    }

    #[test]
    fn control_characters_never_reach_a_header() {
        assert!(header_text("a\u{1}b\nc").is_some());
        assert_eq!(header_text("a\u{1}b").unwrap(), "ab");
    }
}
