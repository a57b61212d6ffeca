//! Checked text values shared by every module: display names, notes and URIs. A value of
//! these types has passed its rules: a `Name` is never blank, a `Uri` always has a scheme.
//! Everything has a limit, so no input can grow a record without bound.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// Longest name or label accepted (characters). Everything has a limit.
pub const NAME_MAX_CHARS: usize = 1_000;
/// Longest note accepted (characters).
pub const NOTE_MAX_CHARS: usize = 100_000;
/// Longest URI accepted (characters).
pub const URI_MAX_CHARS: usize = 2_048;
/// Most entries in a list of URIs (`classifiedAs`, `imageList`).
pub const URI_LIST_MAX: usize = 100;

/// A display name or label: trimmed, not blank, bounded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Name(String);

impl Name {
    /// Checks and trims `text`; `field` names the input field in the error.
    pub fn parse(field: &str, text: &str) -> Result<Self, DomainError> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(DomainError::invalid(field, "must not be blank"));
        }
        if trimmed.chars().count() > NAME_MAX_CHARS {
            return Err(DomainError::invalid(field, format!("is longer than {NAME_MAX_CHARS} characters")));
        }
        if trimmed.chars().any(char::is_control) {
            return Err(DomainError::invalid(field, "must not contain control characters"));
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Checks a free-text note: bounded, kept as typed.
pub fn parse_note(field: &str, text: &str) -> Result<String, DomainError> {
    if text.chars().count() > NOTE_MAX_CHARS {
        return Err(DomainError::invalid(field, format!("is longer than {NOTE_MAX_CHARS} characters")));
    }
    Ok(text.to_owned())
}

/// A URI or CURIE (`https://…`, `ovn:Network`): a scheme, a colon, no whitespace.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Uri(String);

impl Uri {
    /// Checks `text`; `field` names the input field in the error.
    pub fn parse(field: &str, text: &str) -> Result<Self, DomainError> {
        let refuse =
            |why: &str| DomainError::invalid(field, format!("`{}` {why}", text.chars().take(80).collect::<String>()));
        if text.chars().count() > URI_MAX_CHARS {
            return Err(refuse(&format!("is longer than {URI_MAX_CHARS} characters")));
        }
        if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(refuse("contains whitespace"));
        }
        let Some((scheme, rest)) = text.split_once(':') else {
            return Err(refuse("has no scheme (expected e.g. `https://…` or `ovn:Network`)"));
        };
        let scheme_ok = scheme.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        if !scheme_ok || rest.is_empty() {
            return Err(refuse("is not a URI"));
        }
        Ok(Self(text.to_owned()))
    }

    /// Checks a list of URIs (bounded, each checked).
    pub fn parse_list(field: &str, items: &[String]) -> Result<Vec<Self>, DomainError> {
        if items.len() > URI_LIST_MAX {
            return Err(DomainError::invalid(field, format!("has more than {URI_LIST_MAX} entries")));
        }
        items.iter().map(|item| Self::parse(field, item)).collect()
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Uri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_never_blank() {
        assert_eq!(Name::parse("name", "  Alice ").map(|n| n.as_str().to_owned()), Ok("Alice".into()));
        assert!(Name::parse("name", "   ").is_err());
        assert!(Name::parse("name", &"x".repeat(NAME_MAX_CHARS + 1)).is_err());
    }

    #[test]
    fn uris_need_a_scheme_and_no_whitespace() {
        for ok in ["ovn:Network", "https://example.org/a?b=c", "urn:isbn:123"] {
            assert!(Uri::parse("classifiedAs", ok).is_ok(), "{ok}");
        }
        for bad in ["Network", "has space:x", ":x", "1abc:x", "ovn:", ""] {
            assert!(Uri::parse("classifiedAs", bad).is_err(), "{bad}");
        }
    }
}
