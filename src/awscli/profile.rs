//! The profile of the shared config and credentials files, as the AWS CLI chooses and reads it:
//! `--profile`, else `AWS_PROFILE`, else `default`; a profile that was named must exist in one
//! of the two files, and its `region` is the last place a region comes from. Nothing else of
//! the profile is read: ConfirmSignUp is unsigned, so credentials do not matter.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::failure::{EXIT_GENERAL, Failure, raised};
use crate::env::Env;

/// The chosen profile: its name, where the name came from, and its region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub name: String,
    /// `--profile` or `AWS_PROFILE`; `None` for the implicit `default`.
    pub named_by: Option<&'static str>,
    pub region: Option<String>,
}

type Sections = Vec<(String, BTreeMap<String, String>)>;

/// Chooses the profile and reads it. A named profile found in neither file ends the command
/// as the AWS CLI ends it (`The config profile (NAME) could not be found`, exit 255).
pub fn choose(flag: Option<&str>, env: &dyn Env) -> Result<Profile, Failure> {
    let (name, named_by) = match (flag, env.value("AWS_PROFILE")) {
        (Some(p), _) => (p.to_owned(), Some("--profile")),
        (None, Some(p)) => (p, Some("AWS_PROFILE")),
        (None, None) => ("default".to_owned(), None),
    };
    let config = read(&file(env, "AWS_CONFIG_FILE", "config"))?;
    let credentials = read(&file(env, "AWS_SHARED_CREDENTIALS_FILE", "credentials"))?;
    let mut found: Option<BTreeMap<String, String>> = None;
    // In the config file a profile is `[profile NAME]` (or `[default]`); in the credentials
    // file every section is one. The credentials file's values win, as botocore merges them.
    for (section, values) in config {
        if config_profile_name(&section).as_deref() == Some(name.as_str()) {
            found.get_or_insert_with(BTreeMap::new).extend(values);
        }
    }
    for (section, values) in credentials {
        if section == name {
            found.get_or_insert_with(BTreeMap::new).extend(values);
        }
    }
    match found {
        None if named_by.is_some() => Err(raised(
            EXIT_GENERAL,
            format!("The config profile ({name}) could not be found"),
        )),
        found => Ok(Profile {
            region: found
                .and_then(|mut values| values.remove("region"))
                .filter(|r| !r.is_empty()),
            name,
            named_by,
        }),
    }
}

/// The file a variable names (`~/` expanded), else `~/.aws/<default>`.
fn file(env: &dyn Env, variable: &str, default: &str) -> PathBuf {
    let home = env.value("HOME").map(PathBuf::from);
    match env.value(variable) {
        Some(p) => match (p.strip_prefix("~/"), &home) {
            (Some(rest), Some(home)) => home.join(rest),
            _ => PathBuf::from(p),
        },
        None => home.unwrap_or_default().join(".aws").join(default),
    }
}

/// A file that is not there holds no profiles (botocore's view); one that cannot be read or
/// parsed ends the command with botocore's message.
fn read(path: &Path) -> Result<Sections, Failure> {
    if !path.is_file() {
        return Ok(Vec::new());
    }
    let unusable = || {
        raised(
            EXIT_GENERAL,
            format!("Unable to parse config file: {}", path.display()),
        )
    };
    let text = crate::files::read_to_string_limited(path, crate::files::CLI_VALUE_MAX, "config")
        .map_err(|_| unusable())?;
    parse(&text).ok_or_else(unusable)
}

/// `[profile NAME]` (the name may be quoted, as botocore splits it with `shlex`) or
/// `[default]` in the config file.
fn config_profile_name(section: &str) -> Option<String> {
    if section == "default" {
        return Some(section.to_owned());
    }
    let rest = section.strip_prefix("profile")?;
    if !rest.starts_with(char::is_whitespace) {
        return None;
    }
    let name = rest.trim();
    for quote in ['"', '\''] {
        if let Some(inner) = name.strip_prefix(quote).and_then(|n| n.strip_suffix(quote)) {
            return Some(inner.to_owned());
        }
    }
    (!name.contains(char::is_whitespace)).then(|| name.to_owned())
}

/// Python's configparser as botocore uses it: `[section]` headers, `key = value` or
/// `key: value` (keys lower-cased), whole-line `#` and `;` comments, indented lines continuing
/// the value above (the nested `s3 =` blocks). `None` for what configparser refuses: a key
/// before any section, or a line that is none of these.
fn parse(text: &str) -> Option<Sections> {
    let mut sections: Sections = Vec::new();
    let mut last_key: Option<String> = None;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with(['#', ';']) {
            continue;
        }
        let indented = line.starts_with(char::is_whitespace);
        if indented && let (Some(key), Some((_, values))) = (&last_key, sections.last_mut()) {
            let v = values.get_mut(key)?;
            v.push('\n');
            v.push_str(trimmed);
            continue;
        }
        if let Some(name) = trimmed.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
            sections.push((name.to_owned(), BTreeMap::new()));
            last_key = None;
            continue;
        }
        let split = trimmed.find(['=', ':'])?;
        let key = trimmed[..split].trim().to_lowercase();
        let value = trimmed[split + 1..].trim().to_owned();
        let (_, values) = sections.last_mut()?;
        values.insert(key.clone(), value);
        last_key = Some(key);
    }
    Some(sections)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn files(config: &str, credentials: &str) -> (tempfile::TempDir, String, String) {
        let dir = tempfile::tempdir().unwrap();
        let c = dir.path().join("config");
        let k = dir.path().join("credentials");
        std::fs::write(&c, config).unwrap();
        std::fs::write(&k, credentials).unwrap();
        let c = c.display().to_string();
        let k = k.display().to_string();
        (dir, c, k)
    }

    #[test]
    fn a_named_profile_must_exist_in_either_file() {
        let (_dir, c, k) = files(
            "[default]\nregion = eu-west-1\n[profile dev]\nregion=ap-south-1\n\
             [profile \"quoted one\"]\nregion = sa-east-1\n[nope]\nregion = us-west-2\n",
            "[creds-only]\naws_access_key_id = AKIDEXAMPLE\n[dev]\nregion = ca-central-1\n",
        );
        let env = HashMap::from([
            ("AWS_CONFIG_FILE", c.as_str()),
            ("AWS_SHARED_CREDENTIALS_FILE", k.as_str()),
        ]);
        let region = |flag: Option<&str>| choose(flag, &env).map(|p| p.region);
        assert_eq!(region(None).unwrap(), Some("eu-west-1".into()));
        // The credentials file's values win over the config file's.
        assert_eq!(region(Some("dev")).unwrap(), Some("ca-central-1".into()));
        assert_eq!(
            region(Some("quoted one")).unwrap(),
            Some("sa-east-1".into())
        );
        assert_eq!(region(Some("creds-only")).unwrap(), None);
        // `[nope]` in the config file is not a profile (it lacks `profile `).
        let e = choose(Some("nope"), &env).unwrap_err();
        assert_eq!(
            (e.code, e.message.as_str()),
            (255, "\nThe config profile (nope) could not be found")
        );
        let mut by_env = env.clone();
        by_env.insert("AWS_PROFILE", "nosuch");
        let e = choose(None, &by_env).unwrap_err();
        assert!(e.message.contains("(nosuch)"), "{}", e.message);
        assert_eq!(
            choose(Some("dev"), &by_env).unwrap().named_by,
            Some("--profile")
        );
    }

    #[test]
    fn absent_files_hold_only_the_implicit_default() {
        let env = HashMap::from([
            ("AWS_CONFIG_FILE", "/nonexistent/cogbench/config"),
            (
                "AWS_SHARED_CREDENTIALS_FILE",
                "/nonexistent/cogbench/credentials",
            ),
        ]);
        let p = choose(None, &env).unwrap();
        assert_eq!(
            (p.name.as_str(), p.named_by, p.region),
            ("default", None, None)
        );
        assert!(
            choose(Some("default"), &env).is_err(),
            "named, so it must exist"
        );
    }

    #[test]
    fn configparser_forms() {
        let s = parse(
            "# comment\n; other\n[default]\nREGION : us-east-2\ns3 =\n  max_concurrent_requests = 2\n",
        )
        .unwrap();
        assert_eq!(s[0].1["region"], "us-east-2");
        assert_eq!(s[0].1["s3"], "\nmax_concurrent_requests = 2");
        assert!(parse("region = x\n").is_none(), "a key before any section");
        assert!(parse("[default]\njust words\n").is_none());
    }
}
