//! The vocabulary of a document: namespaces, the `@context`, the `@type` and IRI path segment
//! of each kind of record, and how ids and times are spelled.

use chrono::{DateTime, SecondsFormat, Utc};
use uuid::Uuid;

/// The ValueFlows vocabulary.
pub const VF_NAMESPACE: &str = "https://w3id.org/valueflows/ont/vf#";
/// The Ontology of units of Measure, version 2.
pub const OM2_NAMESPACE: &str = "http://www.ontology-of-units-of-measure.org/resource/om-2/";
/// The OVN namespace: terms ovn adds to ValueFlows (see the crate documentation). It is an
/// identifier, not a document to fetch.
pub const OVN_NAMESPACE: &str = "https://w3id.org/ovn/ns#";

/// The `@context` of every export: the prefixes, and the terms whose values are IRIs,
/// date-times or exact decimals.
pub const CONTEXT: &str = r#"{"vf":"https://w3id.org/valueflows/ont/vf#","om2":"http://www.ontology-of-units-of-measure.org/resource/om-2/","ovn":"https://w3id.org/ovn/ns#","rdfs":"http://www.w3.org/2000/01/rdf-schema#","xsd":"http://www.w3.org/2001/XMLSchema#","vf:action":{"@type":"@id"},"vf:provider":{"@type":"@id"},"vf:receiver":{"@type":"@id"},"vf:resourceInventoriedAs":{"@type":"@id"},"vf:toResourceInventoriedAs":{"@type":"@id"},"ovn:newInventoriedResource":{"@type":"@id"},"vf:resourceConformsTo":{"@type":"@id"},"vf:resourceClassifiedAs":{"@type":"@id"},"vf:inputOf":{"@type":"@id"},"vf:outputOf":{"@type":"@id"},"vf:corrects":{"@type":"@id"},"vf:triggeredBy":{"@type":"@id"},"vf:agreedIn":{"@type":"@id"},"vf:conformsTo":{"@type":"@id"},"vf:primaryAccountable":{"@type":"@id"},"ovn:custodian":{"@type":"@id"},"vf:containedIn":{"@type":"@id"},"vf:stage":{"@type":"@id"},"vf:unitOfEffort":{"@type":"@id"},"vf:basedOn":{"@type":"@id"},"vf:defaultUnitOfResource":{"@type":"@id"},"vf:defaultUnitOfEffort":{"@type":"@id"},"vf:classifiedAs":{"@type":"@id"},"vf:image":{"@type":"@id"},"vf:imageList":{"@type":"@id"},"vf:inScopeOf":{"@type":"@id"},"vf:subject":{"@type":"@id"},"vf:object":{"@type":"@id"},"vf:relationship":{"@type":"@id"},"om2:hasUnit":{"@type":"@id"},"om2:hasNumericalValue":{"@type":"xsd:decimal"},"vf:hasBeginning":{"@type":"xsd:dateTime"},"vf:hasEnd":{"@type":"xsd:dateTime"},"vf:hasPointInTime":{"@type":"xsd:dateTime"},"ovn:created":{"@type":"xsd:dateTime"}}"#;

/// The path segment of each kind of record in its IRI.
pub mod segment {
    /// `Unit`.
    pub const UNIT: &str = "unit";
    /// `Person` and `Organization` (one segment: an agent's IRI does not change with its kind).
    pub const AGENT: &str = "agent";
    /// `AgentRelationshipRole`.
    pub const ROLE: &str = "agent-relationship-role";
    /// `AgentRelationship`.
    pub const RELATIONSHIP: &str = "agent-relationship";
    /// `ResourceSpecification`.
    pub const RESOURCE_SPECIFICATION: &str = "resource-specification";
    /// `ProcessSpecification`.
    pub const PROCESS_SPECIFICATION: &str = "process-specification";
    /// `Process`.
    pub const PROCESS: &str = "process";
    /// `EconomicResource`.
    pub const RESOURCE: &str = "economic-resource";
    /// `EconomicEvent`.
    pub const EVENT: &str = "economic-event";
}

/// The `@type` of each kind of record.
pub mod node_type {
    /// A unit of measure.
    pub const UNIT: &str = "om2:Unit";
    /// A person.
    pub const PERSON: &str = "vf:Person";
    /// An organization.
    pub const ORGANIZATION: &str = "vf:Organization";
    /// A kind of relationship.
    pub const ROLE: &str = "vf:AgentRelationshipRole";
    /// A relationship.
    pub const RELATIONSHIP: &str = "vf:AgentRelationship";
    /// A kind of resource.
    pub const RESOURCE_SPECIFICATION: &str = "vf:ResourceSpecification";
    /// A kind of process.
    pub const PROCESS_SPECIFICATION: &str = "vf:ProcessSpecification";
    /// A process.
    pub const PROCESS: &str = "vf:Process";
    /// An economic resource.
    pub const RESOURCE: &str = "vf:EconomicResource";
    /// An economic event.
    pub const EVENT: &str = "vf:EconomicEvent";
}

/// A record's IRI: `{base}/{segment}/{id}`, `base` without a trailing slash.
pub fn iri(base: &str, segment: &str, id: Uuid) -> String {
    format!("{}/{segment}/{}", base.trim_end_matches('/'), id.hyphenated())
}

/// The text of a system or observed time: RFC 3339 in UTC, with as many fractional digits as
/// it has (so that it reads back to the same instant).
pub fn time_text(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}
