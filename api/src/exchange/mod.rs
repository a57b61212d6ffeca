//! Sales through the exchange firm (DESIGN 7): `recordSale`, its input and its answer. The
//! market-exchange rule that makes the exchange firm the only way to the market runs on every
//! event (`createEconomicEvent` included) in the store; this module only records sales.

pub mod inputs;
pub mod mutation;
pub mod objects;

pub use mutation::ExchangeMutation;
