//! What cogbench prints: stdout for the reader of its output, stderr for the person watching.
//!
//! `println!` and `eprintln!` panic when the write fails, so `cases | head -1` or a stderr
//! piped into a reader that went away would end a command with a panic and exit 101, or cut
//! a run short before its reports are written. Here a reader that went away ends the output
//! quietly and the command goes on to exit with the code it earned (clippy.toml forbids the
//! std macros so that this stays the rule).
//!
//! Text from a target (error messages, headers) reaches both streams; its control and
//! bidirectional characters are written visibly (`\u{1b}`), so an answer cannot move the
//! cursor, clear the screen or make a line read otherwise than it is.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

/// Writes `text` to stdout, control characters made visible. A closed pipe ends the output
/// quietly; any other failure is said on stderr once, and the command then exits 1.
pub fn out(text: &str) {
    write_out(&printable(text));
}

/// Writes JSON to stdout, control characters escaped as JSON escapes (`\u001b`), so the
/// document stays valid and a terminal shows them as text.
pub fn out_json(json: &str) {
    write_out(&json_safe(json));
}

/// Writes text whose target-given parts were made safe already (with [`inline`]) to stdout as
/// it is: for output that carries cogbench's own terminal colours.
pub fn out_raw(text: &str) {
    write_out(text);
}

/// Set when stdout failed for a reason other than a closed pipe: said once, then the output
/// stops and the command exits 1 (`output_failed`).
static OUTPUT_FAILED: AtomicBool = AtomicBool::new(false);

/// Whether stdout could not be written (a full disk, not a reader that went away).
pub fn output_failed() -> bool {
    OUTPUT_FAILED.load(Ordering::Relaxed)
}

fn write_out(text: &str) {
    if output_failed() {
        return;
    }
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        && e.kind() != std::io::ErrorKind::BrokenPipe
        && !OUTPUT_FAILED.swap(true, Ordering::Relaxed)
    {
        err(&format!("cogbench: error: writing the output: {e}\n"));
    }
}

/// Writes `text` to stderr; a stderr that cannot be written to is ignored, since it is where
/// a failure would be reported.
pub fn err(text: &str) {
    err_raw(&printable(text));
}

/// [`err`] for text whose target-given parts were made safe already: cogbench's own colours
/// pass.
pub fn err_raw(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr
        .write_all(text.as_bytes())
        .and_then(|()| stderr.flush());
}

/// `text` on one line with nothing a terminal would act on: for a target's text in a cell or
/// a one-line message, where a line break could forge a line of its own (`\nPASS`).
pub fn inline(text: &str) -> String {
    printable(text).replace('\n', "\\n").replace('\t', "\\t")
}

/// Characters a text from a target must not carry to a terminal or a file as they are:
/// control characters (but for line breaks and tabs) and the bidirectional overrides, which
/// can make a line read otherwise than it is.
pub fn unsafe_char(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// The text with unsafe characters written as `\u{1b}`: an answer is shown on terminals and
/// in files, and a target's escape sequences must not act there.
pub fn printable(text: &str) -> String {
    escape_unsafe(text, |c| format!("\\u{{{:x}}}", u32::from(c)))
}

/// JSON text with the characters a terminal would act on written as JSON escapes. serde_json
/// escapes C0 controls already; C1 controls and the bidirectional marks it writes as they are.
pub fn json_safe(json: &str) -> String {
    escape_unsafe(json, |c| format!("\\u{:04x}", u32::from(c)))
}

/// `text` with each [`unsafe_char`] written as `escape` spells it.
fn escape_unsafe(text: &str, escape: fn(char) -> String) -> String {
    // C0 controls and DEL are single bytes; C1 controls (U+0080–U+009F) start with 0xC2 and
    // the bidirectional marks with 0xE2.
    if !text
        .bytes()
        .any(|b| (b < 0x20 && b != b'\n' && b != b'\t') || b == 0x7f || b == 0xc2 || b == 0xe2)
    {
        return text.to_owned();
    }
    text.chars()
        .map(|c| {
            if unsafe_char(c) {
                escape(c)
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// `text` in lines of at most `width` characters, broken at spaces; a word longer than a line
/// keeps a line of its own.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// `println!` that never panics: see [`out`].
#[macro_export]
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::__term_line!(out; $($arg)*)
    };
}

/// `eprintln!` that never panics: see [`err`].
#[macro_export]
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::__term_line!(err; $($arg)*)
    };
}

/// What [`outln!`] and [`errln!`] share: a line, written with `term::out` or `term::err`.
#[doc(hidden)]
#[macro_export]
macro_rules! __term_line {
    ($write:ident;) => {
        $crate::term::$write("\n")
    };
    ($write:ident; $($arg:tt)*) => {
        $crate::term::$write(&format!("{}\n", format_args!($($arg)*)))
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
    use super::{redact_url, wrap};

    #[test]
    fn wrap_breaks_at_spaces_and_keeps_long_words() {
        assert_eq!(wrap("a bb ccc", 4), ["a bb", "ccc"]);
        assert_eq!(wrap("abcdefgh ij", 4), ["abcdefgh", "ij"]);
        assert_eq!(wrap("", 4), [""]);
        assert_eq!(wrap("é é é", 3), ["é é", "é"]);
    }

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

    #[test]
    fn a_targets_text_cannot_act_on_a_terminal() {
        assert_eq!(
            super::inline("evil\u{1b}[2J\0\u{1}\nPASS\u{202e}"),
            "evil\\u{1b}[2J\\u{0}\\u{1}\\nPASS\\u{202e}"
        );
        let json = serde_json::to_string(&"a\u{1b}\u{9b}\u{202e}b").unwrap();
        let safe = super::json_safe(&json);
        assert_eq!(safe, r#""a\u001b\u009b\u202eb""#);
        assert_eq!(
            serde_json::from_str::<String>(&safe).unwrap(),
            "a\u{1b}\u{9b}\u{202e}b"
        );
    }
}
