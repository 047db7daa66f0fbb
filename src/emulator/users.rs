//! The user operations of the provisioning set: SignUp, ResendConfirmationCode, AdminGetUser.

use bytes::Bytes;
use serde_json::{Map, Value, json};

use super::common::{
    AttributeType, MissingHash, app_client_input, check_analytics, existing_pool, looks_like_email,
    looks_like_phone, pool_input,
};
use super::ids;
use super::state::{
    Attr, Code, PendingCode, PoolConfig, PoolData, Shared, Stamp, Sub, User, UserStatus, lock,
};
use super::validate::{self, NON_WHITESPACE_PATTERN, PRINTABLE_PATTERN, StrRule, Violations};
use super::wire::{ApiError, Str, json_body, messages, names, parse_input};

// The 2024+ model makes Password optional for passwordless pools; the emulator's pools all
// use passwords, so it keeps the older model's "required".
static PASSWORD: StrRule = StrRule::required("password", 0, 256)
    .matching(&NON_WHITESPACE_PATTERN)
    .sensitive();
static ATTRIBUTE_NAME: StrRule = StrRule::required("name", 1, 32).matching(&PRINTABLE_PATTERN);
static ATTRIBUTE_VALUE: StrRule = StrRule::optional("value", 0, 2048).sensitive();

/// Standard attributes a user may set at SignUp (`custom:*` are accepted as well).
const WRITABLE_ATTRIBUTES: &[&str] = &[
    "address",
    "birthdate",
    "email",
    "family_name",
    "gender",
    "given_name",
    "locale",
    "middle_name",
    "name",
    "nickname",
    "phone_number",
    "picture",
    "preferred_username",
    "profile",
    "updated_at",
    "website",
    "zoneinfo",
];
/// Accepted but not stored: verification is the emulator's business (ConfirmSignUp).
const IGNORED_ATTRIBUTES: &[&str] = &["email_verified", "phone_number_verified"];

/// Symbols the default password policy counts (Cognito's documented list).
const PASSWORD_SYMBOLS: &str = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ";

/// The default password policy: at least 8 characters, a lowercase letter, an uppercase
/// letter, a digit and a symbol. Returns the first rule broken.
pub fn password_problem(password: &str) -> Option<&'static str> {
    if password.chars().count() < 8 {
        Some("Password not long enough")
    } else if !password.chars().any(|c| c.is_lowercase()) {
        Some("Password must have lowercase characters")
    } else if !password.chars().any(|c| c.is_uppercase()) {
        Some("Password must have uppercase characters")
    } else if !password.chars().any(|c| c.is_ascii_digit()) {
        Some("Password must have numeric characters")
    } else if !password.chars().any(|c| PASSWORD_SYMBOLS.contains(c)) {
        Some("Password must have symbol characters")
    } else {
        None
    }
}

fn mask_email(email: &str) -> String {
    let (local, domain) = email.split_once('@').unwrap_or((email, ""));
    let first = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
    format!("{}***@{}***", first(local), first(domain))
}

fn mask_phone(phone: &str) -> String {
    let n = phone.chars().count();
    let keep = n.saturating_sub(4);
    phone
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i == 0 && c == '+' {
                c
            } else if i < keep {
                '*'
            } else {
                c
            }
        })
        .collect()
}

/// `CodeDeliveryDetailsType` for a destination value.
fn delivery_details(attr: Attr, value: &str) -> Value {
    let destination = match attr {
        Attr::Email => mask_email(value),
        Attr::PhoneNumber => mask_phone(value),
    };
    json!({
        "Destination": destination,
        "DeliveryMedium": attr.delivery_medium(),
        "AttributeName": attr.name(),
    })
}

/// Where a code goes. With AutoVerifiedAttributes, the verified attribute the user has (the
/// phone when both are verified, §4.6). Otherwise real Cognito sends nothing (§4.6), but the
/// emulator still issues a code so that every UNCONFIRMED user is testable, and "sends" it
/// to the email, else the phone, if the user has one.
fn delivery_target(cfg: &PoolConfig, user: &User) -> Option<Attr> {
    let auto = &cfg.auto_verified_attributes;
    let has = |a: Attr| user.attr(a.name()).is_some();
    [Attr::PhoneNumber, Attr::Email]
        .into_iter()
        .find(|a| auto.has_attr(*a) && has(*a))
        .or_else(|| {
            [Attr::Email, Attr::PhoneNumber]
                .into_iter()
                .find(|a| has(*a))
        })
}

/// Replaces the user's code with a fresh one issued now; returns the delivery details
/// reported to the caller, if any.
fn issue_code(
    data: &mut PoolData,
    cfg: &PoolConfig,
    idx: usize,
    now: std::time::Duration,
) -> Option<Value> {
    let value = ids::confirmation_code(&mut data.rng);
    let user = data.user_mut(idx);
    let sent_to = delivery_target(cfg, user);
    user.code = Some(PendingCode {
        value: Code::new(value),
        issued: Stamp::of(now),
        sent_to,
    });
    // Only a verified attribute is a delivery Cognito reports (§4.6, §5 SignUp): a pool without
    // AutoVerifiedAttributes sends no code, so the answer has no CodeDeliveryDetails even
    // though the emulator keeps one for its codes route.
    sent_to
        .filter(|a| cfg.auto_verified_attributes.has_attr(*a))
        .and_then(|a| user.attr(a.name()).map(|v| delivery_details(a, v)))
}

app_client_input! {
    struct SignUpInput<'a> {
        password: Option<Str<'a>>,
        user_attributes: Option<Vec<AttributeType<'a>>>,
        #[allow(dead_code)] // type-checked only; no pre sign-up trigger reads it
        validation_data: Option<Vec<AttributeType<'a>>>,
    }
}

/// SignUp: creates an UNCONFIRMED user with a `sub` and a fresh code.
pub fn sign_up(shared: &Shared, body: &[u8]) -> Result<Bytes, ApiError> {
    let input: SignUpInput = parse_input(body)?;
    let caller = input.client_members();
    let mut v = Violations::new();
    caller.check(&mut v);
    v.check(&PASSWORD, input.password.as_deref());
    for (i, a) in input.user_attributes.iter().flatten().enumerate() {
        let n = i + 1;
        v.check_as(
            &format!("userAttributes.{n}.member.name"),
            &ATTRIBUTE_NAME,
            a.name.as_deref(),
        );
        v.check_as(
            &format!("userAttributes.{n}.member.value"),
            &ATTRIBUTE_VALUE,
            a.value.as_deref(),
        );
    }
    check_analytics(&mut v, input.analytics_metadata.as_ref());
    v.finish()?;
    let Some(password) = input.password.as_deref() else {
        unreachable!("required members were validated");
    };

    // A pool's own quota counts SignUp too (its UserCreation category, spec §4.5).
    let (client, username) =
        caller.authorize_after(shared, MissingHash::SecretNotReceived, |c| {
            match &c.pool.extras.tags {
                Some(tags) => tags.check(crate::protocol::Operation::SignUp, &Default::default()),
                None => Ok(()),
            }
        })?;
    let cfg = &client.pool.config;

    // Attributes as given (last one wins), checked against the standard schema.
    let mut attributes: Vec<(String, String)> = Vec::new();
    for a in input.user_attributes.iter().flatten() {
        let name = a.name.as_deref().unwrap_or_default();
        let value = a.value.as_deref().unwrap_or_default();
        if IGNORED_ATTRIBUTES.contains(&name) {
            continue;
        }
        if !WRITABLE_ATTRIBUTES.contains(&name) && !name.starts_with("custom:") {
            return Err(ApiError::invalid_parameter(
                "Attribute does not exist in the schema.",
            ));
        }
        if name == "email" && !looks_like_email(value) {
            return Err(ApiError::invalid_parameter("Invalid email address format."));
        }
        if name == "phone_number" && !looks_like_phone(value) {
            return Err(ApiError::invalid_parameter("Invalid phone number format."));
        }
        attributes.retain(|(n, _)| n != name);
        attributes.push((name.to_owned(), value.to_owned()));
    }

    // Sign-in attribute rules (§4.2).
    let ua = &cfg.username_attributes;
    let username_attr = if ua.0.is_empty() {
        let aliases = &cfg.alias_attributes;
        if aliases.has_attr(Attr::Email) && looks_like_email(username) {
            return Err(ApiError::invalid_parameter(
                "Username should not be an email.",
            ));
        }
        if aliases.has_attr(Attr::PhoneNumber) && looks_like_phone(username) {
            return Err(ApiError::invalid_parameter(
                "Username should not be a phone number.",
            ));
        }
        None
    } else if ua.has_attr(Attr::Email) && looks_like_email(username) {
        Some(Attr::Email)
    } else if ua.has_attr(Attr::PhoneNumber) && looks_like_phone(username) {
        Some(Attr::PhoneNumber)
    } else {
        return Err(ApiError::invalid_parameter(
            "Username should be either an email or a phone number.",
        ));
    };
    if let Some(attr) = username_attr {
        attributes.retain(|(n, _)| n != attr.name());
        attributes.push((attr.name().to_owned(), username.to_owned()));
    }

    if let Some(problem) = password_problem(password) {
        return Err(ApiError::new(
            names::INVALID_PASSWORD,
            format!("Password did not conform with policy: {problem}"),
        ));
    }

    // In UsernameAttributes pools every email/phone sign-in value must be unique, verified or
    // not (§4.2); elsewhere the username must be.
    let sign_in_values: Vec<(Attr, &str)> = [Attr::Email, Attr::PhoneNumber]
        .into_iter()
        .filter(|a| ua.has_attr(*a))
        .filter_map(|a| {
            let value = attributes.iter().find(|(n, _)| n == a.name())?;
            Some((a, value.1.as_str()))
        })
        .collect();
    let now = shared.clock.now();
    let mut data = lock(&client.pool.data);
    let exists = || ApiError::new(names::USERNAME_EXISTS, messages::USERNAME_EXISTS);
    if username_attr.is_none() && data.by_username(cfg, username).is_some() {
        return Err(exists());
    }
    if sign_in_values
        .iter()
        .any(|(a, value)| data.sign_in_holder(cfg, *a, value).is_some())
    {
        return Err(exists());
    }

    let (sub, sub_text) = loop {
        let sub = Sub::from_bits(ids::sub(&mut data.rng));
        let text = sub.text();
        if data.resolve(cfg, &text).is_none() {
            break (sub, text);
        }
    };
    // UsernameAttributes pools store the generated sub as the internal username (§4.2).
    let internal = if username_attr.is_some() {
        sub_text.as_str()
    } else {
        username
    };
    let user = User::new(
        internal,
        sub,
        attributes.iter().map(|(n, v)| (n.as_str(), v.as_str())),
        now,
    );
    let idx = data.insert(cfg, user);
    for (attr, _) in sign_in_values {
        data.set_sign_in(cfg, attr, idx);
    }
    let details = issue_code(&mut data, cfg, idx, now);
    drop(data);

    let mut out = Map::new();
    out.insert("UserConfirmed".into(), Value::Bool(false));
    out.insert("UserSub".into(), Value::String(sub_text));
    if let Some(d) = details {
        out.insert("CodeDeliveryDetails".into(), d);
    }
    Ok(json_body(&Value::Object(out)))
}

app_client_input! {
    struct ResendInput<'a> {}
}

/// ResendConfirmationCode: a new code replaces the old one, which stops working. Whether an
/// older code stays valid is open (§4.4, §6.8); Amplify maintainers saw older codes rejected
/// and emulators invalidate them, so the emulator keeps only the newest.
pub fn resend_confirmation_code(shared: &Shared, body: &[u8]) -> Result<Bytes, ApiError> {
    let input: ResendInput = parse_input(body)?;
    let caller = input.client_members();
    let mut v = Violations::new();
    caller.check(&mut v);
    check_analytics(&mut v, input.analytics_metadata.as_ref());
    v.finish()?;
    let (client, username) = caller.authorize(shared, MissingHash::SecretNotReceived)?;
    let cfg = &client.pool.config;
    let now = shared.clock.now();
    let mut data = lock(&client.pool.data);
    let Some(idx) = data.resolve(cfg, username) else {
        if client.prevent_user_existence_errors {
            // §4.3: with PUEE on, unknown users get plausible delivery details.
            let details = if looks_like_phone(username) {
                delivery_details(Attr::PhoneNumber, username)
            } else if looks_like_email(username) {
                delivery_details(Attr::Email, username)
            } else {
                delivery_details(Attr::Email, "u@e")
            };
            return Ok(json_body(&json!({ "CodeDeliveryDetails": details })));
        }
        return Err(ApiError::user_not_found_for_client());
    };
    if data.user(idx).status != UserStatus::Unconfirmed {
        return Err(ApiError::invalid_parameter(messages::ALREADY_CONFIRMED));
    }
    let details = issue_code(&mut data, cfg, idx, now);
    drop(data);
    Ok(json_body(&match details {
        Some(d) => json!({ "CodeDeliveryDetails": d }),
        None => json!({}),
    }))
}

pool_input! {
    struct AdminGetUserInput<'a> {
        username: Option<Str<'a>>,
    }
}

/// AdminGetUser (no SigV4 check): the user by username, verified alias or sub.
pub fn admin_get_user(shared: &Shared, body: &[u8]) -> Result<Bytes, ApiError> {
    let input: AdminGetUserInput = parse_input(body)?;
    let pool_id =
        input.checked_pool_id(|v| v.check(&validate::USERNAME, input.username.as_deref()))?;
    let Some(username) = input.username.as_deref() else {
        unreachable!("required members were validated");
    };
    let pool = existing_pool(shared, pool_id)?;
    let data = lock(&pool.data);
    let idx = data
        .resolve(&pool.config, username)
        .ok_or_else(|| ApiError::new(names::USER_NOT_FOUND, messages::USER_NOT_FOUND_ADMIN))?;
    let u = data.user(idx);
    let sub = u.sub.text();
    let attributes: Vec<Value> = std::iter::once(("sub", sub.as_str()))
        .chain(u.attributes())
        .map(|(n, v)| json!({ "Name": n, "Value": v }))
        .collect();
    let out = json!({
        "Username": u.username(),
        "UserStatus": u.status.as_str(),
        "Enabled": true,
        "UserAttributes": attributes,
        "UserCreateDate": shared.clock.epoch_secs(u.created.time()),
        "UserLastModifiedDate": shared.clock.epoch_secs(u.modified.time()),
    });
    drop(data);
    Ok(json_body(&out))
}

/// The current code of a user named by username, sub or sign-in value (the codes route).
pub fn current_code(shared: &Shared, pool_id: &str, username: &str) -> Option<String> {
    let pool = shared.pool(pool_id)?;
    let data = lock(&pool.data);
    let idx = data.resolve(&pool.config, username)?;
    data.user(idx).code.as_ref().map(|c| c.value.text())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_policy() {
        assert_eq!(password_problem("Aa1!"), Some("Password not long enough"));
        assert_eq!(
            password_problem("AAAAAAA1!"),
            Some("Password must have lowercase characters")
        );
        assert_eq!(
            password_problem("aaaaaaa1!"),
            Some("Password must have uppercase characters")
        );
        assert_eq!(
            password_problem("Aaaaaaaa!"),
            Some("Password must have numeric characters")
        );
        assert_eq!(
            password_problem("Aaaaaaaa1"),
            Some("Password must have symbol characters")
        );
        assert_eq!(password_problem("Passw0rd!"), None);
    }

    #[test]
    fn masking() {
        assert_eq!(mask_email("diego@example.com"), "d***@e***");
        assert_eq!(mask_phone("+15555550100"), "+*******0100");
    }
}
