//! Every kind cogbench knows, and the handle the scenario and the target hold one by.

use std::sync::LazyLock;

use super::descriptor::KindSpec;
use super::{aws, cognito_local, embedded, emulator, endpoint, moto};
use crate::yaml::visited;

/// The kinds, in the order messages list them.
pub static ALL: [&KindSpec; 6] = [
    &embedded::SPEC,
    &emulator::SPEC,
    &cognito_local::SPEC,
    &moto::SPEC,
    &endpoint::SPEC,
    &aws::SPEC,
];

static NAMES: LazyLock<Vec<&'static str>> = LazyLock::new(|| ALL.iter().map(|k| k.name).collect());

/// What kind of server the target is; it decides what cogbench can do there.
#[derive(Clone, Copy)]
pub struct TargetKind(&'static KindSpec);

impl TargetKind {
    /// Without an endpoint: the emulator started in-process.
    pub const EMBEDDED: TargetKind = TargetKind(&embedded::SPEC);
    /// At an endpoint given without a kind: a running emulator.
    pub const AT_ENDPOINT: TargetKind = TargetKind(&emulator::SPEC);

    pub fn as_str(self) -> &'static str {
        self.0.name
    }

    pub fn spec(self) -> &'static KindSpec {
        self.0
    }

    pub fn parse(s: &str) -> Result<TargetKind, String> {
        find(s).ok_or_else(|| {
            let (last, rest) = NAMES.split_last().expect("kinds are registered");
            format!(
                "unknown target kind `{s}`; expected {} or {last}",
                rest.join(", ")
            )
        })
    }
}

fn find(name: &str) -> Option<TargetKind> {
    ALL.iter().find(|k| k.name == name).map(|k| TargetKind(k))
}

impl std::ops::Deref for TargetKind {
    type Target = KindSpec;
    fn deref(&self) -> &KindSpec {
        self.0
    }
}

impl PartialEq for TargetKind {
    fn eq(&self, other: &TargetKind) -> bool {
        std::ptr::eq(self.0, other.0)
    }
}

impl Eq for TargetKind {}

impl std::fmt::Debug for TargetKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.name)
    }
}

// Read as a unit enum variant, as the kinds were read when they were an enum: same
// messages for a misspelt kind or a kind of the wrong shape.
visited!(
    TargetKind,
    deserialize_enum("TargetKind", &NAMES),
    "enum TargetKind",
    schema: |_| schemars::json_schema!({
        "enum": *NAMES,
        "description": "What kind of server the target is; it decides what cogbench can do there (docs/targets.md). Default: embedded without an endpoint, emulator with one.",
    }),
    {
        fn visit_enum<A: serde::de::EnumAccess<'de>>(
            self,
            data: A,
        ) -> Result<TargetKind, A::Error> {
            use serde::de::VariantAccess;
            let (Name(kind), variant) = data.variant()?;
            variant.unit_variant()?;
            Ok(kind)
        }
    }
);

/// The variant of a kind read as an enum.
struct Name(TargetKind);
visited!(Name, deserialize_identifier(), "variant identifier", schema: |_| {
    schemars::json_schema!({ "enum": *NAMES })
}, {
    fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Name, E> {
        find(s)
            .map(Name)
            .ok_or_else(|| E::unknown_variant(s, &NAMES))
    }
});
