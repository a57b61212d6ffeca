//! The shape of an open value network, read from its agent relationships: who is an affiliate
//! of which network, which projects and networks are part of which, who is a network's exchange
//! firm, custodian and stewards. The five OVN roles are seeded by a migration with the fixed ids
//! below, so every instance (and every federated peer) names them alike; the rules here are
//! plain functions over the relationships persistence loads ([`Ties`]).
//!
//! Why roles are relationships and not columns: ValueFlows already says "subject is role of
//! object" with `AgentRelationship`, so other vf-graphql clients see (and can create) the same
//! facts ovn's rules read.

use std::collections::BTreeSet;

use uuid::Uuid;

use crate::{AgentId, AgentRelationshipRoleId, DomainError};

/// The relationship roles an OVN's rules rely on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OvnRole {
    /// The subject (a person or an organization) is an affiliate of the object (a network, or
    /// directly a project).
    AffiliateOf,
    /// The subject (a project or a network) is part of the object (a network).
    PartOf,
    /// The subject is the object network's exchange firm: the one agent through which it
    /// trades with the market.
    ExchangeFirmOf,
    /// The subject holds the object network's nondominium assets.
    CustodianOf,
    /// The subject may record events on behalf of others in the object's scope and manage its
    /// settings (and those of everything part of it).
    StewardOf,
}

impl OvnRole {
    /// Every OVN role, in the order the migration seeds them.
    pub const ALL: [Self; 5] =
        [Self::AffiliateOf, Self::PartOf, Self::ExchangeFirmOf, Self::CustodianOf, Self::StewardOf];

    /// The role's fixed id (seeded by a migration; the same on every instance).
    pub const fn id(self) -> AgentRelationshipRoleId {
        let n: u128 = match self {
            Self::AffiliateOf => 1,
            Self::PartOf => 2,
            Self::ExchangeFirmOf => 3,
            Self::CustodianOf => 4,
            Self::StewardOf => 5,
        };
        // A version-8 ("custom") UUID: never produced by the v7 generator of every other id.
        AgentRelationshipRoleId::from_uuid(Uuid::from_u128(0x0000_0000_0000_8000_8000_0000_0000_0000 | n))
    }

    /// `roleLabel`.
    pub const fn label(self) -> &'static str {
        match self {
            Self::AffiliateOf => "affiliateOf",
            Self::PartOf => "partOf",
            Self::ExchangeFirmOf => "exchangeFirmOf",
            Self::CustodianOf => "custodianOf",
            Self::StewardOf => "stewardOf",
        }
    }

    /// `inverseRoleLabel`.
    pub const fn inverse_label(self) -> &'static str {
        match self {
            Self::AffiliateOf => "hasAffiliate",
            Self::PartOf => "hasPart",
            Self::ExchangeFirmOf => "hasExchangeFirm",
            Self::CustodianOf => "hasCustodian",
            Self::StewardOf => "hasSteward",
        }
    }

    /// The OVN role a role id names, if it is one.
    pub fn of(role: AgentRelationshipRoleId) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.id() == role)
    }
}

/// One OVN relationship: `subject` is `role` of `object`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tie {
    /// Who the relationship is of.
    pub subject: AgentId,
    /// Which OVN role.
    pub role: OvnRole,
    /// Who it is with.
    pub object: AgentId,
}

/// The OVN relationships a rule needs (persistence loads the slice around the agents in
/// question: their own ties and the `partOf` chains above the scopes involved). A rule asked
/// about agents whose ties were not loaded answers as if they had none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ties {
    ties: BTreeSet<Tie>,
}

impl Ties {
    /// The ties, deduplicated.
    pub fn new(ties: impl IntoIterator<Item = Tie>) -> Self {
        Self { ties: ties.into_iter().collect() }
    }

    /// Adds more ties.
    pub fn extend(&mut self, ties: impl IntoIterator<Item = Tie>) {
        self.ties.extend(ties);
    }

    /// Removes a tie (the one a write is ending or replacing).
    pub fn remove(&mut self, tie: &Tie) {
        self.ties.remove(tie);
    }

    /// Every tie.
    pub fn iter(&self) -> impl Iterator<Item = &Tie> {
        self.ties.iter()
    }

    /// The objects `subject` is `role` of (a range of the ordered set: the contribution test
    /// asks this for every event of a scope).
    pub fn objects(&self, subject: AgentId, role: OvnRole) -> impl Iterator<Item = AgentId> + '_ {
        let from = Tie { subject, role, object: AgentId::from_uuid(Uuid::nil()) };
        let to = Tie { subject, role, object: AgentId::from_uuid(Uuid::max()) };
        self.ties.range(from..=to).map(|t| t.object)
    }

    /// The subjects that are `role` of `object`.
    pub fn subjects(&self, role: OvnRole, object: AgentId) -> impl Iterator<Item = AgentId> + '_ {
        self.ties.iter().filter(move |t| t.object == object && t.role == role).map(|t| t.subject)
    }

    /// `scope` and every network it is part of, directly or through other networks. Iterative,
    /// each agent once, so a cycle that slipped in (two instances merged, say) cannot loop.
    pub fn above(&self, scope: AgentId) -> BTreeSet<AgentId> {
        let mut seen = BTreeSet::from([scope]);
        let mut frontier = vec![scope];
        while let Some(next) = frontier.pop() {
            for parent in self.objects(next, OvnRole::PartOf) {
                if seen.insert(parent) {
                    frontier.push(parent);
                }
            }
        }
        seen
    }

    /// Whether `agent` is an affiliate of `scope` or of a network `scope` is part of.
    pub fn is_affiliate(&self, agent: AgentId, scope: AgentId) -> bool {
        let above = self.above(scope);
        self.objects(agent, OvnRole::AffiliateOf).any(|o| above.contains(&o))
    }

    /// Whether `agent` is a steward of `scope` or of a network `scope` is part of.
    pub fn is_steward(&self, agent: AgentId, scope: AgentId) -> bool {
        let above = self.above(scope);
        self.objects(agent, OvnRole::StewardOf).any(|o| above.contains(&o))
    }

    /// Whether `agent` is a steward of any of `scopes`.
    pub fn stewards_any(&self, agent: AgentId, scopes: &[AgentId]) -> bool {
        scopes.iter().any(|scope| self.is_steward(agent, *scope))
    }
}

/// Checks a new OVN relationship against the network's shape: a project or network cannot be
/// part of itself, directly or through a cycle (`CYCLE`); a network has one exchange firm
/// (`CONFLICT` for a second); an agent is not its own affiliate, custodian, steward or
/// exchange firm; a relationship is stated once (`CONFLICT`). `ties` must hold the subject's
/// ties, the `partOf` chain above the object and the object's officers.
pub fn check_new_tie(tie: Tie, ties: &Ties) -> Result<(), DomainError> {
    if ties.ties.contains(&tie) {
        return Err(DomainError::Conflict(format!("{} is already {} {}", tie.subject, tie.role.label(), tie.object)));
    }
    if tie.subject == tie.object {
        return Err(match tie.role {
            OvnRole::PartOf => DomainError::Cycle(format!("{} would be part of itself", tie.subject)),
            role => DomainError::invalid("object", format!("an agent cannot be {} itself", role.label())),
        });
    }
    match tie.role {
        OvnRole::PartOf if ties.above(tie.object).contains(&tie.subject) => Err(DomainError::Cycle(format!(
            "{} is already above {} (through partOf), so it cannot also be part of it",
            tie.subject, tie.object
        ))),
        OvnRole::ExchangeFirmOf => match ties.subjects(OvnRole::ExchangeFirmOf, tie.object).find(|s| *s != tie.subject)
        {
            Some(firm) => Err(DomainError::Conflict(format!(
                "network {} already has an exchange firm ({firm}); end that relationship first",
                tie.object
            ))),
            None => Ok(()),
        },
        _ => Ok(()),
    }
}

/// Who may create or end an OVN relationship: a steward of its object (or of a network above
/// it); the subject itself for its own `affiliateOf` (joining and leaving a network are open)
/// and for ending any relationship it is the subject of; and, while an organization has no
/// steward at all, anyone who names themself its first steward (an organization is created
/// with no owner, so the first steward claims it; every later one is appointed by a steward).
pub fn may_tie(actor: AgentId, tie: Tie, ending: bool, ties: &Ties) -> Result<(), DomainError> {
    let own = actor == tie.subject;
    let allowed = ties.is_steward(actor, tie.object)
        || (own && (ending || tie.role == OvnRole::AffiliateOf))
        || (own && tie.role == OvnRole::StewardOf && ties.subjects(OvnRole::StewardOf, tie.object).next().is_none());
    if allowed {
        Ok(())
    } else {
        Err(DomainError::Forbidden(format!(
            "only a steward of {} may {} its {} relationships",
            tie.object,
            if ending { "end" } else { "create" },
            tie.role.label()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tie(subject: AgentId, role: OvnRole, object: AgentId) -> Tie {
        Tie { subject, role, object }
    }

    #[test]
    fn role_ids_are_fixed_distinct_and_round_trip() {
        let ids: BTreeSet<_> = OvnRole::ALL.iter().map(|r| r.id()).collect();
        assert_eq!(ids.len(), 5);
        assert_eq!(OvnRole::AffiliateOf.id().to_string(), "00000000-0000-8000-8000-000000000001");
        for role in OvnRole::ALL {
            assert_eq!(OvnRole::of(role.id()), Some(role));
        }
        assert_eq!(OvnRole::of(AgentRelationshipRoleId::new()), None);
    }

    #[test]
    fn objects_are_exactly_the_subjects_ties_in_that_role() {
        let agents: Vec<AgentId> = (0..12).map(|_| AgentId::new()).collect();
        // Every third pair tied, in a role drawn from the pair's position.
        let ties = Ties::new(agents.iter().enumerate().flat_map(|(i, s)| {
            agents.iter().enumerate().filter(move |(j, _)| (i + j) % 3 == 0).map(move |(j, o)| {
                let role = OvnRole::ALL[(i * 7 + j) % OvnRole::ALL.len()];
                tie(*s, role, *o)
            })
        }));
        for subject in &agents {
            for role in OvnRole::ALL {
                let scanned: Vec<AgentId> =
                    ties.iter().filter(|t| t.subject == *subject && t.role == role).map(|t| t.object).collect();
                let mut found: Vec<AgentId> = ties.objects(*subject, role).collect();
                found.sort();
                let mut expected = scanned;
                expected.sort();
                assert_eq!(found, expected);
            }
        }
        assert!(ties.objects(AgentId::new(), OvnRole::PartOf).next().is_none());
    }

    #[test]
    fn affiliation_and_stewardship_reach_down_the_part_of_chain() {
        let (network, sub, project, alice, bob, steward) =
            (AgentId::new(), AgentId::new(), AgentId::new(), AgentId::new(), AgentId::new(), AgentId::new());
        let ties = Ties::new([
            tie(sub, OvnRole::PartOf, network),
            tie(project, OvnRole::PartOf, sub),
            tie(alice, OvnRole::AffiliateOf, network),
            tie(bob, OvnRole::AffiliateOf, project),
            tie(steward, OvnRole::StewardOf, sub),
        ]);
        assert_eq!(ties.above(project), BTreeSet::from([project, sub, network]));
        assert!(ties.is_affiliate(alice, project), "an affiliate of the network counts in its projects");
        assert!(ties.is_affiliate(bob, project), "a direct affiliate of the project counts");
        assert!(!ties.is_affiliate(bob, network), "affiliation does not climb up");
        assert!(ties.is_steward(steward, project));
        assert!(!ties.is_steward(steward, network));
        assert!(!ties.is_steward(alice, project));
    }

    #[test]
    fn part_of_refuses_cycles_of_any_length() {
        let (a, b, c) = (AgentId::new(), AgentId::new(), AgentId::new());
        let ties = Ties::new([tie(b, OvnRole::PartOf, a), tie(c, OvnRole::PartOf, b)]);
        assert!(matches!(check_new_tie(tie(a, OvnRole::PartOf, a), &ties), Err(DomainError::Cycle(_))));
        assert!(matches!(check_new_tie(tie(a, OvnRole::PartOf, c), &ties), Err(DomainError::Cycle(_))));
        assert!(matches!(check_new_tie(tie(b, OvnRole::PartOf, c), &ties), Err(DomainError::Cycle(_))));
        assert_eq!(check_new_tie(tie(c, OvnRole::PartOf, a), &ties), Ok(()), "a second parent is no cycle");
        // A cycle already stored does not make `above` loop.
        let looped = Ties::new([tie(a, OvnRole::PartOf, b), tie(b, OvnRole::PartOf, a)]);
        assert_eq!(looped.above(a), BTreeSet::from([a, b]));
    }

    #[test]
    fn a_network_has_one_exchange_firm() {
        let (network, firm, other) = (AgentId::new(), AgentId::new(), AgentId::new());
        let ties = Ties::new([tie(firm, OvnRole::ExchangeFirmOf, network)]);
        assert!(matches!(
            check_new_tie(tie(other, OvnRole::ExchangeFirmOf, network), &ties),
            Err(DomainError::Conflict(_))
        ));
        assert!(
            matches!(check_new_tie(tie(firm, OvnRole::ExchangeFirmOf, network), &ties), Err(DomainError::Conflict(_))),
            "stated once"
        );
        assert!(check_new_tie(tie(network, OvnRole::AffiliateOf, network), &ties).is_err());
    }

    #[test]
    fn who_may_tie() {
        let (network, alice, bob, steward) = (AgentId::new(), AgentId::new(), AgentId::new(), AgentId::new());
        let none = Ties::default();
        // The first steward claims an organization nobody stewards.
        assert_eq!(may_tie(steward, tie(steward, OvnRole::StewardOf, network), false, &none), Ok(()));
        assert!(may_tie(alice, tie(steward, OvnRole::StewardOf, network), false, &none).is_err());
        let ties = Ties::new([tie(steward, OvnRole::StewardOf, network)]);
        assert!(may_tie(alice, tie(alice, OvnRole::StewardOf, network), false, &ties).is_err(), "no second claim");
        assert_eq!(may_tie(steward, tie(alice, OvnRole::StewardOf, network), false, &ties), Ok(()));
        // Joining and leaving are open; affiliating someone else is a steward's act.
        assert_eq!(may_tie(alice, tie(alice, OvnRole::AffiliateOf, network), false, &ties), Ok(()));
        assert_eq!(may_tie(alice, tie(alice, OvnRole::AffiliateOf, network), true, &ties), Ok(()));
        assert!(may_tie(alice, tie(bob, OvnRole::AffiliateOf, network), false, &ties).is_err());
        assert_eq!(may_tie(steward, tie(bob, OvnRole::AffiliateOf, network), false, &ties), Ok(()));
        assert!(may_tie(alice, tie(alice, OvnRole::ExchangeFirmOf, network), false, &ties).is_err());
    }
}
