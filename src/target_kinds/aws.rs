//! A real Cognito user pool in an AWS Region. The endpoint follows from the region as
//! botocore's endpoint ruleset for cognito-idp gives it (spec §1.1); the provisioning and
//! admin calls must be signed; codes reach cogbench only through something the pool's owner
//! set up, so the kind says where from or is refused.

use super::code_source::CodeSource;
use super::descriptor::{CodeInputs, KindSpec};
use crate::cases::Capability;

pub static SPEC: KindSpec = KindSpec {
    name: "aws",
    in_process: false,
    // ResendConfirmationCode works on a real pool, but whether the code source then answers
    // with the new code is the owner's set-up: `resend_codes: true` declares it.
    capabilities: &[],
    codes,
    takes_codes: true,
    max_signup_workers: None,
    refuses_existing_pool: None,
    refuses_provision: None,
    from_region: true,
    real_pool: true,
    lacks: &[
        (
            Capability::AdvanceClock,
            "a real pool's clock cannot be moved: its codes expire 24 h after they are sent (spec §4.4); list users signed up more than 24 h ago in users.from_csv (pool.existing) to run it",
        ),
        (
            Capability::ResendCodes,
            "a real pool sends a resent code by email or SMS, and cogbench cannot tell whether the code source then answers with the new code or the old one; declare `resend_codes: true` in target: when it answers with the newest (e.g. a custom email sender that stores each code it is given)",
        ),
        (
            Capability::ReadCodes,
            "no code reaches cogbench from a real pool: users.from_csv lists no codes and target.codes is not set",
        ),
        (
            Capability::PostConfirmationTrigger,
            "cogbench deploys no Lambda function: give the pool the README's reference trigger (\"Lambda triggers, WAF and quotas on a real pool\") and declare `configured: [post-confirmation-trigger]` in target: with pool.existing",
        ),
        (
            Capability::WebAcl,
            "cogbench associates no web ACL with a pool: associate one blocking the header x-cogbench-waf (the README's recipe) and declare `configured: [web-acl]` in target: with pool.existing",
        ),
        (
            Capability::RateQuota,
            "AWS's UserCreation quota is at least 50 requests a second per account, which the case's few requests at once (4, or race_size) stay under (scenarios/throttling.yaml measures a real quota)",
        ),
        (
            Capability::InternalErrorFault,
            "no request makes a real pool answer InternalErrorException on purpose",
        ),
    ],
    configurable: &[Capability::PostConfirmationTrigger, Capability::WebAcl],
};

pub const NEEDS_CODES: &str = "target: kind aws needs a way to its codes, which a real pool sends only by email or SMS: \
     either pool.existing with users.from_csv (users signed up beforehand, with their codes: `cogbench provision`), \
     or target.codes: {http: URL-template} or {command: template} reading what your custom email sender \
     Lambda or SES receipt rule stored (see \"A real pool\" in the README)";

fn codes(inputs: CodeInputs) -> Result<CodeSource, String> {
    match inputs.scenario_codes {
        Some(c @ (CodeSource::Http { .. } | CodeSource::Command { .. })) => Ok(c),
        Some(CodeSource::Fixed(_)) => Err("target: kind aws: `codes: {fixed: …}` is for a target that checks no code; a real pool checks every code (give http or command)".into()),
        _ if inputs.pre_provisioned => Ok(CodeSource::None),
        _ => Err(NEEDS_CODES.into()),
    }
}

/// botocore's `UseFIPS` and `UseDualStack`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Variant {
    pub fips: bool,
    pub dual_stack: bool,
}

/// The partitions whose cognito-idp hosts cogbench builds: (name, region prefix, DNS suffix,
/// dual-stack DNS suffix), from botocore's partitions.json. A region of none of the known
/// partitions falls into `aws`, as botocore's `aws.partition` does.
const PARTITIONS: [(&str, &str, &str, &str); 3] = [
    (
        "aws-cn",
        "cn-",
        "amazonaws.com.cn",
        "api.amazonwebservices.com.cn",
    ),
    ("aws-us-gov", "us-gov-", "amazonaws.com", "api.aws"),
    ("aws", "", "amazonaws.com", "api.aws"),
];

/// Partitions cogbench does not build hosts for (their DNS suffixes are not public
/// Internet names): the endpoint must be given.
const ISOLATED: [&str; 5] = ["us-iso-", "us-isob-", "us-isof-", "eu-isoe-", "eusc-"];

/// `https://cognito-idp.<region>.amazonaws.com/` and its FIPS and dual-stack variants, as
/// the cognito-idp endpoint ruleset resolves them (botocore, changed last 2025-10-27). In the
/// `aws` partition the regional host is already dual-stack, and FIPS with dual-stack in the
/// four US Regions is the FIPS host; elsewhere dual-stack moves to the partition's dual-stack
/// suffix. `region` is one `check_region` accepted.
pub fn endpoint(region: &str, variant: Variant) -> Result<String, String> {
    if let Some(p) = ISOLATED.iter().find(|p| region.starts_with(*p)) {
        return Err(format!(
            "region `{region}` is in an isolated partition ({p}…), whose endpoints cogbench does not build: give target.endpoint (or --endpoint-url)"
        ));
    }
    let (name, _, dns, dual) = PARTITIONS
        .iter()
        .find(|(_, prefix, ..)| region.starts_with(prefix))
        .copied()
        .expect("the last partition takes every region");
    let host = match (variant.fips, variant.dual_stack) {
        (false, false) => format!("cognito-idp.{region}.{dns}"),
        (true, false) => format!("cognito-idp-fips.{region}.{dns}"),
        (false, true) if name == "aws" => format!("cognito-idp.{region}.{dns}"),
        (false, true) => format!("cognito-idp.{region}.{dual}"),
        (true, true)
            if matches!(
                region,
                "us-east-1" | "us-east-2" | "us-west-1" | "us-west-2"
            ) =>
        {
            format!("cognito-idp-fips.{region}.{dns}")
        }
        (true, true) => format!("cognito-idp-fips.{region}.{dual}"),
    };
    Ok(format!("https://{host}/"))
}

/// Whether `host` is one of AWS's: every host `endpoint` builds, and the rest of the
/// partitions' names (VPC endpoints under `vpce.amazonaws.com` included).
pub fn is_aws_host(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    PARTITIONS
        .iter()
        .flat_map(|(_, _, dns, dual)| [dns, dual])
        .any(|suffix| {
            host.strip_suffix(suffix)
                .is_some_and(|rest| rest.ends_with('.') && rest.len() > 1)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: Variant = Variant {
        fips: false,
        dual_stack: false,
    };
    const FIPS: Variant = Variant {
        fips: true,
        dual_stack: false,
    };
    const DUAL: Variant = Variant {
        fips: false,
        dual_stack: true,
    };
    const BOTH: Variant = Variant {
        fips: true,
        dual_stack: true,
    };

    /// Each row is one the ruleset resolves, by partition and variant.
    #[test]
    fn endpoints_follow_the_cognito_idp_ruleset() {
        for (region, variant, url) in [
            (
                "eu-west-1",
                PLAIN,
                "https://cognito-idp.eu-west-1.amazonaws.com/",
            ),
            (
                "eu-west-1",
                FIPS,
                "https://cognito-idp-fips.eu-west-1.amazonaws.com/",
            ),
            (
                "eu-west-1",
                DUAL,
                "https://cognito-idp.eu-west-1.amazonaws.com/",
            ),
            (
                "eu-west-1",
                BOTH,
                "https://cognito-idp-fips.eu-west-1.api.aws/",
            ),
            (
                "us-east-2",
                BOTH,
                "https://cognito-idp-fips.us-east-2.amazonaws.com/",
            ),
            (
                "us-west-1",
                BOTH,
                "https://cognito-idp-fips.us-west-1.amazonaws.com/",
            ),
            (
                "ca-central-1",
                BOTH,
                "https://cognito-idp-fips.ca-central-1.api.aws/",
            ),
            (
                "cn-north-1",
                PLAIN,
                "https://cognito-idp.cn-north-1.amazonaws.com.cn/",
            ),
            (
                "cn-northwest-1",
                FIPS,
                "https://cognito-idp-fips.cn-northwest-1.amazonaws.com.cn/",
            ),
            (
                "cn-north-1",
                DUAL,
                "https://cognito-idp.cn-north-1.api.amazonwebservices.com.cn/",
            ),
            (
                "cn-north-1",
                BOTH,
                "https://cognito-idp-fips.cn-north-1.api.amazonwebservices.com.cn/",
            ),
            (
                "us-gov-west-1",
                PLAIN,
                "https://cognito-idp.us-gov-west-1.amazonaws.com/",
            ),
            (
                "us-gov-west-1",
                FIPS,
                "https://cognito-idp-fips.us-gov-west-1.amazonaws.com/",
            ),
            (
                "us-gov-east-1",
                DUAL,
                "https://cognito-idp.us-gov-east-1.api.aws/",
            ),
            (
                "us-gov-east-1",
                BOTH,
                "https://cognito-idp-fips.us-gov-east-1.api.aws/",
            ),
            // Not a partition's region: botocore's default partition.
            (
                "xx-test-1",
                PLAIN,
                "https://cognito-idp.xx-test-1.amazonaws.com/",
            ),
        ] {
            assert_eq!(
                endpoint(region, variant).unwrap(),
                url,
                "{region} {variant:?}"
            );
        }
    }

    #[test]
    fn isolated_partitions_need_an_endpoint() {
        for region in ["us-iso-east-1", "us-isob-east-1", "eusc-de-east-1"] {
            let e = endpoint(region, PLAIN).unwrap_err();
            assert!(e.contains("give target.endpoint"), "{e}");
        }
    }

    /// Every host `endpoint` builds is one the quota guard and credential checks know.
    #[test]
    fn every_built_host_is_recognised() {
        for region in [
            "us-east-1",
            "eu-west-1",
            "cn-north-1",
            "us-gov-west-1",
            "ap-south-2",
        ] {
            for variant in [PLAIN, FIPS, DUAL, BOTH] {
                let url = endpoint(region, variant).unwrap();
                let host = url
                    .strip_prefix("https://")
                    .and_then(|u| u.strip_suffix('/'))
                    .unwrap();
                assert!(is_aws_host(host), "{host}");
            }
        }
        for (host, aws) in [
            ("vpce-0a1b-x.cognito-idp.eu-west-1.vpce.amazonaws.com", true),
            ("COGNITO-IDP.EU-WEST-1.AMAZONAWS.COM.", true),
            ("amazonaws.com", false),
            (".api.aws", false),
            ("example-api.aws", false),
            ("notamazonaws.com", false),
            ("127.0.0.1", false),
        ] {
            assert_eq!(is_aws_host(host), aws, "{host}");
        }
    }

    #[test]
    fn codes_come_from_the_owner_or_the_kind_is_refused() {
        let inputs = |scenario_codes, pre_provisioned| CodeInputs {
            data_dir: None,
            scenario_codes,
            pre_provisioned,
        };
        let http = CodeSource::Http {
            url: "http://127.0.0.1:1/{pool}/{username}".into(),
        };
        assert_eq!(codes(inputs(Some(http.clone()), false)), Ok(http));
        assert_eq!(codes(inputs(None, true)), Ok(CodeSource::None));
        assert_eq!(
            codes(inputs(Some(CodeSource::None), true)),
            Ok(CodeSource::None)
        );
        for refused in [None, Some(CodeSource::None)] {
            let e = codes(inputs(refused, false)).unwrap_err();
            assert!(
                e.contains("pool.existing with users.from_csv")
                    && e.contains("{http: URL-template}")
                    && e.contains("{command: template}"),
                "{e}"
            );
        }
        let e = codes(inputs(Some(CodeSource::Fixed("1".into())), true)).unwrap_err();
        assert!(e.contains("checks every code"), "{e}");
    }
}
