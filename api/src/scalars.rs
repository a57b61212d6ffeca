//! ovn's own scalars. `Decimal` accepts strings only: async-graphql's built-in decimal scalar
//! converts a JSON number through `f64` and silently loses digits (`12345678901234567.89`
//! becomes `12345678901234568`), which a ledger cannot allow. `URI` is checked on input.
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
