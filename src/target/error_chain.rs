//! Error text for the credential providers, whose own top-level messages are vague.

/// An error with its causes, `a: b: c` (the SDK's own messages are vague on top).
pub fn describe(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let next = c.to_string();
        if !text.contains(&next) {
            text.push_str(": ");
            text.push_str(&next);
        }
        cause = c.source();
    }
    text
}

/// The most of a provider's error text said: enough for the SDK's message and its causes,
/// not a server's whole answer.
const DETAIL_LIMIT: usize = 400;

/// `detail` fit for a terminal: the IMDS client's error quotes the whole raw response
/// (headers and body, chosen by the server) after its status, which is cut; control
/// characters become spaces; the rest is bounded to [`DETAIL_LIMIT`] characters.
pub fn summary(detail: &str) -> String {
    const IMDS: &str = "error response from IMDS (code: ";
    let mut text = match detail.find(IMDS) {
        Some(at) => {
            let rest = &detail[at + IMDS.len()..];
            let end = rest.find(')').map_or(rest.len(), |i| i + 1);
            format!("{}{IMDS}{}", &detail[..at], &rest[..end])
        }
        None => detail.to_owned(),
    };
    text = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.chars().count() > DETAIL_LIMIT {
        text = text.chars().take(DETAIL_LIMIT).collect::<String>() + "…";
    }
    text
}

#[cfg(test)]
mod tests {
    use aws_credential_types::provider::error::CredentialsError;

    use super::{DETAIL_LIMIT, describe, summary};

    #[test]
    fn causes_are_described_once_each() {
        let e = CredentialsError::provider_error("the SSO token expired");
        assert_eq!(
            describe(&e),
            "an error occurred while loading credentials: the SSO token expired"
        );
    }

    #[test]
    fn summaries_drop_the_raw_imds_response_and_control_characters() {
        let raw = "an error occurred while loading credentials: error response from IMDS (code: 500). Response { status: 500, headers: {\"x-evil\": \"1\"}, body: b\"SERVERBODY\\x1b[31m\" }";
        let s = summary(raw);
        assert_eq!(
            s,
            "an error occurred while loading credentials: error response from IMDS (code: 500)"
        );
        assert_eq!(summary("a\nb\x1bc"), "a b c");
        assert_eq!(summary(&"x".repeat(1000)).chars().count(), DETAIL_LIMIT + 1);
    }
}
