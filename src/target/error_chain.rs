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

#[cfg(test)]
mod tests {
    use aws_credential_types::provider::error::CredentialsError;

    use super::describe;

    #[test]
    fn causes_are_described_once_each() {
        let e = CredentialsError::provider_error("the SSO token expired");
        assert_eq!(
            describe(&e),
            "an error occurred while loading credentials: the SSO token expired"
        );
    }
}
