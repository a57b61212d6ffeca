//! Batched reads of the planning layer: by id (the loaders), pages, and the one-to-many
//! lists (a process's committed inputs, a plan's commitments, a commitment's fulfilments...),
//! each one query for many keys.

use std::collections::HashMap;

use ovn_domain::planning::{Agreement, Commitment, Fulfillment, Plan};
use ovn_domain::{AgreementId, CommitmentId, EconomicEventId, FulfillmentId, PlanId};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, Select};

use super::{CommitmentFilter, PlanFilter};
use crate::entity::{agreement, commitment, fulfillment, plan};
use crate::error::Result;
use crate::page::{Page, PageRequest, paginate};
use crate::revisioned::{IN_LIST_MAX, by_ids};
use crate::rows::Record;
use crate::store::Store;

/// The link by which commitments hang off another record, for one-to-many loads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CommitmentLink {
    /// `inputOf` a process.
    InputOf,
    /// `outputOf` a process.
    OutputOf,
    /// `plannedWithin` a plan.
    PlannedWithin,
    /// `independentDemandOf` a plan.
    IndependentDemandOf,
    /// `clauseOf` an agreement.
    ClauseOf,
    /// `reciprocalClauseOf` an agreement.
    ReciprocalClauseOf,
}

impl CommitmentLink {
    fn column(self) -> commitment::Column {
        match self {
            Self::InputOf => commitment::Column::InputOf,
            Self::OutputOf => commitment::Column::OutputOf,
            Self::PlannedWithin => commitment::Column::PlannedWithin,
            Self::IndependentDemandOf => commitment::Column::IndependentDemandOf,
            Self::ClauseOf => commitment::Column::ClauseOf,
            Self::ReciprocalClauseOf => commitment::Column::ReciprocalClauseOf,
        }
    }

    fn key(self, c: &Commitment) -> Option<String> {
        match self {
            Self::InputOf => c.input_of.map(|id| id.to_string()),
            Self::OutputOf => c.output_of.map(|id| id.to_string()),
            Self::PlannedWithin => c.planned_within.map(|id| id.to_string()),
            Self::IndependentDemandOf => c.independent_demand_of.map(|id| id.to_string()),
            Self::ClauseOf => c.clause_of.map(|id| id.to_string()),
            Self::ReciprocalClauseOf => c.reciprocal_clause_of.map(|id| id.to_string()),
        }
    }
}

/// A text match on a JSON list of ids holding `id` (ids are UUIDs: the quoted id matches
/// only itself).
fn json_list_holds(column: commitment::Column, id: &str) -> sea_orm::sea_query::SimpleExpr {
    Expr::col(column).like(format!("%\"{id}\"%"))
}

impl Store {
    /// Many plans in one query.
    pub async fn plans_by_id(&self, ids: &[PlanId]) -> Result<HashMap<PlanId, Plan>> {
        by_ids(self.connection(), plan::Column::Id, ids).await
    }

    /// Many agreements in one query.
    pub async fn agreements_by_id(&self, ids: &[AgreementId]) -> Result<HashMap<AgreementId, Agreement>> {
        by_ids(self.connection(), agreement::Column::Id, ids).await
    }

    /// Many commitments in one query.
    pub async fn commitments_by_id(&self, ids: &[CommitmentId]) -> Result<HashMap<CommitmentId, Commitment>> {
        by_ids(self.connection(), commitment::Column::Id, ids).await
    }

    /// Many fulfilments in one query.
    pub async fn fulfillments_by_id(&self, ids: &[FulfillmentId]) -> Result<HashMap<FulfillmentId, Fulfillment>> {
        by_ids(self.connection(), fulfillment::Column::Id, ids).await
    }

    /// A page of plans.
    pub async fn plans(&self, filter: &PlanFilter, page: &PageRequest) -> Result<Page<Plan>> {
        let mut select = plan::Entity::find();
        if let Some(agent) = filter.agent {
            let party = Condition::any()
                .add(commitment::Column::Provider.eq(agent.to_string()))
                .add(commitment::Column::Receiver.eq(agent.to_string()));
            let within = Query::select()
                .column(commitment::Column::PlannedWithin)
                .from(commitment::Entity)
                .and_where(commitment::Column::PlannedWithin.is_not_null())
                .cond_where(party.clone())
                .to_owned();
            let demanded = Query::select()
                .column(commitment::Column::IndependentDemandOf)
                .from(commitment::Entity)
                .and_where(commitment::Column::IndependentDemandOf.is_not_null())
                .cond_where(party)
                .to_owned();
            select = select.filter(
                Condition::any().add(plan::Column::Id.in_subquery(within)).add(plan::Column::Id.in_subquery(demanded)),
            );
        }
        paginate(self.connection(), select, plan::Column::Id, page).await?.try_map(Plan::from_row)
    }

    /// A page of agreements.
    pub async fn agreements(&self, page: &PageRequest) -> Result<Page<Agreement>> {
        paginate(self.connection(), agreement::Entity::find(), agreement::Column::Id, page)
            .await?
            .try_map(Agreement::from_row)
    }

    fn commitment_select(filter: &CommitmentFilter) -> Select<commitment::Entity> {
        use commitment::Column as C;
        let mut select = commitment::Entity::find();
        if let Some(agent) = filter.provider {
            select = select.filter(C::Provider.eq(agent.to_string()));
        }
        if let Some(agent) = filter.receiver {
            select = select.filter(C::Receiver.eq(agent.to_string()));
        }
        if let Some(agent) = filter.agent {
            select = select
                .filter(Condition::any().add(C::Provider.eq(agent.to_string())).add(C::Receiver.eq(agent.to_string())));
        }
        if let Some(scope) = filter.in_scope_of {
            select = select.filter(json_list_holds(C::InScopeOf, &scope.to_string()));
        }
        if let Some(resource) = filter.resource_inventoried_as {
            select = select.filter(C::ResourceInventoriedAs.eq(resource.to_string()));
        }
        if let Some(spec) = filter.resource_conforms_to {
            select = select.filter(C::ResourceConformsTo.eq(spec.to_string()));
        }
        if let Some(stage) = filter.stage {
            select = select.filter(C::Stage.eq(stage.to_string()));
        }
        select
    }

    /// A page of commitments.
    pub async fn commitments(&self, filter: &CommitmentFilter, page: &PageRequest) -> Result<Page<Commitment>> {
        paginate(self.connection(), Self::commitment_select(filter), commitment::Column::Id, page)
            .await?
            .try_map(Commitment::from_row)
    }

    /// A page of fulfilments.
    pub async fn fulfillments(&self, page: &PageRequest) -> Result<Page<Fulfillment>> {
        paginate(self.connection(), fulfillment::Entity::find(), fulfillment::Column::Id, page)
            .await?
            .try_map(Fulfillment::from_row)
    }

    /// The commitments linked to each of `keys` (record ids as text) by `link`, in one query
    /// per 10,000 keys, each list in id order.
    pub async fn commitments_linked(
        &self,
        link: CommitmentLink,
        keys: &[String],
    ) -> Result<HashMap<String, Vec<Commitment>>> {
        let mut grouped: HashMap<String, Vec<Commitment>> = HashMap::new();
        for chunk in keys.chunks(IN_LIST_MAX) {
            let rows = commitment::Entity::find()
                .filter(link.column().is_in(chunk.iter().cloned()))
                .order_by_asc(commitment::Column::Id)
                .all(self.connection())
                .await?;
            for row in rows {
                let c = Commitment::from_row(row)?;
                if let Some(key) = link.key(&c) {
                    grouped.entry(key).or_default().push(c);
                }
            }
        }
        Ok(grouped)
    }

    /// The fulfilments of many commitments in one query.
    pub async fn fulfillments_of_commitments(
        &self,
        ids: &[CommitmentId],
    ) -> Result<HashMap<CommitmentId, Vec<Fulfillment>>> {
        let rows = self.fulfillments_where(fulfillment::Column::Fulfills, ids.iter().map(ToString::to_string)).await?;
        let mut grouped: HashMap<CommitmentId, Vec<Fulfillment>> = HashMap::new();
        for f in rows {
            grouped.entry(f.fulfills).or_default().push(f);
        }
        Ok(grouped)
    }

    /// The fulfilments made by many events in one query.
    pub async fn fulfillments_of_events(
        &self,
        ids: &[EconomicEventId],
    ) -> Result<HashMap<EconomicEventId, Vec<Fulfillment>>> {
        let rows =
            self.fulfillments_where(fulfillment::Column::FulfilledBy, ids.iter().map(ToString::to_string)).await?;
        let mut grouped: HashMap<EconomicEventId, Vec<Fulfillment>> = HashMap::new();
        for f in rows {
            grouped.entry(f.fulfilled_by).or_default().push(f);
        }
        Ok(grouped)
    }

    async fn fulfillments_where(
        &self,
        column: fulfillment::Column,
        keys: impl Iterator<Item = String>,
    ) -> Result<Vec<Fulfillment>> {
        let keys: Vec<String> = keys.collect();
        let mut found = Vec::new();
        for chunk in keys.chunks(IN_LIST_MAX) {
            let rows = fulfillment::Entity::find()
                .filter(column.is_in(chunk.iter().cloned()))
                .order_by_asc(fulfillment::Column::Id)
                .all(self.connection())
                .await?;
            for row in rows {
                found.push(Fulfillment::from_row(row)?);
            }
        }
        Ok(found)
    }
}
