//! The ValueFlows 1.0 action table, as data.
//!
//! Why: every rule of the books (what an event does to a resource, which fields it needs, how
//! track and trace walks through it) is driven by the event's action. VF 1.0 defines 19 actions
//! and describes each with twelve properties (`all_vf.TTL`); this module is that table, checked
//! into code so it can never drift between the API, persistence and the effect engine.
//!
//! Spelling: clients speaking vf-graphql 0.9 (hREA, Bonfire) use kebab-case ids
//! (`transfer-custody`), VF 1.0 uses camelCase (`transferCustody`), and Bonfire calls `combine`
//! and `separate` `pack` and `unpack`. [`Action::parse`] accepts all of them; [`Action::id`] is
//! the kebab-case wire id and [`Action::vf_id`] the VF 1.0 id.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// A ValueFlows action: the verb of an economic event, commitment or intent.
///
/// Serialized as its kebab-case wire id ([`Action::id`]); the VF 1.0 camelCase id is accepted
/// as an alias when deserializing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Take a resource into a process to be modified (repair, service), custody only.
    Accept,
    /// Refer to a resource (a design, knowledge) as an input without consuming it.
    Cite,
    /// Put a resource into a container resource (pack); Bonfire calls it `pack`.
    #[serde(alias = "pack")]
    Combine,
    /// Use up a resource as a process input.
    Consume,
    /// Make a copy of a resource (digital), incrementing the receiving resource only.
    Copy,
    /// Deliver a service, output of one process and possibly input of another.
    #[serde(alias = "deliverService")]
    DeliverService,
    /// Hand over a transported resource at its destination (pairs with `pickup`).
    Dropoff,
    /// Decrease a resource's quantity outside any process (write-off, adjustment).
    Lower,
    /// Return a resource modified by a process (pairs with `accept`).
    Modify,
    /// Move a resource between locations or resources of the same agent.
    Move,
    /// Pick up a resource to transport it (pairs with `dropoff`).
    Pickup,
    /// Produce a new or existing resource as a process output.
    Produce,
    /// Increase a resource's quantity outside any process (initial inventory, adjustment).
    Raise,
    /// Take a resource out of its container (unpack); Bonfire calls it `unpack`.
    #[serde(alias = "unpack")]
    Separate,
    /// Give rights and custody of a resource to another agent.
    Transfer,
    /// Give the rights (accounting) of a resource to another agent, keeping custody.
    #[serde(alias = "transferAllRights")]
    TransferAllRights,
    /// Give custody (onhand) of a resource to another agent, keeping the rights.
    #[serde(alias = "transferCustody")]
    TransferCustody,
    /// Use a resource (equipment, space) in a process without consuming it.
    Use,
    /// Contribute human effort to a process.
    Work,
}

/// Whether an action is a process input, output, both, or outside processes (`inputOutput`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InputOutput {
    /// Only as `inputOf` a process.
    Input,
    /// Only as `outputOf` a process.
    Output,
    /// Output of one process, and possibly input of another (`deliverService`).
    OutputInput,
    /// Not related to a process (transfers, move, copy, raise, lower).
    NotApplicable,
}

/// Which resource an event of this action may create (`createResource`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CreateResource {
    /// May create `resourceInventoriedAs` (produce, raise, lower).
    Optional,
    /// May create `toResourceInventoriedAs` (transfers, move, copy).
    OptionalTo,
    /// Never creates a resource.
    NotApplicable,
}

/// Which quantity an event of this action carries (`eventQuantity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventQuantity {
    /// `resourceQuantity`.
    Resource,
    /// `effortQuantity`.
    Effort,
    /// Both may be given (`use`: how long the equipment was used, and how much of it).
    Both,
}

/// The effect of an action on one of a resource's two balances (`accountingEffect`,
/// `onhandEffect`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effect {
    /// Adds the event quantity to `resourceInventoriedAs`.
    Increment,
    /// Subtracts the event quantity from `resourceInventoriedAs`.
    Decrement,
    /// Subtracts from `resourceInventoriedAs` and adds to `toResourceInventoriedAs`.
    DecrementIncrement,
    /// Adds to `toResourceInventoriedAs` only (copy).
    IncrementTo,
    /// No effect on that balance.
    NotApplicable,
}

/// The effect of an action on a resource field (location, containment, accountable agent,
/// stage, state).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldEffect {
    /// Set on a newly created resource.
    New,
    /// Update on `resourceInventoriedAs`.
    Update,
    /// Update on `toResourceInventoriedAs`.
    UpdateTo,
    /// Remove from `resourceInventoriedAs`.
    Remove,
    /// No effect on that field.
    NotApplicable,
}

/// Maturity of an action in the VF vocabulary (`vs:term_status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TermStatus {
    /// Stable.
    Stable,
    /// Being tested.
    Testing,
    /// Unstable, may change.
    Unstable,
}

/// One row of the VF 1.0 action table: everything the rules need to know about an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ActionDef {
    /// `inputOutput`.
    pub input_output: InputOutput,
    /// `pairsWith`: the action that closes this one in the same process (pickup/dropoff,
    /// accept/modify).
    pub pairs_with: Option<Action>,
    /// `createResource`.
    pub create_resource: CreateResource,
    /// `eventQuantity`.
    pub event_quantity: EventQuantity,
    /// `accountingEffect` (vf-graphql `resourceEffect`).
    pub accounting_effect: Effect,
    /// `onhandEffect`.
    pub onhand_effect: Effect,
    /// `locationEffect`.
    pub location_effect: FieldEffect,
    /// `containedEffect`.
    pub contained_effect: FieldEffect,
    /// `accountableEffect`.
    pub accountable_effect: FieldEffect,
    /// `stageEffect`.
    pub stage_effect: FieldEffect,
    /// `stateEffect`.
    pub state_effect: FieldEffect,
    /// `vs:term_status`.
    pub term_status: TermStatus,
}

impl InputOutput {
    /// The VF 1.0 string.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Input => "input",
            Self::Output => "output",
            Self::OutputInput => "outputInput",
            Self::NotApplicable => "notApplicable",
        }
    }
}

impl CreateResource {
    /// The VF 1.0 string.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Optional => "optional",
            Self::OptionalTo => "optionalTo",
            Self::NotApplicable => "notApplicable",
        }
    }
}

impl EventQuantity {
    /// The VF 1.0 string.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Resource => "resource",
            Self::Effort => "effort",
            Self::Both => "both",
        }
    }
}

impl Effect {
    /// The VF 1.0 string.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Increment => "increment",
            Self::Decrement => "decrement",
            Self::DecrementIncrement => "decrementIncrement",
            Self::IncrementTo => "incrementTo",
            Self::NotApplicable => "notApplicable",
        }
    }

    /// The string vf-graphql 0.9 clients (hREA, Bonfire) expect in `resourceEffect` and
    /// `onhandEffect`: the same as [`Effect::as_str`] except that no effect is `"noEffect"`.
    pub const fn as_legacy_str(self) -> &'static str {
        match self {
            Self::NotApplicable => "noEffect",
            other => other.as_str(),
        }
    }
}

impl FieldEffect {
    /// The VF 1.0 string.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Update => "update",
            Self::UpdateTo => "updateTo",
            Self::Remove => "remove",
            Self::NotApplicable => "notApplicable",
        }
    }
}

impl TermStatus {
    /// The VF 1.0 string.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Stable => "stable",
            Self::Testing => "testing",
            Self::Unstable => "unstable",
        }
    }
}

impl Action {
    /// Every action, in alphabetical order of [`Action::id`].
    pub const ALL: [Action; 19] = [
        Action::Accept,
        Action::Cite,
        Action::Combine,
        Action::Consume,
        Action::Copy,
        Action::DeliverService,
        Action::Dropoff,
        Action::Lower,
        Action::Modify,
        Action::Move,
        Action::Pickup,
        Action::Produce,
        Action::Raise,
        Action::Separate,
        Action::Transfer,
        Action::TransferAllRights,
        Action::TransferCustody,
        Action::Use,
        Action::Work,
    ];

    /// Parses an action id: the kebab-case wire id (`transfer-custody`), the VF 1.0 camelCase
    /// id (`transferCustody`), or Bonfire's `pack` (= `combine`) and `unpack` (= `separate`).
    /// Ids are case-sensitive, as in VF.
    pub fn parse(id: &str) -> Result<Action, DomainError> {
        let found = match id {
            "pack" => Some(Action::Combine),
            "unpack" => Some(Action::Separate),
            _ => Action::ALL.into_iter().find(|a| a.id() == id || a.vf_id() == id),
        };
        found.ok_or_else(|| DomainError::UnknownAction(id.chars().take(80).collect()))
    }

    /// The canonical wire id: kebab-case, as hREA, Bonfire and vf-graphql 0.9 clients use.
    pub const fn id(self) -> &'static str {
        match self {
            Action::DeliverService => "deliver-service",
            Action::TransferAllRights => "transfer-all-rights",
            Action::TransferCustody => "transfer-custody",
            other => other.vf_id(),
        }
    }

    /// The VF 1.0 camelCase id.
    pub const fn vf_id(self) -> &'static str {
        match self {
            Action::Accept => "accept",
            Action::Cite => "cite",
            Action::Combine => "combine",
            Action::Consume => "consume",
            Action::Copy => "copy",
            Action::DeliverService => "deliverService",
            Action::Dropoff => "dropoff",
            Action::Lower => "lower",
            Action::Modify => "modify",
            Action::Move => "move",
            Action::Pickup => "pickup",
            Action::Produce => "produce",
            Action::Raise => "raise",
            Action::Separate => "separate",
            Action::Transfer => "transfer",
            Action::TransferAllRights => "transferAllRights",
            Action::TransferCustody => "transferCustody",
            Action::Use => "use",
            Action::Work => "work",
        }
    }

    /// The human label: the same as [`Action::id`].
    pub const fn label(self) -> &'static str {
        self.id()
    }

    /// The full VF 1.0 row of this action.
    pub const fn def(self) -> ActionDef {
        use CreateResource as C;
        use Effect as E;
        use EventQuantity as Q;
        use FieldEffect as F;
        use InputOutput as IO;
        use TermStatus as S;
        // Columns: io, pairs, create, qty, accounting, onhand, location, contained,
        // accountable, stage, state, status.
        #[rustfmt::skip]
        let (io, pairs, create, qty, acc, onh, loc, con, who, stage, state, status) = match self {
            Action::Accept => (IO::Input, Some(Action::Modify), C::NotApplicable, Q::Resource, E::NotApplicable, E::Decrement, F::Update, F::NotApplicable, F::NotApplicable, F::NotApplicable, F::Update, S::Stable),
            Action::Combine => (IO::Input, None, C::NotApplicable, Q::Resource, E::NotApplicable, E::Decrement, F::NotApplicable, F::Update, F::NotApplicable, F::NotApplicable, F::Update, S::Unstable),
            Action::Consume => (IO::Input, None, C::NotApplicable, Q::Resource, E::Decrement, E::Decrement, F::NotApplicable, F::NotApplicable, F::NotApplicable, F::NotApplicable, F::Update, S::Stable),
            Action::Cite => (IO::Input, None, C::NotApplicable, Q::Resource, E::NotApplicable, E::NotApplicable, F::NotApplicable, F::NotApplicable, F::NotApplicable, F::NotApplicable, F::Update, S::Stable),
            Action::Copy => (IO::NotApplicable, None, C::OptionalTo, Q::Resource, E::IncrementTo, E::IncrementTo, F::New, F::NotApplicable, F::New, F::NotApplicable, F::UpdateTo, S::Unstable),
            Action::DeliverService => (IO::OutputInput, None, C::NotApplicable, Q::Resource, E::NotApplicable, E::NotApplicable, F::NotApplicable, F::NotApplicable, F::NotApplicable, F::NotApplicable, F::NotApplicable, S::Stable),
            Action::Dropoff => (IO::Output, Some(Action::Pickup), C::NotApplicable, Q::Resource, E::NotApplicable, E::Increment, F::Update, F::NotApplicable, F::NotApplicable, F::Update, F::Update, S::Stable),
            Action::Lower => (IO::NotApplicable, None, C::Optional, Q::Resource, E::Decrement, E::Decrement, F::NotApplicable, F::NotApplicable, F::New, F::NotApplicable, F::Update, S::Stable),
            Action::Modify => (IO::Output, Some(Action::Accept), C::NotApplicable, Q::Resource, E::NotApplicable, E::Increment, F::Update, F::NotApplicable, F::NotApplicable, F::Update, F::Update, S::Stable),
            Action::Move => (IO::NotApplicable, None, C::OptionalTo, Q::Resource, E::DecrementIncrement, E::DecrementIncrement, F::UpdateTo, F::NotApplicable, F::NotApplicable, F::NotApplicable, F::UpdateTo, S::Testing),
            Action::Pickup => (IO::Input, Some(Action::Dropoff), C::NotApplicable, Q::Resource, E::NotApplicable, E::Decrement, F::Update, F::NotApplicable, F::NotApplicable, F::NotApplicable, F::Update, S::Stable),
            Action::Produce => (IO::Output, None, C::Optional, Q::Resource, E::Increment, E::Increment, F::New, F::NotApplicable, F::New, F::Update, F::Update, S::Stable),
            Action::Raise => (IO::NotApplicable, None, C::Optional, Q::Resource, E::Increment, E::Increment, F::NotApplicable, F::NotApplicable, F::New, F::NotApplicable, F::Update, S::Stable),
            Action::Separate => (IO::Output, None, C::NotApplicable, Q::Resource, E::NotApplicable, E::Increment, F::NotApplicable, F::Remove, F::NotApplicable, F::Update, F::Update, S::Testing),
            Action::TransferAllRights => (IO::NotApplicable, None, C::OptionalTo, Q::Resource, E::DecrementIncrement, E::NotApplicable, F::NotApplicable, F::NotApplicable, F::UpdateTo, F::NotApplicable, F::UpdateTo, S::Testing),
            Action::Transfer => (IO::NotApplicable, None, C::OptionalTo, Q::Resource, E::DecrementIncrement, E::DecrementIncrement, F::UpdateTo, F::NotApplicable, F::UpdateTo, F::NotApplicable, F::UpdateTo, S::Stable),
            Action::TransferCustody => (IO::NotApplicable, None, C::OptionalTo, Q::Resource, E::NotApplicable, E::DecrementIncrement, F::UpdateTo, F::NotApplicable, F::NotApplicable, F::NotApplicable, F::UpdateTo, S::Testing),
            Action::Use => (IO::Input, None, C::NotApplicable, Q::Both, E::NotApplicable, E::NotApplicable, F::NotApplicable, F::NotApplicable, F::NotApplicable, F::NotApplicable, F::Update, S::Stable),
            Action::Work => (IO::Input, None, C::NotApplicable, Q::Effort, E::NotApplicable, E::NotApplicable, F::NotApplicable, F::NotApplicable, F::NotApplicable, F::NotApplicable, F::NotApplicable, S::Stable),
        };
        ActionDef {
            input_output: io,
            pairs_with: pairs,
            create_resource: create,
            event_quantity: qty,
            accounting_effect: acc,
            onhand_effect: onh,
            location_effect: loc,
            contained_effect: con,
            accountable_effect: who,
            stage_effect: stage,
            state_effect: state,
            term_status: status,
        }
    }

    /// `pairsWith` as VF writes it: the paired action's id, or `"notApplicable"`.
    pub fn pairs_with_str(self) -> &'static str {
        self.def().pairs_with.map_or("notApplicable", Action::id)
    }

    /// Whether events of this action may be `inputOf` a process.
    pub fn is_input(self) -> bool {
        matches!(self.def().input_output, InputOutput::Input | InputOutput::OutputInput)
    }

    /// Whether events of this action may be `outputOf` a process.
    pub fn is_output(self) -> bool {
        matches!(self.def().input_output, InputOutput::Output | InputOutput::OutputInput)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl std::str::FromStr for Action {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The VF 1.0 table, typed in again from `all_vf.TTL` independently of `def()`: VF id,
    /// then the twelve columns as VF strings.
    #[rustfmt::skip]
    const TABLE: [(&str, [&str; 12]); 19] = [
        ("accept", ["input", "modify", "notApplicable", "resource", "notApplicable", "decrement", "update", "notApplicable", "notApplicable", "notApplicable", "update", "stable"]),
        ("combine", ["input", "notApplicable", "notApplicable", "resource", "notApplicable", "decrement", "notApplicable", "update", "notApplicable", "notApplicable", "update", "unstable"]),
        ("consume", ["input", "notApplicable", "notApplicable", "resource", "decrement", "decrement", "notApplicable", "notApplicable", "notApplicable", "notApplicable", "update", "stable"]),
        ("cite", ["input", "notApplicable", "notApplicable", "resource", "notApplicable", "notApplicable", "notApplicable", "notApplicable", "notApplicable", "notApplicable", "update", "stable"]),
        ("copy", ["notApplicable", "notApplicable", "optionalTo", "resource", "incrementTo", "incrementTo", "new", "notApplicable", "new", "notApplicable", "updateTo", "unstable"]),
        ("deliverService", ["outputInput", "notApplicable", "notApplicable", "resource", "notApplicable", "notApplicable", "notApplicable", "notApplicable", "notApplicable", "notApplicable", "notApplicable", "stable"]),
        ("dropoff", ["output", "pickup", "notApplicable", "resource", "notApplicable", "increment", "update", "notApplicable", "notApplicable", "update", "update", "stable"]),
        ("lower", ["notApplicable", "notApplicable", "optional", "resource", "decrement", "decrement", "notApplicable", "notApplicable", "new", "notApplicable", "update", "stable"]),
        ("modify", ["output", "accept", "notApplicable", "resource", "notApplicable", "increment", "update", "notApplicable", "notApplicable", "update", "update", "stable"]),
        ("move", ["notApplicable", "notApplicable", "optionalTo", "resource", "decrementIncrement", "decrementIncrement", "updateTo", "notApplicable", "notApplicable", "notApplicable", "updateTo", "testing"]),
        ("pickup", ["input", "dropoff", "notApplicable", "resource", "notApplicable", "decrement", "update", "notApplicable", "notApplicable", "notApplicable", "update", "stable"]),
        ("produce", ["output", "notApplicable", "optional", "resource", "increment", "increment", "new", "notApplicable", "new", "update", "update", "stable"]),
        ("raise", ["notApplicable", "notApplicable", "optional", "resource", "increment", "increment", "notApplicable", "notApplicable", "new", "notApplicable", "update", "stable"]),
        ("separate", ["output", "notApplicable", "notApplicable", "resource", "notApplicable", "increment", "notApplicable", "remove", "notApplicable", "update", "update", "testing"]),
        ("transferAllRights", ["notApplicable", "notApplicable", "optionalTo", "resource", "decrementIncrement", "notApplicable", "notApplicable", "notApplicable", "updateTo", "notApplicable", "updateTo", "testing"]),
        ("transfer", ["notApplicable", "notApplicable", "optionalTo", "resource", "decrementIncrement", "decrementIncrement", "updateTo", "notApplicable", "updateTo", "notApplicable", "updateTo", "stable"]),
        ("transferCustody", ["notApplicable", "notApplicable", "optionalTo", "resource", "notApplicable", "decrementIncrement", "updateTo", "notApplicable", "notApplicable", "notApplicable", "updateTo", "testing"]),
        ("use", ["input", "notApplicable", "notApplicable", "both", "notApplicable", "notApplicable", "notApplicable", "notApplicable", "notApplicable", "notApplicable", "update", "stable"]),
        ("work", ["input", "notApplicable", "notApplicable", "effort", "notApplicable", "notApplicable", "notApplicable", "notApplicable", "notApplicable", "notApplicable", "notApplicable", "stable"]),
    ];

    fn row(a: Action) -> [&'static str; 12] {
        let d = a.def();
        [
            d.input_output.as_str(),
            d.pairs_with.map_or("notApplicable", Action::vf_id),
            d.create_resource.as_str(),
            d.event_quantity.as_str(),
            d.accounting_effect.as_str(),
            d.onhand_effect.as_str(),
            d.location_effect.as_str(),
            d.contained_effect.as_str(),
            d.accountable_effect.as_str(),
            d.stage_effect.as_str(),
            d.state_effect.as_str(),
            d.term_status.as_str(),
        ]
    }

    #[test]
    fn every_row_matches_the_vf_1_0_table() -> Result<(), DomainError> {
        for (vf_id, expected) in TABLE {
            let action = Action::parse(vf_id)?;
            assert_eq!(action.vf_id(), vf_id);
            assert_eq!(row(action), expected, "row of {vf_id}");
        }
        let mut seen: Vec<_> = TABLE.iter().map(|(id, _)| Action::parse(id)).collect::<Result<_, _>>()?;
        seen.sort();
        assert_eq!(seen, Action::ALL.to_vec(), "the table covers all 19 actions once");
        Ok(())
    }

    #[test]
    fn all_is_sorted_by_wire_id_and_complete() {
        let ids: Vec<_> = Action::ALL.iter().map(|a| a.id()).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        assert_eq!(ids, sorted);
        sorted.dedup();
        assert_eq!(sorted.len(), 19);
    }

    #[test]
    fn both_spellings_and_bonfire_aliases_parse() -> Result<(), DomainError> {
        let pairs = [
            ("transfer-custody", "transferCustody", Action::TransferCustody),
            ("transfer-all-rights", "transferAllRights", Action::TransferAllRights),
            ("deliver-service", "deliverService", Action::DeliverService),
            ("pack", "combine", Action::Combine),
            ("unpack", "separate", Action::Separate),
        ];
        for (a, b, expected) in pairs {
            assert_eq!(Action::parse(a)?, expected);
            assert_eq!(Action::parse(b)?, expected);
        }
        assert_eq!(Action::parse("transfer-custody")?.id(), "transfer-custody");
        assert_eq!(Action::TransferCustody.label(), "transfer-custody");
        Ok(())
    }

    #[test]
    fn ids_round_trip() -> Result<(), DomainError> {
        for a in Action::ALL {
            assert_eq!(Action::parse(a.id())?, a);
            assert_eq!(Action::parse(a.vf_id())?, a);
            assert_eq!(a.to_string(), a.id());
            assert_eq!(a.label(), a.id());
        }
        Ok(())
    }

    #[test]
    fn unknown_actions_are_refused() {
        for bad in ["", "Transfer", "pass", "fail", "transfer_custody", "produce "] {
            assert!(matches!(Action::parse(bad), Err(DomainError::UnknownAction(_))), "{bad:?}");
        }
    }

    #[test]
    fn legacy_effect_strings_and_pairs() {
        assert_eq!(Action::Cite.def().accounting_effect.as_legacy_str(), "noEffect");
        assert_eq!(Action::Consume.def().accounting_effect.as_legacy_str(), "decrement");
        assert_eq!(Action::Pickup.pairs_with_str(), "dropoff");
        assert_eq!(Action::Work.pairs_with_str(), "notApplicable");
        assert!(Action::DeliverService.is_input() && Action::DeliverService.is_output());
        assert!(!Action::Transfer.is_input() && !Action::Transfer.is_output());
    }
}
