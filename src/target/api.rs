//! Calls to the Cognito operations used for provisioning and read-back, and to the
//! emulator's side routes. Not on the load path.

use std::sync::Arc;

use serde_json::Value;

use super::sigv4::Signer;
use crate::protocol::{self, Operation};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{endpoint} did not answer {what}: {detail}")]
    Transport {
        endpoint: String,
        what: String,
        detail: String,
    },
    #[error("{what} was refused: HTTP {status} {error_type}{}", message.as_deref().map(|m| format!(": {m}")).unwrap_or_default())]
    Service {
        what: String,
        status: u16,
        error_type: String,
        message: Option<String>,
    },
    #[error("{what}: unexpected answer (HTTP {status}): {detail}")]
    Malformed {
        what: String,
        status: u16,
        detail: String,
    },
    #[error("{what} could not be signed: {detail}")]
    Signing { what: String, detail: String },
    /// Not the target's doing: a local input the set-up reads failed it (the users CSV
    /// changed under the run).
    #[error("{detail}")]
    Input { what: String, detail: String },
}

impl ApiError {
    /// The same error with every occurrence of `secrets` masked: a target may echo a request
    /// (a password, a client secret) back in its message.
    pub fn redacted(self, secrets: &[&str]) -> ApiError {
        let mask = |mut s: String| {
            for secret in secrets.iter().filter(|x| x.len() >= 4) {
                s = s.replace(secret, "***");
            }
            s
        };
        match self {
            ApiError::Transport {
                endpoint,
                what,
                detail,
            } => ApiError::Transport {
                endpoint,
                what,
                detail: mask(detail),
            },
            ApiError::Service {
                what,
                status,
                error_type,
                message,
            } => ApiError::Service {
                what,
                status,
                error_type,
                message: message.map(mask),
            },
            ApiError::Malformed {
                what,
                status,
                detail,
            } => ApiError::Malformed {
                what,
                status,
                detail: mask(detail),
            },
            ApiError::Signing { what, detail } => ApiError::Signing {
                what,
                detail: mask(detail),
            },
            ApiError::Input { what, detail } => ApiError::Input {
                what,
                detail: mask(detail),
            },
        }
    }
}

#[derive(Clone)]
pub struct Api {
    client: reqwest::Client,
    endpoint: String,
    /// Signs the operations that need it (`Operation::signed`); `None` sends all unsigned.
    signer: Option<Arc<Signer>>,
}

impl Api {
    pub fn new(client: reqwest::Client, endpoint: &str) -> Api {
        Api {
            client,
            endpoint: endpoint.trim_end_matches('/').to_owned(),
            signer: None,
        }
    }

    /// The same API with SigV4 on the provisioning and admin operations.
    pub fn with_signer(self, signer: Option<Arc<Signer>>) -> Api {
        Api { signer, ..self }
    }

    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    pub async fn call(&self, op: Operation, input: &Value) -> Result<Value, ApiError> {
        let what = op.name().to_owned();
        let url = format!("{}/", self.endpoint);
        let body = serde_json::to_vec(input).expect("a JSON value serialises");
        let mut request = self
            .client
            .post(&url)
            .header(reqwest::header::CONTENT_TYPE, protocol::CONTENT_TYPE)
            .header(protocol::HEADER_TARGET, op.target());
        if let Some(signer) = self.signer.as_ref().filter(|_| op.signed()) {
            // The URL as the client sends it (host in lower case, no default port): the
            // signature covers the Host header it makes.
            let sent = reqwest::Url::parse(&url).map_or_else(|_| url.clone(), String::from);
            let signed = signer
                .headers(
                    &sent,
                    &[
                        ("content-type", protocol::CONTENT_TYPE),
                        (protocol::HEADER_TARGET, op.target()),
                    ],
                    &body,
                )
                .await
                .map_err(|e| ApiError::Signing {
                    what: what.clone(),
                    detail: e.to_string(),
                })?;
            for (name, value) in signed {
                request = request.header(name, value);
            }
        }
        let mut response = request
            .body(body)
            .send()
            .await
            .map_err(|e| self.transport(&what, &e))?;
        let status = response.status().as_u16();
        let error_header = response
            .headers()
            .get(protocol::HEADER_ERROR_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = crate::client::read_body(&mut response)
            .await
            .map_err(|e| self.body_error(&what, &e))?;
        if (200..300).contains(&status) {
            let body: &[u8] = if body.is_empty() { b"{}" } else { &body };
            return serde_json::from_slice(body).map_err(|e| ApiError::Malformed {
                what,
                status,
                detail: format!("not JSON ({e})"),
            });
        }
        match protocol::parse_error(&body, error_header.as_deref()) {
            Some(e) => Err(ApiError::Service {
                what,
                status,
                error_type: e.error_type,
                message: e.message,
            }),
            None => Err(ApiError::Malformed {
                what,
                status,
                detail: crate::cases::judge::excerpt(&body),
            }),
        }
    }

    /// The user's current confirmation code from `GET /_emulator/codes/{pool}/{user}`.
    pub async fn code(&self, pool_id: &str, username: &str) -> Result<String, ApiError> {
        let url = format!(
            "{}/_emulator/codes/{}/{}",
            self.endpoint,
            encode_segment(pool_id),
            encode_segment(username)
        );
        self.get_text(&url, "GET /_emulator/codes", "no code for this user (is the target a cogbench emulator, or a server with its /_emulator/ routes?)")
            .await
    }

    /// The trimmed body of a `GET` that must answer 200 with a code in it (`what` names the
    /// step in errors, `missing` says what an empty or non-200 answer means).
    pub async fn get_text(&self, url: &str, what: &str, missing: &str) -> Result<String, ApiError> {
        let mut response = self
            .client
            .get(url)
            .send()
            .await
            .map_err(|e| self.transport(what, &e))?;
        let status = response.status().as_u16();
        let body = crate::client::read_body(&mut response)
            .await
            .map_err(|e| self.body_error(what, &e))?;
        let body = String::from_utf8_lossy(&body);
        if status == 200 && !body.trim().is_empty() {
            Ok(body.trim().to_owned())
        } else {
            Err(ApiError::Malformed {
                what: what.to_owned(),
                status,
                detail: missing.to_owned(),
            })
        }
    }

    /// Moves the emulator's clock forward: `POST /_emulator/clock/advance?seconds=N`.
    pub async fn advance_clock(&self, seconds: u64) -> Result<(), ApiError> {
        let what = "POST /_emulator/clock/advance".to_owned();
        let url = format!(
            "{}/_emulator/clock/advance?seconds={seconds}",
            self.endpoint
        );
        let response = self
            .client
            .post(url)
            .send()
            .await
            .map_err(|e| self.transport(&what, &e))?;
        let status = response.status().as_u16();
        if status == 200 {
            Ok(())
        } else {
            Err(ApiError::Malformed {
                what,
                status,
                detail: "the target did not move its clock".into(),
            })
        }
    }

    fn body_error(&self, what: &str, e: &crate::client::BodyError) -> ApiError {
        ApiError::Transport {
            endpoint: self.endpoint.clone(),
            what: what.to_owned(),
            detail: e.to_string(),
        }
    }

    fn transport(&self, what: &str, e: &reqwest::Error) -> ApiError {
        ApiError::Transport {
            endpoint: self.endpoint.clone(),
            what: what.to_owned(),
            detail: crate::client::describe_transport_error(e),
        }
    }
}

/// Percent-encodes one URL path segment (RFC 3986 unreserved characters pass through).
pub fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn encodes_path_segments() {
        assert_eq!(super::encode_segment("us-east-1_AbC"), "us-east-1_AbC");
        assert_eq!(super::encode_segment("a@b.com/x y"), "a%40b.com%2Fx%20y");
        assert_eq!(super::encode_segment("é"), "%C3%A9");
    }
}
