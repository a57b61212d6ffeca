//! `ovn export --format jsonld`: the whole ledger as ValueFlows JSON-LD.
//!
//! Why: networks federate by exchanging ValueFlows JSON-LD (DESIGN.md section 8), and a
//! ledger must be movable between databases (SQLite to PostgreSQL, one host to another) without
//! losing a digit or a timestamp. An export is therefore complete (every record, with its
//! system time `ovn:created`), exact (decimals are JSON strings in canonical form, never JSON
//! numbers) and deterministic (records sorted by type, then id; events in recording order),
//! so that export, import, export gives byte-identical files.
//!
//! The document is compacted JSON-LD: one `@context` ([`CONTEXT`]) and a `@graph` with one
//! node per line. Every node's `@id` is its IRI, `{OVN_PUBLIC_URL}/{type}/{uuid}` ([`iri`]);
//! references are IRI strings, which the context types as `@id`. Terms come from the
//! ValueFlows vocabulary (`vf:`), OM2 for measures (`om2:`) and the OVN namespace (`ovn:`,
//! [`OVN_NAMESPACE`]) for what ValueFlows does not define: `ovn:created` (system time),
//! `ovn:custodian`, `ovn:declaredValue`, `ovn:propertyRegime`, `ovn:valuePerUnitOfUse`,
//! `ovn:defaultValuePerUnit`, `ovn:omUnitIdentifier`, and `ovn:newInventoriedResource` (on
//! the event that brought a resource into being, the IRI of that resource).

use std::collections::HashSet;
use std::io::{self, Write};

use chrono::{DateTime, SecondsFormat, Utc};
use ovn_domain::action::CreateResource;
use ovn_domain::agent::AgentKind;
use ovn_domain::text::Uri;
use ovn_domain::{EconomicResourceId, Measure, UnitId, canonical};
use ovn_persistence::Store;
use ovn_persistence::ledger_io::Ledger;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use uuid::Uuid;

/// The ValueFlows vocabulary.
pub const VF_NAMESPACE: &str = "https://w3id.org/valueflows/ont/vf#";
/// The Ontology of units of Measure, version 2.
pub const OM2_NAMESPACE: &str = "http://www.ontology-of-units-of-measure.org/resource/om-2/";
/// The OVN namespace: terms ovn adds to ValueFlows (see the module documentation). It is an
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

/// A record's IRI: `{base}/{segment}/{id}` (DESIGN.md section 8), `base` without a trailing
/// slash.
pub fn iri(base: &str, segment: &str, id: Uuid) -> String {
    format!("{}/{segment}/{}", base.trim_end_matches('/'), id.hyphenated())
}

/// The text of a system or observed time: RFC 3339 in UTC, with as many fractional digits as
/// it has (so that it reads back to the same instant).
pub fn time_text(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// An `om2:Measure`: the number as an exact decimal string, and the unit's IRI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct JsonMeasure {
    #[serde(rename = "om2:hasNumericalValue")]
    pub value: String,
    #[serde(rename = "om2:hasUnit", default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

fn one_or_many<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match Option::<OneOrMany>::deserialize(deserializer)? {
        None => Vec::new(),
        Some(OneOrMany::One(one)) => vec![one],
        Some(OneOrMany::Many(many)) => many,
    })
}

fn type_or_types<S: Serializer>(types: &[String], serializer: S) -> Result<S::Ok, S::Error> {
    match types {
        [one] => serializer.serialize_str(one),
        many => many.serialize(serializer),
    }
}

/// One node of the `@graph`, whatever its type: every term ovn reads or writes, each optional.
/// The field order is the order terms are written in.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct Node {
    #[serde(rename = "@id")]
    pub id: String,
    #[serde(rename = "@type", serialize_with = "type_or_types", deserialize_with = "one_or_many")]
    pub types: Vec<String>,
    #[serde(rename = "rdfs:label", skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(rename = "om2:symbol", skip_serializing_if = "Option::is_none")]
    pub symbol: Option<String>,
    #[serde(rename = "ovn:omUnitIdentifier", skip_serializing_if = "Option::is_none")]
    pub om_unit_identifier: Option<String>,
    #[serde(rename = "vf:name", skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(rename = "vf:roleLabel", skip_serializing_if = "Option::is_none")]
    pub role_label: Option<String>,
    #[serde(rename = "vf:inverseRoleLabel", skip_serializing_if = "Option::is_none")]
    pub inverse_role_label: Option<String>,
    #[serde(rename = "vf:subject", skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(rename = "vf:relationship", skip_serializing_if = "Option::is_none")]
    pub relationship: Option<String>,
    #[serde(rename = "vf:object", skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    #[serde(rename = "vf:action", skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    #[serde(rename = "vf:provider", skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    #[serde(rename = "vf:receiver", skip_serializing_if = "Option::is_none")]
    pub receiver: Option<String>,
    #[serde(rename = "vf:resourceInventoriedAs", skip_serializing_if = "Option::is_none")]
    pub resource_inventoried_as: Option<String>,
    #[serde(rename = "vf:toResourceInventoriedAs", skip_serializing_if = "Option::is_none")]
    pub to_resource_inventoried_as: Option<String>,
    #[serde(rename = "ovn:newInventoriedResource", skip_serializing_if = "Option::is_none")]
    pub new_inventoried_resource: Option<String>,
    #[serde(rename = "vf:resourceConformsTo", skip_serializing_if = "Option::is_none")]
    pub resource_conforms_to: Option<String>,
    #[serde(
        rename = "vf:resourceClassifiedAs",
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "one_or_many"
    )]
    pub resource_classified_as: Vec<String>,
    #[serde(rename = "vf:resourceQuantity", skip_serializing_if = "Option::is_none")]
    pub resource_quantity: Option<JsonMeasure>,
    #[serde(rename = "vf:effortQuantity", skip_serializing_if = "Option::is_none")]
    pub effort_quantity: Option<JsonMeasure>,
    #[serde(rename = "vf:inputOf", skip_serializing_if = "Option::is_none")]
    pub input_of: Option<String>,
    #[serde(rename = "vf:outputOf", skip_serializing_if = "Option::is_none")]
    pub output_of: Option<String>,
    #[serde(rename = "vf:hasBeginning", skip_serializing_if = "Option::is_none")]
    pub has_beginning: Option<String>,
    #[serde(rename = "vf:hasEnd", skip_serializing_if = "Option::is_none")]
    pub has_end: Option<String>,
    #[serde(rename = "vf:hasPointInTime", skip_serializing_if = "Option::is_none")]
    pub has_point_in_time: Option<String>,
    #[serde(rename = "vf:finished", skip_serializing_if = "Option::is_none")]
    pub finished: Option<bool>,
    #[serde(rename = "vf:atLocation", skip_serializing_if = "Option::is_none")]
    pub at_location: Option<String>,
    #[serde(rename = "vf:toLocation", skip_serializing_if = "Option::is_none")]
    pub to_location: Option<String>,
    #[serde(rename = "vf:corrects", skip_serializing_if = "Option::is_none")]
    pub corrects: Option<String>,
    #[serde(rename = "vf:triggeredBy", skip_serializing_if = "Option::is_none")]
    pub triggered_by: Option<String>,
    #[serde(rename = "vf:agreedIn", skip_serializing_if = "Option::is_none")]
    pub agreed_in: Option<String>,
    #[serde(rename = "ovn:declaredValue", skip_serializing_if = "Option::is_none")]
    pub declared_value: Option<JsonMeasure>,
    #[serde(rename = "vf:conformsTo", skip_serializing_if = "Option::is_none")]
    pub conforms_to: Option<String>,
    #[serde(rename = "vf:trackingIdentifier", skip_serializing_if = "Option::is_none")]
    pub tracking_identifier: Option<String>,
    #[serde(rename = "vf:accountingQuantity", skip_serializing_if = "Option::is_none")]
    pub accounting_quantity: Option<JsonMeasure>,
    #[serde(rename = "vf:onhandQuantity", skip_serializing_if = "Option::is_none")]
    pub onhand_quantity: Option<JsonMeasure>,
    #[serde(rename = "vf:primaryAccountable", skip_serializing_if = "Option::is_none")]
    pub primary_accountable: Option<String>,
    #[serde(rename = "ovn:custodian", skip_serializing_if = "Option::is_none")]
    pub custodian: Option<String>,
    #[serde(rename = "vf:currentLocation", skip_serializing_if = "Option::is_none")]
    pub current_location: Option<String>,
    #[serde(rename = "vf:containedIn", skip_serializing_if = "Option::is_none")]
    pub contained_in: Option<String>,
    #[serde(rename = "vf:stage", skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    #[serde(rename = "vf:state", skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(rename = "vf:unitOfEffort", skip_serializing_if = "Option::is_none")]
    pub unit_of_effort: Option<String>,
    #[serde(rename = "ovn:propertyRegime", skip_serializing_if = "Option::is_none")]
    pub property_regime: Option<String>,
    #[serde(rename = "ovn:valuePerUnitOfUse", skip_serializing_if = "Option::is_none")]
    pub value_per_unit_of_use: Option<JsonMeasure>,
    #[serde(rename = "vf:basedOn", skip_serializing_if = "Option::is_none")]
    pub based_on: Option<String>,
    #[serde(rename = "vf:defaultUnitOfResource", skip_serializing_if = "Option::is_none")]
    pub default_unit_of_resource: Option<String>,
    #[serde(rename = "vf:defaultUnitOfEffort", skip_serializing_if = "Option::is_none")]
    pub default_unit_of_effort: Option<String>,
    #[serde(rename = "vf:substitutable", skip_serializing_if = "Option::is_none")]
    pub substitutable: Option<bool>,
    #[serde(rename = "ovn:defaultValuePerUnit", skip_serializing_if = "Option::is_none")]
    pub default_value_per_unit: Option<JsonMeasure>,
    #[serde(rename = "vf:classifiedAs", skip_serializing_if = "Vec::is_empty", deserialize_with = "one_or_many")]
    pub classified_as: Vec<String>,
    #[serde(rename = "vf:image", skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(rename = "vf:imageList", skip_serializing_if = "Vec::is_empty", deserialize_with = "one_or_many")]
    pub image_list: Vec<String>,
    #[serde(rename = "vf:inScopeOf", skip_serializing_if = "Vec::is_empty", deserialize_with = "one_or_many")]
    pub in_scope_of: Vec<String>,
    #[serde(rename = "vf:note", skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(rename = "ovn:created", skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
}

/// How many records of each kind an export wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExportSummary {
    /// Units.
    pub units: usize,
    /// Agents.
    pub agents: usize,
    /// Relationship roles.
    pub roles: usize,
    /// Relationships.
    pub relationships: usize,
    /// Resource specifications.
    pub resource_specifications: usize,
    /// Process specifications.
    pub process_specifications: usize,
    /// Processes.
    pub processes: usize,
    /// Economic resources.
    pub resources: usize,
    /// Economic events.
    pub events: usize,
}

impl ExportSummary {
    /// Every record written.
    pub fn total(&self) -> usize {
        self.units
            + self.agents
            + self.roles
            + self.relationships
            + self.resource_specifications
            + self.process_specifications
            + self.processes
            + self.resources
            + self.events
    }
}

/// Builds IRIs under one base.
struct Iris<'a> {
    base: &'a str,
}

impl Iris<'_> {
    fn of(&self, segment: &str, id: Uuid) -> String {
        iri(self.base, segment, id)
    }

    fn unit(&self, id: UnitId) -> String {
        self.of(segment::UNIT, id.uuid())
    }

    fn agent(&self, id: ovn_domain::AgentId) -> String {
        self.of(segment::AGENT, id.uuid())
    }

    fn resource(&self, id: EconomicResourceId) -> String {
        self.of(segment::RESOURCE, id.uuid())
    }

    fn measure(&self, m: Measure) -> JsonMeasure {
        JsonMeasure { value: canonical(m.has_numerical_value), unit: m.has_unit.map(|u| self.unit(u)) }
    }
}

fn uris(list: &[Uri]) -> Vec<String> {
    list.iter().map(|u| u.as_str().to_owned()).collect()
}

fn node(id: String, node_type: &str, created: DateTime<Utc>) -> Node {
    Node { id, types: vec![node_type.to_owned()], created: Some(time_text(created)), ..Node::default() }
}

/// Which events brought which resource into being: the first event (in recording order) that
/// names a resource creates it, on the side its action may create (`createResource`). Each
/// entry is the created resource of the event at that position, if any.
pub(crate) fn created_resources(ledger: &Ledger) -> Vec<Option<EconomicResourceId>> {
    let mut seen: HashSet<EconomicResourceId> = HashSet::with_capacity(ledger.resources.len());
    ledger
        .events
        .iter()
        .map(|event| {
            let core = &event.core;
            let creates = core.action.def().create_resource;
            let mut created = None;
            if core.corrects.is_none() {
                if creates == CreateResource::Optional
                    && let Some(from) = core.resource_inventoried_as
                    && !seen.contains(&from)
                {
                    created = Some(from);
                }
                if creates == CreateResource::OptionalTo
                    && let Some(to) = core.to_resource_inventoried_as
                    && Some(to) != core.resource_inventoried_as
                    && !seen.contains(&to)
                {
                    created = Some(to);
                }
            }
            seen.extend(core.resource_inventoried_as);
            seen.extend(core.to_resource_inventoried_as);
            created
        })
        .collect()
}

/// The nodes of a ledger, in export order (see the module documentation).
fn nodes(ledger: &Ledger, base: &str) -> impl Iterator<Item = Node> {
    let iris = Iris { base };
    let units = ledger.units.iter().map(move |s| {
        let u = &s.record;
        Node {
            label: Some(u.label.as_str().to_owned()),
            symbol: Some(u.symbol.as_str().to_owned()),
            om_unit_identifier: u.om_unit_identifier.clone(),
            ..node(iris.unit(u.id), node_type::UNIT, s.created)
        }
    });
    let iris = Iris { base };
    let agents = ledger.agents.iter().map(move |s| {
        let a = &s.record;
        let kind = match a.kind {
            AgentKind::Person => node_type::PERSON,
            AgentKind::Organization => node_type::ORGANIZATION,
        };
        Node {
            name: Some(a.profile.name.as_str().to_owned()),
            image: a.profile.image.as_ref().map(|i| i.as_str().to_owned()),
            classified_as: uris(&a.profile.classified_as),
            note: a.profile.note.clone(),
            ..node(iris.agent(a.id), kind, s.created)
        }
    });
    let iris = Iris { base };
    let roles = ledger.roles.iter().map(move |s| {
        let r = &s.record;
        Node {
            role_label: Some(r.role_label.as_str().to_owned()),
            inverse_role_label: r.inverse_role_label.as_ref().map(|l| l.as_str().to_owned()),
            note: r.note.clone(),
            ..node(iris.of(segment::ROLE, r.id.uuid()), node_type::ROLE, s.created)
        }
    });
    let iris = Iris { base };
    let relationships = ledger.relationships.iter().map(move |s| {
        let r = &s.record;
        Node {
            subject: Some(iris.agent(r.subject)),
            relationship: Some(iris.of(segment::ROLE, r.relationship.uuid())),
            object: Some(iris.agent(r.object)),
            in_scope_of: r.in_scope_of.iter().map(|a| iris.agent(*a)).collect(),
            note: r.note.clone(),
            ..node(iris.of(segment::RELATIONSHIP, r.id.uuid()), node_type::RELATIONSHIP, s.created)
        }
    });
    let iris = Iris { base };
    let resource_specifications = ledger.resource_specifications.iter().map(move |s| {
        let r = &s.record;
        Node {
            name: Some(r.name.as_str().to_owned()),
            resource_classified_as: uris(&r.resource_classified_as),
            default_unit_of_resource: r.default_unit_of_resource.map(|u| iris.unit(u)),
            default_unit_of_effort: r.default_unit_of_effort.map(|u| iris.unit(u)),
            substitutable: r.substitutable,
            default_value_per_unit: r.default_value_per_unit.map(|v| iris.measure(Measure::new(v.value, v.unit))),
            image: r.image.as_ref().map(|i| i.as_str().to_owned()),
            image_list: uris(&r.image_list),
            note: r.note.clone(),
            ..node(iris.of(segment::RESOURCE_SPECIFICATION, r.id.uuid()), node_type::RESOURCE_SPECIFICATION, s.created)
        }
    });
    let iris = Iris { base };
    let process_specifications = ledger.process_specifications.iter().map(move |s| {
        let p = &s.record;
        Node {
            name: Some(p.name.as_str().to_owned()),
            note: p.note.clone(),
            ..node(iris.of(segment::PROCESS_SPECIFICATION, p.id.uuid()), node_type::PROCESS_SPECIFICATION, s.created)
        }
    });
    let iris = Iris { base };
    let processes = ledger.processes.iter().map(move |s| {
        let p = &s.record;
        Node {
            name: Some(p.name.as_str().to_owned()),
            has_beginning: p.has_beginning.map(time_text),
            has_end: p.has_end.map(time_text),
            finished: Some(p.finished),
            based_on: p.based_on.map(|b| iris.of(segment::PROCESS_SPECIFICATION, b.uuid())),
            classified_as: uris(&p.classified_as),
            in_scope_of: p.in_scope_of.iter().map(|a| iris.agent(*a)).collect(),
            note: p.note.clone(),
            ..node(iris.of(segment::PROCESS, p.id.uuid()), node_type::PROCESS, s.created)
        }
    });
    let iris = Iris { base };
    let resources = ledger.resources.iter().map(move |s| {
        let r = &s.record;
        let (st, d) = (&r.state, &r.details);
        Node {
            name: d.name.clone(),
            conforms_to: Some(iris.of(segment::RESOURCE_SPECIFICATION, r.conforms_to.uuid())),
            tracking_identifier: d.tracking_identifier.clone(),
            accounting_quantity: Some(iris.measure(Measure::new(st.accounting_quantity, st.unit))),
            onhand_quantity: Some(iris.measure(Measure::new(st.onhand_quantity, st.unit))),
            primary_accountable: st.primary_accountable.map(|a| iris.agent(a)),
            custodian: st.custodian.map(|a| iris.agent(a)),
            current_location: st.current_location.clone(),
            contained_in: st.contained_in.map(|c| iris.resource(c)),
            stage: st.stage.map(|p| iris.of(segment::PROCESS_SPECIFICATION, p.uuid())),
            state: st.state.clone(),
            unit_of_effort: d.unit_of_effort.map(|u| iris.unit(u)),
            property_regime: Some(d.property_regime.as_str().to_owned()),
            value_per_unit_of_use: d.value_per_unit_of_use.map(|m| iris.measure(m)),
            classified_as: uris(&d.classified_as),
            image: d.image.as_ref().map(|i| i.as_str().to_owned()),
            image_list: uris(&d.image_list),
            note: d.note.clone(),
            ..node(iris.resource(r.id), node_type::RESOURCE, s.created)
        }
    });
    let iris = Iris { base };
    let created = created_resources(ledger);
    let events = ledger.events.iter().zip(created).map(move |(e, created)| {
        let (c, d) = (&e.core, &e.details);
        Node {
            action: Some(format!("vf:{}", c.action.vf_id())),
            provider: Some(iris.agent(c.provider)),
            receiver: Some(iris.agent(c.receiver)),
            resource_inventoried_as: c.resource_inventoried_as.map(|r| iris.resource(r)),
            to_resource_inventoried_as: c.to_resource_inventoried_as.map(|r| iris.resource(r)),
            new_inventoried_resource: created.map(|r| iris.resource(r)),
            resource_conforms_to: d.resource_conforms_to.map(|s| iris.of(segment::RESOURCE_SPECIFICATION, s.uuid())),
            resource_classified_as: uris(&d.resource_classified_as),
            resource_quantity: c.resource_quantity.map(|m| iris.measure(m)),
            effort_quantity: c.effort_quantity.map(|m| iris.measure(m)),
            input_of: c.input_of.map(|p| iris.of(segment::PROCESS, p.uuid())),
            output_of: c.output_of.map(|p| iris.of(segment::PROCESS, p.uuid())),
            has_beginning: d.has_beginning.map(time_text),
            has_end: d.has_end.map(time_text),
            has_point_in_time: d.has_point_in_time.map(time_text),
            at_location: c.at_location.clone(),
            to_location: c.to_location.clone(),
            corrects: c.corrects.map(|x| iris.of(segment::EVENT, x.uuid())),
            triggered_by: d.triggered_by.map(|x| iris.of(segment::EVENT, x.uuid())),
            agreed_in: d.agreed_in.as_ref().map(|u| u.as_str().to_owned()),
            declared_value: d.declared_value.map(|m| iris.measure(m)),
            state: c.state.clone(),
            in_scope_of: d.in_scope_of.iter().map(|a| iris.agent(*a)).collect(),
            note: d.note.clone(),
            ..node(iris.of(segment::EVENT, e.id.uuid()), node_type::EVENT, e.created)
        }
    });
    units
        .chain(agents)
        .chain(roles)
        .chain(relationships)
        .chain(resource_specifications)
        .chain(process_specifications)
        .chain(processes)
        .chain(resources)
        .chain(events)
}

/// Writes `ledger` as a JSON-LD document to `out`, with IRIs under `base`: the context on the
/// first line, then one node per line.
pub fn write_jsonld<W: Write>(ledger: &Ledger, base: &str, out: W) -> io::Result<ExportSummary> {
    let mut out = io::BufWriter::with_capacity(1 << 20, out);
    write!(out, "{{\"@context\":{CONTEXT},\n\"@graph\":[")?;
    let mut first = true;
    for node in nodes(ledger, base) {
        out.write_all(if first { b"\n" } else { b",\n" })?;
        first = false;
        serde_json::to_writer(&mut out, &node)?;
    }
    out.write_all(b"\n]}\n")?;
    out.flush()?;
    Ok(ExportSummary {
        units: ledger.units.len(),
        agents: ledger.agents.len(),
        roles: ledger.roles.len(),
        relationships: ledger.relationships.len(),
        resource_specifications: ledger.resource_specifications.len(),
        process_specifications: ledger.process_specifications.len(),
        processes: ledger.processes.len(),
        resources: ledger.resources.len(),
        events: ledger.events.len(),
    })
}

/// Reads the whole ledger from `store` and writes it to `out` as JSON-LD with IRIs under
/// `base` (`OVN_PUBLIC_URL`).
pub async fn export<W: Write>(store: &Store, base: &str, out: W) -> anyhow::Result<ExportSummary> {
    let ledger = store.read_ledger().await?;
    Ok(write_jsonld(&ledger, base, out)?)
}
