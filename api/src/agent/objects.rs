//! The agent module: `Person`, `Organization`, the `Agent` interface, the `AccountingScope`
//! union, `AgentRelationship` and `AgentRelationshipRole`.

use std::collections::HashMap;

use async_graphql::{Context, ID, Interface, Object, SimpleObject, Union};
use ovn_domain::AgentId;
use ovn_domain::agent::network::OvnRole;
use ovn_domain::agent::{
    Agent as DomainAgent, AgentKind, AgentRelationship as DomainRelationship, AgentRelationshipRole as DomainRole,
};
use ovn_persistence::agent::RelationshipFilter;
use ovn_persistence::{Page, PageRequest, PersistenceError};

use ovn_persistence::claim::ClaimFilter;
use ovn_persistence::intent::IntentFilter;
use ovn_persistence::observation::{EventFilter, ProcessFilter, ResourceFilter};
use ovn_persistence::planning::{CommitmentFilter, PlanFilter};
use ovn_persistence::proposal::ProposalFilter;

use crate::claim::objects::{ClaimConnection, claims_page};
use crate::connection;
use crate::context::ContextExt;
use crate::error::Result;
use crate::intent::objects::{Intent, IntentConnection, intents_page};
use crate::observation::objects::{
    EconomicEventConnection, EconomicResourceConnection, ProcessConnection, events_page, processes_page, resources_page,
};
use crate::pagination::{PageInfo, page_request};
use crate::planning::objects::{CommitmentConnection, PlanConnection, commitments_page, plans_page};
use crate::proposal::objects::{ProposalConnection, proposals_page};
use crate::scalars::Uri;

/// Declares the fields every agent type shares (vf-graphql's `Agent` interface), plus the
/// type's own fields.
macro_rules! agent_object {
    ($ty:ident, $doc:literal, { $($extra:tt)* }) => {
        #[doc = $doc]
        #[derive(Debug, Clone)]
        pub struct $ty(pub DomainAgent);

        #[Object]
        impl $ty {
            async fn id(&self) -> ID {
                ID(self.0.id.to_string())
            }

            async fn revision_id(&self) -> ID {
                crate::convert::revision_id(self.0.id, self.0.revision)
            }

            /// This record as it was at `revisionId` (vf-graphql `history`); null when this record has
            /// no such revision.
            async fn revision(&self, ctx: &Context<'_>, revision_id: ID) -> Result<Option<Self>> {
                Ok(crate::history::revision(ctx, &self.0, &revision_id).await?.map(Self))
            }

            /// Metadata about this record's revisions (vf-graphql `history`).
            async fn meta(&self) -> crate::history::RecordMeta {
                crate::history::RecordMeta::of(&self.0)
            }

            /// The name that this agent will be referred to by.
            async fn name(&self) -> &str {
                self.0.profile.name.as_str()
            }

            /// The uri to an image relevant to the agent, such as a logo, avatar, photo, etc.
            async fn image(&self) -> Option<Uri> {
                self.0.profile.image.as_ref().map(Uri::from)
            }

            /// A textual description or comment.
            async fn note(&self) -> Option<&str> {
                self.0.profile.note.as_deref()
            }

            /// Relationships where this agent is the subject or the object.
            async fn relationships(
                &self,
                ctx: &Context<'_>,
                first: Option<i32>,
                after: Option<String>,
                last: Option<i32>,
                before: Option<String>,
            ) -> Result<Option<AgentRelationshipConnection>> {
                relationships_of(ctx, RelationshipFilter::Either(self.0.id), first, after, last, before).await
            }

            /// Relationships where this agent is the subject.
            async fn relationships_as_subject(
                &self,
                ctx: &Context<'_>,
                first: Option<i32>,
                after: Option<String>,
                last: Option<i32>,
                before: Option<String>,
            ) -> Result<Option<AgentRelationshipConnection>> {
                relationships_of(ctx, RelationshipFilter::Subject(self.0.id), first, after, last, before).await
            }

            /// Relationships where this agent is the object.
            async fn relationships_as_object(
                &self,
                ctx: &Context<'_>,
                first: Option<i32>,
                after: Option<String>,
                last: Option<i32>,
                before: Option<String>,
            ) -> Result<Option<AgentRelationshipConnection>> {
                relationships_of(ctx, RelationshipFilter::Object(self.0.id), first, after, last, before).await
            }

            /// The kinds of relationship this agent takes part in.
            async fn roles(&self, ctx: &Context<'_>) -> Result<Option<Vec<AgentRelationshipRole>>> {
                let roles = ctx.store()?.roles_of_agent(self.0.id).await?;
                Ok(Some(roles.into_iter().map(AgentRelationshipRole).collect()))
            }

            /// Events this agent provided or received.
            async fn economic_events(
                &self,
                ctx: &Context<'_>,
                first: Option<i32>,
                after: Option<String>,
                last: Option<i32>,
                before: Option<String>,
            ) -> Result<Option<EconomicEventConnection>> {
                let filter = EventFilter { agent: Some(self.0.id), ..EventFilter::default() };
                events_page(ctx, &filter, first, after, last, before).await.map(Some)
            }

            /// Events this agent provided.
            async fn economic_events_as_provider(
                &self,
                ctx: &Context<'_>,
                first: Option<i32>,
                after: Option<String>,
                last: Option<i32>,
                before: Option<String>,
            ) -> Result<Option<EconomicEventConnection>> {
                let filter = EventFilter { provider: vec![self.0.id], ..EventFilter::default() };
                events_page(ctx, &filter, first, after, last, before).await.map(Some)
            }

            /// Events this agent received.
            async fn economic_events_as_receiver(
                &self,
                ctx: &Context<'_>,
                first: Option<i32>,
                after: Option<String>,
                last: Option<i32>,
                before: Option<String>,
            ) -> Result<Option<EconomicEventConnection>> {
                let filter = EventFilter { receiver: vec![self.0.id], ..EventFilter::default() };
                events_page(ctx, &filter, first, after, last, before).await.map(Some)
            }

            /// Events in scope of this agent (a project's or a network's books).
            async fn economic_events_in_scope(
                &self,
                ctx: &Context<'_>,
                first: Option<i32>,
                after: Option<String>,
                last: Option<i32>,
                before: Option<String>,
            ) -> Result<Option<EconomicEventConnection>> {
                let filter = EventFilter { in_scope_of: Some(self.0.id), ..EventFilter::default() };
                events_page(ctx, &filter, first, after, last, before).await.map(Some)
            }

            /// Resources this agent is accountable for or holds.
            async fn inventoried_economic_resources(
                &self,
                ctx: &Context<'_>,
                first: Option<i32>,
                after: Option<String>,
                last: Option<i32>,
                before: Option<String>,
            ) -> Result<Option<EconomicResourceConnection>> {
                let filter = ResourceFilter { agent: Some(self.0.id), ..ResourceFilter::default() };
                resources_page(ctx, &filter, first, after, last, before).await.map(Some)
            }

            /// Commitments this agent provides or receives.
            async fn commitments(
                &self,
                ctx: &Context<'_>,
                first: Option<i32>,
                after: Option<String>,
                last: Option<i32>,
                before: Option<String>,
            ) -> Result<Option<CommitmentConnection>> {
                let filter = CommitmentFilter { agent: Some(self.0.id), ..CommitmentFilter::default() };
                commitments_page(ctx, &filter, first, after, last, before).await.map(Some)
            }

            /// Commitments this agent provides.
            async fn commitments_as_provider(
                &self,
                ctx: &Context<'_>,
                first: Option<i32>,
                after: Option<String>,
                last: Option<i32>,
                before: Option<String>,
            ) -> Result<Option<CommitmentConnection>> {
                let filter = CommitmentFilter { provider: Some(self.0.id), ..CommitmentFilter::default() };
                commitments_page(ctx, &filter, first, after, last, before).await.map(Some)
            }

            /// Commitments this agent receives.
            async fn commitments_as_receiver(
                &self,
                ctx: &Context<'_>,
                first: Option<i32>,
                after: Option<String>,
                last: Option<i32>,
                before: Option<String>,
            ) -> Result<Option<CommitmentConnection>> {
                let filter = CommitmentFilter { receiver: Some(self.0.id), ..CommitmentFilter::default() };
                commitments_page(ctx, &filter, first, after, last, before).await.map(Some)
            }

            /// Commitments in scope of this agent (a project's or a network's plans).
            async fn commitments_in_scope(
                &self,
                ctx: &Context<'_>,
                first: Option<i32>,
                after: Option<String>,
                last: Option<i32>,
                before: Option<String>,
            ) -> Result<Option<CommitmentConnection>> {
                let filter = CommitmentFilter { in_scope_of: Some(self.0.id), ..CommitmentFilter::default() };
                commitments_page(ctx, &filter, first, after, last, before).await.map(Some)
            }

            /// Plans in which this agent provides or receives a commitment.
            async fn plans(
                &self,
                ctx: &Context<'_>,
                first: Option<i32>,
                after: Option<String>,
                last: Option<i32>,
                before: Option<String>,
            ) -> Result<Option<PlanConnection>> {
                let filter = PlanFilter { agent: Some(self.0.id) };
                plans_page(ctx, &filter, first, after, last, before).await.map(Some)
            }

            /// Processes this agent has events in.
            async fn processes(
                &self,
                ctx: &Context<'_>,
                first: Option<i32>,
                after: Option<String>,
                last: Option<i32>,
                before: Option<String>,
            ) -> Result<Option<ProcessConnection>> {
                let filter = ProcessFilter { agent: Some(self.0.id), ..ProcessFilter::default() };
                processes_page(ctx, &filter, first, after, last, before).await.map(Some)
            }


            /// Intents this agent provides or receives.
            async fn intents(
                &self,
                ctx: &Context<'_>,
                first: Option<i32>,
                after: Option<String>,
                last: Option<i32>,
                before: Option<String>,
            ) -> Result<Option<IntentConnection>> {
                let filter = IntentFilter { agent: Some(self.0.id), ..IntentFilter::default() };
                intents_page(ctx, &filter, first, after, last, before).await.map(Some)
            }

            /// Intents this agent provides (its offers).
            async fn intents_as_provider(
                &self,
                ctx: &Context<'_>,
                first: Option<i32>,
                after: Option<String>,
                last: Option<i32>,
                before: Option<String>,
            ) -> Result<Option<IntentConnection>> {
                let filter = IntentFilter { provider: Some(self.0.id), ..IntentFilter::default() };
                intents_page(ctx, &filter, first, after, last, before).await.map(Some)
            }

            /// Intents this agent receives (its requests).
            async fn intents_as_receiver(
                &self,
                ctx: &Context<'_>,
                first: Option<i32>,
                after: Option<String>,
                last: Option<i32>,
                before: Option<String>,
            ) -> Result<Option<IntentConnection>> {
                let filter = IntentFilter { receiver: Some(self.0.id), ..IntentFilter::default() };
                intents_page(ctx, &filter, first, after, last, before).await.map(Some)
            }

            /// Intents in scope of this agent.
            async fn intents_in_scope(
                &self,
                ctx: &Context<'_>,
                first: Option<i32>,
                after: Option<String>,
                last: Option<i32>,
                before: Option<String>,
            ) -> Result<Option<IntentConnection>> {
                let filter = IntentFilter { in_scope_of: Some(self.0.id), ..IntentFilter::default() };
                intents_page(ctx, &filter, first, after, last, before).await.map(Some)
            }

            /// Proposals this agent created, or that publish an intent it provides or receives.
            async fn proposals(
                &self,
                ctx: &Context<'_>,
                first: Option<i32>,
                after: Option<String>,
                last: Option<i32>,
                before: Option<String>,
            ) -> Result<Option<ProposalConnection>> {
                proposals_page(ctx, ProposalFilter::Agent(self.0.id), first, after, last, before).await.map(Some)
            }

            /// Proposals in scope of this agent.
            async fn proposals_in_scope(
                &self,
                ctx: &Context<'_>,
                first: Option<i32>,
                after: Option<String>,
                last: Option<i32>,
                before: Option<String>,
            ) -> Result<Option<ProposalConnection>> {
                proposals_page(ctx, ProposalFilter::InScope(self.0.id), first, after, last, before).await.map(Some)
            }

            /// Proposals published to this agent.
            async fn proposals_to(
                &self,
                ctx: &Context<'_>,
                first: Option<i32>,
                after: Option<String>,
                last: Option<i32>,
                before: Option<String>,
            ) -> Result<Option<ProposalConnection>> {
                proposals_page(ctx, ProposalFilter::To(self.0.id), first, after, last, before).await.map(Some)
            }

            /// vf-graphql 0.9 types this list as an `IntentConnection` (a slip of its schema), kept for
            /// conformance and always empty: OVN serves the claims as `agentClaims`.
            async fn claims(
                &self,
                ctx: &Context<'_>,
                first: Option<i32>,
                after: Option<String>,
                last: Option<i32>,
                before: Option<String>,
            ) -> Result<Option<IntentConnection>> {
                let _ = (ctx, first, after, last, before);
                Ok(Some(IntentConnection::from_page(empty_page(), Intent)))
            }

            /// vf-graphql 0.9 types this list as an `IntentConnection` (a slip of its schema), kept for
            /// conformance and always empty: OVN serves the claims as `agentClaimsAsProvider`.
            async fn claims_as_provider(
                &self,
                ctx: &Context<'_>,
                first: Option<i32>,
                after: Option<String>,
                last: Option<i32>,
                before: Option<String>,
            ) -> Result<Option<IntentConnection>> {
                let _ = (ctx, first, after, last, before);
                Ok(Some(IntentConnection::from_page(empty_page(), Intent)))
            }

            /// vf-graphql 0.9 types this list as an `IntentConnection` (a slip of its schema), kept for
            /// conformance and always empty: OVN serves the claims as `agentClaimsAsReceiver`.
            async fn claims_as_receiver(
                &self,
                ctx: &Context<'_>,
                first: Option<i32>,
                after: Option<String>,
                last: Option<i32>,
                before: Option<String>,
            ) -> Result<Option<IntentConnection>> {
                let _ = (ctx, first, after, last, before);
                Ok(Some(IntentConnection::from_page(empty_page(), Intent)))
            }

            /// vf-graphql 0.9 types this list as an `IntentConnection` (a slip of its schema), kept for
            /// conformance and always empty: OVN serves the claims as `agentClaimsInScope`.
            async fn claims_in_scope(
                &self,
                ctx: &Context<'_>,
                first: Option<i32>,
                after: Option<String>,
                last: Option<i32>,
                before: Option<String>,
            ) -> Result<Option<IntentConnection>> {
                let _ = (ctx, first, after, last, before);
                Ok(Some(IntentConnection::from_page(empty_page(), Intent)))
            }

            /// OVN: the claims this agent owes or is owed (vf-graphql's `claims`).
            async fn agent_claims(
                &self,
                ctx: &Context<'_>,
                first: Option<i32>,
                after: Option<String>,
                last: Option<i32>,
                before: Option<String>,
            ) -> Result<Option<ClaimConnection>> {
                let filter = ClaimFilter { agent: Some(self.0.id), ..ClaimFilter::default() };
                claims_page(ctx, &filter, first, after, last, before).await.map(Some)
            }

            /// OVN: the claims this agent is expected to settle (vf-graphql's `claimsAsProvider`).
            async fn agent_claims_as_provider(
                &self,
                ctx: &Context<'_>,
                first: Option<i32>,
                after: Option<String>,
                last: Option<i32>,
                before: Option<String>,
            ) -> Result<Option<ClaimConnection>> {
                let filter = ClaimFilter { provider: Some(self.0.id), ..ClaimFilter::default() };
                claims_page(ctx, &filter, first, after, last, before).await.map(Some)
            }

            /// OVN: the claims made for this agent (vf-graphql's `claimsAsReceiver`).
            async fn agent_claims_as_receiver(
                &self,
                ctx: &Context<'_>,
                first: Option<i32>,
                after: Option<String>,
                last: Option<i32>,
                before: Option<String>,
            ) -> Result<Option<ClaimConnection>> {
                let filter = ClaimFilter { receiver: Some(self.0.id), ..ClaimFilter::default() };
                claims_page(ctx, &filter, first, after, last, before).await.map(Some)
            }

            /// OVN: the claims in scope of this agent (vf-graphql's `claimsInScope`).
            async fn agent_claims_in_scope(
                &self,
                ctx: &Context<'_>,
                first: Option<i32>,
                after: Option<String>,
                last: Option<i32>,
                before: Option<String>,
            ) -> Result<Option<ClaimConnection>> {
                let filter = ClaimFilter { in_scope_of: Some(self.0.id), ..ClaimFilter::default() };
                claims_page(ctx, &filter, first, after, last, before).await.map(Some)
            }

            $($extra)*
        }
    };
}

agent_object!(Person, "A natural person.", {
    /// OVN: the networks this agent belongs to (as an affiliate, directly or through a
    /// project, or as a part), each with every network above it.
    async fn networks(&self, ctx: &Context<'_>) -> Result<Vec<Organization>> {
        super::network::networks(ctx, self.0.id).await
    }

    /// OVN: the projects this agent takes part in (as an affiliate or a steward, or by
    /// providing events in their scope).
    async fn projects(&self, ctx: &Context<'_>) -> Result<Vec<Organization>> {
        super::network::projects(ctx, self.0.id).await
    }
});

agent_object!(Organization, "A formal or informal group, or legal organization.", {
    /// References one or more concepts in a common taxonomy or other classification scheme.
    async fn classified_as(&self) -> Option<Vec<Uri>> {
        let list = &self.0.profile.classified_as;
        (!list.is_empty()).then(|| list.iter().map(Uri::from).collect())
    }

    /// OVN: the networks this agent belongs to (as an affiliate, directly or through a
    /// project, or as a part), each with every network above it.
    async fn networks(&self, ctx: &Context<'_>) -> Result<Vec<Organization>> {
        super::network::networks(ctx, self.0.id).await
    }

    /// OVN: the projects this agent takes part in (as an affiliate or a steward, or by
    /// providing events in their scope).
    async fn projects(&self, ctx: &Context<'_>) -> Result<Vec<Organization>> {
        super::network::projects(ctx, self.0.id).await
    }

    /// OVN: the affiliates of this network (or project): the agents `affiliateOf` it.
    async fn affiliates(&self, ctx: &Context<'_>) -> Result<Vec<Agent>> {
        super::network::holders(ctx, OvnRole::AffiliateOf, self.0.id).await
    }

    /// OVN: the projects and networks `partOf` this network.
    async fn parts(&self, ctx: &Context<'_>) -> Result<Vec<Organization>> {
        super::network::parts(ctx, self.0.id).await
    }

    /// OVN: this network's exchange firm, the one agent through which it trades with the
    /// market (`exchangeFirmOf`).
    async fn exchange_firm(&self, ctx: &Context<'_>) -> Result<Option<Agent>> {
        Ok(super::network::holders(ctx, OvnRole::ExchangeFirmOf, self.0.id).await?.into_iter().next())
    }

    /// OVN: the custodians holding this network's nondominium assets (`custodianOf`).
    async fn custodians(&self, ctx: &Context<'_>) -> Result<Vec<Agent>> {
        super::network::holders(ctx, OvnRole::CustodianOf, self.0.id).await
    }

    /// OVN: the stewards of this organization (`stewardOf`), who may record on behalf of
    /// others in its scope and manage its settings.
    async fn stewards(&self, ctx: &Context<'_>) -> Result<Vec<Agent>> {
        super::network::holders(ctx, OvnRole::StewardOf, self.0.id).await
    }
});

/// A page with nothing on it.
fn empty_page<T>() -> Page<T> {
    Page {
        items: Vec::new(),
        has_next_page: false,
        has_previous_page: false,
        total_count: Some(0),
        page_limit: ovn_persistence::page::DEFAULT_PAGE_SIZE,
    }
}

async fn relationships_of(
    ctx: &Context<'_>,
    filter: RelationshipFilter,
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> Result<Option<AgentRelationshipConnection>> {
    let request = page_request(ctx, first, after, last, before);
    let page = ctx.store()?.relationships(filter, &request).await?;
    Ok(Some(AgentRelationshipConnection::from_page(page, AgentRelationship)))
}

/// A person or group or organization with economic agency.
#[expect(clippy::duplicated_attributes, reason = "the Interface derive takes one field(...) per field")]
#[derive(Interface)]
#[graphql(
    name = "Agent",
    field(name = "id", ty = "ID"),
    field(name = "revision_id", ty = "ID"),
    field(
        name = "revision",
        ty = "crate::history::AgentRevision",
        desc = "This agent as it was at `revisionId` (vf-graphql `history`); null when it has no such revision.",
        arg(name = "revision_id", ty = "ID")
    ),
    field(
        name = "meta",
        ty = "crate::history::RecordMeta",
        desc = "Metadata about this agent's revisions (vf-graphql `history`)."
    ),
    field(name = "name", ty = "&str"),
    field(name = "image", ty = "Option<Uri>"),
    field(name = "note", ty = "Option<&str>"),
    field(
        name = "relationships",
        ty = "Option<AgentRelationshipConnection>",
        arg(name = "first", ty = "Option<i32>"),
        arg(name = "after", ty = "Option<String>"),
        arg(name = "last", ty = "Option<i32>"),
        arg(name = "before", ty = "Option<String>")
    ),
    field(
        name = "relationships_as_subject",
        ty = "Option<AgentRelationshipConnection>",
        arg(name = "first", ty = "Option<i32>"),
        arg(name = "after", ty = "Option<String>"),
        arg(name = "last", ty = "Option<i32>"),
        arg(name = "before", ty = "Option<String>")
    ),
    field(
        name = "relationships_as_object",
        ty = "Option<AgentRelationshipConnection>",
        arg(name = "first", ty = "Option<i32>"),
        arg(name = "after", ty = "Option<String>"),
        arg(name = "last", ty = "Option<i32>"),
        arg(name = "before", ty = "Option<String>")
    ),
    field(name = "roles", ty = "Option<Vec<AgentRelationshipRole>>"),
    field(
        name = "economic_events",
        ty = "Option<EconomicEventConnection>",
        arg(name = "first", ty = "Option<i32>"),
        arg(name = "after", ty = "Option<String>"),
        arg(name = "last", ty = "Option<i32>"),
        arg(name = "before", ty = "Option<String>")
    ),
    field(
        name = "economic_events_as_provider",
        ty = "Option<EconomicEventConnection>",
        arg(name = "first", ty = "Option<i32>"),
        arg(name = "after", ty = "Option<String>"),
        arg(name = "last", ty = "Option<i32>"),
        arg(name = "before", ty = "Option<String>")
    ),
    field(
        name = "economic_events_as_receiver",
        ty = "Option<EconomicEventConnection>",
        arg(name = "first", ty = "Option<i32>"),
        arg(name = "after", ty = "Option<String>"),
        arg(name = "last", ty = "Option<i32>"),
        arg(name = "before", ty = "Option<String>")
    ),
    field(
        name = "economic_events_in_scope",
        ty = "Option<EconomicEventConnection>",
        arg(name = "first", ty = "Option<i32>"),
        arg(name = "after", ty = "Option<String>"),
        arg(name = "last", ty = "Option<i32>"),
        arg(name = "before", ty = "Option<String>")
    ),
    field(
        name = "inventoried_economic_resources",
        ty = "Option<EconomicResourceConnection>",
        arg(name = "first", ty = "Option<i32>"),
        arg(name = "after", ty = "Option<String>"),
        arg(name = "last", ty = "Option<i32>"),
        arg(name = "before", ty = "Option<String>")
    ),
    field(
        name = "commitments",
        ty = "Option<CommitmentConnection>",
        arg(name = "first", ty = "Option<i32>"),
        arg(name = "after", ty = "Option<String>"),
        arg(name = "last", ty = "Option<i32>"),
        arg(name = "before", ty = "Option<String>")
    ),
    field(
        name = "commitments_as_provider",
        ty = "Option<CommitmentConnection>",
        arg(name = "first", ty = "Option<i32>"),
        arg(name = "after", ty = "Option<String>"),
        arg(name = "last", ty = "Option<i32>"),
        arg(name = "before", ty = "Option<String>")
    ),
    field(
        name = "commitments_as_receiver",
        ty = "Option<CommitmentConnection>",
        arg(name = "first", ty = "Option<i32>"),
        arg(name = "after", ty = "Option<String>"),
        arg(name = "last", ty = "Option<i32>"),
        arg(name = "before", ty = "Option<String>")
    ),
    field(
        name = "commitments_in_scope",
        ty = "Option<CommitmentConnection>",
        arg(name = "first", ty = "Option<i32>"),
        arg(name = "after", ty = "Option<String>"),
        arg(name = "last", ty = "Option<i32>"),
        arg(name = "before", ty = "Option<String>")
    ),
    field(
        name = "plans",
        ty = "Option<PlanConnection>",
        arg(name = "first", ty = "Option<i32>"),
        arg(name = "after", ty = "Option<String>"),
        arg(name = "last", ty = "Option<i32>"),
        arg(name = "before", ty = "Option<String>")
    ),
    field(
        name = "processes",
        ty = "Option<ProcessConnection>",
        arg(name = "first", ty = "Option<i32>"),
        arg(name = "after", ty = "Option<String>"),
        arg(name = "last", ty = "Option<i32>"),
        arg(name = "before", ty = "Option<String>")
    ),
    field(
        name = "intents",
        ty = "Option<IntentConnection>",
        arg(name = "first", ty = "Option<i32>"),
        arg(name = "after", ty = "Option<String>"),
        arg(name = "last", ty = "Option<i32>"),
        arg(name = "before", ty = "Option<String>")
    ),
    field(
        name = "intents_as_provider",
        ty = "Option<IntentConnection>",
        arg(name = "first", ty = "Option<i32>"),
        arg(name = "after", ty = "Option<String>"),
        arg(name = "last", ty = "Option<i32>"),
        arg(name = "before", ty = "Option<String>")
    ),
    field(
        name = "intents_as_receiver",
        ty = "Option<IntentConnection>",
        arg(name = "first", ty = "Option<i32>"),
        arg(name = "after", ty = "Option<String>"),
        arg(name = "last", ty = "Option<i32>"),
        arg(name = "before", ty = "Option<String>")
    ),
    field(
        name = "intents_in_scope",
        ty = "Option<IntentConnection>",
        arg(name = "first", ty = "Option<i32>"),
        arg(name = "after", ty = "Option<String>"),
        arg(name = "last", ty = "Option<i32>"),
        arg(name = "before", ty = "Option<String>")
    ),
    field(
        name = "proposals",
        ty = "Option<ProposalConnection>",
        arg(name = "first", ty = "Option<i32>"),
        arg(name = "after", ty = "Option<String>"),
        arg(name = "last", ty = "Option<i32>"),
        arg(name = "before", ty = "Option<String>")
    ),
    field(
        name = "proposals_in_scope",
        ty = "Option<ProposalConnection>",
        arg(name = "first", ty = "Option<i32>"),
        arg(name = "after", ty = "Option<String>"),
        arg(name = "last", ty = "Option<i32>"),
        arg(name = "before", ty = "Option<String>")
    ),
    field(
        name = "proposals_to",
        ty = "Option<ProposalConnection>",
        arg(name = "first", ty = "Option<i32>"),
        arg(name = "after", ty = "Option<String>"),
        arg(name = "last", ty = "Option<i32>"),
        arg(name = "before", ty = "Option<String>")
    ),
    field(
        name = "claims",
        ty = "Option<IntentConnection>",
        arg(name = "first", ty = "Option<i32>"),
        arg(name = "after", ty = "Option<String>"),
        arg(name = "last", ty = "Option<i32>"),
        arg(name = "before", ty = "Option<String>")
    ),
    field(
        name = "claims_as_provider",
        ty = "Option<IntentConnection>",
        arg(name = "first", ty = "Option<i32>"),
        arg(name = "after", ty = "Option<String>"),
        arg(name = "last", ty = "Option<i32>"),
        arg(name = "before", ty = "Option<String>")
    ),
    field(
        name = "claims_as_receiver",
        ty = "Option<IntentConnection>",
        arg(name = "first", ty = "Option<i32>"),
        arg(name = "after", ty = "Option<String>"),
        arg(name = "last", ty = "Option<i32>"),
        arg(name = "before", ty = "Option<String>")
    ),
    field(
        name = "claims_in_scope",
        ty = "Option<IntentConnection>",
        arg(name = "first", ty = "Option<i32>"),
        arg(name = "after", ty = "Option<String>"),
        arg(name = "last", ty = "Option<i32>"),
        arg(name = "before", ty = "Option<String>")
    ),
    field(
        name = "agent_claims",
        ty = "Option<ClaimConnection>",
        arg(name = "first", ty = "Option<i32>"),
        arg(name = "after", ty = "Option<String>"),
        arg(name = "last", ty = "Option<i32>"),
        arg(name = "before", ty = "Option<String>")
    ),
    field(
        name = "agent_claims_as_provider",
        ty = "Option<ClaimConnection>",
        arg(name = "first", ty = "Option<i32>"),
        arg(name = "after", ty = "Option<String>"),
        arg(name = "last", ty = "Option<i32>"),
        arg(name = "before", ty = "Option<String>")
    ),
    field(
        name = "agent_claims_as_receiver",
        ty = "Option<ClaimConnection>",
        arg(name = "first", ty = "Option<i32>"),
        arg(name = "after", ty = "Option<String>"),
        arg(name = "last", ty = "Option<i32>"),
        arg(name = "before", ty = "Option<String>")
    ),
    field(
        name = "agent_claims_in_scope",
        ty = "Option<ClaimConnection>",
        arg(name = "first", ty = "Option<i32>"),
        arg(name = "after", ty = "Option<String>"),
        arg(name = "last", ty = "Option<i32>"),
        arg(name = "before", ty = "Option<String>")
    )
)]
pub enum Agent {
    /// A person.
    Person(Person),
    /// An organization.
    Organization(Organization),
}

impl From<DomainAgent> for Agent {
    fn from(agent: DomainAgent) -> Self {
        match agent.kind {
            AgentKind::Person => Self::Person(Person(agent)),
            AgentKind::Organization => Self::Organization(Organization(agent)),
        }
    }
}

/// A boundary or context grouped around some other record: used for documenting,
/// accounting, planning.
#[derive(Union)]
pub enum AccountingScope {
    /// A person.
    Person(Person),
    /// An organization.
    Organization(Organization),
}

impl From<DomainAgent> for AccountingScope {
    fn from(agent: DomainAgent) -> Self {
        match agent.kind {
            AgentKind::Person => Self::Person(Person(agent)),
            AgentKind::Organization => Self::Organization(Organization(agent)),
        }
    }
}

/// The role of an economic relationship that exists between 2 agents.
#[derive(Debug, Clone)]
pub struct AgentRelationship(pub DomainRelationship);

#[Object]
impl AgentRelationship {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn revision_id(&self) -> ID {
        crate::convert::revision_id(self.0.id, self.0.revision)
    }

    /// This record as it was at `revisionId` (vf-graphql `history`); null when this record has
    /// no such revision.
    async fn revision(&self, ctx: &Context<'_>, revision_id: ID) -> Result<Option<Self>> {
        Ok(crate::history::revision(ctx, &self.0, &revision_id).await?.map(Self))
    }

    /// Metadata about this record's revisions (vf-graphql `history`).
    async fn meta(&self) -> crate::history::RecordMeta {
        crate::history::RecordMeta::of(&self.0)
    }

    /// The subject of the relationship (Mary, in "Mary is a member of the group").
    async fn subject(&self, ctx: &Context<'_>) -> Result<Agent> {
        load_agent(ctx, self.0.subject).await
    }

    /// The object of the relationship (the group).
    async fn object(&self, ctx: &Context<'_>) -> Result<Agent> {
        load_agent(ctx, self.0.object).await
    }

    /// A kind of relationship that exists between 2 agents.
    async fn relationship(&self, ctx: &Context<'_>) -> Result<AgentRelationshipRole> {
        let role = ctx.load(self.0.relationship).await?.map(AgentRelationshipRole);
        Ok(role.ok_or_else(|| PersistenceError::not_found("agent relationship role", self.0.relationship))?)
    }

    /// The scopes the relationship holds in.
    async fn in_scope_of(&self, ctx: &Context<'_>) -> Result<Option<Vec<AccountingScope>>> {
        load_scopes(ctx, &self.0.in_scope_of).await
    }

    /// A textual description or comment.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
}

/// Loads an agent that must exist (a foreign key guarantees it).
pub async fn load_agent(ctx: &Context<'_>, id: AgentId) -> Result<Agent> {
    Ok(ctx.load(id).await?.map(Agent::from).ok_or_else(|| PersistenceError::not_found("agent", id))?)
}

/// Loads a list of scopes through the batching loader.
pub async fn load_scopes(ctx: &Context<'_>, ids: &[AgentId]) -> Result<Option<Vec<AccountingScope>>> {
    if ids.is_empty() {
        return Ok(None);
    }
    let loaded: HashMap<_, DomainAgent> = ctx.load_many(ids.iter().copied()).await?;
    Ok(Some(ids.iter().filter_map(|id| loaded.get(id).cloned().map(AccountingScope::from)).collect()))
}

/// A relationship role defining the kind of association one agent can have with another.
#[derive(Debug, Clone)]
pub struct AgentRelationshipRole(pub DomainRole);

#[Object]
impl AgentRelationshipRole {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn revision_id(&self) -> ID {
        crate::convert::revision_id(self.0.id, self.0.revision)
    }

    /// This record as it was at `revisionId` (vf-graphql `history`); null when this record has
    /// no such revision.
    async fn revision(&self, ctx: &Context<'_>, revision_id: ID) -> Result<Option<Self>> {
        Ok(crate::history::revision(ctx, &self.0, &revision_id).await?.map(Self))
    }

    /// Metadata about this record's revisions (vf-graphql `history`).
    async fn meta(&self) -> crate::history::RecordMeta {
        crate::history::RecordMeta::of(&self.0)
    }

    /// The human readable name of the role, from the subject to the object.
    async fn role_label(&self) -> &str {
        self.0.role_label.as_str()
    }

    /// The human readable name of the role, from the object to the subject.
    async fn inverse_role_label(&self) -> Option<&str> {
        self.0.inverse_role_label.as_ref().map(|l| l.as_str())
    }

    /// A textual description or comment.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }

    /// The relationships of this kind.
    async fn agent_relationships(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Option<AgentRelationshipConnection>> {
        relationships_of(ctx, RelationshipFilter::Role(self.0.id), first, after, last, before).await
    }
}

connection!(AgentConnection, AgentEdge, Agent);
connection!(PersonConnection, PersonEdge, Person);
connection!(OrganizationConnection, OrganizationEdge, Organization);
connection!(AgentRelationshipConnection, AgentRelationshipEdge, AgentRelationship);
connection!(AgentRelationshipRoleConnection, AgentRelationshipRoleEdge, AgentRelationshipRole);

/// The created or updated person.
#[derive(SimpleObject)]
pub struct PersonResponse {
    /// The person.
    pub agent: Person,
}

/// The created or updated organization.
#[derive(SimpleObject)]
pub struct OrganizationResponse {
    /// The organization.
    pub agent: Organization,
}

/// The created or updated relationship.
#[derive(SimpleObject)]
pub struct AgentRelationshipResponse {
    /// The relationship.
    pub agent_relationship: AgentRelationship,
}

/// The created or updated role.
#[derive(SimpleObject)]
pub struct AgentRelationshipRoleResponse {
    /// The role.
    pub agent_relationship_role: Option<AgentRelationshipRole>,
}

/// A page of agents out of a derived list (deduplicated, in id order).
pub async fn agent_page(ctx: &Context<'_>, mut agents: Vec<AgentId>, request: &PageRequest) -> Result<AgentConnection> {
    agents.sort();
    agents.dedup();
    let total = agents.len();
    let page = ovn_persistence::page::paginate_ids(agents, request)?;
    let mut loaded: HashMap<AgentId, DomainAgent> = ctx.load_many(page.items.iter().map(|(_, agent)| *agent)).await?;
    let edges = page
        .items
        .iter()
        .filter_map(|(cursor, agent)| {
            loaded.remove(agent).map(|a| AgentEdge { cursor: cursor.clone(), node: a.into() })
        })
        .collect();
    let mut page_info = PageInfo::of(&page);
    page_info.total_count = i32::try_from(total).ok();
    Ok(AgentConnection { edges, page_info })
}
