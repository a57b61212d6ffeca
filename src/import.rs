//! `ovn import FILE`: loads a ValueFlows JSON-LD ledger (as `ovn export` writes it) into an
//! empty database.
//!
//! Why it works the way it does: an import must be fast (DESIGN.md section 11: over 100,000
//! events a second) and must never leave half a ledger behind. So it never goes through the
//! one-event-at-a-time service; it works in three phases:
//!
//! 1. **read**: the document is parsed into typed nodes, straight from the file (one pass);
//! 2. **check**, in memory, before anything is written: every `@id` is unique and ends in a
//!    UUID, every reference resolves to a record of the right type, every field passes the
//!    domain's rules, events are in recording order, corrections correct an earlier original
//!    in the same flows, and every event is applied, in order, to the resources it names with
//!    the domain's own [`ovn_domain::observation::apply`] (the rule the live service uses), which
//!    refuses e.g. a consume below zero. The balances, unit, accountable agent and custodian a
//!    resource node states must equal what its events give; the descriptive fields (location,
//!    stage, state, container) are taken from the node when it states them, as they can change
//!    outside events. A problem is reported with its position: the index in `@graph` and the
//!    `@id`;
//! 3. **write**: the checked ledger goes in with multi-row inserts, in chunks, inside **one**
//!    transaction ([`ovn_persistence::Store::write_ledger`]), after checking, inside that same
//!    transaction, that the database is empty. A failure anywhere rolls everything back: the
//!    database stays empty.
//!
//! Ids and system times (`ovn:created`) are kept, so export, import, export is byte-identical.
//! A node without `ovn:created` gets the import's start time (events: plus their position in
//! microseconds, to keep their recording order). The document must use the prefixes `ovn
//! export` writes (`vf:`, `om2:`, `ovn:`, `rdfs:`); full IRIs are accepted for `@type` and
//! `vf:action`. This is not a general JSON-LD processor: it does not expand arbitrary contexts.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use ovn_domain::action::CreateResource;
use ovn_domain::agent::{Agent, AgentKind, AgentProfile, AgentRelationship, AgentRelationshipRole};
use ovn_domain::knowledge::{ProcessSpecification, ResourceSpecification, Unit, ValuePerUnit};
use ovn_domain::observation::{self, Books, EventContext, NewEvent, ResourceState, creation};
use ovn_domain::observation::{
    EconomicEvent, EconomicResource, EventDetails, Process, PropertyRegime, ResourceDetails,
};
use ovn_domain::text::{Name, Uri, parse_note};
use ovn_domain::{
    Action, AgentId, AgentRelationshipId, AgentRelationshipRoleId, DomainError, EconomicEventId, EconomicResourceId,
    Measure, ProcessId, ProcessSpecificationId, ResourceSpecificationId, UnitId, canonical, parse_decimal,
};
use ovn_persistence::ledger_io::{Ledger, Progress, Stamped};
use ovn_persistence::{PersistenceError, Store};
use serde::Deserializer;
use serde::de::{self, DeserializeSeed, SeqAccess, Visitor};
use uuid::Uuid;

use crate::export::{JsonMeasure, Node, OM2_NAMESPACE, OVN_NAMESPACE, VF_NAMESPACE, node_type};

/// Most problems listed in one refusal (the count of the rest is given).
pub const MAX_PROBLEMS: usize = 50;

/// One bad record: where it is and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Its index in `@graph` (`None` for a problem with the whole document).
    pub index: Option<usize>,
    /// Its `@id`, when it has one.
    pub id: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.index, &self.id) {
            (Some(index), Some(id)) => write!(f, "@graph[{index}] <{id}>: {}", self.message),
            (Some(index), None) => write!(f, "@graph[{index}]: {}", self.message),
            (None, _) => f.write_str(&self.message),
        }
    }
}

/// Why an import did not happen. In every case nothing was written.
#[derive(Debug)]
pub enum ImportError {
    /// The file could not be read.
    Io(std::io::Error),
    /// The document is not the JSON-LD `ovn export` writes (malformed JSON, a node of the
    /// wrong shape); the problem says where.
    Syntax(Problem),
    /// Records broke the rules; each problem names its record. Nothing was written.
    Invalid {
        /// The first [`MAX_PROBLEMS`] problems, in document order.
        problems: Vec<Problem>,
        /// How many there were in all.
        total: usize,
    },
    /// The database already holds records.
    NotEmpty(String),
    /// The database failed; the transaction was rolled back.
    Database(PersistenceError),
}

impl ImportError {
    /// The problems that refused the import (empty unless [`ImportError::Invalid`] or
    /// [`ImportError::Syntax`]).
    pub fn problems(&self) -> Vec<Problem> {
        match self {
            Self::Syntax(problem) => vec![problem.clone()],
            Self::Invalid { problems, .. } => problems.clone(),
            _ => Vec::new(),
        }
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io(err) => write!(f, "cannot read the file: {err}"),
            Self::Syntax(problem) => write!(f, "the file is not an ovn JSON-LD ledger: {problem}"),
            Self::Invalid { problems, total } => {
                write!(f, "the ledger was refused, nothing was imported ({total} problem{}):", plural(*total))?;
                for problem in problems {
                    write!(f, "\n  {problem}")?;
                }
                if *total > problems.len() {
                    write!(f, "\n  … and {} more", total - problems.len())?;
                }
                Ok(())
            }
            Self::NotEmpty(message) => f.write_str(message),
            Self::Database(err) => write!(f, "the import failed and was rolled back: {err}"),
        }
    }
}

impl std::error::Error for ImportError {}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// What an import did, and how fast.
#[derive(Debug, Clone, Default)]
pub struct ImportSummary {
    /// Records imported, per kind, in `@graph` order of kinds.
    pub counts: Vec<(&'static str, usize)>,
    /// Events imported.
    pub events: usize,
    /// Rows written (records and scope links).
    pub rows: u64,
    /// Reading and parsing the document.
    pub read: Duration,
    /// Checking (references, rules, replay).
    pub check: Duration,
    /// Writing (one transaction, committed).
    pub write: Duration,
}

impl ImportSummary {
    /// Read, check and write together.
    pub fn total(&self) -> Duration {
        self.read + self.check + self.write
    }

    /// Events per second over the whole import.
    pub fn events_per_second(&self) -> f64 {
        per_second(self.events, self.total())
    }
}

/// `count` per second over `elapsed` (0 when nothing was timed).
pub fn per_second(count: usize, elapsed: Duration) -> f64 {
    let seconds = elapsed.as_secs_f64();
    #[expect(clippy::cast_precision_loss, reason = "a rate for display; counts are far below 2^52")]
    let count = count as f64;
    if seconds > 0.0 { count / seconds } else { 0.0 }
}

impl fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "imported:")?;
        for (kind, count) in &self.counts {
            writeln!(f, "  {count:>10}  {kind}")?;
        }
        write!(
            f,
            "in {:.2} s (read {:.2} s, check {:.2} s, write {:.2} s): {:.0} events/s",
            self.total().as_secs_f64(),
            self.read.as_secs_f64(),
            self.check.as_secs_f64(),
            self.write.as_secs_f64(),
            self.events_per_second()
        )
    }
}

// ---------------------------------------------------------------- reading

/// The document as read: its context (checked lightly) and its nodes.
pub struct Document {
    nodes: Vec<Node>,
}

impl Document {
    /// How many nodes `@graph` holds.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether `@graph` is empty.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }
}

struct GraphSeed;

impl<'de> DeserializeSeed<'de> for GraphSeed {
    type Value = Vec<Node>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for GraphSeed {
    type Value = Vec<Node>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of nodes")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut nodes = Vec::with_capacity(seq.size_hint().unwrap_or(1024));
        loop {
            match seq.next_element::<Node>() {
                Ok(Some(node)) => nodes.push(node),
                Ok(None) => return Ok(nodes),
                Err(err) => {
                    // serde_json appends the position again; keep the innermost message.
                    let text = err.to_string();
                    let message = text.rsplit_once(" at line ").map_or(text.as_str(), |(m, _)| m);
                    return Err(de::Error::custom(format!("@graph[{}]: {message}", nodes.len())));
                }
            }
        }
    }
}

struct DocumentVisitor;

impl<'de> Visitor<'de> for DocumentVisitor {
    type Value = (Option<serde_json::Value>, Option<Vec<Node>>);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(r#"a JSON-LD document {"@context": …, "@graph": […]}"#)
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut context, mut graph) = (None, None);
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "@context" => context = Some(map.next_value()?),
                "@graph" => graph = Some(map.next_value_seed(GraphSeed)?),
                _ => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
        }
        Ok((context, graph))
    }
}

fn syntax(message: impl Into<String>) -> ImportError {
    ImportError::Syntax(Problem { index: None, id: None, message: message.into() })
}

fn check_context(context: Option<&serde_json::Value>) -> Result<(), ImportError> {
    let Some(serde_json::Value::Object(map)) = context else {
        return Err(syntax("@context is missing or not an object"));
    };
    for (prefix, namespace) in [("vf", VF_NAMESPACE), ("om2", OM2_NAMESPACE), ("ovn", OVN_NAMESPACE)] {
        match map.get(prefix) {
            Some(serde_json::Value::String(text)) if text == namespace => {}
            None => {}
            Some(other) => {
                return Err(syntax(format!("@context maps `{prefix}` to {other}, not to <{namespace}>")));
            }
        }
    }
    Ok(())
}

/// Parses a document held in memory (nothing is checked beyond its shape).
pub fn read_document(bytes: &[u8]) -> Result<Document, ImportError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let (context, graph) = deserializer.deserialize_map(DocumentVisitor).map_err(|err| syntax(err.to_string()))?;
    deserializer.end().map_err(|err| syntax(err.to_string()))?;
    check_context(context.as_ref())?;
    let nodes = graph.ok_or_else(|| syntax("the document has no @graph"))?;
    Ok(Document { nodes })
}

// ---------------------------------------------------------------- checking

/// The kinds of record a node can be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Unit,
    Agent(AgentKind),
    Role,
    Relationship,
    ResourceSpecification,
    ProcessSpecification,
    Process,
    Resource,
    Event,
}

impl Kind {
    fn of(types: &[String]) -> Option<Self> {
        types.iter().find_map(|t| {
            let compact = compact(t);
            Some(match compact.as_ref() {
                node_type::UNIT => Self::Unit,
                node_type::PERSON => Self::Agent(AgentKind::Person),
                node_type::ORGANIZATION => Self::Agent(AgentKind::Organization),
                node_type::ROLE => Self::Role,
                node_type::RELATIONSHIP => Self::Relationship,
                node_type::RESOURCE_SPECIFICATION => Self::ResourceSpecification,
                node_type::PROCESS_SPECIFICATION => Self::ProcessSpecification,
                node_type::PROCESS => Self::Process,
                node_type::RESOURCE => Self::Resource,
                node_type::EVENT => Self::Event,
                _ => return None,
            })
        })
    }

    fn name(self) -> &'static str {
        match self {
            Self::Unit => "unit",
            Self::Agent(_) => "agent",
            Self::Role => "agent relationship role",
            Self::Relationship => "agent relationship",
            Self::ResourceSpecification => "resource specification",
            Self::ProcessSpecification => "process specification",
            Self::Process => "process",
            Self::Resource => "economic resource",
            Self::Event => "economic event",
        }
    }

    fn same_class(self, other: Self) -> bool {
        matches!((self, other), (Self::Agent(_), Self::Agent(_))) || self == other
    }
}

/// `https://w3id.org/valueflows/ont/vf#Process` → `vf:Process` (and likewise for om2).
fn compact(term: &str) -> std::borrow::Cow<'_, str> {
    for (prefix, namespace) in [("vf:", VF_NAMESPACE), ("om2:", OM2_NAMESPACE)] {
        if let Some(rest) = term.strip_prefix(namespace) {
            return format!("{prefix}{rest}").into();
        }
    }
    term.into()
}

/// The UUID at the end of an IRI (`…/economic-event/<uuid>`).
fn uuid_of(iri: &str) -> Option<Uuid> {
    let tail = iri.rsplit_once('/').map_or(iri, |(_, tail)| tail);
    let tail = tail.rsplit_once(':').map_or(tail, |(_, tail)| tail);
    Uuid::parse_str(tail).ok()
}

/// Collects problems, keeping the first [`MAX_PROBLEMS`].
#[derive(Default)]
struct Problems {
    list: Vec<Problem>,
    total: usize,
}

impl Problems {
    fn push(&mut self, index: usize, id: &str, message: impl Into<String>) {
        self.total += 1;
        if self.list.len() < MAX_PROBLEMS {
            let id = (!id.is_empty()).then(|| id.to_owned());
            self.list.push(Problem { index: Some(index), id, message: message.into() });
        }
    }

    fn is_empty(&self) -> bool {
        self.total == 0
    }

    fn into_error(self) -> ImportError {
        ImportError::Invalid { problems: self.list, total: self.total }
    }
}

/// A field's problem: `field: message`.
type FieldResult<T> = Result<T, String>;

fn domain(err: DomainError) -> String {
    err.to_string()
}

/// Resolves references against the `@id`s of the document.
struct Index<'a> {
    by_iri: HashMap<&'a str, (Kind, Uuid)>,
}

impl Index<'_> {
    fn resolve(&self, field: &str, iri: &str, want: Kind) -> FieldResult<Uuid> {
        match self.by_iri.get(iri) {
            Some((kind, uuid)) if kind.same_class(want) => Ok(*uuid),
            Some((kind, _)) => Err(format!("{field}: <{iri}> is a {}, not a {}", kind.name(), want.name())),
            None => Err(format!("{field}: unknown {} <{iri}> (not in this file)", want.name())),
        }
    }

    fn opt(&self, field: &str, iri: Option<&String>, want: Kind) -> FieldResult<Option<Uuid>> {
        iri.map(|iri| self.resolve(field, iri, want)).transpose()
    }

    fn agent(&self, field: &str, iri: Option<&String>) -> FieldResult<AgentId> {
        let iri = iri.ok_or_else(|| format!("{field} is required"))?;
        self.resolve(field, iri, Kind::Agent(AgentKind::Person)).map(AgentId::from_uuid)
    }

    fn opt_agent(&self, field: &str, iri: Option<&String>) -> FieldResult<Option<AgentId>> {
        Ok(self.opt(field, iri, Kind::Agent(AgentKind::Person))?.map(AgentId::from_uuid))
    }

    fn agents(&self, field: &str, iris: &[String]) -> FieldResult<Vec<AgentId>> {
        iris.iter()
            .map(|iri| self.resolve(field, iri, Kind::Agent(AgentKind::Person)).map(AgentId::from_uuid))
            .collect()
    }

    fn unit(&self, field: &str, iri: Option<&String>) -> FieldResult<Option<UnitId>> {
        Ok(self.opt(field, iri, Kind::Unit)?.map(UnitId::from_uuid))
    }

    fn measure(&self, field: &str, m: Option<&JsonMeasure>) -> FieldResult<Option<Measure>> {
        let Some(m) = m else { return Ok(None) };
        let value = parse_decimal(&m.value).map_err(|e| format!("{field}: {}", domain(e)))?;
        Ok(Some(Measure::new(value, self.unit(field, m.unit.as_ref())?)))
    }

    fn resource(&self, field: &str, iri: Option<&String>) -> FieldResult<Option<EconomicResourceId>> {
        Ok(self.opt(field, iri, Kind::Resource)?.map(EconomicResourceId::from_uuid))
    }

    fn process(&self, field: &str, iri: Option<&String>) -> FieldResult<Option<ProcessId>> {
        Ok(self.opt(field, iri, Kind::Process)?.map(ProcessId::from_uuid))
    }

    fn resource_specification(
        &self,
        field: &str,
        iri: Option<&String>,
    ) -> FieldResult<Option<ResourceSpecificationId>> {
        Ok(self.opt(field, iri, Kind::ResourceSpecification)?.map(ResourceSpecificationId::from_uuid))
    }

    fn process_specification(&self, field: &str, iri: Option<&String>) -> FieldResult<Option<ProcessSpecificationId>> {
        Ok(self.opt(field, iri, Kind::ProcessSpecification)?.map(ProcessSpecificationId::from_uuid))
    }

    fn event(&self, field: &str, iri: Option<&String>) -> FieldResult<Option<EconomicEventId>> {
        Ok(self.opt(field, iri, Kind::Event)?.map(EconomicEventId::from_uuid))
    }
}

fn required<'n>(field: &str, value: Option<&'n String>) -> FieldResult<&'n str> {
    value.map(String::as_str).ok_or_else(|| format!("{field} is required"))
}

fn name(field: &str, value: Option<&String>) -> FieldResult<Name> {
    Name::parse(field, required(field, value)?).map_err(domain)
}

fn note(value: Option<&String>) -> FieldResult<Option<String>> {
    value.map(|n| parse_note("vf:note", n)).transpose().map_err(domain)
}

fn uri(field: &str, value: Option<&String>) -> FieldResult<Option<Uri>> {
    value.map(|u| Uri::parse(field, u)).transpose().map_err(domain)
}

fn uri_list(field: &str, values: &[String]) -> FieldResult<Vec<Uri>> {
    Uri::parse_list(field, values).map_err(domain)
}

fn time(field: &str, value: Option<&String>) -> FieldResult<Option<DateTime<Utc>>> {
    value
        .map(|t| {
            DateTime::parse_from_rfc3339(t)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|e| format!("{field}: `{t}` is not an RFC 3339 date-time ({e})"))
        })
        .transpose()
}

/// The action of `vf:action`: `vf:produce`, the full VF IRI, or a bare id in either spelling.
fn action(value: Option<&String>) -> FieldResult<Action> {
    let text = required("vf:action", value)?;
    let id = text.strip_prefix(VF_NAMESPACE).or_else(|| text.strip_prefix("vf:")).unwrap_or(text);
    Action::parse(id).map_err(|e| format!("vf:action: {}", domain(e)))
}

/// A resource node, checked, with the state it claims (compared with the replay later).
struct ResourceNode {
    index: usize,
    record: EconomicResource,
    created: Option<DateTime<Utc>>,
    accounting: Option<Measure>,
    onhand: Option<Measure>,
}

/// An event node, checked (its resources not yet applied).
struct EventNode {
    index: usize,
    event: EconomicEvent,
    /// `ovn:newInventoriedResource`, when stated.
    new_resource: Option<EconomicResourceId>,
}

/// The records of a document, checked one by one.
#[derive(Default)]
struct Records {
    units: Vec<Stamped<Unit>>,
    agents: Vec<Stamped<Agent>>,
    roles: Vec<Stamped<AgentRelationshipRole>>,
    relationships: Vec<Stamped<AgentRelationship>>,
    resource_specifications: Vec<Stamped<ResourceSpecification>>,
    process_specifications: Vec<Stamped<ProcessSpecification>>,
    processes: Vec<Stamped<Process>>,
    resources: Vec<ResourceNode>,
    events: Vec<EventNode>,
}

struct Checker<'a> {
    index: Index<'a>,
    now: DateTime<Utc>,
}

impl Checker<'_> {
    fn created(&self, node: &Node) -> FieldResult<DateTime<Utc>> {
        Ok(time("ovn:created", node.created.as_ref())?.unwrap_or(self.now))
    }

    fn record(&self, kind: Kind, uuid: Uuid, node: &Node, records: &mut Records, i: usize) -> FieldResult<()> {
        let ix = &self.index;
        match kind {
            Kind::Unit => records.units.push(Stamped {
                record: Unit {
                    id: UnitId::from_uuid(uuid),
                    revision: 1,
                    label: name("rdfs:label", node.label.as_ref())?,
                    symbol: name("om2:symbol", node.symbol.as_ref())?,
                    om_unit_identifier: node.om_unit_identifier.clone(),
                },
                created: self.created(node)?,
            }),
            Kind::Agent(agent_kind) => records.agents.push(Stamped {
                record: Agent {
                    id: AgentId::from_uuid(uuid),
                    revision: 1,
                    kind: agent_kind,
                    profile: AgentProfile {
                        name: name("vf:name", node.name.as_ref())?,
                        image: uri("vf:image", node.image.as_ref())?,
                        note: note(node.note.as_ref())?,
                        classified_as: uri_list("vf:classifiedAs", &node.classified_as)?,
                    },
                },
                created: self.created(node)?,
            }),
            Kind::Role => records.roles.push(Stamped {
                record: AgentRelationshipRole {
                    id: AgentRelationshipRoleId::from_uuid(uuid),
                    revision: 1,
                    role_label: name("vf:roleLabel", node.role_label.as_ref())?,
                    inverse_role_label: node
                        .inverse_role_label
                        .as_ref()
                        .map(|l| Name::parse("vf:inverseRoleLabel", l))
                        .transpose()
                        .map_err(domain)?,
                    note: note(node.note.as_ref())?,
                },
                created: self.created(node)?,
            }),
            Kind::Relationship => records.relationships.push(Stamped {
                record: AgentRelationship {
                    id: AgentRelationshipId::from_uuid(uuid),
                    revision: 1,
                    subject: ix.agent("vf:subject", node.subject.as_ref())?,
                    object: ix.agent("vf:object", node.object.as_ref())?,
                    relationship: AgentRelationshipRoleId::from_uuid(ix.resolve(
                        "vf:relationship",
                        required("vf:relationship", node.relationship.as_ref())?,
                        Kind::Role,
                    )?),
                    in_scope_of: ix.agents("vf:inScopeOf", &node.in_scope_of)?,
                    note: note(node.note.as_ref())?,
                },
                created: self.created(node)?,
            }),
            Kind::ResourceSpecification => records.resource_specifications.push(Stamped {
                record: ResourceSpecification {
                    id: ResourceSpecificationId::from_uuid(uuid),
                    revision: 1,
                    name: name("vf:name", node.name.as_ref())?,
                    image: uri("vf:image", node.image.as_ref())?,
                    image_list: uri_list("vf:imageList", &node.image_list)?,
                    resource_classified_as: uri_list("vf:resourceClassifiedAs", &node.resource_classified_as)?,
                    note: note(node.note.as_ref())?,
                    default_unit_of_resource: ix
                        .unit("vf:defaultUnitOfResource", node.default_unit_of_resource.as_ref())?,
                    default_unit_of_effort: ix.unit("vf:defaultUnitOfEffort", node.default_unit_of_effort.as_ref())?,
                    substitutable: node.substitutable,
                    default_value_per_unit: ix
                        .measure("ovn:defaultValuePerUnit", node.default_value_per_unit.as_ref())?
                        .map(|m| ValuePerUnit { value: m.has_numerical_value, unit: m.has_unit }),
                },
                created: self.created(node)?,
            }),
            Kind::ProcessSpecification => records.process_specifications.push(Stamped {
                record: ProcessSpecification {
                    id: ProcessSpecificationId::from_uuid(uuid),
                    revision: 1,
                    name: name("vf:name", node.name.as_ref())?,
                    note: note(node.note.as_ref())?,
                },
                created: self.created(node)?,
            }),
            Kind::Process => {
                let process = Process {
                    id: ProcessId::from_uuid(uuid),
                    revision: 1,
                    name: name("vf:name", node.name.as_ref())?,
                    has_beginning: time("vf:hasBeginning", node.has_beginning.as_ref())?,
                    has_end: time("vf:hasEnd", node.has_end.as_ref())?,
                    finished: node.finished.unwrap_or(false),
                    classified_as: uri_list("vf:classifiedAs", &node.classified_as)?,
                    note: note(node.note.as_ref())?,
                    based_on: ix.process_specification("vf:basedOn", node.based_on.as_ref())?,
                    in_scope_of: ix.agents("vf:inScopeOf", &node.in_scope_of)?,
                };
                if let (Some(begin), Some(end)) = (process.has_beginning, process.has_end)
                    && end < begin
                {
                    return Err("vf:hasEnd is before vf:hasBeginning".into());
                }
                records.processes.push(Stamped { record: process, created: self.created(node)? });
            }
            Kind::Resource => records.resources.push(self.resource(uuid, node, i)?),
            Kind::Event => records.events.push(self.event(uuid, node, i)?),
        }
        Ok(())
    }

    fn resource(&self, uuid: Uuid, node: &Node, index: usize) -> FieldResult<ResourceNode> {
        let ix = &self.index;
        let conforms_to = ix
            .resource_specification("vf:conformsTo", node.conforms_to.as_ref())?
            .ok_or("vf:conformsTo is required")?;
        let accounting = ix.measure("vf:accountingQuantity", node.accounting_quantity.as_ref())?;
        let onhand = ix.measure("vf:onhandQuantity", node.onhand_quantity.as_ref())?;
        let property_regime =
            node.property_regime.as_deref().map(PropertyRegime::parse).transpose().map_err(domain)?.unwrap_or_default();
        let value_per_unit_of_use = ix
            .measure("ovn:valuePerUnitOfUse", node.value_per_unit_of_use.as_ref())?
            .map(|m| m.non_negative("ovn:valuePerUnitOfUse"))
            .transpose()
            .map_err(domain)?;
        let state = ResourceState {
            accounting_quantity: accounting.map(|m| m.has_numerical_value).unwrap_or_default(),
            onhand_quantity: onhand.map(|m| m.has_numerical_value).unwrap_or_default(),
            unit: accounting.and_then(|m| m.has_unit).or(onhand.and_then(|m| m.has_unit)),
            primary_accountable: ix.opt_agent("vf:primaryAccountable", node.primary_accountable.as_ref())?,
            custodian: ix.opt_agent("ovn:custodian", node.custodian.as_ref())?,
            current_location: node.current_location.clone(),
            contained_in: ix.resource("vf:containedIn", node.contained_in.as_ref())?,
            stage: ix.process_specification("vf:stage", node.stage.as_ref())?,
            state: node.state.clone(),
        };
        if state.contained_in == Some(EconomicResourceId::from_uuid(uuid)) {
            return Err("vf:containedIn: a resource cannot contain itself".into());
        }
        Ok(ResourceNode {
            index,
            record: EconomicResource {
                id: EconomicResourceId::from_uuid(uuid),
                revision: 1,
                state,
                details: ResourceDetails {
                    name: node.name.clone(),
                    conforms_to: Some(conforms_to),
                    classified_as: uri_list("vf:classifiedAs", &node.classified_as)?,
                    tracking_identifier: node.tracking_identifier.clone(),
                    image: uri("vf:image", node.image.as_ref())?,
                    image_list: uri_list("vf:imageList", &node.image_list)?,
                    note: note(node.note.as_ref())?,
                    unit_of_effort: ix.unit("vf:unitOfEffort", node.unit_of_effort.as_ref())?,
                    property_regime,
                    value_per_unit_of_use,
                },
                conforms_to,
            },
            created: time("ovn:created", node.created.as_ref())?,
            accounting,
            onhand,
        })
    }

    fn event(&self, uuid: Uuid, node: &Node, index: usize) -> FieldResult<EventNode> {
        let ix = &self.index;
        let mut core = NewEvent::new(
            action(node.action.as_ref())?,
            ix.agent("vf:provider", node.provider.as_ref())?,
            ix.agent("vf:receiver", node.receiver.as_ref())?,
        );
        core.resource_inventoried_as =
            ix.resource("vf:resourceInventoriedAs", node.resource_inventoried_as.as_ref())?;
        core.to_resource_inventoried_as =
            ix.resource("vf:toResourceInventoriedAs", node.to_resource_inventoried_as.as_ref())?;
        core.resource_quantity = ix.measure("vf:resourceQuantity", node.resource_quantity.as_ref())?;
        core.effort_quantity = ix.measure("vf:effortQuantity", node.effort_quantity.as_ref())?;
        core.input_of = ix.process("vf:inputOf", node.input_of.as_ref())?;
        core.output_of = ix.process("vf:outputOf", node.output_of.as_ref())?;
        core.at_location = node.at_location.clone();
        core.to_location = node.to_location.clone();
        core.state = node.state.clone();
        core.corrects = ix.event("vf:corrects", node.corrects.as_ref())?;
        let details = EventDetails {
            resource_classified_as: uri_list("vf:resourceClassifiedAs", &node.resource_classified_as)?,
            resource_conforms_to: ix
                .resource_specification("vf:resourceConformsTo", node.resource_conforms_to.as_ref())?,
            has_beginning: time("vf:hasBeginning", node.has_beginning.as_ref())?,
            has_end: time("vf:hasEnd", node.has_end.as_ref())?,
            has_point_in_time: time("vf:hasPointInTime", node.has_point_in_time.as_ref())?,
            note: note(node.note.as_ref())?,
            agreed_in: uri("vf:agreedIn", node.agreed_in.as_ref())?,
            triggered_by: ix.event("vf:triggeredBy", node.triggered_by.as_ref())?,
            declared_value: ix.measure("ovn:declaredValue", node.declared_value.as_ref())?,
            in_scope_of: ix.agents("vf:inScopeOf", &node.in_scope_of)?,
        };
        details.validate().map_err(domain)?;
        let created = match time("ovn:created", node.created.as_ref())? {
            Some(created) => created,
            None => {
                // Keep the document's order as the recording order.
                let offset = i64::try_from(index).unwrap_or(i64::MAX);
                self.now + chrono::Duration::microseconds(offset)
            }
        };
        Ok(EventNode {
            index,
            event: EconomicEvent { id: EconomicEventId::from_uuid(uuid), revision: 1, core, details, created },
            new_resource: ix.resource("ovn:newInventoriedResource", node.new_inventoried_resource.as_ref())?,
        })
    }
}

fn index_of<'a>(nodes: &'a [Node], problems: &mut Problems) -> (Index<'a>, Vec<Option<(Kind, Uuid)>>) {
    let mut by_iri: HashMap<&str, (Kind, Uuid)> = HashMap::with_capacity(nodes.len());
    let mut kinds = Vec::with_capacity(nodes.len());
    let mut uuids: HashSet<Uuid> = HashSet::with_capacity(nodes.len());
    for (i, node) in nodes.iter().enumerate() {
        let Some(kind) = Kind::of(&node.types) else {
            problems.push(i, &node.id, format!("@type {:?} is not a kind of record ovn imports", node.types));
            kinds.push(None);
            continue;
        };
        let Some(uuid) = uuid_of(&node.id) else {
            problems.push(i, &node.id, "@id must be an IRI ending in the record's UUID ({base}/{type}/{uuid})");
            kinds.push(None);
            continue;
        };
        if by_iri.insert(&node.id, (kind, uuid)).is_some() || !uuids.insert(uuid) {
            problems.push(i, &node.id, "@id is used by another node of the document");
            kinds.push(None);
            continue;
        }
        kinds.push(Some((kind, uuid)));
    }
    (Index { by_iri }, kinds)
}

/// Checks a document and turns it into a ledger ready to write (see the module
/// documentation for what is checked). `now` stands in for missing `ovn:created` times.
pub fn check(document: &Document, now: DateTime<Utc>) -> Result<Ledger, ImportError> {
    let mut problems = Problems::default();
    let (index, kinds) = index_of(&document.nodes, &mut problems);
    let checker = Checker { index, now };
    let mut records = Records::default();
    for (i, (node, kind)) in document.nodes.iter().zip(&kinds).enumerate() {
        if let Some((kind, uuid)) = kind
            && let Err(message) = checker.record(*kind, *uuid, node, &mut records, i)
        {
            problems.push(i, &node.id, message);
        }
    }
    let mut labels: HashMap<(&str, &str), usize> = HashMap::new();
    for unit in &records.units {
        let key = (unit.record.label.as_str(), unit.record.symbol.as_str());
        if labels.insert(key, 0).is_some() {
            let i = document.nodes.iter().position(|n| uuid_of(&n.id) == Some(unit.record.id.uuid())).unwrap_or(0);
            problems.push(i, &document.nodes[i].id, "another unit has the same label and symbol");
        }
    }
    if !problems.is_empty() {
        return Err(problems.into_error());
    }
    replay(&document.nodes, records, &mut problems)
}

/// Applies every event to its resources in document order, then builds the ledger.
fn replay(nodes: &[Node], records: Records, problems: &mut Problems) -> Result<Ledger, ImportError> {
    let based_on: HashMap<ProcessId, Option<ProcessSpecificationId>> =
        records.processes.iter().map(|p| (p.record.id, p.record.based_on)).collect();
    let mut states = Books::new();
    let mut created_at: HashMap<EconomicResourceId, DateTime<Utc>> = HashMap::with_capacity(records.resources.len());
    let mut position: HashMap<EconomicEventId, usize> = HashMap::with_capacity(records.events.len());
    let mut events: Vec<EconomicEvent> = Vec::with_capacity(records.events.len());
    let mut previous: Option<(DateTime<Utc>, Uuid)> = None;
    for node in records.events {
        let EventNode { index, mut event, new_resource } = node;
        let id = &nodes[index].id;
        let key = (event.created, event.id.uuid());
        if previous.is_some_and(|p| p >= key) {
            problems.push(index, id, "events must be in recording order (ovn:created, then id)");
            return Err(std::mem::take(problems).into_error());
        }
        previous = Some(key);
        if let Err(message) = step(&mut event, new_resource, &events, &position, &based_on, &mut states) {
            problems.push(index, id, message);
            return Err(std::mem::take(problems).into_error());
        }
        for resource in
            [event.core.resource_inventoried_as, event.core.to_resource_inventoried_as].into_iter().flatten()
        {
            created_at.entry(resource).or_insert(event.created);
        }
        position.insert(event.id, events.len());
        events.push(event);
    }
    let mut resources = Vec::with_capacity(records.resources.len());
    for node in records.resources {
        let id = &nodes[node.index].id;
        match settle(node.record, node.accounting, node.onhand, &states) {
            Ok(record) => {
                let created = node.created.or_else(|| created_at.get(&record.id).copied()).unwrap_or_default();
                resources.push(Stamped { record, created });
            }
            Err(message) => problems.push(node.index, id, message),
        }
    }
    if !problems.is_empty() {
        return Err(std::mem::take(problems).into_error());
    }
    let mut ledger = Ledger {
        units: records.units,
        agents: records.agents,
        roles: records.roles,
        relationships: records.relationships,
        resource_specifications: records.resource_specifications,
        process_specifications: records.process_specifications,
        processes: records.processes,
        resources,
        events,
    };
    ledger.units.sort_by_key(|s| s.record.id);
    ledger.agents.sort_by_key(|s| s.record.id);
    ledger.roles.sort_by_key(|s| s.record.id);
    ledger.relationships.sort_by_key(|s| s.record.id);
    ledger.resource_specifications.sort_by_key(|s| s.record.id);
    ledger.process_specifications.sort_by_key(|s| s.record.id);
    ledger.processes.sort_by_key(|s| s.record.id);
    ledger.resources.sort_by_key(|s| s.record.id);
    Ok(ledger)
}

/// Checks one event against what came before and applies it to its resources, through the
/// domain's own rules (the live service's, without the database): [`observation::prepare`]
/// (corrections, fields), [`creation::assign`] and [`Books::record`].
///
/// The document states every side of an event, the one it created included; a side first
/// named by an event whose action can create it is created by it (`ovn:newInventoriedResource`,
/// when stated, must name that side).
fn step(
    event: &mut EconomicEvent,
    new_resource: Option<EconomicResourceId>,
    earlier: &[EconomicEvent],
    position: &HashMap<EconomicEventId, usize>,
    based_on: &HashMap<ProcessId, Option<ProcessSpecificationId>>,
    books: &mut Books,
) -> FieldResult<()> {
    let stated = event.core.clone();
    let original = match stated.corrects {
        Some(original_id) => Some(
            position
                .get(&original_id)
                .and_then(|&p| earlier.get(p))
                .ok_or_else(|| format!("vf:corrects: event <{original_id}> must come before its correction"))?
                .core
                .clone(),
        ),
        None => None,
    };
    let context = EventContext {
        original,
        output_process_based_on: stated.output_of.and_then(|p| based_on.get(&p).copied().flatten()),
        ..EventContext::default()
    };
    let to_side = if stated.same_resource() { None } else { stated.to_resource_inventoried_as };
    let created = match stated.action.def().create_resource {
        _ if stated.corrects.is_some() => None,
        CreateResource::Optional => stated.resource_inventoried_as.filter(|id| !books.contains(*id)),
        CreateResource::OptionalTo => to_side.filter(|id| !books.contains(*id)),
        CreateResource::NotApplicable => None,
    };
    if let Some(named) = new_resource
        && created != Some(named)
    {
        return Err(format!(
            "ovn:newInventoriedResource: the event cannot create <{named}> (it exists already, or the event's \
             action does not create that side)"
        ));
    }
    let mut core = stated.clone();
    core.creates_resource = created.is_some();
    if created.is_some() {
        match core.action.def().create_resource {
            CreateResource::Optional => core.resource_inventoried_as = None,
            _ => core.to_resource_inventoried_as = None,
        }
    }
    let mut core = observation::prepare(core, &event.details, &context).map_err(domain)?;
    if let Some(id) = created {
        creation::assign(&mut core, id);
    }
    let flows = |e: &NewEvent| {
        (e.provider, e.receiver, e.resource_inventoried_as, e.to_resource_inventoried_as, e.input_of, e.output_of)
    };
    if flows(&core) != flows(&stated) {
        return Err("vf:corrects: a correction has the same agents, resources and processes as the original".into());
    }
    books.record(&core, &context).map_err(domain)?;
    event.core = core;
    Ok(())
}

/// The resource as its events left it: balances, unit, accountable agent and custodian from
/// the replay (the node must agree when it states them); descriptive fields from the node when
/// stated.
fn settle(
    mut record: EconomicResource,
    accounting: Option<Measure>,
    onhand: Option<Measure>,
    states: &Books,
) -> FieldResult<EconomicResource> {
    let replayed = states.get(record.id).ok_or("no event in the file creates this resource")?;
    let stated = &record.state;
    let show = |m: Measure| {
        format!(
            "{}{}",
            canonical(m.has_numerical_value),
            m.has_unit.map(|u| format!(" (unit {u})")).unwrap_or_default()
        )
    };
    for (field, claimed, actual) in [
        ("vf:accountingQuantity", accounting, Measure::new(replayed.accounting_quantity, replayed.unit)),
        ("vf:onhandQuantity", onhand, Measure::new(replayed.onhand_quantity, replayed.unit)),
    ] {
        if let Some(claimed) = claimed
            && claimed != actual
        {
            return Err(format!("{field} is {} but the events give {}", show(claimed), show(actual)));
        }
    }
    for (field, claimed, actual) in [
        ("vf:primaryAccountable", stated.primary_accountable, replayed.primary_accountable),
        ("ovn:custodian", stated.custodian, replayed.custodian),
    ] {
        if claimed.is_some() && claimed != actual {
            let text = |a: Option<AgentId>| a.map_or_else(|| "nobody".to_owned(), |a| a.to_string());
            return Err(format!("{field} is {} but the events give {}", text(claimed), text(actual)));
        }
    }
    let state = ResourceState {
        accounting_quantity: replayed.accounting_quantity,
        onhand_quantity: replayed.onhand_quantity,
        unit: replayed.unit,
        primary_accountable: replayed.primary_accountable,
        custodian: replayed.custodian,
        current_location: stated.current_location.clone().or_else(|| replayed.current_location.clone()),
        contained_in: stated.contained_in.or(replayed.contained_in),
        stage: stated.stage.or(replayed.stage),
        state: stated.state.clone().or_else(|| replayed.state.clone()),
    };
    record.state = state;
    Ok(record)
}

// ---------------------------------------------------------------- writing

fn counts(ledger: &Ledger) -> Vec<(&'static str, usize)> {
    vec![
        ("units", ledger.units.len()),
        ("agents", ledger.agents.len()),
        ("agent relationship roles", ledger.roles.len()),
        ("agent relationships", ledger.relationships.len()),
        ("resource specifications", ledger.resource_specifications.len()),
        ("process specifications", ledger.process_specifications.len()),
        ("processes", ledger.processes.len()),
        ("economic resources", ledger.resources.len()),
        ("economic events", ledger.events.len()),
    ]
}

fn database(err: PersistenceError) -> ImportError {
    match err {
        PersistenceError::Conflict(message) => ImportError::NotEmpty(message),
        other => ImportError::Database(other),
    }
}

/// Where progress is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShowProgress {
    /// A progress bar on stderr (hidden when stderr is not a terminal).
    Stderr,
    /// Nothing.
    Hidden,
}

fn bar(show: ShowProgress, length: u64, template: &str) -> ProgressBar {
    let target = match show {
        ShowProgress::Stderr => ProgressDrawTarget::stderr(),
        ShowProgress::Hidden => ProgressDrawTarget::hidden(),
    };
    let bar = ProgressBar::with_draw_target(Some(length), target);
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// Refuses early (before reading a large file) when the database already holds records.
pub async fn ensure_empty(store: &Store) -> Result<(), ImportError> {
    match store.first_non_empty_table().await.map_err(ImportError::Database)? {
        None => Ok(()),
        Some(table) => Err(ImportError::NotEmpty(format!(
            "the database is not empty (it already holds {table}); an import only loads into an empty database"
        ))),
    }
}

/// Writes a checked ledger (one transaction), drawing progress on `show`.
pub async fn write(store: &Store, ledger: Ledger, show: ShowProgress) -> Result<(u64, Duration), ImportError> {
    let started = Instant::now();
    let ledger = Arc::new(ledger);
    let progress_bar = bar(show, ledger.row_count(), "{msg:>10} [{bar:40}] {human_pos}/{human_len} rows ({per_sec})");
    progress_bar.set_message("writing");
    let ticker = progress_bar.clone();
    let progress: Progress = Arc::new(move |rows| ticker.inc(rows));
    let rows = store.write_ledger(ledger, progress).await.map_err(database);
    progress_bar.finish_and_clear();
    Ok((rows?, started.elapsed()))
}

/// Imports a document already in memory (the bench uses it): check, then write.
pub async fn import_bytes(store: &Store, bytes: &[u8], show: ShowProgress) -> Result<ImportSummary, ImportError> {
    ensure_empty(store).await?;
    let started = Instant::now();
    let document = read_document(bytes)?;
    let read = started.elapsed();
    finish(store, &document, read, show).await
}

async fn finish(
    store: &Store,
    document: &Document,
    read: Duration,
    show: ShowProgress,
) -> Result<ImportSummary, ImportError> {
    let started = Instant::now();
    let checking = bar(show, 0, "{spinner} {msg}");
    checking.set_message(format!("checking {} records", document.len()));
    checking.enable_steady_tick(Duration::from_millis(100));
    let ledger = check(document, Utc::now());
    checking.finish_and_clear();
    let ledger = ledger?;
    let check_time = started.elapsed();
    let counts = counts(&ledger);
    let events = ledger.events.len();
    let (rows, write_time) = write(store, ledger, show).await?;
    Ok(ImportSummary { counts, events, rows, read, check: check_time, write: write_time })
}

/// `ovn import FILE`: reads, checks and writes the ledger in `path` into the empty database of
/// `store`, with a progress bar on stderr when `show` says so.
pub async fn import_file(store: &Store, path: &Path, show: ShowProgress) -> Result<ImportSummary, ImportError> {
    ensure_empty(store).await?;
    let started = Instant::now();
    let file = std::fs::File::open(path).map_err(ImportError::Io)?;
    let length = file.metadata().map_err(ImportError::Io)?.len();
    let reading = bar(show, length, "{msg:>10} [{bar:40}] {bytes}/{total_bytes} ({bytes_per_sec})");
    reading.set_message("reading");
    // Parsing from memory is about twice as fast as from a reader; a ledger file fits.
    let mut bytes = Vec::with_capacity(usize::try_from(length).unwrap_or(0));
    let read = reading.wrap_read(file).read_to_end(&mut bytes).map_err(ImportError::Io);
    reading.set_message("parsing");
    let document = read.and_then(|_| read_document(&bytes));
    reading.finish_and_clear();
    drop(bytes);
    let document = document?;
    let read = started.elapsed();
    finish(store, &document, read, show).await
}
