//! Bookings of shared resources (OVN, issue 11): `bookResource`, `approveBooking`,
//! `cancelBooking`, and the reads `bookings(agent)`, `resourceBookings` and
//! `sharedResources(network)` with each resource's availability. A booking is a vf `use`
//! `Commitment`; `Booking` adds what ValueFlows has no word for (its status, who approved or
//! cancelled it). `createCommitment` with the same fields books the same way.

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use ovn_domain::sharing::booking::{Booking as DomainBooking, BookingStatus as DomainStatus, free_between};
use ovn_domain::{AgentId, CommitmentId, EconomicResourceId};
use ovn_persistence::PersistenceError;
use ovn_persistence::sharing::{BookResource, SharedResource as Shared};

use crate::agent::objects::{Agent, load_agent};
use crate::context::ContextExt;
use crate::convert::{id_list, parse_id};
use crate::error::Result;
use crate::observation::objects::{EconomicEvent, EconomicResource};
use crate::planning::objects::{Commitment, CommitmentResponse};
use crate::scalars::DateTime;

/// OVN: where a booking stands.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookingStatus {
    /// Asked for; waits for the holder's approval (the access rule requires it). Holds its
    /// slot meanwhile.
    Pending,
    /// Granted: by the access rule, or approved by the holder.
    Confirmed,
    /// Withdrawn by the booker or the holder; the slot is free again.
    Cancelled,
    /// The booker used the resource in the interval (a `use` event fulfilled it).
    Fulfilled,
}

impl From<DomainStatus> for BookingStatus {
    fn from(status: DomainStatus) -> Self {
        match status {
            DomainStatus::Pending => Self::Pending,
            DomainStatus::Confirmed => Self::Confirmed,
            DomainStatus::Cancelled => Self::Cancelled,
            DomainStatus::Fulfilled => Self::Fulfilled,
        }
    }
}

/// OVN: a shared resource booked for a time interval: the OVN facts of a `use` commitment.
#[derive(Debug, Clone)]
pub struct Booking(pub DomainBooking);

#[Object]
impl Booking {
    /// The booking's id: its commitment's.
    async fn id(&self) -> ID {
        ID(self.0.commitment.to_string())
    }

    /// The vf `use` commitment the booking is.
    async fn commitment(&self, ctx: &Context<'_>) -> Result<Commitment> {
        let found = ctx.load(self.0.commitment).await?.map(Commitment);
        Ok(found.ok_or_else(|| PersistenceError::not_found("commitment", self.0.commitment))?)
    }

    /// The resource booked.
    async fn resource(&self, ctx: &Context<'_>) -> Result<EconomicResource> {
        let found = ctx.load(self.0.resource).await?.map(EconomicResource);
        Ok(found.ok_or_else(|| PersistenceError::not_found("economic resource", self.0.resource))?)
    }

    /// The first instant booked.
    async fn has_beginning(&self) -> DateTime {
        self.0.begins
    }

    /// The first instant no longer booked (the interval is half-open).
    async fn has_end(&self) -> DateTime {
        self.0.ends
    }

    /// Who booked it (the commitment's receiver).
    async fn booker(&self, ctx: &Context<'_>) -> Result<Agent> {
        load_agent(ctx, self.0.booker).await
    }

    /// Where it stands.
    async fn status(&self) -> BookingStatus {
        self.0.status.into()
    }

    /// The holder who approved it.
    async fn approved_by(&self, ctx: &Context<'_>) -> Result<Option<Agent>> {
        optional_agent(ctx, self.0.approved.map(|(who, _)| who)).await
    }

    /// When it was approved.
    async fn approved(&self) -> Option<DateTime> {
        self.0.approved.map(|(_, at)| at)
    }

    /// Who cancelled it.
    async fn cancelled_by(&self, ctx: &Context<'_>) -> Result<Option<Agent>> {
        optional_agent(ctx, self.0.cancelled.map(|(who, _)| who)).await
    }

    /// When it was cancelled.
    async fn cancelled(&self) -> Option<DateTime> {
        self.0.cancelled.map(|(_, at)| at)
    }

    /// The `use` event that first fulfilled it.
    async fn fulfilled_by(&self, ctx: &Context<'_>) -> Result<Option<EconomicEvent>> {
        match self.0.fulfilled_by {
            Some(id) => {
                let found = ctx.load(id).await?.map(EconomicEvent);
                Ok(Some(found.ok_or_else(|| PersistenceError::not_found("economic event", id))?))
            }
            None => Ok(None),
        }
    }

    /// When it was made.
    async fn created(&self) -> DateTime {
        self.0.created
    }
}

async fn optional_agent(ctx: &Context<'_>, agent: Option<AgentId>) -> Result<Option<Agent>> {
    match agent {
        Some(id) => Ok(Some(load_agent(ctx, id).await?)),
        None => Ok(None),
    }
}

/// OVN: a stretch of time, half-open (`hasEnd` is the first instant not in it).
#[derive(SimpleObject, Debug, Clone)]
pub struct TimeInterval {
    /// Its first instant.
    pub has_beginning: DateTime,
    /// The first instant after it.
    pub has_end: DateTime,
}

/// OVN: a resource of a network's pool of shareables or one of its nondominium assets, with
/// its availability over the range asked for.
#[derive(Debug, Clone)]
pub struct SharedResource {
    found: Shared,
    from: DateTime,
    to: DateTime,
}

#[Object]
impl SharedResource {
    /// The resource (its `accessRules` say who may use it and how).
    async fn resource(&self) -> EconomicResource {
        EconomicResource(self.found.resource.clone())
    }

    /// The live bookings (pending, confirmed, fulfilled) that overlap the range, by start.
    async fn bookings(&self) -> Vec<Booking> {
        self.found.bookings.iter().cloned().map(Booking).collect()
    }

    /// The free intervals of the range between those bookings, in order.
    async fn free(&self) -> Vec<TimeInterval> {
        free_between(&self.found.bookings, self.from, self.to)
            .into_iter()
            .map(|(has_beginning, has_end)| TimeInterval { has_beginning, has_end })
            .collect()
    }
}

/// OVN: what `approveBooking` and `cancelBooking` answer.
#[derive(SimpleObject)]
pub struct BookingResponse {
    /// The booking as it now stands.
    pub booking: Booking,
}

/// Writes of bookings.
#[derive(Default)]
pub struct BookingMutation;

#[Object]
impl BookingMutation {
    /// OVN: books a shared resource for `[hasBeginning, hasEnd)` for the token's agent: a
    /// `use` commitment from the resource's holder (its custodian, else its owner) to the
    /// booker, checked against the resource's access rule (who may use it, the longest
    /// booking) and its live bookings. `PENDING` when the rule asks the holder's approval,
    /// else `CONFIRMED`. Refused with `ACCESS_RULE_VIOLATION`, naming the rule or the booking
    /// in the way. `createCommitment` with the same fields books the same way.
    async fn book_resource(
        &self,
        ctx: &Context<'_>,
        resource: ID,
        has_beginning: DateTime,
        has_end: DateTime,
        in_scope_of: Option<Vec<ID>>,
        note: Option<String>,
    ) -> Result<CommitmentResponse> {
        let actor = ctx.require_agent()?;
        let command = BookResource {
            resource: parse_id(&resource, EconomicResourceId::parse)?,
            begins: has_beginning,
            ends: has_end,
            in_scope_of: id_list(&in_scope_of, AgentId::parse)?,
            note: crate::convert::note(&note)?,
        };
        let commitment = ctx.store()?.book_resource(actor, command).await?;
        Ok(CommitmentResponse { commitment: Commitment(commitment) })
    }

    /// OVN: the resource's holder confirms a `PENDING` booking (`FORBIDDEN` for anyone else,
    /// `CONFLICT` for a booking in another state).
    async fn approve_booking(&self, ctx: &Context<'_>, booking: ID) -> Result<BookingResponse> {
        let actor = ctx.require_agent()?;
        let booking = parse_id(&booking, CommitmentId::parse)?;
        Ok(BookingResponse { booking: Booking(ctx.store()?.approve_booking(actor, booking).await?) })
    }

    /// OVN: the booker or the resource's holder withdraws a `PENDING` or `CONFIRMED`
    /// booking: its slot is free again and its commitment `finished` (`FORBIDDEN` for anyone
    /// else, `CONFLICT` for a booking already cancelled or fulfilled).
    async fn cancel_booking(&self, ctx: &Context<'_>, booking: ID) -> Result<BookingResponse> {
        let actor = ctx.require_agent()?;
        let booking = parse_id(&booking, CommitmentId::parse)?;
        Ok(BookingResponse { booking: Booking(ctx.store()?.cancel_booking(actor, booking).await?) })
    }
}

/// Reads of bookings.
#[derive(Default)]
pub struct BookingQuery;

#[Object]
impl BookingQuery {
    /// OVN: one booking, by its commitment's id.
    async fn booking(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Booking>> {
        let id = parse_id(&id, CommitmentId::parse)?;
        Ok(ctx.store()?.bookings_by_id(&[id]).await?.remove(&id).map(Booking))
    }

    /// OVN: the bookings an agent made, every status, by start.
    async fn bookings(&self, ctx: &Context<'_>, agent: ID) -> Result<Vec<Booking>> {
        let agent = parse_id(&agent, AgentId::parse)?;
        Ok(ctx.store()?.bookings_of(agent).await?.into_iter().map(Booking).collect())
    }

    /// OVN: a resource's bookings, every status, by start; only those overlapping
    /// `[from, to)` when given.
    async fn resource_bookings(
        &self,
        ctx: &Context<'_>,
        resource: ID,
        from: Option<DateTime>,
        to: Option<DateTime>,
    ) -> Result<Vec<Booking>> {
        let resource = parse_id(&resource, EconomicResourceId::parse)?;
        let found = ctx.store()?.resource_bookings(resource, from, to).await?;
        Ok(found.into_iter().map(Booking).collect())
    }

    /// OVN: a network's pool of shareables (`POOL_OF_SHAREABLES` resources whose access
    /// rule's scope is the network or a project part of it) and its nondominium assets
    /// (`NONDOMINIUM` resources whose rule's scope is the network, or held by an agent
    /// `custodianOf` it; money pools left out), each with its live bookings over `[from, to)`
    /// and the free intervals between them.
    async fn shared_resources(
        &self,
        ctx: &Context<'_>,
        network: ID,
        from: DateTime,
        to: DateTime,
    ) -> Result<Vec<SharedResource>> {
        let network = parse_id(&network, AgentId::parse)?;
        if from > to {
            return Err(ovn_domain::DomainError::invalid("to", "the range ends before it begins").into());
        }
        let found = ctx.store()?.shared_resources(network, from, to).await?;
        Ok(found.into_iter().map(|found| SharedResource { found, from, to }).collect())
    }
}
