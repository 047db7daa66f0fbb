//! ConfirmSignUp: the operation under test, in the spec's decision order.
//!
//! Steps: (1) protocol, in server.rs and wire.rs; (2) member constraints; (3) the app client
//! exists; (4) SecretHash; (5) the user exists; (6) status UNCONFIRMED; (7) code age, then
//! code equality; (8) alias collision; (9) confirm.
//!
//! Steps 5–9 run under the pool's mutex, so concurrent confirms of one user give exactly one
//! success, and concurrent ForceAliasCreation leaves exactly one verified owner.

use std::time::Duration;

use axum::http::HeaderMap;
use bytes::Bytes;

use super::common::{MissingHash, app_client_input, check_analytics};
use super::state::{Shared, Stamp, UserStatus, lock};
use super::trigger::{self, Confirmed};
use super::validate::{self, StrRule, Violations};
use super::wire::{ApiError, EMPTY_OBJECT, LooseBool, Str, messages, names, parse_input};

/// A confirmation code is valid for 24 hours, not configurable (§4.4).
pub const CODE_VALIDITY: Duration = Duration::from_secs(24 * 60 * 60);
/// The window of the attempt limit (§4.5: per hour).
const ATTEMPT_WINDOW: Duration = Duration::from_secs(60 * 60);

app_client_input! {
    struct ConfirmSignUpInput<'a> {
        confirmation_code: Option<Str<'a>>,
        force_alias_creation: Option<LooseBool>,
        session: Option<Str<'a>>,
    }
}

static SESSION: StrRule = StrRule::optional("session", 20, 2048).sensitive();

fn code_mismatch() -> ApiError {
    ApiError::new(names::CODE_MISMATCH, messages::CODE_MISMATCH)
}

fn cannot_confirm(status: UserStatus) -> ApiError {
    ApiError::not_authorized(format!(
        "User cannot be confirmed. Current status is {}",
        status.as_str()
    ))
}

/// A confirmation done: answered `{}`, or once the pool's post-confirmation trigger, which
/// may take a while (an invocation at a Lambda endpoint), has run outside every lock.
pub enum Confirmation {
    Done,
    Trigger(trigger::PostConfirmation, serde_json::Value),
}

/// The exact success body.
pub fn success() -> Bytes {
    Bytes::from_static(EMPTY_OBJECT)
}

/// Handles one ConfirmSignUp body. `headers` are what a pool's web ACL looks at.
pub fn confirm_sign_up(
    shared: &Shared,
    body: &[u8],
    headers: &HeaderMap,
) -> Result<Confirmation, ApiError> {
    // 1. Protocol: the body is a JSON object with members of the right types.
    let input: ConfirmSignUpInput = parse_input(body)?;

    // 2. Member constraints, all violations in one InvalidParameterException.
    let caller = input.client_members();
    let mut v = Violations::new();
    caller.check(&mut v);
    v.check(
        &validate::CONFIRMATION_CODE,
        input.confirmation_code.as_deref(),
    );
    v.check(&SESSION, input.session.as_deref());
    check_analytics(&mut v, input.analytics_metadata.as_ref());
    v.finish()?;
    let Some(code) = input.confirmation_code.as_deref() else {
        unreachable!("required members were validated");
    };

    // 3. The app client exists; then the pool's own settings (web ACL, quota, fault), which
    //    real Cognito applies before the operation; 4. the SecretHash fits the client.
    let (client, username) = caller.authorize_after(shared, MissingHash::UnableToVerify, |c| {
        match &c.pool.extras.tags {
            Some(tags) => tags.check(crate::protocol::Operation::ConfirmSignUp, headers),
            None => Ok(()),
        }
    })?;

    let pool = &client.pool;
    let cfg = &pool.config;
    let now = shared.clock.now();
    let mut data = lock(&pool.data);

    // 5. The user exists: by username, else by sub, else by a UsernameAttributes value or a
    //    verified alias (never an unverified one, §4.2).
    let Some(idx) = data.resolve(cfg, username) else {
        return Err(if client.prevent_user_existence_errors {
            // §4.3: Amplify's tests expect CodeMismatch; the real text is not captured (§6.4).
            code_mismatch()
        } else {
            ApiError::user_not_found_for_client()
        });
    };

    // 6. Status.
    let user = data.user_mut(idx);
    if user.status != UserStatus::Unconfirmed {
        return Err(cannot_confirm(user.status));
    }

    // 6a. The attempt limit: 15 ConfirmSignUp attempts per user per hour (§4.5). Which error
    //     Cognito sends is open (§6.3); LimitExceededException with the text seen for sibling
    //     operations is the likely one. Only wrong codes count: they are the guesses a limit
    //     is there to stop.
    if shared.attempt_limit > 0
        && user.failed_attempts.recent(now, ATTEMPT_WINDOW) >= shared.attempt_limit as usize
    {
        return Err(ApiError::new(
            names::LIMIT_EXCEEDED,
            messages::ATTEMPT_LIMIT,
        ));
    }
    let user = data.user(idx);

    // 7. Code age first, then equality.
    let Some(pending) = &user.code else {
        // Not reachable today: every UNCONFIRMED user holds a code (see users.rs).
        return Err(code_mismatch());
    };
    if now.saturating_sub(pending.issued.time()) > CODE_VALIDITY {
        return Err(ApiError::new(names::EXPIRED_CODE, messages::EXPIRED_CODE));
    }
    if !pending.value.matches(code) {
        if shared.attempt_limit > 0 {
            data.user_mut(idx).failed_attempts.push(now);
        }
        return Err(code_mismatch());
    }
    let sent_to = pending.sent_to;

    // 8. Alias: the value being verified may already be another CONFIRMED user's verified
    //    alias. ForceAliasCreation moves it and marks it unverified on the previous owner.
    let alias = sent_to
        .filter(|a| cfg.alias_attributes.has_attr(*a))
        .and_then(|a| Some((a, user.attr(a.name())?)));
    if let Some((attr, value)) = alias {
        let holder = data
            .sign_in_holder(cfg, attr, value)
            .filter(|h| *h != idx && data.user(*h).status == UserStatus::Confirmed);
        if let Some(previous) = holder {
            if input.force_alias_creation != Some(LooseBool(true)) {
                return Err(ApiError::new(
                    names::ALIAS_EXISTS,
                    format!("An account with the {} already exists.", attr.name()),
                ));
            }
            let prev = data.user_mut(previous);
            prev.set_attr(attr.verified_name(), "false");
            prev.modified = Stamp::of(now);
        }
        data.set_sign_in(cfg, attr, idx);
    }

    // 9. Confirm: status, the delivery attribute verified, the code consumed.
    let user = data.user_mut(idx);
    user.status = UserStatus::Confirmed;
    user.code = None;
    user.modified = Stamp::of(now);
    if let Some(attr) = sent_to
        && user.attr(attr.name()).is_some()
    {
        user.set_attr(attr.verified_name(), "true");
    }

    // 10. The post-confirmation trigger, once the user is CONFIRMED (§4.7): its failure is
    //     the answer, and the user stays confirmed. Run outside the pool's lock.
    let Some(post_confirmation) = &pool.extras.post_confirmation else {
        return Ok(Confirmation::Done);
    };
    let user = data.user(idx);
    let sub = user.sub.text();
    let attributes: Vec<(String, String)> =
        [("sub", sub.as_str()), ("cognito:user_status", "CONFIRMED")]
            .into_iter()
            .chain(user.attributes())
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
    let username = user.username().to_owned();
    drop(data);
    let event = trigger::event(&Confirmed {
        region: &shared.region,
        pool_id: &pool.id,
        client_id: &client.id,
        username: &username,
        attributes,
        client_metadata: input.client_metadata.as_ref(),
    });
    Ok(Confirmation::Trigger(post_confirmation.clone(), event))
}
