//! The command itself: the request from the options, checked, sent once, and its answer
//! printed as the AWS CLI prints it.

use std::io::IsTerminal;

use serde_json::{Map, Value};

use super::args::{ColorArg, ConfirmArgs, Skeleton};
use super::failure::{
    EXIT_CONFIG, EXIT_GENERAL, EXIT_OK, EXIT_SERVICE_ERROR, EXIT_USAGE, EXIT_VERDICT_FAILED,
    Failure, raised, usage,
};
use super::output::{self, Format};
use super::query::Query;
use super::{model, send, shorthand, verdict};
use crate::env::{Env, ProcessEnv};
use crate::protocol;

const OPERATION: &str = "ConfirmSignUp";

/// A value as given: `file://path` reads the file (as the AWS CLI does for any parameter).
fn load_value(option: &str, value: &str) -> Result<String, Failure> {
    match value.strip_prefix("file://") {
        Some(path) => {
            let path = std::path::Path::new(path);
            crate::files::read_to_string_limited(path, crate::files::CLI_VALUE_MAX, "parameter")
                .map_err(|e| {
                    raised(
                        EXIT_USAGE,
                        format!(
                            "Error parsing parameter '{option}': Unable to load paramfile {value}: {e}"
                        ),
                    )
                })
        }
        None => Ok(value.to_owned()),
    }
}

/// The text of a shorthand `key@=file://path` value (`None` for a value naming no file).
fn shorthand_file(value: &str) -> Result<Option<String>, String> {
    if value.starts_with("fileb://") {
        return Err(format!(
            "Unable to load paramfile {value}: cogbench reads shorthand files as text \
             (file://); fileb:// gives bytes, which no ConfirmSignUp member takes"
        ));
    }
    let Some(path) = value.strip_prefix("file://") else {
        return Ok(None);
    };
    crate::files::read_to_string_limited(
        std::path::Path::new(path),
        crate::files::CLI_VALUE_MAX,
        "parameter",
    )
    .map(Some)
    .map_err(|e| format!("Unable to load paramfile {value}: {e}"))
}

/// A structure or map option: JSON when it starts with `{` or `[`, else shorthand.
fn structured(option: &str, value: &str) -> Result<Value, Failure> {
    let text = load_value(option, value)?;
    // Every structure option of ConfirmSignUp takes an object: the AWS CLI refuses a JSON
    // list before parsing it, echoing it.
    if text.trim_start().starts_with('[') {
        return Err(raised(
            EXIT_USAGE,
            format!("Error parsing parameter '{option}': Invalid JSON:\n{text}"),
        ));
    }
    if text.trim_start().starts_with('{') {
        serde_json::from_str(&text).map_err(|e| {
            raised(
                EXIT_USAGE,
                format!(
                    "Error parsing parameter '{option}': Invalid JSON: {e}\nJSON received: {text}"
                ),
            )
        })
    } else {
        shorthand::parse(&text, &shorthand_file).map_err(|e| match e {
            // The AWS CLI raises an unreadable `@=` file apart, without the parameter prefix.
            shorthand::ParseError::File(m) => raised(EXIT_USAGE, m),
            e => raised(
                EXIT_USAGE,
                format!("Error parsing parameter '{option}': {e}"),
            ),
        })
    }
}

/// The request members: `--cli-input-json` first, each option given overriding its member.
fn input(args: &ConfirmArgs) -> Result<Map<String, Value>, Failure> {
    let mut members = match &args.cli_input_json {
        None => Map::new(),
        Some(v) => {
            let text = load_value("--cli-input-json", v)?;
            match serde_json::from_str::<Value>(&text) {
                Ok(Value::Object(m)) => m,
                Ok(_) => {
                    return Err(raised(
                        EXIT_USAGE,
                        "Error parsing parameter '--cli-input-json': Invalid JSON received: \
                         not a JSON object",
                    ));
                }
                Err(e) => {
                    // The AWS CLI's wording (the option without its dashes), but without its
                    // `JSON received:` echo: the text may hold the code or a SecretHash.
                    return Err(raised(
                        EXIT_USAGE,
                        format!("Error parsing parameter 'cli-input-json': Invalid JSON: {e}"),
                    ));
                }
            }
        }
    };
    let strings = [
        ("ClientId", "--client-id", &args.client_id),
        ("SecretHash", "--secret-hash", &args.secret_hash),
        ("Username", "--username", &args.username),
        (
            "ConfirmationCode",
            "--confirmation-code",
            &args.confirmation_code,
        ),
    ];
    for (member, option, value) in strings {
        if let Some(v) = value {
            members.insert(member.into(), Value::String(load_value(option, v)?));
        }
    }
    if args.force_alias_creation || args.no_force_alias_creation {
        members.insert(
            "ForceAliasCreation".into(),
            Value::Bool(args.force_alias_creation),
        );
    }
    let structures = [
        (
            "AnalyticsMetadata",
            "--analytics-metadata",
            &args.analytics_metadata,
        ),
        (
            "UserContextData",
            "--user-context-data",
            &args.user_context_data,
        ),
        ("ClientMetadata", "--client-metadata", &args.client_metadata),
    ];
    for (member, option, value) in structures {
        if let Some(v) = value {
            members.insert(member.into(), structured(option, v)?);
        }
    }
    if let Some(session) = &args.session {
        members.insert(
            "Session".into(),
            Value::String(load_value("--session", &session.0)?),
        );
    }
    Ok(members)
}

/// Colour on stdout and on stderr.
struct Colors {
    stdout: bool,
    stderr: bool,
}

fn colors(arg: ColorArg) -> Colors {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    match arg {
        ColorArg::On => Colors {
            stdout: true,
            stderr: true,
        },
        ColorArg::Off => Colors {
            stdout: false,
            stderr: false,
        },
        ColorArg::Auto => Colors {
            stdout: !no_color && std::io::stdout().is_terminal(),
            stderr: !no_color && std::io::stderr().is_terminal(),
        },
    }
}

/// Prints the (queried) output to stdout.
/// Secrets the target echoes are masked before the query sees the value and again in what it
/// returns (a query can join pieces).
fn print_output(
    value: &Value,
    query: Option<&Query>,
    secrets: &send::Secrets,
    format: Format,
    color: bool,
) -> Result<(), Failure> {
    let value = secrets.mask_value(value);
    let shown = match query {
        Some(q) => secrets.mask_value(&q.search(&value).map_err(|e| Failure {
            code: EXIT_GENERAL,
            message: secrets.mask(&format!("--query: {e}")),
        })?),
        None => value,
    };
    match format {
        Format::Json => crate::term::out_json(&output::render(format, &shown, OPERATION, color)),
        // Each value on its line, with nothing a terminal acts on; the table's colours pass.
        Format::Text | Format::Table => crate::term::out_raw(&output::render(
            format,
            &inline_strings(shown),
            OPERATION,
            color,
        )),
    }
    Ok(())
}

/// The value with every string (member names too) made safe for one line of a terminal.
fn inline_strings(value: Value) -> Value {
    match value {
        Value::String(s) => Value::String(crate::term::inline(&s)),
        Value::Array(items) => Value::Array(items.into_iter().map(inline_strings).collect()),
        Value::Object(members) => Value::Object(
            members
                .into_iter()
                .map(|(k, v)| (crate::term::inline(&k), inline_strings(v)))
                .collect(),
        ),
        other => other,
    }
}

/// Runs the command; returns the exit code.
pub async fn run(args: ConfirmArgs) -> i32 {
    match execute(args).await {
        Ok(code) => code,
        Err(f) => {
            crate::errln!("{}", f.message);
            f.code
        }
    }
}

async fn execute(args: ConfirmArgs) -> Result<i32, Failure> {
    if args.version {
        crate::outln!("cogbench {}", env!("CARGO_PKG_VERSION"));
        return Ok(EXIT_OK);
    }
    let colors = colors(args.color);
    let format = match (args.output, ProcessEnv.value("AWS_DEFAULT_OUTPUT")) {
        (Some(f), _) => f,
        (None, Some(v)) => Format::parse(&v).ok_or_else(|| Failure {
            code: EXIT_CONFIG,
            message: format!("AWS_DEFAULT_OUTPUT: {v:?} is not json, text or table"),
        })?,
        (None, None) => Format::Json,
    };
    let query = match &args.query {
        Some(q) => Some(
            Query::compile(q)
                .map_err(|e| usage(format!("argument --query: Bad value for --query {q}: {e}")))?,
        ),
        None => None,
    };
    let mut request = input(&args)?;
    if args.generate_cli_skeleton == Some(Skeleton::Input) {
        crate::term::out(&model::input_skeleton());
        return Ok(EXIT_OK);
    }
    if args.cli_input_json.is_none() {
        let missing: Vec<&str> = model::MEMBERS
            .iter()
            .filter(|m| m.required && !request.contains_key(m.name))
            .map(|m| m.option)
            .collect();
        if !missing.is_empty() {
            return Err(usage(format!(
                "cogbench confirm-sign-up: error: the following arguments are required: {}",
                missing.join(", ")
            )));
        }
    }
    let client_secret = match (
        &args.client_secret,
        ProcessEnv.value("COGBENCH_CLIENT_SECRET"),
    ) {
        (Some(_), _) if args.secret_hash.is_some() => {
            return Err(usage(
                "--client-secret and --secret-hash cannot be used together: --secret-hash is \
                 sent as it is; --client-secret makes cogbench compute it",
            ));
        }
        (Some(s), _) => Some(s.0.clone()),
        (None, from_env) => from_env,
    };
    if let Some(secret) = &client_secret
        && !request.contains_key("SecretHash")
        && let (Some(Value::String(user)), Some(Value::String(client))) =
            (request.get("Username"), request.get("ClientId"))
    {
        let hash = protocol::secret_hash(secret, user, client);
        request.insert("SecretHash".into(), Value::String(hash));
    }
    // Every line printed from here on is masked: a target may echo what it was sent.
    let secrets = send::Secrets::of(&request, client_secret.as_deref());
    // The AWS CLI makes its client (profile, region, endpoint) before botocore validates the
    // parameters, and for `--generate-cli-skeleton output` too, which sends nothing.
    let target = send::Target::resolve(&args, &ProcessEnv)?;
    model::validate(&request).map_err(|m| raised(EXIT_USAGE, secrets.mask(&m)))?;
    if args.generate_cli_skeleton == Some(Skeleton::Output) {
        target.log_notes(args.debug);
        if args.debug {
            crate::errln!("cogbench debug: --generate-cli-skeleton output: nothing sent");
        }
        print_output(
            &model::output_skeleton(),
            query.as_ref(),
            &secrets,
            format,
            colors.stdout,
        )?;
        return Ok(EXIT_OK);
    }

    let exchange = target.send(&request, &secrets, args.debug).await?;
    let answer = match &exchange {
        Ok(a) => a,
        Err(transport) => {
            crate::errln!("\n{}", secrets.mask(transport));
            if args.verdict {
                crate::errln!(
                    "verdict: not judged, no answer ({})",
                    secrets.mask(transport)
                );
            }
            return Ok(EXIT_GENERAL);
        }
    };
    let mut code = if (200..300).contains(&answer.status) {
        match answer.output() {
            Ok(value) => {
                print_output(&value, query.as_ref(), &secrets, format, colors.stdout)?;
                EXIT_OK
            }
            Err(e) => {
                crate::errln!("\n{}", secrets.mask(&e));
                EXIT_GENERAL
            }
        }
    } else {
        // The AWS CLI's line, but on one line whatever the message holds.
        crate::errln!(
            "\n{}",
            crate::term::inline(&secrets.mask(&answer.error_line(OPERATION)))
        );
        EXIT_SERVICE_ERROR
    };
    if args.verdict {
        let v = verdict::judge_answer(&request, &answer.as_judged());
        let text = verdict::render(&v, answer.elapsed.as_secs_f64() * 1000.0, colors.stderr);
        crate::term::err_raw(&secrets.mask(&text));
        if !v.passed() {
            code = EXIT_VERDICT_FAILED;
        }
    }
    Ok(code)
}
