//! Agent rates: what an hour (or any unit) of an agent's work in a skill is worth, versioned by
//! date, so that a contribution is valued at the rate in force when it was made. A skill is a
//! resource specification of work; without a rate of the agent's own, the specification's
//! `defaultValuePerUnit` applies.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{AgentId, AgentRateId, DomainError, ResourceSpecificationId, UnitId};

/// One agent's rate for one skill, from a date on (until a later rate of the same pair).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentRate {
    /// Identity.
    pub id: AgentRateId,
    /// Whose rate.
    pub agent: AgentId,
    /// The skill (a resource specification of work).
    pub skill: ResourceSpecificationId,
    /// Value per unit of effort.
    pub rate: Decimal,
    /// The unit of the value (a currency), when given.
    pub unit: Option<UnitId>,
    /// From when it applies (inclusive).
    pub valid_from: DateTime<Utc>,
    /// When it was set.
    pub created: DateTime<Utc>,
}

impl AgentRate {
    /// Refuses a negative rate.
    pub fn check(self) -> Result<Self, DomainError> {
        if self.rate.is_sign_negative() && !self.rate.is_zero() {
            return Err(DomainError::invalid("rate", "a rate must not be negative"));
        }
        Ok(self)
    }
}

/// A rate and the date it applies from.
type Dated = (DateTime<Utc>, Decimal);

/// Where a rate came from (explanations say it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateSource {
    /// The agent's own rate, valid from this date.
    Agent(DateTime<Utc>),
    /// The specification's `defaultValuePerUnit`.
    Default,
}

/// The rates a computation may need, as persistence loads them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rates {
    by_pair: HashMap<(AgentId, ResourceSpecificationId), Vec<Dated>>,
    defaults: HashMap<ResourceSpecificationId, Decimal>,
}

impl Rates {
    /// Rates from agents' rates and specifications' default values.
    pub fn new(
        rates: impl IntoIterator<Item = AgentRate>,
        defaults: impl IntoIterator<Item = (ResourceSpecificationId, Decimal)>,
    ) -> Self {
        let mut by_pair: HashMap<_, Vec<_>> = HashMap::new();
        for r in rates {
            by_pair.entry((r.agent, r.skill)).or_default().push((r.valid_from, r.rate));
        }
        for list in by_pair.values_mut() {
            list.sort();
        }
        Self { by_pair, defaults: defaults.into_iter().collect() }
    }

    /// The rate of `agent` for `skill` at `at`: its latest own rate valid from `at` or
    /// earlier, else the skill's default value per unit, else none.
    pub fn rate(
        &self,
        agent: AgentId,
        skill: ResourceSpecificationId,
        at: DateTime<Utc>,
    ) -> Option<(Decimal, RateSource)> {
        let own = self.by_pair.get(&(agent, skill)).and_then(|list| {
            let valid = list.partition_point(|(from, _)| *from <= at);
            valid.checked_sub(1).map(|i| list[i])
        });
        match own {
            Some((from, rate)) => Some((rate, RateSource::Agent(from))),
            None => self.defaults.get(&skill).map(|rate| (*rate, RateSource::Default)),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::value::fixture::Must;

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, day, 0, 0, 0).single().must()
    }

    #[test]
    fn a_contribution_is_valued_at_the_rate_in_force_when_it_was_made() {
        let (alice, bob, design) = (AgentId::new(), AgentId::new(), ResourceSpecificationId::new());
        let rate = |agent, rate, from| AgentRate {
            id: AgentRateId::new(),
            agent,
            skill: design,
            rate,
            unit: None,
            valid_from: at(from),
            created: at(1),
        };
        let rates = Rates::new(
            [rate(alice, Decimal::from(40), 10), rate(alice, Decimal::from(30), 1)],
            [(design, Decimal::from(25))],
        );
        assert_eq!(rates.rate(alice, design, at(5)), Some((Decimal::from(30), RateSource::Agent(at(1)))));
        assert_eq!(rates.rate(alice, design, at(10)), Some((Decimal::from(40), RateSource::Agent(at(10)))));
        assert_eq!(rates.rate(alice, design, at(20)), Some((Decimal::from(40), RateSource::Agent(at(10)))));
        let before_any = Utc.with_ymd_and_hms(2025, 12, 31, 0, 0, 0).single().must();
        assert_eq!(
            rates.rate(alice, design, before_any),
            Some((Decimal::from(25), RateSource::Default)),
            "before her first rate"
        );
        assert_eq!(rates.rate(bob, design, at(5)), Some((Decimal::from(25), RateSource::Default)));
        assert_eq!(rates.rate(bob, ResourceSpecificationId::new(), at(5)), None);
    }

    #[test]
    fn a_negative_rate_is_refused() {
        let r = AgentRate {
            id: AgentRateId::new(),
            agent: AgentId::new(),
            skill: ResourceSpecificationId::new(),
            rate: Decimal::from(-1),
            unit: None,
            valid_from: at(1),
            created: at(1),
        };
        assert!(r.check().is_err());
    }
}
