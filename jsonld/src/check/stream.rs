//! The check as a stream: nodes pushed one at a time; what passed handed to a [`Sink`] as
//! soon as it is known to be right. See the module above for what is kept and why.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use ovn_domain::ledger_books::{Ledger, Stamped};
use ovn_domain::observation::{Books, EconomicEvent, EconomicResource, NewEvent};
use ovn_domain::{EconomicEventId, EconomicResourceId, ProcessId, ProcessSpecificationId};
use uuid::Uuid;

use super::fields::{Index, iri_hash};
use super::records::{Checker, EventNode, Records, ResourceNode};
use super::replay::{settle, step};
use super::{Kind, Problems, uuid_of};
use crate::error::Error;
use crate::node::Node;

/// Where a streamed check sends what passed: every record but the events once, then each
/// event in recording order. Nothing reaches it after a problem, so a sink that writes can
/// stop there; the caller learns of the problems from [`StreamCheck::finish`].
pub trait Sink {
    /// Every record but the events (`events` is empty), checked, once, before the first event.
    /// Resources carry the state and `created` their nodes state (`created` is the check's
    /// `now` when not stated); [`Checked::resources`] lists those the events then changed.
    fn records(&mut self, records: Ledger);

    /// One event, checked and applied to its resources. When its `triggered_by` names an event
    /// that comes later, `trigger_now` is false: that link is in [`Checked::triggers`], to be
    /// set once the later event exists.
    fn event(&mut self, event: EconomicEvent, trigger_now: bool);

    /// What an event handed to [`Sink::event`] earlier says (its `core`): the checker asks
    /// for the original of a correction rather than keep every event.
    fn original(&mut self, id: EconomicEventId) -> Option<NewEvent>;
}

/// What the events did to the records a sink was given first, once the whole document passed.
#[derive(Debug, Clone, Default)]
pub struct Checked {
    /// Resources whose state or `created` differ from what [`Sink::records`] had them with,
    /// as the events left them (none for a file `ovn export` wrote: it states them all).
    pub resources: Vec<Stamped<EconomicResource>>,
    /// `(event, the later event that triggered it)`, for links an event could not carry when
    /// it was handed over.
    pub triggers: Vec<(EconomicEventId, EconomicEventId)>,
    /// Records per kind, in `@graph` order of kinds.
    pub counts: Vec<(&'static str, usize)>,
}

/// The books as the events so far left them.
struct Replay {
    based_on: HashMap<ProcessId, Option<ProcessSpecificationId>>,
    books: Books,
    /// When each resource was first named by an event (its `created` when the node is silent).
    first_named: HashMap<EconomicResourceId, DateTime<Utc>>,
    previous: Option<(DateTime<Utc>, Uuid)>,
}

/// A `vf:triggeredBy` naming an event not read yet.
struct Ahead {
    index: usize,
    iri: String,
    event: EconomicEventId,
    target_iri: String,
    target: EconomicEventId,
}

/// A streamed check: [`StreamCheck::push`] every node in document order, then
/// [`StreamCheck::finish`].
pub struct StreamCheck {
    now: DateTime<Utc>,
    problems: Problems,
    /// Nodes before the first event, held until it comes.
    prelude: Vec<(usize, Node)>,
    /// Set once the prelude is checked.
    checker: Option<Checker>,
    /// UUIDs of every record but the events.
    uuids: HashSet<Uuid>,
    /// `None` once a problem stopped the replay.
    replay: Option<Replay>,
    resources: Vec<ResourceNode>,
    ahead: Vec<Ahead>,
    counts: Vec<(&'static str, usize)>,
    events: usize,
}

impl StreamCheck {
    /// A check whose `now` stands in for missing `ovn:created` times.
    pub fn new(now: DateTime<Utc>) -> Self {
        Self {
            now,
            problems: Problems::default(),
            prelude: Vec::new(),
            checker: None,
            uuids: HashSet::new(),
            replay: None,
            resources: Vec::new(),
            ahead: Vec::new(),
            counts: Vec::new(),
            events: 0,
        }
    }

    /// Checks the node at `index` of `@graph` (nodes come in document order).
    pub fn push(&mut self, index: usize, node: &Node, sink: &mut impl Sink) {
        let is_event = Kind::of(&node.types) == Some(Kind::Event);
        if self.checker.is_none() {
            if !is_event {
                self.prelude.push((index, node.clone()));
                return;
            }
            self.close_prelude(sink);
        }
        if is_event {
            self.event(index, node, sink);
        } else if Kind::of(&node.types).is_none() {
            self.refuse(index, &node.id, format!("@type {:?} is not a kind of record ovn imports", node.types));
        } else {
            self.refuse(
                index,
                &node.id,
                "every record but the economic events comes before the first event (as ovn export writes them)",
            );
        }
    }

    /// Whether [`crate::MAX_PROBLEMS`] problems were found: reading on would list no more.
    pub fn is_full(&self) -> bool {
        self.problems.is_full()
    }

    /// Whether a problem was found: the ledger will be refused, and the sink gets nothing more.
    pub fn is_refused(&self) -> bool {
        !self.problems.is_empty()
    }

    fn refuse(&mut self, index: usize, id: &str, message: impl Into<String>) {
        self.problems.push(index, id, message);
        self.replay = None;
    }

    /// Checks the records before the first event, with references among them in any order,
    /// and hands them to the sink.
    fn close_prelude(&mut self, sink: &mut impl Sink) {
        let prelude = std::mem::take(&mut self.prelude);
        let mut index = Index::default();
        let mut kinds = Vec::with_capacity(prelude.len());
        for (i, node) in &prelude {
            let Some(kind) = Kind::of(&node.types) else {
                self.problems.push(*i, &node.id, format!("@type {:?} is not a kind of record ovn imports", node.types));
                kinds.push(None);
                continue;
            };
            let Some(uuid) = uuid_of(&node.id) else {
                self.problems.push(
                    *i,
                    &node.id,
                    "@id must be an IRI ending in the record's UUID ({base}/{type}/{uuid})",
                );
                kinds.push(None);
                continue;
            };
            if index.by_iri.insert(node.id.clone(), (kind, uuid)).is_some() || !self.uuids.insert(uuid) {
                self.problems.push(*i, &node.id, "@id is used by another node of the document");
                kinds.push(None);
                continue;
            }
            kinds.push(Some((kind, uuid)));
        }
        let checker = Checker { index, now: self.now };
        let mut records = Records::default();
        for ((i, node), kind) in prelude.iter().zip(&kinds) {
            if let Some((kind, uuid)) = kind
                && let Err(message) = checker.record(*kind, *uuid, node, &mut records, *i)
            {
                self.problems.push(*i, &node.id, message);
            }
        }
        let mut labels: HashSet<(&str, &str)> = HashSet::new();
        for unit in &records.units {
            if !labels.insert((unit.record.label.as_str(), unit.record.symbol.as_str())) {
                let uuid = unit.record.id.uuid();
                let (i, id) = prelude
                    .iter()
                    .find(|(_, n)| uuid_of(&n.id) == Some(uuid))
                    .map_or((0, ""), |(i, n)| (*i, n.id.as_str()));
                self.problems.push(i, id, "another unit has the same label and symbol");
            }
        }
        self.checker = Some(checker);
        self.counts = vec![
            ("units", records.units.len()),
            ("agents", records.agents.len()),
            ("agent relationship roles", records.roles.len()),
            ("agent relationships", records.relationships.len()),
            ("resource specifications", records.resource_specifications.len()),
            ("process specifications", records.process_specifications.len()),
            ("processes", records.processes.len()),
            ("economic resources", records.resources.len()),
        ];
        if !self.problems.is_empty() {
            return;
        }
        self.replay = Some(Replay {
            based_on: records.processes.iter().map(|p| (p.record.id, p.record.based_on)).collect(),
            books: Books::new(),
            first_named: HashMap::with_capacity(records.resources.len()),
            previous: None,
        });
        let now = self.now;
        let resources = records
            .resources
            .iter()
            .map(|r| Stamped { record: r.record.clone(), created: r.created.unwrap_or(now) })
            .collect();
        self.resources = records.resources;
        sink.records(Ledger {
            units: records.units,
            agents: records.agents,
            roles: records.roles,
            relationships: records.relationships,
            resource_specifications: records.resource_specifications,
            process_specifications: records.process_specifications,
            processes: records.processes,
            resources,
            events: Vec::new(),
        });
    }

    fn event(&mut self, index: usize, node: &Node, sink: &mut impl Sink) {
        let Some(checker) = self.checker.as_mut() else { return };
        let Some(uuid) = uuid_of(&node.id) else {
            self.refuse(index, &node.id, "@id must be an IRI ending in the record's UUID ({base}/{type}/{uuid})");
            return;
        };
        if checker.index.by_iri.contains_key(&node.id)
            || self.uuids.contains(&uuid)
            || checker.index.events.insert(uuid, iri_hash(&node.id)).is_some()
        {
            self.refuse(index, &node.id, "@id is used by another node of the document");
            return;
        }
        self.events += 1;
        let checked = checker.event(uuid, node, index);
        let EventNode { mut event, new_resource, trigger_ahead, .. } = match checked {
            Ok(checked) => checked,
            Err(message) => {
                self.refuse(index, &node.id, message);
                return;
            }
        };
        if trigger_ahead && let (Some(target), Some(target_iri)) = (event.details.triggered_by, &node.triggered_by) {
            self.ahead.push(Ahead {
                index,
                iri: node.id.clone(),
                event: event.id,
                target_iri: target_iri.clone(),
                target,
            });
        }
        let Some(replay) = self.replay.as_mut() else { return };
        let key = (event.created, event.id.uuid());
        if replay.previous.is_some_and(|p| p >= key) {
            self.refuse(index, &node.id, "events must be in recording order (ovn:created, then id)");
            return;
        }
        replay.previous = Some(key);
        let original = event.core.corrects.and_then(|id| sink.original(id));
        if let Err(message) = step(&mut event, new_resource, original, &replay.based_on, &mut replay.books) {
            self.refuse(index, &node.id, message);
            return;
        }
        for resource in
            [event.core.resource_inventoried_as, event.core.to_resource_inventoried_as].into_iter().flatten()
        {
            replay.first_named.entry(resource).or_insert(event.created);
        }
        sink.event(event, !trigger_ahead);
    }

    /// Ends the check: `vf:triggeredBy` links to later events resolved, each resource
    /// compared with what its events give. `Ok` only when the whole document passed.
    pub fn finish(mut self, sink: &mut impl Sink) -> Result<Checked, Error> {
        if self.checker.is_none() {
            self.close_prelude(sink);
        }
        let mut triggers = Vec::with_capacity(self.ahead.len());
        if let Some(checker) = &self.checker {
            for ahead in std::mem::take(&mut self.ahead) {
                if checker.index.known_event(&ahead.target_iri).is_some() {
                    triggers.push((ahead.event, ahead.target));
                } else {
                    self.problems.push(
                        ahead.index,
                        &ahead.iri,
                        format!("vf:triggeredBy: unknown economic event <{}> (not in this file)", ahead.target_iri),
                    );
                }
            }
        }
        let Some(replay) = self.replay.take().filter(|_| self.problems.is_empty()) else {
            return Err(self.problems.into_error());
        };
        let mut resources = Vec::new();
        for node in std::mem::take(&mut self.resources) {
            let stated_created = node.created;
            let sent = Stamped { record: node.record.clone(), created: stated_created.unwrap_or(self.now) };
            match settle(node.record, node.accounting, node.onhand, &replay.books) {
                Ok(record) => {
                    let created =
                        stated_created.or_else(|| replay.first_named.get(&record.id).copied()).unwrap_or_default();
                    if record != sent.record || created != sent.created {
                        resources.push(Stamped { record, created });
                    }
                }
                Err(message) => self.problems.push(node.index, &node.iri, message),
            }
        }
        if !self.problems.is_empty() {
            return Err(self.problems.into_error());
        }
        let mut counts = self.counts;
        counts.push(("economic events", self.events));
        Ok(Checked { resources, triggers, counts })
    }
}

/// A sink that keeps everything: the ledger of a document held whole ([`super::check`]).
#[derive(Default)]
pub(super) struct Collect {
    ledger: Ledger,
    position: HashMap<EconomicEventId, usize>,
}

impl Sink for Collect {
    fn records(&mut self, records: Ledger) {
        self.ledger = records;
    }

    fn event(&mut self, event: EconomicEvent, _trigger_now: bool) {
        self.position.insert(event.id, self.ledger.events.len());
        self.ledger.events.push(event);
    }

    fn original(&mut self, id: EconomicEventId) -> Option<NewEvent> {
        self.position.get(&id).and_then(|&p| self.ledger.events.get(p)).map(|e| e.core.clone())
    }
}

impl Collect {
    /// The checked ledger, with the resources as their events left them.
    pub(super) fn into_ledger(self, checked: Checked) -> Ledger {
        let mut ledger = self.ledger;
        let changed: HashMap<EconomicResourceId, Stamped<EconomicResource>> =
            checked.resources.into_iter().map(|r| (r.record.id, r)).collect();
        for resource in &mut ledger.resources {
            if let Some(settled) = changed.get(&resource.record.id) {
                *resource = settled.clone();
            }
        }
        ledger.sort_by_id();
        ledger
    }
}
