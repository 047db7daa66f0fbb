//! Pool and client provisioning: CreateUserPool, DeleteUserPool, CreateUserPoolClient (§5).
//! Real AWS signs these with SigV4; the emulator checks no signature. Of LambdaConfig only
//! PostConfirmation is run (see [`super::trigger`]); `cogbench:` UserPoolTags set a pool's
//! emulator settings (see [`super::pool_tags`]). Members the emulator does not model
//! (Policies, other triggers, …) are ignored like any unknown member.

use bytes::Bytes;
use serde::Deserialize;
use serde_json::{Value, json};

use super::common::{existing_pool, pool_input};
use super::pool_tags::PoolTags;
use super::state::{AttrList, ClientSecret, PoolConfig, PoolExtras, Shared};
use super::trigger::PostConfirmation;
use super::validate::{ARN_PATTERN, CLIENT_ID_PATTERN, NAME_PATTERN, StrRule, Violations};
use super::wire::{ApiError, EMPTY_OBJECT, Str, StringMap, json_body, parse_input};

static POOL_NAME: StrRule = StrRule::required("poolName", 1, 128).matching(&NAME_PATTERN);
static CLIENT_NAME: StrRule = StrRule::required("clientName", 1, 128).matching(&NAME_PATTERN);
static POST_CONFIRMATION: StrRule =
    StrRule::optional("lambdaConfig.postConfirmation", 20, 2048).matching(&ARN_PATTERN);
static CLIENT_SECRET: StrRule = StrRule::optional("clientSecret", 24, 64)
    .matching(&CLIENT_ID_PATTERN)
    .sensitive();

const ALIAS_VALUES: &[&str] = &["phone_number", "email", "preferred_username"];
const USERNAME_ATTRIBUTE_VALUES: &[&str] = &["phone_number", "email"];
const VERIFIED_ATTRIBUTE_VALUES: &[&str] = &["phone_number", "email"];
const PUEE_VALUES: &[&str] = &["LEGACY", "ENABLED"];

#[derive(Deserialize, Debug)]
#[serde(rename_all = "PascalCase")]
struct UsernameConfiguration {
    case_sensitive: Option<bool>,
}

#[derive(Deserialize, Debug)]
#[serde(rename_all = "PascalCase")]
struct LambdaConfig<'a> {
    #[serde(borrow)]
    post_confirmation: Option<Str<'a>>,
}

#[derive(Deserialize, Debug)]
#[serde(rename_all = "PascalCase")]
struct CreateUserPoolInput<'a> {
    #[serde(borrow)]
    pool_name: Option<Str<'a>>,
    #[serde(borrow)]
    alias_attributes: Option<Vec<Str<'a>>>,
    #[serde(borrow)]
    username_attributes: Option<Vec<Str<'a>>>,
    #[serde(borrow)]
    auto_verified_attributes: Option<Vec<Str<'a>>>,
    username_configuration: Option<UsernameConfiguration>,
    #[serde(borrow)]
    lambda_config: Option<LambdaConfig<'a>>,
    #[serde(borrow)]
    user_pool_tags: Option<StringMap<'a>>,
}

/// Coral's rule for a list whose items must be enum values.
fn check_enum_list(v: &mut Violations, member: &str, items: Option<&Vec<Str>>, allowed: &[&str]) {
    let Some(items) = items else { return };
    if items.iter().all(|i| allowed.contains(&&**i)) {
        return;
    }
    let shown: Vec<&str> = items.iter().map(|i| &**i).collect();
    v.push(
        member,
        Some(Some(&format!("[{}]", shown.join(", ")))),
        &format!(
            "satisfy constraint: [Member must satisfy enum value set: [{}]]",
            allowed.join(", ")
        ),
    );
}

fn attr_list(items: Option<Vec<Str>>) -> AttrList {
    let mut list: Vec<String> = Vec::new();
    for i in items.into_iter().flatten() {
        if !list.iter().any(|x| *x == *i) {
            list.push(i.0.into_owned());
        }
    }
    AttrList(list)
}

pub fn create_user_pool(shared: &Shared, body: &[u8]) -> Result<Bytes, ApiError> {
    let input: CreateUserPoolInput = parse_input(body)?;
    let mut v = Violations::new();
    v.check(&POOL_NAME, input.pool_name.as_deref());
    check_enum_list(
        &mut v,
        "aliasAttributes",
        input.alias_attributes.as_ref(),
        ALIAS_VALUES,
    );
    check_enum_list(
        &mut v,
        "usernameAttributes",
        input.username_attributes.as_ref(),
        USERNAME_ATTRIBUTE_VALUES,
    );
    check_enum_list(
        &mut v,
        "autoVerifiedAttributes",
        input.auto_verified_attributes.as_ref(),
        VERIFIED_ATTRIBUTE_VALUES,
    );
    if let Some(c) = &input.username_configuration
        && c.case_sensitive.is_none()
    {
        v.push("usernameConfiguration.caseSensitive", None, "not be null");
    }
    let post_confirmation = input
        .lambda_config
        .as_ref()
        .and_then(|l| l.post_confirmation.as_deref());
    v.check(&POST_CONFIRMATION, post_confirmation);
    v.finish()?;
    let extras = PoolExtras {
        post_confirmation: post_confirmation.map(PostConfirmation::new),
        tags: PoolTags::parse(input.user_pool_tags.as_ref())?,
    };
    let non_empty = |l: &Option<Vec<Str>>| l.as_ref().is_some_and(|l| !l.is_empty());
    if non_empty(&input.alias_attributes) && non_empty(&input.username_attributes) {
        // The text is a guess; the rule itself is weakly sourced (§4.2).
        return Err(ApiError::invalid_parameter(
            "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.",
        ));
    }
    let name = input
        .pool_name
        .map(|n| n.0.into_owned())
        .unwrap_or_default();
    let config = PoolConfig {
        // The model documents `true` as the default when UsernameConfiguration is omitted.
        case_sensitive: input
            .username_configuration
            .and_then(|c| c.case_sensitive)
            .unwrap_or(true),
        alias_attributes: attr_list(input.alias_attributes),
        username_attributes: attr_list(input.username_attributes),
        auto_verified_attributes: attr_list(input.auto_verified_attributes),
    };
    let pool = shared.add_pool(name, config, extras);
    let created = shared.clock.epoch_secs(pool.created);
    let c = &pool.config;
    let mut lambda = json!({});
    if let Some(t) = &pool.extras.post_confirmation {
        lambda["PostConfirmation"] = Value::String(t.arn.clone());
    }
    let tags: serde_json::Map<String, Value> = input
        .user_pool_tags
        .iter()
        .flat_map(|t| &t.entries)
        .map(|(k, v)| {
            (
                k.0.clone().into_owned(),
                Value::String(v.0.clone().into_owned()),
            )
        })
        .collect();
    Ok(json_body(&json!({
        "UserPool": {
            "LambdaConfig": lambda,
            "UserPoolTags": tags,
            "Id": pool.id,
            "Name": pool.name,
            "Arn": pool.arn,
            "AliasAttributes": c.alias_attributes.0,
            "UsernameAttributes": c.username_attributes.0,
            "AutoVerifiedAttributes": c.auto_verified_attributes.0,
            "UsernameConfiguration": { "CaseSensitive": c.case_sensitive },
            "CreationDate": created,
            "LastModifiedDate": created,
            "EstimatedNumberOfUsers": 0,
            "MfaConfiguration": "OFF",
            "DeletionProtection": "INACTIVE",
            "UserPoolTier": "ESSENTIALS",
        }
    })))
}

pool_input! {
    struct PoolIdInput<'a> {}
}

pub fn delete_user_pool(shared: &Shared, body: &[u8]) -> Result<Bytes, ApiError> {
    let input: PoolIdInput = parse_input(body)?;
    let id = input.checked_pool_id(|_| {})?;
    shared
        .remove_pool(id)
        .ok_or_else(|| ApiError::pool_not_found(id))?;
    Ok(Bytes::from_static(EMPTY_OBJECT))
}

pool_input! {
    struct CreateClientInput<'a> {
        client_name: Option<Str<'a>>,
        generate_secret: Option<bool>,
        client_secret: Option<Str<'a>>,
        prevent_user_existence_errors: Option<Str<'a>>,
    }
}

pub fn create_user_pool_client(shared: &Shared, body: &[u8]) -> Result<Bytes, ApiError> {
    let input: CreateClientInput = parse_input(body)?;
    let pool_id = input.checked_pool_id(|v| {
        v.check(&CLIENT_NAME, input.client_name.as_deref());
        v.check(&CLIENT_SECRET, input.client_secret.as_deref());
        v.check_enum(
            "preventUserExistenceErrors",
            input.prevent_user_existence_errors.as_deref(),
            PUEE_VALUES,
        );
    })?;
    let pool = existing_pool(shared, pool_id)?;
    let secret = match (input.generate_secret == Some(true), input.client_secret) {
        (true, Some(_)) => {
            return Err(ApiError::invalid_parameter(
                "ClientSecret cannot be set when GenerateSecret is true.",
            ));
        }
        (true, None) => ClientSecret::Generate,
        (false, Some(s)) => ClientSecret::Given(s.0.into_owned()),
        (false, None) => ClientSecret::None,
    };
    // The API default is LEGACY (§4.3).
    let puee = input.prevent_user_existence_errors.as_deref() == Some("ENABLED");
    let name = input
        .client_name
        .map(|n| n.0.into_owned())
        .unwrap_or_default();
    let client = shared.add_client(pool, name, secret, puee);
    let created = shared.clock.epoch_secs(client.created);
    let mut out = json!({
        "UserPoolId": client.pool.id,
        "ClientName": client.name,
        "ClientId": client.id,
        "PreventUserExistenceErrors": if puee { "ENABLED" } else { "LEGACY" },
        "CreationDate": created,
        "LastModifiedDate": created,
    });
    if let Some(s) = &client.secret {
        out["ClientSecret"] = Value::String(s.clone());
    }
    Ok(json_body(&json!({ "UserPoolClient": out })))
}
