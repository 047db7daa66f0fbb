//! Existing-pool mode: a pool cogbench did not create (a real user pool, or one a team keeps on
//! an emulator), its app client, and users signed up beforehand and listed in a CSV file with
//! their codes. Nothing is created or deleted there, and the file is read as a stream.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use schemars::JsonSchema;
use serde::Deserialize;

use super::patterns::PlainText;
use super::shard::Shard;
use super::values::Secret;
use crate::yaml::checked_map;

/// `pool.existing` as written.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawExisting {
    /// The user pool id, like us-east-1_AbCdEf123.
    #[schemars(with = "PlainText")]
    id: String,
    /// The app client id (1 to 128 of A-Z, a-z, 0-9, `_` and `+`).
    #[schemars(with = "PlainText")]
    client_id: String,
    /// The app client's secret, when it has one (`${ENV_VAR}` or `${file:PATH}`).
    client_secret: Option<Secret>,
}

/// The spec's patterns of the ids (ECMA 262), for the scenario schema; the conversion below
/// checks the same.
fn refine(schema: &mut schemars::Schema) {
    super::patterns::refine_property(
        schema,
        "id",
        serde_json::json!({ "pattern": "^[A-Za-z0-9-]+_[A-Za-z0-9]+$", "maxLength": 55 }),
    );
    super::patterns::refine_property(
        schema,
        "client_id",
        serde_json::json!({ "pattern": "^[A-Za-z0-9_+]+$", "minLength": 1, "maxLength": 128 }),
    );
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
    "an existing pool (id, client_id, client_secret)",
    refine: refine
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

/// A code younger than this at the load's end is used as a live one: a minute short of the
/// 24 h, so that clocks a little apart never see it expire mid-run.
pub const LIVE_LIFETIME: Duration = Duration::from_secs(24 * 3600 - 60);

impl ListedUser {
    pub fn expired(&self, now: SystemTime) -> bool {
        self.signed_up_at
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|age| age > CODE_LIFETIME)
    }

    /// Its code is still live at `until` (the load's end): it is no age, or younger than
    /// [`LIVE_LIFETIME`] then.
    pub fn live_until(&self, until: SystemTime) -> bool {
        self.signed_up_at
            .and_then(|t| until.duration_since(t).ok())
            .is_none_or(|age| age < LIVE_LIFETIME)
    }
}

/// `users.from_csv`: checked whole when the scenario is built (every row, before anything is
/// sent), then read again row by row as the run needs its users, so that a file of a million
/// users is never held in memory.
#[derive(Debug, Clone)]
pub struct ListedUsers {
    pub file: PathBuf,
    /// A shard's rows are those whose index (from 0, in file order) it owns.
    pub shard: Option<Shard>,
    /// This run's rows (this shard's), and of them those whose code has expired as of `now`
    /// and those that give a code.
    pub rows: u64,
    pub expired: u64,
    /// Rows whose code is live now but would expire before the load ends (or within a minute
    /// of 24 h now): used neither as live nor as expired.
    pub expiring: u64,
    pub coded: u64,
    /// Rows and rows with a code in the whole file, every shard's.
    pub whole: u64,
    pub whole_coded: u64,
    /// When the codes' ages were judged, and when the load ends at the latest; the rows are
    /// dealt by them again when read.
    pub now: SystemTime,
    pub until: SystemTime,
    /// The file's length and modification time when it was checked: a file that differs when
    /// read again changed under the run.
    pub stamp: Stamp,
}

/// What says a file is still the one that was checked.
pub type Stamp = (u64, Option<SystemTime>);

impl ListedUsers {
    pub fn live(&self) -> u64 {
        self.rows - self.expired - self.expiring
    }

    /// A row for the live slots: its code lasts the load.
    pub fn is_live(&self, user: &ListedUser) -> bool {
        user.live_until(self.until)
    }

    /// A row for the expired slot: its code has expired already.
    pub fn is_expired(&self, user: &ListedUser) -> bool {
        user.expired(self.now)
    }

    /// This run's rows again, in file order. A row that no longer checks (the file changed
    /// since the run started) is an error, and ends the reading.
    pub fn read(&self) -> Result<Rows, String> {
        let mut rows = Rows::open(&self.file)?;
        rows.shard = self.shard;
        rows.expect = Some(self.stamp);
        rows.still_checked()?;
        Ok(rows)
    }
}

/// A reader of a users CSV's rows, each checked as it is read.
pub struct Rows {
    file: PathBuf,
    reader: csv::Reader<crate::files::Bounded<std::fs::File>>,
    columns: Columns,
    record: csv::StringRecord,
    /// The index of the next row, every shard's rows counted.
    index: u64,
    shard: Option<Shard>,
    failed: bool,
    /// When reading again: the stamp of the file as checked.
    expect: Option<Stamp>,
}

#[derive(Clone, Copy)]
struct Columns {
    username: usize,
    code: Option<usize>,
    sub: Option<usize>,
    email: Option<usize>,
    signed: Option<usize>,
}

impl Rows {
    fn open(file: &Path) -> Result<Rows, String> {
        use crate::files::{Bounded, USERS_CSV_LINE_MAX, USERS_CSV_MAX, open_limited};
        let opened = open_limited(file, USERS_CSV_MAX, "users CSV")
            .map_err(|e| format!("users.from_csv: {e}"))?;
        // Read twice (checked whole before anything is sent, then as the run needs its users):
        // a pipe or a device would be drained by the check, or could stall the run.
        if !opened.metadata().is_ok_and(|m| m.is_file()) {
            return Err(format!(
                "users.from_csv: {}: not a regular file (a pipe or a device): it is read twice, checked whole before the run and then as the run needs its users; write the users to a file first",
                file.display()
            ));
        }
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(Bounded::new(opened, USERS_CSV_MAX, USERS_CSV_LINE_MAX));
        let at =
            |line: u64, why: String| format!("users.from_csv: {}:{line}: {why}", file.display());
        let headers = reader.headers().map_err(|e| csv_error(file, 1, e))?.clone();
        let column = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
        let known = ["username", "code", "sub", "email", "signed_up_at"];
        if let Some(twice) = known
            .iter()
            .find(|k| headers.iter().filter(|h| h.eq_ignore_ascii_case(k)).count() > 1)
        {
            return Err(at(1, format!("column `{twice}` appears twice")));
        }
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
        Ok(Rows {
            file: file.to_owned(),
            reader,
            columns: Columns {
                username,
                code: column("code"),
                sub: column("sub"),
                email: column("email"),
                signed: column("signed_up_at"),
            },
            record: csv::StringRecord::new(),
            index: 0,
            shard: None,
            failed: false,
            expect: None,
        })
    }

    fn stamp(&self) -> Option<Stamp> {
        let meta = self.reader.get_ref().get_ref().metadata().ok()?;
        Some((meta.len(), meta.modified().ok()))
    }

    /// Reading again: the file is still the one that was checked.
    fn still_checked(&self) -> Result<(), String> {
        match self.expect {
            Some(want) if self.stamp() != Some(want) => Err(format!(
                "users.from_csv: {}: the file changed since the run checked it (its length or modification time differ); the run stops rather than use rows it did not check",
                self.file.display()
            )),
            _ => Ok(()),
        }
    }

    /// The next row of any shard, with its line: `None` at the end of the file.
    fn next_row(&mut self) -> Option<Result<(u64, ListedUser), String>> {
        if self.failed {
            return None;
        }
        let row = self.read_row();
        if matches!(row, Some(Err(_))) {
            self.failed = true;
        }
        row
    }

    fn read_row(&mut self) -> Option<Result<(u64, ListedUser), String>> {
        if let Err(why) = self.still_checked() {
            return Some(Err(why));
        }
        match self.reader.read_record(&mut self.record) {
            Ok(false) => return None,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                return Some(Err(csv_error(&self.file, line, e)));
            }
        }
        let line = self.record.position().map_or(0, |p| p.line());
        let at = |why: String| format!("users.from_csv: {}:{line}: {why}", self.file.display());
        let get = |i: Option<usize>| i.and_then(|i| self.record.get(i)).unwrap_or("").to_owned();
        let c = self.columns;
        let signed_up_at = match get(c.signed).as_str() {
            "" => None,
            t => match parse_time(t) {
                Ok(t) => Some(t),
                Err(why) => return Some(Err(at(why))),
            },
        };
        let user = ListedUser {
            username: get(Some(c.username)),
            code: get(c.code),
            sub: get(c.sub),
            email: get(c.email),
            signed_up_at,
        };
        if user.username.is_empty() {
            return Some(Err(at("empty username".into())));
        }
        Some(Ok((line, user)))
    }
}

impl Iterator for Rows {
    type Item = Result<ListedUser, String>;

    fn next(&mut self) -> Option<Result<ListedUser, String>> {
        loop {
            // An error ends the reading whichever shard's row it is in.
            let (_, user) = match self.next_row()? {
                Ok(row) => row,
                Err(why) => return Some(Err(why)),
            };
            let j = self.index;
            self.index += 1;
            if self.shard.is_none_or(|s| s.owns(j)) {
                return Some(Ok(user));
            }
        }
    }
}

fn csv_error(file: &Path, line: u64, e: csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Io(io) => format!("users.from_csv: {}: {io}", file.display()),
        _ => format!("users.from_csv: {}:{line}: {e}", file.display()),
    }
}

/// Columns, by header name: `username` is required; `code`, `sub`, `email` and `signed_up_at`
/// (RFC 3339 UTC or Unix seconds) are optional. `cogbench provision` writes this format.
/// Checks every row and counts them (those `shard` owns, and all); keeps none. A user listed
/// twice (by name, folded in a case-insensitive pool, or by `sub`) is found by a 128-bit hash
/// of each: about 70 bytes a row at the hash set's peak, while checking only.
pub fn check_csv(
    scenario: &Path,
    path: &str,
    shard: Option<Shard>,
    now: SystemTime,
    load: Duration,
    case_sensitive: bool,
) -> Result<ListedUsers, String> {
    use std::hash::{BuildHasher as _, RandomState};
    let file = match scenario.parent() {
        Some(dir) if Path::new(path).is_relative() => dir.join(path),
        _ => PathBuf::from(path),
    };
    let mut rows = Rows::open(&file)?;
    let stamp = rows.stamp().unwrap_or((0, None));
    let (h1, h2) = (RandomState::new(), RandomState::new());
    let key = |kind: &str, value: &str| {
        let value = (kind, value);
        (u128::from(h1.hash_one(value)) << 64) | u128::from(h2.hash_one(value))
    };
    let mut seen = std::collections::HashSet::new();
    let mut listed = ListedUsers {
        file: file.clone(),
        shard,
        rows: 0,
        expired: 0,
        coded: 0,
        whole: 0,
        whole_coded: 0,
        now,
        until: now + load,
        stamp,
        expiring: 0,
    };
    while let Some(row) = rows.next_row() {
        let (line, user) = row?;
        let at = |why: String| format!("users.from_csv: {}:{line}: {why}", file.display());
        // In a case-insensitive pool names differing only in case are one user; a `sub` is
        // one user whatever name it comes under.
        let name = if case_sensitive {
            user.username.clone()
        } else {
            user.username.to_lowercase()
        };
        if !seen.insert(key("name", &name)) {
            return Err(at(format!(
                "user `{}` is listed twice{}; each row must be a distinct user",
                user.username,
                if case_sensitive {
                    ""
                } else {
                    " (the pool's usernames are case-insensitive)"
                }
            )));
        }
        if !user.sub.is_empty() && !seen.insert(key("sub", &user.sub)) {
            return Err(at(format!(
                "sub `{}` is listed twice; each row must be a distinct user",
                user.sub
            )));
        }
        let j = listed.whole;
        listed.whole += 1;
        let coded = !user.code.is_empty();
        listed.whole_coded += u64::from(coded);
        if shard.is_none_or(|s| s.owns(j)) {
            listed.rows += 1;
            listed.coded += u64::from(coded);
            if listed.is_expired(&user) {
                listed.expired += 1;
            } else if !listed.is_live(&user) {
                listed.expiring += 1;
            }
        }
        if listed.whole > super::values::MAX_USERS {
            return Err(at(format!("more than {} users", super::values::MAX_USERS)));
        }
    }
    if listed.whole == 0 {
        return Err(format!("users.from_csv: {} lists no users", file.display()));
    }
    Ok(listed)
}

/// `2026-11-27T09:30:00Z` (fractions and `+HH:MM` offsets allowed) or Unix seconds.
pub fn parse_time(s: &str) -> Result<SystemTime, String> {
    if let Ok(secs) = s.parse::<u64>() {
        return UNIX_EPOCH
            .checked_add(Duration::from_secs(secs))
            .ok_or_else(|| format!("signed_up_at `{s}`: Unix seconds past the clock's range"));
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
            "18446744073709551615",
            "9223372036854775808",
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

    fn names(listed: &ListedUsers) -> Vec<String> {
        listed
            .read()
            .unwrap()
            .map(|u| u.unwrap().username)
            .collect()
    }

    #[test]
    fn reads_a_csv_with_positions_in_errors() {
        let dir = tempfile::tempdir().unwrap();
        let scenario = dir.path().join("s.yaml");
        let now = parse_time("2026-11-28T12:00:00Z").unwrap();
        let check = |file: &str| check_csv(&scenario, file, None, now, Duration::ZERO, true);
        std::fs::write(
            dir.path().join("u.csv"),
            "username,code,signed_up_at\nalice,123456,2026-11-27T09:30:00Z\nbob,,\n",
        )
        .unwrap();
        let listed = check("u.csv").unwrap();
        assert_eq!((listed.rows, listed.coded, listed.expired), (2, 1, 1));
        let users: Vec<ListedUser> = listed.read().unwrap().map(Result::unwrap).collect();
        assert_eq!(users[0].code, "123456");
        assert!(users[1].code.is_empty() && users[1].signed_up_at.is_none());

        std::fs::write(dir.path().join("dup.csv"), "username\nalice\nalice\n").unwrap();
        let e = check("dup.csv").unwrap_err();
        assert!(e.contains("dup.csv:3") && e.contains("listed twice"), "{e}");

        std::fs::write(dir.path().join("col.csv"), "user,code\nalice,1\n").unwrap();
        let e = check("col.csv").unwrap_err();
        assert!(
            e.contains("col.csv:1") && e.contains("unknown column `user`"),
            "{e}"
        );

        std::fs::write(
            dir.path().join("time.csv"),
            "username,signed_up_at\na,soon\n",
        )
        .unwrap();
        let e = check("time.csv").unwrap_err();
        assert!(e.contains("time.csv:2") && e.contains("RFC 3339"), "{e}");

        std::fs::write(dir.path().join("empty.csv"), "username\n").unwrap();
        assert!(check("empty.csv").unwrap_err().contains("lists no users"));

        let e = check("missing.csv").unwrap_err();
        assert!(e.contains("cannot read"), "{e}");
    }

    #[test]
    fn a_shard_reads_its_own_rows_and_a_changed_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let scenario = dir.path().join("s.yaml");
        let csv: String = std::iter::once("username\n".to_owned())
            .chain((0..7).map(|i| format!("u{i}\n")))
            .collect();
        std::fs::write(dir.path().join("u.csv"), &csv).unwrap();
        let now = SystemTime::now();
        let shard = Shard { index: 2, count: 3 };
        let mine = check_csv(&scenario, "u.csv", Some(shard), now, Duration::ZERO, true).unwrap();
        assert_eq!((mine.rows, mine.whole), (2, 7));
        assert_eq!(names(&mine), ["u1", "u4"]);
        // The file is rewritten while the run reads it (its first rows again, say): the next
        // row read is an error, never a row the check did not see.
        let mut reading = mine.read().unwrap();
        assert_eq!(reading.next().unwrap().unwrap().username, "u1");
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(dir.path().join("u.csv"), &csv[..csv.len() - 3]).unwrap();
        let e = reading.next().unwrap().unwrap_err();
        assert!(e.contains("changed since the run checked it"), "{e}");
        assert!(reading.next().is_none(), "the reading ends at the error");
        // And read again from the start, it is refused at once.
        assert!(mine.read().is_err());
    }

    #[test]
    fn duplicates_by_folded_name_or_by_sub_and_odd_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let scenario = dir.path().join("s.yaml");
        let now = SystemTime::now();
        let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
        write("case.csv", "username\nAlice\nALICE\n");
        assert!(check_csv(&scenario, "case.csv", None, now, Duration::ZERO, true).is_ok());
        let e = check_csv(&scenario, "case.csv", None, now, Duration::ZERO, false).unwrap_err();
        assert!(
            e.contains("case.csv:3") && e.contains("case-insensitive"),
            "{e}"
        );
        write("sub.csv", "username,sub\na,s-1\nb,s-1\n");
        let e = check_csv(&scenario, "sub.csv", None, now, Duration::ZERO, true).unwrap_err();
        assert!(e.contains("sub.csv:3") && e.contains("sub `s-1`"), "{e}");
        write("col.csv", "username,code,username\na,1,b\n");
        let e = check_csv(&scenario, "col.csv", None, now, Duration::ZERO, true).unwrap_err();
        assert!(e.contains("column `username` appears twice"), "{e}");
        let e = check_csv(&scenario, "/dev/zero", None, now, Duration::ZERO, true).unwrap_err();
        assert!(e.contains("not a regular file"), "{e}");
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
        // Live for a load that ends an hour on only if the code lasts until then, with a
        // minute to spare; in between, a row is neither.
        let end = now + Duration::from_secs(3600);
        assert!(user("2026-11-27T13:02:00Z").live_until(end));
        assert!(!user("2026-11-27T13:00:00Z").live_until(end));
        assert!(!user("2026-11-27T13:00:00Z").expired(now));
    }
}
