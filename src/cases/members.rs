//! Member-constraint cases generated from the table in `fixtures/members.yaml`, so every
//! constraint of every member is checked the same way and none is written by hand.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value as Json, json};

pub const TABLE: &str = include_str!("../../fixtures/members.yaml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Table {
    #[allow(dead_code)]
    version: u32,
    pub members: Vec<Member>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    String,
    Boolean,
    Structure,
    Map,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Member {
    pub name: String,
    wire: Option<String>,
    #[serde(rename = "type")]
    kind: Kind,
    #[serde(default)]
    required: bool,
    min: Option<usize>,
    max: Option<usize>,
    pattern: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    sensitive: bool,
    filler: Option<String>,
    outside_pattern: Option<String>,
    client: String,
    at_max: Option<Json>,
    #[serde(default)]
    fields: BTreeMap<String, Field>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Field {
    wire: Option<String>,
    max: Option<usize>,
}

fn kebab(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('-');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// `N validation error(s) detected: …` matching the items in any order (their order differs
/// between observations, spec §3.2).
pub(crate) fn validation_message(items: &[String]) -> String {
    let head = if items.len() == 1 {
        "1 validation error detected: ".to_owned()
    } else {
        format!("{} validation errors detected: ", items.len())
    };
    let orders: Vec<String> = permutations(items)
        .into_iter()
        .map(|p| p.join("; "))
        .collect();
    format!("{}(?:{})", regex::escape(&head), orders.join("|"))
}

fn permutations(items: &[String]) -> Vec<Vec<String>> {
    if items.len() <= 1 {
        return vec![items.to_vec()];
    }
    let mut out = Vec::new();
    for i in 0..items.len() {
        let mut rest = items.to_vec();
        let first = rest.remove(i);
        for mut p in permutations(&rest) {
            p.insert(0, first.clone());
            out.push(p);
        }
    }
    out
}

/// One `Value … at '…' failed to satisfy constraint: …` item; the value may be shown or left
/// out (both are seen for sensitive members, §3.2).
pub(crate) fn item(wire: &str, rule: &str) -> String {
    format!(
        r"Value(?: '[^']*')? at '{}' failed to satisfy constraint: Member must {}",
        regex::escape(wire),
        regex::escape(rule)
    )
}

fn null_item(wire: &str) -> String {
    format!(
        r"Value null at '{}' failed to satisfy constraint: Member must not be null",
        regex::escape(wire)
    )
}

/// Over-max cases are inferred: Cognito's validation messages are seen with "must not be null",
/// "greater than or equal to" and the pattern phrase, but this phrase only in another service.
const LENGTH_MAX_NOTE: &str = "The limit is the model's (spec §2.1), but the \"must have length less than or equal to\" wording is known only from another AWS service (§3.2); that Cognito words its maximum the same way is inferred.";
const SERIALIZATION_NOTE: &str = "A member of the wrong JSON type is refused with SerializationException by other Cognito operations (spec §1.5); not captured for ConfirmSignUp itself.";
const BOOLEAN_NOTE: &str = "The model types the member as boolean (spec §2.1), but the only live evidence, a 2026 probe of another Cognito operation, saw a string accepted for a boolean member (§1.5), so this case expects acceptance and checks nothing that depends on the value Cognito reads from the string.";

struct Builder<'a> {
    m: &'a Member,
    out: Vec<Json>,
}

impl Builder<'_> {
    /// Adds a case expecting InvalidParameterException with `items`; returns it for additions.
    fn validation(
        &mut self,
        variant: &str,
        title: String,
        value: Json,
        items: Vec<String>,
        confidence: &str,
    ) -> &mut Json {
        let m = self.m;
        let case = json!({
            "id": format!("member-{}-{variant}", kebab(&m.name)),
            "title": title,
            "checks": format!("400 InvalidParameterException with {} validation error(s) naming {}", items.len(), m.wire.as_deref().unwrap_or(&m.name)),
            "spec": "Decision order 2; §2.1; §3.2",
            "confidence": confidence,
            "user": "unconfirmed",
            "client": m.client,
            "request": {m.name.clone(): value},
            "expect": {"status": 400, "error": "InvalidParameterException", "message": validation_message(&items)},
        });
        self.out.push(case);
        self.out.last_mut().expect("just pushed")
    }

    /// A value one over the maximum length `max` of the member `wire`: the wording of the
    /// item is inferred (LENGTH_MAX_NOTE).
    fn over_max(&mut self, variant: &str, title: String, value: Json, wire: &str, max: usize) {
        let items = vec![item(
            wire,
            &format!("have length less than or equal to {max}"),
        )];
        self.validation(variant, title, value, items, "inferred")["note"] = json!(LENGTH_MAX_NOTE);
    }

    fn wrong_type(&mut self, variant: &str, what: &str, value: Json, note: &str) {
        let m = self.m;
        self.out.push(json!({
            "id": format!("member-{}-{variant}", kebab(&m.name)),
            "title": format!("{} sent as {what}", m.name),
            "checks": "400 SerializationException",
            "spec": "Decision order 1; §1.5; §2.1",
            "confidence": "inferred",
            "note": note,
            "user": "unconfirmed",
            "client": m.client,
            "request": {m.name.clone(): value},
            "expect": {"status": 400, "error": "SerializationException"},
        }));
    }
}

fn repeat(filler: &str, n: usize) -> Json {
    Json::String(format!("$repeat({filler},{n})"))
}

/// The generated cases, as catalog entries (the same shape as `fixtures/cases.yaml`).
pub fn generate(table: &Table) -> Vec<Json> {
    let mut all = Vec::new();
    for m in &table.members {
        let mut b = Builder { m, out: Vec::new() };
        let name = &m.name;
        match m.kind {
            Kind::String => {
                let wire = m.wire.as_deref().unwrap_or(name);
                let (min, max) = (m.min.unwrap_or(0), m.max.unwrap_or(usize::MAX));
                let filler = m.filler.as_deref().unwrap_or("a");
                let observed = name == "ConfirmationCode";
                // Documented: the constraint is the model's, and Cognito's own validation
                // messages (§3.2) show the null, pattern and "greater than or equal to"
                // wordings. The over-max wording is not among them (LENGTH_MAX_NOTE).
                let conf = |seen: bool| if seen { "observed" } else { "documented" };
                if m.required {
                    b.validation(
                        "missing",
                        format!("{name} left out"),
                        json!("$omit"),
                        vec![null_item(wire)],
                        conf(observed),
                    );
                }
                if min >= 1 {
                    let mut items = vec![item(
                        wire,
                        &format!("have length greater than or equal to {min}"),
                    )];
                    if let Some(p) = &m.pattern {
                        items.push(item(
                            wire,
                            &format!("satisfy regular expression pattern: {p}"),
                        ));
                    }
                    b.validation(
                        "empty",
                        format!("{name} empty"),
                        json!(""),
                        items,
                        conf(false),
                    );
                }
                if min > 1 {
                    b.validation(
                        "under-min",
                        format!("{name} of {} characters, one under the minimum", min - 1),
                        repeat(filler, min - 1),
                        vec![item(
                            wire,
                            &format!("have length greater than or equal to {min}"),
                        )],
                        conf(false),
                    );
                }
                b.over_max(
                    "over-max",
                    format!("{name} of {} characters, one over the maximum", max + 1),
                    repeat(filler, max + 1),
                    wire,
                    max,
                );
                if let (Some(p), Some(bad)) = (&m.pattern, &m.outside_pattern) {
                    b.validation(
                        "pattern",
                        format!("{name} outside the pattern {p}"),
                        json!(bad),
                        vec![item(
                            wire,
                            &format!("satisfy regular expression pattern: {p}"),
                        )],
                        conf(observed),
                    );
                }
                if let Some(at_max) = &m.at_max {
                    let mut case = json!({
                        "id": format!("member-{}-at-max", kebab(name)),
                        "title": format!("{name} of {max} characters, the maximum: validation lets it through"),
                        "checks": format!("not InvalidParameterException: {}", at_max["expect"]["error"].as_str().unwrap_or("success")),
                        "spec": "Decision order 2; §2.1",
                        "client": m.client,
                        "request": {name.clone(): repeat(filler, max)},
                    });
                    for (k, v) in at_max.as_object().into_iter().flatten() {
                        case[k] = v.clone();
                    }
                    b.out.push(case);
                }
                b.wrong_type("number", "a number", json!(12345), SERIALIZATION_NOTE);
                b.wrong_type(
                    "map",
                    "a map",
                    json!({"cogbench": "map"}),
                    SERIALIZATION_NOTE,
                );
            }
            Kind::Boolean => {
                // Not wrong_type: the live evidence says a string is accepted (BOOLEAN_NOTE).
                // Against a user with no alias clash the answer is the same whatever value
                // the string reads as.
                b.out.push(json!({
                    "id": format!("member-{}-string", kebab(name)),
                    "title": format!("{name} sent as the string \"true\""),
                    "checks": "200: the string is accepted, as seen live for a boolean member of another Cognito operation; the user is CONFIRMED",
                    "spec": "Decision order 1, 9; §1.5; §2.1",
                    "confidence": "inferred",
                    "note": BOOLEAN_NOTE,
                    "user": "unconfirmed",
                    "client": m.client,
                    "request": {name.clone(): "true"},
                    "expect": {"status": 200, "body": "output", "post": [{"of": "user", "status": "CONFIRMED"}]},
                }));
                b.wrong_type("number", "the number 1", json!(1), SERIALIZATION_NOTE);
            }
            Kind::Structure => {
                b.wrong_type("string", "a string", json!("cogbench"), SERIALIZATION_NOTE);
                for (field, f) in &m.fields {
                    let kf = kebab(field);
                    b.wrong_type(
                        &format!("{kf}-number"),
                        &format!("a structure whose {field} is a number"),
                        json!({field.clone(): 7}),
                        SERIALIZATION_NOTE,
                    );
                    if let Some(max) = f.max {
                        let wire = f.wire.clone().unwrap_or_else(|| field.clone());
                        b.over_max(
                            &format!("{kf}-over-max"),
                            format!(
                                "{name}.{field} of {} characters, one over the maximum",
                                max + 1
                            ),
                            json!({field.clone(): repeat("e", max + 1)}),
                            &wire,
                            max,
                        );
                    }
                }
            }
            Kind::Map => {
                b.wrong_type("string", "a string", json!("cogbench"), SERIALIZATION_NOTE);
                b.wrong_type(
                    "value-number",
                    "a map with a number value",
                    json!({"cogbench": 7}),
                    SERIALIZATION_NOTE,
                );
            }
        }
        all.extend(b.out);
    }
    all.push(json!({
        "id": "member-unknown-ignored",
        "title": "An extra member the model does not define",
        "checks": "200: the unknown member is ignored and the user is CONFIRMED",
        "spec": "§1.1; §2.1",
        "confidence": "inferred",
        "note": "The sources do not say how Cognito treats a request member the model does not define (§2.1 lists the modelled ones); AWS JSON services ignore them.",
        "user": "unconfirmed",
        "request": {"CogbenchUnknownMember": "ignored"},
        "expect": {"status": 200, "body": "output", "post": [{"of": "user", "status": "CONFIRMED"}]},
    }));
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        crate::yaml::from_str(TABLE, std::path::Path::new("fixtures/members.yaml")).unwrap()
    }

    #[test]
    fn every_member_of_the_model_is_in_the_table() {
        let names: Vec<String> = table().members.into_iter().map(|m| m.name).collect();
        for m in [
            "ClientId",
            "SecretHash",
            "Username",
            "ConfirmationCode",
            "ForceAliasCreation",
            "AnalyticsMetadata",
            "UserContextData",
            "ClientMetadata",
            "Session",
        ] {
            assert!(names.iter().any(|n| n == m), "{m}");
        }
    }

    #[test]
    fn string_members_get_every_constraint_case() {
        let ids: Vec<String> = generate(&table())
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect();
        for v in [
            "missing", "empty", "over-max", "at-max", "pattern", "number", "map",
        ] {
            assert!(ids.contains(&format!("member-client-id-{v}")), "{v}");
        }
        assert!(
            !ids.contains(&"member-secret-hash-missing".to_owned()),
            "SecretHash is optional"
        );
        assert!(ids.contains(&"member-session-under-min".to_owned()));
        assert!(
            !ids.contains(&"member-session-pattern".to_owned()),
            "Session has no pattern"
        );
    }

    #[test]
    fn messages_accept_either_order_and_either_value_form() {
        let re = regex::Regex::new(&format!(
            "^(?:{})$",
            validation_message(&[
                item("clientId", "have length greater than or equal to 1"),
                item("clientId", r"satisfy regular expression pattern: [\w+]+")
            ])
        ))
        .unwrap();
        assert!(re.is_match(r"2 validation errors detected: Value '' at 'clientId' failed to satisfy constraint: Member must have length greater than or equal to 1; Value '' at 'clientId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+]+"));
        assert!(re.is_match(r"2 validation errors detected: Value at 'clientId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+]+; Value at 'clientId' failed to satisfy constraint: Member must have length greater than or equal to 1"));
        assert!(!re.is_match(r"1 validation error detected: Value at 'clientId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+]+"));
    }
}
