//! `target:` as written: the kind of server, where it is and where its codes come from.

use schemars::JsonSchema;
use serde::Deserialize;

use super::patterns::{PlainText, refine_property};
use crate::target_kinds::{CodeSource, TargetKind};
use crate::yaml::checked_map;

pub(super) struct TargetDef {
    pub kind: Option<TargetKind>,
    pub endpoint: Option<String>,
    pub region: Option<String>,
    pub data_dir: Option<String>,
    pub codes: Option<CodeSource>,
    pub admin_reads: Option<bool>,
    /// The embedded emulator's fault switches (`cogbench emulator --faults` syntax).
    pub faults: Option<String>,
    /// The embedded emulator's request-rate quotas (`cogbench emulator --quota` syntax).
    pub quota: Option<String>,
    /// The embedded emulator's Lambda endpoint (`cogbench emulator --lambda-endpoint`).
    pub lambda_endpoint: Option<String>,
    /// Kind aws: the FIPS endpoint of the region (botocore's `UseFIPS`).
    pub fips: Option<bool>,
    /// Kind aws: the dual-stack (IPv6) endpoint of the region (`UseDualStack`).
    pub dual_stack: Option<bool>,
    /// Kind aws: the code source answers with the code of the latest ResendConfirmationCode.
    pub resend_codes: Option<bool>,
    /// What the owner of the scenario's pool set up there, so that cases needing such a pool
    /// run in it (names of pool variants: post-confirmation-trigger, web-acl, …).
    pub configured: Vec<crate::cases::PoolVariant>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTarget {
    kind: Option<TargetKind>,
    /// The target's URL (http:// or https://, without credentials, query or fragment).
    /// Without it: the embedded emulator, or for kind aws the region's endpoint.
    endpoint: Option<String>,
    /// The AWS Region, like us-east-1.
    #[schemars(with = "Option<PlainText>")]
    region: Option<String>,
    /// cognito-local's working folder (its .cognito/db/ holds the codes).
    #[schemars(with = "Option<PlainText>")]
    data_dir: Option<String>,
    /// Where the confirmation codes come from, for kinds endpoint and aws.
    codes: Option<RawCodes>,
    /// Whether the target answers AdminGetUser, so postconditions can be read back.
    admin_reads: Option<bool>,
    /// The embedded emulator's fault switches (`cogbench emulator --faults` syntax; not with
    /// an endpoint).
    faults: Option<String>,
    /// The embedded emulator's request-rate quotas (`cogbench emulator --quota` syntax,
    /// CATEGORY=RPS; not with an endpoint).
    quota: Option<String>,
    /// The embedded emulator's Lambda endpoint (`cogbench emulator --lambda-endpoint`; not with
    /// an endpoint).
    lambda_endpoint: Option<String>,
    /// Kind aws: the FIPS endpoint of the region (botocore's `UseFIPS`).
    fips: Option<bool>,
    /// Kind aws: the dual-stack (IPv6) endpoint of the region (`UseDualStack`).
    dual_stack: Option<bool>,
    /// Kind aws: the code source answers with the code of the latest ResendConfirmationCode.
    resend_codes: Option<bool>,
    /// What the owner of the scenario's pool set up there, so that cases needing such a pool
    /// run in it.
    configured: Option<Vec<String>>,
}

/// `codes:` of an `endpoint` or `aws` target: exactly one of the forms.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Codes")]
struct RawCodes {
    /// A URL template answering the code: {username} (required), {pool}.
    #[schemars(regex(pattern = r"\{username\}"))]
    http: Option<String>,
    /// A command template printing the code: {username} (required), {pool}.
    #[schemars(regex(pattern = r"\{username\}"))]
    command: Option<String>,
    /// One code for every user.
    #[schemars(with = "Option<PlainText>")]
    fixed: Option<String>,
    /// No code source: the cases that need a code are skipped.
    #[serde(default)]
    none: bool,
}

/// What the conversion checks of each key alone, where a pattern can say it; the rules
/// between keys (which kind takes `codes`, `faults`, `fips`…; one form of `codes`) are
/// cogbench validate's.
fn refine(schema: &mut schemars::Schema) {
    // What the URL parser reads as http(s), before the checks of check_endpoint that need
    // the parsed URL: no query or fragment, at least.
    let url = serde_json::json!({
        "pattern": "^[\\u0000-\\u0020]*[Hh][Tt][Tt][Pp][Ss]?:[^?#]*$",
    });
    refine_property(schema, "endpoint", url);
    refine_property(
        schema,
        "region",
        serde_json::json!({ "pattern": format!("^{REGION}$") }),
    );
    let configurable: Vec<&str> = crate::cases::PoolVariant::ALL
        .iter()
        .filter(|v| crate::cases::PoolVariant::configured(v.as_str()).is_some())
        .map(|v| v.as_str())
        .collect();
    refine_property(
        schema,
        "configured",
        serde_json::json!({ "items": { "enum": configurable } }),
    );
}

/// The alphabet of a region name, as a pattern.
const REGION: &str = "[a-z0-9-]+";

impl TryFrom<RawTarget> for TargetDef {
    type Error = String;
    fn try_from(r: RawTarget) -> Result<TargetDef, String> {
        if let Some(e) = &r.endpoint {
            check_endpoint(e)?;
        }
        if let Some(region) = &r.region {
            check_region(region)?;
        }
        let codes = match r.codes {
            None => None,
            Some(c) => {
                Some(match (c.http, c.command, c.fixed, c.none) {
                    (Some(url), None, None, false) => {
                        if !url.contains("{username}") {
                            return Err("codes.http: the URL template needs {username} (and usually {pool})".into());
                        }
                        CodeSource::Http { url }
                    }
                    (None, Some(command), None, false) => {
                        if !command.contains("{username}") {
                            return Err("codes.command: the command template needs {username} (and usually {pool})".into());
                        }
                        CodeSource::Command { command }
                    }
                    (None, None, Some(code), false) => CodeSource::Fixed(code),
                    (None, None, None, true) => CodeSource::None,
                    _ => {
                        return Err(
                            "codes: give exactly one of http, command, fixed or none: true".into(),
                        );
                    }
                })
            }
        };
        if let Some(spec) = &r.faults {
            crate::faults::Faults::parse([spec.as_str()]).map_err(|e| format!("faults: {e}"))?;
            if r.kind.is_some_and(|k| !k.in_process) || r.endpoint.is_some() {
                return Err("`faults` switches faults on in the embedded emulator; a running one takes `cogbench emulator --faults`".into());
            }
        }
        if let Some(spec) = &r.quota {
            crate::emulator::Quotas::parse([spec.as_str()]).map_err(|e| format!("quota: {e}"))?;
            if r.kind.is_some_and(|k| !k.in_process) || r.endpoint.is_some() {
                return Err("`quota` sets request-rate quotas in the embedded emulator; a running one takes `cogbench emulator --quota`".into());
            }
        }
        if let Some(url) = &r.lambda_endpoint {
            crate::emulator::check_lambda_endpoint(url)
                .map_err(|e| format!("lambda_endpoint: {e}"))?;
            if r.kind.is_some_and(|k| !k.in_process) || r.endpoint.is_some() {
                return Err("`lambda_endpoint` is the embedded emulator's; a running one takes `cogbench emulator --lambda-endpoint`".into());
            }
        }
        if codes.is_some() && r.kind.is_some_and(|k| !k.takes_codes) {
            return Err(
                "`codes` belongs to kinds endpoint and aws; the other kinds know where their codes are"
                    .into(),
            );
        }
        let aws_only = [
            ("fips", r.fips.is_some()),
            ("dual_stack", r.dual_stack.is_some()),
            ("resend_codes", r.resend_codes.is_some()),
        ];
        if let Some((key, _)) = aws_only.iter().find(|(_, given)| *given)
            && r.kind.is_some_and(|k| !k.from_region)
        {
            return Err(format!("`{key}` belongs to kind: aws (a real pool)"));
        }
        let mut configured = Vec::new();
        for name in r.configured.unwrap_or_default() {
            let Some(v) = crate::cases::PoolVariant::configured(&name) else {
                return Err(format!(
                    "configured: unknown `{}` (expected any of post-confirmation-trigger, web-acl, rate-quota, internal-error)",
                    crate::term::inline(&name)
                ));
            };
            if !configured.contains(&v) {
                configured.push(v);
            }
        }
        Ok(TargetDef {
            configured,
            kind: r.kind,
            endpoint: r.endpoint,
            region: r.region,
            data_dir: r.data_dir,
            codes,
            admin_reads: r.admin_reads,
            faults: r.faults,
            quota: r.quota,
            lambda_endpoint: r.lambda_endpoint,
            fips: r.fips,
            dual_stack: r.dual_stack,
            resend_codes: r.resend_codes,
        })
    }
}
checked_map!(TargetDef, RawTarget, "a target", refine: refine);

pub fn check_endpoint(e: &str) -> Result<(), String> {
    // Quoted as the user would see it, but for a password.
    let shown = crate::term::redact_url(e);
    let url =
        reqwest::Url::parse(e).map_err(|why| format!("endpoint `{shown}` is not a URL: {why}"))?;
    // Credentials in the URL would be printed wherever the endpoint is (errors, reports), and
    // Cognito takes none there: its calls are signed from the credential chain.
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!(
            "endpoint `{shown}` must not carry a user name or password (cogbench signs with the AWS credential chain: see Signing)"
        ));
    }
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "endpoint `{shown}` must start with http:// or https://"
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("endpoint `{shown}` names no host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "endpoint `{shown}` must not carry a query or fragment"
        ));
    }
    Ok(())
}

pub(super) fn check_region(region: &str) -> Result<(), String> {
    // REGION says the same for the schema.
    if region.is_empty()
        || !region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(format!("region `{region}` should look like us-east-1"));
    }
    Ok(())
}
