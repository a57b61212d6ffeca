//! Intents (vf-graphql modules `intent` and `satisfaction`): offers and requests, planned
//! flows nobody has committed to yet, and what satisfies them.
//!
//! An intent obeys its action's rules like an event does ([`check_planned_flow`]), except that
//! it need not name a process yet: an offer of work comes before the process it may end up
//! in. It names its provider (an offer), its receiver (a request) or both (once agreed), never
//! neither. How far it has been satisfied is [`crate::tally`] over its [`Satisfaction`]s.

pub mod satisfaction;

use chrono::{DateTime, Utc};

pub use satisfaction::{Satisfaction, SatisfiedBy};

use crate::action::fields::{FlowFields, check_planned_flow};
use crate::observation::check_interval;
use crate::tally::{Tally, tally};
use crate::text::{Name, Uri};
use crate::{Action, AgentId, DomainError, EconomicResourceId, IntentId, Measure, ProcessId, ResourceSpecificationId};

/// An intent: a planned economic flow which has not been committed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intent {
    /// Identity.
    pub id: IntentId,
    /// Revision.
    pub revision: i64,
    /// `action`.
    pub action: Action,
    /// `name`.
    pub name: Option<Name>,
    /// `provider`: set on an offer.
    pub provider: Option<AgentId>,
    /// `receiver`: set on a request.
    pub receiver: Option<AgentId>,
    /// `inputOf`.
    pub input_of: Option<ProcessId>,
    /// `outputOf`.
    pub output_of: Option<ProcessId>,
    /// `resourceInventoriedAs`.
    pub resource_inventoried_as: Option<EconomicResourceId>,
    /// `resourceConformsTo`.
    pub resource_conforms_to: Option<ResourceSpecificationId>,
    /// `resourceClassifiedAs`.
    pub resource_classified_as: Vec<Uri>,
    /// `resourceQuantity`.
    pub resource_quantity: Option<Measure>,
    /// `effortQuantity`.
    pub effort_quantity: Option<Measure>,
    /// `availableQuantity`: the total quantity of the offered resource available.
    pub available_quantity: Option<Measure>,
    /// `hasBeginning`.
    pub has_beginning: Option<DateTime<Utc>>,
    /// `hasEnd`.
    pub has_end: Option<DateTime<Utc>>,
    /// `hasPointInTime`.
    pub has_point_in_time: Option<DateTime<Utc>>,
    /// `due`.
    pub due: Option<DateTime<Utc>>,
    /// `finished` as the agents set it (see [`Intent::finished`] for the field served).
    pub finished: bool,
    /// `image`.
    pub image: Option<Uri>,
    /// `imageList`.
    pub image_list: Vec<Uri>,
    /// `note`.
    pub note: Option<String>,
    /// `agreedIn`.
    pub agreed_in: Option<Uri>,
    /// `inScopeOf`.
    pub in_scope_of: Vec<AgentId>,
}

impl Intent {
    /// The fields its action constrains.
    pub fn flow_fields(&self) -> FlowFields {
        FlowFields {
            what: "intent",
            action: self.action,
            resource_quantity: self.resource_quantity,
            effort_quantity: self.effort_quantity,
            input_of: self.input_of.is_some(),
            output_of: self.output_of.is_some(),
            resource_inventoried_as: self.resource_inventoried_as.is_some(),
            signed: false,
        }
    }

    /// Checks what an intent's fields say together: a provider or a receiver; the action's
    /// rules of quantities and process direction (the process itself is optional); a
    /// non-negative available quantity; an ordered interval.
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.provider.is_none() && self.receiver.is_none() {
            return Err(DomainError::invalid(
                "provider",
                "an intent needs a provider (an offer), a receiver (a request) or both",
            ));
        }
        check_planned_flow(&self.flow_fields())?;
        if let Some(available) = self.available_quantity {
            available.non_negative("availableQuantity")?;
        }
        check_interval(self.has_beginning, self.has_end)
    }

    /// How far the intent is satisfied by `satisfactions` (those that satisfy it).
    pub fn tally<'s>(&self, satisfactions: impl IntoIterator<Item = &'s Satisfaction>) -> Tally {
        tally(
            self.resource_quantity,
            self.effort_quantity,
            satisfactions.into_iter().map(|s| (s.resource_quantity, s.effort_quantity)),
        )
    }

    /// vf-graphql's `finished`: set by its agents, or fully satisfied.
    pub fn finished(&self, tally: &Tally) -> bool {
        self.finished || tally.complete()
    }

    /// Its provider, receiver and scopes: the agents whose stewards may write it.
    pub fn agents(&self) -> Vec<AgentId> {
        self.provider.into_iter().chain(self.receiver).chain(self.in_scope_of.iter().copied()).collect()
    }

    /// Whether `agent` is a party to the intent (its provider or its receiver).
    pub fn is_party(&self, agent: AgentId) -> bool {
        self.provider == Some(agent) || self.receiver == Some(agent)
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::*;
    use crate::UnitId;

    fn intent(action: Action) -> Intent {
        Intent {
            id: IntentId::new(),
            revision: 1,
            action,
            name: None,
            provider: Some(AgentId::new()),
            receiver: None,
            input_of: None,
            output_of: None,
            resource_inventoried_as: None,
            resource_conforms_to: None,
            resource_classified_as: Vec::new(),
            resource_quantity: None,
            effort_quantity: None,
            available_quantity: None,
            has_beginning: None,
            has_end: None,
            has_point_in_time: None,
            due: None,
            finished: false,
            image: None,
            image_list: Vec::new(),
            note: None,
            agreed_in: None,
            in_scope_of: Vec::new(),
        }
    }

    fn hours(n: i64) -> Option<Measure> {
        Some(Measure::new(Decimal::new(n, 0), Some(UnitId::from_uuid(uuid::Uuid::nil()))))
    }

    #[test]
    fn an_intent_names_a_provider_or_a_receiver() {
        let mut offer = intent(Action::Work);
        offer.effort_quantity = hours(3);
        assert_eq!(offer.validate(), Ok(()));
        let mut request = offer.clone();
        (request.provider, request.receiver) = (None, Some(AgentId::new()));
        assert_eq!(request.validate(), Ok(()));
        let mut nobody = offer;
        nobody.provider = None;
        assert!(matches!(nobody.validate(), Err(DomainError::Invalid { field, .. }) if field == "provider"));
    }

    #[test]
    fn an_intent_obeys_its_actions_rules_but_may_precede_its_process() {
        // A work offer outside any process is fine; as an output it is not.
        let mut work = intent(Action::Work);
        work.effort_quantity = hours(2);
        assert_eq!(work.validate(), Ok(()));
        work.output_of = Some(ProcessId::new());
        assert!(matches!(work.validate(), Err(DomainError::Invalid { field, .. }) if field == "outputOf"));
        // Work is effort: a resource quantity is refused, as on an event.
        let mut work = intent(Action::Work);
        work.effort_quantity = hours(2);
        work.resource_quantity = hours(1);
        assert_eq!(
            work.validate(),
            Err(DomainError::invalid("resourceQuantity", "a work intent records effort only: use effortQuantity"))
        );
        // A transfer needs its resource quantity, and no process.
        let mut transfer = intent(Action::Transfer);
        assert_eq!(
            transfer.validate(),
            Err(DomainError::invalid("resourceQuantity", "a transfer intent needs resourceQuantity"))
        );
        transfer.resource_quantity = hours(1);
        transfer.input_of = Some(ProcessId::new());
        assert!(matches!(transfer.validate(), Err(DomainError::Invalid { field, .. }) if field == "inputOf"));
    }

    #[test]
    fn an_intent_is_finished_when_its_agents_say_so_or_when_fully_satisfied() {
        let mut want = intent(Action::Transfer);
        want.resource_quantity = hours(10);
        let nothing = want.tally([]);
        assert!(!want.finished(&nothing));
        want.finished = true;
        assert!(want.finished(&nothing));
    }
}
