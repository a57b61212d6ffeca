//! An economic event: what it says ([`NewEvent`], as a client or an import sends it), the
//! facts persistence loads for it ([`EventContext`]), its non-economic details and the
//! recorded record ([`EconomicEvent`]); and [`validate`], which fields each action needs.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::process::check_interval;
use super::{EconomicResource, PropertyRegime};
use crate::action::CreateResource;
use crate::action::fields::{self, FlowFields};
use crate::agent::network::Ties;
use crate::text::Uri;
use crate::{
    Action, AgentId, AgreementId, DomainError, EconomicEventId, EconomicResourceId, Measure, ProcessId,
    ProcessSpecificationId, ResourceSpecificationId,
};

/// A new economic event, already parsed from the wire: the command [`validate`] and [`apply`]
/// work on. Field names follow VF (`snake_case` of `EconomicEventCreateParams`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewEvent {
    /// `action`.
    pub action: Action,
    /// `provider`.
    pub provider: AgentId,
    /// `receiver`.
    pub receiver: AgentId,
    /// `resourceInventoriedAs`: the resource the event acts on (the *from* side). When the
    /// event creates it (`newInventoriedResource` on produce/raise/lower) this is the id
    /// persistence allocated for it, or `None` if not yet allocated.
    pub resource_inventoried_as: Option<EconomicResourceId>,
    /// `toResourceInventoriedAs`: the receiving resource of a transfer, move or copy. May be
    /// the same as `resourceInventoriedAs` (a whole, serialized resource changing hands).
    pub to_resource_inventoried_as: Option<EconomicResourceId>,
    /// `resourceQuantity`.
    pub resource_quantity: Option<Measure>,
    /// `effortQuantity`.
    pub effort_quantity: Option<Measure>,
    /// `inputOf`.
    pub input_of: Option<ProcessId>,
    /// `outputOf`.
    pub output_of: Option<ProcessId>,
    /// `atLocation`.
    pub at_location: Option<String>,
    /// `toLocation`.
    pub to_location: Option<String>,
    /// `state` (VF 1.0 event state, e.g. `pass`/`fail` on an accept/modify).
    pub state: Option<String>,
    /// `corrects`: the event this one corrects; its quantities are then signed deltas.
    pub corrects: Option<EconomicEventId>,
    /// Whether the client supplied `newInventoriedResource`: the event creates the side the
    /// action's `createResource` names (from for `optional`, to for `optionalTo`).
    pub creates_resource: bool,
}

impl NewEvent {
    /// An event of `action` from `provider` to `receiver`, every other field empty.
    pub fn new(action: Action, provider: AgentId, receiver: AgentId) -> Self {
        Self {
            action,
            provider,
            receiver,
            resource_inventoried_as: None,
            to_resource_inventoried_as: None,
            resource_quantity: None,
            effort_quantity: None,
            input_of: None,
            output_of: None,
            at_location: None,
            to_location: None,
            state: None,
            corrects: None,
            creates_resource: false,
        }
    }

    /// Whether this event corrects another one (its quantities are signed deltas).
    pub fn is_correction(&self) -> bool {
        self.corrects.is_some()
    }

    /// Whether from and to name the same resource (a whole resource changing hands).
    pub fn same_resource(&self) -> bool {
        self.resource_inventoried_as.is_some() && self.resource_inventoried_as == self.to_resource_inventoried_as
    }

    /// Whether the event creates its from side (`createResource: optional`).
    pub fn creates_from(&self) -> bool {
        self.creates_resource
            && self.corrects.is_none()
            && self.action.def().create_resource == CreateResource::Optional
    }

    /// Whether the event creates its to side (`createResource: optionalTo`).
    pub fn creates_to(&self) -> bool {
        self.creates_resource
            && self.corrects.is_none()
            && self.action.def().create_resource == CreateResource::OptionalTo
    }

    /// The resource quantity's number, zero when there is none.
    pub(crate) fn quantity(&self) -> Decimal {
        self.resource_quantity.map_or(Decimal::ZERO, |m| m.has_numerical_value)
    }
}

/// The facts an event's rules need that the event does not carry itself: persistence loads
/// them (the live service from the database, an import from the document) before any rule
/// runs. New context (the scope's stewards, affiliation, the exchange firm, access rules) is
/// added here, and every rule that needs it reads it from here.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EventContext {
    /// The event this one `corrects`, as recorded (`None` when it corrects nothing).
    pub original: Option<NewEvent>,
    /// `basedOn` of the process the event is `outputOf`: becomes the resource's `stage`.
    pub output_process_based_on: Option<ProcessSpecificationId>,
    /// The container of a `combine` (the resource the process packs this one into). Clients of
    /// vf-graphql cannot send it; when `None`, a combine leaves `containedIn` as it was.
    pub container: Option<EconomicResourceId>,
}

/// Checks which fields an event of its action must, may and must not carry (VF 1.0 action
/// table; field names in errors are the VF/vf-graphql ones):
///
/// - **process links** (`inputOutput`): `accept`, `cite`, `combine`, `consume`, `pickup`,
///   `use`, `work` are process inputs and need `inputOf` (and no `outputOf`); `dropoff`,
///   `modify`, `produce`, `separate` are outputs and need `outputOf` (and no `inputOf`);
///   `deliverService` may have either, both, or neither (a service sold in an exchange);
///   `copy`, `lower`, `move`, `raise` and the three transfers happen outside processes and
///   must have neither. Only `deliverService` may have both.
/// - **quantities** (`eventQuantity`): `resource` actions need `resourceQuantity`; `work`
///   needs `effortQuantity` and must have no `resourceQuantity`, `resourceInventoriedAs` or
///   `toResourceInventoriedAs`; `use` needs at least one of the two. Quantities must not be
///   negative, except in a correction, where they are signed deltas.
/// - **resources**: `toResourceInventoriedAs` only on actions with a to side (`optionalTo`:
///   transfers, move, copy); a copy cannot copy a resource onto itself. `combine` and
///   `separate` need `resourceInventoriedAs` (the resource packed or unpacked); only a
///   combine may name a container, which must differ from the resource.
/// - **creation**: `newInventoriedResource` only on actions whose `createResource` is not
///   `notApplicable`, and never on a correction.
pub fn validate(event: &NewEvent) -> Result<(), DomainError> {
    fields::check_flow(&flow_fields(event))?;
    validate_resources(event)
}

/// The fields of the event that the shared flow rules ([`crate::action::fields`]) check.
fn flow_fields(event: &NewEvent) -> FlowFields {
    FlowFields {
        what: "event",
        action: event.action,
        input_of: event.input_of.is_some(),
        output_of: event.output_of.is_some(),
        resource_quantity: event.resource_quantity,
        effort_quantity: event.effort_quantity,
        resource_inventoried_as: event.resource_inventoried_as.is_some(),
        signed: event.is_correction(),
    }
}

fn validate_resources(event: &NewEvent) -> Result<(), DomainError> {
    let action = event.action;
    let def = action.def();
    if event.to_resource_inventoried_as.is_some() && def.create_resource != CreateResource::OptionalTo {
        return Err(DomainError::invalid(
            "toResourceInventoriedAs",
            format!("a {action} event has no receiving resource; only transfers, move and copy do"),
        ));
    }
    if action == Action::Copy && event.same_resource() {
        return Err(DomainError::invalid("toResourceInventoriedAs", "a copy must go to another resource"));
    }
    if matches!(action, Action::Combine | Action::Separate) && event.resource_inventoried_as.is_none() {
        return Err(DomainError::invalid(
            "resourceInventoriedAs",
            format!("a {action} event needs the resource it packs or unpacks"),
        ));
    }
    validate_creation(event)
}

/// Checks the container the context gives an event: only a combine puts a resource in a
/// container, and never in itself.
pub fn validate_container(event: &NewEvent, context: &EventContext) -> Result<(), DomainError> {
    if let Some(container) = context.container {
        if event.action != Action::Combine {
            return Err(DomainError::invalid("containedIn", "only a combine event puts a resource in a container"));
        }
        if event.resource_inventoried_as == Some(container) {
            return Err(DomainError::invalid("containedIn", "a resource cannot contain itself"));
        }
    }
    Ok(())
}

fn validate_creation(event: &NewEvent) -> Result<(), DomainError> {
    if !event.creates_resource {
        return Ok(());
    }
    if event.is_correction() {
        return Err(DomainError::invalid("newInventoriedResource", "a correction never creates a resource"));
    }
    if event.action.def().create_resource == CreateResource::NotApplicable {
        return Err(DomainError::invalid(
            "newInventoriedResource",
            format!(
                "a {} event cannot create a resource; only produce, raise, lower, transfers, move and copy can",
                event.action
            ),
        ));
    }
    Ok(())
}

/// The details of an event beyond its economic core.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EventDetails {
    /// `resourceClassifiedAs`.
    pub resource_classified_as: Vec<Uri>,
    /// `resourceConformsTo`.
    pub resource_conforms_to: Option<ResourceSpecificationId>,
    /// `hasBeginning`.
    pub has_beginning: Option<DateTime<Utc>>,
    /// `hasEnd`.
    pub has_end: Option<DateTime<Utc>>,
    /// `hasPointInTime`.
    pub has_point_in_time: Option<DateTime<Utc>>,
    /// `note`.
    pub note: Option<String>,
    /// `agreedIn`.
    pub agreed_in: Option<Uri>,
    /// `triggeredBy`.
    pub triggered_by: Option<EconomicEventId>,
    /// OVN `declaredValue`: what the contributor says the contribution is worth.
    pub declared_value: Option<Measure>,
    /// OVN `inScopeOf`: the projects (or networks) the event counts in.
    pub in_scope_of: Vec<AgentId>,
    /// `realizationOf`: the agreement the event carries out (a link, not a quantity: it may
    /// be set after the event is recorded).
    pub realization_of: Option<AgreementId>,
    /// VF 1.0 `reciprocalRealizationOf`: the agreement in which this event is the reciprocal
    /// flow (the payment for what the agreement delivers).
    pub reciprocal_realization_of: Option<AgreementId>,
}

impl EventDetails {
    /// Checks what the economic core does not: the time interval is ordered and the
    /// declared value is not negative.
    pub fn validate(&self) -> Result<(), DomainError> {
        check_interval(self.has_beginning, self.has_end)?;
        if let Some(value) = self.declared_value {
            value.non_negative("declaredValue")?;
        }
        Ok(())
    }
}

/// A recorded economic event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EconomicEvent {
    /// Identity.
    pub id: EconomicEventId,
    /// Revision (only notes and links change).
    pub revision: i64,
    /// The economic core, with the resources it touched filled in.
    pub core: NewEvent,
    /// Everything else.
    pub details: EventDetails,
    /// When ovn recorded it (system time, distinct from the observed times).
    pub created: DateTime<Utc>,
}

impl EconomicEvent {
    /// An event counts as a contribution when it is in scope of an organization (a project or
    /// a network), the agent it is credited to ([`contributor`]: its provider, or the owner of
    /// the pooled asset a use acts on) is someone else, and that agent is an affiliate of the
    /// scope or of a network the scope is part of. `used` is the resource the event acts on;
    /// `organization_scopes` are the event's scopes that are organizations; `ties` hold the
    /// credited agent's affiliations and the scopes' `partOf` chains.
    pub fn is_contribution(
        &self,
        used: Option<&EconomicResource>,
        organization_scopes: &[AgentId],
        ties: &Ties,
    ) -> bool {
        let credited = self.contributor(used);
        organization_scopes
            .iter()
            .any(|scope| self.details.in_scope_of.contains(scope) && contributes_to(credited, *scope, ties))
    }

    /// Who the event is credited to ([`contributor`]), given the resource it acts on.
    pub fn contributor(&self, used: Option<&EconomicResource>) -> AgentId {
        contributor(
            self.core.action,
            self.core.provider,
            used.map(|r| (r.details.property_regime, r.state.primary_accountable)),
        )
    }
}

/// Whether an event that `provider` provided in scope of the organization `scope` is a
/// contribution to it ([`EconomicEvent::is_contribution`]): the provider is someone else, and an
/// affiliate of the scope or of a network the scope is part of. Governance counts a scope's
/// active contributors by this same rule without loading their events one by one.
pub fn contributes_to(provider: AgentId, scope: AgentId, ties: &Ties) -> bool {
    scope != provider && ties.is_affiliate(provider, scope)
}

/// Who an event's contribution is credited to: for a `use` of an asset in the pool of
/// shareables, the asset's owner, whoever brought it into the process (DESIGN 6: each use of a
/// pooled asset is its owner's contribution; D191); else the provider. `used` is the regime and
/// the owner (`primaryAccountable`) of the resource the event acts on. The contribution test
/// ([`contributes_to`]) asks about this agent, so the owner must be an affiliate of the scope.
pub fn contributor(action: Action, provider: AgentId, used: Option<(PropertyRegime, Option<AgentId>)>) -> AgentId {
    match used {
        Some((PropertyRegime::PoolOfShareables, Some(owner))) if action == Action::Use => owner,
        _ => provider,
    }
}

/// [`EconomicEvent::is_contribution`] for many events given by their providers and the scopes
/// they are in that are organizations (the value engine reads events in this lean form). It
/// remembers each answer of [`contributes_to`]: a scope's million events name a few hundred
/// providers, and the answer depends on the provider and the scope only.
pub struct ContributionTest<'a> {
    ties: &'a Ties,
    known: crate::value::FastMap<(AgentId, AgentId), bool>,
}

impl<'a> ContributionTest<'a> {
    /// The test over `ties`.
    pub fn new(ties: &'a Ties) -> Self {
        Self { ties, known: crate::value::FastMap::default() }
    }

    /// Whether an event `provider` provided in `organization_scopes` is a contribution.
    pub fn is_contribution<'s>(
        &mut self,
        provider: AgentId,
        organization_scopes: impl IntoIterator<Item = &'s AgentId>,
    ) -> bool {
        organization_scopes.into_iter().any(|scope| {
            *self.known.entry((provider, *scope)).or_insert_with(|| contributes_to(provider, *scope, self.ties))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::network::{OvnRole, Tie};

    #[test]
    fn a_contribution_is_in_scope_of_an_organization_and_provided_by_an_affiliate() {
        let (alice, project, network) = (AgentId::new(), AgentId::new(), AgentId::new());
        let mut event = EconomicEvent {
            id: EconomicEventId::new(),
            revision: 1,
            core: NewEvent::new(Action::Work, alice, project),
            details: EventDetails { in_scope_of: vec![project], ..EventDetails::default() },
            created: Utc::now(),
        };
        let tie = |subject, role, object| Tie { subject, role, object };
        let affiliated = Ties::new([
            tie(project, OvnRole::PartOf, network),
            tie(alice, OvnRole::AffiliateOf, network),
            tie(project, OvnRole::AffiliateOf, network),
        ]);
        assert!(event.is_contribution(None, &[project], &affiliated));
        assert!(!event.is_contribution(None, &[project], &Ties::default()), "a stranger's work is no contribution");
        assert!(!event.is_contribution(None, &[], &affiliated), "a scope that is not an organization does not count");
        event.core.provider = project;
        assert!(!event.is_contribution(None, &[project], &affiliated), "a project does not contribute to itself");
    }

    #[test]
    fn the_contribution_test_over_many_events_answers_as_the_rule_for_each() {
        let (alice, bob, project, network, other) =
            (AgentId::new(), AgentId::new(), AgentId::new(), AgentId::new(), AgentId::new());
        let tie = |subject, role, object| Tie { subject, role, object };
        // Alice is an affiliate of the network the project is part of; Bob of another one.
        let ties = Ties::new([
            tie(project, OvnRole::PartOf, network),
            tie(alice, OvnRole::AffiliateOf, network),
            tie(bob, OvnRole::AffiliateOf, other),
            tie(alice, OvnRole::StewardOf, other),
        ]);
        let mut test = ContributionTest::new(&ties);
        // Asked twice each: the remembered answer is the rule's.
        for _ in 0..2 {
            assert!(test.is_contribution(alice, &[project]));
            assert!(!test.is_contribution(bob, &[project]), "Bob is no affiliate of the project's network");
            assert!(test.is_contribution(bob, &[project, other]), "but of the other scope");
            assert!(!test.is_contribution(alice, &[other]), "a steward is no affiliate");
            assert!(!test.is_contribution(project, &[project]), "a project does not contribute to itself");
            assert!(!test.is_contribution(alice, &[]));
        }
        for (agent, scope) in [(alice, project), (bob, project), (bob, other), (alice, other), (project, project)] {
            assert_eq!(test.is_contribution(agent, &[scope]), contributes_to(agent, scope, &ties));
        }
    }

    #[test]
    fn a_use_of_a_pooled_asset_is_its_owners_contribution_whoever_brought_it() {
        let (dan, bob) = (AgentId::new(), AgentId::new());
        let pooled = Some((PropertyRegime::PoolOfShareables, Some(dan)));
        assert_eq!(contributor(Action::Use, bob, pooled), dan, "Bob brought Dan's printer: Dan's use");
        assert_eq!(contributor(Action::Use, dan, pooled), dan);
        assert_eq!(contributor(Action::Work, bob, pooled), bob, "only a use is the owner's");
        let private = Some((PropertyRegime::Private, Some(dan)));
        assert_eq!(contributor(Action::Use, bob, private), bob, "a private asset's use is the provider's");
        let ownerless = Some((PropertyRegime::PoolOfShareables, None));
        assert_eq!(contributor(Action::Use, bob, ownerless), bob);
        assert_eq!(contributor(Action::Use, bob, None), bob);
    }

    #[test]
    fn details_refuse_a_negative_declared_value_and_a_reversed_interval() {
        let now = Utc::now();
        let reversed = EventDetails {
            has_beginning: Some(now),
            has_end: Some(now - chrono::Duration::hours(1)),
            ..EventDetails::default()
        };
        assert_eq!(reversed.validate(), Err(DomainError::invalid("hasEnd", "is before hasBeginning")));
        let negative =
            EventDetails { declared_value: Some(Measure::new(Decimal::new(-1, 2), None)), ..EventDetails::default() };
        assert_eq!(negative.validate(), Err(DomainError::invalid("declaredValue", "must not be negative")));
    }
}
