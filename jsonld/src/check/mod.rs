//! Checking, before anything is committed: every `@id` is unique and ends in a UUID,
//! every reference resolves to a record of the right type, every field passes the domain's
//! rules, events are in recording order, corrections correct an earlier original in the same
//! flows, and every event is applied, in order, to the resources it names with the domain's
//! own [`ovn_domain::observation::apply`] (the rule the live service uses), which refuses e.g.
//! a consume below zero. The balances, unit, accountable agent and custodian a resource node
//! states must equal what its events give; the descriptive fields (location, stage, state,
//! container) are taken from the node when it states them, as they can change outside events.
//! A problem is reported with its position: the index in `@graph` and the `@id`.
//!
//! The check streams ([`StreamCheck`]): nodes are pushed one at a time, in document order, and
//! what passed goes to a [`Sink`] as soon as it is known to be right, so that a ledger of
//! millions of events is never held whole. What it keeps: every record but the events (they
//! are few, and the events are checked against them), the resources' states, and for each
//! event read so far its UUID with a hash of its IRI (about 40 bytes an event: ids must be
//! unique and `vf:corrects`, `vf:triggeredBy` must name events of the file). The original of
//! a correction is asked of the sink (a database finds it in the rows written so far).
//!
//! This asks one thing of a streamed document that a document held whole need not do: every
//! record but the events comes before the first event, as `ovn export` writes them (records
//! by kind, events last). Events name only earlier events, but for `vf:triggeredBy`, which may
//! name a later one (it can be set after recording) and is checked at the end. [`check`], for a
//! document held whole, hands the checker the other records first, so their order there is
//! free.
//!
//! Problems: every record is checked, and up to [`MAX_PROBLEMS`] problems are listed. The
//! replay (applying events to resources in order) stops at its first problem, and is not run
//! past a record that broke a rule, as a replay after a bad record would report consequences
//! rather than causes; once a problem is found the sink gets nothing more.
//!
//! Ids and system times (`ovn:created`) are kept, so export, import, export is byte-identical.
//! A node without `ovn:created` gets the check's `now` (events: plus their position in
//! microseconds, to keep their recording order).

mod fields;
mod records;
mod replay;
mod stream;

use chrono::{DateTime, Utc};
use ovn_domain::DomainError;
use ovn_domain::agent::AgentKind;
use ovn_domain::ledger_books::Ledger;
use uuid::Uuid;

use crate::error::{Error, MAX_PROBLEMS, Problem};
use crate::reader::Document;
use crate::vocabulary::{OM2_NAMESPACE, VF_NAMESPACE, node_type};
pub use stream::{Checked, Sink, StreamCheck};

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

    fn is_full(&self) -> bool {
        self.total >= MAX_PROBLEMS
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

/// Checks a document held whole and turns it into a ledger ready to store: ids unique,
/// references resolved to records of the right type, every field and record rule passed,
/// events in recording order and applied, in order, to their resources, and each resource's
/// stated balances equal to what its events give. `now` stands in for missing `ovn:created`
/// times. A refusal lists the first [`MAX_PROBLEMS`] problems, in document order, each with
/// its `@graph` index and `@id`. The same check as [`StreamCheck`]; here the other records
/// may come in any order relative to the events.
pub fn check(document: &Document, now: DateTime<Utc>) -> Result<Ledger, Error> {
    let mut sink = stream::Collect::default();
    let mut checker = StreamCheck::new(now);
    let is_event = |i: &usize| Kind::of(&document.nodes[*i].types) == Some(Kind::Event);
    let (events, others): (Vec<usize>, Vec<usize>) = (0..document.nodes.len()).partition(is_event);
    for i in others.into_iter().chain(events) {
        checker.push(i, &document.nodes[i], &mut sink);
        if checker.is_full() {
            break;
        }
    }
    match checker.finish(&mut sink) {
        Ok(checked) => Ok(sink.into_ledger(checked)),
        Err(Error::Invalid { mut problems, total }) => {
            problems.sort_by_key(|p| p.index);
            Err(Error::Invalid { problems, total })
        }
        Err(other) => Err(other),
    }
}
