//! References an input makes to other records, checked before anything is written: a
//! reference to a missing record is refused as `BAD_INPUT` naming the input field, rather
//! than failing on a foreign key after half the work (which would say nothing useful).

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use ovn_domain::{
    AgentId, AgentRelationshipRoleId, AgreementId, DomainError, EconomicEventId, EconomicResourceId, IntentId, PlanId,
    ProcessId, ProcessSpecificationId, ResourceSpecificationId, UnitId,
};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, UnionType};
use sea_orm::{ConnectionTrait, DatabaseTransaction};

use crate::error::Result;

/// A reference to a record, by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Ref {
    /// An agent.
    Agent(AgentId),
    /// A unit of measure.
    Unit(UnitId),
    /// A resource specification.
    ResourceSpecification(ResourceSpecificationId),
    /// A process specification.
    ProcessSpecification(ProcessSpecificationId),
    /// A process.
    Process(ProcessId),
    /// An economic event.
    Event(EconomicEventId),
    /// An economic resource.
    Resource(EconomicResourceId),
    /// An agent relationship role.
    Role(AgentRelationshipRoleId),
    /// A plan.
    Plan(PlanId),
    /// An agreement.
    Agreement(AgreementId),
    /// An intent.
    Intent(IntentId),
}

impl Ref {
    fn table(self) -> (&'static str, &'static str) {
        match self {
            Self::Agent(_) => ("agent", "agent"),
            Self::Unit(_) => ("unit", "unit"),
            Self::ResourceSpecification(_) => ("resource_specification", "resource specification"),
            Self::ProcessSpecification(_) => ("process_specification", "process specification"),
            Self::Process(_) => ("process", "process"),
            Self::Event(_) => ("economic_event", "economic event"),
            Self::Resource(_) => ("economic_resource", "economic resource"),
            Self::Role(_) => ("agent_relationship_role", "agent relationship role"),
            Self::Plan(_) => ("plan", "plan"),
            Self::Agreement(_) => ("agreement", "agreement"),
            Self::Intent(_) => ("intent", "intent"),
        }
    }

    fn id(self) -> String {
        match self {
            Self::Agent(id) => id.to_string(),
            Self::Unit(id) => id.to_string(),
            Self::ResourceSpecification(id) => id.to_string(),
            Self::ProcessSpecification(id) => id.to_string(),
            Self::Process(id) => id.to_string(),
            Self::Event(id) => id.to_string(),
            Self::Resource(id) => id.to_string(),
            Self::Role(id) => id.to_string(),
            Self::Plan(id) => id.to_string(),
            Self::Agreement(id) => id.to_string(),
            Self::Intent(id) => id.to_string(),
        }
    }
}

/// The references of one input, each with the input field that makes it.
#[derive(Debug, Default)]
pub(crate) struct References(Vec<(Ref, Cow<'static, str>)>);

impl References {
    /// No references yet.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Adds a reference made by `field` (a name, or a path such as `buckets[1].recipient`),
    /// when there is one.
    pub(crate) fn add(&mut self, field: impl Into<Cow<'static, str>>, reference: Option<Ref>) -> &mut Self {
        if let Some(reference) = reference {
            self.0.push((reference, field.into()));
        }
        self
    }

    /// Adds every reference of a list made by `field`.
    pub(crate) fn add_all(&mut self, field: &'static str, references: impl IntoIterator<Item = Ref>) -> &mut Self {
        self.0.extend(references.into_iter().map(|r| (r, Cow::Borrowed(field))));
        self
    }

    /// Checks that every referenced record exists, in one query (a `UNION ALL` of one select
    /// per kind of record: a write checks its references in one round trip). The first
    /// missing one, in the order they were added, is the error.
    pub(crate) async fn check(&self, txn: &DatabaseTransaction) -> Result<()> {
        let existing = Existing::load(txn, std::slice::from_ref(self)).await?;
        self.verify(&existing)
    }

    /// The first reference not in `existing`, in the order they were added, as the error.
    pub(crate) fn verify(&self, existing: &Existing) -> Result<()> {
        for (reference, field) in &self.0 {
            let (table, kind) = reference.table();
            if !existing.0.contains(&(table.to_owned(), reference.id())) {
                return Err(DomainError::invalid(
                    field.as_ref(),
                    format!("{kind} `{}` does not exist", reference.id()),
                )
                .into());
            }
        }
        Ok(())
    }
}

/// Which of the records several inputs reference exist, read in one query: a batch of writes
/// ([`crate::observation::record_all`]) checks its references in one round trip, and each
/// input is refused on its own terms ([`References::verify`]).
#[derive(Debug, Default)]
pub(crate) struct Existing(BTreeSet<(String, String)>);

impl Existing {
    /// Reads which of the records `inputs` reference exist (a `UNION ALL` of one select per
    /// kind of record).
    pub(crate) async fn load(txn: &DatabaseTransaction, inputs: &[References]) -> Result<Self> {
        let mut by_table: BTreeMap<&'static str, BTreeSet<String>> = BTreeMap::new();
        for (reference, _) in inputs.iter().flat_map(|input| &input.0) {
            by_table.entry(reference.table().0).or_default().insert(reference.id());
        }
        let select = |table: &'static str, ids: &BTreeSet<String>| {
            Query::select()
                .expr_as(Expr::val(table), Alias::new("kind"))
                .column(Alias::new("id"))
                .from(Alias::new(table))
                .and_where(Expr::col(Alias::new("id")).is_in(ids.iter().cloned()))
                .to_owned()
        };
        let mut tables = by_table.iter();
        let Some((first_table, first_ids)) = tables.next() else { return Ok(Self::default()) };
        let mut query = select(first_table, first_ids);
        for (table, ids) in tables {
            query.union(UnionType::All, select(table, ids));
        }
        let mut found = BTreeSet::new();
        for row in txn.query_all(&query).await? {
            found.insert((row.try_get::<String>("", "kind")?, row.try_get::<String>("", "id")?));
        }
        Ok(Self(found))
    }
}
