//! The request-rate quota of a real user pool. ConfirmSignUp is in Cognito's `UserCreation`
//! category with SignUp, AdminCreateUser and AdminConfirmSignUp: 50 requests per second by
//! default, per account and Region, summed over every user pool (spec §4.5; adjustable). A
//! plan that would pass it against an AWS endpoint is refused unless `--allow-above-quota`.

use super::phase::Phase;
use super::plan::MixEntry;
use crate::cases::Catalog;

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
/// users without think time send as fast as answers come). `per_start` is the ConfirmSignUp
/// requests one start sends on average over the mix (a race of 8 sends 8).
pub fn planned_peak(phases: &[Phase], per_start: f64) -> Option<f64> {
    phases
        .iter()
        .try_fold(0.0, |peak: f64, p| Some(peak.max(p.load.peak_rate()?)))
        .map(|starts| starts * per_start)
}

/// The ConfirmSignUp requests one start of the mix sends on average: the weighted mean of each
/// runnable case's requests per execution.
pub fn requests_per_start(mix: &[MixEntry], catalog: &Catalog) -> f64 {
    let runnable = || mix.iter().filter(|m| m.skip.is_none());
    let weights: u64 = runnable().map(|m| u64::from(m.weight)).sum();
    if weights == 0 {
        return 1.0;
    }
    let requests: u64 = runnable()
        .map(|m| u64::from(m.weight) * catalog.cases[m.case].requests_per_execution())
        .sum();
    requests as f64 / weights as f64
}

/// The refusal, or `None` when the plan fits the default quota.
pub fn check(phases: &[Phase], per_start: f64) -> Option<String> {
    let why = match planned_peak(phases, per_start) {
        Some(peak) if peak <= DEFAULT_RPS => return None,
        Some(peak) if per_start > 1.0 => format!(
            "the phases plan up to {peak:.0} requests per second ({per_start:.2} ConfirmSignUp \
             requests per start on average over the mix)"
        ),
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

    /// A race sends several ConfirmSignUp requests per start: they all count against the quota.
    #[test]
    fn the_guard_counts_requests_not_starts() {
        let catalog = Catalog::builtin();
        let at = |id: &str| catalog.cases.iter().position(|c| c.id == id).unwrap();
        let entry = |id: &str, weight: u32, skip: Option<&str>| MixEntry {
            case: at(id),
            pool: 0,
            weight,
            skip: skip.map(str::to_owned),
        };
        let race = catalog.cases[at("concurrent-confirm")].requests_per_execution() as f64;
        assert!(race > 1.0);
        let mix = [
            entry("concurrent-confirm", 1, None),
            entry("unknown-user", 3, None),
        ];
        assert_eq!(requests_per_start(&mix, &catalog), (race + 3.0) / 4.0);
        // A skipped case sends nothing.
        let skipped = [
            entry("concurrent-confirm", 1, Some("no codes")),
            entry("unknown-user", 3, None),
        ];
        assert_eq!(requests_per_start(&skipped, &catalog), 1.0);
        let phases: Vec<Phase> =
            serde_norway::from_str("[{executor: constant-arrival-rate, rate: 10, duration: 1s}]")
                .unwrap();
        assert!(check(&phases, 1.0).is_none());
        let refusal = check(&phases, race).expect("10 races a second pass 50 requests a second");
        assert!(refusal.contains("requests per start"), "{refusal}");
    }

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
