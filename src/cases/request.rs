//! A case's request compiled once per run into static bytes and the few fields that change
//! per request, so the hot path only copies and escapes.

use std::fmt::Write as _;

use super::catalog::{Case, Field, TargetHeader, Value};
use crate::protocol::secret_hash;

/// The user a request is about. `sub`, `email` and `code` are empty when the target has no
/// such user (an unknown-user case).
#[derive(Debug, Clone, Copy)]
pub struct UserView<'a> {
    pub username: &'a str,
    pub sub: &'a str,
    pub email: &'a str,
    pub code: &'a str,
    pub old_code: &'a str,
}

/// The app client a case's requests go to.
#[derive(Debug, Clone)]
pub struct ClientView {
    pub client_id: String,
    pub secret: Option<String>,
}

/// The key of `$wrong_secret_hash`: a well-formed hash made with a key no client has.
const WRONG_SECRET: &str = "cogbench-not-the-client-secret";

#[derive(Debug, Clone)]
enum Piece {
    Static(Vec<u8>),
    Field(Field),
}

#[derive(Debug, Clone)]
pub struct RequestTemplate {
    pieces: Vec<Piece>,
    /// Which field's text goes into the SecretHash (the exact `Username` sent, spec §4.1).
    username_source: UsernameSource,
    client_id: String,
    secret: Option<String>,
    pub target: Option<String>,
    pub content_type: String,
    raw_body: Option<bytes::Bytes>,
    /// The values sent as ConfirmationCode and SecretHash, whatever they are.
    hidden: Vec<Value>,
}

#[derive(Debug, Clone)]
enum UsernameSource {
    Field(Field),
    Literal(String),
}

impl RequestTemplate {
    pub fn compile(case: &Case, client: &ClientView) -> RequestTemplate {
        RequestTemplate::compile_members(case, &case.request, client)
    }

    /// The template of a sequence's last request, when the case's `last_request` changes it.
    pub fn compile_last(case: &Case, client: &ClientView) -> Option<RequestTemplate> {
        case.last_request
            .as_ref()
            .map(|members| RequestTemplate::compile_members(case, members, client))
    }

    fn compile_members(
        case: &Case,
        members: &[(String, Value)],
        client: &ClientView,
    ) -> RequestTemplate {
        let mut pieces = Vec::new();
        let mut current = b"{".to_vec();
        let mut first = true;
        let mut username_source = UsernameSource::Literal(String::new());
        let mut hidden = Vec::new();
        for (name, value) in members {
            // Whatever goes out as a code or a SecretHash is never written back out.
            if name == "ConfirmationCode" || name == "SecretHash" {
                hidden.push(value.clone());
            }
            // A SecretHash only exists for clients with a secret; a wrong one is sent regardless.
            if matches!(value, Value::Field(Field::SecretHash)) && client.secret.is_none() {
                continue;
            }
            if name == "Username" {
                username_source = match value {
                    Value::Field(f) => UsernameSource::Field(*f),
                    Value::Json(serde_json::Value::String(s)) => UsernameSource::Literal(s.clone()),
                    Value::Repeat(t, n) => UsernameSource::Literal(t.repeat(*n)),
                    _ => UsernameSource::Literal(String::new()),
                };
            }
            if !first {
                current.push(b',');
            }
            first = false;
            serde_json::to_writer(&mut current, name).expect("writing to a Vec");
            current.push(b':');
            match value {
                Value::Json(v) => serde_json::to_writer(&mut current, v).expect("writing to a Vec"),
                Value::Repeat(t, n) => {
                    serde_json::to_writer(&mut current, &t.repeat(*n)).expect("writing to a Vec")
                }
                Value::Field(Field::ClientId) => {
                    serde_json::to_writer(&mut current, &client.client_id)
                        .expect("writing to a Vec")
                }
                Value::Field(f) => {
                    pieces.push(Piece::Static(std::mem::take(&mut current)));
                    pieces.push(Piece::Field(*f));
                }
                Value::Omit => unreachable!("omitted members are removed when the catalog loads"),
            }
        }
        current.push(b'}');
        pieces.push(Piece::Static(current));
        RequestTemplate {
            hidden,
            pieces,
            username_source,
            client_id: client.client_id.clone(),
            secret: client.secret.clone(),
            target: match &case.http.target {
                TargetHeader::ConfirmSignUp => Some(
                    crate::protocol::Operation::ConfirmSignUp
                        .target()
                        .to_owned(),
                ),
                TargetHeader::Omit => None,
                TargetHeader::Custom(t) => Some(t.clone()),
            },
            content_type: case.http.content_type.clone(),
            raw_body: case
                .http
                .body
                .as_ref()
                .map(|b| bytes::Bytes::from(b.clone().into_bytes())),
        }
    }

    /// The request body for `user`, written into `out` (cleared first).
    pub fn write_body(&self, user: &UserView<'_>, out: &mut Vec<u8>) {
        out.clear();
        if let Some(raw) = &self.raw_body {
            out.extend_from_slice(raw);
            return;
        }
        let mut scratch = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Static(b) => out.extend_from_slice(b),
                Piece::Field(f) => {
                    let text: &str = match f {
                        Field::ClientId => &self.client_id,
                        Field::Username => user.username,
                        Field::UsernameUpper => {
                            scratch = user.username.to_uppercase();
                            &scratch
                        }
                        Field::Sub => user.sub,
                        Field::Email => user.email,
                        Field::Code => user.code,
                        Field::OldCode => user.old_code,
                        Field::WrongCode => {
                            scratch.clear();
                            wrong_code(user.code, &mut scratch);
                            &scratch
                        }
                        Field::SecretHash => {
                            scratch = self.secret_hash_for(user, self.secret.as_deref());
                            &scratch
                        }
                        Field::WrongSecretHash => {
                            scratch = self.secret_hash_for(user, Some(WRONG_SECRET));
                            &scratch
                        }
                    };
                    serde_json::to_writer(&mut *out, text).expect("writing to a Vec");
                }
            }
        }
    }

    fn secret_hash_for(&self, user: &UserView<'_>, secret: Option<&str>) -> String {
        let upper;
        let username: &str = match &self.username_source {
            UsernameSource::Field(Field::Username) => user.username,
            UsernameSource::Field(Field::UsernameUpper) => {
                upper = user.username.to_uppercase();
                &upper
            }
            UsernameSource::Field(Field::Sub) => user.sub,
            UsernameSource::Field(Field::Email) => user.email,
            UsernameSource::Field(_) => "",
            UsernameSource::Literal(s) => s,
        };
        secret_hash(secret.unwrap_or(WRONG_SECRET), username, &self.client_id)
    }

    /// The app client's secret, when it has one.
    pub fn secret(&self) -> Option<&str> {
        self.secret.as_deref()
    }

    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// Values of this request that must never reach a report: the code, and the SecretHash
    /// derived from the client secret.
    pub fn sensitive_values(&self, user: &UserView<'_>) -> Vec<String> {
        let mut v = Vec::new();
        for code in [user.code, user.old_code] {
            if !code.is_empty() {
                v.push(code.to_owned());
                // The wrong code is the code with each digit moved by one: it gives it away.
                let mut wrong = String::new();
                wrong_code(code, &mut wrong);
                v.push(wrong);
            }
        }
        if let Some(secret) = &self.secret {
            v.push(secret.clone());
            v.push(self.secret_hash_for(user, Some(secret)));
        }
        for value in &self.hidden {
            match value {
                Value::Json(serde_json::Value::String(s)) => v.push(s.clone()),
                Value::Json(other) => v.push(other.to_string()),
                Value::Repeat(t, n) => v.push(t.repeat(*n)),
                Value::Field(Field::WrongSecretHash) => {
                    v.push(self.secret_hash_for(user, Some(WRONG_SECRET)));
                }
                // The user's codes and the client's SecretHash are in already.
                Value::Field(_) | Value::Omit => {}
            }
        }
        v
    }
}

/// A code of the same shape as `code` that is certainly different: each digit moved by one,
/// or a suffix for non-numeric codes.
pub fn wrong_code(code: &str, out: &mut String) {
    if !code.is_empty() && code.bytes().all(|b| b.is_ascii_digit()) {
        for b in code.bytes() {
            out.push((b'0' + (b - b'0' + 1) % 10) as char);
        }
    } else if code.is_empty() {
        out.push_str("000000");
    } else {
        let _ = write!(out, "{code}0");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::Catalog;

    fn user() -> UserView<'static> {
        UserView {
            username: "alice",
            sub: "4d5c2f7e-0000-4000-8000-000000000001",
            email: "alice@example.com",
            code: "123456",
            old_code: "654321",
        }
    }

    fn body(case: &str, client: &ClientView) -> serde_json::Value {
        let catalog = Catalog::builtin();
        written(&RequestTemplate::compile(
            catalog.get(case).unwrap(),
            client,
        ))
    }

    /// The body `t` writes for `user()`, as JSON.
    fn written(t: &RequestTemplate) -> serde_json::Value {
        let mut out = Vec::new();
        t.write_body(&user(), &mut out);
        serde_json::from_slice(&out).unwrap()
    }

    /// Whether the case's body leaves `member` out.
    fn omits(case: &str, client: &ClientView, member: &str) -> bool {
        body(case, client).get(member).is_none()
    }

    fn public() -> ClientView {
        ClientView {
            client_id: "client1".into(),
            secret: None,
        }
    }

    fn secret() -> ClientView {
        ClientView {
            client_id: "client2".into(),
            secret: Some("s3cr3t".into()),
        }
    }

    #[test]
    fn default_request_for_a_public_client_has_no_secret_hash() {
        assert_eq!(
            body("valid-code", &public()),
            serde_json::json!({"ClientId": "client1", "Username": "alice", "ConfirmationCode": "123456"})
        );
    }

    #[test]
    fn secret_client_gets_the_computed_hash_over_the_sent_username() {
        let b = body("secret-hash-correct", &secret());
        assert_eq!(b["SecretHash"], secret_hash("s3cr3t", "alice", "client2"));
        let b = body("secret-hash-wrong", &secret());
        assert_ne!(b["SecretHash"], secret_hash("s3cr3t", "alice", "client2"));
        assert!(omits("secret-hash-missing", &secret(), "SecretHash"));
    }

    #[test]
    fn members_are_replaced_one_at_a_time() {
        assert_eq!(body("wrong-code", &public())["ConfirmationCode"], "234567");
        assert_eq!(body("confirm-by-sub", &public())["Username"], user().sub);
        assert_eq!(body("alias-force", &public())["ForceAliasCreation"], true);
        assert_eq!(
            body("username-too-long", &public())["Username"]
                .as_str()
                .unwrap()
                .len(),
            129
        );
        assert!(omits("code-missing", &public(), "ConfirmationCode"));
    }

    #[test]
    fn a_sequence_last_request_has_its_own_body() {
        let catalog = Catalog::builtin();
        let case = catalog.get("attempt-limit-correct-code").unwrap();
        let others = written(&RequestTemplate::compile(case, &public()));
        let last = written(&RequestTemplate::compile_last(case, &public()).unwrap());
        assert_eq!(others["ConfirmationCode"], "234567");
        assert_eq!(last["ConfirmationCode"], "123456");
        assert_eq!(last["Username"], "alice");
        assert!(
            RequestTemplate::compile_last(catalog.get("attempt-limit").unwrap(), &public())
                .is_none()
        );
    }

    #[test]
    fn raw_bodies_are_sent_as_written() {
        let catalog = Catalog::builtin();
        let t = RequestTemplate::compile(catalog.get("malformed-json").unwrap(), &public());
        let mut out = Vec::new();
        t.write_body(&user(), &mut out);
        assert!(serde_json::from_slice::<serde_json::Value>(&out).is_err());
    }

    #[test]
    fn strings_are_escaped() {
        let catalog = Catalog::builtin();
        let t = RequestTemplate::compile(catalog.get("valid-code").unwrap(), &public());
        let mut out = Vec::new();
        let u = UserView {
            username: "a\"b\\c",
            ..user()
        };
        t.write_body(&u, &mut out);
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["Username"], "a\"b\\c");
    }

    #[test]
    fn wrong_code_differs_and_keeps_shape() {
        for code in ["000000", "999999", "123456", "abc", ""] {
            let mut s = String::new();
            wrong_code(code, &mut s);
            assert_ne!(s, code);
            if code.len() == 6 {
                assert_eq!(s.len(), 6);
            }
        }
    }
}
