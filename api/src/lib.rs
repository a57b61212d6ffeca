//! ovn-api: the GraphQL face of ovn. It defines the schema (vf-graphql 0.9 names, plus OVN
//! extensions each marked "OVN" in its description: corrections, declared values, property
//! regimes, custodians, `processTree`, idempotency keys), turns requests into domain commands
//! and calls one store service per mutation, checks bearer tokens, bounds every request, and
//! builds the actix-web app that serves it all.
//!
//! It knows nothing of SQL: everything it reads or writes goes through `ovn-persistence`.
//!
//! Layout: one folder per ValueFlows module (`action`, `agent`, `knowledge`, `observation`,
//! `flow`, `planning`, `intent`, `proposal`, `claim`, `value`, `governance`, `sharing`; and the OVN `rates`), each with its output types (`objects`), its inputs and their conversion into the
//! store's commands (`inputs`), its reads (`query`) and its writes (`mutation`); the root
//! `Query` and `Mutation` merge them. Shared pieces: `context` (what a resolver reaches),
//! `loaders`, `pagination`, `convert` (conversions the inputs share) and `error` (the one
//! mapping of errors to codes).

pub mod action;
pub mod agent;
pub mod auth;
pub mod claim;
pub mod context;
pub mod convert;
pub mod error;
pub mod exchange;
pub mod flow;
pub mod governance;
pub mod history;
pub mod http;
pub mod intent;
pub mod knowledge;
pub mod limits;
pub mod loaders;
pub mod observation;
pub mod pagination;
pub mod planning;
pub mod proposal;
pub mod rates;
pub mod scalars;
pub mod sharing;
pub mod value;

use std::time::Duration;

use async_graphql::{EmptySubscription, MergedObject, Schema, SchemaBuilder};
use ovn_persistence::Store;
use ovn_persistence::flow::FlowIndex;

pub use http::{ApiSettings, AppState, configure};

/// The root query: one object per module, merged.
#[derive(MergedObject, Default)]
pub struct Query(
    action::ActionQuery,
    agent::AgentQuery,
    knowledge::KnowledgeQuery,
    observation::ObservationQuery,
    flow::FlowQuery,
    planning::PlanningQuery,
    intent::IntentQuery,
    proposal::ProposalQuery,
    claim::ClaimQuery,
    rates::RatesQuery,
    value::ValueQuery,
    governance::GovernanceQuery,
    value::ValueEngineQuery,
    value::DistributionQuery,
    sharing::SharingQuery,
    sharing::CustodyQuery,
    sharing::access::AccessRuleQuery,
    sharing::BookingQuery,
);

/// The root mutation: one object per module, merged.
#[derive(MergedObject, Default)]
pub struct Mutation(
    agent::AgentMutation,
    knowledge::KnowledgeMutation,
    observation::ObservationMutation,
    planning::PlanningMutation,
    intent::IntentMutation,
    proposal::ProposalMutation,
    claim::ClaimMutation,
    rates::RatesMutation,
    value::ValueMutation,
    governance::GovernanceMutation,
    value::DistributionMutation,
    sharing::SharingMutation,
    sharing::CustodyMutation,
    sharing::access::AccessRuleMutation,
    sharing::BookingMutation,
    exchange::ExchangeMutation,
);

/// ovn's executable schema.
pub type OvnSchema = Schema<Query, Mutation, EmptySubscription>;

fn builder(settings: &ApiSettings) -> SchemaBuilder<Query, Mutation, EmptySubscription> {
    let builder = Schema::build(Query::default(), Mutation::default(), EmptySubscription)
        .limit_depth(settings.max_depth)
        .limit_complexity(settings.max_complexity)
        .limit_recursive_depth(settings.max_depth.saturating_mul(2))
        .limit_directives(settings.document.max_directives)
        // Document bounds run inside the schema, on the text, before async-graphql parses it
        // (its parse step already walks fragment spreads without memoising), so every way of
        // executing the schema is bounded, not only the HTTP handler.
        .extension(limits::DocumentLimitsExtension::new(settings.document))
        // vf-graphql declares these even where no field uses them yet; clients and the
        // conformance check expect them.
        .register_output_type::<knowledge::objects::Duration>()
        .register_input_type::<knowledge::inputs::IDuration>()
        .register_output_type::<scalars::DateTime>()
        // The `history` module extends `ProductBatch`, which no field returns yet.
        .register_output_type::<history::ProductBatch>();
    if settings.production { builder.disable_introspection().disable_suggestions() } else { builder }
}

/// Builds the schema over `store`, and starts building its in-memory indexes in the background:
/// the flow index (walks load slices of the graph until it is ready) and the value index (the
/// first value query waits for it).
pub fn build_schema(store: Store, settings: &ApiSettings) -> OvnSchema {
    let flows = FlowIndex::new(store.clone());
    flows.spawn_build();
    store.spawn_value_index();
    builder(settings).data(store).data(flows).data(context::FlowLimit(settings.max_flow_nodes)).finish()
}

/// Runs `request` on `schema` as the HTTP handler runs it for a valid bearer token of `agent`:
/// the same viewer, per-request loader and revision author, without the HTTP around it. Lets
/// in-process callers (`ovn demo`) write through exactly the rules the API applies.
pub async fn execute_as(
    schema: &OvnSchema,
    store: &Store,
    agent: ovn_domain::AgentId,
    request: async_graphql::Request,
) -> async_graphql::Response {
    let request = request
        .data(context::Viewer::Agent(agent))
        .data(loaders::Batcher::new(loaders::StoreLoader::new(store.clone())));
    ovn_persistence::history::authored_by(Some(agent), schema.execute(request)).await
}

/// The SDL of the schema, as checked into `schema.graphql` (no store needed).
pub fn sdl() -> String {
    let settings = ApiSettings::default();
    builder(&settings).finish().sdl()
}

/// Default per-request time budget.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
