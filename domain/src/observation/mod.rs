//! The observation layer (vf-graphql modules `observation` and `process`): economic events,
//! economic resources and processes, and what events do to resources.
//!
//! Why: in ValueFlows a resource's economic fields (its two balances, who is accountable for
//! it, who holds it, where it is, what it is packed in, its stage and state) are never edited
//! directly; they are *derived* from the events that touched it, row by row of the action
//! table ([`crate::action`]). This module is that derivation, as pure functions:
//!
//! - [`event`]: what an event says ([`NewEvent`]), the facts loaded for it ([`EventContext`]),
//!   and [`validate`], which fields an event of each action must, may and must not carry;
//! - [`correction`]: how a correction takes the flows of the event it corrects;
//! - [`creation`]: what `newInventoriedResource` creates;
//! - [`effect`]: [`apply`], one event applied to the resource(s) it names, refusing anything
//!   that would break the books (a balance below zero, mismatched units) without changing
//!   anything;
//! - [`books`]: the take / apply / put-back loop over resource states ([`Books`]) that the live
//!   service, an import and [`replay`] all run, so the cached balances persistence keeps can
//!   always be checked against the ledger;
//! - [`prepare`]: the rules an event passes before its resources are even loaded.
//!
//! Conventions (VF 1.0, with the OVN additions documented on each function):
//! - `resourceInventoriedAs` is the *from* side, `toResourceInventoriedAs` the *to* side.
//! - `accountingQuantity` follows rights (`primaryAccountable`), `onhandQuantity` follows
//!   custody (the OVN `custodian` field).
//! - A correcting event (`corrects` set) carries a **signed delta** in its quantity and only
//!   re-applies the quantity effects of its action (VF "record just the difference"): a
//!   `consume` correction of −3 gives 3 back to the resource. It never moves rights, custody,
//!   location, containment, stage or state, and it never creates a resource.

pub mod books;
pub mod consent;
pub mod correction;
pub mod creation;
pub mod effect;
pub mod event;
pub mod process;
pub mod resource;

pub use books::{Books, ReplayEvent, replay};
pub use effect::apply;
pub use event::{EconomicEvent, EventContext, EventDetails, NewEvent, validate};
pub use process::{Process, check_interval};
pub use resource::{EconomicResource, PropertyRegime, ResourceDetails, ResourceState};

use crate::DomainError;

/// The rules an event passes before persistence loads the resources it names (they depend on
/// a correction's original, which names them): its details are checked, a correction is
/// aligned with its original ([`correction::align`], the original being
/// [`EventContext::original`]), a created side must be left to `newInventoriedResource`
/// ([`creation::check_sides`]), and the event's fields must suit its action ([`validate`]). Returns the event as it will be recorded. Who may record it is
/// [`crate::permission::may_record`]'s question, asked of the returned event.
pub fn prepare(event: NewEvent, details: &EventDetails, context: &EventContext) -> Result<NewEvent, DomainError> {
    details.validate()?;
    let event = match (&context.original, event.corrects) {
        (Some(original), Some(_)) => correction::align(event, original)?,
        (None, Some(id)) => {
            return Err(DomainError::invalid("corrects", format!("economic event `{id}` does not exist")));
        }
        (_, None) => event,
    };
    creation::check_sides(&event)?;
    validate(&event)?;
    Ok(event)
}

#[cfg(test)]
mod properties;
#[cfg(test)]
mod tests;
