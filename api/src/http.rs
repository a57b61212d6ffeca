//! The HTTP edge: `POST /graphql`, `GET /graphql` (queries only, and GraphiQL outside
//! production), `GET /health`. Every bound is checked here before the schema runs:
//! body size (413), batched requests (refused), document shape (depth, aliases, expanded
//! fragment spreads, counted before async-graphql's own validation, which is exponential on
//! nested fragments), and a time budget per request.

use std::sync::Arc;
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::http::header::{AUTHORIZATION, CONTENT_TYPE};
use actix_web::{HttpRequest, HttpResponse, web};
use async_graphql::http::GraphiQLSource;
use async_graphql::parser::types::OperationType;
use async_graphql::{ErrorExtensionValues, Value};
use ovn_domain::AgentId;
use ovn_persistence::Store;
use serde_json::json;

use crate::auth::AuthConfig;
use crate::context::Viewer;
use crate::error::code;
use crate::limits::DocumentLimits;
use crate::loaders::{Batcher, StoreLoader};
use crate::{OvnSchema, build_schema};

/// Request bounds and mode.
#[derive(Debug, Clone)]
pub struct ApiSettings {
    /// `OVN_ENV=production`: no introspection, no suggestions, no GraphiQL.
    pub production: bool,
    /// Largest request body accepted (413 above).
    pub max_body_bytes: usize,
    /// Deepest selection accepted.
    pub max_depth: usize,
    /// Highest async-graphql complexity accepted.
    pub max_complexity: usize,
    /// Time budget of one request.
    pub request_timeout: Duration,
    /// Bounds checked on the document text before validation.
    pub document: DocumentLimits,
    /// Most nodes one track, trace or process tree visits.
    pub max_flow_nodes: usize,
}

impl Default for ApiSettings {
    fn default() -> Self {
        let document = DocumentLimits::default();
        Self {
            production: false,
            max_body_bytes: 1024 * 1024,
            max_depth: document.max_depth,
            max_complexity: 5_000,
            request_timeout: crate::DEFAULT_REQUEST_TIMEOUT,
            document,
            max_flow_nodes: 250_000,
        }
    }
}

/// What the handlers share.
#[derive(Clone)]
pub struct AppState {
    /// The schema.
    pub schema: OvnSchema,
    /// The store (for `/health` and the loaders).
    pub store: Store,
    /// Token verification.
    pub auth: Arc<AuthConfig>,
    /// Bounds.
    pub settings: Arc<ApiSettings>,
}

impl AppState {
    /// Builds the state: the schema over `store`, with `auth` and `settings`.
    pub fn new(store: Store, auth: AuthConfig, settings: ApiSettings) -> Self {
        let schema = build_schema(store.clone(), &settings);
        Self { schema, store, auth: Arc::new(auth), settings: Arc::new(settings) }
    }
}

/// Mounts ovn's routes on an actix-web app.
pub fn configure(state: AppState) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg: &mut web::ServiceConfig| {
        let limit = state.settings.max_body_bytes;
        cfg.app_data(web::Data::new(state))
            .app_data(web::PayloadConfig::new(limit))
            .route("/graphql", web::post().to(post_graphql))
            .route("/graphql", web::get().to(get_graphql))
            .route("/health", web::get().to(health));
    }
}

fn error_response(status: StatusCode, code: &str, message: &str) -> HttpResponse {
    HttpResponse::build(status).json(json!({ "errors": [{ "message": message, "extensions": { "code": code } }] }))
}

/// Who the request's token names. A request carries at most one `Authorization` header:
/// with two, a proxy, a cache and ovn could each honour a different one, so none is trusted.
/// A verified token is still refused unless its subject is an agent that exists now (one
/// primary-key lookup per authenticated request, never cached), so deleting an agent ends
/// its tokens at once. `Err` is the answer to send when the lookup itself failed.
async fn viewer(req: &HttpRequest, state: &AppState) -> Result<Viewer, HttpResponse> {
    let mut headers = req.headers().get_all(AUTHORIZATION);
    let Some(header) = headers.next() else { return Ok(Viewer::Anonymous) };
    if headers.next().is_some() {
        return Ok(Viewer::Invalid("send one Authorization header, not several".into()));
    }
    let Some(token) = header.to_str().ok().and_then(|h| h.strip_prefix("Bearer ")) else {
        return Ok(Viewer::Invalid("the Authorization header must be `Bearer <token>`".into()));
    };
    let agent = match crate::auth::verify(&state.auth, token.trim()) {
        Ok(agent) => AgentId::from_uuid(agent),
        Err(err) => return Ok(Viewer::Invalid(err.to_string())),
    };
    match state.store.agent_exists(agent).await {
        Ok(true) => Ok(Viewer::Agent(agent)),
        Ok(false) => Ok(Viewer::Invalid("the token's subject is not an agent (deleted, or never created)".into())),
        Err(err) => {
            tracing::error!(error = %err, "looking up the token's agent failed");
            Err(error_response(StatusCode::INTERNAL_SERVER_ERROR, code::INTERNAL, "internal error"))
        }
    }
}

async fn post_graphql(state: web::Data<AppState>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let is_json = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json") || v.starts_with("application/graphql-response+json"));
    if !is_json {
        return error_response(StatusCode::UNSUPPORTED_MEDIA_TYPE, code::BAD_INPUT, "send application/json");
    }
    // Parsed straight into the request (no intermediate JSON tree); a batch is an array.
    if body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
        return error_response(StatusCode::BAD_REQUEST, code::BAD_INPUT, "batched requests are not supported");
    }
    let request: async_graphql::Request = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(err) if err.is_syntax() || err.is_eof() => {
            return error_response(StatusCode::BAD_REQUEST, code::BAD_INPUT, "the body is not valid JSON");
        }
        Err(err) => return error_response(StatusCode::BAD_REQUEST, code::BAD_INPUT, &format!("bad request: {err}")),
    };
    execute(&state, &req, request).await
}

/// The query string of `GET /graphql`.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetRequest {
    query: Option<String>,
    operation_name: Option<String>,
    variables: Option<String>,
}

async fn get_graphql(
    state: web::Data<AppState>,
    req: HttpRequest,
    params: Result<web::Query<GetRequest>, actix_web::Error>,
) -> HttpResponse {
    let Ok(web::Query(params)) = params else {
        return error_response(StatusCode::BAD_REQUEST, code::BAD_INPUT, "bad query string");
    };
    let Some(query) = params.query else {
        if state.settings.production {
            return error_response(StatusCode::NOT_FOUND, code::NOT_FOUND, "GraphiQL is off in production");
        }
        return HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(GraphiQLSource::build().endpoint("/graphql").finish());
    };
    let mut request = async_graphql::Request::new(query);
    if let Some(name) = params.operation_name {
        request = request.operation_name(name);
    }
    if let Some(variables) = params.variables {
        match serde_json::from_str::<serde_json::Value>(&variables) {
            Ok(variables) => request = request.variables(async_graphql::Variables::from_json(variables)),
            Err(_) => return error_response(StatusCode::BAD_REQUEST, code::BAD_INPUT, "variables are not JSON"),
        }
    }
    // A GET must not change anything: links, prefetchers and caches replay GETs.
    if let Ok(document) = async_graphql::parser::parse_query(&request.query)
        && document.operations.iter().any(|(_, op)| op.node.ty == OperationType::Mutation)
    {
        return error_response(StatusCode::METHOD_NOT_ALLOWED, code::BAD_INPUT, "mutations must be sent with POST");
    }
    execute(&state, &req, request).await
}

async fn execute(state: &AppState, req: &HttpRequest, request: async_graphql::Request) -> HttpResponse {
    let viewer = match viewer(req, state).await {
        Ok(viewer) => viewer,
        Err(response) => return response,
    };
    // Kept to tell, if the budget runs out, whether the request was a mutation.
    let (query, operation_name) = (request.query.clone(), request.operation_name.clone());
    // The revisions a mutation keeps name the token's agent as their author (vf-graphql
    // `history`); the store reads it from the task, so no write function takes it.
    let author = match &viewer {
        Viewer::Agent(agent) => Some(*agent),
        Viewer::Anonymous | Viewer::Invalid(_) => None,
    };
    let request = request.data(viewer).data(Batcher::new(StoreLoader::new(state.store.clone())));
    let executed = ovn_persistence::history::authored_by(author, state.schema.execute(request));
    let response = match tokio::time::timeout(state.settings.request_timeout, executed).await {
        Ok(response) => response,
        Err(_) if may_write(&query, operation_name.as_deref()) => {
            // Cutting the request off does not undo a write already handed to the database:
            // SQLite's writer commits it once it gets the lock, and PostgreSQL may be
            // committing it as the answer goes out. So the honest answer is that the outcome is
            // unknown, and the way to learn it is a retry under the same key.
            return error_response(
                StatusCode::SERVICE_UNAVAILABLE,
                code::OUTCOME_UNKNOWN,
                "the mutation ran past its time budget and may or may not have been recorded; retry it with \
                 the same idempotencyKey to get its result without recording it twice",
            );
        }
        Err(_) => {
            return error_response(
                StatusCode::SERVICE_UNAVAILABLE,
                code::LIMIT_EXCEEDED,
                "the request ran past its time budget",
            );
        }
    };
    HttpResponse::Ok().json(with_codes(response))
}

/// Whether the operation the request runs is a mutation (`operation_name` picks one out of
/// several). A document that does not parse never ran, so it wrote nothing.
fn may_write(query: &str, operation_name: Option<&str>) -> bool {
    let Ok(document) = async_graphql::parser::parse_query(query) else { return false };
    document.operations.iter().any(|(name, operation)| {
        operation.node.ty == OperationType::Mutation
            && operation_name.is_none_or(|wanted| name.is_some_and(|name| name.as_str() == wanted))
    })
}

/// Gives every error a stable code: errors raised by ovn carry theirs; the rest come from
/// async-graphql's parsing, validation and input coercion, which are the client's input
/// (`BAD_INPUT`) or its own limits (`LIMIT_EXCEEDED`).
fn with_codes(mut response: async_graphql::Response) -> async_graphql::Response {
    for error in &mut response.errors {
        let has_code = error.extensions.as_ref().is_some_and(|e| e.get("code").is_some());
        if !has_code {
            let limit = ["nested too deep", "too complex", "too many directives", "recursion"]
                .iter()
                .any(|needle| error.message.contains(needle));
            let code = if limit { code::LIMIT_EXCEEDED } else { code::BAD_INPUT };
            error.extensions.get_or_insert_with(ErrorExtensionValues::default).set("code", Value::from(code));
        }
    }
    response
}

async fn health(state: web::Data<AppState>) -> HttpResponse {
    match state.store.ping().await {
        Ok(()) => HttpResponse::Ok().json(json!({ "status": "ok" })),
        Err(err) => {
            tracing::error!(error = %err, "health check failed");
            HttpResponse::ServiceUnavailable().json(json!({ "status": "unavailable" }))
        }
    }
}
