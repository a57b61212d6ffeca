//! An economic resource: its economic state (everything events change, see
//! [`super::effect`]), how it is held ([`PropertyRegime`]) and its descriptive details.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::text::Uri;
use crate::{
    AgentId, DomainError, EconomicResourceId, Measure, ProcessSpecificationId, ResourceSpecificationId, UnitId,
};

/// The economic fields of an `EconomicResource`: everything events change.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ResourceState {
    /// `accountingQuantity`: what `primaryAccountable` has rights to.
    pub accounting_quantity: Decimal,
    /// `onhandQuantity`: what the custodian physically holds.
    pub onhand_quantity: Decimal,
    /// The unit of both quantities; `None` until the first quantity sets it.
    pub unit: Option<UnitId>,
    /// `primaryAccountable`: the agent with rights and responsibilities.
    pub primary_accountable: Option<AgentId>,
    /// OVN `custodian`: the agent with custody (who holds it now).
    pub custodian: Option<AgentId>,
    /// `currentLocation` (a SpatialThing id or free text, kept as given).
    pub current_location: Option<String>,
    /// `containedIn`: the resource this one is packed in.
    pub contained_in: Option<EconomicResourceId>,
    /// `stage`: the ProcessSpecification of the last process it came out of.
    pub stage: Option<ProcessSpecificationId>,
    /// `state` (e.g. `pass`, `fail`).
    pub state: Option<String>,
}

impl ResourceState {
    /// A resource with nothing in it yet, in `unit`: the state a `newInventoriedResource`
    /// starts from before its creating event is applied.
    pub fn empty(unit: Option<UnitId>) -> Self {
        Self { unit, ..Self::default() }
    }

    /// Whether both balances are zero.
    pub fn is_empty(&self) -> bool {
        self.accounting_quantity.is_zero() && self.onhand_quantity.is_zero()
    }
}

/// How a resource is held: who owns it and who may use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum PropertyRegime {
    /// Owned by its primary accountable agent.
    #[default]
    Private,
    /// Privately owned, shared under the owner's access rules; each use is the owner's
    /// contribution.
    PoolOfShareables,
    /// Held by a custodian for the network, owned by nobody.
    Nondominium,
    /// Immaterial, under an open licence; used by `cite`.
    Commons,
}

impl PropertyRegime {
    /// The stored and wire name (`POOL_OF_SHAREABLES`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Private => "PRIVATE",
            Self::PoolOfShareables => "POOL_OF_SHAREABLES",
            Self::Nondominium => "NONDOMINIUM",
            Self::Commons => "COMMONS",
        }
    }

    /// Parses [`PropertyRegime::as_str`].
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        match text {
            "PRIVATE" => Ok(Self::Private),
            "POOL_OF_SHAREABLES" => Ok(Self::PoolOfShareables),
            "NONDOMINIUM" => Ok(Self::Nondominium),
            "COMMONS" => Ok(Self::Commons),
            other => Err(DomainError::invalid("propertyRegime", format!("unknown property regime `{other}`"))),
        }
    }
}

/// The non-economic fields of a resource, set by `newInventoriedResource` and
/// `updateEconomicResource`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ResourceDetails {
    /// `name`.
    pub name: Option<String>,
    /// `conformsTo`.
    pub conforms_to: Option<ResourceSpecificationId>,
    /// `classifiedAs`.
    pub classified_as: Vec<Uri>,
    /// `trackingIdentifier`.
    pub tracking_identifier: Option<String>,
    /// `image`.
    pub image: Option<Uri>,
    /// `imageList`.
    pub image_list: Vec<Uri>,
    /// `note`.
    pub note: Option<String>,
    /// `unitOfEffort`.
    pub unit_of_effort: Option<UnitId>,
    /// OVN `propertyRegime`.
    pub property_regime: PropertyRegime,
    /// OVN `valuePerUnitOfUse`: what one unit of use is worth (pooled equipment).
    pub value_per_unit_of_use: Option<Measure>,
}

impl ResourceDetails {
    /// Checks the values the details carry: a use is never worth less than nothing.
    pub fn validate(&self) -> Result<(), DomainError> {
        if let Some(value) = self.value_per_unit_of_use {
            value.non_negative("valuePerUnitOfUse")?;
        }
        Ok(())
    }
}

/// A recorded economic resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EconomicResource {
    /// Identity.
    pub id: EconomicResourceId,
    /// Revision (changes with `updateEconomicResource` and with every event that changes it).
    pub revision: i64,
    /// Economic fields, derived from events.
    pub state: ResourceState,
    /// Everything else.
    pub details: ResourceDetails,
    /// The specification it conforms to.
    pub conforms_to: ResourceSpecificationId,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn property_regimes_round_trip() {
        for regime in [
            PropertyRegime::Private,
            PropertyRegime::PoolOfShareables,
            PropertyRegime::Nondominium,
            PropertyRegime::Commons,
        ] {
            assert_eq!(PropertyRegime::parse(regime.as_str()), Ok(regime));
        }
        assert!(PropertyRegime::parse("MINE").is_err());
    }

    #[test]
    fn a_use_is_never_worth_less_than_nothing() {
        let details = |value: i64| ResourceDetails {
            value_per_unit_of_use: Some(Measure::new(Decimal::new(value, 1), None)),
            ..ResourceDetails::default()
        };
        assert_eq!(details(0).validate(), Ok(()));
        assert_eq!(details(25).validate(), Ok(()));
        assert_eq!(details(-1).validate(), Err(DomainError::invalid("valuePerUnitOfUse", "must not be negative")));
    }
}
