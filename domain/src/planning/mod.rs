//! The planning layer (vf-graphql modules `plan`, `agreement`, `commitment`, `fulfillment`):
//! what agents promise each other, the plans and agreements that group those promises, and
//! how recorded events fulfil them.
//!
//! - [`commitment`]: a [`Commitment`] is a promised economic event; its action rules are the
//!   event's ([`crate::action::fields`]), shared, not copied;
//! - [`fulfillment`]: a [`Fulfillment`] links an event to a commitment it fulfils, checked by
//!   [`fulfillment::check`] (same action, same resource specification, same unit), and the
//!   arithmetic of a commitment's [`Progress`] (fulfilled, remaining, over-fulfilled,
//!   finished);
//! - [`plan`]: [`Plan`], a body of planned work;
//! - [`agreement`]: [`Agreement`], the terms an exchange's commitments and events realise.
//!
//! Who may change them is [`crate::permission`]'s question.

pub mod agreement;
pub mod commitment;
pub mod fulfillment;
pub mod plan;

pub use agreement::Agreement;
pub use commitment::Commitment;
pub use fulfillment::{Fulfillment, Progress, is_open, progress};
pub use plan::Plan;
