//! Custodian agreements (OVN, DESIGN 1, 6): `createCustodianAgreement` (a steward of the
//! network) and `placeUnderCustodianAgreement` (the custodian) write them; `custodianAgreement`
//! reads one with its network, custodian and resources, and `custodyHistory` a resource's
//! custody changes. A held resource is not handed to an agent outside the network
//! (`FORBIDDEN`), and it goes to a new custodian only through a passed
//! `TRANSFER_CUSTODIANSHIP` governance proposal.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use ovn_domain::sharing::custody::{CustodianAgreement as DomainAgreement, NewCustodianAgreement};
use ovn_domain::{AgentId, AgreementId, DomainError, EconomicResourceId};
use ovn_persistence::PersistenceError;
use ovn_persistence::sharing::CustodyEntry;

use crate::agent::objects::{Agent, load_agent};
use crate::context::ContextExt;
use crate::convert::{idempotency, note, parse_id};
use crate::error::Result;
use crate::loaders::{CustodianKey, CustodyHistoryOf, HeldUnder};
use crate::observation::objects::{EconomicEvent, EconomicResource};
use crate::planning::objects::Agreement;
use crate::scalars::DateTime;

/// OVN: a new custodian agreement: a vf `Agreement` under which the network's custodian holds
/// its NONDOMINIUM resources.
#[derive(InputObject)]
pub struct CustodianAgreementCreateParams {
    /// (`Agent`) The network whose resources are held.
    pub network: ID,
    /// (`Agent`) The custodian: an agent `custodianOf` the network.
    pub custodian: ID,
    /// The agreement's name.
    pub name: Option<String>,
    /// A textual description or comment.
    pub note: Option<String>,
}

impl TryFrom<CustodianAgreementCreateParams> for NewCustodianAgreement {
    type Error = DomainError;

    fn try_from(p: CustodianAgreementCreateParams) -> Result<Self, DomainError> {
        Ok(Self {
            network: parse_id(&p.network, AgentId::parse)?,
            custodian: parse_id(&p.custodian, AgentId::parse)?,
            name: note(&p.name)?,
            note: note(&p.note)?,
        })
    }
}

/// OVN: a custodian agreement: the network, its current custodian and the resources held
/// under it. Its id is its vf `Agreement`'s.
#[derive(Debug, Clone)]
pub struct CustodianAgreement(pub DomainAgreement);

#[Object]
impl CustodianAgreement {
    /// The id of its vf `Agreement`.
    async fn id(&self) -> ID {
        ID(self.0.agreement.to_string())
    }

    /// The vf `Agreement` it is (name, note, created).
    async fn agreement(&self, ctx: &Context<'_>) -> Result<Agreement> {
        let found = ctx.load(self.0.agreement).await?.map(Agreement);
        Ok(found.ok_or_else(|| PersistenceError::not_found("agreement", self.0.agreement))?)
    }

    /// The network whose resources it holds.
    async fn network(&self, ctx: &Context<'_>) -> Result<Agent> {
        load_agent(ctx, self.0.network).await
    }

    /// The agent holding them now (`custodianOf` the network).
    async fn custodian(&self, ctx: &Context<'_>) -> Result<Agent> {
        load_agent(ctx, self.0.custodian).await
    }

    /// When it was made.
    async fn created(&self) -> DateTime {
        self.0.created
    }

    /// The steward who made it.
    async fn created_by(&self, ctx: &Context<'_>) -> Result<Agent> {
        load_agent(ctx, self.0.created_by).await
    }

    /// The NONDOMINIUM resources held under it, in the order they were placed.
    async fn resources(&self, ctx: &Context<'_>) -> Result<Vec<EconomicResource>> {
        let ids = ctx.load(HeldUnder(self.0.agreement)).await?.unwrap_or_default();
        // One batch for all of them, not one load per resource.
        let mut found = ctx.load_many(ids.iter().copied()).await?;
        ids.into_iter()
            .map(|id| {
                let resource = found.remove(&id).ok_or_else(|| PersistenceError::not_found("economic resource", id))?;
                Ok(EconomicResource(resource))
            })
            .collect()
    }
}

/// OVN: what `createCustodianAgreement` and `placeUnderCustodianAgreement` answer.
#[derive(SimpleObject)]
pub struct CustodianAgreementResponse {
    /// The agreement.
    pub custodian_agreement: CustodianAgreement,
}

/// OVN: one change of a resource's custodian.
#[derive(Debug, Clone)]
pub struct CustodyChange(pub CustodyEntry);

#[Object]
impl CustodyChange {
    /// The event that changed it.
    async fn event(&self) -> EconomicEvent {
        EconomicEvent(self.0.event.clone())
    }

    /// When: the event's `hasPointInTime`, else its `hasEnd`, else when it was recorded.
    async fn time(&self) -> DateTime {
        let details = &self.0.event.details;
        details.has_point_in_time.or(details.has_end).unwrap_or(self.0.event.created)
    }

    /// The custodian before; null for the event that created the resource.
    async fn from(&self, ctx: &Context<'_>) -> Result<Option<Agent>> {
        match self.0.change.from {
            Some(agent) => Ok(Some(load_agent(ctx, agent).await?)),
            None => Ok(None),
        }
    }

    /// The custodian after.
    async fn to(&self, ctx: &Context<'_>) -> Result<Agent> {
        load_agent(ctx, self.0.change.to).await
    }
}

/// Reads of custodian agreements and custody.
#[derive(Default)]
pub struct CustodyQuery;

#[Object]
impl CustodyQuery {
    /// OVN: one custodian agreement, by its agreement's id; null when that agreement is no
    /// custodian agreement.
    async fn custodian_agreement(&self, ctx: &Context<'_>, id: ID) -> Result<Option<CustodianAgreement>> {
        let key = CustodianKey(parse_id(&id, AgreementId::parse)?);
        Ok(ctx.load(key).await?.map(CustodianAgreement))
    }

    /// OVN: every change of a resource's custodian, oldest first, from its events.
    async fn custody_history(&self, ctx: &Context<'_>, resource: ID) -> Result<Vec<CustodyChange>> {
        let resource = parse_id(&resource, EconomicResourceId::parse)?;
        Ok(ctx.load(CustodyHistoryOf(resource)).await?.unwrap_or_default().into_iter().map(CustodyChange).collect())
    }
}

/// Writes of custodian agreements.
#[derive(Default)]
pub struct CustodyMutation;

#[Object]
impl CustodyMutation {
    /// OVN: makes a custodian agreement (a vf `Agreement`, and the network and custodian it
    /// binds): by a steward of the network, with an agent `custodianOf` it.
    async fn create_custodian_agreement(
        &self,
        ctx: &Context<'_>,
        agreement: CustodianAgreementCreateParams,
        idempotency_key: Option<String>,
    ) -> Result<CustodianAgreementResponse> {
        let actor = ctx.require_agent()?;
        let idem = idempotency(actor, idempotency_key, "createCustodianAgreement", &agreement)?;
        let new = NewCustodianAgreement::try_from(agreement)?;
        let created = ctx.store()?.create_custodian_agreement(actor, new, idem.as_ref()).await?;
        Ok(CustodianAgreementResponse { custodian_agreement: CustodianAgreement(created) })
    }

    /// OVN: places a NONDOMINIUM resource in the custodian's custody under the agreement (by
    /// the custodian). From then on it is not handed to an agent outside the network, and it
    /// goes with the agreement to a new custodian.
    async fn place_under_custodian_agreement(
        &self,
        ctx: &Context<'_>,
        agreement: ID,
        resource: ID,
    ) -> Result<CustodianAgreementResponse> {
        let actor = ctx.require_agent()?;
        let agreement = parse_id(&agreement, AgreementId::parse)?;
        let resource = parse_id(&resource, EconomicResourceId::parse)?;
        let held = ctx.store()?.place_under_custodian_agreement(actor, agreement, resource).await?;
        Ok(CustodianAgreementResponse { custodian_agreement: CustodianAgreement(held) })
    }
}
