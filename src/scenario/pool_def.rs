//! `pool:` as written: the pool's attributes and clients, or an existing pool. Checked where
//! it stands, it reads straight into `PoolPlan`, the pool as the plan holds it.

use serde::Deserialize;

use super::existing::ExistingPool;
use crate::yaml::checked_map;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
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

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub(super) struct ClientDef {
    #[serde(default)]
    pub prevent_user_existence_errors: UserExistenceErrors,
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub(super) struct ClientsDef {
    #[serde(default)]
    pub public: ClientDef,
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

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPool {
    name: Option<String>,
    alias_attributes: Option<Vec<Attribute>>,
    #[serde(default)]
    username_attributes: Vec<Attribute>,
    auto_verified_attributes: Option<Vec<Attribute>>,
    case_sensitive: Option<bool>,
    #[serde(default)]
    clients: ClientsDef,
    delete_after: Option<bool>,
    existing: Option<super::existing::ExistingPool>,
}

impl TryFrom<RawPool> for PoolPlan {
    type Error = String;
    fn try_from(r: RawPool) -> Result<PoolPlan, String> {
        if let Some(name) = &r.name
            && (name.is_empty() || name.len() > 128)
        {
            return Err("pool name: 1 to 128 characters".into());
        }
        if r.username_attributes
            .contains(&Attribute::PreferredUsername)
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
        if verified.contains(&Attribute::PhoneNumber) {
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
checked_map!(PoolPlan, RawPool, "a pool");
