//! Input shapes and checks that several operations share.

use serde::Deserialize;

use std::sync::Arc;

use super::state::{AppClient, Pool, Shared};
use super::validate::{self, Violations};
use super::wire::{ApiError, Str};
use crate::protocol::secret_hash;

/// The pool an admin operation names (its id validated already), or the
/// ResourceNotFoundException every such operation answers for an unknown one.
pub fn existing_pool(shared: &Shared, pool_id: &str) -> Result<Arc<Pool>, ApiError> {
    shared
        .pool(pool_id)
        .ok_or_else(|| ApiError::pool_not_found(pool_id))
}

/// `AnalyticsMetadataType`.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct AnalyticsMetadata<'a> {
    #[serde(borrow)]
    pub analytics_endpoint_id: Option<Str<'a>>,
}

/// `UserContextDataType`: type-checked; `IpAddress` is what a pool's web ACL rule may block
/// (there is no threat protection here).
#[derive(Deserialize, Debug)]
#[allow(dead_code)]
#[serde(rename_all = "PascalCase")]
pub struct UserContextData<'a> {
    #[serde(borrow)]
    pub ip_address: Option<Str<'a>>,
    #[serde(borrow)]
    pub encoded_data: Option<Str<'a>>,
}

/// `AttributeType`: `{Name, Value}`.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeType<'a> {
    #[serde(borrow)]
    pub name: Option<Str<'a>>,
    #[serde(borrow)]
    pub value: Option<Str<'a>>,
}

pub fn check_analytics(v: &mut Violations, m: Option<&AnalyticsMetadata>) {
    if let Some(m) = m {
        v.check(
            &validate::ANALYTICS_ENDPOINT_ID,
            m.analytics_endpoint_id.as_deref(),
        );
    }
}

/// What a secret client answers when `SecretHash` is missing. Observed texts differ by
/// operation (§3.1): SignUp and InitiateAuth name the missing secret, while the only text seen
/// for ConfirmSignUp (2020) is the same as for a wrong hash (§6.1 leaves it open).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingHash {
    SecretNotReceived,
    UnableToVerify,
}

fn unable_to_verify(client_id: &str) -> ApiError {
    ApiError::not_authorized(format!(
        "Unable to verify secret hash for client {client_id}"
    ))
}

/// Declares the input of an operation an app client calls: the members every such input has
/// (ClientId, SecretHash, Username, AnalyticsMetadata, UserContextData, ClientMetadata) and,
/// between them as in the model, the operation's own. It also gives the input a
/// `client_members()`. A macro because `#[serde(flatten)]` would buffer every request body into
/// a map first; here the members stay borrowed from the body.
macro_rules! app_client_input {
    (
        $(#[$meta:meta])*
        struct $name:ident<'a> { $($(#[$fmeta:meta])* $field:ident: $ty:ty,)* }
    ) => {
        $(#[$meta])*
        #[derive(serde::Deserialize, Debug)]
        #[serde(rename_all = "PascalCase")]
        // Every member may borrow from the body ('a); `'de: 'a` says so once for all of them.
        #[serde(bound(deserialize = "'de: 'a"))]
        struct $name<'a> {
            client_id: Option<$crate::emulator::wire::Str<'a>>,
            secret_hash: Option<$crate::emulator::wire::Str<'a>>,
            username: Option<$crate::emulator::wire::Str<'a>>,
            $($(#[$fmeta])* $field: $ty,)*
            analytics_metadata: Option<$crate::emulator::common::AnalyticsMetadata<'a>>,
            #[allow(dead_code)] // type-checked only
            user_context_data: Option<$crate::emulator::common::UserContextData<'a>>,
            #[allow(dead_code)] // read by ConfirmSignUp's trigger only
            #[serde(borrow)]
            client_metadata: Option<$crate::emulator::wire::StringMap<'a>>,
        }

        impl $name<'_> {
            fn client_members(&self) -> $crate::emulator::common::ClientMembers<'_> {
                $crate::emulator::common::ClientMembers::new(
                    &self.client_id,
                    &self.secret_hash,
                    &self.username,
                )
            }
        }
    };
}
pub(super) use app_client_input;

/// Declares the input of an operation on one pool (DeleteUserPool, CreateUserPoolClient,
/// AdminGetUser): `UserPoolId`, which leads each of them in the model, and the operation's own
/// members. It also gives the input a `checked_pool_id()`. A macro for the reason
/// `app_client_input!` is one.
macro_rules! pool_input {
    (
        struct $name:ident<'a> { $($(#[$fmeta:meta])* $field:ident: $ty:ty,)* }
    ) => {
        #[derive(serde::Deserialize, Debug)]
        #[serde(rename_all = "PascalCase")]
        // As in `app_client_input!`: the members may borrow from the body.
        #[serde(bound(deserialize = "'de: 'a"))]
        struct $name<'a> {
            user_pool_id: Option<$crate::emulator::wire::Str<'a>>,
            $($(#[$fmeta])* $field: $ty,)*
        }

        impl $name<'_> {
            fn checked_pool_id(
                &self,
                own: impl FnOnce(&mut $crate::emulator::validate::Violations),
            ) -> Result<&str, $crate::emulator::wire::ApiError> {
                $crate::emulator::common::checked_pool_id(self.user_pool_id.as_deref(), own)
            }
        }
    };
}
pub(super) use pool_input;

/// Decision step 2 for an input declared with `pool_input!`: UserPoolId's rule, then the
/// operation's `own` checks, all violations in one InvalidParameterException. On success the
/// pool id (present: it is required).
pub fn checked_pool_id(
    user_pool_id: Option<&str>,
    own: impl FnOnce(&mut Violations),
) -> Result<&str, ApiError> {
    let mut v = Violations::new();
    v.check(&validate::USER_POOL_ID, user_pool_id);
    own(&mut v);
    v.finish()?;
    Ok(user_pool_id.unwrap_or_default())
}

/// ClientId, SecretHash and Username: the members every operation an app client calls
/// starts with, borrowed from its decoded input.
pub struct ClientMembers<'i> {
    client_id: Option<&'i str>,
    secret_hash: Option<&'i str>,
    username: Option<&'i str>,
}

impl<'i> ClientMembers<'i> {
    pub fn new(
        client_id: &'i Option<Str>,
        secret_hash: &'i Option<Str>,
        username: &'i Option<Str>,
    ) -> ClientMembers<'i> {
        ClientMembers {
            client_id: client_id.as_deref(),
            secret_hash: secret_hash.as_deref(),
            username: username.as_deref(),
        }
    }

    /// Decision-order step 2 for these members, in member order (they lead every such input).
    pub fn check(&self, v: &mut Violations) {
        v.check(&validate::CLIENT_ID, self.client_id);
        v.check(&validate::SECRET_HASH, self.secret_hash);
        v.check(&validate::USERNAME, self.username);
    }

    /// Steps 3 and 4, once step 2 has passed: the client exists (ResourceNotFoundException),
    /// and the SecretHash fits it. Returns the client and the username as sent.
    pub fn authorize(
        &self,
        shared: &Shared,
        missing: MissingHash,
    ) -> Result<(Arc<AppClient>, &'i str), ApiError> {
        self.authorize_after(shared, missing, |_| Ok(()))
    }

    /// `authorize`, with `gate` run on the client between steps 3 and 4.
    pub fn authorize_after(
        &self,
        shared: &Shared,
        missing: MissingHash,
        gate: impl FnOnce(&AppClient) -> Result<(), ApiError>,
    ) -> Result<(Arc<AppClient>, &'i str), ApiError> {
        let (Some(client_id), Some(username)) = (self.client_id, self.username) else {
            unreachable!("required members were validated");
        };
        let client = shared
            .client(client_id)
            .ok_or_else(|| ApiError::client_not_found(client_id))?;
        gate(&client)?;
        verify_secret_hash(&client, username, self.secret_hash, missing)?;
        Ok((client, username))
    }
}

/// The SecretHash rules of §4.1, hashed over the exact string sent as `Username`
/// (the common practice; §6.2 leaves alias and UsernameAttributes pools open).
pub fn verify_secret_hash(
    client: &AppClient,
    username: &str,
    sent: Option<&str>,
    missing: MissingHash,
) -> Result<(), ApiError> {
    match (&client.secret, sent) {
        (None, None) => Ok(()),
        (None, Some(_)) => Err(ApiError::invalid_parameter(format!(
            "App client {} is not configured for secret but secret hash was received",
            client.id
        ))),
        (Some(_), None) => Err(match missing {
            MissingHash::SecretNotReceived => ApiError::not_authorized(format!(
                "Client {} is configured for secret but secret was not received",
                client.id
            )),
            MissingHash::UnableToVerify => unable_to_verify(&client.id),
        }),
        (Some(secret), Some(hash)) => {
            if secret_hash(secret, username, &client.id) == hash {
                Ok(())
            } else {
                Err(unable_to_verify(&client.id))
            }
        }
    }
}

/// Is this an email address for the sign-in rules: an `@` with a `.` somewhere after it.
pub fn looks_like_email(s: &str) -> bool {
    s.find('@')
        .is_some_and(|at| at > 0 && s[at + 1..].contains('.'))
}

/// Is this a phone number for the sign-in rules: `+` followed by digits only.
pub fn looks_like_phone(s: &str) -> bool {
    s.strip_prefix('+')
        .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_and_phone_shapes() {
        assert!(looks_like_email("diego@example.com"));
        assert!(looks_like_email("a.b@c.d"));
        assert!(!looks_like_email("diego@localhost"));
        assert!(!looks_like_email("@example.com"));
        assert!(!looks_like_email("diego.example.com"));
        assert!(looks_like_phone("+15555550100"));
        assert!(!looks_like_phone("+"));
        assert!(!looks_like_phone("15555550100"));
        assert!(!looks_like_phone("+1 555"));
    }
}
