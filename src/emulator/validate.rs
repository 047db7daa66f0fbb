//! Member constraint checks (model §2.1) and the service-side InvalidParameterException message
//! format (§3.2):
//!
//! `<N> validation error(s) detected: <item>; <item>…`, each item
//! `Value <v> at '<lowerCamelMember>' failed to satisfy constraint: Member must <rule>`.
//!
//! Choices where the sources are silent or unstable:
//! * Items are listed in member order, and for one member as: not-null, min length, max length,
//!   pattern. Real traces show both pattern-first and length-first orders (§3.2).
//! * `<v>` is `null` for a missing member whatever its sensitivity (null reveals nothing),
//!   left out for a present value of a member the model marks sensitive (`Value at 'username'`),
//!   and quoted (`'text'`) otherwise.
//! * Lengths count UTF-16 code units. Cognito is a Java service and `String.length()` counts
//!   those; this is an assumption, not an observation.
//! * Patterns are matched against the whole value and printed unanchored, as in the model. The
//!   Java classes `\w` and `\s` are ASCII-only by default, so `[\w+]+` is `[A-Za-z0-9_+]+` and
//!   `[\S]+` excludes only ` \t\n\x0B\f\r` (a no-break space passes, as it would in Java).

use std::sync::OnceLock;

use regex::Regex;

use super::wire::ApiError;

/// A member pattern: the model's text (printed in messages) and the regex it stands for,
/// compiled on first use to match whole values.
pub struct Pattern {
    pub display: &'static str,
    source: &'static str,
    regex: OnceLock<Regex>,
}

impl Pattern {
    /// `display` as the model prints it; `source` the same class spelled for the regex crate.
    const fn new(display: &'static str, source: &'static str) -> Pattern {
        Pattern {
            display,
            source,
            regex: OnceLock::new(),
        }
    }

    pub fn is_match(&self, value: &str) -> bool {
        self.regex
            .get_or_init(|| Regex::new(&format!(r"\A(?:{})\z", self.source)).expect("valid regex"))
            .is_match(value)
    }
}

pub static CLIENT_ID_PATTERN: Pattern = Pattern::new(r"[\w+]+", r"[A-Za-z0-9_+]+");
pub static SECRET_HASH_PATTERN: Pattern = Pattern::new(r"[\w+=/]+", r"[A-Za-z0-9_+=/]+");
/// UsernameType and AttributeNameType: letters, marks, symbols, numbers, punctuation; no
/// spaces or controls.
pub static PRINTABLE_PATTERN: Pattern = Pattern::new(
    r"[\p{L}\p{M}\p{S}\p{N}\p{P}]+",
    r"[\p{L}\p{M}\p{S}\p{N}\p{P}]+",
);
pub static NON_WHITESPACE_PATTERN: Pattern = Pattern::new(r"[\S]+", r"[^ \t\n\x0B\x0C\r]+");
pub static USER_POOL_ID_PATTERN: Pattern =
    Pattern::new(r"[\w-]+_[0-9a-zA-Z]+", r"[A-Za-z0-9_-]+_[0-9a-zA-Z]+");
/// ArnType (a Lambda trigger's function).
pub static ARN_PATTERN: Pattern = Pattern::new(
    r"arn:[\w+=/,.@-]+:[\w+=/,.@-]+:([\w+=/,.@-]*)?:[0-9]+:[\w+=/,.@-]+(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?",
    r"arn:[A-Za-z0-9_+=/,.@-]+:[A-Za-z0-9_+=/,.@-]+:([A-Za-z0-9_+=/,.@-]*)?:[0-9]+:[A-Za-z0-9_+=/,.@-]+(:[A-Za-z0-9_+=/,.@-]+)?(:[A-Za-z0-9_+=/,.@-]+)?",
);
/// PoolName and ClientName.
pub static NAME_PATTERN: Pattern =
    Pattern::new(r"[\w\s+=,.@-]+", r"[A-Za-z0-9_ \t\n\x0B\x0C\r+=,.@-]+");

/// The constraints of one string member.
pub struct StrRule {
    /// The member name as it appears in messages (lowerCamel, dotted for nested members).
    pub member: &'static str,
    pub required: bool,
    pub min: usize,
    pub max: usize,
    pub pattern: Option<&'static Pattern>,
    pub sensitive: bool,
}

impl StrRule {
    /// A member that must be present, `min..=max` UTF-16 units long, any text, shown in
    /// messages.
    pub const fn required(member: &'static str, min: usize, max: usize) -> StrRule {
        StrRule {
            member,
            required: true,
            min,
            max,
            pattern: None,
            sensitive: false,
        }
    }

    /// As [`StrRule::required`], for a member that may be left out.
    pub const fn optional(member: &'static str, min: usize, max: usize) -> StrRule {
        StrRule {
            required: false,
            ..StrRule::required(member, min, max)
        }
    }

    /// The value must also match `pattern`.
    pub const fn matching(self, pattern: &'static Pattern) -> StrRule {
        StrRule {
            pattern: Some(pattern),
            ..self
        }
    }

    /// The model marks the member sensitive: messages leave a present value out.
    pub const fn sensitive(self) -> StrRule {
        StrRule {
            sensitive: true,
            ..self
        }
    }

    /// Hands `each` the constraints a present `v` breaks, in Coral's order (length, then
    /// pattern), as the text after "Member must ". Nothing is formatted for a valid value.
    pub fn broken(&self, v: &str, mut each: impl FnMut(String)) {
        let len = utf16_len(v);
        if len < self.min {
            each(format!("have length greater than or equal to {}", self.min));
        }
        if len > self.max {
            each(format!("have length less than or equal to {}", self.max));
        }
        if let Some(p) = self.pattern
            && !p.is_match(v)
        {
            each(format!("satisfy regular expression pattern: {}", p.display));
        }
    }
}

/// Shared rules.
pub static CONFIRMATION_CODE: StrRule =
    StrRule::required("confirmationCode", 1, 2048).matching(&NON_WHITESPACE_PATTERN);
pub static CLIENT_ID: StrRule = StrRule::required("clientId", 1, 128)
    .matching(&CLIENT_ID_PATTERN)
    .sensitive();
pub static SECRET_HASH: StrRule = StrRule::optional("secretHash", 1, 128)
    .matching(&SECRET_HASH_PATTERN)
    .sensitive();
pub static USERNAME: StrRule = StrRule::required("username", 1, 128)
    .matching(&PRINTABLE_PATTERN)
    .sensitive();
pub static USER_POOL_ID: StrRule =
    StrRule::required("userPoolId", 1, 55).matching(&USER_POOL_ID_PATTERN);
pub static ANALYTICS_ENDPOINT_ID: StrRule =
    StrRule::optional("analyticsMetadata.analyticsEndpointId", 0, 131072);

/// Length as Java's `String.length()` counts it: UTF-16 code units.
pub fn utf16_len(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().map(char::len_utf16).sum()
    }
}

/// Collected constraint violations of one request.
#[derive(Default, Debug)]
pub struct Violations {
    items: Vec<String>,
}

impl Violations {
    pub fn new() -> Violations {
        Violations::default()
    }

    /// Adds one item. `value` is `None` for a missing member; `Some(None)` leaves a present value out.
    pub fn push(&mut self, member: &str, value: Option<Option<&str>>, rule: &str) {
        let shown = match value {
            None => "null ".to_owned(),
            Some(None) => String::new(),
            Some(Some(v)) => format!("'{v}' "),
        };
        self.items.push(format!(
            "Value {shown}at '{member}' failed to satisfy constraint: Member must {rule}"
        ));
    }

    /// Checks one string member against its rule.
    pub fn check(&mut self, rule: &StrRule, value: Option<&str>) {
        self.check_as(rule.member, rule, value);
    }

    /// Checks a value against a rule under another member name (list items such as
    /// `userAttributes.1.member.name`).
    pub fn check_as(&mut self, member: &str, rule: &StrRule, value: Option<&str>) {
        let Some(v) = value else {
            if rule.required {
                self.push(member, None, "not be null");
            }
            return;
        };
        let shown = if rule.sensitive { None } else { Some(v) };
        rule.broken(v, |text| self.push(member, Some(shown), &text));
    }

    /// Checks that a string member is one of `allowed` (Coral's enum rule).
    pub fn check_enum(&mut self, member: &str, value: Option<&str>, allowed: &[&str]) {
        if let Some(v) = value
            && !allowed.contains(&v)
        {
            let text = format!("satisfy enum value set: [{}]", allowed.join(", "));
            self.push(member, Some(Some(v)), &text);
        }
    }

    /// The §3.2 message, or `None` when nothing was violated.
    pub fn message(&self) -> Option<String> {
        match self.items.len() {
            0 => None,
            1 => Some(format!("1 validation error detected: {}", self.items[0])),
            n => Some(format!(
                "{n} validation errors detected: {}",
                self.items.join("; ")
            )),
        }
    }

    /// `Ok` when nothing was violated, else one InvalidParameterException naming every item.
    pub fn finish(self) -> Result<(), ApiError> {
        match self.message() {
            None => Ok(()),
            Some(m) => Err(ApiError::invalid_parameter(m)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message_of(f: impl FnOnce(&mut Violations)) -> Option<String> {
        let mut v = Violations::new();
        f(&mut v);
        v.message()
    }

    #[test]
    fn nothing_violated_is_ok() {
        assert_eq!(
            message_of(|v| v.check(&CONFIRMATION_CODE, Some("123456"))),
            None
        );
        assert!(Violations::new().finish().is_ok());
        assert_eq!(message_of(|v| v.check(&SECRET_HASH, None)), None);
    }

    #[test]
    fn one_error_uses_the_singular() {
        assert_eq!(
            message_of(|v| v.check(&CONFIRMATION_CODE, None)).unwrap(),
            "1 validation error detected: Value null at 'confirmationCode' failed to satisfy \
             constraint: Member must not be null"
        );
        assert_eq!(
            message_of(|v| v.check(&CONFIRMATION_CODE, Some("12 34"))).unwrap(),
            "1 validation error detected: Value '12 34' at 'confirmationCode' failed to satisfy \
             constraint: Member must satisfy regular expression pattern: [\\S]+"
        );
    }

    #[test]
    fn several_errors_are_joined_and_counted() {
        let m = message_of(|v| {
            v.check(&CLIENT_ID, Some(""));
            v.check(&CONFIRMATION_CODE, None);
        })
        .unwrap();
        assert_eq!(
            m,
            "3 validation errors detected: \
             Value at 'clientId' failed to satisfy constraint: Member must have length greater than or equal to 1; \
             Value at 'clientId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+]+; \
             Value null at 'confirmationCode' failed to satisfy constraint: Member must not be null"
        );
    }

    #[test]
    fn sensitive_values_are_left_out() {
        let m = message_of(|v| v.check(&USERNAME, Some("has space"))).unwrap();
        assert_eq!(
            m,
            "1 validation error detected: Value at 'username' failed to satisfy constraint: \
             Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+"
        );
        assert!(!m.contains("has space"));
        let m = message_of(|v| v.check(&USERNAME, None)).unwrap();
        assert!(m.contains("Value null at 'username'"), "{m}");
    }

    #[test]
    fn max_length_counts_utf16_units() {
        let ok = "a".repeat(128);
        assert_eq!(message_of(|v| v.check(&USERNAME, Some(&ok))), None);
        let long = "a".repeat(129);
        let m = message_of(|v| v.check(&USERNAME, Some(&long))).unwrap();
        assert!(
            m.ends_with("Member must have length less than or equal to 128"),
            "{m}"
        );
        // 64 astral-plane symbols are 128 UTF-16 units: at the limit; one more is over.
        let emoji = "\u{1F600}".repeat(64);
        assert_eq!(utf16_len(&emoji), 128);
        assert_eq!(message_of(|v| v.check(&USERNAME, Some(&emoji))), None);
        let over = format!("{emoji}a");
        assert!(message_of(|v| v.check(&USERNAME, Some(&over))).is_some());
        assert_eq!(utf16_len("\u{e9}t\u{e9}"), 3);
    }

    #[test]
    fn patterns_follow_java_classes() {
        // \w is ASCII-only in Java: an accented letter is not a client id character.
        assert!(CLIENT_ID_PATTERN.is_match("abc_123+"));
        assert!(!CLIENT_ID_PATTERN.is_match("caf\u{e9}"));
        assert!(!CLIENT_ID_PATTERN.is_match("a-b"));
        assert!(SECRET_HASH_PATTERN.is_match("I8YH7JeNHNbtn4qMaw4+l2+33ifRi+6GHeikSbRG+BY="));
        assert!(!SECRET_HASH_PATTERN.is_match("abc-def"));
        // [\S]+: ASCII whitespace only.
        assert!(NON_WHITESPACE_PATTERN.is_match("123456"));
        assert!(NON_WHITESPACE_PATTERN.is_match("12\u{a0}34"));
        assert!(!NON_WHITESPACE_PATTERN.is_match("12\t34"));
        assert!(!NON_WHITESPACE_PATTERN.is_match(""));
        // Usernames: letters, marks, symbols, numbers, punctuation; no spaces or controls.
        assert!(PRINTABLE_PATTERN.is_match("diego@example.com"));
        assert!(PRINTABLE_PATTERN.is_match("j\u{f6}rg+\u{2603}"));
        assert!(!PRINTABLE_PATTERN.is_match("a b"));
        assert!(!PRINTABLE_PATTERN.is_match("a\u{0}b"));
        // Full matches only: a partly valid value fails.
        assert!(!PRINTABLE_PATTERN.is_match("ok\n"));
        assert!(USER_POOL_ID_PATTERN.is_match("us-east-1_AbC123xyz"));
        assert!(!USER_POOL_ID_PATTERN.is_match("YOUR_USER_POOL_ID!"));
        assert!(!NAME_PATTERN.is_match("my pool, v2 (test)"));
        assert!(NAME_PATTERN.is_match("my pool, v2 @home"));
    }

    #[test]
    fn enum_rule() {
        let m = message_of(|v| {
            v.check_enum(
                "preventUserExistenceErrors",
                Some("ON"),
                &["LEGACY", "ENABLED"],
            )
        })
        .unwrap();
        assert_eq!(
            m,
            "1 validation error detected: Value 'ON' at 'preventUserExistenceErrors' failed to \
             satisfy constraint: Member must satisfy enum value set: [LEGACY, ENABLED]"
        );
    }
}
