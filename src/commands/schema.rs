//! `cogbench schema`: the JSON Schemas of the files cogbench reads, for editors.

use crate::cli::SchemaFormat;
use crate::exit::Failure;
use crate::term::out_json;

pub fn schema(format: SchemaFormat) -> Result<i32, Failure> {
    match format {
        SchemaFormat::Scenario => out_json(&crate::scenario::scenario_schema()),
    }
    Ok(0)
}
