//! Existing-pool mode: a pool cogbench did not create (a real user pool, or one a team keeps on
//! an emulator), its app client, and users signed up beforehand and listed in a CSV file with
//! their codes. Nothing is created or deleted there.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Deserialize;

use super::values::Secret;
use crate::yaml::checked_map;

/// `pool.existing` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawExisting {
    id: String,
    client_id: String,
    client_secret: Option<Secret>,
}

/// The pool and app client a scenario names.
#[derive(Debug, Clone)]
pub struct ExistingPool {
    pub id: String,
    pub client_id: String,
    /// From the environment only (`${ENV_VAR}`); its presence says the client has a secret.
    pub client_secret: Option<Secret>,
}

impl TryFrom<RawExisting> for ExistingPool {
    type Error = String;
    fn try_from(r: RawExisting) -> Result<ExistingPool, String> {
        // UserPoolIdType: [\w-]+_[0-9a-zA-Z]+, 1..55 characters (spec §3).
        let id_ok = r.id.len() <= 55
            && r.id.split_once('_').is_some_and(|(region, rest)| {
                !region.is_empty() && only_of(region, "-_") && !rest.is_empty() && only_of(rest, "")
            });
        if !id_ok {
            return Err(format!(
                "pool.existing.id `{}` is not a user pool id (like us-east-1_AbCdEf123)",
                r.id
            ));
        }
        // ClientIdType: [\w+]+, 1..128 characters (spec §3).
        if r.client_id.is_empty() || r.client_id.len() > 128 || !only_of(&r.client_id, "_+") {
            return Err(format!(
                "pool.existing.client_id `{}` is not an app client id (1 to 128 of [A-Za-z0-9_+])",
                r.client_id
            ));
        }
        Ok(ExistingPool {
            id: r.id,
            client_id: r.client_id,
            client_secret: r.client_secret,
        })
    }
}
checked_map!(
    ExistingPool,
    RawExisting,
    "an existing pool (id, client_id, client_secret)"
);

/// The spec's character classes: ASCII letters and digits, and the characters of `also`
/// (`\w` is `_`).
fn only_of(s: &str, also: &str) -> bool {
    s.chars()
        .all(|c| c.is_ascii_alphanumeric() || also.contains(c))
}

/// One row of `users.from_csv`: a user signed up beforehand.
#[derive(Debug, Clone)]
pub struct ListedUser {
    /// The `Username` to send (for pools whose usernames are emails, the email).
    pub username: String,
    /// Empty when the row has none; the target's code source is asked then.
    pub code: String,
    pub sub: String,
    pub email: String,
    /// When SignUp (or the last ResendConfirmationCode) happened; codes live 24 h (spec §4.4).
    pub signed_up_at: Option<SystemTime>,
}

/// A code older than this has expired (spec §4.4: 24 h), with a minute of margin for clocks.
pub const CODE_LIFETIME: Duration = Duration::from_secs(24 * 3600 + 60);

impl ListedUser {
    pub fn expired(&self, now: SystemTime) -> bool {
        self.signed_up_at
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|age| age > CODE_LIFETIME)
    }
}

/// Columns, by header name: `username` is required; `code`, `sub`, `email` and `signed_up_at`
/// (RFC 3339 UTC or Unix seconds) are optional. `cogbench provision` writes this format.
pub fn read_csv(scenario: &Path, path: &str) -> Result<(PathBuf, Vec<ListedUser>), String> {
    let file = match scenario.parent() {
        Some(dir) if Path::new(path).is_relative() => dir.join(path),
        _ => PathBuf::from(path),
    };
    let at = |line: u64, why: String| format!("users.from_csv: {}:{line}: {why}", file.display());
    use crate::files::{Bounded, USERS_CSV_LINE_MAX, USERS_CSV_MAX, open_limited};
    let opened = open_limited(&file, USERS_CSV_MAX, "users CSV")
        .map_err(|e| format!("users.from_csv: {e}"))?;
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(Bounded::new(opened, USERS_CSV_MAX, USERS_CSV_LINE_MAX));
    let csv_error = |line: u64, e: csv::Error| match e.kind() {
        csv::ErrorKind::Io(io) => format!("users.from_csv: {}: {io}", file.display()),
        _ => at(line, e.to_string()),
    };
    let headers = reader.headers().map_err(|e| csv_error(1, e))?.clone();
    let column = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let known = ["username", "code", "sub", "email", "signed_up_at"];
    if let Some(unknown) = headers
        .iter()
        .find(|h| !known.iter().any(|k| h.eq_ignore_ascii_case(k)))
    {
        return Err(at(
            1,
            format!(
                "unknown column `{unknown}`; the columns are {}",
                known.join(", ")
            ),
        ));
    }
    let username = column("username").ok_or_else(|| {
        at(
            1,
            "the header row needs a `username` column (and usually `code`)".into(),
        )
    })?;
    let (code, sub, email, signed) = (
        column("code"),
        column("sub"),
        column("email"),
        column("signed_up_at"),
    );
    let mut users = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            csv_error(line, e)
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let get = |i: Option<usize>| i.and_then(|i| record.get(i)).unwrap_or("").to_owned();
        let user = ListedUser {
            username: get(Some(username)),
            code: get(code),
            sub: get(sub),
            email: get(email),
            signed_up_at: match get(signed).as_str() {
                "" => None,
                t => Some(parse_time(t).map_err(|why| at(line, why))?),
            },
        };
        if user.username.is_empty() {
            return Err(at(line, "empty username".into()));
        }
        if !seen.insert(user.username.clone()) {
            return Err(at(
                line,
                format!(
                    "user `{}` is listed twice; each row must be a distinct user",
                    user.username
                ),
            ));
        }
        users.push(user);
        if users.len() as u64 > super::values::MAX_USERS {
            return Err(at(
                line,
                format!("more than {} users", super::values::MAX_USERS),
            ));
        }
    }
    if users.is_empty() {
        return Err(format!("users.from_csv: {} lists no users", file.display()));
    }
    Ok((file, users))
}

/// `2026-11-27T09:30:00Z` (fractions and `+HH:MM` offsets allowed) or Unix seconds.
pub fn parse_time(s: &str) -> Result<SystemTime, String> {
    if let Ok(secs) = s.parse::<u64>() {
        return Ok(UNIX_EPOCH + Duration::from_secs(secs));
    }
    crate::time::parse_rfc3339(s).ok_or_else(|| {
        format!("signed_up_at `{s}`: expected RFC 3339 (2026-11-27T09:30:00Z) or Unix seconds")
    })
}

/// RFC 3339 UTC with whole seconds, as `cogbench provision` writes it.
pub fn format_time(t: SystemTime) -> String {
    crate::time::rfc3339_utc(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(t: SystemTime) -> u64 {
        t.duration_since(UNIX_EPOCH).unwrap().as_secs()
    }

    #[test]
    fn parses_rfc3339_and_unix_seconds() {
        assert_eq!(secs(parse_time("1970-01-01T00:00:00Z").unwrap()), 0);
        assert_eq!(
            secs(parse_time("2000-03-01T00:00:00Z").unwrap()),
            951_868_800
        );
        assert_eq!(
            secs(parse_time("2026-11-27T09:30:15.123Z").unwrap()),
            secs(parse_time("2026-11-27T10:30:15+01:00").unwrap())
        );
        assert_eq!(secs(parse_time("1764235815").unwrap()), 1_764_235_815);
        for bad in [
            "yesterday",
            "2026-13-01T00:00:00Z",
            "2026-11-27T09:30:00",
            "2026-11-27T09:30:00+0100",
            "2026-11-27T09:30:00.Z",
        ] {
            assert!(parse_time(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn formats_what_it_parses() {
        for t in [
            "1970-01-01T00:00:00Z",
            "2024-02-29T23:59:59Z",
            "2026-11-28T09:34:42Z",
        ] {
            assert_eq!(format_time(parse_time(t).unwrap()), t);
        }
    }

    #[test]
    fn reads_a_csv_with_positions_in_errors() {
        let dir = tempfile::tempdir().unwrap();
        let scenario = dir.path().join("s.yaml");
        std::fs::write(
            dir.path().join("u.csv"),
            "username,code,signed_up_at\nalice,123456,2026-11-27T09:30:00Z\nbob,,\n",
        )
        .unwrap();
        let (_, users) = read_csv(&scenario, "u.csv").unwrap();
        assert_eq!(users.len(), 2);
        assert_eq!(users[0].code, "123456");
        assert!(users[1].code.is_empty() && users[1].signed_up_at.is_none());

        std::fs::write(dir.path().join("dup.csv"), "username\nalice\nalice\n").unwrap();
        let e = read_csv(&scenario, "dup.csv").unwrap_err();
        assert!(e.contains("dup.csv:3") && e.contains("listed twice"), "{e}");

        std::fs::write(dir.path().join("col.csv"), "user,code\nalice,1\n").unwrap();
        let e = read_csv(&scenario, "col.csv").unwrap_err();
        assert!(
            e.contains("col.csv:1") && e.contains("unknown column `user`"),
            "{e}"
        );

        std::fs::write(
            dir.path().join("time.csv"),
            "username,signed_up_at\na,soon\n",
        )
        .unwrap();
        let e = read_csv(&scenario, "time.csv").unwrap_err();
        assert!(e.contains("time.csv:2") && e.contains("RFC 3339"), "{e}");

        let e = read_csv(&scenario, "missing.csv").unwrap_err();
        assert!(e.contains("cannot read"), "{e}");
    }

    #[test]
    fn a_code_older_than_a_day_has_expired() {
        let now = parse_time("2026-11-28T12:00:00Z").unwrap();
        let user = |t: &str| ListedUser {
            username: "u".into(),
            code: String::new(),
            sub: String::new(),
            email: String::new(),
            signed_up_at: Some(parse_time(t).unwrap()),
        };
        assert!(user("2026-11-27T11:58:00Z").expired(now));
        assert!(!user("2026-11-27T12:00:00Z").expired(now));
    }
}
