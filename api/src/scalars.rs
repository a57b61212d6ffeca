//! ovn's own scalars. `Decimal` accepts strings only: async-graphql's built-in decimal scalar
//! converts a JSON number through `f64` and silently loses digits (`12345678901234567.89`
//! becomes `12345678901234568`), which a ledger cannot allow. And it accepts one syntax only
//! (see [`canonical_syntax`]): a ledger that takes `" 1"`, `"+1"`, `"01"` and `"-0"` as
//! numbers invites clients and other readers of the same text to disagree about what was
//! sent. `URI` is checked on input.
//! `DateTime` is async-graphql's chrono scalar (RFC 3339), as vf-graphql declares it.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use ovn_domain::text::Uri as DomainUri;
use rust_decimal::Decimal as Exact;

/// An exact decimal on the wire: always a string such as `"12.30"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decimal(pub Exact);

/// The `Decimal` scalar: arbitrary-precision decimal numbers, represented as strings.
#[Scalar(name = "Decimal")]
impl ScalarType for Decimal {
    fn parse(value: Value) -> InputValueResult<Self> {
        match value {
            Value::String(text) => {
                canonical_syntax(&text).map_err(|reason| {
                    let shown: String = text.chars().take(80).collect();
                    InputValueError::custom(format!("`{shown}` is not a decimal: {reason}"))
                })?;
                ovn_domain::parse_decimal(&text).map(Decimal).map_err(|e| InputValueError::custom(e.to_string()))
            }
            Value::Number(number) => Err(json_number(&number.to_string())),
            // serde_json's `arbitrary_precision` hands a JSON number in the variables over as
            // this one-entry object; it is still a number the client sent.
            Value::Object(map) if map.len() == 1 => match map.get("$serde_json::private::Number") {
                Some(Value::String(number)) => Err(json_number(number)),
                _ => Err(InputValueError::expected_type(Value::Object(map))),
            },
            other => Err(InputValueError::expected_type(other)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(ovn_domain::canonical(self.0))
    }
}

/// The syntax of a `Decimal` string: an optional `-`, the integer digits without a
/// superfluous leading zero (`0` alone, or a first digit from 1 to 9), then optionally `.`
/// and one or more digits. Nothing else: no spaces, no `+`, no exponent, no lone `.`, and no
/// negative zero (`-0`, `-0.00`). Trailing zeros after the point are allowed (`"10.50"`):
/// they are how amounts are written, and they do not change the value.
pub fn canonical_syntax(text: &str) -> Result<(), &'static str> {
    const RULE: &str = "write an optional `-`, digits without leading zeros, and optionally `.` followed by \
                        digits (no spaces, `+`, exponent or negative zero)";
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (integer, fraction) = match unsigned.split_once('.') {
        Some((integer, fraction)) => (integer, Some(fraction)),
        None => (unsigned, None),
    };
    let all_digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(integer) || fraction.is_some_and(|f| !all_digits(f)) {
        return Err(RULE);
    }
    if integer.len() > 1 && integer.starts_with('0') {
        return Err(RULE);
    }
    let zero = |part: &str| part.bytes().all(|b| b == b'0');
    if negative && zero(integer) && fraction.is_none_or(zero) {
        return Err(RULE);
    }
    Ok(())
}

fn json_number(number: &str) -> InputValueError<Decimal> {
    InputValueError::custom(format!(
        "Decimal values must be strings (got the JSON number {number}): a number may already have lost \
         digits on its way here; send \"{number}\" instead"
    ))
}

/// A URI or CURIE (`https://…`, `ovn:Network`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uri(pub String);

/// The `URI` type declares a reference to an external web URL or other resource.
#[Scalar(name = "URI")]
impl ScalarType for Uri {
    fn parse(value: Value) -> InputValueResult<Self> {
        match value {
            Value::String(text) => DomainUri::parse("URI", &text)
                .map(|u| Uri(u.as_str().to_owned()))
                .map_err(|e| InputValueError::custom(e.to_string())),
            other => Err(InputValueError::expected_type(other)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.clone())
    }
}

impl From<&DomainUri> for Uri {
    fn from(uri: &DomainUri) -> Self {
        Self(uri.as_str().to_owned())
    }
}

impl Uri {
    /// Back to the domain type (already checked on input).
    pub fn to_domain(&self, field: &str) -> Result<DomainUri, ovn_domain::DomainError> {
        DomainUri::parse(field, &self.0)
    }

    /// A list, converted.
    pub fn list(field: &str, uris: &[Uri]) -> Result<Vec<DomainUri>, ovn_domain::DomainError> {
        let texts: Vec<String> = uris.iter().map(|u| u.0.clone()).collect();
        DomainUri::parse_list(field, &texts)
    }
}

/// Timestamps on the wire.
pub type DateTime = chrono::DateTime<chrono::Utc>;
