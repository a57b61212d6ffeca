//! The intent module's inputs, each converted into the store's command in one `TryFrom`.

use async_graphql::{ID, InputObject, MaybeUndefined};
use ovn_domain::text::{Name, parse_note};
use ovn_domain::{
    Action, AgentId, DomainError, EconomicResourceId, IntentId, Measure, Patch, ProcessId, ResourceSpecificationId,
    SatisfactionId,
};
use ovn_persistence::intent::{IntentPatch, SatisfactionPatch};
use uuid::Uuid;

use crate::convert::{Update, given, id_list, note, patch, revision, uri};
use crate::knowledge::inputs::{IMeasure, measure};
use crate::scalars::{DateTime, Uri};

/// A new intent.
#[derive(InputObject)]
pub struct IntentCreateParams {
    /// (`Action`) Relates an intent to a verb, such as consume, produce, work, improve, etc.
    pub action: ID,
    /// An informal or formal textual identifier for an intent. Does not imply uniqueness.
    pub name: Option<String>,
    /// (`Agent`) The economic agent from whom the intent is initiated. This implies that the
    /// intent is an offer.
    pub provider: Option<ID>,
    /// (`Agent`) The economic agent whom the intent is for. This implies that the intent is a
    /// request.
    pub receiver: Option<ID>,
    /// (`AccountingScope`) Grouping around something to create a boundary or context.
    pub in_scope_of: Option<Vec<ID>>,
    /// (`Process`) Defines the process to which this intent is an input.
    pub input_of: Option<ID>,
    /// (`Process`) Defines the process to which this intent is an output.
    pub output_of: Option<ID>,
    /// (`EconomicResource`) When a specific `EconomicResource` is known which can service the
    /// `Intent`, this defines that resource.
    pub resource_inventoried_as: Option<ID>,
    /// (`ResourceSpecification`) The primary resource specification of the resource.
    pub resource_conforms_to: Option<ID>,
    /// References a concept in a common taxonomy or other classification scheme.
    pub resource_classified_as: Option<Vec<Uri>>,
    /// The amount and unit of the economic resource counted or inventoried.
    pub resource_quantity: Option<IMeasure>,
    /// The amount and unit of the work or use or citation effort-based action.
    pub effort_quantity: Option<IMeasure>,
    /// The total quantity of the offered resource available.
    pub available_quantity: Option<IMeasure>,
    /// The planned beginning of the intent.
    pub has_beginning: Option<DateTime>,
    /// The planned end of the intent.
    pub has_end: Option<DateTime>,
    /// The planned date/time for the intent. Can be used instead of beginning and end.
    pub has_point_in_time: Option<DateTime>,
    /// The time something is expected to be complete.
    pub due: Option<DateTime>,
    /// The uri to an image relevant to the intent, such as a photo.
    pub image: Option<Uri>,
    /// URI addresses to images relevant to the intent.
    pub image_list: Option<Vec<Uri>>,
    /// A textual description or comment.
    pub note: Option<String>,
    /// Reference to an agreement between agents which specifies the rules or policies or
    /// calculations which govern this intent.
    pub agreed_in: Option<Uri>,
    /// The intent is complete or not.
    pub finished: Option<bool>,
}

/// Changes to an intent.
#[derive(InputObject)]
pub struct IntentUpdateParams {
    /// The revision the change is made against.
    pub revision_id: ID,
    /// An informal or formal textual identifier for an intent.
    pub name: MaybeUndefined<String>,
    /// (`Action`) Relates an intent to a verb.
    pub action: MaybeUndefined<ID>,
    /// (`Agent`) The economic agent from whom the intent is initiated.
    pub provider: MaybeUndefined<ID>,
    /// (`Agent`) The economic agent whom the intent is for.
    pub receiver: MaybeUndefined<ID>,
    /// (`AccountingScope`) Grouping around something to create a boundary or context.
    pub in_scope_of: MaybeUndefined<Vec<ID>>,
    /// (`Process`) Defines the process to which this intent is an input.
    pub input_of: MaybeUndefined<ID>,
    /// (`Process`) Defines the process to which this intent is an output.
    pub output_of: MaybeUndefined<ID>,
    /// (`EconomicResource`) The resource that can service the intent.
    pub resource_inventoried_as: MaybeUndefined<ID>,
    /// (`ResourceSpecification`) The primary resource specification of the resource.
    pub resource_conforms_to: MaybeUndefined<ID>,
    /// References a concept in a common taxonomy or other classification scheme.
    pub resource_classified_as: MaybeUndefined<Vec<Uri>>,
    /// The amount and unit of the economic resource counted or inventoried.
    pub resource_quantity: MaybeUndefined<IMeasure>,
    /// The amount and unit of the work or use or citation effort-based action.
    pub effort_quantity: MaybeUndefined<IMeasure>,
    /// The total quantity of the offered resource available.
    pub available_quantity: MaybeUndefined<IMeasure>,
    /// The planned beginning of the intent.
    pub has_beginning: MaybeUndefined<DateTime>,
    /// The planned end of the intent.
    pub has_end: MaybeUndefined<DateTime>,
    /// The planned date/time for the intent.
    pub has_point_in_time: MaybeUndefined<DateTime>,
    /// The time something is expected to be complete.
    pub due: MaybeUndefined<DateTime>,
    /// The uri to an image relevant to the intent.
    pub image: MaybeUndefined<Uri>,
    /// URI addresses to images relevant to the intent.
    pub image_list: MaybeUndefined<Vec<Uri>>,
    /// The intent is complete or not.
    pub finished: MaybeUndefined<bool>,
    /// A textual description or comment.
    pub note: MaybeUndefined<String>,
    /// Reference to an agreement between agents.
    pub agreed_in: MaybeUndefined<Uri>,
}

/// A new satisfaction.
#[derive(InputObject)]
pub struct SatisfactionCreateParams {
    /// (`Intent`) An intent satisfied fully or partially by an economic event or commitment.
    pub satisfies: ID,
    /// (`Commitment`|`EconomicEvent`) A commitment or economic event fully or partially
    /// satisfying an intent.
    pub satisfied_by: ID,
    /// The amount and unit of the economic resource counted or inventoried (the satisfying
    /// event's when omitted).
    pub resource_quantity: Option<IMeasure>,
    /// The amount and unit of the work or use or citation effort-based action (the satisfying
    /// event's when omitted).
    pub effort_quantity: Option<IMeasure>,
    /// A textual description or comment.
    pub note: Option<String>,
}

/// Changes to a satisfaction.
#[derive(InputObject)]
pub struct SatisfactionUpdateParams {
    /// The revision the change is made against.
    pub revision_id: ID,
    /// (`Intent`) An intent satisfied fully or partially by an economic event or commitment.
    pub satisfies: MaybeUndefined<ID>,
    /// (`Commitment`|`EconomicEvent`) A commitment or economic event fully or partially
    /// satisfying an intent.
    pub satisfied_by: MaybeUndefined<ID>,
    /// The amount and unit of the economic resource counted or inventoried.
    pub resource_quantity: MaybeUndefined<IMeasure>,
    /// The amount and unit of the work or use or citation effort-based action.
    pub effort_quantity: MaybeUndefined<IMeasure>,
    /// A textual description or comment.
    pub note: MaybeUndefined<String>,
}

/// A tri-state id.
fn id_patch<T>(
    value: &MaybeUndefined<ID>,
    parse: impl Fn(&str) -> Result<T, DomainError>,
) -> Result<Patch<T>, DomainError> {
    patch(value).try_map(|id| parse(id.as_str()))
}

/// A tri-state measure.
pub(crate) fn measure_patch(value: &MaybeUndefined<IMeasure>) -> Result<Patch<Measure>, DomainError> {
    patch(value).try_map(|m| Measure::try_from(&m))
}

/// An optional id given on a create.
fn given_id<T>(value: &Option<ID>, parse: impl Fn(&str) -> Result<T, DomainError>) -> Result<Patch<T>, DomainError> {
    given(value).try_map(|id| parse(id.as_str()))
}

/// The id of what satisfies an intent: an event's or a commitment's, both UUIDs.
fn satisfier(id: &str) -> Result<Uuid, DomainError> {
    Uuid::parse_str(id.trim()).map_err(|_| DomainError::InvalidId {
        kind: "economic event or commitment",
        value: id.chars().take(80).collect(),
    })
}

impl TryFrom<IntentCreateParams> for IntentPatch {
    type Error = DomainError;

    fn try_from(i: IntentCreateParams) -> Result<Self, DomainError> {
        Ok(Self {
            action: Patch::Set(Action::parse(i.action.as_str())?),
            name: given(&i.name).try_map(|n| Name::parse("name", &n))?,
            provider: given_id(&i.provider, AgentId::parse)?,
            receiver: given_id(&i.receiver, AgentId::parse)?,
            input_of: given_id(&i.input_of, ProcessId::parse)?,
            output_of: given_id(&i.output_of, ProcessId::parse)?,
            resource_inventoried_as: given_id(&i.resource_inventoried_as, EconomicResourceId::parse)?,
            resource_conforms_to: given_id(&i.resource_conforms_to, ResourceSpecificationId::parse)?,
            resource_classified_as: given(&i.resource_classified_as)
                .try_map(|l| Uri::list("resourceClassifiedAs", &l))?,
            resource_quantity: given(&measure(&i.resource_quantity)?),
            effort_quantity: given(&measure(&i.effort_quantity)?),
            available_quantity: given(&measure(&i.available_quantity)?),
            has_beginning: given(&i.has_beginning),
            has_end: given(&i.has_end),
            has_point_in_time: given(&i.has_point_in_time),
            due: given(&i.due),
            finished: given(&i.finished),
            image: given(&uri("image", &i.image)?),
            image_list: given(&i.image_list).try_map(|l| Uri::list("imageList", &l))?,
            note: given(&note(&i.note)?),
            agreed_in: given(&uri("agreedIn", &i.agreed_in)?),
            in_scope_of: Patch::Set(id_list(&i.in_scope_of, AgentId::parse)?),
        })
    }
}

impl TryFrom<IntentUpdateParams> for Update<IntentId, IntentPatch> {
    type Error = DomainError;

    fn try_from(i: IntentUpdateParams) -> Result<Self, DomainError> {
        Ok(Self {
            revision: revision(&i.revision_id, IntentId::parse)?,
            changes: IntentPatch {
                action: id_patch(&i.action, Action::parse)?,
                name: patch(&i.name).try_map(|n| Name::parse("name", &n))?,
                provider: id_patch(&i.provider, AgentId::parse)?,
                receiver: id_patch(&i.receiver, AgentId::parse)?,
                input_of: id_patch(&i.input_of, ProcessId::parse)?,
                output_of: id_patch(&i.output_of, ProcessId::parse)?,
                resource_inventoried_as: id_patch(&i.resource_inventoried_as, EconomicResourceId::parse)?,
                resource_conforms_to: id_patch(&i.resource_conforms_to, ResourceSpecificationId::parse)?,
                resource_classified_as: patch(&i.resource_classified_as)
                    .try_map(|l| Uri::list("resourceClassifiedAs", &l))?,
                resource_quantity: measure_patch(&i.resource_quantity)?,
                effort_quantity: measure_patch(&i.effort_quantity)?,
                available_quantity: measure_patch(&i.available_quantity)?,
                has_beginning: patch(&i.has_beginning),
                has_end: patch(&i.has_end),
                has_point_in_time: patch(&i.has_point_in_time),
                due: patch(&i.due),
                finished: patch(&i.finished),
                image: patch(&i.image).try_map(|u| u.to_domain("image"))?,
                image_list: patch(&i.image_list).try_map(|l| Uri::list("imageList", &l))?,
                note: patch(&i.note).try_map(|n| parse_note("note", &n))?,
                agreed_in: patch(&i.agreed_in).try_map(|u| u.to_domain("agreedIn"))?,
                in_scope_of: patch(&i.in_scope_of).try_map(|l| id_list(&Some(l), AgentId::parse))?,
            },
        })
    }
}

impl TryFrom<SatisfactionCreateParams> for SatisfactionPatch {
    type Error = DomainError;

    fn try_from(s: SatisfactionCreateParams) -> Result<Self, DomainError> {
        Ok(Self {
            satisfies: Patch::Set(IntentId::parse(s.satisfies.as_str())?),
            satisfied_by: Patch::Set(satisfier(s.satisfied_by.as_str())?),
            resource_quantity: given(&measure(&s.resource_quantity)?),
            effort_quantity: given(&measure(&s.effort_quantity)?),
            note: given(&note(&s.note)?),
        })
    }
}

impl TryFrom<SatisfactionUpdateParams> for Update<SatisfactionId, SatisfactionPatch> {
    type Error = DomainError;

    fn try_from(s: SatisfactionUpdateParams) -> Result<Self, DomainError> {
        Ok(Self {
            revision: revision(&s.revision_id, SatisfactionId::parse)?,
            changes: SatisfactionPatch {
                satisfies: id_patch(&s.satisfies, IntentId::parse)?,
                satisfied_by: id_patch(&s.satisfied_by, satisfier)?,
                resource_quantity: measure_patch(&s.resource_quantity)?,
                effort_quantity: measure_patch(&s.effort_quantity)?,
                note: patch(&s.note).try_map(|n| parse_note("note", &n))?,
            },
        })
    }
}
