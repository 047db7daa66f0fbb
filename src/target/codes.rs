//! Code sources: how cogbench learns the confirmation code of a user it signed up.

use std::time::Duration;

use serde_json::Value;

use super::api::{Api, ApiError, encode_segment};
use crate::target_kinds::CodeSource;

/// A short description for reports (no secrets: templates are the user's own).
pub fn describe(source: &CodeSource) -> String {
    match source {
        CodeSource::EmulatorRoute => "GET /_emulator/codes/{pool}/{username}".into(),
        CodeSource::CognitoLocal { data_dir } => {
            format!("cognito-local database in {}", data_dir.display())
        }
        CodeSource::Fixed(_) => "a fixed code (the target checks none)".into(),
        CodeSource::Http { url } => format!("GET {}", crate::term::redact_url(url)),
        CodeSource::Command { command } => format!("command: {command}"),
        CodeSource::None => "none".into(),
    }
}

fn failed(what: &str, detail: impl Into<String>) -> ApiError {
    ApiError::Malformed {
        what: what.to_owned(),
        status: 0,
        detail: detail.into(),
    }
}

/// The current code of `username` (the name the target stores) in `pool_id`.
pub async fn read(
    source: &CodeSource,
    api: &Api,
    pool_id: &str,
    username: &str,
) -> Result<String, ApiError> {
    match source {
        CodeSource::EmulatorRoute => api.code(pool_id, username).await,
        CodeSource::Fixed(code) => Ok(code.clone()),
        CodeSource::None => Ok(String::new()),
        CodeSource::Http { url } => {
            let url = render(url, pool_id, username, encode_segment);
            api.get_text(
                &url,
                &format!("GET {}", crate::term::redact_url(&url)),
                "no code in the answer",
            )
            .await
        }
        CodeSource::Command { command } => {
            let command = render(command, pool_id, username, shell_quote);
            let (status, stdout) = run_bounded(&command).await?;
            let code = String::from_utf8_lossy(&stdout).trim().to_owned();
            if status.success() && !code.is_empty() {
                Ok(code)
            } else {
                Err(failed(
                    "codes command",
                    format!("exited {status} with no code on its output"),
                ))
            }
        }
        CodeSource::CognitoLocal { data_dir } => {
            let file = data_dir.join(".cognito/db").join(format!("{pool_id}.json"));
            // The file is rewritten after each change; a read can race the write.
            let mut last = String::new();
            for _ in 0..250 {
                match tokio::fs::read(&file).await {
                    // cognito-local rewrites the file in place: a shorter write can leave the tail
                    // of an older one behind the JSON. The first JSON value is the current one.
                    Ok(bytes) => match first_json_value(&bytes) {
                        Ok(db) => match cognito_local_code(&db, username) {
                            Some(code) => return Ok(code),
                            None => {
                                last =
                                    format!("no code for user `{username}` in {}", file.display())
                            }
                        },
                        Err(e) => last = format!("{} is not JSON yet: {e}", file.display()),
                    },
                    Err(e) => last = format!("cannot read {}: {e}", file.display()),
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            Err(failed("reading cognito-local's database", last))
        }
    }
}

fn first_json_value(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    serde_json::Deserializer::from_slice(bytes)
        .into_iter::<Value>()
        .next()
        .unwrap_or_else(|| serde_json::from_slice(b""))
}

/// cognito-local keeps users under `Users`, keyed by username (the sub in UsernameAttributes
/// pools), each with its `ConfirmationCode`.
fn cognito_local_code(db: &Value, username: &str) -> Option<String> {
    let users = db.get("Users")?.as_object()?;
    let user = users.get(username).or_else(|| {
        users.values().find(|u| {
            u.get("Username").and_then(Value::as_str) == Some(username)
                || u.get("Attributes")
                    .and_then(Value::as_array)
                    .is_some_and(|attrs| {
                        attrs.iter().any(|a| {
                            a.get("Name").and_then(Value::as_str) == Some("sub")
                                && a.get("Value").and_then(Value::as_str) == Some(username)
                        })
                    })
        })
    })?;
    user.get("ConfirmationCode")?
        .as_str()
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
}

fn render(template: &str, pool: &str, username: &str, escape: fn(&str) -> String) -> String {
    template
        .replace("{pool}", &escape(pool))
        .replace("{username}", &escape(username))
}

/// Single-quotes a value for `sh -c`, so a username never becomes shell syntax.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Most a codes command may print: a code is a few characters, and a command that prints
/// without end (`yes`) must not fill memory.
const COMMAND_OUTPUT_MAX: u64 = 64 << 10;

/// Runs a codes command, reading at most [`COMMAND_OUTPUT_MAX`] of its output; past that it
/// is killed and refused.
async fn run_bounded(command: &str) -> Result<(std::process::ExitStatus, Vec<u8>), ApiError> {
    use tokio::io::AsyncReadExt;
    let mut child = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| failed("codes command", format!("could not run it: {e}")))?;
    let mut stdout = Vec::new();
    if let Some(out) = child.stdout.take() {
        out.take(COMMAND_OUTPUT_MAX + 1)
            .read_to_end(&mut stdout)
            .await
            .map_err(|e| failed("codes command", format!("could not read its output: {e}")))?;
    }
    if stdout.len() as u64 > COMMAND_OUTPUT_MAX {
        let _ = child.kill().await;
        return Err(failed(
            "codes command",
            format!(
                "printed more than {}, not a code",
                crate::files::size(COMMAND_OUTPUT_MAX)
            ),
        ));
    }
    let status = child
        .wait()
        .await
        .map_err(|e| failed("codes command", format!("could not wait for it: {e}")))?;
    Ok((status, stdout))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_cognito_local_code_by_key_username_or_sub() {
        let db = serde_json::json!({"Users": {
            "alice": {"Username": "alice", "ConfirmationCode": "111111", "Attributes": [{"Name": "sub", "Value": "s-1"}]},
            "s-2": {"Username": "s-2", "ConfirmationCode": "222222", "Attributes": [{"Name": "sub", "Value": "s-2"}]},
            "carol": {"Username": "carol", "Attributes": []},
        }});
        assert_eq!(cognito_local_code(&db, "alice").as_deref(), Some("111111"));
        assert_eq!(cognito_local_code(&db, "s-1").as_deref(), Some("111111"));
        assert_eq!(cognito_local_code(&db, "s-2").as_deref(), Some("222222"));
        assert_eq!(cognito_local_code(&db, "carol"), None);
        assert_eq!(cognito_local_code(&db, "dave"), None);
    }

    #[test]
    fn a_stale_tail_after_the_json_is_ignored() {
        let v = first_json_value(br#"{"Users": {}}  }, "old": 1}"#).unwrap();
        assert_eq!(v, serde_json::json!({"Users": {}}));
        assert!(first_json_value(br#"{"Users": "#).is_err());
        assert!(first_json_value(b"").is_err());
    }

    #[test]
    fn templates_escape_what_they_substitute() {
        assert_eq!(
            render("http://x/{pool}/{username}", "p_1", "a b", encode_segment),
            "http://x/p_1/a%20b"
        );
        assert_eq!(
            render("get-code {username}", "p", "o'neil; rm -rf /", shell_quote),
            r"get-code 'o'\''neil; rm -rf /'"
        );
    }

    /// `bob`'s code in pool `p`, read with a command template (no API call is made).
    async fn by_command(command: &str) -> Result<String, ApiError> {
        let api = Api::new(
            crate::client::build(&Default::default()).unwrap(),
            "http://127.0.0.1:9",
        );
        let source = CodeSource::Command {
            command: command.into(),
        };
        read(&source, &api, "p", "bob").await
    }

    #[tokio::test]
    async fn a_command_prints_the_code() {
        assert_eq!(
            by_command("echo code-for-{username}").await.unwrap(),
            "code-for-bob"
        );
        assert!(by_command("false {username}").await.is_err());
    }

    /// A command that prints without end used to be read whole, filling memory.
    #[tokio::test]
    async fn a_command_that_prints_without_end_is_cut_off() {
        let e = by_command("yes {username}").await.unwrap_err().to_string();
        assert!(e.contains("printed more than 64 KiB"), "{e}");
    }
}
