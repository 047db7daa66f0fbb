//! Where the request goes, the HTTP client that takes it there, the request itself and the
//! `--debug` log of it.

use std::time::{Duration, Instant};

use bytes::Bytes;
use serde_json::{Map, Value};

use super::args::ConfirmArgs;
use super::failure::{EXIT_CONFIG, EXIT_GENERAL, EXIT_NOT_LOOPBACK, EXIT_USAGE, Failure};
use crate::cases::Answer;
use crate::client::{BuildError, ClientSettings};
use crate::env::{Env, ProcessEnv};
use crate::protocol::{self, Operation};

/// The AWS CLI's default for both timeouts.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// The values `--debug` and error messages must not show.
pub struct Secrets {
    code: Option<String>,
    hash: Option<String>,
    client_secret: Option<String>,
}

impl Secrets {
    pub fn of(request: &Map<String, Value>, client_secret: Option<&str>) -> Secrets {
        // A number sent as the code is still the code (botocore's type error shows it).
        let s = |name: &str| match request.get(name) {
            Some(Value::String(v)) => Some(v.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        Secrets {
            code: s("ConfirmationCode"),
            hash: s("SecretHash"),
            client_secret: client_secret.map(str::to_owned),
        }
    }

    /// Masks the client secret, the code and the SecretHash, as they are and as JSON escapes
    /// them (an echo inside a JSON string). A code or hash shorter than 4 characters is
    /// masked only where it stands quoted (a member value), not in free text, where it would
    /// mask unrelated digits.
    pub fn mask(&self, text: &str) -> String {
        let mut out = text.to_owned();
        if let Some(secret) = self.client_secret.as_deref().filter(|s| !s.is_empty()) {
            out = mask_everywhere(&out, secret);
        }
        for v in [&self.code, &self.hash].into_iter().flatten() {
            if v.chars().count() >= 4 {
                out = mask_everywhere(&out, v);
            } else if !v.is_empty() {
                out = out
                    .replace(&format!("\"{v}\""), "\"***\"")
                    .replace(&format!("\\\"{v}\\\""), "\\\"***\\\"");
            }
        }
        out
    }

    /// The value with every string, member name and number holding a secret masked.
    pub fn mask_value(&self, value: &Value) -> Value {
        match value {
            Value::String(s) => Value::String(self.mask(s)),
            Value::Number(n) => {
                let shown = n.to_string();
                if self.mask(&format!("\"{shown}\"")) == format!("\"{shown}\"") {
                    value.clone()
                } else {
                    Value::String("***".into())
                }
            }
            Value::Array(items) => Value::Array(items.iter().map(|v| self.mask_value(v)).collect()),
            Value::Object(members) => Value::Object(
                members
                    .iter()
                    .map(|(k, v)| (self.mask(k), self.mask_value(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}

/// `text` with `secret` masked as written, as a JSON string escapes it, and with `/` escaped
/// as some JSON writers do (a SecretHash is base64).
fn mask_everywhere(text: &str, secret: &str) -> String {
    let json = Value::String(secret.to_owned()).to_string();
    let json = &json[1..json.len() - 1];
    let mut out = text.replace(secret, "***");
    for form in [json.to_owned(), json.replace('/', "\\/")] {
        if form != secret {
            out = out.replace(&form, "***");
        }
    }
    out
}

/// The request body with ConfirmationCode and SecretHash shown as `***`.
fn redacted_body(request: &Map<String, Value>, secrets: &Secrets) -> String {
    let mut shown = request.clone();
    for member in ["ConfirmationCode", "SecretHash"] {
        if let Some(v) = shown.get_mut(member) {
            *v = Value::String("***".into());
        }
    }
    secrets.mask(&Value::Object(shown).to_string())
}

/// An HTTP answer, read whole.
pub struct Received {
    pub status: u16,
    content_type: Option<String>,
    request_id: Option<String>,
    error_type_header: Option<String>,
    body: Bytes,
    /// From sending the request to the last byte of the answer.
    pub elapsed: Duration,
}

impl Received {
    pub fn as_judged(&self) -> Answer<'_> {
        Answer {
            status: self.status,
            content_type: self.content_type.as_deref(),
            request_id: self.request_id.as_deref(),
            error_type_header: self.error_type_header.as_deref(),
            error_message_header: false,
            body: &self.body,
        }
    }

    /// A 2xx answer's output: `{}` for an empty body, else the JSON it holds.
    pub fn output(&self) -> Result<Value, String> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Value::Object(Map::new()));
        }
        serde_json::from_slice(&self.body).map_err(|e| {
            format!(
                "Unable to parse the answer (HTTP {}) as JSON: {e}: {}",
                self.status,
                crate::cases::judge::excerpt(&self.body)
            )
        })
    }

    /// botocore's error line: the body's `__type` (sanitised; the HTTP status when there is
    /// none) and `message`/`Message` (empty when there is none).
    pub fn error_line(&self, operation: &str) -> String {
        let (code, message) = match protocol::parse_error(&self.body, None) {
            Some(e) => (e.error_type, e.message.unwrap_or_default()),
            None => (self.status.to_string(), String::new()),
        };
        format!("An error occurred ({code}) when calling the {operation} operation: {message}")
    }
}

fn debug_line(on: bool, text: &str) {
    if on {
        crate::errln!("cogbench debug: {text}");
    }
}

/// The endpoint and connection settings, resolved from options and environment.
pub struct Target {
    url: reqwest::Url,
    settings: ClientSettings,
    notes: Vec<String>,
}

/// Only IP literals of the loopback ranges: a name could resolve anywhere.
fn is_loopback(url: &reqwest::Url) -> bool {
    let host = url.host_str().unwrap_or_default();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

/// botocore's region name check.
fn valid_region(r: &str) -> bool {
    let b = r.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

fn seconds(v: Option<u64>) -> Duration {
    v.map_or(DEFAULT_TIMEOUT, Duration::from_secs)
}

impl Target {
    pub fn resolve(args: &ConfirmArgs) -> Result<Target, Failure> {
        let config = |message: String| Failure {
            code: EXIT_CONFIG,
            message,
        };
        let mut notes = Vec::new();
        let region = [
            (args.region.clone(), "--region"),
            (ProcessEnv.value("AWS_REGION"), "AWS_REGION"),
            (ProcessEnv.value("AWS_DEFAULT_REGION"), "AWS_DEFAULT_REGION"),
        ]
        .into_iter()
        .find_map(|(v, from)| v.map(|v| (v, from)));
        if let Some((r, from)) = &region {
            if !valid_region(r) {
                return Err(config(format!(
                    "Provided region_name '{r}' ({from}) doesn't match a supported format."
                )));
            }
            notes.push(format!("region {r} (from {from})"));
        }
        let endpoint = [
            (args.endpoint_url.clone(), "--endpoint-url"),
            (
                ProcessEnv.value("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER"),
                "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER",
            ),
            (ProcessEnv.value("AWS_ENDPOINT_URL"), "AWS_ENDPOINT_URL"),
        ]
        .into_iter()
        .find_map(|(v, from)| v.map(|v| (v, from)));
        let (text, from) = match endpoint {
            Some(e) => e,
            None => match &region {
                Some((r, _)) => (
                    format!("https://cognito-idp.{r}.amazonaws.com/"),
                    "the region's AWS endpoint",
                ),
                None => {
                    return Err(config(
                        "You must specify a region (--region, AWS_REGION or AWS_DEFAULT_REGION) \
                         or an endpoint (--endpoint-url or AWS_ENDPOINT_URL)."
                            .into(),
                    ));
                }
            },
        };
        let mut url = reqwest::Url::parse(&text)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
            .ok_or_else(|| Failure {
                code: EXIT_USAGE,
                message: format!(
                    "Bad value for {from}: {:?} is not an http:// or https:// URL",
                    crate::term::redact_url(&text)
                ),
            })?;
        // A password would be echoed in every error naming the endpoint, and Cognito takes
        // none there: refused as `run` refuses it.
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Failure {
                code: crate::exit_codes::EXIT_BAD_INPUT,
                message: format!(
                    "cogbench: error: {from}: endpoint `{}` must not carry a user name or \
                     password (ConfirmSignUp is unsigned); nothing was sent",
                    crate::term::redact_url(&text)
                ),
            });
        }
        if !is_loopback(&url) {
            return Err(Failure {
                code: EXIT_NOT_LOOPBACK,
                message: format!(
                    "cogbench: error: refusing to send to {url} (from {from}): cogbench only talks \
                     to loopback addresses (127.0.0.0/8, [::1]); nothing was sent. Pass \
                     --endpoint-url http://127.0.0.1:PORT"
                ),
            });
        }
        if !url.path().ends_with('/') {
            let path = format!("{}/", url.path());
            url.set_path(&path);
        }
        notes.push(format!("endpoint {url} (from {from})"));
        let ca_bundle = args
            .ca_bundle
            .clone()
            .or_else(|| ProcessEnv.value("AWS_CA_BUNDLE").map(Into::into));
        let settings = ClientSettings {
            connect_timeout: seconds(args.cli_connect_timeout),
            read_timeout: seconds(args.cli_read_timeout),
            pool_size: 1,
            http2: false,
            verify_tls: !args.no_verify_ssl,
            ca_bundle,
        };
        notes.push(format!(
            "TLS verification {}{}; connect timeout {}, read timeout {} (0 = none)",
            if settings.verify_tls {
                "on"
            } else {
                "off (--no-verify-ssl)"
            },
            settings
                .ca_bundle
                .as_ref()
                .map(|p| format!(", CA bundle {}", p.display()))
                .unwrap_or_default(),
            settings.connect_timeout.as_secs(),
            settings.read_timeout.as_secs(),
        ));
        if let Some(p) = &args.profile {
            notes.push(format!(
                "--profile {p} ignored: ConfirmSignUp is unsigned, no credentials are read"
            ));
        }
        Ok(Target {
            url,
            settings,
            notes,
        })
    }

    /// Sends the request. `Err` when no client could be built; `Ok(Err)` when no answer came
    /// (the message to print).
    pub async fn send(
        &self,
        request: &Map<String, Value>,
        secrets: &Secrets,
        debug: bool,
    ) -> Result<Result<Received, String>, Failure> {
        for n in &self.notes {
            debug_line(debug, n);
        }
        let client = crate::client::build(&self.settings).map_err(|e| Failure {
            code: match e {
                BuildError::CaBundle { .. } => EXIT_CONFIG,
                BuildError::Tls(_) | BuildError::Http(_) => EXIT_GENERAL,
            },
            message: e.to_string(),
        })?;
        let body = Value::Object(request.clone()).to_string();
        let target = Operation::ConfirmSignUp.target();
        debug_line(debug, &format!("POST {}", self.url));
        debug_line(
            debug,
            &format!(
                "request headers: content-type: {}; x-amz-target: {target}; user-agent: cogbench/{}",
                protocol::CONTENT_TYPE,
                env!("CARGO_PKG_VERSION")
            ),
        );
        debug_line(
            debug,
            &format!("request body: {}", redacted_body(request, secrets)),
        );
        let started = Instant::now();
        let sent = self.client_post(&client, target, body).send().await;
        let mut response = match sent {
            Ok(r) => r,
            Err(e) => {
                debug_line(debug, &secrets.mask(&format!("no answer: {e:?}")));
                return Ok(Err(self.transport_message(&e)));
            }
        };
        let crate::client::AnswerHead {
            status,
            content_type,
            request_id,
            error_type: error_type_header,
            ..
        } = crate::client::AnswerHead::of(&response);
        let headers: Vec<String> = response
            .headers()
            .iter()
            .map(|(k, v)| format!("{k}: {}", String::from_utf8_lossy(v.as_bytes())))
            .collect();
        let body = match crate::client::read_body(&mut response).await {
            Ok(b) => b,
            Err(crate::client::BodyError::Transport(e)) => {
                return Ok(Err(self.transport_message(&e)));
            }
            Err(too_large) => {
                return Ok(Err(format!(
                    "Could not read the answer from endpoint URL \"{}\": {too_large}",
                    self.url
                )));
            }
        };
        let elapsed = started.elapsed();
        debug_line(
            debug,
            &format!(
                "response: HTTP {status} in {:.2} ms",
                elapsed.as_secs_f64() * 1000.0
            ),
        );
        debug_line(
            debug,
            &secrets.mask(&format!("response headers: {}", headers.join("; "))),
        );
        debug_line(
            debug,
            &secrets.mask(&format!(
                "response body: {}",
                String::from_utf8_lossy(&body)
            )),
        );
        Ok(Ok(Received {
            status,
            content_type,
            request_id,
            error_type_header,
            body: body.into(),
            elapsed,
        }))
    }

    fn client_post(
        &self,
        client: &reqwest::Client,
        target: &str,
        body: String,
    ) -> reqwest::RequestBuilder {
        client
            .post(self.url.clone())
            .header(reqwest::header::CONTENT_TYPE, protocol::CONTENT_TYPE)
            .header(protocol::HEADER_TARGET, target)
            .body(body)
    }

    /// The AWS CLI's wording for a request that got no answer.
    fn transport_message(&self, e: &reqwest::Error) -> String {
        let url = &self.url;
        if let Some(tls) = tls_cause(e) {
            return format!("SSL validation failed for {url} {tls}");
        }
        if e.is_timeout() {
            if e.is_connect() {
                format!("Connect timeout on endpoint URL: \"{url}\"")
            } else {
                format!("Read timeout on endpoint URL: \"{url}\"")
            }
        } else if e.is_connect() {
            format!("Could not connect to the endpoint URL: \"{url}\"")
        } else {
            format!(
                "Connection was closed before we received a valid response from endpoint URL: \"{url}\"."
            )
        }
    }
}

/// The TLS error behind a failed request, if one is. `io::Error` hides what it wraps from
/// `source()` (it returns the wrapped error's source), so wrapped errors are opened by hand.
fn tls_cause(e: &reqwest::Error) -> Option<String> {
    let mut stack: Vec<&(dyn std::error::Error + 'static)> = vec![e];
    while let Some(err) = stack.pop() {
        if let Some(t) = err.downcast_ref::<rustls::Error>() {
            return Some(t.to_string());
        }
        if let Some(inner) = err
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
        {
            stack.push(inner);
        }
        if let Some(next) = err.source() {
            stack.push(next);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_means_loopback_ip_literals() {
        for ok in [
            "http://127.0.0.1:9229/",
            "https://127.8.9.10/",
            "http://[::1]:80/",
        ] {
            assert!(is_loopback(&reqwest::Url::parse(ok).unwrap()), "{ok}");
        }
        for no in [
            "http://localhost:9229/",
            "https://cognito-idp.us-east-1.amazonaws.com/",
            "http://10.0.0.1/",
            "http://[::2]/",
            "http://0.0.0.0/",
        ] {
            assert!(!is_loopback(&reqwest::Url::parse(no).unwrap()), "{no}");
        }
    }

    #[test]
    fn region_names_follow_botocore() {
        assert!(valid_region("eu-west-3"));
        assert!(!valid_region("eu west"));
        assert!(!valid_region("-eu"));
        assert!(!valid_region(""));
    }

    #[test]
    fn masking_hides_escaped_echoes_and_short_codes_where_quoted() {
        let mut request = Map::new();
        request.insert("ConfirmationCode".into(), Value::String("12".into()));
        request.insert("SecretHash".into(), Value::String("a/b+cd==".into()));
        let s = Secrets::of(&request, None);
        let echoed = serde_json::to_string(&Value::Object(request)).unwrap();
        let once = s.mask(&echoed);
        assert!(!once.contains("12") && !once.contains("a/b"), "{once}");
        let twice = s.mask(&serde_json::to_string(&echoed).unwrap());
        assert!(!twice.contains("12") && !twice.contains("a/b"), "{twice}");
        assert_eq!(s.mask(r#"{"h":"a\/b+cd=="}"#), r#"{"h":"***"}"#);
        assert_eq!(s.mask("room 12 and 1234"), "room 12 and 1234");
    }

    #[test]
    fn masking_hides_the_three_secrets() {
        let mut request = Map::new();
        request.insert("ConfirmationCode".into(), Value::String("123456".into()));
        request.insert("SecretHash".into(), Value::String("aGFzaA==".into()));
        let s = Secrets::of(&request, Some("topsecret"));
        assert_eq!(
            s.mask("code 123456 hash aGFzaA== secret topsecret"),
            "code *** hash *** secret ***"
        );
        assert_eq!(
            s.mask_value(&serde_json::json!({"Echo": ["x123456", 123456], "topsecret": 7})),
            serde_json::json!({"Echo": ["x***", "***"], "***": 7})
        );
        let body = redacted_body(&request, &s);
        assert!(
            !body.contains("123456") && !body.contains("aGFzaA=="),
            "{body}"
        );
    }
}
