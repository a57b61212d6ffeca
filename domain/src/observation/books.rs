//! The resource book: the states of the resources events act on, and the one loop that
//! records an event in it (take the sides out, [`apply`] the event, put them back). The live
//! service runs it over the few resources it loaded for one event, an import over every
//! resource of the document, and [`replay`] over the whole history; all three therefore agree
//! by construction.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::creation::starting_unit;
use super::effect::apply;
use super::event::{EventContext, NewEvent};
use super::resource::ResourceState;
use crate::{DomainError, EconomicEventId, EconomicResourceId, UnitId};

/// Resource states by id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Books {
    states: BTreeMap<EconomicResourceId, ResourceState>,
}

impl Books {
    /// An empty book.
    pub fn new() -> Self {
        Self::default()
    }

    /// Puts a resource in the book as it stands (loaded from storage).
    pub fn insert(&mut self, id: EconomicResourceId, state: ResourceState) {
        self.states.insert(id, state);
    }

    /// A resource's state.
    pub fn get(&self, id: EconomicResourceId) -> Option<&ResourceState> {
        self.states.get(&id)
    }

    /// Whether the book holds the resource.
    pub fn contains(&self, id: EconomicResourceId) -> bool {
        self.states.contains_key(&id)
    }

    /// Every state, by id.
    pub fn states(&self) -> &BTreeMap<EconomicResourceId, ResourceState> {
        &self.states
    }

    /// Every state, by id, consuming the book.
    pub fn into_states(self) -> BTreeMap<EconomicResourceId, ResourceState> {
        self.states
    }

    /// Records `event` (its created side starting from [`starting_unit`]): see
    /// [`Books::record_with_unit`].
    pub fn record(&mut self, event: &NewEvent, context: &EventContext) -> Result<(), DomainError> {
        let from = event.resource_inventoried_as.and_then(|id| self.states.get(&id));
        let unit = starting_unit(event, from);
        self.record_with_unit(event, context, unit)
    }

    /// Records `event`: takes the resources it names out of the book (a fresh
    /// [`ResourceState::empty`] in `new_resource_unit` for the side it creates), applies it,
    /// and puts them back. Atomic: on error the book is unchanged.
    ///
    /// The side an event creates must not be in the book yet, and every other side it names
    /// must be: a resource created twice, or used before an event created it, is a
    /// [`DomainError::Conflict`].
    pub fn record_with_unit(
        &mut self,
        event: &NewEvent,
        context: &EventContext,
        new_resource_unit: Option<UnitId>,
    ) -> Result<(), DomainError> {
        let from_id = event.resource_inventoried_as;
        let to_id = if event.same_resource() { None } else { event.to_resource_inventoried_as };
        let mut from = self.take(from_id, event.creates_from(), new_resource_unit)?;
        let mut to = match self.take(to_id, event.creates_to(), new_resource_unit) {
            Ok(to) => to,
            Err(e) => {
                self.put_back(from_id, from);
                return Err(e);
            }
        };
        let result = apply(event, context, from.as_mut(), to.as_mut());
        // On a refusal a side the event was creating never existed: it is not put back.
        let keep = |creates: bool| result.is_ok() || !creates;
        if keep(event.creates_from()) {
            self.put_back(from_id, from);
        }
        if keep(event.creates_to()) {
            self.put_back(to_id, to);
        }
        result
    }

    /// Takes a resource's state out of the book (or a fresh one when the event creates it).
    fn take(
        &mut self,
        id: Option<EconomicResourceId>,
        creates: bool,
        unit: Option<UnitId>,
    ) -> Result<Option<ResourceState>, DomainError> {
        let Some(id) = id else { return Ok(None) };
        match (self.states.remove(&id), creates) {
            (None, true) => Ok(Some(ResourceState::empty(unit))),
            (Some(state), false) => Ok(Some(state)),
            (Some(state), true) => {
                self.states.insert(id, state);
                Err(DomainError::Conflict(format!("resource {id} is created twice")))
            }
            (None, false) => Err(DomainError::Conflict(format!("resource {id} is used before an event created it"))),
        }
    }

    fn put_back(&mut self, id: Option<EconomicResourceId>, state: Option<ResourceState>) {
        if let (Some(id), Some(state)) = (id, state) {
            self.states.insert(id, state);
        }
    }
}

/// One recorded event as [`replay`] needs it: the event as it was applied (with the ids of the
/// resources it touched, including any it created), its context, and the unit the created
/// resource started with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplayEvent {
    /// The event's id (for error messages).
    pub id: EconomicEventId,
    /// The event, with `resource_inventoried_as` / `to_resource_inventoried_as` filled in.
    pub event: NewEvent,
    /// The facts the event was recorded with (its output process's `basedOn`, a container).
    pub context: EventContext,
    /// The unit of the resource the event created, if it created one.
    pub new_resource_unit: Option<UnitId>,
}

/// Rebuilds every resource from scratch from `events` in recording order, through
/// [`Books::record_with_unit`]. The first error stops the replay and names the event.
pub fn replay(events: &[ReplayEvent]) -> Result<BTreeMap<EconomicResourceId, ResourceState>, DomainError> {
    let mut books = Books::new();
    for record in events {
        books.record_with_unit(&record.event, &record.context, record.new_resource_unit).map_err(|e| match e {
            DomainError::Conflict(m) => DomainError::Conflict(format!("event {}: {m}", record.id)),
            other => other,
        })?;
    }
    Ok(books.into_states())
}
