//! Reading a scenario file: its catalog files first, then the scenario checked against them
//! and built into a plan.

use std::path::Path;
use std::sync::Arc;

use super::build;
use super::model;
use super::plan::{Overrides, Plan, SignUpPlan};
use crate::cases::Catalog;
use crate::yaml::{self, YamlError};

/// A scenario that cannot run: bad YAML, a bad value, or an unreadable file. Exit code 2.
pub type ScenarioError = YamlError;

pub fn load(
    path: &Path,
    catalog: Arc<Catalog>,
    overrides: &Overrides,
) -> Result<Plan, ScenarioError> {
    parse(&read(path)?, path, catalog, overrides)
}

pub fn parse(
    text: &str,
    path: &Path,
    catalog: Arc<Catalog>,
    overrides: &Overrides,
) -> Result<Plan, ScenarioError> {
    parse_then(text, path, catalog, |raw, catalog| {
        build::build(raw, path.to_path_buf(), catalog, overrides)
    })
}

/// What `cogbench provision` reads from a scenario: the target, the pool it names and the
/// user naming. The rest of the scenario is checked as for a run, except `users.from_csv`,
/// which need not exist yet (provision writes it).
pub fn load_for_signup(
    path: &Path,
    catalog: Arc<Catalog>,
    overrides: &Overrides,
) -> Result<SignUpPlan, ScenarioError> {
    parse_then(&read(path)?, path, catalog, |raw, _| {
        build::build_signup(raw, path.to_path_buf(), overrides)
    })
}

/// The scenario file's text, within the size a scenario may have.
fn read(path: &Path) -> Result<String, ScenarioError> {
    yaml::read_file(path, "scenario", crate::files::SCENARIO_MAX)
}

/// Reads the scenario, then builds from it; a build error is placed after the text read.
fn parse_then<T>(
    text: &str,
    path: &Path,
    catalog: Arc<Catalog>,
    build: impl FnOnce(model::RawScenario, Arc<Catalog>) -> Result<T, String>,
) -> Result<T, ScenarioError> {
    let (raw, catalog) = parse_raw(text, path, catalog)?;
    build(raw, catalog).map_err(|message| YamlError::after_reading(path, text, message))
}

fn parse_raw(
    text: &str,
    path: &Path,
    catalog: Arc<Catalog>,
) -> Result<(model::RawScenario, Arc<Catalog>), ScenarioError> {
    // A first look for `catalog:` files: their cases must be known before the mix is read.
    #[derive(serde::Deserialize)]
    struct CatalogRefs {
        #[serde(default)]
        catalog: Vec<String>,
    }
    let refs: CatalogRefs = yaml::from_str(text, path)?;
    let catalog = if refs.catalog.is_empty() {
        catalog
    } else {
        let base = path.parent().unwrap_or(Path::new("."));
        let mut extended = (*catalog).clone();
        for file in &refs.catalog {
            extended.extend_from_file(&base.join(file))?;
        }
        Arc::new(extended)
    };
    let names: Vec<String> = catalog.cases.iter().map(|c| c.id.clone()).collect();
    let previous = model::KNOWN_CASES.with(|k| k.replace(names));
    let raw = yaml::from_str::<model::RawScenario>(text, path);
    model::KNOWN_CASES.with(|k| k.replace(previous));
    Ok((raw?, catalog))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(body: &str) -> ScenarioError {
        let text = format!("name: t\nphases: [{{vus: 1, rounds: 1}}]\n{body}");
        let catalog = Arc::new(Catalog::builtin());
        match parse(&text, Path::new("s.yaml"), catalog, &Overrides::default()) {
            Ok(_) => panic!("{body:?} was accepted"),
            Err(e) => e,
        }
    }

    /// Values checked after their number was read used to be placed at the top-level mapping
    /// (1:1); each is now placed at the value, with its key path.
    #[test]
    fn a_number_out_of_range_is_placed_at_the_value() {
        for (body, position, path) in [
            ("race_size: 1000000000\n", (3, 12), "race_size"),
            ("race_size: 1\n", (3, 12), "race_size"),
            ("http:\n  connections: 0\n", (4, 16), "http.connections"),
            ("users:\n  reuse_limit: -3\n", (4, 16), "users.reuse_limit"),
            (
                "judge: {postconditions: 1.5}\n",
                (3, 25),
                "judge.postconditions",
            ),
            (
                "compare:\n  max_p99_increase: x%\n",
                (4, 21),
                "compare.max_p99_increase",
            ),
            (
                "compare: {max_throughput_drop: -4}\n",
                (3, 32),
                "compare.max_throughput_drop",
            ),
            ("mix:\n  wrong-code: 0\n", (4, 15), "mix.wrong-code"),
        ] {
            let e = error(body);
            assert_eq!(e.position, Some(position), "{body:?}: {e}");
            assert!(
                e.message.starts_with(&format!("{path}: invalid value: ")),
                "{body:?}: {e}"
            );
        }
    }

    #[test]
    fn a_key_twice_is_placed_at_the_second() {
        let e = error("description: a\nname: again\n");
        assert_eq!(e.position, Some((4, 1)), "{e}");
        assert_eq!(e.message, "duplicate key `name`");
        let e = error("mix: {wrong-code: 1, valid-code: 2, wrong-code: 3}\n");
        assert_eq!(e.position, Some((3, 37)), "{e}");
        assert_eq!(e.message, "mix: duplicate key `wrong-code`");
    }
}
