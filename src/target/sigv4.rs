//! SigV4 for the calls a real pool authorizes with IAM: provisioning (CreateUserPool,
//! CreateUserPoolClient, DeleteUserPool) and admin read-backs (AdminGetUser). The public
//! operations (SignUp, ConfirmSignUp, ResendConfirmationCode) are never signed
//! (`Operation::signed`, spec §1.2 and §5). The signature itself is the `aws-sigv4` crate's.

use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;

/// The signing name of Cognito user pools (`aws.auth#sigv4 {name: cognito-idp}`, spec §1.2).
pub const SERVICE: &str = "cognito-idp";

/// Temporary credentials are fetched again when they have less than this left.
const REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);

#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error("{0}")]
    Request(String),
    #[error("refreshing the {source_name} credentials: {detail}")]
    Refresh { source_name: String, detail: String },
}

/// The headers that sign one request: `authorization`, `x-amz-date` and, with temporary
/// credentials, `x-amz-security-token`.
///
/// `headers` are the request's own headers to sign (names in lower case); the host comes from
/// `url`. The body is hashed whole (no `x-amz-content-sha256` header, as the AWS CLI does for
/// Cognito).
pub fn sign(
    credentials: &Credentials,
    region: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    time: SystemTime,
) -> Result<Vec<(&'static str, String)>, SignError> {
    let identity = credentials.clone().into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(SERVICE)
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| SignError::Request(e.to_string()))?
        .into();
    let request = SignableRequest::new(
        "POST",
        url,
        headers.iter().copied(),
        SignableBody::Bytes(body),
    )
    .map_err(|e| SignError::Request(e.to_string()))?;
    let (instructions, _signature) = aws_sigv4::http_request::sign(request, &params)
        .map_err(|e| SignError::Request(e.to_string()))?
        .into_parts();
    let (headers, _params) = instructions.into_parts();
    Ok(headers
        .into_iter()
        .map(|h| (h.name(), h.value().to_owned()))
        .collect())
}

/// Signs with the credentials a chain found, fetching them again before they expire.
pub struct Signer {
    region: String,
    /// Where the credentials came from, for messages ("environment variables", …).
    source: String,
    provider: Option<SharedCredentialsProvider>,
    current: tokio::sync::Mutex<Credentials>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // No key material, not even the access key id.
        f.debug_struct("Signer")
            .field("region", &self.region)
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// Credentials that never change (tests, or a caller that resolved them itself).
    pub fn fixed(credentials: Credentials, region: &str, source: &str) -> Signer {
        Signer {
            region: region.to_owned(),
            source: source.to_owned(),
            provider: None,
            current: tokio::sync::Mutex::new(credentials),
        }
    }

    /// `first` as `provider` gave them; the provider is asked again near their expiry.
    pub fn from_provider(
        first: Credentials,
        provider: SharedCredentialsProvider,
        region: &str,
        source: &str,
    ) -> Signer {
        Signer {
            provider: Some(provider),
            ..Signer::fixed(first, region, source)
        }
    }

    pub fn region(&self) -> &str {
        &self.region
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// The headers that sign a `POST` of `body` to `url` (see [`sign`]), now.
    pub async fn headers(
        &self,
        url: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<Vec<(&'static str, String)>, SignError> {
        let credentials = self.credentials().await?;
        sign(
            &credentials,
            &self.region,
            url,
            headers,
            body,
            SystemTime::now(),
        )
    }

    async fn credentials(&self) -> Result<Credentials, SignError> {
        let mut current = self.current.lock().await;
        let expiring = current
            .expiry()
            .is_some_and(|at| at <= SystemTime::now() + REFRESH_MARGIN);
        if let (true, Some(provider)) = (expiring, &self.provider) {
            *current = provider
                .provide_credentials()
                .await
                .map_err(|e| SignError::Refresh {
                    source_name: self.source.clone(),
                    detail: super::error_chain::summary(&super::error_chain::describe(&e)),
                })?;
        }
        Ok(current.clone())
    }
}

// The reference signer the integration tests use too: SigV4 computed step by step with
// `hmac` and `sha2`, independently of `aws-sigv4`.
#[cfg(test)]
#[path = "../../tests/support/sigv4.rs"]
mod reference;

#[cfg(test)]
mod tests {
    use super::reference;
    use super::*;

    const AKID: &str = "AKIDEXAMPLE";
    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    fn at(unix: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(unix)
    }

    fn header<'a>(signed: &'a [(&'static str, String)], name: &str) -> &'a str {
        signed
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("no {name} in {signed:?}"))
    }

    /// The reference signature of a request to `/` of the AWS SigV4 test suite (2015-08-30T12:36:00Z,
    /// us-east-1, service "service", empty body).
    fn suite_vector(method: &str, headers: &[(&str, &str)]) -> String {
        reference::authorization(
            &reference::Key::new(AKID, SECRET, "us-east-1", "service"),
            "20150830T123600Z",
            method,
            "/",
            headers,
            b"",
        )
    }

    /// The reference signature of a Cognito `POST /` in `region` at 2026-11-28T10:00:00Z.
    fn cognito_reference(region: &str, headers: &[(&str, &str)], body: &[u8]) -> String {
        reference::authorization(
            &reference::Key::new(AKID, SECRET, region, "cognito-idp"),
            "20261128T100000Z",
            "POST",
            "/",
            headers,
            body,
        )
    }

    /// The reference follows the algorithm; it must reproduce the AWS signing test suite's
    /// published signatures before it can judge anything.
    #[test]
    fn the_reference_reproduces_the_published_test_vectors() {
        // get-vanilla, post-vanilla and get-vanilla-with-session-token of the AWS SigV4 test
        // suite: 2015-08-30T12:36:00Z, us-east-1, service "service".
        let host = [("host", "example.amazonaws.com")];
        let get = suite_vector(
            "GET",
            &[
                ("host", "example.amazonaws.com"),
                ("x-amz-date", "20150830T123600Z"),
            ],
        );
        assert_eq!(
            get,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
             SignedHeaders=host;x-amz-date, \
             Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        );
        let post = suite_vector("POST", &[host[0], ("x-amz-date", "20150830T123600Z")]);
        assert!(
            post.ends_with(
                "Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"
            ),
            "{post}"
        );
        let token = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267";
        let with_token = suite_vector(
            "GET",
            &[
                host[0],
                ("x-amz-date", "20150830T123600Z"),
                ("x-amz-security-token", token),
            ],
        );
        assert!(
            with_token.ends_with(
                "SignedHeaders=host;x-amz-date;x-amz-security-token, \
                 Signature=07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8"
            ),
            "{with_token}"
        );
    }

    /// A CreateUserPool as `Api::call` sends it, signed by the crate, matches the signature
    /// the reference computes for the same request.
    #[test]
    fn a_cognito_request_is_signed_as_the_algorithm_says() {
        let credentials = Credentials::new(AKID, SECRET, None, None, "test");
        let body = br#"{"PoolName":"cogbench-smoke"}"#;
        let target = "AWSCognitoIdentityProviderService.CreateUserPool";
        let headers = [
            ("content-type", "application/x-amz-json-1.1"),
            ("x-amz-target", target),
        ];
        // 2026-11-28T10:00:00Z
        let signed = sign(
            &credentials,
            "us-east-1",
            "https://cognito-idp.us-east-1.amazonaws.com/",
            &headers,
            body,
            at(1_795_860_000),
        )
        .unwrap();
        assert_eq!(header(&signed, "x-amz-date"), "20261128T100000Z");
        assert!(
            signed
                .iter()
                .all(|(n, _)| !n.eq_ignore_ascii_case("x-amz-security-token"))
        );
        let expected = cognito_reference(
            "us-east-1",
            &[
                ("content-type", "application/x-amz-json-1.1"),
                ("host", "cognito-idp.us-east-1.amazonaws.com"),
                ("x-amz-date", "20261128T100000Z"),
                ("x-amz-target", target),
            ],
            body,
        );
        assert_eq!(header(&signed, "authorization"), expected);
        assert!(expected.starts_with(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261128/us-east-1/cognito-idp/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature="
        ));
    }

    /// A session token is sent and signed; a port that is not the scheme's default is part
    /// of the signed host.
    #[test]
    fn temporary_credentials_and_ports_are_signed() {
        let credentials = Credentials::new(AKID, SECRET, Some("the-token".into()), None, "test");
        let signed = sign(
            &credentials,
            "eu-west-1",
            "http://127.0.0.1:9229/",
            &[(
                "x-amz-target",
                "AWSCognitoIdentityProviderService.AdminGetUser",
            )],
            b"{}",
            at(1_795_860_000),
        )
        .unwrap();
        assert_eq!(header(&signed, "x-amz-security-token"), "the-token");
        let expected = cognito_reference(
            "eu-west-1",
            &[
                ("host", "127.0.0.1:9229"),
                ("x-amz-date", "20261128T100000Z"),
                ("x-amz-security-token", "the-token"),
                (
                    "x-amz-target",
                    "AWSCognitoIdentityProviderService.AdminGetUser",
                ),
            ],
            b"{}",
        );
        assert_eq!(header(&signed, "authorization"), expected);
    }

    #[test]
    fn debug_output_holds_no_key() {
        let signer = Signer::fixed(
            Credentials::new(AKID, SECRET, Some("tok".into()), None, "test"),
            "us-east-1",
            "environment variables",
        );
        let text = format!("{signer:?}");
        assert!(
            !text.contains(SECRET) && !text.contains(AKID) && !text.contains("tok"),
            "{text}"
        );
    }

    /// Expiring credentials are fetched again; lasting ones are kept.
    #[tokio::test]
    async fn credentials_are_refreshed_before_they_expire() {
        use aws_credential_types::provider::future;
        use std::sync::atomic::{AtomicU32, Ordering};

        #[derive(Debug, Default)]
        struct Counting(std::sync::Arc<AtomicU32>);
        impl ProvideCredentials for Counting {
            fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
            where
                Self: 'a,
            {
                let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
                future::ProvideCredentials::ready(Ok(Credentials::new(
                    format!("AKID{n}"),
                    SECRET,
                    Some("t".into()),
                    Some(SystemTime::now() + Duration::from_secs(3600)),
                    "counting",
                )))
            }
        }

        let provider = Counting::default();
        let calls = provider.0.clone();
        let expiring = Credentials::new(
            "AKID0",
            SECRET,
            None,
            Some(SystemTime::now() + Duration::from_secs(60)),
            "first",
        );
        let signer = Signer::from_provider(
            expiring,
            SharedCredentialsProvider::new(provider),
            "us-east-1",
            "test",
        );
        for _ in 0..3 {
            let h = signer
                .headers("http://127.0.0.1:1/", &[], b"{}")
                .await
                .unwrap();
            assert!(header(&h, "authorization").contains("Credential=AKID1/"));
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
}
