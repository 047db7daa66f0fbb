//! `emulator`: the reference emulator served for other tools.

use crate::emulator::{EmulatorConfig, Faults, Quotas, Signatures, SigningKeys};
use crate::env::Env;
use crate::errln;
use crate::exit::Failure;
use crate::exit_codes::EXIT_INTERRUPTED;
use crate::interrupt::Interrupts;

/// The secret of `--signing-access-key-id`: from the environment, never the command line
/// (where `ps` and shell histories would show it).
pub const SECRET_VAR: &str = "COGBENCH_EMULATOR_SECRET_ACCESS_KEY";
pub const TOKEN_VAR: &str = "COGBENCH_EMULATOR_SESSION_TOKEN";

/// `cogbench emulator`'s options.
#[derive(Debug, Clone)]
pub struct EmulatorOptions {
    pub host: String,
    pub port: u16,
    pub region: String,
    pub attempt_limit: u32,
    pub faults: Vec<String>,
    pub quota: Vec<String>,
    pub lambda_endpoint: Option<String>,
    pub require_signature: bool,
    pub signing_access_key_id: Option<String>,
}

pub async fn emulator(
    options: EmulatorOptions,
    env: &dyn Env,
    interrupts: Interrupts,
) -> Result<i32, Failure> {
    let EmulatorOptions {
        host,
        port,
        region,
        attempt_limit,
        faults,
        quota,
        lambda_endpoint,
        ..
    } = &options;
    if let Some(url) = lambda_endpoint {
        crate::emulator::check_lambda_endpoint(url)
            .map_err(|e| Failure::BadInput(format!("--lambda-endpoint: {e}")))?;
    }
    let quotas = Quotas::parse(quota.iter().map(String::as_str))
        .map_err(|e| Failure::BadInput(format!("--quota: {e}")))?;
    let signatures = signatures(&options, env)?;
    let faults = if faults.is_empty() {
        None
    } else {
        Some(
            Faults::parse(faults.iter().map(String::as_str))
                .map_err(|e| Failure::BadInput(format!("--faults: {e}")))?,
        )
    };
    let listener = tokio::net::TcpListener::bind((host.as_str(), *port))
        .await
        .map_err(|e| Failure::Target(format!("cannot listen on {host}:{port}: {e}")))?;
    let addr = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    let faults_note = faults
        .as_ref()
        .map_or(String::new(), |f| format!(", faults {f}"));
    let signing_note = match &signatures {
        Signatures::Ignored => String::new(),
        Signatures::Required => ", signatures required".to_owned(),
        Signatures::Verified(k) => {
            format!(", signatures required and verified for {}", k.access_key_id)
        }
    };
    let quota_note = if quotas.is_empty() {
        String::new()
    } else {
        format!(", quotas {quotas} per second")
    };
    let lambda_note = lambda_endpoint.as_deref().map_or(String::new(), |u| {
        format!(", Lambda endpoint {}", crate::term::redact_url(u))
    });
    errln!(
        "cogbench emulator: listening on http://{addr} (region {region}{faults_note}{quota_note}{lambda_note}{signing_note}); Ctrl-C stops it"
    );
    let config = EmulatorConfig {
        region: region.clone(),
        attempt_limit: *attempt_limit,
        faults,
        quotas,
        signatures,
        lambda_endpoint: lambda_endpoint.clone(),
        ..Default::default()
    };
    let shutdown = async move { interrupts.nth(1).await };
    crate::emulator::serve(config, listener, shutdown)
        .await
        .map_err(|e| Failure::Failed(format!("emulator stopped: {e}")))?;
    // Stopping is what Ctrl-C and SIGTERM are for here; 130 says how it ended.
    Ok(EXIT_INTERRUPTED)
}

/// `--require-signature` and `--signing-access-key-id`, with the secret from `env`.
fn signatures(options: &EmulatorOptions, env: &dyn Env) -> Result<Signatures, Failure> {
    if !options.require_signature {
        return Ok(Signatures::Ignored);
    }
    let Some(access_key_id) = &options.signing_access_key_id else {
        return Ok(Signatures::Required);
    };
    if access_key_id.is_empty() || access_key_id.contains(['/', ',', ' ']) {
        return Err(Failure::BadInput(
            "--signing-access-key-id: expected an access key id (letters and digits, as \
             AKIA…/ASIA…)"
                .to_owned(),
        ));
    }
    let Some(secret_access_key) = env.value(SECRET_VAR) else {
        return Err(Failure::BadInput(format!(
            "--signing-access-key-id {access_key_id}: expected its secret access key in {SECRET_VAR}"
        )));
    };
    Ok(Signatures::Verified(SigningKeys {
        access_key_id: access_key_id.clone(),
        secret_access_key,
        session_token: env.value(TOKEN_VAR),
    }))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn options(require: bool, akid: Option<&str>) -> EmulatorOptions {
        EmulatorOptions {
            host: "127.0.0.1".into(),
            port: 0,
            region: "us-east-1".into(),
            attempt_limit: 15,
            faults: Vec::new(),
            quota: Vec::new(),
            lambda_endpoint: None,
            require_signature: require,
            signing_access_key_id: akid.map(str::to_owned),
        }
    }

    #[test]
    fn signing_options() {
        let none: HashMap<&str, &str> = HashMap::new();
        assert_eq!(
            signatures(&options(false, None), &none).unwrap(),
            Signatures::Ignored
        );
        assert_eq!(
            signatures(&options(true, None), &none).unwrap(),
            Signatures::Required
        );
        let e = signatures(&options(true, Some("AKIDX")), &none).unwrap_err();
        assert!(
            matches!(&e, Failure::BadInput(m) if m.contains(SECRET_VAR)),
            "{e:?}"
        );
        let env = HashMap::from([(SECRET_VAR, "s3cret"), (TOKEN_VAR, "tok")]);
        let Signatures::Verified(k) = signatures(&options(true, Some("AKIDX")), &env).unwrap()
        else {
            panic!("not verified");
        };
        assert_eq!(
            (
                k.access_key_id.as_str(),
                k.secret_access_key.as_str(),
                k.session_token.as_deref()
            ),
            ("AKIDX", "s3cret", Some("tok"))
        );
        let e = signatures(&options(true, Some("AKID/X")), &env).unwrap_err();
        assert!(
            matches!(&e, Failure::BadInput(m) if !m.contains("s3cret")),
            "{e:?}"
        );
    }
}
