//! Exact quantities. A `Measure` pairs a `rust_decimal::Decimal` with an optional unit; floats
//! never appear anywhere in ovn, because a ledger that loses a cent is not a ledger.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{DomainError, UnitId};

/// Parses the wire form of a decimal (a string such as `"12.30"`, `"-4"`, `"1e-3"` is refused:
/// only plain positional notation is accepted, so what is stored is what was typed).
pub fn parse_decimal(text: &str) -> Result<Decimal, DomainError> {
    let refuse = |reason: &str| DomainError::InvalidDecimal {
        value: text.chars().take(80).collect(),
        reason: reason.to_owned(),
    };
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(refuse("it is empty"));
    }
    let digits = trimmed.strip_prefix(['-', '+']).unwrap_or(trimmed);
    let mut dots = 0;
    for c in digits.chars() {
        match c {
            '0'..='9' => {}
            '.' => dots += 1,
            _ => return Err(refuse("only digits, one decimal point and a leading sign are allowed")),
        }
    }
    if dots > 1 || digits == "." || digits.is_empty() {
        return Err(refuse("it is not a number"));
    }
    // `from_str_exact` refuses to round: a value with more than 28 significant digits would
    // otherwise be silently changed.
    Decimal::from_str_exact(trimmed)
        .or_else(|_| Decimal::from_str(trimmed).and_then(|_| Decimal::from_str_exact(trimmed)))
        .map_err(|_| refuse("it has more precision or magnitude than 28 significant digits"))
}

/// The canonical text of a decimal: no trailing zeros after the point, no `-0`. Two equal
/// values always have the same canonical text, so text comparison in storage is value
/// comparison.
pub fn canonical(value: Decimal) -> String {
    let normal = value.normalize();
    if normal.is_zero() { "0".to_owned() } else { normal.to_string() }
}

/// A quantity with its unit: ValueFlows `Measure` (OM2 `om:Measure`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Measure {
    /// The number, exact.
    pub has_numerical_value: Decimal,
    /// The unit; `None` when the quantity is a plain count with no declared unit.
    pub has_unit: Option<UnitId>,
}

impl Measure {
    /// A measure of `value` in `unit`.
    pub const fn new(has_numerical_value: Decimal, has_unit: Option<UnitId>) -> Self {
        Self { has_numerical_value, has_unit }
    }

    /// Refuses a negative quantity: events carry positive quantities; only a correcting
    /// event carries a signed delta.
    pub fn non_negative(self, field: &str) -> Result<Self, DomainError> {
        if self.has_numerical_value.is_sign_negative() && !self.has_numerical_value.is_zero() {
            Err(DomainError::invalid(field, "must not be negative"))
        } else {
            Ok(self)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn plain_decimals_parse_exactly() {
        for text in ["12345678901234567.89", "0.000000000000000000000000001", "-4", "12.30"] {
            let parsed = parse_decimal(text);
            assert!(parsed.is_ok(), "{text} should parse");
            assert_eq!(parsed.ok().map(|d| d.to_string()), Some(text.to_owned()));
        }
    }

    #[test]
    fn exponents_words_and_overlong_numbers_are_refused() {
        for text in ["1e3", "NaN", "", ".", "1.2.3", "0x10", "123456789012345678901234567890"] {
            assert!(parse_decimal(text).is_err(), "{text} should be refused");
        }
    }

    #[test]
    fn canonical_text_drops_trailing_zeros_and_negative_zero() {
        assert_eq!(canonical(Decimal::new(1230, 2)), "12.3");
        assert_eq!(canonical(Decimal::new(-0, 3)), "0");
        assert_eq!(canonical(Decimal::new(-5, 0)), "-5");
    }

    proptest! {
        #[test]
        fn canonical_text_parses_back_to_the_same_value(mantissa in any::<i64>(), scale in 0u32..=28) {
            let value = Decimal::new(mantissa, scale);
            let text = canonical(value);
            prop_assert_eq!(parse_decimal(&text), Ok(value));
        }
    }
}
