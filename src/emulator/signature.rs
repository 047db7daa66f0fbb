//! Strict signing, when asked: the calls real Cognito authorizes with IAM (provisioning, admin
//! reads; `Operation::signed`, spec §1.2 and §5) must carry a SigV4 signature, and with keys
//! the emulator was told, a signature that recomputes. The public operations (SignUp,
//! ConfirmSignUp, ResendConfirmationCode) are never checked, as AWS does not (§1.2).
//!
//! The answers, all HTTP 400 with the usual `{"__type", "message"}` body:
//!
//! * wrong access key or session token: `UnrecognizedClientException`, "The security token
//!   included in the request is invalid." (spec §1.5, observed);
//! * a signature that does not recompute: `InvalidSignatureException`, "The request signature
//!   we calculated does not match …" (observed from Cognito for AdminGetUser and
//!   AdminInitiateAuth: aws/aws-cli#3066, ArranJacques/laravel-aws-cognito-auth#18; the spec
//!   is silent);
//! * no `Authorization` at all: `MissingAuthenticationTokenException`, "Missing Authentication
//!   Token" (the message seen from Cognito in aws/aws-aspnet-cognito-identity-provider#66;
//!   the status and the bare type name are inferred from other AWS JSON services);
//! * an `Authorization` lacking a part, or no `X-Amz-Date`: `IncompleteSignatureException`
//!   (inferred: the generic AWS common error, with AWS's "requires" wording);
//! * a scope naming another region or service, or a time more than 5 minutes off:
//!   `InvalidSignatureException` with AWS's wording for each (inferred).
//!
//! The signature is recomputed with the `aws-sigv4` crate over what was received (method,
//! path, the headers the client listed as signed, the body), not with cogbench's own signer,
//! so a client bug cannot be repeated on both sides.

use std::borrow::Cow;
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use axum::http::HeaderMap;

use super::wire::ApiError;
use crate::protocol::Operation;

/// The SigV4 signing name of Cognito user pools (spec §1.2).
const SERVICE: &str = "cognito-idp";

/// How far a request's `X-Amz-Date` may be from the emulator's (real) time.
const MAX_SKEW: Duration = Duration::from_secs(5 * 60);

const ALGORITHM: &str = "AWS4-HMAC-SHA256";

pub mod names {
    pub const MISSING_TOKEN: &str = "MissingAuthenticationTokenException";
    pub const INCOMPLETE: &str = "IncompleteSignatureException";
    pub const INVALID_SIGNATURE: &str = "InvalidSignatureException";
    pub const UNRECOGNIZED_CLIENT: &str = "UnrecognizedClientException";
}

pub mod messages {
    pub const MISSING_TOKEN: &str = "Missing Authentication Token";
    pub const UNRECOGNIZED_CLIENT: &str = "The security token included in the request is invalid.";
    pub const MISMATCH: &str = "The request signature we calculated does not match the signature you \
         provided. Check your AWS Secret Access Key and signing method. Consult the service \
         documentation for details.";
}

/// What the emulator asks of signed operations.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Signatures {
    /// Anything goes, signed or not (the emulator's default, as cognito-local and moto).
    #[default]
    Ignored,
    /// A well-formed SigV4 `Authorization` for `cognito-idp` in the emulator's region, dated
    /// within 5 minutes; any keys.
    Required,
    /// As `Required`, and made with these keys.
    Verified(SigningKeys),
}

/// The one identity a verifying emulator knows.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningKeys {
    pub access_key_id: String,
    pub secret_access_key: String,
    /// Requests must carry exactly this `X-Amz-Security-Token` (none when `None`).
    pub session_token: Option<String>,
}

impl std::fmt::Debug for SigningKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The access key id is not secret and helps to tell configurations apart.
        f.debug_struct("SigningKeys")
            .field("access_key_id", &self.access_key_id)
            .field("session_token", &self.session_token.as_ref().map(|_| "…"))
            .finish_non_exhaustive()
    }
}

impl Signatures {
    pub fn is_strict(&self) -> bool {
        !matches!(self, Signatures::Ignored)
    }
}

/// One received request, as much of it as a signature covers.
pub struct Received<'a> {
    pub method: &'a str,
    /// Path and query, as sent.
    pub path_and_query: &'a str,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

/// The parts of an `Authorization: AWS4-HMAC-SHA256 …` header.
#[derive(Debug, PartialEq, Eq)]
struct Authorization<'a> {
    access_key_id: &'a str,
    date: &'a str,
    region: &'a str,
    service: &'a str,
    signed_headers: Vec<&'a str>,
    signature: &'a str,
}

/// Headers that say what is signed, when, by whom, and which operation: each must come once.
const REPEAT_REFUSED: &[&str] = &[
    "authorization",
    "x-amz-date",
    "x-amz-security-token",
    "x-amz-target",
];

/// Refuses `request` as AWS would when `op` is an IAM-authorized operation and its signature
/// does not satisfy `policy`. `region` is the emulator's; `now` is real time.
pub fn check(
    policy: &Signatures,
    region: &str,
    op: Operation,
    request: &Received<'_>,
    now: SystemTime,
) -> Result<(), ApiError> {
    if !policy.is_strict() || !op.signed() {
        return Ok(());
    }
    // SigV4 signs a repeated header as its values joined with commas, so a second value
    // added after signing would change what AWS checks; and which of two the service acts on
    // (an operation, a time, a token) is no longer the one signed. Refused outright.
    for name in REPEAT_REFUSED {
        if request.headers.get_all(*name).iter().count() > 1 {
            return Err(ApiError::new(
                names::INCOMPLETE,
                format!("The request has more than one '{name}' header; send it once."),
            ));
        }
    }
    let header = |name: &str| {
        request
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    let Some(value) = header("authorization") else {
        return Err(ApiError::new(names::MISSING_TOKEN, messages::MISSING_TOKEN));
    };
    let auth = parse(value)?;
    let Some(amz_date) = header("x-amz-date") else {
        return Err(ApiError::new(
            names::INCOMPLETE,
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
        ));
    };
    let Some(signed_at) = parse_amz_date(amz_date) else {
        return Err(ApiError::new(
            names::INCOMPLETE,
            format!(
                "X-Amz-Date must be in the ISO8601 Long Format (yyyyMMdd'T'HHmmss'Z'), got '{amz_date}'."
            ),
        ));
    };
    if !amz_date.starts_with(auth.date) || auth.date.len() != 8 {
        return Err(invalid(format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{}' != '{}', from '{amz_date}'.",
            auth.date,
            &amz_date[..8]
        )));
    }
    if auth.service != SERVICE {
        return Err(invalid(format!(
            "Credential should be scoped to correct service: '{SERVICE}'. "
        )));
    }
    if auth.region != region {
        return Err(invalid(format!(
            "Credential should be scoped to a valid region, not '{}'. ",
            auth.region
        )));
    }
    skew(signed_at, amz_date, now)?;
    let Signatures::Verified(keys) = policy else {
        return Ok(());
    };
    let token = header("x-amz-security-token");
    if auth.access_key_id != keys.access_key_id || token != keys.session_token.as_deref() {
        return Err(ApiError::new(
            names::UNRECOGNIZED_CLIENT,
            messages::UNRECOGNIZED_CLIENT,
        ));
    }
    let expected = recompute(keys, &auth, request, signed_at)?;
    let same_headers = expected
        .signed_headers
        .iter()
        .map(String::as_str)
        .eq(auth.signed_headers.iter().copied());
    if !same_headers || expected.signature != auth.signature {
        return Err(invalid(messages::MISMATCH));
    }
    Ok(())
}

fn invalid(message: impl Into<Cow<'static, str>>) -> ApiError {
    ApiError::new(names::INVALID_SIGNATURE, message)
}

/// `AWS4-HMAC-SHA256 Credential=AKID/20261128/us-east-1/cognito-idp/aws4_request,
/// SignedHeaders=a;b, Signature=hex`; the parts in any order, spaces after commas optional.
fn parse(value: &str) -> Result<Authorization<'_>, ApiError> {
    let Some(rest) = value.strip_prefix(ALGORITHM).filter(|r| r.starts_with(' ')) else {
        let algorithm = value.split(' ').next().unwrap_or_default();
        return Err(ApiError::new(
            names::INCOMPLETE,
            format!("Unsupported AWS 'algorithm': '{algorithm}'."),
        ));
    };
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',').map(str::trim) {
        if let Some(v) = part.strip_prefix("Credential=") {
            credential = Some(v);
        } else if let Some(v) = part.strip_prefix("SignedHeaders=") {
            signed = Some(v);
        } else if let Some(v) = part.strip_prefix("Signature=") {
            signature = Some(v);
        }
    }
    let scope = credential.and_then(|c| {
        let parts: Vec<&str> = c.split('/').collect();
        match parts.as_slice() {
            [akid, date, region, service, "aws4_request"] if !akid.is_empty() => {
                Some((*akid, *date, *region, *service))
            }
            _ => None,
        }
    });
    let mut missing = Vec::new();
    if scope.is_none() {
        missing.push("Authorization header requires 'Credential' parameter.");
    }
    if signature.is_none_or(str::is_empty) {
        missing.push("Authorization header requires 'Signature' parameter.");
    }
    if signed.is_none_or(str::is_empty) {
        missing.push("Authorization header requires 'SignedHeaders' parameter.");
    }
    match (scope, signed, signature) {
        (Some((access_key_id, date, region, service)), Some(signed), Some(signature))
            if missing.is_empty() =>
        {
            Ok(Authorization {
                access_key_id,
                date,
                region,
                service,
                signed_headers: signed.split(';').collect(),
                signature,
            })
        }
        _ => Err(ApiError::new(names::INCOMPLETE, missing.join(" "))),
    }
}

/// `20261128T100000Z`
fn parse_amz_date(s: &str) -> Option<SystemTime> {
    let b = s.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    crate::time::parse_rfc3339(&format!(
        "{}-{}-{}T{}:{}:{}Z",
        &s[0..4],
        &s[4..6],
        &s[6..8],
        &s[9..11],
        &s[11..13],
        &s[13..15]
    ))
}

fn skew(signed_at: SystemTime, amz_date: &str, now: SystemTime) -> Result<(), ApiError> {
    let now_text = crate::time::compact_utc(now);
    if signed_at + MAX_SKEW < now {
        let limit = crate::time::compact_utc(now - MAX_SKEW);
        return Err(invalid(format!(
            "Signature expired: {amz_date} is now earlier than {limit} ({now_text} - 5 min.)"
        )));
    }
    if signed_at > now + MAX_SKEW {
        let limit = crate::time::compact_utc(now + MAX_SKEW);
        return Err(invalid(format!(
            "Signature not yet current: {amz_date} is still later than {limit} ({now_text} + 5 min.)"
        )));
    }
    Ok(())
}

/// What `aws-sigv4` signs for the received request with `keys`, as a signed-header list and
/// a signature.
struct Recomputed {
    signed_headers: Vec<String>,
    signature: String,
}

fn recompute(
    keys: &SigningKeys,
    auth: &Authorization<'_>,
    request: &Received<'_>,
    signed_at: SystemTime,
) -> Result<Recomputed, ApiError> {
    let host = request
        .headers
        .get("host")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    // The signer adds host, x-amz-date and the session token itself, from the URL, the time
    // and the identity; every other header the client listed goes in as received.
    let mut headers = Vec::with_capacity(auth.signed_headers.len());
    for name in &auth.signed_headers {
        if matches!(*name, "host" | "x-amz-date" | "x-amz-security-token") {
            continue;
        }
        // A repeated header is signed as its values, trimmed, joined with commas (SigV4).
        let values: Option<Vec<&str>> = request
            .headers
            .get_all(*name)
            .iter()
            .map(|v| v.to_str().ok().map(str::trim))
            .collect();
        let Some(values) = values.filter(|v| !v.is_empty()) else {
            // Listed as signed, not sent: it cannot have been signed over what arrived.
            return Err(invalid(messages::MISMATCH));
        };
        headers.push((*name, values.join(",")));
    }
    let url = format!("http://{host}{}", request.path_and_query);
    let credentials = Credentials::new(
        &keys.access_key_id,
        &keys.secret_access_key,
        keys.session_token.clone(),
        None,
        "emulator",
    );
    let identity = credentials.into();
    let mut settings = SigningSettings::default();
    // Sign whatever the client chose to sign (user-agent included), as the service does.
    settings.excluded_headers = None;
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(auth.region)
        .name(auth.service)
        .time(signed_at)
        .settings(settings)
        .build()
        .map_err(|_| invalid(messages::MISMATCH))?
        .into();
    let signable = SignableRequest::new(
        request.method,
        url,
        headers.iter().map(|(k, v)| (*k, v.as_str())),
        SignableBody::Bytes(request.body),
    )
    .map_err(|_| invalid(messages::MISMATCH))?;
    let (instructions, signature) = aws_sigv4::http_request::sign(signable, &params)
        .map_err(|_| invalid(messages::MISMATCH))?
        .into_parts();
    let (out, _) = instructions.into_parts();
    let authorization = out
        .iter()
        .find(|h| h.name().eq_ignore_ascii_case("authorization"))
        .map(|h| h.value().to_owned())
        .unwrap_or_default();
    let signed_headers = parse(&authorization)
        .map(|a| a.signed_headers.iter().map(|s| (*s).to_owned()).collect())
        .unwrap_or_default();
    Ok(Recomputed {
        signed_headers,
        signature,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    const AKID: &str = "AKIDEMULATOR";
    const SECRET: &str = "emulator/Secret+Key0123456789abcdefghijkl";

    fn keys(token: Option<&str>) -> Signatures {
        Signatures::Verified(SigningKeys {
            access_key_id: AKID.into(),
            secret_access_key: SECRET.into(),
            session_token: token.map(str::to_owned),
        })
    }

    /// 2026-11-28T10:00:00Z
    fn noon() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_860_000)
    }

    /// A request signed by `aws-sigv4` as cogbench's client signs it, with `secret`.
    fn signed(
        akid: &str,
        secret: &str,
        token: Option<&str>,
        region: &str,
        body: &[u8],
    ) -> HeaderMap {
        let credentials = Credentials::new(akid, secret, token.map(str::to_owned), None, "t");
        let identity = credentials.into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(region)
            .name(SERVICE)
            .time(noon())
            .settings(SigningSettings::default())
            .build()
            .unwrap()
            .into();
        let own = [
            ("content-type", "application/x-amz-json-1.1"),
            (
                "x-amz-target",
                "AWSCognitoIdentityProviderService.AdminGetUser",
            ),
        ];
        let request = SignableRequest::new(
            "POST",
            "http://127.0.0.1:9229/",
            own.iter().copied(),
            SignableBody::Bytes(body),
        )
        .unwrap();
        let (instructions, _) = aws_sigv4::http_request::sign(request, &params)
            .unwrap()
            .into_parts();
        let mut map = HeaderMap::new();
        map.insert("host", HeaderValue::from_static("127.0.0.1:9229"));
        for (k, v) in own {
            map.insert(k, HeaderValue::from_static(v));
        }
        let (headers, _) = instructions.into_parts();
        for h in headers {
            map.insert(h.name(), HeaderValue::from_str(h.value()).unwrap());
        }
        map
    }

    fn verdict(
        policy: &Signatures,
        op: Operation,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Option<ApiError> {
        let request = Received {
            method: "POST",
            path_and_query: "/",
            headers,
            body,
        };
        check(policy, "us-east-1", op, &request, noon()).err()
    }

    fn name(e: Option<ApiError>) -> Option<&'static str> {
        e.map(|e| e.name)
    }

    #[test]
    fn off_by_default_and_public_operations_are_never_checked() {
        let unsigned = HeaderMap::new();
        assert_eq!(Signatures::default(), Signatures::Ignored);
        assert!(
            verdict(
                &Signatures::Ignored,
                Operation::AdminGetUser,
                &unsigned,
                b"{}"
            )
            .is_none()
        );
        for op in [
            Operation::SignUp,
            Operation::ConfirmSignUp,
            Operation::ResendConfirmationCode,
        ] {
            assert!(
                verdict(&keys(None), op, &unsigned, b"{}").is_none(),
                "{op:?}"
            );
        }
    }

    #[test]
    fn a_header_added_again_after_signing_is_refused() {
        let body = br#"{"UserPoolId":"us-east-1_x","Username":"u"}"#;
        let good = signed(AKID, SECRET, None, "us-east-1", body);
        let tokened = signed(AKID, SECRET, Some("tok"), "us-east-1", body);
        for (policy, base, name, extra) in [
            (
                keys(None),
                &good,
                "x-amz-target",
                "AWSCognitoIdentityProviderService.DeleteUserPool",
            ),
            (keys(None), &good, "x-amz-date", "20261128T100001Z"),
            (
                keys(None),
                &good,
                "authorization",
                "AWS4-HMAC-SHA256 Credential=AKIDEMULATOR/20261128/us-east-1/cognito-idp/\
                 aws4_request, SignedHeaders=host, Signature=00",
            ),
            (keys(Some("tok")), &tokened, "x-amz-security-token", "other"),
        ] {
            assert!(verdict(&policy, Operation::AdminGetUser, base, body).is_none());
            // Added after the signed value, and before it: both refused, with keys or not.
            let mut after = base.clone();
            after.append(name, HeaderValue::from_static(extra));
            let mut before = HeaderMap::new();
            before.append(name, HeaderValue::from_static(extra));
            for (k, v) in base.iter() {
                before.append(k, v.clone());
            }
            for headers in [&after, &before] {
                for p in [&policy, &Signatures::Required] {
                    let e = verdict(p, Operation::AdminGetUser, headers, body).unwrap();
                    assert_eq!(e.name, names::INCOMPLETE, "{name}");
                    assert!(e.message.as_deref().unwrap().contains(name), "{e:?}");
                }
            }
        }
        // Any other signed header sent twice is signed as its values joined with commas, so
        // the signature over one value fails.
        let mut doubled = good.clone();
        doubled.append(
            "content-type",
            HeaderValue::from_static("application/x-amz-json-1.1"),
        );
        let e = verdict(&keys(None), Operation::AdminGetUser, &doubled, body);
        assert_eq!(name(e), Some(names::INVALID_SIGNATURE));
    }

    #[test]
    fn unsigned_admin_calls_are_refused() {
        let unsigned = HeaderMap::new();
        for op in [
            Operation::AdminGetUser,
            Operation::CreateUserPool,
            Operation::CreateUserPoolClient,
            Operation::DeleteUserPool,
        ] {
            let e = verdict(&Signatures::Required, op, &unsigned, b"{}").unwrap();
            assert_eq!(
                (e.name, e.message.as_deref()),
                (names::MISSING_TOKEN, Some(messages::MISSING_TOKEN))
            );
            assert_eq!(e.status(), axum::http::StatusCode::BAD_REQUEST);
        }
    }

    #[test]
    fn a_good_signature_passes_and_any_change_fails() {
        let body = br#"{"UserPoolId":"us-east-1_x","Username":"u"}"#;
        let good = signed(AKID, SECRET, None, "us-east-1", body);
        assert!(verdict(&keys(None), Operation::AdminGetUser, &good, body).is_none());
        assert!(verdict(&Signatures::Required, Operation::AdminGetUser, &good, body).is_none());

        // Another body, another secret, another signed header value: the signature fails.
        let e = verdict(
            &keys(None),
            Operation::AdminGetUser,
            &good,
            br#"{"UserPoolId":"other"}"#,
        );
        assert_eq!(name(e), Some(names::INVALID_SIGNATURE));
        let wrong_secret = signed(AKID, "not-the-secret", None, "us-east-1", body);
        let e = verdict(&keys(None), Operation::AdminGetUser, &wrong_secret, body).unwrap();
        assert_eq!(
            (e.name, e.message.as_deref()),
            (names::INVALID_SIGNATURE, Some(messages::MISMATCH))
        );
        let mut retargeted = good.clone();
        retargeted.insert(
            "x-amz-target",
            HeaderValue::from_static("AWSCognitoIdentityProviderService.DeleteUserPool"),
        );
        let e = verdict(&keys(None), Operation::DeleteUserPool, &retargeted, body);
        assert_eq!(name(e), Some(names::INVALID_SIGNATURE));
        // Without keys only the form is checked, so the same request passes.
        assert!(
            verdict(
                &Signatures::Required,
                Operation::AdminGetUser,
                &wrong_secret,
                body
            )
            .is_none()
        );
    }

    #[test]
    fn unknown_keys_and_tokens_are_unrecognized() {
        let body = b"{}";
        let other = signed("AKIDOTHER", SECRET, None, "us-east-1", body);
        let e = verdict(&keys(None), Operation::AdminGetUser, &other, body).unwrap();
        assert_eq!(
            (e.name, e.message.as_deref()),
            (
                names::UNRECOGNIZED_CLIENT,
                Some(messages::UNRECOGNIZED_CLIENT)
            )
        );
        let with_token = signed(AKID, SECRET, Some("tok"), "us-east-1", body);
        assert!(
            verdict(
                &keys(Some("tok")),
                Operation::AdminGetUser,
                &with_token,
                body
            )
            .is_none()
        );
        let e = verdict(
            &keys(Some("other")),
            Operation::AdminGetUser,
            &with_token,
            body,
        );
        assert_eq!(name(e), Some(names::UNRECOGNIZED_CLIENT));
        let e = verdict(&keys(None), Operation::AdminGetUser, &with_token, body);
        assert_eq!(name(e), Some(names::UNRECOGNIZED_CLIENT));
    }

    #[test]
    fn scope_time_and_form_are_checked_without_keys() {
        let body = b"{}";
        let elsewhere = signed(AKID, SECRET, None, "eu-west-1", body);
        let e = verdict(
            &Signatures::Required,
            Operation::AdminGetUser,
            &elsewhere,
            body,
        )
        .unwrap();
        assert_eq!(e.name, names::INVALID_SIGNATURE);
        assert!(
            e.message.as_deref().unwrap().contains("'eu-west-1'"),
            "{e:?}"
        );

        let good = signed(AKID, SECRET, None, "us-east-1", body);
        let request = Received {
            method: "POST",
            path_and_query: "/",
            headers: &good,
            body,
        };
        let late = noon() + Duration::from_secs(6 * 60);
        let e = check(
            &Signatures::Required,
            "us-east-1",
            Operation::AdminGetUser,
            &request,
            late,
        )
        .unwrap_err();
        assert!(
            e.message.as_deref().unwrap().starts_with(
                "Signature expired: 20261128T100000Z is now earlier than 20261128T100100Z"
            ),
            "{e:?}"
        );

        let mut bare = good.clone();
        bare.insert(
            "authorization",
            HeaderValue::from_static("AWS4-HMAC-SHA256 Signature=ab"),
        );
        let e = verdict(&Signatures::Required, Operation::AdminGetUser, &bare, body).unwrap();
        assert_eq!(e.name, names::INCOMPLETE);
        let text = e.message.as_deref().unwrap();
        assert!(
            text.contains("'Credential'")
                && text.contains("'SignedHeaders'")
                && !text.contains("'Signature'"),
            "{text}"
        );

        let mut undated = good.clone();
        undated.remove("x-amz-date");
        let e = verdict(
            &Signatures::Required,
            Operation::AdminGetUser,
            &undated,
            body,
        );
        assert_eq!(name(e), Some(names::INCOMPLETE));
    }

    #[test]
    fn keys_are_not_in_debug_output() {
        let text = format!("{:?}", keys(Some("the-token")));
        assert!(
            !text.contains(SECRET) && !text.contains("the-token"),
            "{text}"
        );
    }
}
