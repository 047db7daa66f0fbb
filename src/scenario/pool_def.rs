//! `pool:` as written: the pool's attributes and clients, or an existing pool. Checked where
//! it stands, it reads straight into `PoolPlan`, the pool as the plan holds it.

use schemars::JsonSchema;
use serde::Deserialize;

use super::existing::ExistingPool;
use super::patterns::{PlainText, refine_property};
use crate::yaml::checked_map;

/// A user attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum Attribute {
    #[serde(rename = "email")]
    Email,
    #[serde(rename = "phone_number")]
    PhoneNumber,
    #[serde(rename = "preferred_username")]
    PreferredUsername,
}

impl Attribute {
    pub fn as_str(self) -> &'static str {
        match self {
            Attribute::Email => "email",
            Attribute::PhoneNumber => "phone_number",
            Attribute::PreferredUsername => "preferred_username",
        }
    }
}

/// How the client answers for a user that does not exist: LEGACY (UserNotFoundException) or
/// ENABLED (hidden behind a generic answer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema, Default)]
pub enum UserExistenceErrors {
    #[default]
    #[serde(rename = "LEGACY")]
    Legacy,
    #[serde(rename = "ENABLED")]
    Enabled,
}

impl UserExistenceErrors {
    pub fn as_str(self) -> &'static str {
        match self {
            UserExistenceErrors::Legacy => "LEGACY",
            UserExistenceErrors::Enabled => "ENABLED",
        }
    }
}

#[derive(Deserialize, JsonSchema, Default, Clone)]
#[serde(deny_unknown_fields)]
pub(super) struct ClientDef {
    /// PreventUserExistenceErrors of the app client (default LEGACY).
    #[serde(default)]
    pub prevent_user_existence_errors: UserExistenceErrors,
}

#[derive(Deserialize, JsonSchema, Default, Clone)]
#[serde(deny_unknown_fields)]
pub(super) struct ClientsDef {
    /// The app client without a secret.
    #[serde(default)]
    pub public: ClientDef,
    /// The app client with a generated secret.
    #[serde(default)]
    pub secret: ClientDef,
}

#[derive(Debug, Clone)]
pub struct PoolPlan {
    pub name: Option<String>,
    pub alias_attributes: Vec<Attribute>,
    pub username_attributes: Vec<Attribute>,
    pub auto_verified_attributes: Vec<Attribute>,
    pub case_sensitive: bool,
    pub public_client: UserExistenceErrors,
    pub secret_client: UserExistenceErrors,
    pub delete_after: bool,
    /// Existing-pool mode: the pool and client named by the scenario; nothing is created.
    pub existing: Option<ExistingPool>,
    /// `LambdaConfig.PostConfirmation` of the pool created.
    pub post_confirmation: Option<String>,
    /// `UserPoolTags` of the pool created.
    pub tags: Vec<(String, String)>,
}

impl PoolPlan {
    /// Makes this (a copy of the scenario's pool) the pool a variant names; with cogbench's
    /// emulator, whose reference trigger and `cogbench:` tags give it what the variant needs.
    pub fn set_up_as(&mut self, variant: crate::cases::PoolVariant) {
        use crate::cases::PoolVariant as V;
        use crate::protocol::pool_settings as s;
        let tag = |k: &str, v: &str| (k.to_owned(), v.to_owned());
        match variant {
            V::Scenario => {}
            V::CaseInsensitive => self.case_sensitive = false,
            V::PostConfirmationTrigger => {
                self.post_confirmation = Some(s::REFERENCE_TRIGGER_ARN.to_owned());
            }
            V::WebAcl => self.tags.push(tag(s::TAG_BLOCK_HEADER, s::WAF_HEADER)),
            V::RateQuota => self.tags.push(tag(s::TAG_QUOTA, "1")),
            V::InternalError => self.tags.push(tag(s::TAG_FAULT, "internal-error")),
        }
    }

    pub fn has_email_alias(&self) -> bool {
        self.alias_attributes.contains(&Attribute::Email)
            && self.auto_verified_attributes.contains(&Attribute::Email)
    }
}

/// The pool as written is the pool as planned: an absent `pool:` is one with every default.
impl Default for PoolPlan {
    fn default() -> Self {
        PoolPlan::try_from(RawPool::default()).expect("defaults are valid")
    }
}

#[derive(Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPool {
    /// The pool's name (default: one made of the scenario's name and the run's id), 1 to 128
    /// characters. Not with `existing`.
    #[schemars(with = "Option<PlainText>")]
    name: Option<String>,
    /// AliasAttributes (default [email], unless username_attributes is given); excludes
    /// username_attributes.
    alias_attributes: Option<Vec<Attribute>>,
    /// UsernameAttributes: email and phone_number only; excludes alias_attributes.
    #[serde(default)]
    username_attributes: Vec<Attribute>,
    /// AutoVerifiedAttributes (default [email]); cogbench signs users up with an email only.
    auto_verified_attributes: Option<Vec<Attribute>>,
    /// UsernameConfiguration.CaseSensitive (default true).
    case_sensitive: Option<bool>,
    /// The two app clients cogbench creates.
    #[serde(default)]
    clients: ClientsDef,
    /// Delete the pool when the run ends (default true; an existing pool is never deleted).
    delete_after: Option<bool>,
    /// Existing-pool mode: a pool cogbench did not create, and its app client; nothing is
    /// created or deleted there. The users come from users.from_csv.
    existing: Option<super::existing::ExistingPool>,
}

/// The longest pool name.
const MAX_NAME: usize = 128;

/// Username attributes can only be these.
const USERNAME_ATTRIBUTES: [Attribute; 2] = [Attribute::Email, Attribute::PhoneNumber];

/// Attributes verified by code: cogbench signs users up with an email only.
const VERIFIED_ATTRIBUTES: [Attribute; 1] = [Attribute::Email];

/// What the conversion checks of each key alone; the rules between keys (alias against
/// username attributes, `existing` against `name` and `delete_after`) are cogbench
/// validate's.
fn refine(schema: &mut schemars::Schema) {
    let names =
        |attributes: &[Attribute]| -> Vec<&str> { attributes.iter().map(|a| a.as_str()).collect() };
    refine_property(
        schema,
        "name",
        serde_json::json!({ "minLength": 1, "maxLength": MAX_NAME }),
    );
    refine_property(
        schema,
        "username_attributes",
        serde_json::json!({ "items": { "enum": names(&USERNAME_ATTRIBUTES) } }),
    );
    refine_property(
        schema,
        "auto_verified_attributes",
        serde_json::json!({
            "type": ["array", "null"],
            "items": { "enum": names(&VERIFIED_ATTRIBUTES) },
        }),
    );
}

impl TryFrom<RawPool> for PoolPlan {
    type Error = String;
    fn try_from(r: RawPool) -> Result<PoolPlan, String> {
        if let Some(name) = &r.name
            && (name.is_empty() || name.chars().count() > MAX_NAME)
        {
            return Err(format!("pool name: 1 to {MAX_NAME} characters"));
        }
        if r.username_attributes
            .iter()
            .any(|a| !USERNAME_ATTRIBUTES.contains(a))
        {
            return Err("username_attributes may hold email and phone_number only".into());
        }
        let alias = match r.alias_attributes {
            Some(a) => a,
            None if r.username_attributes.is_empty() => vec![Attribute::Email],
            None => Vec::new(),
        };
        if !alias.is_empty() && !r.username_attributes.is_empty() {
            return Err(
                "alias_attributes and username_attributes exclude each other (spec §4.2)".into(),
            );
        }
        let verified = r
            .auto_verified_attributes
            .unwrap_or_else(|| vec![Attribute::Email]);
        if verified.contains(&Attribute::PreferredUsername) {
            return Err("auto_verified_attributes may hold email and phone_number only".into());
        }
        if verified.iter().any(|a| !VERIFIED_ATTRIBUTES.contains(a)) {
            return Err("phone_number verification is not supported yet: cogbench signs users up with an email only".into());
        }
        if r.existing.is_some() {
            if r.delete_after == Some(true) {
                return Err(
                    "pool.delete_after: cogbench never deletes an existing pool (pool.existing)"
                        .into(),
                );
            }
            if r.name.is_some() {
                return Err(
                    "pool.name: an existing pool keeps its name; give pool.existing.id only".into(),
                );
            }
        }
        Ok(PoolPlan {
            name: r.name,
            alias_attributes: alias,
            username_attributes: r.username_attributes,
            auto_verified_attributes: verified,
            case_sensitive: r.case_sensitive.unwrap_or(true),
            public_client: r.clients.public.prevent_user_existence_errors,
            secret_client: r.clients.secret.prevent_user_existence_errors,
            delete_after: r.delete_after.unwrap_or(r.existing.is_none()),
            existing: r.existing,
            post_confirmation: None,
            tags: Vec::new(),
        })
    }
}
checked_map!(PoolPlan, RawPool, "a pool", refine: refine);
