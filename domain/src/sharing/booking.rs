//! Bookings (issue 11, DESIGN 6): a shared resource booked for a time interval. A booking is
//! a vf `Commitment` with action `use`, `resourceInventoriedAs` the resource and
//! `hasBeginning`/`hasEnd` the interval (half-open, D172); its provider is the resource's
//! holder and its receiver the agent who books. What ValueFlows has no word for (the
//! booking's status, who approved or cancelled it) is a [`Booking`].
//!
//! Whether the booker may use the resource at all, for that long, and whether the holder must
//! approve, are the access rule's ([`super::access`]); this file holds what only a booking
//! has:
//!
//! - **What a booking is** ([`booked`]): which commitments are bookings, and that a booking
//!   is provided by the resource's holder ([`check_parties`]).
//! - **Its states** ([`BookingStatus`]): `PENDING` until a holder approves ([`approve`]),
//!   `CONFIRMED`, then `FULFILLED` by the booker's first `use` in its interval, or `CANCELLED`
//!   by the booker or a holder ([`cancel`]) while neither fulfilled nor cancelled. Every state
//!   but `CANCELLED` holds its slot ([`BookingStatus::holds_slot`]).
//! - **A `use` during a booking** ([`use_during`]): by the booker, it fulfils a confirmed
//!   booking; by anyone else, it is refused while the slot is granted (confirmed or fulfilled).
//! - **Availability** ([`free_between`]): the free intervals of a range between the bookings
//!   that hold their slots.

use chrono::{DateTime, Utc};

use crate::planning::Commitment;
use crate::{Action, AgentId, CommitmentId, DomainError, EconomicEventId, EconomicResourceId};

/// Where a booking stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BookingStatus {
    /// Asked for; waits for a holder's approval (the rule requires it). Holds its slot, so
    /// that two requests for one slot never both wait to be approved.
    Pending,
    /// Granted: by the rule itself, or approved by a holder.
    Confirmed,
    /// Withdrawn by the booker or a holder; frees the slot.
    Cancelled,
    /// The booker used the resource in the interval. Holds its slot to its end: the use may
    /// go on until then.
    Fulfilled,
}

impl BookingStatus {
    /// The stored and wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Confirmed => "CONFIRMED",
            Self::Cancelled => "CANCELLED",
            Self::Fulfilled => "FULFILLED",
        }
    }

    /// Parses [`BookingStatus::as_str`].
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        match text {
            "PENDING" => Ok(Self::Pending),
            "CONFIRMED" => Ok(Self::Confirmed),
            "CANCELLED" => Ok(Self::Cancelled),
            "FULFILLED" => Ok(Self::Fulfilled),
            other => Err(DomainError::invalid("status", format!("unknown booking status `{other}`"))),
        }
    }

    /// Whether a booking in this state keeps others from booking its interval.
    pub const fn holds_slot(self) -> bool {
        !matches!(self, Self::Cancelled)
    }

    /// The states that hold a slot (what the overlap check and availability read).
    pub const LIVE: [Self; 3] = [Self::Pending, Self::Confirmed, Self::Fulfilled];
}

/// A booking: the OVN facts of its commitment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booking {
    /// The `use` commitment; a booking is named by its commitment's id.
    pub commitment: CommitmentId,
    /// The resource booked.
    pub resource: EconomicResourceId,
    /// `hasBeginning`: the first instant booked.
    pub begins: DateTime<Utc>,
    /// `hasEnd`: the first instant no longer booked.
    pub ends: DateTime<Utc>,
    /// Who booked it (the commitment's receiver).
    pub booker: AgentId,
    /// Where it stands.
    pub status: BookingStatus,
    /// The access rule version it was checked against (none when the resource had no rule).
    pub access_rule: Option<crate::AccessRuleId>,
    /// Who approved it, and when (a `PENDING` booking that a holder confirmed).
    pub approved: Option<(AgentId, DateTime<Utc>)>,
    /// Who cancelled it, and when.
    pub cancelled: Option<(AgentId, DateTime<Utc>)>,
    /// The `use` event that first fulfilled it.
    pub fulfilled_by: Option<EconomicEventId>,
    /// When it was made.
    pub created: DateTime<Utc>,
}

impl Booking {
    /// Whether `at` falls in the booking's interval (`begins` included, `ends` not).
    pub fn covers(&self, at: DateTime<Utc>) -> bool {
        self.begins <= at && at < self.ends
    }
}

/// The interval a commitment books on its resource, when it is a booking: a `use` of a named
/// resource with both `hasBeginning` and `hasEnd`. Any other commitment (a `use` planned by
/// a quantity, at a point in time, or of a kind of resource) books nothing.
pub fn booked(commitment: &Commitment) -> Option<(EconomicResourceId, DateTime<Utc>, DateTime<Utc>)> {
    match (commitment.action, commitment.resource_inventoried_as, commitment.has_beginning, commitment.has_end) {
        (Action::Use, Some(resource), Some(begins), Some(ends)) => Some((resource, begins, ends)),
        _ => None,
    }
}

/// A booking is provided by the resource's holder (`holder`: its custodian, else its owner)
/// and received by the agent who books (its interval is [`super::access::check_span`]'s).
pub fn check_parties(commitment: &Commitment, holder: Option<AgentId>) -> Result<(), DomainError> {
    let Some((resource, _, _)) = booked(commitment) else { return Ok(()) };
    match holder {
        Some(holder) if holder == commitment.provider => Ok(()),
        Some(holder) => Err(DomainError::invalid(
            "provider",
            format!("a booking of {resource} is provided by its holder ({holder}), who lends it"),
        )),
        None => Err(DomainError::invalid(
            "resourceInventoriedAs",
            format!("{resource} has neither a custodian nor an owner: nobody can lend it"),
        )),
    }
}

/// The status a new booking starts in: `PENDING` when the rule asks a holder's approval
/// (`needs_approval`), else `CONFIRMED`.
pub const fn initial_status(needs_approval: bool) -> BookingStatus {
    if needs_approval { BookingStatus::Pending } else { BookingStatus::Confirmed }
}

/// `approveBooking`: a holder (`holders`: the resource's custodian and owner) confirms a
/// `PENDING` booking. Anyone else is `FORBIDDEN`; a booking in another state is a
/// [`DomainError::Conflict`] (persistence answers it as `CONFLICT`).
pub fn approve(
    booking: &Booking,
    actor: AgentId,
    holders: &[AgentId],
    now: DateTime<Utc>,
) -> Result<Booking, DomainError> {
    if !holders.contains(&actor) {
        return Err(DomainError::Forbidden(format!(
            "booking {} is approved by the resource's holder (its custodian or owner)",
            booking.commitment
        )));
    }
    if booking.status != BookingStatus::Pending {
        return Err(DomainError::Conflict(format!(
            "booking {} is {}: only a PENDING booking is approved",
            booking.commitment,
            booking.status.as_str()
        )));
    }
    Ok(Booking { status: BookingStatus::Confirmed, approved: Some((actor, now)), ..booking.clone() })
}

/// `cancelBooking`: the booker or a holder withdraws a `PENDING` or `CONFIRMED` booking,
/// which frees its slot. Anyone else is `FORBIDDEN`; a booking already cancelled or
/// fulfilled is a [`DomainError::Conflict`] (a fulfilled booking was used: the books keep it).
pub fn cancel(
    booking: &Booking,
    actor: AgentId,
    holders: &[AgentId],
    now: DateTime<Utc>,
) -> Result<Booking, DomainError> {
    if actor != booking.booker && !holders.contains(&actor) {
        return Err(DomainError::Forbidden(format!(
            "booking {} is cancelled by its booker or by the resource's holder",
            booking.commitment
        )));
    }
    if !matches!(booking.status, BookingStatus::Pending | BookingStatus::Confirmed) {
        return Err(DomainError::Conflict(format!(
            "booking {} is {}: only a PENDING or CONFIRMED booking is cancelled",
            booking.commitment,
            booking.status.as_str()
        )));
    }
    Ok(Booking { status: BookingStatus::Cancelled, cancelled: Some((actor, now)), ..booking.clone() })
}

/// What a `use` of a resource at `at` by `parties` (its provider and receiver) does to the
/// resource's bookings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UseOfBooking {
    /// No granted booking covers it: it concerns no booking.
    Unbooked,
    /// It is the booker's use in its granted booking: the event fulfils the booking's
    /// commitment; `first` when the booking was `CONFIRMED` until now (it becomes
    /// `FULFILLED`, with this event).
    Fulfils {
        /// The booking fulfilled.
        booking: CommitmentId,
        /// Whether this is its first use.
        first: bool,
    },
}

/// Checks a `use` at `at` by `parties` against the `bookings` of its resource (any; those
/// that do not cover `at` or do not hold their slot are ignored). Inside a granted booking
/// (`CONFIRMED` or `FULFILLED`), the booker's use fulfils it, and anyone else's is refused
/// with an access-rule violation naming the booking: the slot was given to the booker. A
/// `PENDING` booking grants nothing yet and refuses nothing.
pub fn use_during(bookings: &[Booking], at: DateTime<Utc>, parties: [AgentId; 2]) -> Result<UseOfBooking, DomainError> {
    let granted = bookings
        .iter()
        .find(|b| b.covers(at) && matches!(b.status, BookingStatus::Confirmed | BookingStatus::Fulfilled));
    let Some(booking) = granted else { return Ok(UseOfBooking::Unbooked) };
    if !parties.contains(&booking.booker) {
        return Err(DomainError::AccessRule(format!(
            "{} is booked by {} from {} to {} (booking {}): only the booker uses it then",
            booking.resource,
            booking.booker,
            booking.begins.to_rfc3339(),
            booking.ends.to_rfc3339(),
            booking.commitment
        )));
    }
    Ok(UseOfBooking::Fulfils { booking: booking.commitment, first: booking.status == BookingStatus::Confirmed })
}

/// The free intervals of `[from, to)` between `bookings` (those that do not hold their slot
/// are ignored), in order. Back-to-back or overlapping bookings leave no gap between them;
/// an empty range has no free interval.
pub fn free_between(
    bookings: &[Booking],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut held: Vec<(DateTime<Utc>, DateTime<Utc>)> =
        bookings.iter().filter(|b| b.status.holds_slot()).map(|b| (b.begins, b.ends)).collect();
    held.sort();
    let mut free = Vec::new();
    let mut cursor = from;
    for (begins, ends) in held {
        if begins >= to {
            break;
        }
        if begins > cursor {
            free.push((cursor, begins));
        }
        cursor = cursor.max(ends);
    }
    if cursor < to {
        free.push((cursor, to));
    }
    free
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests unwrap: a failure should panic with the value")]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::planning::commitment::tests::commitment;

    fn at(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 1, 4, hour, 0, 0).unwrap()
    }

    fn booking(booker: AgentId, from: u32, to: u32, status: BookingStatus) -> Booking {
        Booking {
            commitment: CommitmentId::new(),
            resource: EconomicResourceId::new(),
            begins: at(from),
            ends: at(to),
            booker,
            status,
            access_rule: None,
            approved: None,
            cancelled: None,
            fulfilled_by: None,
            created: at(0),
        }
    }

    #[test]
    fn a_booking_is_a_use_of_a_named_resource_over_an_interval() {
        let resource = EconomicResourceId::new();
        let mut use_ = Commitment {
            resource_inventoried_as: Some(resource),
            has_beginning: Some(at(9)),
            has_end: Some(at(11)),
            ..commitment(Action::Use)
        };
        assert_eq!(booked(&use_), Some((resource, at(9), at(11))));
        use_.has_end = None;
        assert_eq!(booked(&use_), None, "a use at no interval books nothing");
        let work = Commitment {
            resource_inventoried_as: Some(resource),
            has_beginning: Some(at(9)),
            has_end: Some(at(11)),
            ..commitment(Action::Work)
        };
        assert_eq!(booked(&work), None);
    }

    #[test]
    fn a_booking_is_provided_by_the_holder() {
        let c = Commitment {
            resource_inventoried_as: Some(EconomicResourceId::new()),
            has_beginning: Some(at(9)),
            has_end: Some(at(11)),
            ..commitment(Action::Use)
        };
        assert_eq!(check_parties(&c, Some(c.provider)), Ok(()));
        let other = check_parties(&c, Some(AgentId::new()));
        assert!(matches!(other, Err(DomainError::Invalid { ref field, .. }) if field == "provider"), "{other:?}");
        assert!(check_parties(&c, None).is_err(), "a resource nobody holds is lent by nobody");
        let work = Commitment { action: Action::Work, ..c };
        assert_eq!(check_parties(&work, None), Ok(()), "a commitment that books nothing has no lender to check");
    }

    #[test]
    fn a_holder_approves_a_pending_booking_once() {
        let (owner, booker, stranger) = (AgentId::new(), AgentId::new(), AgentId::new());
        let pending = booking(booker, 9, 11, initial_status(true));
        assert_eq!(pending.status, BookingStatus::Pending);
        assert!(matches!(approve(&pending, stranger, &[owner], at(1)), Err(DomainError::Forbidden(_))));
        assert!(
            matches!(approve(&pending, booker, &[owner], at(1)), Err(DomainError::Forbidden(_))),
            "the booker does not approve its own booking"
        );
        let approved = approve(&pending, owner, &[owner], at(1)).unwrap();
        assert_eq!(approved.status, BookingStatus::Confirmed);
        assert_eq!(approved.approved, Some((owner, at(1))));
        assert!(matches!(approve(&approved, owner, &[owner], at(2)), Err(DomainError::Conflict(_))));
        assert_eq!(initial_status(false), BookingStatus::Confirmed);
    }

    #[test]
    fn the_booker_or_a_holder_cancels_a_live_booking_that_was_not_used() {
        let (owner, custodian, booker, stranger) = (AgentId::new(), AgentId::new(), AgentId::new(), AgentId::new());
        let holders = [custodian, owner];
        let confirmed = booking(booker, 9, 11, BookingStatus::Confirmed);
        assert!(matches!(cancel(&confirmed, stranger, &holders, at(1)), Err(DomainError::Forbidden(_))));
        for who in [booker, owner, custodian] {
            let cancelled = cancel(&confirmed, who, &holders, at(1)).unwrap();
            assert_eq!((cancelled.status, cancelled.cancelled), (BookingStatus::Cancelled, Some((who, at(1)))));
            assert!(!cancelled.status.holds_slot());
            assert!(matches!(cancel(&cancelled, who, &holders, at(2)), Err(DomainError::Conflict(_))));
        }
        let pending = booking(booker, 9, 11, BookingStatus::Pending);
        assert!(cancel(&pending, booker, &holders, at(1)).is_ok());
        let used = booking(booker, 9, 11, BookingStatus::Fulfilled);
        assert!(matches!(cancel(&used, booker, &holders, at(1)), Err(DomainError::Conflict(_))));
    }

    #[test]
    fn the_bookers_use_fulfils_and_anyone_elses_is_refused_while_granted() {
        let (alice, bob, owner) = (AgentId::new(), AgentId::new(), AgentId::new());
        let confirmed = booking(alice, 9, 11, BookingStatus::Confirmed);
        let bookings = [confirmed.clone(), booking(bob, 11, 12, BookingStatus::Pending)];
        // Alice's use at 10, whether she provides or receives it, fulfils her booking.
        let fulfils = UseOfBooking::Fulfils { booking: confirmed.commitment, first: true };
        assert_eq!(use_during(&bookings, at(10), [alice, owner]), Ok(fulfils.clone()));
        assert_eq!(use_during(&bookings, at(10), [owner, alice]), Ok(fulfils));
        // The owner's own use during Alice's booking is refused, naming it.
        let refused = use_during(&bookings, at(9), [owner, owner]);
        assert!(
            matches!(&refused, Err(DomainError::AccessRule(m)) if m.contains(&confirmed.commitment.to_string())),
            "{refused:?}"
        );
        // 11:00 is past Alice's half-open interval; Bob's booking there is only pending.
        assert_eq!(use_during(&bookings, at(11), [owner, owner]), Ok(UseOfBooking::Unbooked));
        // Once fulfilled, later uses in it still belong to Alice, and are not her first.
        let used = [Booking { status: BookingStatus::Fulfilled, ..confirmed.clone() }];
        assert_eq!(
            use_during(&used, at(10), [alice, alice]),
            Ok(UseOfBooking::Fulfils { booking: confirmed.commitment, first: false })
        );
        assert!(use_during(&used, at(10), [bob, bob]).is_err());
        let cancelled = [Booking { status: BookingStatus::Cancelled, ..confirmed }];
        assert_eq!(use_during(&cancelled, at(10), [bob, bob]), Ok(UseOfBooking::Unbooked));
    }

    #[test]
    fn free_intervals_lie_between_the_bookings_that_hold_their_slots() {
        let a = AgentId::new();
        let bookings = [
            booking(a, 13, 15, BookingStatus::Pending),
            booking(a, 9, 10, BookingStatus::Confirmed),
            booking(a, 10, 11, BookingStatus::Fulfilled),
            booking(a, 11, 13, BookingStatus::Cancelled),
            booking(a, 7, 8, BookingStatus::Confirmed),
        ];
        // Range 8:00-16:00: 7-8 ends where it begins, 9-10 and 10-11 are back to back, the
        // cancelled 11-13 frees its slot: free 8-9, 11-13, 15-16.
        assert_eq!(free_between(&bookings, at(8), at(16)), vec![(at(8), at(9)), (at(11), at(13)), (at(15), at(16))]);
        // A range inside one booking is not free at all; one with none is free whole.
        assert_eq!(free_between(&bookings, at(9), at(11)), vec![]);
        assert_eq!(free_between(&[], at(9), at(11)), vec![(at(9), at(11))]);
        assert_eq!(free_between(&bookings, at(14), at(14)), vec![]);
    }
}
