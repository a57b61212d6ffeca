//! The knowledge layer (vf-graphql modules `measurement`, `resource_specification`,
//! `process_specification`): units, kinds of resource and kinds of process, and the checks on
//! the values they carry.

use rust_decimal::Decimal;

use crate::text::{Name, Uri};
use crate::{ProcessSpecificationId, ResourceSpecificationId, UnitId};

/// A unit of measure (OM2), with its optional OM2 identifier (`hour`, `kilogram`, `one`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// Identity.
    pub id: UnitId,
    /// Current revision number.
    pub revision: i64,
    /// Human label ("hour").
    pub label: Name,
    /// Display symbol ("h").
    pub symbol: Name,
    /// OM2 identifier, when the unit maps onto one.
    pub om_unit_identifier: Option<String>,
}

/// A price or value per unit, as the OVN extension `defaultValuePerUnit` carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValuePerUnit {
    /// The amount, exact.
    pub value: Decimal,
    /// The unit of the amount (a currency unit).
    pub unit: Option<UnitId>,
}

/// A kind of resource (vf-graphql `ResourceSpecification`), with the OVN extension
/// `defaultValuePerUnit`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceSpecification {
    /// Identity.
    pub id: ResourceSpecificationId,
    /// Current revision number.
    pub revision: i64,
    /// Name.
    pub name: Name,
    /// Picture.
    pub image: Option<Uri>,
    /// More pictures.
    pub image_list: Vec<Uri>,
    /// Classifications (taxonomy URIs).
    pub resource_classified_as: Vec<Uri>,
    /// Free text.
    pub note: Option<String>,
    /// Unit of the resource itself.
    pub default_unit_of_resource: Option<UnitId>,
    /// Unit of use or work.
    pub default_unit_of_effort: Option<UnitId>,
    /// Whether any resource of the kind can stand for any other.
    pub substitutable: Option<bool>,
    /// OVN: the value of one unit, used by value equations when a contribution declares none.
    pub default_value_per_unit: Option<ValuePerUnit>,
    /// VF 1.0 `mediumOfExchange`: resources of this kind are a medium of exchange (money,
    /// credits).
    pub medium_of_exchange: Option<bool>,
}

/// A kind of process (vf-graphql `ProcessSpecification`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessSpecification {
    /// Identity.
    pub id: ProcessSpecificationId,
    /// Current revision number.
    pub revision: i64,
    /// Name.
    pub name: Name,
    /// Free text.
    pub note: Option<String>,
}
