//! The small vocabularies of a case: confidence, user state, client, pool, requirements,
//! capabilities, and the slots users are handed out from.

use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Observed,
    Documented,
    Inferred,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Observed => "observed",
            Confidence::Documented => "documented",
            Confidence::Inferred => "inferred",
        }
    }
}

/// The state the case's user must be in before the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum UserKind {
    Unconfirmed,
    Confirmed,
    Unknown,
    AliasContested,
    /// Like `AliasContested`, but the user signed up with the holder's email upper-cased: the
    /// same alias only where CaseSensitive false folds email case (spec §4.2).
    AliasContestedOtherCase,
    /// UNCONFIRMED, with a code issued more than 24 hours ago (needs a clock to advance).
    Expired,
    /// UNCONFIRMED, after ResendConfirmationCode: `$code` is the new code, `$old_code` the first.
    Resent,
    /// `repeat.count` UNCONFIRMED users sharing one email, the verified alias of a CONFIRMED
    /// holder: one user per request of the group.
    AliasCrowd,
    None,
}

/// Where a request's user comes from: the state it must be in, and whether the case uses it
/// up (a correct target changes its state) or leaves it as it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Slot {
    Fresh,
    Unconfirmed,
    Confirmed,
    ContestedFresh,
    ContestedReusable,
    OtherCaseFresh,
    OtherCaseReusable,
    Expired,
    ResentFresh,
    ResentReusable,
    Crowd,
}

impl Slot {
    pub const ALL: [Slot; 11] = [
        Slot::Fresh,
        Slot::Unconfirmed,
        Slot::Confirmed,
        Slot::ContestedFresh,
        Slot::ContestedReusable,
        Slot::OtherCaseFresh,
        Slot::OtherCaseReusable,
        Slot::Expired,
        Slot::ResentFresh,
        Slot::ResentReusable,
        Slot::Crowd,
    ];

    pub fn of(kind: UserKind, consumes: bool) -> Option<Slot> {
        Some(match (kind, consumes) {
            (UserKind::Unconfirmed, true) => Slot::Fresh,
            (UserKind::Unconfirmed, false) => Slot::Unconfirmed,
            (UserKind::Confirmed, _) => Slot::Confirmed,
            (UserKind::AliasContested, true) => Slot::ContestedFresh,
            (UserKind::AliasContested, false) => Slot::ContestedReusable,
            (UserKind::AliasContestedOtherCase, true) => Slot::OtherCaseFresh,
            (UserKind::AliasContestedOtherCase, false) => Slot::OtherCaseReusable,
            (UserKind::Expired, _) => Slot::Expired,
            (UserKind::Resent, true) => Slot::ResentFresh,
            (UserKind::Resent, false) => Slot::ResentReusable,
            (UserKind::AliasCrowd, _) => Slot::Crowd,
            (UserKind::Unknown | UserKind::None, _) => return None,
        })
    }

    /// Handed to one request only.
    pub fn single_use(self) -> bool {
        matches!(
            self,
            Slot::Fresh
                | Slot::ContestedFresh
                | Slot::OtherCaseFresh
                | Slot::ResentFresh
                | Slot::Crowd
        )
    }

    /// A CONFIRMED holder of the email comes with each user.
    pub fn with_holder(self) -> bool {
        matches!(
            self,
            Slot::ContestedFresh
                | Slot::ContestedReusable
                | Slot::OtherCaseFresh
                | Slot::OtherCaseReusable
                | Slot::Crowd
        )
    }

    /// Its user signs up with the holder's email upper-cased.
    pub fn upper_cases_email(self) -> bool {
        matches!(self, Slot::OtherCaseFresh | Slot::OtherCaseReusable)
    }

    pub fn name(self) -> &'static str {
        match self {
            Slot::Fresh => "fresh",
            Slot::Unconfirmed => "unconfirmed",
            Slot::Confirmed => "confirmed",
            Slot::ContestedFresh => "contested_fresh",
            Slot::ContestedReusable => "contested_reusable",
            Slot::OtherCaseFresh => "contested_other_case_fresh",
            Slot::OtherCaseReusable => "contested_other_case_reusable",
            Slot::Expired => "expired",
            Slot::ResentFresh => "resent_fresh",
            Slot::ResentReusable => "resent_reusable",
            Slot::Crowd => "crowd",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Slot::Fresh => "fresh UNCONFIRMED",
            Slot::Unconfirmed => "reusable UNCONFIRMED",
            Slot::Confirmed => "CONFIRMED",
            Slot::ContestedFresh => "fresh alias-contested",
            Slot::ContestedReusable => "reusable alias-contested",
            Slot::OtherCaseFresh => "fresh alias-contested (email in other letter case)",
            Slot::OtherCaseReusable => "reusable alias-contested (email in other letter case)",
            Slot::Expired => "expired-code",
            Slot::ResentFresh => "fresh resent-code",
            Slot::ResentReusable => "reusable resent-code",
            Slot::Crowd => "alias-crowd",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClientKind {
    Public,
    Secret,
    /// No secret, PreventUserExistenceErrors ENABLED.
    Hiding,
    Unknown,
}

/// The pool a case runs in: the scenario's, or a variant of it that cogbench creates beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum PoolVariant {
    #[default]
    Scenario,
    /// The scenario's pool with UsernameConfiguration.CaseSensitive false.
    CaseInsensitive,
    /// The scenario's pool with a post-confirmation trigger that does what the request's
    /// `ClientMetadata["cogbench-trigger"]` asks.
    PostConfirmationTrigger,
    /// The scenario's pool behind a web ACL rule that blocks requests carrying the header
    /// `x-cogbench-waf`.
    WebAcl,
    /// The scenario's pool with a UserCreation quota of its own, 1 request a second.
    RateQuota,
    /// The scenario's pool, every ConfirmSignUp to which answers InternalErrorException.
    InternalError,
}

impl PoolVariant {
    pub const ALL: [PoolVariant; 6] = [
        PoolVariant::Scenario,
        PoolVariant::CaseInsensitive,
        PoolVariant::PostConfirmationTrigger,
        PoolVariant::WebAcl,
        PoolVariant::RateQuota,
        PoolVariant::InternalError,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PoolVariant::Scenario => "scenario",
            PoolVariant::CaseInsensitive => "case-insensitive",
            PoolVariant::PostConfirmationTrigger => "post-confirmation-trigger",
            PoolVariant::WebAcl => "web-acl",
            PoolVariant::RateQuota => "rate-quota",
            PoolVariant::InternalError => "internal-error",
        }
    }

    /// What the target must be able to set up for a pool of this variant: cogbench's
    /// emulator does it itself; another target has it when the scenario declares it
    /// (`target.configured`).
    pub fn needs(self) -> Option<Capability> {
        match self {
            PoolVariant::Scenario | PoolVariant::CaseInsensitive => None,
            PoolVariant::PostConfirmationTrigger => Some(Capability::PostConfirmationTrigger),
            PoolVariant::WebAcl => Some(Capability::WebAcl),
            PoolVariant::RateQuota => Some(Capability::RateQuota),
            PoolVariant::InternalError => Some(Capability::InternalErrorFault),
        }
    }

    /// The variant a `target.configured` name stands for.
    pub fn configured(name: &str) -> Option<PoolVariant> {
        PoolVariant::ALL
            .into_iter()
            .find(|v| v.needs().is_some() && v.as_str() == name)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Requirement {
    /// The pool has `email` among its alias attributes and verifies email.
    EmailAlias,
    /// The public client answers unknown users with UserNotFoundException.
    LegacyUserExistenceErrors,
    /// The scenario's pool compares usernames case-sensitively (Cognito's default).
    CaseSensitivePool,
}

impl Requirement {
    pub fn as_str(self) -> &'static str {
        match self {
            Requirement::EmailAlias => "email-alias",
            Requirement::LegacyUserExistenceErrors => "legacy-user-existence-errors",
            Requirement::CaseSensitivePool => "case-sensitive-pool",
        }
    }
}

/// What a capability-limited target may lack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    /// Read a user's current confirmation code.
    ReadCodes,
    /// Read users back (AdminGetUser) to check postconditions.
    AdminReads,
    /// Move the target's clock forward (codes older than 24 h expire).
    AdvanceClock,
    /// ResendConfirmationCode (cognito-local and moto do not implement it).
    ResendCodes,
    /// Create pools, clients and users through the Cognito API.
    Provision,
    /// A pool whose post-confirmation trigger follows `ClientMetadata["cogbench-trigger"]`.
    PostConfirmationTrigger,
    /// A pool behind a web ACL rule blocking the header `x-cogbench-waf`.
    WebAcl,
    /// A pool whose UserCreation quota is 1 request a second.
    RateQuota,
    /// A pool whose ConfirmSignUp answers InternalErrorException.
    InternalErrorFault,
}

impl Capability {
    pub fn as_str(self) -> &'static str {
        match self {
            Capability::ReadCodes => "read_codes",
            Capability::AdminReads => "admin_reads",
            Capability::AdvanceClock => "advance_clock",
            Capability::ResendCodes => "resend_codes",
            Capability::Provision => "provision",
            Capability::PostConfirmationTrigger => "post_confirmation_trigger",
            Capability::WebAcl => "web_acl",
            Capability::RateQuota => "rate_quota",
            Capability::InternalErrorFault => "internal_error_fault",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_other_case_contested_user_comes_with_a_holder_and_an_upper_cased_email() {
        let kind: UserKind =
            serde_json::from_value(serde_json::json!("alias-contested-other-case")).unwrap();
        assert_eq!(kind, UserKind::AliasContestedOtherCase);
        let fresh = Slot::of(kind, true).unwrap();
        let reusable = Slot::of(kind, false).unwrap();
        assert_eq!(
            (fresh, reusable),
            (Slot::OtherCaseFresh, Slot::OtherCaseReusable)
        );
        assert!(fresh.single_use() && !reusable.single_use());
        for s in [fresh, reusable] {
            assert!(s.with_holder() && s.upper_cases_email(), "{s:?}");
        }
        // The plain alias-contested user keeps the holder's email as it is.
        let plain = Slot::of(UserKind::AliasContested, false).unwrap();
        assert!(plain.with_holder() && !plain.upper_cases_email());
    }

    #[test]
    fn every_slot_has_a_shelf_and_a_name_of_its_own() {
        let mut names: Vec<&str> = Slot::ALL.iter().map(|s| s.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Slot::ALL.len());
        let kinds = [
            UserKind::Unconfirmed,
            UserKind::Confirmed,
            UserKind::AliasContested,
            UserKind::AliasContestedOtherCase,
            UserKind::Expired,
            UserKind::Resent,
            UserKind::AliasCrowd,
        ];
        for slot in Slot::ALL {
            assert!(
                kinds
                    .iter()
                    .any(|k| [true, false].iter().any(|c| Slot::of(*k, *c) == Some(slot))),
                "{slot:?} is no kind's"
            );
        }
    }
}
