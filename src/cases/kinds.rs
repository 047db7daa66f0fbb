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
    Expired,
    ResentFresh,
    ResentReusable,
    Crowd,
}

impl Slot {
    pub const ALL: [Slot; 9] = [
        Slot::Fresh,
        Slot::Unconfirmed,
        Slot::Confirmed,
        Slot::ContestedFresh,
        Slot::ContestedReusable,
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
            Slot::Fresh | Slot::ContestedFresh | Slot::ResentFresh | Slot::Crowd
        )
    }

    /// A CONFIRMED holder of the email comes with each user.
    pub fn with_holder(self) -> bool {
        matches!(
            self,
            Slot::ContestedFresh | Slot::ContestedReusable | Slot::Crowd
        )
    }

    pub fn name(self) -> &'static str {
        match self {
            Slot::Fresh => "fresh",
            Slot::Unconfirmed => "unconfirmed",
            Slot::Confirmed => "confirmed",
            Slot::ContestedFresh => "contested_fresh",
            Slot::ContestedReusable => "contested_reusable",
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
}

impl PoolVariant {
    pub fn as_str(self) -> &'static str {
        match self {
            PoolVariant::Scenario => "scenario",
            PoolVariant::CaseInsensitive => "case-insensitive",
        }
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
}

impl Capability {
    pub fn as_str(self) -> &'static str {
        match self {
            Capability::ReadCodes => "read_codes",
            Capability::AdminReads => "admin_reads",
            Capability::AdvanceClock => "advance_clock",
            Capability::ResendCodes => "resend_codes",
            Capability::Provision => "provision",
        }
    }
}
