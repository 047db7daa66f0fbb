//! Why a case of the mix cannot run on this target and pool: reported as skipped, never sent.

use super::existing::ExistingPool;
use super::pool_def::UserExistenceErrors;

use super::plan::PoolPlan;
use crate::cases::{Capability, ClientKind, PoolVariant, Requirement};

pub(super) fn skip_reason(
    case: &crate::cases::Case,
    pool: &PoolPlan,
    capabilities: &[Capability],
    kind: &crate::target_kinds::KindSpec,
) -> Option<String> {
    for need in case.needs() {
        if !capabilities.contains(&need) {
            if let Some(why) = kind.why_not(need) {
                return Some(format!("the {} target cannot: {why}", kind.name));
            }
            return Some(format!(
                "the target cannot {}",
                match need {
                    Capability::ReadCodes => "read confirmation codes",
                    Capability::AdvanceClock => "advance its clock",
                    Capability::ResendCodes => "resend confirmation codes (ResendConfirmationCode)",
                    Capability::AdminReads => "read users back",
                    Capability::Provision => "provision users",
                    Capability::PostConfirmationTrigger =>
                        "give a pool a post-confirmation trigger that follows ClientMetadata (declare `configured: [post-confirmation-trigger]` in target: when the scenario's pool has one)",
                    Capability::WebAcl =>
                        "put a pool behind a web ACL rule (declare `configured: [web-acl]` in target: when the scenario's pool has one blocking the header x-cogbench-waf)",
                    Capability::RateQuota =>
                        "give a pool a request-rate quota low enough that some of a few requests sent at once are throttled",
                    Capability::InternalErrorFault => "be made to answer InternalErrorException",
                }
            ));
        }
    }
    for req in &case.requires {
        let unmet = match req {
            Requirement::EmailAlias => (!pool.has_email_alias())
                .then_some("the pool has no verified email alias (pool.alias_attributes and auto_verified_attributes must include email)"),
            Requirement::LegacyUserExistenceErrors => {
                let puee = match case.client {
                    ClientKind::Secret => pool.secret_client,
                    _ => pool.public_client,
                };
                (puee != UserExistenceErrors::Legacy)
                    .then_some("the client has PreventUserExistenceErrors ENABLED, which hides unknown users (spec §4.3)")
            }
            Requirement::CaseSensitivePool => (!pool.case_sensitive)
                .then_some("the pool compares usernames case-insensitively (pool.case_sensitive: false)"),
        };
        if let Some(why) = unmet {
            return Some(format!("requires {}: {why}", req.as_str()));
        }
    }
    None
}

/// Why a case cannot run in an existing pool, whose only users are the listed ones and whose
/// only client is the named one.
pub(super) fn existing_skip(
    case: &crate::cases::Case,
    variant: PoolVariant,
    pool: &ExistingPool,
    expired_rows: u64,
) -> Option<String> {
    use crate::cases::UserKind;
    if variant.needs().is_some() {
        return Some(format!(
            "needs a pool set up as `{0}`, which cogbench's emulator makes only in provisioning mode; on another target, declare `configured: [{0}]` in target: when the existing pool has it (see Targets, \"Pools set up for the trigger, WAF, quota and internal-error cases\")",
            variant.as_str()
        ));
    }
    if variant != PoolVariant::Scenario {
        return Some(format!(
            "needs a pool of variant `{}`, which cogbench creates only in provisioning mode (pool.existing names one pool)",
            variant.as_str()
        ));
    }
    match (case.client, pool.client_secret.is_some()) {
        (ClientKind::Public, true) => {
            return Some(
                "needs an app client without a secret; pool.existing names a client with one"
                    .into(),
            );
        }
        (ClientKind::Secret, false) => {
            return Some("needs an app client with a secret; pool.existing names one without (give client_secret: ${ENV_VAR})".into());
        }
        (ClientKind::Hiding, _) => {
            return Some("needs a second app client with PreventUserExistenceErrors ENABLED, which cogbench creates only in provisioning mode".into());
        }
        _ => {}
    }
    match case.user {
        UserKind::AliasContested
        | UserKind::AliasContestedOtherCase
        | UserKind::AliasCrowd
        | UserKind::Resent => Some(format!(
            "needs {} users that cogbench signs up itself; existing-pool mode has only the users of users.from_csv",
            match case.user {
                UserKind::Resent => "resent-code",
                _ => "alias-contested",
            }
        )),
        UserKind::Expired if expired_rows == 0 => Some(
            "users.from_csv lists no user signed up more than 24 h ago (signed_up_at), so no code has expired"
                .into(),
        ),
        _ => None,
    }
}

#[cfg(test)]
mod existing_pool_tests {
    use super::*;
    use crate::cases::Catalog;

    #[test]
    fn an_existing_pool_skips_users_it_cannot_sign_up_with_the_reason() {
        let catalog = Catalog::builtin();
        let pool = ExistingPool {
            id: "us-east-1_abc".into(),
            client_id: "abc".into(),
            client_secret: None,
        };
        let case = catalog.get("alias-exists-case-insensitive").unwrap();
        // An existing pool that is already case-insensitive serves the variant as it is: the
        // user kind is what it cannot host.
        let skip = |variant| existing_skip(case, variant, &pool, 0).unwrap();
        let why = skip(PoolVariant::Scenario);
        assert!(
            why.contains("alias-contested") && why.contains("signs up itself"),
            "{why}"
        );
        let why = skip(PoolVariant::CaseInsensitive);
        assert!(why.contains("variant `case-insensitive`"), "{why}");
        // A set-up the owner can make in the existing pool is declared, not created.
        let why = skip(PoolVariant::WebAcl);
        assert!(why.contains("configured: [web-acl]"), "{why}");
    }
}
