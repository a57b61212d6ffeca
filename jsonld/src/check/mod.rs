//! Checking, in memory, before anything is written: every `@id` is unique and ends in a UUID,
//! every reference resolves to a record of the right type, every field passes the domain's
//! rules, events are in recording order, corrections correct an earlier original in the same
//! flows, and every event is applied, in order, to the resources it names with the domain's
//! own [`ovn_domain::observation::apply`] (the rule the live service uses), which refuses e.g.
//! a consume below zero. The balances, unit, accountable agent and custodian a resource node
//! states must equal what its events give; the descriptive fields (location, stage, state,
//! container) are taken from the node when it states them, as they can change outside events.
//! A problem is reported with its position: the index in `@graph` and the `@id`.
//!
//! Ids and system times (`ovn:created`) are kept, so export, import, export is byte-identical.
//! A node without `ovn:created` gets the check's `now` (events: plus their position in
//! microseconds, to keep their recording order).

mod fields;
mod records;
mod replay;

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use ovn_domain::DomainError;
use ovn_domain::agent::AgentKind;
use ovn_domain::ledger_books::Ledger;
use uuid::Uuid;

use crate::error::{Error, MAX_PROBLEMS, Problem};
use crate::node::Node;
use crate::reader::Document;
use crate::vocabulary::{OM2_NAMESPACE, VF_NAMESPACE, node_type};
use fields::Index;
use records::{Checker, Records};

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

    fn into_error(self) -> Error {
        Error::Invalid { problems: self.list, total: self.total }
    }
}

/// A field's problem: `field: message`.
type FieldResult<T> = Result<T, String>;

fn domain(err: DomainError) -> String {
    err.to_string()
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

/// Checks a document and turns it into a ledger ready to store: ids unique, references
/// resolved to records of the right type, every field and record rule passed, events in
/// recording order and applied, in order, to their resources, and each resource's stated
/// balances equal to what its events give. `now` stands in for missing `ovn:created` times.
/// A refusal lists the first [`MAX_PROBLEMS`] problems, each with its `@graph` index and `@id`.
pub fn check(document: &Document, now: DateTime<Utc>) -> Result<Ledger, Error> {
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
    replay::replay(&document.nodes, records, &mut problems)
}
