//! The request-rate quota of a real user pool. ConfirmSignUp is in Cognito's `UserCreation`
//! category with SignUp, AdminCreateUser and AdminConfirmSignUp: 50 requests per second by
//! default, per account and Region, summed over every user pool (spec §4.5; adjustable). A
//! plan that would pass it against an AWS endpoint is refused unless `--allow-above-quota`.

use super::phase::Phase;

pub const CATEGORY: &str = "UserCreation";
pub const DEFAULT_RPS: f64 = 50.0;

/// Whether `endpoint` is one of AWS's: every endpoint kind `aws` resolves (FIPS and
/// dual-stack included), VPC endpoints, and the rest of `*.amazonaws.com`.
pub fn is_aws(endpoint: &str) -> bool {
    reqwest::Url::parse(endpoint)
        .ok()
        .and_then(|u| u.host_str().map(crate::target_kinds::aws::is_aws_host))
        .unwrap_or(false)
}

/// The highest request rate the phases can reach, or `None` when a phase has no bound (virtual
/// users without think time send as fast as answers come).
pub fn planned_peak(phases: &[Phase]) -> Option<f64> {
    phases
        .iter()
        .try_fold(0.0, |peak: f64, p| Some(peak.max(p.load.peak_rate()?)))
}

/// The refusal, or `None` when the plan fits the default quota.
pub fn check(phases: &[Phase]) -> Option<String> {
    let why = match planned_peak(phases) {
        Some(peak) if peak <= DEFAULT_RPS => return None,
        Some(peak) => format!("the phases plan up to {peak:.0} requests per second"),
        None => "a closed-model phase without think_time has no rate bound".to_owned(),
    };
    Some(format!(
        "the target is an AWS endpoint: ConfirmSignUp is in the {CATEGORY} request-rate quota, \
         {DEFAULT_RPS:.0} requests per second by default per account and Region, shared with SignUp, \
         AdminCreateUser and AdminConfirmSignUp (spec §4.5), and {why}. Lower the rate, or pass \
         --allow-above-quota if your account's quota was raised (throttled answers are then \
         reported as TooManyRequestsException)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_aws_endpoints() {
        for (endpoint, aws) in [
            ("https://cognito-idp.us-east-1.amazonaws.com", true),
            ("https://cognito-idp.cn-north-1.amazonaws.com.cn/", true),
            ("https://cognito-idp-fips.us-west-2.amazonaws.com.", true),
            ("https://cognito-idp.us-gov-east-1.api.aws/", true),
            ("https://cognito-idp-fips.eu-west-1.api.aws", true),
            (
                "https://cognito-idp.cn-north-1.api.amazonwebservices.com.cn/",
                true,
            ),
            (
                "https://vpce-0123-abcd.cognito-idp.eu-west-1.vpce.amazonaws.com/",
                true,
            ),
            ("http://[::1]:9229", false),
            ("https://api.aws.example.org", false),
            ("http://127.0.0.1:9229", false),
            ("https://amazonaws.com.example.org", false),
        ] {
            assert_eq!(is_aws(endpoint), aws, "{endpoint}");
        }
    }
}
