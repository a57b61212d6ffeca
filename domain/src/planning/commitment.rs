//! A commitment (vf-graphql module `commitment`): a planned economic flow that an agent has
//! promised to another. It is a promised event, so it obeys the event's action rules
//! ([`crate::action::fields`]): a `work` commitment is an input measured in effort, a
//! `consume` commitment an input measured in resource quantity, a transfer happens outside
//! processes, and so on.

use chrono::{DateTime, Utc};

use crate::action::EventQuantity;
use crate::action::fields::{FlowFields, check_flow, check_process_direction};
use crate::observation::check_interval;
use crate::text::Uri;
use crate::{
    Action, AgentId, AgreementId, CommitmentId, DomainError, EconomicResourceId, Measure, PlanId, ProcessId,
    ProcessSpecificationId, ResourceSpecificationId,
};

/// A commitment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commitment {
    /// Identity.
    pub id: CommitmentId,
    /// Revision.
    pub revision: i64,
    /// `action` (never changes: a commitment to do something else is another commitment).
    pub action: Action,
    /// `provider`.
    pub provider: AgentId,
    /// `receiver`.
    pub receiver: AgentId,
    /// `resourceClassifiedAs`.
    pub resource_classified_as: Vec<Uri>,
    /// `resourceConformsTo`.
    pub resource_conforms_to: Option<ResourceSpecificationId>,
    /// `resourceInventoriedAs`.
    pub resource_inventoried_as: Option<EconomicResourceId>,
    /// `resourceQuantity`.
    pub resource_quantity: Option<Measure>,
    /// `effortQuantity`.
    pub effort_quantity: Option<Measure>,
    /// `hasBeginning`.
    pub has_beginning: Option<DateTime<Utc>>,
    /// `hasEnd`.
    pub has_end: Option<DateTime<Utc>>,
    /// `hasPointInTime`.
    pub has_point_in_time: Option<DateTime<Utc>>,
    /// `due`.
    pub due: Option<DateTime<Utc>>,
    /// `finished` as set by a client; the commitment is also finished once fully fulfilled
    /// ([`crate::planning::Progress::finished`]).
    pub finished: bool,
    /// `note`.
    pub note: Option<String>,
    /// `agreedIn`.
    pub agreed_in: Option<Uri>,
    /// `inScopeOf`.
    pub in_scope_of: Vec<AgentId>,
    /// `clauseOf`.
    pub clause_of: Option<AgreementId>,
    /// VF 1.0 `reciprocalClauseOf`: the agreement in which this is the reciprocal clause (the
    /// payment for what the agreement's clauses deliver).
    pub reciprocal_clause_of: Option<AgreementId>,
    /// `independentDemandOf`.
    pub independent_demand_of: Option<PlanId>,
    /// `plannedWithin`.
    pub planned_within: Option<PlanId>,
    /// `inputOf`.
    pub input_of: Option<ProcessId>,
    /// `outputOf`.
    pub output_of: Option<ProcessId>,
    /// `stage` (OVN input): the process specification the resource must have gone through.
    pub stage: Option<ProcessSpecificationId>,
    /// OVN `recordedBy`: the agent whose token created the commitment.
    pub recorded_by: AgentId,
    /// When ovn recorded it (vf-graphql `created`).
    pub created: DateTime<Utc>,
}

impl Commitment {
    /// Checks what the commitment's fields say together: the event's action rules (process
    /// links, quantities, no resource on an effort) and an ordered interval. An agent may
    /// commit to itself (internal planning), as VF allows.
    ///
    /// A booking ([`crate::sharing::booking::booked`]: a `use` of a named resource over an
    /// interval) is measured by its interval and comes before the process the resource will
    /// be used in, as an offer does: it needs neither a quantity nor `inputOf` (any it has
    /// must still point the right way and not be negative).
    pub fn validate(&self) -> Result<(), DomainError> {
        let flow = FlowFields {
            what: "commitment",
            action: self.action,
            input_of: self.input_of.is_some(),
            output_of: self.output_of.is_some(),
            resource_quantity: self.resource_quantity,
            effort_quantity: self.effort_quantity,
            resource_inventoried_as: self.resource_inventoried_as.is_some(),
            signed: false,
        };
        if crate::sharing::booking::booked(self).is_some() {
            check_process_direction(&flow)?;
            for (field, quantity) in
                [("resourceQuantity", self.resource_quantity), ("effortQuantity", self.effort_quantity)]
            {
                if let Some(quantity) = quantity {
                    quantity.non_negative(field)?;
                }
            }
        } else {
            check_flow(&flow)?;
        }
        check_interval(self.has_beginning, self.has_end)
    }

    /// The quantity the commitment is measured in, and whether it is an effort: the one its
    /// action's `eventQuantity` names (effort for `work`, resource for the others), or for
    /// `use` the resource quantity when given, else the effort.
    pub fn measure(&self) -> Option<(Measure, bool)> {
        match self.action.def().event_quantity {
            EventQuantity::Effort => self.effort_quantity.map(|m| (m, true)),
            EventQuantity::Resource => self.resource_quantity.map(|m| (m, false)),
            EventQuantity::Both => {
                self.resource_quantity.map(|m| (m, false)).or_else(|| self.effort_quantity.map(|m| (m, true)))
            }
        }
    }

    /// Whether `agent` is a party (provider or receiver).
    pub fn is_party(&self, agent: AgentId) -> bool {
        self.provider == agent || self.receiver == agent
    }

    /// Its parties and its scopes: whose stewards may write it.
    pub fn agents(&self) -> Vec<AgentId> {
        let mut agents = vec![self.provider, self.receiver];
        agents.extend(self.in_scope_of.iter().copied());
        agents
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use rust_decimal::Decimal;

    use super::*;

    /// A commitment of `action`, from a fresh provider to a fresh receiver, nothing else set.
    pub(crate) fn commitment(action: Action) -> Commitment {
        let provider = AgentId::new();
        Commitment {
            id: CommitmentId::new(),
            revision: 1,
            action,
            provider,
            receiver: AgentId::new(),
            resource_classified_as: Vec::new(),
            resource_conforms_to: None,
            resource_inventoried_as: None,
            resource_quantity: None,
            effort_quantity: None,
            has_beginning: None,
            has_end: None,
            has_point_in_time: None,
            due: None,
            finished: false,
            note: None,
            agreed_in: None,
            in_scope_of: Vec::new(),
            clause_of: None,
            reciprocal_clause_of: None,
            independent_demand_of: None,
            planned_within: None,
            input_of: None,
            output_of: None,
            stage: None,
            recorded_by: provider,
            created: Utc::now(),
        }
    }

    #[test]
    fn a_commitment_obeys_the_events_action_rules() {
        let hours = Measure::new(Decimal::new(8, 0), None);
        let mut work = Commitment { effort_quantity: Some(hours), ..commitment(Action::Work) };
        assert!(
            matches!(work.validate(), Err(DomainError::Invalid { field, .. }) if field == "inputOf"),
            "work is a process input"
        );
        work.input_of = Some(ProcessId::new());
        assert_eq!(work.validate(), Ok(()));
        work.resource_quantity = Some(hours);
        assert!(matches!(work.validate(), Err(DomainError::Invalid { field, .. }) if field == "resourceQuantity"));
        let consume = Commitment { input_of: Some(ProcessId::new()), ..commitment(Action::Consume) };
        assert!(matches!(consume.validate(), Err(DomainError::Invalid { field, .. }) if field == "resourceQuantity"));
    }

    #[test]
    fn a_booking_needs_no_process_and_no_quantity() {
        let at = |hour| chrono::TimeZone::with_ymd_and_hms(&Utc, 2027, 1, 4, hour, 0, 0).single();
        let mut booking = Commitment {
            resource_inventoried_as: Some(EconomicResourceId::new()),
            has_beginning: at(9),
            has_end: at(11),
            ..commitment(Action::Use)
        };
        assert_eq!(booking.validate(), Ok(()));
        booking.output_of = Some(ProcessId::new());
        assert!(matches!(booking.validate(), Err(DomainError::Invalid { field, .. }) if field == "outputOf"));
        booking.output_of = None;
        booking.effort_quantity = Some(Measure::new(Decimal::NEGATIVE_ONE, None));
        assert!(matches!(booking.validate(), Err(DomainError::Invalid { field, .. }) if field == "effortQuantity"));
        // Without its end it books nothing, and is a use like any other: a process input.
        let open = Commitment { has_end: None, effort_quantity: None, ..booking };
        assert!(matches!(open.validate(), Err(DomainError::Invalid { field, .. }) if field == "inputOf"));
    }

    #[test]
    fn a_commitment_is_measured_in_its_actions_quantity() {
        let kg = Measure::new(Decimal::new(5, 0), None);
        let hours = Measure::new(Decimal::new(2, 0), None);
        let work = Commitment { effort_quantity: Some(hours), ..commitment(Action::Work) };
        assert_eq!(work.measure(), Some((hours, true)));
        let consume =
            Commitment { resource_quantity: Some(kg), effort_quantity: Some(hours), ..commitment(Action::Consume) };
        assert_eq!(consume.measure(), Some((kg, false)));
        let use_by_time = Commitment { effort_quantity: Some(hours), ..commitment(Action::Use) };
        assert_eq!(use_by_time.measure(), Some((hours, true)));
    }
}
