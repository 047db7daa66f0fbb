//! A reference SigV4 signer for tests, written step by step from the algorithm (canonical
//! request, string to sign, derived key, signature) with `hmac` and `sha2` only, so that it
//! judges the `aws-sigv4` crate instead of repeating it. Header-signed requests without a query
//! string, which is all cogbench sends. Also compiled into the library's unit tests
//! (`src/target/sigv4.rs`).

#![allow(dead_code)]

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

/// What signs: the key pair and the credential scope's region and service.
pub struct Key<'a> {
    pub access_key: &'a str,
    pub secret_key: &'a str,
    pub region: &'a str,
    pub service: &'a str,
}

impl<'a> Key<'a> {
    pub fn new(
        access_key: &'a str,
        secret_key: &'a str,
        region: &'a str,
        service: &'a str,
    ) -> Key<'a> {
        Key {
            access_key,
            secret_key,
            region,
            service,
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hmac(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

/// A header value as the canonical request has it: trimmed, inner runs of spaces made one.
fn canonical_value(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The `Authorization` header for a request whose signed headers are exactly `headers` (names
/// in any case; `host` and `x-amz-date` must be among them), at `amz_date` (`YYYYMMDDTHHMMSSZ`).
pub fn authorization(
    key: &Key<'_>,
    amz_date: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> String {
    // 1. Canonical request.
    let mut sorted: Vec<(String, String)> = headers
        .iter()
        .map(|(n, v)| (n.to_ascii_lowercase(), canonical_value(v)))
        .collect();
    sorted.sort();
    let canonical_headers: String = sorted.iter().map(|(n, v)| format!("{n}:{v}\n")).collect();
    let signed_headers = sorted
        .iter()
        .map(|(n, _)| n.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let canonical_request = format!(
        "{method}\n{path}\n\n{canonical_headers}\n{signed_headers}\n{}",
        sha256_hex(body)
    );
    // 2. String to sign.
    let date = &amz_date[..8];
    let scope = format!("{date}/{}/{}/aws4_request", key.region, key.service);
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        sha256_hex(canonical_request.as_bytes())
    );
    // 3. Signing key: HMAC chain over date, region, service and the terminator.
    let k_date = hmac(
        format!("AWS4{}", key.secret_key).as_bytes(),
        date.as_bytes(),
    );
    let k_region = hmac(&k_date, key.region.as_bytes());
    let k_service = hmac(&k_region, key.service.as_bytes());
    let k_signing = hmac(&k_service, b"aws4_request");
    // 4. Signature.
    let signature = hex(&hmac(&k_signing, string_to_sign.as_bytes()));
    format!(
        "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={signature}",
        key.access_key
    )
}

/// The parts of a SigV4 `Authorization` header.
#[derive(Debug)]
pub struct Authorization {
    pub access_key: String,
    /// `YYYYMMDD`
    pub date: String,
    pub region: String,
    pub service: String,
    pub signed_headers: Vec<String>,
    pub signature: String,
}

impl Authorization {
    /// `None` when `value` is not a header-signed SigV4 `Authorization` value.
    pub fn parse(value: &str) -> Option<Authorization> {
        let rest = value.strip_prefix("AWS4-HMAC-SHA256 Credential=")?;
        let (credential, rest) = rest.split_once(", SignedHeaders=")?;
        let (signed, signature) = rest.split_once(", Signature=")?;
        let parts: Vec<&str> = credential.split('/').collect();
        let [access_key, date, region, service, "aws4_request"] = parts[..] else {
            return None;
        };
        Some(Authorization {
            access_key: access_key.to_owned(),
            date: date.to_owned(),
            region: region.to_owned(),
            service: service.to_owned(),
            signed_headers: signed.split(';').map(str::to_owned).collect(),
            signature: signature.to_owned(),
        })
    }
}
