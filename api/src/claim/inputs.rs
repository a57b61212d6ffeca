//! The claim module's inputs, each converted into the store's command in one `TryFrom`.

use async_graphql::{ID, InputObject, MaybeUndefined};
use ovn_domain::text::parse_note;
use ovn_domain::{
    Action, AgentId, ClaimId, DomainError, EconomicEventId, Patch, ResourceSpecificationId, SettlementId,
};
use ovn_persistence::claim::{ClaimPatch, SettlementPatch};

use crate::convert::{Update, given, id_list, note, patch, revision, uri};
use crate::intent::inputs::measure_patch;
use crate::knowledge::inputs::{IMeasure, measure};
use crate::scalars::{DateTime, Uri};

/// A new claim.
#[derive(InputObject)]
pub struct ClaimCreateParams {
    /// (`Action`) Relates a claim to a verb, such as consume, produce, work, improve, etc.
    pub action: ID,
    /// (`Agent`) The economic agent from whom the claim is expected (the triggering event's
    /// receiver when neither party is given).
    pub provider: Option<ID>,
    /// (`Agent`) The economic agent whom the claim is for (the triggering event's provider
    /// when neither party is given).
    pub receiver: Option<ID>,
    /// (`AccountingScope`) Grouping around something to create a boundary or context.
    pub in_scope_of: Option<Vec<ID>>,
    /// (`ResourceSpecification`) The primary resource specification of the resource.
    pub resource_conforms_to: Option<ID>,
    /// References a concept in a common taxonomy or other classification scheme.
    pub resource_classified_as: Option<Vec<Uri>>,
    /// The amount and unit of the economic resource counted or inventoried.
    pub resource_quantity: Option<IMeasure>,
    /// The amount and unit of the work or use or citation effort-based action.
    pub effort_quantity: Option<IMeasure>,
    /// The time the claim is expected to be settled.
    pub due: Option<DateTime>,
    /// (`EconomicEvent`) The economic event which already occurred which this claim has been
    /// made against.
    pub triggered_by: ID,
    /// The data on which the claim was made (when it was recorded, if omitted).
    pub created: Option<DateTime>,
    /// The claim is complete or not.
    pub finished: Option<bool>,
    /// A textual description or comment.
    pub note: Option<String>,
    /// Reference to an agreement between agents which specifies the rules or policies or
    /// calculations which govern this claim.
    pub agreed_in: Option<Uri>,
}

/// Changes to a claim.
#[derive(InputObject)]
pub struct ClaimUpdateParams {
    /// The revision the change is made against.
    pub revision_id: ID,
    /// (`Action`) Relates a claim to a verb.
    pub action: MaybeUndefined<ID>,
    /// (`Agent`) The economic agent from whom the claim is expected.
    pub provider: MaybeUndefined<ID>,
    /// (`Agent`) The economic agent whom the claim is for.
    pub receiver: MaybeUndefined<ID>,
    /// (`AccountingScope`) Grouping around something to create a boundary or context.
    pub in_scope_of: MaybeUndefined<Vec<ID>>,
    /// (`ResourceSpecification`) The primary resource specification of the resource.
    pub resource_conforms_to: MaybeUndefined<ID>,
    /// References a concept in a common taxonomy or other classification scheme.
    pub resource_classified_as: MaybeUndefined<Vec<Uri>>,
    /// The amount and unit of the economic resource counted or inventoried.
    pub resource_quantity: MaybeUndefined<IMeasure>,
    /// The amount and unit of the work or use or citation effort-based action.
    pub effort_quantity: MaybeUndefined<IMeasure>,
    /// The time the claim is expected to be settled.
    pub due: MaybeUndefined<DateTime>,
    /// (`EconomicEvent`) The economic event this claim has been made against.
    pub triggered_by: MaybeUndefined<ID>,
    /// The data on which the claim was made.
    pub created: MaybeUndefined<DateTime>,
    /// The claim is complete or not.
    pub finished: MaybeUndefined<bool>,
    /// A textual description or comment.
    pub note: MaybeUndefined<String>,
    /// Reference to an agreement between agents.
    pub agreed_in: MaybeUndefined<Uri>,
}

/// A new settlement.
#[derive(InputObject)]
pub struct SettlementCreateParams {
    /// (`Claim`) A claim which is fully or partially settled by an economic event.
    pub settles: ID,
    /// (`EconomicEvent`) The economic event fully or partially settling a claim.
    pub settled_by: ID,
    /// The amount and unit of the economic resource counted or inventoried (the event's when
    /// omitted).
    pub resource_quantity: Option<IMeasure>,
    /// The amount and unit of the work or use or citation effort-based action (the event's
    /// when omitted).
    pub effort_quantity: Option<IMeasure>,
    /// A textual description or comment.
    pub note: Option<String>,
}

/// Changes to a settlement.
#[derive(InputObject)]
pub struct SettlementUpdateParams {
    /// The revision the change is made against.
    pub revision_id: ID,
    /// (`Claim`) A claim which is fully or partially settled by an economic event.
    pub settles: MaybeUndefined<ID>,
    /// (`EconomicEvent`) The economic event fully or partially settling a claim.
    pub settled_by: MaybeUndefined<ID>,
    /// The amount and unit of the economic resource counted or inventoried.
    pub resource_quantity: MaybeUndefined<IMeasure>,
    /// The amount and unit of the work or use or citation effort-based action.
    pub effort_quantity: MaybeUndefined<IMeasure>,
    /// A textual description or comment.
    pub note: MaybeUndefined<String>,
}

fn id_patch<T>(
    value: &MaybeUndefined<ID>,
    parse: impl Fn(&str) -> Result<T, DomainError>,
) -> Result<Patch<T>, DomainError> {
    patch(value).try_map(|id| parse(id.as_str()))
}

fn given_id<T>(value: &Option<ID>, parse: impl Fn(&str) -> Result<T, DomainError>) -> Result<Patch<T>, DomainError> {
    given(value).try_map(|id| parse(id.as_str()))
}

impl TryFrom<ClaimCreateParams> for ClaimPatch {
    type Error = DomainError;

    fn try_from(c: ClaimCreateParams) -> Result<Self, DomainError> {
        Ok(Self {
            action: Patch::Set(Action::parse(c.action.as_str())?),
            provider: given_id(&c.provider, AgentId::parse)?,
            receiver: given_id(&c.receiver, AgentId::parse)?,
            resource_conforms_to: given_id(&c.resource_conforms_to, ResourceSpecificationId::parse)?,
            resource_classified_as: given(&c.resource_classified_as)
                .try_map(|l| Uri::list("resourceClassifiedAs", &l))?,
            resource_quantity: given(&measure(&c.resource_quantity)?),
            effort_quantity: given(&measure(&c.effort_quantity)?),
            triggered_by: Patch::Set(EconomicEventId::parse(c.triggered_by.as_str())?),
            due: given(&c.due),
            created: given(&c.created),
            finished: given(&c.finished),
            note: given(&note(&c.note)?),
            agreed_in: given(&uri("agreedIn", &c.agreed_in)?),
            in_scope_of: Patch::Set(id_list(&c.in_scope_of, AgentId::parse)?),
        })
    }
}

impl TryFrom<ClaimUpdateParams> for Update<ClaimId, ClaimPatch> {
    type Error = DomainError;

    fn try_from(c: ClaimUpdateParams) -> Result<Self, DomainError> {
        Ok(Self {
            revision: revision(&c.revision_id, ClaimId::parse)?,
            changes: ClaimPatch {
                action: id_patch(&c.action, Action::parse)?,
                provider: id_patch(&c.provider, AgentId::parse)?,
                receiver: id_patch(&c.receiver, AgentId::parse)?,
                resource_conforms_to: id_patch(&c.resource_conforms_to, ResourceSpecificationId::parse)?,
                resource_classified_as: patch(&c.resource_classified_as)
                    .try_map(|l| Uri::list("resourceClassifiedAs", &l))?,
                resource_quantity: measure_patch(&c.resource_quantity)?,
                effort_quantity: measure_patch(&c.effort_quantity)?,
                triggered_by: id_patch(&c.triggered_by, EconomicEventId::parse)?,
                due: patch(&c.due),
                created: patch(&c.created),
                finished: patch(&c.finished),
                note: patch(&c.note).try_map(|n| parse_note("note", &n))?,
                agreed_in: patch(&c.agreed_in).try_map(|u| u.to_domain("agreedIn"))?,
                in_scope_of: patch(&c.in_scope_of).try_map(|l| id_list(&Some(l), AgentId::parse))?,
            },
        })
    }
}

impl TryFrom<SettlementCreateParams> for SettlementPatch {
    type Error = DomainError;

    fn try_from(s: SettlementCreateParams) -> Result<Self, DomainError> {
        Ok(Self {
            settles: Patch::Set(ClaimId::parse(s.settles.as_str())?),
            settled_by: Patch::Set(EconomicEventId::parse(s.settled_by.as_str())?),
            resource_quantity: given(&measure(&s.resource_quantity)?),
            effort_quantity: given(&measure(&s.effort_quantity)?),
            note: given(&note(&s.note)?),
        })
    }
}

impl TryFrom<SettlementUpdateParams> for Update<SettlementId, SettlementPatch> {
    type Error = DomainError;

    fn try_from(s: SettlementUpdateParams) -> Result<Self, DomainError> {
        Ok(Self {
            revision: revision(&s.revision_id, SettlementId::parse)?,
            changes: SettlementPatch {
                settles: id_patch(&s.settles, ClaimId::parse)?,
                settled_by: id_patch(&s.settled_by, EconomicEventId::parse)?,
                resource_quantity: measure_patch(&s.resource_quantity)?,
                effort_quantity: measure_patch(&s.effort_quantity)?,
                note: patch(&s.note).try_map(|n| parse_note("note", &n))?,
            },
        })
    }
}
