//! Writing: a ledger as a JSON-LD document, complete (every record, with its system time
//! `ovn:created`), exact (decimals are JSON strings in canonical form, never JSON numbers) and
//! deterministic (records sorted by type, then id; events in recording order), so that export,
//! import, export gives byte-identical files.

use std::collections::HashSet;
use std::io::{self, Write};

use chrono::{DateTime, Utc};
use ovn_domain::action::CreateResource;
use ovn_domain::agent::AgentKind;
use ovn_domain::ledger_books::Ledger;
use ovn_domain::observation::NewEvent;
use ovn_domain::text::Uri;
use ovn_domain::{EconomicResourceId, Measure, UnitId, canonical};
use uuid::Uuid;

use crate::error::Error;
use crate::node::{JsonMeasure, Node};
use crate::vocabulary::{CONTEXT, iri, node_type, segment, time_text};

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
fn created_resources(ledger: &Ledger) -> Vec<Option<EconomicResourceId>> {
    let mut seen: HashSet<EconomicResourceId> = HashSet::with_capacity(ledger.resources.len());
    ledger
        .events
        .iter()
        .map(|event| {
            let core = &event.core;
            let created = created_by(core, &seen);
            seen.extend(core.resource_inventoried_as);
            seen.extend(core.to_resource_inventoried_as);
            created
        })
        .collect()
}

/// What `newInventoriedResource` names for one event, given the resources named by earlier
/// events: a resource not seen before, on the side the event's action may create, never by a
/// correction. A rule of the books the domain owns, kept in this one function until the domain
/// states it, so that it can be swapped for the domain's call.
fn created_by(core: &NewEvent, seen: &HashSet<EconomicResourceId>) -> Option<EconomicResourceId> {
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
    created
}

/// The nodes of a ledger, in export order (see the crate documentation).
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
            medium_of_exchange: r.medium_of_exchange,
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

/// Writes `ledger` as a JSON-LD document to `out`, with IRIs under `base` (no trailing slash
/// needed): the context on the first line, then one node per line. Records come in the
/// ledger's order (by kind, then id; events in recording order), so the same ledger always
/// gives the same bytes. `out` is buffered here.
pub fn write<W: Write>(ledger: &Ledger, base: &str, out: W) -> Result<ExportSummary, Error> {
    Ok(write_document(ledger, base, out)?)
}

fn write_document<W: Write>(ledger: &Ledger, base: &str, out: W) -> io::Result<ExportSummary> {
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
