//! Where the request goes, the HTTP client that takes it there, the request itself and the
//! `--debug` log of it.

use std::time::{Duration, Instant};

use bytes::Bytes;
use serde_json::{Map, Value};

use super::args::ConfirmArgs;
use super::failure::{EXIT_CONFIG, EXIT_GENERAL, Failure, raised, usage};
use super::profile;
use crate::cases::Answer;
use crate::client::{BuildError, ClientSettings};
use crate::env::Env;
use crate::protocol::{self, Operation};

/// The AWS CLI's default for both timeouts.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// The values `--debug` and error messages must not show.
pub struct Secrets {
    /// Each secret's pattern, and whether it is masked only where it stands quoted.
    patterns: Vec<(regex::Regex, bool)>,
    /// The secrets as written, for one too long to make a pattern of.
    plain: Vec<(String, bool)>,
}

impl Secrets {
    pub fn of(request: &Map<String, Value>, client_secret: Option<&str>) -> Secrets {
        // A number sent as the code is still the code (botocore's type error shows it).
        let s = |name: &str| match request.get(name) {
            Some(Value::String(v)) => Some(v.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        // A code or hash shorter than 4 characters is masked only where it stands quoted (a
        // member value), not in free text, where it would mask unrelated digits.
        let mut listed: Vec<(String, bool)> = client_secret
            .filter(|s| !s.is_empty())
            .map(|s| (s.to_owned(), false))
            .into_iter()
            .collect();
        for v in [s("ConfirmationCode"), s("SecretHash"), s("Session")]
            .into_iter()
            .flatten()
            .filter(|v| !v.is_empty())
        {
            let short = v.chars().count() < 4;
            listed.push((v, short));
        }
        let mut patterns = Vec::new();
        let mut plain = Vec::new();
        for (secret, short) in listed {
            match escaped_pattern(&secret, short) {
                Some(re) => patterns.push((re, short)),
                None => plain.push((secret, short)),
            }
        }
        Secrets { patterns, plain }
    }

    /// Masks the client secret, the code, the SecretHash and the Session, as they are and with
    /// any of their characters JSON-escaped, once or more (`\u0043`, `\\u0043`, `\/`): a
    /// target may escape what it echoes, and an echo may sit inside a JSON string.
    pub fn mask(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for (re, short) in &self.patterns {
            let replacement = if *short { "${1}***${2}" } else { "***" };
            out = re.replace_all(&out, replacement).into_owned();
        }
        for (secret, short) in &self.plain {
            out = if *short {
                out.replace(&format!("\"{secret}\""), "\"***\"")
            } else {
                out.replace(secret.as_str(), "***")
            };
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

/// The longest secret masked in its escaped forms too.
const ESCAPED_PATTERN_MAX: usize = 4096;

/// A pattern matching `secret` with each character as written or JSON-escaped behind one or
/// more backslashes (`\uXXXX` in either case, surrogate pairs past U+FFFF, the short escapes).
/// `quoted`: only between quotes, which the pattern captures to keep. `None` when the pattern
/// would be too large (a secret of many kilobytes), which is then masked as written only.
fn escaped_pattern(secret: &str, quoted: bool) -> Option<regex::Regex> {
    // Twice the longest Session the model allows; building the pattern of a longer one takes
    // seconds (200,000 characters: 6 s).
    if secret.chars().count() > ESCAPED_PATTERN_MAX {
        return None;
    }
    let mut pattern = String::new();
    for c in secret.chars() {
        let mut forms = vec![regex::escape(&c.to_string())];
        let mut units = [0u16; 2];
        let unicode: String = c
            .encode_utf16(&mut units)
            .iter()
            .map(|u| format!(r"\\+u(?i:{u:04x})"))
            .collect();
        forms.push(unicode);
        let short = match c {
            '"' | '\\' | '/' => Some(regex::escape(&c.to_string())),
            '\n' => Some("n".to_owned()),
            '\t' => Some("t".to_owned()),
            '\r' => Some("r".to_owned()),
            '\u{8}' => Some("b".to_owned()),
            '\u{c}' => Some("f".to_owned()),
            _ => None,
        };
        if let Some(short) = short {
            forms.push(format!(r"\\+{short}"));
        }
        pattern.push_str(&format!("(?:{})", forms.join("|")));
    }
    if quoted {
        pattern = format!(r#"(\\*"){pattern}(\\*")"#);
    }
    regex::RegexBuilder::new(&pattern)
        .size_limit(64 << 20)
        .build()
        .ok()
}

/// The request body with ConfirmationCode, SecretHash and Session shown as `***`.
fn redacted_body(request: &Map<String, Value>, secrets: &Secrets) -> String {
    let mut shown = request.clone();
    for member in ["ConfirmationCode", "SecretHash", "Session"] {
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
    /// Where the request would go and how, from the options, the environment and the shared
    /// config files, in the AWS CLI's order: the profile (which must exist when named), the
    /// region (required even with an endpoint URL), the endpoint. Nothing is sent.
    pub fn resolve(args: &ConfirmArgs, env: &dyn Env) -> Result<Target, Failure> {
        let mut notes = Vec::new();
        let profile = profile::choose(args.profile.as_deref(), env)?;
        if let Some(from) = profile.named_by {
            notes.push(format!("profile {} (from {from})", profile.name));
        }
        let profile_region = format!("the region of profile {}", profile.name);
        let (region, from) = [
            (args.region.clone(), "--region"),
            (env.value("AWS_REGION"), "AWS_REGION"),
            (env.value("AWS_DEFAULT_REGION"), "AWS_DEFAULT_REGION"),
            (profile.region.clone(), profile_region.as_str()),
        ]
        .into_iter()
        .find_map(|(v, from)| v.map(|v| (v, from)))
        .ok_or_else(|| Failure {
            code: EXIT_CONFIG,
            message: "You must specify a region. You can also configure your region by running \
                      \"aws configure\"."
                .into(),
        })?;
        if !valid_region(&region) {
            return Err(raised(
                EXIT_CONFIG,
                format!(
                    // The AWS CLI's sentence as it is; where the region came from after it.
                    "Provided region_name '{region}' doesn't match a supported format.\n\
                     (the region is from {from})"
                ),
            ));
        }
        notes.push(format!("region {region} (from {from})"));
        let endpoint = [
            (args.endpoint_url.clone(), "--endpoint-url"),
            (
                env.value("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER"),
                "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER",
            ),
            (env.value("AWS_ENDPOINT_URL"), "AWS_ENDPOINT_URL"),
        ]
        .into_iter()
        .find_map(|(v, from)| v.map(|v| (v, from)));
        let (text, from) = match endpoint {
            Some(e) => e,
            // The region's endpoint as the AWS CLI builds it (botocore's ruleset), FIPS or
            // dual-stack when the environment asks for them as it does for the AWS CLI.
            None => {
                let on = |name: &str| {
                    env.value(name)
                        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
                };
                let variant = crate::target_kinds::aws::Variant {
                    fips: on("AWS_USE_FIPS_ENDPOINT"),
                    dual_stack: on("AWS_USE_DUALSTACK_ENDPOINT"),
                };
                let url = crate::target_kinds::aws::endpoint(&region, variant)
                    .map_err(|e| raised(EXIT_CONFIG, format!("{e}; nothing was sent")))?;
                (url, "the region's AWS endpoint")
            }
        };
        // The same rules as `run`'s endpoints: http(s), a host, no user name or password (it
        // would be echoed wherever the endpoint is named), no query or fragment.
        crate::scenario::check_endpoint(&text)
            .map_err(|e| usage(format!("Bad value for {from}: {e}; nothing was sent")))?;
        let mut url = reqwest::Url::parse(&text).map_err(|e| usage(format!("{from}: {e}")))?;
        if !url.path().ends_with('/') {
            let path = format!("{}/", url.path());
            url.set_path(&path);
        }
        notes.push(format!("endpoint {url} (from {from})"));
        let ca_bundle = args
            .ca_bundle
            .clone()
            .or_else(|| env.value("AWS_CA_BUNDLE").map(Into::into));
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
        Ok(Target {
            url,
            settings,
            notes,
        })
    }

    /// The URL the request goes to.
    #[cfg(test)]
    pub fn url(&self) -> &reqwest::Url {
        &self.url
    }

    /// With `--debug`, where the request goes and how (profile, region, endpoint, TLS).
    pub fn log_notes(&self, debug: bool) {
        for n in &self.notes {
            debug_line(debug, n);
        }
    }

    /// Sends the request. `Err` when no client could be built; `Ok(Err)` when no answer came
    /// (the message to print).
    pub async fn send(
        &self,
        request: &Map<String, Value>,
        secrets: &Secrets,
        debug: bool,
    ) -> Result<Result<Received, String>, Failure> {
        self.log_notes(debug);
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

    fn args(argv: &[&str]) -> ConfirmArgs {
        #[derive(clap::Parser)]
        struct Cli {
            #[command(flatten)]
            args: ConfirmArgs,
        }
        let argv = std::iter::once("confirm-sign-up").chain(argv.iter().copied());
        <Cli as clap::Parser>::try_parse_from(argv).unwrap().args
    }

    /// An environment with no shared config files, plus `vars`.
    fn env<'a>(vars: &[(&'a str, &'a str)]) -> std::collections::HashMap<&'a str, &'a str> {
        let mut env = std::collections::HashMap::from([
            ("AWS_CONFIG_FILE", "/nonexistent/cogbench/config"),
            (
                "AWS_SHARED_CREDENTIALS_FILE",
                "/nonexistent/cogbench/credentials",
            ),
        ]);
        env.extend(vars.iter().copied());
        env
    }

    fn url(argv: &[&str], vars: &[(&str, &str)]) -> Result<String, (i32, String)> {
        Target::resolve(&args(argv), &env(vars))
            .map(|t| t.url().to_string())
            .map_err(|f| (f.code, f.message))
    }

    #[test]
    fn fips_dual_stack_and_other_partitions_follow_the_aws_clis_ruleset() {
        let fips = [("AWS_USE_FIPS_ENDPOINT", "true")];
        assert_eq!(
            url(&["--region", "us-west-2"], &fips).unwrap(),
            "https://cognito-idp-fips.us-west-2.amazonaws.com/"
        );
        assert_eq!(
            url(&["--region", "cn-north-1"], &[]).unwrap(),
            "https://cognito-idp.cn-north-1.amazonaws.com.cn/"
        );
        let (code, message) = url(&["--region", "us-iso-east-1"], &[]).unwrap_err();
        assert_eq!(code, EXIT_CONFIG);
        assert!(message.contains("nothing was sent"), "{message}");
        // An endpoint given wins over the variants, as it does for the AWS CLI.
        assert_eq!(
            url(
                &[
                    "--region",
                    "us-west-2",
                    "--endpoint-url",
                    "http://127.0.0.1:9/"
                ],
                &fips
            )
            .unwrap(),
            "http://127.0.0.1:9/"
        );
    }

    #[test]
    fn without_an_endpoint_the_regions_aws_endpoint_is_used() {
        assert_eq!(
            url(&["--region", "eu-west-1"], &[]).unwrap(),
            "https://cognito-idp.eu-west-1.amazonaws.com/"
        );
        // AWS_REGION, then AWS_DEFAULT_REGION, below --region.
        let both = [
            ("AWS_REGION", "ap-south-1"),
            ("AWS_DEFAULT_REGION", "us-west-2"),
        ];
        assert_eq!(
            url(&["--region", "sa-east-1"], &both).unwrap(),
            "https://cognito-idp.sa-east-1.amazonaws.com/"
        );
        assert_eq!(
            url(&[], &both).unwrap(),
            "https://cognito-idp.ap-south-1.amazonaws.com/"
        );
        assert_eq!(
            url(&[], &both[1..]).unwrap(),
            "https://cognito-idp.us-west-2.amazonaws.com/"
        );
    }

    #[test]
    fn the_profiles_region_comes_last() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config");
        std::fs::write(
            &config,
            "[default]\nregion = eu-north-1\n[profile x]\nregion = me-south-1\n",
        )
        .unwrap();
        let config = config.display().to_string();
        let vars = [("AWS_CONFIG_FILE", config.as_str())];
        assert_eq!(
            url(&[], &vars).unwrap(),
            "https://cognito-idp.eu-north-1.amazonaws.com/"
        );
        assert_eq!(
            url(&["--profile", "x"], &vars).unwrap(),
            "https://cognito-idp.me-south-1.amazonaws.com/"
        );
        let with_env = [vars[0], ("AWS_DEFAULT_REGION", "us-east-2")];
        assert_eq!(
            url(&["--profile", "x"], &with_env).unwrap(),
            "https://cognito-idp.us-east-2.amazonaws.com/"
        );
        assert_eq!(
            url(&["--profile", "y", "--region", "us-east-1"], &vars).unwrap_err(),
            (255, "\nThe config profile (y) could not be found".into())
        );
    }

    #[test]
    fn any_host_is_an_endpoint_but_a_region_is_still_required() {
        for (given, used) in [
            ("http://localhost:9229", "http://localhost:9229/"),
            (
                "https://cognito.example.com/base",
                "https://cognito.example.com/base/",
            ),
            ("http://192.0.2.10:9229/", "http://192.0.2.10:9229/"),
            ("http://[2001:db8::1]/", "http://[2001:db8::1]/"),
        ] {
            assert_eq!(
                url(&["--endpoint-url", given, "--region", "us-east-1"], &[]).unwrap(),
                used
            );
        }
        assert_eq!(
            url(
                &[],
                &[
                    ("AWS_ENDPOINT_URL", "http://127.0.0.1:1/"),
                    ("AWS_REGION", "eu-west-3")
                ]
            )
            .unwrap(),
            "http://127.0.0.1:1/"
        );
        // `aws` (1.45.11) prints exactly this, with no blank line before it.
        assert_eq!(
            url(&["--endpoint-url", "http://127.0.0.1:1/"], &[]).unwrap_err(),
            (
                253,
                "You must specify a region. You can also configure your region by running \
                 \"aws configure\"."
                    .into()
            )
        );
        assert_eq!(url(&["--region", "not a region"], &[]).unwrap_err().0, 253);
    }

    #[test]
    fn endpoints_follow_runs_rules() {
        for (bad, why) in [
            ("ftp://127.0.0.1/", "must start with http:// or https://"),
            (
                "http://user:pw@127.0.0.1/",
                "must not carry a user name or password",
            ),
            (
                "http://127.0.0.1/?a=b",
                "must not carry a query or fragment",
            ),
            ("not a url", "is not a URL"),
        ] {
            let (code, message) =
                url(&["--endpoint-url", bad, "--region", "us-east-1"], &[]).unwrap_err();
            assert_eq!(code, 252, "{bad}");
            assert!(message.contains(why), "{bad}: {message}");
            assert!(!message.contains("pw@"), "{message}");
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
    fn masking_hides_echoes_escaped_character_by_character() {
        let mut request = Map::new();
        request.insert("ConfirmationCode".into(), Value::String("Code42".into()));
        request.insert("Session".into(), Value::String("sess/ion".into()));
        request.insert("SecretHash".into(), Value::String("7".into()));
        let s = Secrets::of(&request, Some("cl1ent"));
        let escaped =
            |v: &str| -> String { v.chars().map(|c| format!("\\u{:04X}", c as u32)).collect() };
        // A target echoing each secret as `\uXXXX` escapes, upper or lower case, and mixed.
        let body = format!(
            r#"{{"message":"code {} session {} secret {} mixed C\u006fde42 hash \u0037"}}"#,
            escaped("Code42"),
            escaped("sess/ion").to_lowercase(),
            escaped("cl1ent"),
        );
        let masked = s.mask(&body);
        assert_eq!(
            masked,
            r#"{"message":"code *** session *** secret *** mixed *** hash \u0037"}"#
        );
        // Escaped again inside a JSON string (a body quoted in a verdict or an error).
        let twice = serde_json::to_string(&body).unwrap();
        let masked = s.mask(&twice);
        assert_eq!(masked.matches("***").count(), 4, "{masked}");
        // A secret of one character is masked only quoted, escaped or not.
        assert_eq!(s.mask(r#"{"h":"\u0037"}"#), r#"{"h":"***"}"#);
        assert_eq!(s.mask(r#"{"h":"7"} 7"#), r#"{"h":"***"} 7"#);
        // `/` written `\/`, and the plain forms still.
        assert_eq!(s.mask(r"sess\/ion Code42"), "*** ***");
        // A secret too long for a pattern is still masked as written.
        let long = "L".repeat(ESCAPED_PATTERN_MAX + 1);
        let mut request = Map::new();
        request.insert("Session".into(), Value::String(long.clone()));
        let s = Secrets::of(&request, None);
        assert_eq!(s.mask(&format!("[{long}]")), "[***]");
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
