//! The planning layer's inputs, each converted into the store's command with `TryFrom`.
//! Names, types and nullability are vf-graphql's; OVN and VF 1.0 additions say so.

use async_graphql::{ID, InputObject, MaybeUndefined};
use ovn_domain::text::{Name, parse_note};
use ovn_domain::{
    Action as DomainAction, AgentId, AgreementId, CommitmentId, DomainError, EconomicEventId, EconomicResourceId,
    FulfillmentId, Measure, Patch, PlanId, ProcessId, ProcessSpecificationId, ResourceSpecificationId,
};
use ovn_persistence::planning::{AgreementPatch, CommitmentPatch, FulfillmentPatch, PlanPatch};

use crate::convert::{Update, given, id_list, name, note, opt_id, patch, revision, uri};
use crate::knowledge::inputs::IMeasure;
use crate::scalars::{DateTime, Uri};

/// A new plan.
#[derive(InputObject)]
pub struct PlanCreateParams {
    /// An informal or formal textual identifier for a plan. Does not imply uniqueness.
    pub name: String,
    /// The time the plan was made.
    pub created: Option<DateTime>,
    /// The time the plan is expected to be complete.
    pub due: Option<DateTime>,
    /// A textual description or comment.
    pub note: Option<String>,
    /// OVN (`AccountingScope`): the projects or networks the plan is for.
    pub in_scope_of: Option<Vec<ID>>,
}

/// Changes to a plan.
#[derive(InputObject)]
pub struct PlanUpdateParams {
    /// The revision the change is made against.
    pub revision_id: ID,
    /// An informal or formal textual identifier for a plan. Does not imply uniqueness.
    pub name: MaybeUndefined<String>,
    /// The time the plan was made.
    pub created: MaybeUndefined<DateTime>,
    /// The time the plan is expected to be complete.
    pub due: MaybeUndefined<DateTime>,
    /// A textual description or comment.
    pub note: MaybeUndefined<String>,
    /// OVN (`AccountingScope`): the projects or networks the plan is for.
    pub in_scope_of: MaybeUndefined<Vec<ID>>,
}

/// A new agreement.
#[derive(InputObject, Default)]
pub struct AgreementCreateParams {
    /// An informal or formal textual identifier for an agreement. Does not imply uniqueness.
    pub name: Option<String>,
    /// The date and time the agreement was created.
    pub created: Option<DateTime>,
    /// A textual description or comment.
    pub note: Option<String>,
}

/// Changes to an agreement.
#[derive(InputObject)]
pub struct AgreementUpdateParams {
    /// The revision the change is made against.
    pub revision_id: ID,
    /// An informal or formal textual identifier for an agreement. Does not imply uniqueness.
    pub name: MaybeUndefined<String>,
    /// The date and time the agreement was created.
    pub created: MaybeUndefined<DateTime>,
    /// A textual description or comment.
    pub note: MaybeUndefined<String>,
}

/// A new commitment.
#[derive(InputObject)]
pub struct CommitmentCreateParams {
    /// (`Action`) Relates a commitment to a verb, such as consume, produce, work, improve, etc.
    pub action: ID,
    /// References a concept in a common taxonomy or other classification scheme for purposes
    /// of categorization or grouping.
    pub resource_classified_as: Option<Vec<Uri>>,
    /// The amount and unit of the economic resource counted or inventoried.
    pub resource_quantity: Option<IMeasure>,
    /// The amount and unit of the work or use or citation effort-based action.
    pub effort_quantity: Option<IMeasure>,
    /// The planned beginning of the commitment.
    pub has_beginning: Option<DateTime>,
    /// The planned end of the commitment.
    pub has_end: Option<DateTime>,
    /// The planned date/time for the commitment. Can be used instead of beginning and end.
    pub has_point_in_time: Option<DateTime>,
    /// The time something is expected to be complete.
    pub due: Option<DateTime>,
    /// The commitment is complete or not.
    pub finished: Option<bool>,
    /// A textual description or comment.
    pub note: Option<String>,
    /// Reference to an agreement between agents which specifies the rules or policies or
    /// calculations which govern this commitment.
    pub agreed_in: Option<Uri>,
    /// (`Agent`) The economic agent from whom the commitment is initiated.
    pub provider: ID,
    /// (`Agent`) The economic agent whom the commitment is for.
    pub receiver: ID,
    /// (`AccountingScope`) Grouping around something to create a boundary or context.
    pub in_scope_of: Option<Vec<ID>>,
    /// (`Agreement`) This commitment is part of the agreement.
    pub clause_of: Option<ID>,
    /// VF 1.0 (`Agreement`): this commitment is the reciprocal clause of the agreement.
    pub reciprocal_clause_of: Option<ID>,
    /// (`EconomicResource`) Exact economic resource involved in the commitment.
    pub resource_inventoried_as: Option<ID>,
    /// (`Plan`) Represents a desired deliverable expected from this plan.
    pub independent_demand_of: Option<ID>,
    /// (`Plan`) The transfer commitment is part of the plan.
    pub planned_within: Option<ID>,
    /// (`ResourceSpecification`) The primary resource specification or definition of an
    /// existing or potential economic resource.
    pub resource_conforms_to: Option<ID>,
    /// (`Process`) Defines the process to which this commitment is an input.
    pub input_of: Option<ID>,
    /// (`Process`) Defines the process for which this commitment is an output.
    pub output_of: Option<ID>,
    /// OVN (`ProcessSpecification`): the stage the resource must have reached.
    pub stage: Option<ID>,
}

/// Changes to a commitment (its action never changes).
#[derive(InputObject)]
pub struct CommitmentUpdateParams {
    /// The revision the change is made against.
    pub revision_id: ID,
    /// References a concept in a common taxonomy or other classification scheme.
    pub resource_classified_as: MaybeUndefined<Vec<Uri>>,
    /// The amount and unit of the economic resource counted or inventoried.
    pub resource_quantity: MaybeUndefined<IMeasure>,
    /// The amount and unit of the work or use or citation effort-based action.
    pub effort_quantity: MaybeUndefined<IMeasure>,
    /// The planned beginning of the commitment.
    pub has_beginning: MaybeUndefined<DateTime>,
    /// The planned end of the commitment.
    pub has_end: MaybeUndefined<DateTime>,
    /// The planned date/time for the commitment.
    pub has_point_in_time: MaybeUndefined<DateTime>,
    /// The time something is expected to be complete.
    pub due: MaybeUndefined<DateTime>,
    /// The commitment is complete or not.
    pub finished: MaybeUndefined<bool>,
    /// A textual description or comment.
    pub note: MaybeUndefined<String>,
    /// Reference to an agreement between agents.
    pub agreed_in: MaybeUndefined<Uri>,
    /// (`Agent`) The economic agent from whom the commitment is initiated.
    pub provider: MaybeUndefined<ID>,
    /// (`Agent`) The economic agent whom the commitment is for.
    pub receiver: MaybeUndefined<ID>,
    /// (`AccountingScope`) Grouping around something to create a boundary or context.
    pub in_scope_of: MaybeUndefined<Vec<ID>>,
    /// (`Agreement`) This commitment is part of the agreement.
    pub clause_of: MaybeUndefined<ID>,
    /// VF 1.0 (`Agreement`): this commitment is the reciprocal clause of the agreement.
    pub reciprocal_clause_of: MaybeUndefined<ID>,
    /// (`EconomicResource`) Exact economic resource involved in the commitment.
    pub resource_inventoried_as: MaybeUndefined<ID>,
    /// (`Plan`) Represents a desired deliverable expected from this plan.
    pub independent_demand_of: MaybeUndefined<ID>,
    /// (`Plan`) The transfer commitment is part of the plan.
    pub planned_within: MaybeUndefined<ID>,
    /// (`ResourceSpecification`) The primary resource specification.
    pub resource_conforms_to: MaybeUndefined<ID>,
    /// (`Process`) Defines the process to which this commitment is an input.
    pub input_of: MaybeUndefined<ID>,
    /// (`Process`) Defines the process for which this commitment is an output.
    pub output_of: MaybeUndefined<ID>,
    /// OVN (`ProcessSpecification`): the stage the resource must have reached.
    pub stage: MaybeUndefined<ID>,
}

/// A new fulfilment.
#[derive(InputObject)]
pub struct FulfillmentCreateParams {
    /// (`EconomicEvent`) The economic event which completely or partially fulfills a
    /// commitment.
    pub fulfilled_by: ID,
    /// (`Commitment`) The commitment which is completely or partially fulfilled by an
    /// economic event.
    pub fulfills: ID,
    /// The amount and unit of the economic resource counted or inventoried (OVN: defaults to
    /// the event's).
    pub resource_quantity: Option<IMeasure>,
    /// The amount and unit of the work or use or citation effort-based action (OVN: defaults
    /// to the event's).
    pub effort_quantity: Option<IMeasure>,
    /// A textual description or comment.
    pub note: Option<String>,
}

/// Changes to a fulfilment.
#[derive(InputObject)]
pub struct FulfillmentUpdateParams {
    /// The revision the change is made against.
    pub revision_id: ID,
    /// (`EconomicEvent`) The economic event which completely or partially fulfills a
    /// commitment.
    pub fulfilled_by: MaybeUndefined<ID>,
    /// (`Commitment`) The commitment which is completely or partially fulfilled.
    pub fulfills: MaybeUndefined<ID>,
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

fn opt_measure(value: &Option<IMeasure>) -> Result<Patch<Measure>, DomainError> {
    given(value).try_map(|m| Measure::try_from(&m))
}

fn measure_patch(value: &MaybeUndefined<IMeasure>) -> Result<Patch<Measure>, DomainError> {
    patch(value).try_map(|m| Measure::try_from(&m))
}

fn opt_id_patch<T: Clone>(
    value: &Option<ID>,
    parse: impl Fn(&str) -> Result<T, DomainError>,
) -> Result<Patch<T>, DomainError> {
    Ok(given(&opt_id(value, parse)?))
}

impl TryFrom<PlanCreateParams> for PlanPatch {
    type Error = DomainError;

    fn try_from(plan: PlanCreateParams) -> Result<Self, DomainError> {
        Ok(Self {
            name: Patch::Set(name("name", &plan.name)?),
            created: given(&plan.created),
            due: given(&plan.due),
            note: given(&note(&plan.note)?),
            in_scope_of: Patch::Set(id_list(&plan.in_scope_of, AgentId::parse)?),
        })
    }
}

impl TryFrom<PlanUpdateParams> for Update<PlanId, PlanPatch> {
    type Error = DomainError;

    fn try_from(plan: PlanUpdateParams) -> Result<Self, DomainError> {
        Ok(Self {
            revision: revision(&plan.revision_id, PlanId::parse)?,
            changes: PlanPatch {
                name: patch(&plan.name).try_map(|n| Name::parse("name", &n))?,
                created: patch(&plan.created),
                due: patch(&plan.due),
                note: patch(&plan.note).try_map(|n| parse_note("note", &n))?,
                in_scope_of: patch(&plan.in_scope_of).try_map(|l| l.iter().map(|id| AgentId::parse(id)).collect())?,
            },
        })
    }
}

impl TryFrom<AgreementCreateParams> for AgreementPatch {
    type Error = DomainError;

    fn try_from(agreement: AgreementCreateParams) -> Result<Self, DomainError> {
        Ok(Self {
            name: given(&agreement.name.as_deref().map(|n| parse_note("name", n)).transpose()?),
            created: given(&agreement.created),
            note: given(&note(&agreement.note)?),
        })
    }
}

impl TryFrom<AgreementUpdateParams> for Update<AgreementId, AgreementPatch> {
    type Error = DomainError;

    fn try_from(agreement: AgreementUpdateParams) -> Result<Self, DomainError> {
        Ok(Self {
            revision: revision(&agreement.revision_id, AgreementId::parse)?,
            changes: AgreementPatch {
                name: patch(&agreement.name).try_map(|n| parse_note("name", &n))?,
                created: patch(&agreement.created),
                note: patch(&agreement.note).try_map(|n| parse_note("note", &n))?,
            },
        })
    }
}

/// `createCommitment`'s input: the action, and the rest as a patch over an empty commitment.
pub fn commitment_command(c: &CommitmentCreateParams) -> Result<(DomainAction, CommitmentPatch), DomainError> {
    let action = DomainAction::parse(c.action.as_str())?;
    let changes = CommitmentPatch {
        provider: Patch::Set(AgentId::parse(&c.provider)?),
        receiver: Patch::Set(AgentId::parse(&c.receiver)?),
        resource_classified_as: given(&c.resource_classified_as).try_map(|l| Uri::list("resourceClassifiedAs", &l))?,
        resource_conforms_to: opt_id_patch(&c.resource_conforms_to, ResourceSpecificationId::parse)?,
        resource_inventoried_as: opt_id_patch(&c.resource_inventoried_as, EconomicResourceId::parse)?,
        resource_quantity: opt_measure(&c.resource_quantity)?,
        effort_quantity: opt_measure(&c.effort_quantity)?,
        has_beginning: given(&c.has_beginning),
        has_end: given(&c.has_end),
        has_point_in_time: given(&c.has_point_in_time),
        due: given(&c.due),
        finished: given(&c.finished),
        note: given(&note(&c.note)?),
        agreed_in: given(&uri("agreedIn", &c.agreed_in)?),
        in_scope_of: Patch::Set(id_list(&c.in_scope_of, AgentId::parse)?),
        clause_of: opt_id_patch(&c.clause_of, AgreementId::parse)?,
        reciprocal_clause_of: opt_id_patch(&c.reciprocal_clause_of, AgreementId::parse)?,
        independent_demand_of: opt_id_patch(&c.independent_demand_of, PlanId::parse)?,
        planned_within: opt_id_patch(&c.planned_within, PlanId::parse)?,
        input_of: opt_id_patch(&c.input_of, ProcessId::parse)?,
        output_of: opt_id_patch(&c.output_of, ProcessId::parse)?,
        stage: opt_id_patch(&c.stage, ProcessSpecificationId::parse)?,
    };
    Ok((action, changes))
}

impl TryFrom<CommitmentUpdateParams> for Update<CommitmentId, CommitmentPatch> {
    type Error = DomainError;

    fn try_from(c: CommitmentUpdateParams) -> Result<Self, DomainError> {
        Ok(Self {
            revision: revision(&c.revision_id, CommitmentId::parse)?,
            changes: CommitmentPatch {
                provider: id_patch(&c.provider, AgentId::parse)?,
                receiver: id_patch(&c.receiver, AgentId::parse)?,
                resource_classified_as: patch(&c.resource_classified_as)
                    .try_map(|l| Uri::list("resourceClassifiedAs", &l))?,
                resource_conforms_to: id_patch(&c.resource_conforms_to, ResourceSpecificationId::parse)?,
                resource_inventoried_as: id_patch(&c.resource_inventoried_as, EconomicResourceId::parse)?,
                resource_quantity: measure_patch(&c.resource_quantity)?,
                effort_quantity: measure_patch(&c.effort_quantity)?,
                has_beginning: patch(&c.has_beginning),
                has_end: patch(&c.has_end),
                has_point_in_time: patch(&c.has_point_in_time),
                due: patch(&c.due),
                finished: patch(&c.finished),
                note: patch(&c.note).try_map(|n| parse_note("note", &n))?,
                agreed_in: patch(&c.agreed_in).try_map(|u| u.to_domain("agreedIn"))?,
                in_scope_of: patch(&c.in_scope_of).try_map(|l| l.iter().map(|id| AgentId::parse(id)).collect())?,
                clause_of: id_patch(&c.clause_of, AgreementId::parse)?,
                reciprocal_clause_of: id_patch(&c.reciprocal_clause_of, AgreementId::parse)?,
                independent_demand_of: id_patch(&c.independent_demand_of, PlanId::parse)?,
                planned_within: id_patch(&c.planned_within, PlanId::parse)?,
                input_of: id_patch(&c.input_of, ProcessId::parse)?,
                output_of: id_patch(&c.output_of, ProcessId::parse)?,
                stage: id_patch(&c.stage, ProcessSpecificationId::parse)?,
            },
        })
    }
}

impl TryFrom<FulfillmentCreateParams> for FulfillmentPatch {
    type Error = DomainError;

    fn try_from(f: FulfillmentCreateParams) -> Result<Self, DomainError> {
        Ok(Self {
            fulfilled_by: Patch::Set(EconomicEventId::parse(&f.fulfilled_by)?),
            fulfills: Patch::Set(CommitmentId::parse(&f.fulfills)?),
            resource_quantity: opt_measure(&f.resource_quantity)?,
            effort_quantity: opt_measure(&f.effort_quantity)?,
            note: given(&note(&f.note)?),
        })
    }
}

impl TryFrom<FulfillmentUpdateParams> for Update<FulfillmentId, FulfillmentPatch> {
    type Error = DomainError;

    fn try_from(f: FulfillmentUpdateParams) -> Result<Self, DomainError> {
        Ok(Self {
            revision: revision(&f.revision_id, FulfillmentId::parse)?,
            changes: FulfillmentPatch {
                fulfilled_by: id_patch(&f.fulfilled_by, EconomicEventId::parse)?,
                fulfills: id_patch(&f.fulfills, CommitmentId::parse)?,
                resource_quantity: measure_patch(&f.resource_quantity)?,
                effort_quantity: measure_patch(&f.effort_quantity)?,
                note: patch(&f.note).try_map(|n| parse_note("note", &n))?,
            },
        })
    }
}
