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

pub mod fields;

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
mod tests;
