use super::{ALL, CodeInputs, CodeSource, TargetKind};
use crate::cases::Capability::{self, *};

fn inputs(data_dir: Option<&str>, scenario_codes: Option<CodeSource>) -> CodeInputs {
    CodeInputs {
        data_dir: data_dir.map(str::to_owned),
        scenario_codes,
        pre_provisioned: false,
    }
}

#[test]
fn kinds_are_found_by_name_and_misspelt_ones_listed() {
    for spec in ALL {
        let kind = TargetKind::parse(spec.name).unwrap();
        assert_eq!(kind.as_str(), spec.name);
        assert!(std::ptr::eq(kind.spec(), spec));
    }
    assert_eq!(TargetKind::parse("embedded"), Ok(TargetKind::EMBEDDED));
    assert_eq!(TargetKind::parse("emulator"), Ok(TargetKind::AT_ENDPOINT));
    assert_eq!(
        TargetKind::parse("Moto").unwrap_err(),
        "unknown target kind `Moto`; expected embedded, emulator, cognito-local, moto, endpoint or aws"
    );
}

/// A kind, the scenario's `codes`, its data folder, the code source found, its capabilities.
type Row = (
    &'static str,
    Option<CodeSource>,
    Option<&'static str>,
    CodeSource,
    &'static [Capability],
);

/// What cogbench's emulator can do, embedded or running: everything.
const EMULATOR_CAN: &[Capability] = &[
    Provision,
    ReadCodes,
    AdminReads,
    AdvanceClock,
    ResendCodes,
    PostConfirmationTrigger,
    WebAcl,
    RateQuota,
    InternalErrorFault,
];

/// Each kind's code source and capabilities, with users read back, as its file documents.
#[test]
fn each_kind_finds_its_codes_and_can_do_what_it_says() {
    let command = CodeSource::Command {
        command: "read-code {pool} {username}".into(),
    };
    let table: [Row; 6] = [
        (
            "embedded",
            None,
            None,
            CodeSource::EmulatorRoute,
            EMULATOR_CAN,
        ),
        (
            "emulator",
            None,
            None,
            CodeSource::EmulatorRoute,
            EMULATOR_CAN,
        ),
        (
            "cognito-local",
            None,
            Some("run"),
            CodeSource::CognitoLocal {
                data_dir: "run".into(),
            },
            &[Provision, ReadCodes, AdminReads],
        ),
        (
            "moto",
            None,
            None,
            CodeSource::Fixed("123456".into()),
            &[Provision, ReadCodes, AdminReads],
        ),
        (
            "endpoint",
            None,
            None,
            CodeSource::None,
            &[Provision, AdminReads, ResendCodes],
        ),
        // No clock and no declared resend: a real pool's codes come from its owner's set-up.
        (
            "aws",
            Some(command.clone()),
            None,
            command.clone(),
            &[Provision, ReadCodes, AdminReads],
        ),
    ];
    for (name, scenario_codes, data_dir, codes, capabilities) in table {
        let kind = TargetKind::parse(name).unwrap();
        let found = (kind.codes)(inputs(data_dir, scenario_codes)).unwrap();
        assert_eq!(found, codes, "{name}");
        assert_eq!(kind.capabilities(&found, true), capabilities, "{name}");
    }
}

#[test]
fn quirks_belong_to_their_kinds() {
    let with = |has: fn(&super::KindSpec) -> bool| -> Vec<&str> {
        ALL.iter().filter(|k| has(k)).map(|k| k.name).collect()
    };
    assert_eq!(with(|k| k.in_process), ["embedded"]);
    assert_eq!(with(|k| k.takes_codes), ["endpoint", "aws"]);
    assert_eq!(with(|k| k.from_region), ["aws"]);
    assert_eq!(with(|k| k.real_pool), ["aws"]);
    assert_eq!(
        with(|k| !k.lacks.is_empty()),
        ["cognito-local", "moto", "aws"]
    );
    // What a kind lacks of the pool set-ups, it says why; an endpoint's are declared.
    for k in ALL
        .iter()
        .filter(|k| !k.in_process && k.name != "emulator" && k.name != "endpoint")
    {
        for need in [
            PostConfirmationTrigger,
            WebAcl,
            RateQuota,
            InternalErrorFault,
        ] {
            assert!(k.why_not(need).is_some(), "{} {need:?}", k.name);
        }
    }
    assert_eq!(with(|k| k.max_signup_workers == Some(1)), ["cognito-local"]);
    assert_eq!(with(|k| k.max_signup_workers.is_some()), ["cognito-local"]);
    assert_eq!(with(|k| k.refuses_existing_pool.is_some()), ["embedded"]);
    assert_eq!(with(|k| k.refuses_provision.is_some()), ["embedded"]);
}

#[test]
fn an_endpoint_takes_the_scenario_codes_and_cognito_local_needs_its_folder() {
    let endpoint = TargetKind::parse("endpoint").unwrap();
    let http = CodeSource::Http {
        url: "http://127.0.0.1:1/{username}".into(),
    };
    let codes = (endpoint.codes)(inputs(None, Some(http.clone()))).unwrap();
    assert_eq!(codes, http);
    assert_eq!(
        endpoint.capabilities(&codes, false),
        [Provision, ReadCodes, ResendCodes]
    );
    let local = TargetKind::parse("cognito-local").unwrap();
    let e = (local.codes)(inputs(None, None)).unwrap_err();
    assert!(e.contains("needs `data_dir` (or --data-dir)"), "{e}");
}
