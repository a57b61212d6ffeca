//! `Action`: the VF 1.0 action table, served as records (vf-graphql models actions as data).

use async_graphql::{ID, Object};
use ovn_domain::Action as DomainAction;

/// An action verb defining the kind of event, commitment, or intent.
#[derive(Debug, Clone, Copy)]
pub struct Action(pub DomainAction);

/// Canonical ids are kebab-case (`transfer-custody`), as hREA, Bonfire and vf-graphql 0.9
/// clients send them; the VF 1.0 camelCase spelling is accepted everywhere and served as
/// `vfId`.
#[Object]
impl Action {
    async fn id(&self) -> ID {
        ID(self.0.id().to_owned())
    }

    /// A unique verb which defines the action.
    async fn label(&self) -> &'static str {
        self.0.label()
    }

    /// The accounting effect of an economic event on a resource (VF `accountingEffect`).
    async fn resource_effect(&self) -> &'static str {
        self.0.def().accounting_effect.as_legacy_str()
    }

    /// The onhand effect of an economic event on a resource.
    async fn onhand_effect(&self) -> &'static str {
        self.0.def().onhand_effect.as_legacy_str()
    }

    /// Denotes if a process input or output, or not related to a process.
    async fn input_output(&self) -> &'static str {
        self.0.def().input_output.as_str()
    }

    /// The action that should be included on the other direction of the process.
    async fn pairs_with(&self) -> &'static str {
        self.0.pairs_with_str()
    }

    /// OVN: the VF 1.0 camelCase id of the action.
    async fn vf_id(&self) -> &'static str {
        self.0.vf_id()
    }

    /// OVN (VF 1.0 `accountingEffect`): same as `resourceEffect`, in VF 1.0 words.
    async fn accounting_effect(&self) -> &'static str {
        self.0.def().accounting_effect.as_str()
    }

    /// OVN (VF 1.0 `createResource`): which side of the event may create a resource.
    async fn create_resource(&self) -> &'static str {
        self.0.def().create_resource.as_str()
    }

    /// OVN (VF 1.0 `eventQuantity`): which quantity the event carries.
    async fn event_quantity(&self) -> &'static str {
        self.0.def().event_quantity.as_str()
    }

    /// OVN (VF 1.0 `locationEffect`).
    async fn location_effect(&self) -> &'static str {
        self.0.def().location_effect.as_str()
    }

    /// OVN (VF 1.0 `containedEffect`).
    async fn contained_effect(&self) -> &'static str {
        self.0.def().contained_effect.as_str()
    }

    /// OVN (VF 1.0 `accountableEffect`).
    async fn accountable_effect(&self) -> &'static str {
        self.0.def().accountable_effect.as_str()
    }

    /// OVN (VF 1.0 `stageEffect`).
    async fn stage_effect(&self) -> &'static str {
        self.0.def().stage_effect.as_str()
    }

    /// OVN (VF 1.0 `stateEffect`).
    async fn state_effect(&self) -> &'static str {
        self.0.def().state_effect.as_str()
    }
}
