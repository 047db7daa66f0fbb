//! What cogbench prints: stdout for the reader of its output, stderr for the person watching.
//!
//! `println!` and `eprintln!` panic when the write fails, so `cases | head -1` or a stderr
//! piped into a reader that went away would end a command with a panic and exit 101, or cut
//! a run short before its reports are written. Here a reader that went away ends the output
//! quietly and the command goes on to exit with the code it earned (clippy.toml forbids the
//! std macros so that this stays the rule).

use std::io::Write;

/// Writes `text` to stdout. A closed pipe ends the output quietly; any other failure is said
/// on stderr (once per write: there is nothing better to do with it).
pub fn out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        err(&format!("cogbench: error: writing the output: {e}\n"));
    }
}

/// Writes `text` to stderr; a stderr that cannot be written to is ignored, since it is where
/// a failure would be reported.
pub fn err(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr
        .write_all(text.as_bytes())
        .and_then(|()| stderr.flush());
}

/// `println!` that never panics: see [`out`].
#[macro_export]
macro_rules! outln {
    () => {
        $crate::term::out("\n")
    };
    ($($arg:tt)*) => {
        $crate::term::out(&format!("{}\n", format_args!($($arg)*)))
    };
}

/// `eprintln!` that never panics: see [`err`].
#[macro_export]
macro_rules! errln {
    () => {
        $crate::term::err("\n")
    };
    ($($arg:tt)*) => {
        $crate::term::err(&format!("{}\n", format_args!($($arg)*)))
    };
}

/// `text` with the user information of every URL in it masked (`http://admin:***@host`,
/// `http://***@host`): wherever a URL is printed or written, a password in it must not be.
/// Works on text that does not parse as a URL, since those are the ones quoted in errors.
pub fn redact_url(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (head, tail) = rest.split_at(at + 3);
        out.push_str(head);
        let authority_end = tail
            .find(|c: char| matches!(c, '/' | '?' | '#') || c.is_whitespace() || c == '"')
            .unwrap_or(tail.len());
        let authority = &tail[..authority_end];
        match authority.rfind('@') {
            Some(end) => {
                let userinfo = &authority[..end];
                match userinfo.split_once(':') {
                    Some((user, _)) if !user.is_empty() => {
                        out.push_str(user);
                        out.push_str(":***");
                    }
                    _ => out.push_str("***"),
                }
                out.push_str(&authority[end..]);
            }
            None => out.push_str(authority),
        }
        rest = &tail[authority_end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn a_url_keeps_everything_but_its_password() {
        assert_eq!(
            redact_url("http://admin:UrlPassw0rdXYZ@127.0.0.1:18999/x?y"),
            "http://admin:***@127.0.0.1:18999/x?y"
        );
        assert_eq!(redact_url("https://tok3n@h/p"), "https://***@h/p");
        assert_eq!(
            redact_url("http://127.0.0.1:1/a@b"),
            "http://127.0.0.1:1/a@b"
        );
        assert_eq!(
            redact_url("from `http://a:p@h` and \"http://b:q@[::1\""),
            "from `http://a:***@h` and \"http://b:***@[::1\""
        );
        assert_eq!(redact_url("no url: a@b"), "no url: a@b");
    }
}
