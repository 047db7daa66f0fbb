//! The files the credential chain reads, looked at before `aws-config` opens them: it reads
//! each whole, without a bound, and opening a FIFO blocks the runtime thread for good (an
//! interrupt cannot win a race against a blocked syscall). A path that exists but is not a
//! regular file, or is larger than any real one, is never opened. The contents are never
//! quoted in a message (a token file holds a secret).

use std::path::{Path, PathBuf};

/// A token file (container authorization token, web identity JWT). An EKS service account
/// token or ECS/EKS authorization token is 1–4 KiB; 64 KiB leaves room for any real JWT
/// with large claims while keeping a `/dev/zero` or a log file from being read whole.
pub const TOKEN_LIMIT: u64 = 64 * 1024;

/// A shared config or credentials file: text with a few lines per profile; 1 MiB is
/// thousands of profiles, far beyond any real file.
pub const SHARED_LIMIT: u64 = 1024 * 1024;

/// Why `path` must not be opened (not a regular file, or over `limit` bytes), or `None`:
/// a regular file within the bound, or no file at all (whoever reads it says that).
/// `metadata` follows symbolic links and never opens the file, so a FIFO does not block.
/// (The file can still change between this look and the SDK's read; a bound on what a
/// careless configuration does, not a defence against a hostile local user.)
pub fn unusable(path: &Path, limit: u64) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() {
        let kind = if meta.is_dir() {
            "a directory"
        } else {
            "not a regular file (a FIFO, socket or device)"
        };
        return Some(format!("{} is {kind}", path.display()));
    }
    (meta.len() > limit).then(|| {
        format!(
            "{} is {} bytes, more than the {} a real one can hold",
            path.display(),
            meta.len(),
            size(limit)
        )
    })
}

fn size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{} MiB", bytes / (1024 * 1024))
    } else {
        format!("{} KiB", bytes / 1024)
    }
}

/// The token file named by `var`, when set and unusable: the problem, naming the variable
/// and the path. A token with a line break or other control character cannot be sent as a
/// header; the SDK would say so quoting the token, so it is caught here first (the Rust SDK
/// does not trim a token file's final newline, and neither does cogbench: the file is the
/// user's to fix, and a token silently altered would be harder to debug).
pub fn token_problem(var: &str, value: Option<String>) -> Option<String> {
    let path = PathBuf::from(value.filter(|v| !v.is_empty())?);
    if let Some(why) = unusable(&path, TOKEN_LIMIT) {
        return Some(format!("{var}: {why}"));
    }
    let bytes = std::fs::read(&path).ok()?;
    header_problem(&bytes).map(|why| format!("{var}: the token in {} {why}", path.display()))
}

/// As [`token_problem`] for a token sent in a request body (the web identity JWT): only
/// the file's kind and size matter.
pub fn token_problem_of_size(var: &str, value: Option<String>) -> Option<String> {
    let path = PathBuf::from(value.filter(|v| !v.is_empty())?);
    unusable(&path, TOKEN_LIMIT).map(|why| format!("{var}: {why}"))
}

/// Why `token` cannot be an HTTP header value (without quoting it), or `None`.
pub fn header_problem(token: &[u8]) -> Option<&'static str> {
    if token.ends_with(b"\n") || token.ends_with(b"\r") {
        Some("ends with a line break, which a header cannot carry (remove the final newline)")
    } else if token.iter().any(|&b| (b < 0x20 && b != b'\t') || b == 0x7f) {
        Some("holds a line break or control character, which a header cannot carry")
    } else {
        None
    }
}

/// The shared config and credentials files the SDK would open: `AWS_CONFIG_FILE` and
/// `AWS_SHARED_CREDENTIALS_FILE` (a leading `~` is the home directory), else
/// `~/.aws/config` and `~/.aws/credentials`. `None` where no home is known.
pub fn shared_paths(var: impl Fn(&str) -> Option<String>) -> [(&'static str, Option<PathBuf>); 2] {
    let home = var("HOME").filter(|h| !h.is_empty());
    let path = |name: &str, default: &str| -> Option<PathBuf> {
        match var(name).filter(|v| !v.is_empty()) {
            Some(v) => match v.strip_prefix("~/") {
                Some(rest) => home.as_ref().map(|h| Path::new(h).join(rest)),
                None => Some(PathBuf::from(v)),
            },
            None => home
                .as_ref()
                .map(|h| Path::new(h).join(".aws").join(default)),
        }
    };
    [
        ("AWS_CONFIG_FILE", path("AWS_CONFIG_FILE", "config")),
        (
            "AWS_SHARED_CREDENTIALS_FILE",
            path("AWS_SHARED_CREDENTIALS_FILE", "credentials"),
        ),
    ]
}

/// The `web_identity_token_file` of `profile` in a shared file's `text`, or of the profile
/// its `source_profile` names (a few links at most), when that profile names a `role_arn`,
/// for a look before the SDK reads it.
/// A sketch of the SDK's parser: `[profile NAME]` or `[NAME]` sections, `key = value` lines.
pub fn profile_token_file(text: &str, profile: &str) -> Option<String> {
    let mut name = profile.to_owned();
    for _ in 0..4 {
        let get = |key: &str| value_in(text, &name, key);
        // The SDK reads the file only for a profile naming a role too.
        if let Some(file) = get("web_identity_token_file")
            && get("role_arn").is_some()
        {
            return Some(file);
        }
        name = get("source_profile")?;
    }
    None
}

fn value_in(text: &str, profile: &str, key: &str) -> Option<String> {
    let mut inside = false;
    for line in text.lines().map(str::trim) {
        if let Some(header) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let header = header.trim();
            let header = header.strip_prefix("profile ").unwrap_or(header).trim();
            inside = header == profile;
        } else if inside
            && let Some((k, v)) = line.split_once('=')
            && k.trim() == key
        {
            return Some(v.trim().to_owned()).filter(|v| !v.is_empty());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_directories_and_large_files_are_unusable() {
        let dir = tempfile::tempdir().unwrap();
        assert!(unusable(&dir.path().join("absent"), TOKEN_LIMIT).is_none());
        assert!(
            unusable(dir.path(), TOKEN_LIMIT)
                .unwrap()
                .contains("directory")
        );
        assert!(unusable(Path::new("/dev/zero"), TOKEN_LIMIT).is_some());
        let small = dir.path().join("small");
        std::fs::write(&small, "token").unwrap();
        assert!(unusable(&small, TOKEN_LIMIT).is_none());
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'a'; TOKEN_LIMIT as usize + 1]).unwrap();
        assert!(unusable(&big, TOKEN_LIMIT).unwrap().contains("64 KiB"));
    }

    #[test]
    fn a_token_with_a_newline_is_named_not_quoted() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("token");
        std::fs::write(&file, "TOKFILESECRET\n").unwrap();
        let value = Some(file.to_str().unwrap().to_owned());
        let why = token_problem("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", value.clone()).unwrap();
        assert!(
            why.contains("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"),
            "{why}"
        );
        assert!(
            why.contains("newline") && !why.contains("TOKFILESECRET"),
            "{why}"
        );
        std::fs::write(&file, "TOKFILESECRET").unwrap();
        assert!(token_problem("X", value).is_none());
        assert!(token_problem("X", None).is_none());
    }

    #[test]
    fn a_profile_token_file_is_found_through_its_source_profile() {
        let text = "[default]\nregion = x\n[profile ci]\nsource_profile = base\nrole_arn = r\n\
                    [profile base]\nrole_arn = r\nweb_identity_token_file = /dev/zero\n\
                    [profile keyless]\nweb_identity_token_file = /dev/zero\n";
        assert_eq!(profile_token_file(text, "ci").as_deref(), Some("/dev/zero"));
        assert_eq!(
            profile_token_file(text, "base").as_deref(),
            Some("/dev/zero")
        );
        assert!(profile_token_file(text, "default").is_none());
        assert!(profile_token_file(text, "keyless").is_none());
        let looped = "[profile a]\nsource_profile = a\n";
        assert!(profile_token_file(looped, "a").is_none());
    }

    #[test]
    fn shared_paths_follow_the_variables_then_home() {
        let var = |k: &str| match k {
            "HOME" => Some("/h".to_owned()),
            "AWS_CONFIG_FILE" => Some("~/c".to_owned()),
            _ => None,
        };
        let [(_, config), (_, credentials)] = shared_paths(var);
        assert_eq!(config.unwrap(), Path::new("/h/c"));
        assert_eq!(credentials.unwrap(), Path::new("/h/.aws/credentials"));
    }
}
