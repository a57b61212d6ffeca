//! Fields of a node: references resolved against the document's `@id`s, and values parsed by
//! the domain's own constructors.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use chrono::{DateTime, Utc};
use ovn_domain::agent::AgentKind;
use ovn_domain::agent::network::OvnRole;
use ovn_domain::text::{Name, Uri, parse_note};
use ovn_domain::{
    Action, AgentId, AgentRelationshipRoleId, EconomicEventId, EconomicResourceId, Measure, ProcessId,
    ProcessSpecificationId, ResourceSpecificationId, UnitId, parse_decimal,
};
use uuid::Uuid;

use super::{FieldResult, Kind, domain, uuid_of};
use crate::node::JsonMeasure;
use crate::vocabulary::VF_NAMESPACE;

/// Resolves references against the `@id`s of the document: every record but the events by
/// IRI, and the events read so far by UUID with a hash of their IRI (a few dozen bytes each,
/// so that a streamed ledger of millions of events does not keep their IRIs).
#[derive(Default)]
pub(super) struct Index {
    pub(super) by_iri: HashMap<String, (Kind, Uuid)>,
    pub(super) events: HashMap<Uuid, u64>,
}

/// A hash of an event's IRI: it tells two IRIs ending in the same UUID apart.
pub(super) fn iri_hash(iri: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    iri.hash(&mut hasher);
    hasher.finish()
}

impl Index {
    /// The event an IRI names, if it was read already.
    pub(super) fn known_event(&self, iri: &str) -> Option<Uuid> {
        let uuid = uuid_of(iri)?;
        (self.events.get(&uuid) == Some(&iri_hash(iri))).then_some(uuid)
    }

    pub(super) fn resolve(&self, field: &str, iri: &str, want: Kind) -> FieldResult<Uuid> {
        // The OVN roles are in every database, so documents leave them out (D54).
        if want == Kind::Role
            && !self.by_iri.contains_key(iri)
            && let Some(uuid) = uuid_of(iri)
            && OvnRole::of(AgentRelationshipRoleId::from_uuid(uuid)).is_some()
        {
            return Ok(uuid);
        }
        match self.by_iri.get(iri) {
            Some((kind, uuid)) if kind.same_class(want) => Ok(*uuid),
            Some((kind, _)) => Err(format!("{field}: <{iri}> is a {}, not a {}", kind.name(), want.name())),
            None => match self.known_event(iri) {
                Some(uuid) if want == Kind::Event => Ok(uuid),
                Some(_) => Err(format!("{field}: <{iri}> is a {}, not a {}", Kind::Event.name(), want.name())),
                None if want == Kind::Event => Err(format!(
                    "{field}: unknown {} <{iri}> (not earlier in this file: an event names only events before \
                     it, but for vf:triggeredBy)",
                    want.name()
                )),
                None => Err(format!("{field}: unknown {} <{iri}> (not in this file)", want.name())),
            },
        }
    }

    /// `vf:triggeredBy`, which may name a later event (it can be set after recording): the
    /// event, and whether it was read already. A later one is checked at the end.
    pub(super) fn trigger(&self, iri: Option<&String>) -> FieldResult<Option<(EconomicEventId, bool)>> {
        let Some(iri) = iri else { return Ok(None) };
        match self.resolve("vf:triggeredBy", iri, Kind::Event) {
            Ok(uuid) => Ok(Some((EconomicEventId::from_uuid(uuid), true))),
            Err(message) => match uuid_of(iri) {
                Some(uuid) if !self.by_iri.contains_key(iri.as_str()) && !self.events.contains_key(&uuid) => {
                    Ok(Some((EconomicEventId::from_uuid(uuid), false)))
                }
                _ => Err(message),
            },
        }
    }

    pub(super) fn opt(&self, field: &str, iri: Option<&String>, want: Kind) -> FieldResult<Option<Uuid>> {
        iri.map(|iri| self.resolve(field, iri, want)).transpose()
    }

    pub(super) fn agent(&self, field: &str, iri: Option<&String>) -> FieldResult<AgentId> {
        let iri = iri.ok_or_else(|| format!("{field} is required"))?;
        self.resolve(field, iri, Kind::Agent(AgentKind::Person)).map(AgentId::from_uuid)
    }

    pub(super) fn opt_agent(&self, field: &str, iri: Option<&String>) -> FieldResult<Option<AgentId>> {
        Ok(self.opt(field, iri, Kind::Agent(AgentKind::Person))?.map(AgentId::from_uuid))
    }

    pub(super) fn agents(&self, field: &str, iris: &[String]) -> FieldResult<Vec<AgentId>> {
        iris.iter()
            .map(|iri| self.resolve(field, iri, Kind::Agent(AgentKind::Person)).map(AgentId::from_uuid))
            .collect()
    }

    pub(super) fn unit(&self, field: &str, iri: Option<&String>) -> FieldResult<Option<UnitId>> {
        Ok(self.opt(field, iri, Kind::Unit)?.map(UnitId::from_uuid))
    }

    pub(super) fn measure(&self, field: &str, m: Option<&JsonMeasure>) -> FieldResult<Option<Measure>> {
        let Some(m) = m else { return Ok(None) };
        let value = parse_decimal(&m.value).map_err(|e| format!("{field}: {}", domain(e)))?;
        Ok(Some(Measure::new(value, self.unit(field, m.unit.as_ref())?)))
    }

    pub(super) fn resource(&self, field: &str, iri: Option<&String>) -> FieldResult<Option<EconomicResourceId>> {
        Ok(self.opt(field, iri, Kind::Resource)?.map(EconomicResourceId::from_uuid))
    }

    pub(super) fn process(&self, field: &str, iri: Option<&String>) -> FieldResult<Option<ProcessId>> {
        Ok(self.opt(field, iri, Kind::Process)?.map(ProcessId::from_uuid))
    }

    pub(super) fn resource_specification(
        &self,
        field: &str,
        iri: Option<&String>,
    ) -> FieldResult<Option<ResourceSpecificationId>> {
        Ok(self.opt(field, iri, Kind::ResourceSpecification)?.map(ResourceSpecificationId::from_uuid))
    }

    pub(super) fn process_specification(
        &self,
        field: &str,
        iri: Option<&String>,
    ) -> FieldResult<Option<ProcessSpecificationId>> {
        Ok(self.opt(field, iri, Kind::ProcessSpecification)?.map(ProcessSpecificationId::from_uuid))
    }

    pub(super) fn event(&self, field: &str, iri: Option<&String>) -> FieldResult<Option<EconomicEventId>> {
        Ok(self.opt(field, iri, Kind::Event)?.map(EconomicEventId::from_uuid))
    }
}

pub(super) fn required<'n>(field: &str, value: Option<&'n String>) -> FieldResult<&'n str> {
    value.map(String::as_str).ok_or_else(|| format!("{field} is required"))
}

pub(super) fn name(field: &str, value: Option<&String>) -> FieldResult<Name> {
    Name::parse(field, required(field, value)?).map_err(domain)
}

pub(super) fn note(value: Option<&String>) -> FieldResult<Option<String>> {
    value.map(|n| parse_note("vf:note", n)).transpose().map_err(domain)
}

pub(super) fn uri(field: &str, value: Option<&String>) -> FieldResult<Option<Uri>> {
    value.map(|u| Uri::parse(field, u)).transpose().map_err(domain)
}

pub(super) fn uri_list(field: &str, values: &[String]) -> FieldResult<Vec<Uri>> {
    Uri::parse_list(field, values).map_err(domain)
}

pub(super) fn time(field: &str, value: Option<&String>) -> FieldResult<Option<DateTime<Utc>>> {
    value
        .map(|t| {
            DateTime::parse_from_rfc3339(t)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|e| format!("{field}: `{t}` is not an RFC 3339 date-time ({e})"))
        })
        .transpose()
}

/// The action of `vf:action`: `vf:produce`, the full VF IRI, or a bare id in either spelling.
pub(super) fn action(value: Option<&String>) -> FieldResult<Action> {
    let text = required("vf:action", value)?;
    let id = text.strip_prefix(VF_NAMESPACE).or_else(|| text.strip_prefix("vf:")).unwrap_or(text);
    Action::parse(id).map_err(|e| format!("vf:action: {}", domain(e)))
}
