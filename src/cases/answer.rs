//! Answers reduced to what a verdict can rest on, with the run's own names replaced by
//! placeholders, so that answers from two runs, two users or two targets compare on what
//! they say rather than on the ids each run generated. Recording (snapshots), the oracle,
//! deviation records and `cogbench diff` all work on these.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::exchange::{Answer, excerpt};
use crate::term::printable;

/// The answer headers whose presence is recorded (spec §1.3), in their canonical spelling.
pub const TRACKED_HEADERS: [&str; 3] = [
    "x-amzn-RequestId",
    "x-amzn-ErrorType",
    "x-amzn-ErrorMessage",
];

/// One answer as recorded: status, error type (namespace removed), message (placeholders in
/// place of volatile values, secrets masked), content type, which tracked headers came, and
/// the body's members.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NormalisedAnswer {
    pub status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The Content-Type header as sent (`None`: absent).
    #[serde(default)]
    pub content_type: Option<Text>,
    /// Of `TRACKED_HEADERS`, those the answer carried.
    #[serde(default)]
    pub headers: Vec<Text>,
    /// The body's top-level members, sorted; or one of `(empty)`, `(not JSON)`,
    /// `(not an object)`.
    #[serde(default)]
    pub body: Vec<Text>,
}

/// A text that is nearly always one of a few known ones (a header's name, `__type`, the
/// content type): those are not allocated again for every answer.
pub type Text = std::borrow::Cow<'static, str>;

const KNOWN: [&str; 10] = [
    "__type",
    "message",
    "Message",
    "Session",
    "(empty)",
    "(not JSON)",
    "(not an object)",
    "application/x-amz-json-1.1",
    "application/x-amz-json-1.0",
    "application/json",
];

/// Whether a parsed body holds text a target could have echoed a request's values in: a
/// message, or a member of a name cogbench does not know.
pub fn may_echo(body: &serde_json::Value) -> bool {
    body.as_object().is_some_and(|m| {
        m.contains_key("message")
            || m.contains_key("Message")
            || m.keys().any(|k| !KNOWN.contains(&k.as_str()))
    })
}

fn text(s: &str) -> Text {
    match KNOWN.iter().find(|k| **k == s) {
        Some(k) => Text::Borrowed(k),
        None => Text::Owned(s.to_owned()),
    }
}

/// The run's names in one exchange, and the values that must never be written.
#[derive(Debug, Clone, Copy, Default)]
pub struct Names<'a> {
    pub client_id: &'a str,
    pub pool_id: &'a str,
    pub username: &'a str,
    pub email: &'a str,
    pub sub: &'a str,
    /// Codes, secrets and SecretHash values: masked as `***`.
    pub secrets: &'a [String],
}

impl NormalisedAnswer {
    /// `body` is the answer's body parsed, when it is JSON.
    pub fn of(answer: &Answer<'_>, body: Option<&serde_json::Value>, names: &Names<'_>) -> Self {
        Self::of_cached(answer, body, names, None)
    }

    /// As `of`, with a case's cache of the texts it has normalised before.
    pub fn of_cached(
        answer: &Answer<'_>,
        body: Option<&serde_json::Value>,
        names: &Names<'_>,
        cache: Option<&TextCache>,
    ) -> Self {
        let is_2xx = (200..300).contains(&answer.status);
        let field = |name: &str| body.and_then(|b| b.get(name)).and_then(|v| v.as_str());
        let error = if is_2xx {
            None
        } else {
            field("__type")
                .map(crate::protocol::sanitize_error_type)
                .filter(|t| !t.is_empty())
                .or_else(|| {
                    answer
                        .error_type_header
                        .map(crate::protocol::sanitize_error_type)
                        .filter(|t| !t.is_empty())
                })
                .map(printable)
        };
        let message = if is_2xx {
            None
        } else {
            field("message")
                .or_else(|| field("Message"))
                .map(|m| match cache {
                    Some(c) => c.normalise(m, names),
                    None => normalise_text(m, names),
                })
        };
        let mut headers = Vec::new();
        if answer.request_id.is_some_and(|id| !id.trim().is_empty()) {
            headers.push(Text::Borrowed(TRACKED_HEADERS[0]));
        }
        if answer.error_type_header.is_some() {
            headers.push(Text::Borrowed(TRACKED_HEADERS[1]));
        }
        if answer.error_message_header {
            headers.push(Text::Borrowed(TRACKED_HEADERS[2]));
        }
        let body = match body {
            _ if answer.body.is_empty() => vec![text("(empty)")],
            None => vec![text("(not JSON)")],
            Some(serde_json::Value::Object(map)) => {
                // A member's name could be anything a target echoes: normalised as a text.
                let mut keys: Vec<Text> = map
                    .keys()
                    .map(|k| match KNOWN.contains(&k.as_str()) {
                        true => text(k),
                        false => Text::Owned(normalise_text(k, names)),
                    })
                    .collect();
                keys.sort();
                keys
            }
            Some(_) => vec![text("(not an object)")],
        };
        NormalisedAnswer {
            status: answer.status,
            error,
            message,
            content_type: answer.content_type.map(|c| text(&printable(c.trim()))),
            headers,
            body,
        }
    }

    /// The answer as a sequence or race names it: `200`, `400 CodeMismatchException`.
    pub fn label(&self) -> String {
        match &self.error {
            Some(e) => format!("{} {e}", self.status),
            None => self.status.to_string(),
        }
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The media type of the Content-Type, lower-cased, without parameters.
    pub fn media_type(&self) -> Option<String> {
        self.content_type.as_deref().map(media_type)
    }

    /// Whether the answer carried a tracked header.
    pub fn has_header(&self, name: &str) -> bool {
        self.headers.iter().any(|h| h == name)
    }

    /// The fields an answer check compares (headers are a check of their own).
    pub fn same_answer(&self, other: &NormalisedAnswer) -> bool {
        self.status == other.status
            && self.error == other.error
            && self.message == other.message
            && self.body == other.body
    }

    /// The fields a header check compares.
    pub fn same_headers(&self, other: &NormalisedAnswer) -> bool {
        self.media_type() == other.media_type() && self.headers == other.headers
    }

    /// One line: `400 CodeMismatchException "Invalid …" [application/x-amz-json-1.1; x-amzn-RequestId]`.
    pub fn describe(&self) -> String {
        let mut s = self.label();
        if let Some(m) = &self.message {
            s.push_str(&format!(" \"{m}\""));
        }
        s.push_str(&format!(
            " [{}; headers: {}; body: {}]",
            self.content_type.as_deref().unwrap_or("no content type"),
            if self.headers.is_empty() {
                "none".to_owned()
            } else {
                self.headers.join(", ")
            },
            if self.body.is_empty() {
                "{}".to_owned()
            } else {
                self.body.join(", ")
            }
        ));
        s
    }
}

pub fn media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// An answer's text with the run's names as placeholders (`<client-id>`, `<pool-id>`,
/// `<username>`, `<email>`, `<sub>`), other UUIDs as `<uuid>`, dates as `<date>`, secrets as
/// `***`; the items of a multi-error validation message sorted (their order is not stable,
/// spec §3.2); bounded in length.
pub fn normalise_text(text: &str, names: &Names<'_>) -> String {
    // Every answer of a run goes through here: each step first looks, cheaply, whether it
    // has anything to do.
    let mut s = printable(text);
    let has = |s: &str, needle: &str| s.contains(needle);
    for secret in names.secrets.iter().filter(|v| v.len() >= 4) {
        if has(&s, secret) {
            s = s.replace(secret.as_str(), "***");
        }
    }
    // The upper-cased name can only be there if its first letter is.
    let first_upper = names
        .username
        .bytes()
        .next()
        .map(|b| b.to_ascii_uppercase());
    let upper = if first_upper.is_some_and(|f| f.is_ascii_uppercase() && s.as_bytes().contains(&f))
    {
        names.username.to_uppercase()
    } else {
        String::new()
    };
    // Longest first: an email usually contains the username.
    let mut pairs = [
        (names.email, "<email>"),
        (names.pool_id, "<pool-id>"),
        (names.client_id, "<client-id>"),
        (names.sub, "<sub>"),
        (names.username, "<username>"),
        (upper.as_str(), "<username-upper>"),
    ];
    pairs.sort_by_key(|(name, _)| std::cmp::Reverse(name.len()));
    for (name, placeholder) in pairs {
        if name.len() >= 3 && has(&s, name) {
            s = s.replace(name, placeholder);
        }
    }
    if s.bytes().filter(|b| *b == b'/').nth(1).is_some() {
        s = paths().replace_all(&s, "<path>").into_owned();
    }
    if s.contains('-') && s.bytes().any(|b| b.is_ascii_digit()) {
        s = volatile()
            .replace_all(&s, |c: &regex::Captures<'_>| {
                if c.name("uuid").is_some() {
                    "<uuid>"
                } else {
                    "<date>"
                }
            })
            .into_owned();
    }
    let s = sort_validation_items(&s).unwrap_or(s);
    let s = if has_long_run(&s) {
        squeeze_runs(&s)
    } else {
        s
    };
    bounded(s)
}

/// Whether some character repeats `RUN` times in a row.
fn has_long_run(s: &str) -> bool {
    let mut run = 0;
    let mut last = None;
    for b in s.bytes() {
        if Some(b) == last {
            run += 1;
            if run >= RUN {
                return true;
            }
        } else {
            (last, run) = (Some(b), 1);
        }
    }
    false
}

/// A run of one character this long is a generated value.
const RUN: usize = 16;

/// Long generated values (a 2049-character code) echoed in a message: a run of one character
/// becomes `<N×c>` (no space, so a `\S+` in an expectation still matches it): the text stays
/// short and still says what was sent.
fn squeeze_runs(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let mut n = 1;
        while chars.peek() == Some(&c) {
            chars.next();
            n += 1;
        }
        if n >= RUN {
            out.push_str(&format!("<{n}×{c}>"));
        } else {
            out.extend(std::iter::repeat_n(c, n));
        }
    }
    out
}

/// At most `MAX_TEXT` characters, with `…` where it was cut.
fn bounded(s: String) -> String {
    const MAX_TEXT: usize = 1000;
    if s.len() <= MAX_TEXT || s.chars().count() <= MAX_TEXT {
        return s;
    }
    let mut cut: String = s.chars().take(MAX_TEXT).collect();
    cut.push('…');
    cut
}

fn volatile() -> &'static regex::Regex {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        regex::Regex::new(
            r"(?P<uuid>\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b)|(?P<date>\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?)",
        )
        .expect("a valid pattern")
    })
}

/// The texts a case's answers brought, normalised once. Most of a service's messages are
/// the same for every request ("Username/client id combination not found."): those are
/// looked up instead of normalised again. A text holding one of the request's own values (its
/// user's name, email, sub, code) is never taken from the cache, as another request's
/// normalisation of the same text would not have replaced them.
#[derive(Debug, Default)]
pub struct TextCache(std::sync::Mutex<Vec<(String, String)>>);

impl TextCache {
    const SIZE: usize = 8;

    pub fn normalise(&self, text: &str, names: &Names<'_>) -> String {
        if own_values(text, names) {
            return normalise_text(text, names);
        }
        let mut cache = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, normalised)) = cache.iter().find(|(raw, _)| raw == text) {
            return normalised.clone();
        }
        let normalised = normalise_text(text, names);
        if cache.len() >= Self::SIZE {
            cache.remove(0);
        }
        cache.push((text.to_owned(), normalised.clone()));
        normalised
    }
}

/// Whether a text holds one of the request's own values (the client and pool are the case's).
fn own_values(text: &str, names: &Names<'_>) -> bool {
    let found = |v: &str| v.len() >= 3 && text.contains(v);
    found(names.username)
        || found(names.sub)
        || (!names.email.is_empty() && found(names.email))
        || names
            .secrets
            .iter()
            .any(|s| s.len() >= 4 && text.contains(s.as_str()))
        || (names.username.bytes().any(|b| b.is_ascii_lowercase())
            && text.bytes().any(|b| b.is_ascii_uppercase())
            && found(&names.username.to_uppercase()))
}

/// A file path of two or more parts (a stack trace's, which names where a peer is installed).
fn paths() -> &'static regex::Regex {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| regex::Regex::new(r"(?:/[\w.@+-]+){2,}/?").expect("a valid pattern"))
}

/// A difference's observed text for a report: normalised as answers are, then cut to the
/// report's excerpt length.
pub fn normalise_observed(text: &str, names: &Names<'_>) -> String {
    let s = normalise_text(text, names);
    excerpt(s.as_bytes())
}

/// `N validation errors detected: a; b; c` with its items in sorted order.
fn sort_validation_items(s: &str) -> Option<String> {
    let (head, items) = s.split_once(" validation errors detected: ")?;
    if head.is_empty() || !head.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut parts: Vec<&str> = items.split("; ").collect();
    parts.sort_unstable();
    Some(format!(
        "{head} validation errors detected: {}",
        parts.join("; ")
    ))
}

/// The answers of one execution of a group case, in order (a sequence) or as a histogram (a
/// race, whose order is not meaningful).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pattern {
    /// `sequence` or `race`.
    pub kind: PatternKind,
    /// Consecutive equal answers (a sequence) or equal answers (a race), with their counts.
    pub runs: Vec<Run>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PatternKind {
    Sequence,
    Race,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Run {
    pub count: u32,
    /// `200`, `400 CodeMismatchException`, `transport error`, `timeout`.
    pub answer: String,
}

impl Pattern {
    /// `labels` in the order the answers were sent.
    pub fn of(kind: PatternKind, labels: &[String]) -> Pattern {
        let mut runs: Vec<Run> = Vec::new();
        match kind {
            PatternKind::Sequence => {
                for l in labels {
                    match runs.last_mut() {
                        Some(r) if r.answer == *l => r.count += 1,
                        _ => runs.push(Run {
                            count: 1,
                            answer: l.clone(),
                        }),
                    }
                }
            }
            PatternKind::Race => {
                let mut counts: BTreeMap<&str, u32> = BTreeMap::new();
                for l in labels {
                    *counts.entry(l).or_default() += 1;
                }
                runs = counts
                    .into_iter()
                    .map(|(answer, count)| Run {
                        count,
                        answer: answer.to_owned(),
                    })
                    .collect();
            }
        }
        Pattern { kind, runs }
    }

    /// Answers of a race that were 2xx: how many confirmations succeeded.
    pub fn successes(&self) -> u32 {
        self.runs
            .iter()
            .filter(|r| r.answer.starts_with('2'))
            .fold(0, |n, r| n.saturating_add(r.count))
    }

    pub fn requests(&self) -> u32 {
        self.runs.iter().fold(0, |n, r| n.saturating_add(r.count))
    }
}

impl fmt::Display for Pattern {
    /// `15 × 400 CodeMismatchException, then 400 LimitExceededException`;
    /// `1 × 200 and 7 × 400 NotAuthorizedException, at once`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let part = |r: &Run| {
            if r.count == 1 && self.kind == PatternKind::Sequence {
                r.answer.clone()
            } else {
                format!("{} × {}", r.count, r.answer)
            }
        };
        let parts: Vec<String> = self.runs.iter().map(part).collect();
        match self.kind {
            PatternKind::Sequence => write!(f, "{}", parts.join(", then ")),
            PatternKind::Race => write!(f, "{}, at once", parts.join(" and ")),
        }
    }
}

/// Users' state read back with AdminGetUser after an execution: `user.UserStatus`,
/// `user.email_verified`, `previous_owner.…`, `group.verified_owners`, `alias.owner`.
pub type State = BTreeMap<String, String>;

pub fn describe_state(state: &State) -> String {
    state
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A value with how often it was seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Counted<T> {
    pub count: u64,
    #[serde(rename = "value")]
    pub value: T,
}

/// Distinct values with their counts, at most `MAX_DISTINCT` of them; the rest are counted in
/// `other`, so memory stays bounded however long a run is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally<T> {
    pub distinct: Vec<Counted<T>>,
    /// Occurrences of values past the first `MAX_DISTINCT`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub other: u64,
}

impl<T> Default for Tally<T> {
    fn default() -> Self {
        Tally {
            distinct: Vec::new(),
            other: 0,
        }
    }
}

pub const MAX_DISTINCT: usize = 16;

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl<T: PartialEq + Clone> Tally<T> {
    pub fn add(&mut self, value: T, count: u64) {
        self.add_at(value, count);
    }

    /// `add`, saying where the value is counted: its index in `distinct`, or `None` for
    /// `other` (so that the same value can be counted again with `add_to`).
    pub fn add_at(&mut self, value: T, count: u64) -> Option<usize> {
        if let Some(i) = self.distinct.iter().position(|c| c.value == value) {
            self.distinct[i].count += count;
            Some(i)
        } else if self.distinct.len() < MAX_DISTINCT {
            self.distinct.push(Counted { count, value });
            Some(self.distinct.len() - 1)
        } else {
            self.other += count;
            None
        }
    }

    /// Counts once more the value `add_at` placed at `at`.
    pub fn add_to(&mut self, at: Option<usize>, count: u64) {
        match at.and_then(|i| self.distinct.get_mut(i)) {
            Some(c) => c.count += count,
            None => self.other += count,
        }
    }

    pub fn merge(&mut self, other: &Tally<T>) {
        for c in &other.distinct {
            self.add(c.value.clone(), c.count);
        }
        self.other += other.other;
    }

    pub fn is_empty(&self) -> bool {
        self.distinct.is_empty() && self.other == 0
    }

    pub fn total(&self) -> u64 {
        self.distinct.iter().map(|c| c.count).sum::<u64>() + self.other
    }

    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.distinct.iter().map(|c| &c.value)
    }
}

#[cfg(test)]
mod tests;
