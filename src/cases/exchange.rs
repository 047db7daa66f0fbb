//! An answer as it came off the wire, and the bounded, printable excerpts of it that reports
//! carry. Both the judge and the normaliser read it, so it sits apart from either.

/// Report excerpts are cut here.
const EXCERPT: usize = 240;

/// An HTTP answer as received.
#[derive(Debug, Clone, Copy)]
pub struct Answer<'a> {
    pub status: u16,
    pub content_type: Option<&'a str>,
    pub request_id: Option<&'a str>,
    pub error_type_header: Option<&'a str>,
    /// Whether an `x-amzn-ErrorMessage` header came (its text repeats the body's).
    pub error_message_header: bool,
    pub body: &'a [u8],
}

/// Cut before normalising: long enough that what follows the report's excerpt never moves.
const LONG_EXCERPT: usize = 4096;

pub fn long_excerpt(body: &[u8]) -> String {
    excerpt_to(body, LONG_EXCERPT)
}

/// A printable, bounded piece of an answer for a report.
pub fn excerpt(body: &[u8]) -> String {
    excerpt_to(body, EXCERPT)
}

fn excerpt_to(body: &[u8], limit: usize) -> String {
    if body.is_empty() {
        return "(empty)".into();
    }
    let text = String::from_utf8_lossy(body);
    let mut s: String = text.chars().take(limit).collect();
    if text.chars().nth(limit).is_some() {
        s.push('…');
    }
    s
}
