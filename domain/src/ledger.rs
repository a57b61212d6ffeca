//! The records of the observation layer as ovn keeps them: economic events, economic
//! resources and processes, with the non-economic details (names, notes, links) that ride
//! along with the economic core of [`crate::observation`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::agent::Uri;
use crate::observation::{NewEvent, ResourceState};
use crate::{
    AgentId, DomainError, EconomicEventId, EconomicResourceId, Measure, ProcessId, ProcessSpecificationId,
    ResourceSpecificationId, UnitId,
};

/// How a resource is held (DESIGN.md section 1).
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

/// The details of an event beyond its economic core.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
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
}

impl EventDetails {
    /// Checks what the economic core does not: the time interval is ordered and the
    /// declared value is not negative.
    pub fn validate(&self) -> Result<(), DomainError> {
        if let (Some(begin), Some(end)) = (self.has_beginning, self.has_end)
            && end < begin
        {
            return Err(DomainError::invalid("hasEnd", "is before hasBeginning"));
        }
        if let Some(value) = self.declared_value {
            value.non_negative("declaredValue")?;
        }
        Ok(())
    }
}

/// A recorded economic event.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    /// a network) and its provider is someone else. `organization_scopes` are the event's
    /// scopes that are organizations. (Affiliation will also be required once relationships
    /// carry it.)
    pub fn is_contribution(&self, organization_scopes: &[AgentId]) -> bool {
        organization_scopes.iter().any(|scope| self.details.in_scope_of.contains(scope) && *scope != self.core.provider)
    }
}

/// The non-economic fields of a resource, set by `newInventoriedResource` and
/// `updateEconomicResource`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
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

/// A recorded economic resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EconomicResource {
    /// Identity.
    pub id: EconomicResourceId,
    /// Revision (changes with `updateEconomicResource`).
    pub revision: i64,
    /// Economic fields, derived from events.
    pub state: ResourceState,
    /// Everything else.
    pub details: ResourceDetails,
    /// The specification it conforms to.
    pub conforms_to: ResourceSpecificationId,
}

/// A process: where inputs become outputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Process {
    /// Identity.
    pub id: ProcessId,
    /// Revision.
    pub revision: i64,
    /// `name`.
    pub name: crate::agent::Name,
    /// `hasBeginning`.
    pub has_beginning: Option<DateTime<Utc>>,
    /// `hasEnd`.
    pub has_end: Option<DateTime<Utc>>,
    /// `finished`.
    pub finished: bool,
    /// `classifiedAs`.
    pub classified_as: Vec<Uri>,
    /// `note`.
    pub note: Option<String>,
    /// `basedOn`.
    pub based_on: Option<ProcessSpecificationId>,
    /// `inScopeOf`.
    pub in_scope_of: Vec<AgentId>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Action;

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
    fn a_contribution_is_in_scope_of_an_organization_and_provided_by_someone_else() {
        let (alice, project) = (AgentId::new(), AgentId::new());
        let mut event = EconomicEvent {
            id: EconomicEventId::new(),
            revision: 1,
            core: NewEvent::new(Action::Work, alice, project),
            details: EventDetails { in_scope_of: vec![project], ..EventDetails::default() },
            created: Utc::now(),
        };
        assert!(event.is_contribution(&[project]));
        assert!(!event.is_contribution(&[]), "a scope that is not an organization does not count");
        event.core.provider = project;
        assert!(!event.is_contribution(&[project]), "a project does not contribute to itself");
    }

    #[test]
    fn an_interval_must_not_end_before_it_begins() {
        let now = Utc::now();
        let details = EventDetails {
            has_beginning: Some(now),
            has_end: Some(now - chrono::Duration::hours(1)),
            ..EventDetails::default()
        };
        assert!(details.validate().is_err());
    }
}
