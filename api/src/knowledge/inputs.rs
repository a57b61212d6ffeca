//! The knowledge layer's inputs, each converted into the store's command in one `TryFrom`.

use async_graphql::{ID, InputObject, MaybeUndefined};
use ovn_domain::knowledge::ValuePerUnit;
use ovn_domain::revision::Patch;
use ovn_domain::text::{Name, parse_note};
use ovn_domain::{DomainError, Measure, ProcessSpecificationId, ResourceSpecificationId, UnitId};
use ovn_persistence::knowledge::{NewUnit, ProcessSpecificationPatch, ResourceSpecificationPatch, UnitPatch};

use super::objects::TimeUnit;
use crate::convert::{Update, given, name, note, patch, revision, uri};
use crate::scalars::{Decimal, Uri};

/// Mutation input structure for defining measurements.
#[derive(InputObject, Debug, Clone)]
#[graphql(name = "IMeasure")]
pub struct IMeasure {
    /// A number representing the quantity, will be paired with a unit.
    pub has_numerical_value: Decimal,
    /// (`Unit`) A unit of measure.
    pub has_unit: Option<ID>,
}

impl TryFrom<&IMeasure> for Measure {
    type Error = DomainError;

    fn try_from(measure: &IMeasure) -> Result<Self, DomainError> {
        let unit = measure.has_unit.as_ref().map(|u| UnitId::parse(u)).transpose()?;
        Ok(Self::new(measure.has_numerical_value.0, unit))
    }
}

/// An optional measure.
pub fn measure(m: &Option<IMeasure>) -> Result<Option<Measure>, DomainError> {
    m.as_ref().map(Measure::try_from).transpose()
}

/// `defaultValuePerUnit`, as the domain checks it.
fn value_per_unit(measure: &IMeasure) -> Result<ValuePerUnit, DomainError> {
    let m = Measure::try_from(measure)?;
    Ok(ValuePerUnit { value: m.has_numerical_value, unit: m.has_unit })
}

/// Mutation input structure for defining time durations.
#[derive(InputObject, Debug, Clone)]
#[graphql(name = "IDuration")]
pub struct IDuration {
    /// A number representing the duration, will be paired with a unit.
    pub numeric_duration: Decimal,
    /// A unit of measure.
    pub unit_type: TimeUnit,
}

/// A new unit.
#[derive(InputObject)]
pub struct UnitCreateParams {
    /// A human readable label for the unit, can be language specific.
    pub label: String,
    /// A standard display symbol for a unit of measure.
    pub symbol: String,
    /// The OM2 identifier (`hour`, `kilogram`, `one`).
    pub om_unit_identifier: Option<String>,
}

/// Changes to a unit.
#[derive(InputObject)]
pub struct UnitUpdateParams {
    /// The revision the change is made against.
    pub revision_id: ID,
    /// New label.
    pub label: MaybeUndefined<String>,
    /// New symbol.
    pub symbol: MaybeUndefined<String>,
    /// New OM2 identifier.
    pub om_unit_identifier: MaybeUndefined<String>,
}

/// A new process specification.
#[derive(InputObject)]
pub struct ProcessSpecificationCreateParams {
    /// An informal or formal textual identifier for the process.
    pub name: String,
    /// A textual description or comment.
    pub note: Option<String>,
}

/// Changes to a process specification.
#[derive(InputObject)]
pub struct ProcessSpecificationUpdateParams {
    /// The revision the change is made against.
    pub revision_id: ID,
    /// New name.
    pub name: MaybeUndefined<String>,
    /// New note.
    pub note: MaybeUndefined<String>,
}

/// A new resource specification.
#[derive(InputObject)]
pub struct ResourceSpecificationCreateParams {
    /// An informal or formal textual identifier for a type of resource.
    pub name: String,
    /// The uri to an image relevant to the entity.
    pub image: Option<Uri>,
    /// URI addresses to images relevant to the type of resource.
    pub image_list: Option<Vec<Uri>>,
    /// Classifications.
    pub resource_classified_as: Option<Vec<Uri>>,
    /// A textual description or comment.
    pub note: Option<String>,
    /// (`Unit`) The default unit used for the resource itself.
    pub default_unit_of_resource: Option<ID>,
    /// (`Unit`) The default unit used for use or work.
    pub default_unit_of_effort: Option<ID>,
    /// Whether any resource of that type can be substituted for any other.
    pub substitutable: Option<bool>,
    /// OVN: the value of one unit of this kind of resource.
    pub default_value_per_unit: Option<IMeasure>,
    /// VF 1.0: resources of this kind are a medium of exchange (money, credits).
    pub medium_of_exchange: Option<bool>,
}

/// Changes to a resource specification.
#[derive(InputObject)]
pub struct ResourceSpecificationUpdateParams {
    /// The revision the change is made against.
    pub revision_id: ID,
    /// New name.
    pub name: MaybeUndefined<String>,
    /// New image.
    pub image: MaybeUndefined<Uri>,
    /// New image list.
    pub image_list: MaybeUndefined<Vec<Uri>>,
    /// New classifications.
    pub resource_classified_as: MaybeUndefined<Vec<Uri>>,
    /// New note.
    pub note: MaybeUndefined<String>,
    /// (`Unit`) New default unit of the resource.
    pub default_unit_of_resource: MaybeUndefined<ID>,
    /// (`Unit`) New default unit of effort.
    pub default_unit_of_effort: MaybeUndefined<ID>,
    /// New substitutability.
    pub substitutable: MaybeUndefined<bool>,
    /// OVN: new default value per unit.
    pub default_value_per_unit: MaybeUndefined<IMeasure>,
    /// VF 1.0: resources of this kind are a medium of exchange (money, credits).
    pub medium_of_exchange: MaybeUndefined<bool>,
}

impl TryFrom<UnitCreateParams> for NewUnit {
    type Error = DomainError;

    fn try_from(unit: UnitCreateParams) -> Result<Self, DomainError> {
        Ok(Self {
            label: name("label", &unit.label)?,
            symbol: name("symbol", &unit.symbol)?,
            om_unit_identifier: unit.om_unit_identifier,
        })
    }
}

impl TryFrom<UnitUpdateParams> for Update<UnitId, UnitPatch> {
    type Error = DomainError;

    fn try_from(unit: UnitUpdateParams) -> Result<Self, DomainError> {
        Ok(Self {
            revision: revision(&unit.revision_id, UnitId::parse)?,
            changes: UnitPatch {
                label: patch(&unit.label).try_map(|l| Name::parse("label", &l))?,
                symbol: patch(&unit.symbol).try_map(|s| Name::parse("symbol", &s))?,
                om_unit_identifier: patch(&unit.om_unit_identifier),
            },
        })
    }
}

impl TryFrom<ProcessSpecificationCreateParams> for ProcessSpecificationPatch {
    type Error = DomainError;

    fn try_from(spec: ProcessSpecificationCreateParams) -> Result<Self, DomainError> {
        Ok(Self { name: Patch::Set(name("name", &spec.name)?), note: given(&note(&spec.note)?) })
    }
}

impl TryFrom<ProcessSpecificationUpdateParams> for Update<ProcessSpecificationId, ProcessSpecificationPatch> {
    type Error = DomainError;

    fn try_from(spec: ProcessSpecificationUpdateParams) -> Result<Self, DomainError> {
        Ok(Self {
            revision: revision(&spec.revision_id, ProcessSpecificationId::parse)?,
            changes: ProcessSpecificationPatch {
                name: patch(&spec.name).try_map(|n| Name::parse("name", &n))?,
                note: patch(&spec.note).try_map(|n| parse_note("note", &n))?,
            },
        })
    }
}

impl TryFrom<ResourceSpecificationCreateParams> for ResourceSpecificationPatch {
    type Error = DomainError;

    fn try_from(spec: ResourceSpecificationCreateParams) -> Result<Self, DomainError> {
        Ok(Self {
            name: Patch::Set(name("name", &spec.name)?),
            image: given(&uri("image", &spec.image)?),
            image_list: given(&spec.image_list).try_map(|l| Uri::list("imageList", &l))?,
            resource_classified_as: given(&spec.resource_classified_as)
                .try_map(|l| Uri::list("resourceClassifiedAs", &l))?,
            note: given(&note(&spec.note)?),
            default_unit_of_resource: given(&spec.default_unit_of_resource).try_map(|id| UnitId::parse(&id))?,
            default_unit_of_effort: given(&spec.default_unit_of_effort).try_map(|id| UnitId::parse(&id))?,
            substitutable: given(&spec.substitutable),
            default_value_per_unit: match &spec.default_value_per_unit {
                Some(m) => Patch::Set(value_per_unit(m)?),
                None => Patch::Keep,
            },
            medium_of_exchange: given(&spec.medium_of_exchange),
        })
    }
}

impl TryFrom<ResourceSpecificationUpdateParams> for Update<ResourceSpecificationId, ResourceSpecificationPatch> {
    type Error = DomainError;

    fn try_from(spec: ResourceSpecificationUpdateParams) -> Result<Self, DomainError> {
        Ok(Self {
            revision: revision(&spec.revision_id, ResourceSpecificationId::parse)?,
            changes: ResourceSpecificationPatch {
                name: patch(&spec.name).try_map(|n| Name::parse("name", &n))?,
                image: patch(&spec.image).try_map(|u| u.to_domain("image"))?,
                image_list: patch(&spec.image_list).try_map(|l| Uri::list("imageList", &l))?,
                resource_classified_as: patch(&spec.resource_classified_as)
                    .try_map(|l| Uri::list("resourceClassifiedAs", &l))?,
                note: patch(&spec.note).try_map(|n| parse_note("note", &n))?,
                default_unit_of_resource: patch(&spec.default_unit_of_resource).try_map(|id| UnitId::parse(&id))?,
                default_unit_of_effort: patch(&spec.default_unit_of_effort).try_map(|id| UnitId::parse(&id))?,
                substitutable: patch(&spec.substitutable),
                default_value_per_unit: match &spec.default_value_per_unit {
                    MaybeUndefined::Undefined => Patch::Keep,
                    MaybeUndefined::Null => Patch::Clear,
                    MaybeUndefined::Value(m) => Patch::Set(value_per_unit(m)?),
                },
                medium_of_exchange: patch(&spec.medium_of_exchange),
            },
        })
    }
}
