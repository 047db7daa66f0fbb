//! The scenario file's JSON Schema (`cogbench schema scenario`, fixtures/scenario.schema.json),
//! for editors: generated from the types the loader reads, so it cannot drift from them.
//! `cogbench validate` stays the authority: the schema says what each value may be as far as
//! JSON Schema can, and never refuses what the loader accepts.

use schemars::generate::SchemaSettings;

use super::model::RawScenario;

/// Where the schema says it lives (a name, not a place: editors find it by path).
pub const ID: &str = "https://cogbench.invalid/scenario.schema.json";

/// The schema as `cogbench schema scenario` prints it: pretty JSON and a final newline.
pub fn scenario_schema() -> String {
    let mut schema = SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<RawScenario>();
    super::patterns::allow_empty_values(&mut schema);
    unwrap_descriptions(&mut schema);
    schema.insert("$id".into(), ID.into());
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema is JSON");
    text.push('\n');
    text
}

/// Doc comments are wrapped at 100 columns; an editor wraps descriptions itself.
fn unwrap_descriptions(schema: &mut schemars::Schema) {
    if let Some(serde_json::Value::String(d)) = schema.get_mut("description") {
        *d = d
            .split("\n\n")
            .map(|p| p.replace('\n', " "))
            .collect::<Vec<_>>()
            .join("\n\n");
    }
    schemars::transform::transform_subschemas(&mut unwrap_descriptions, schema);
}
