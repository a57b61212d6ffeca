//! Size bounds on GraphQL documents, checked before async-graphql validates them.
//!
//! Why: async-graphql 7.2.1's validation takes time exponential in nested fragment spreads
//! (a known weakness of that version). A document under 1 KB in which fragment `F1` spreads
//! `F2` twice, `F2` spreads `F3` twice, … 24 levels deep costs about 3.4 s of CPU to *reject*,
//! even with `limit_complexity` and `limit_depth` set, because those limits are themselves
//! computed by walking the expanded document. So depth, alias and fragment-spread counts are
//! checked here, on the document, before validation.
//!
//! [`check_parsed`] computes, for every operation and every fragment definition, the counts the
//! document would have once every fragment spread is replaced by the fragment's body: fields
//! (selections), aliases, fragment spreads, directives and field depth. Each fragment's cost is
//! computed exactly once (fragments are visited in dependency order) and combined with
//! saturating arithmetic, so the check is linear in the document's size whatever the expanded
//! size is. Fragment cycles are found by the same ordering and reported as errors, not followed.
//!
//! Counting rules:
//! - a field counts one selection and one level of depth, plus one alias if it has one;
//! - a named fragment spread (`...F`) counts one spread plus `F`'s expanded counts, at the
//!   current depth; a spread of an undefined fragment counts one spread (validation reports it);
//! - an inline fragment (`... on T { }` or `... @include(…) { }`) adds no depth and is not a
//!   spread, but everything inside it is counted, including when it sits inside a named
//!   fragment that is expanded many times;
//! - directives are counted wherever they appear (operation, variables, fields, spreads, inline
//!   fragments, fragment definitions), expanded like everything else;
//! - each operation is checked, then the sum over all operations (async-graphql validates them
//!   all), then each fragment definition on its own (validation walks unused fragments too).
//!
//! Syntax errors are *not* reported here: [`check_document`] returns `Ok(())` for a document
//! that does not parse, so that async-graphql reports the syntax error itself, with positions.
//! [`DocumentLimitsExtension`] wires the check into a schema. It must run on the query *text*,
//! before async-graphql's own parse step: that step already walks fragment spreads without
//! memoising (`check_recursive_depth`), before any validation rule runs.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{ExecutableDocument, OperationType, Selection, SelectionSet};
use async_graphql::{ServerError, ServerResult, Variables};

/// Bounds on one GraphQL document, counted with fragments expanded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DocumentLimits {
    /// Deepest nesting of fields (`{ a { b } }` is 2 deep).
    pub max_depth: usize,
    /// Aliased fields, once fragments are expanded.
    pub max_aliases: usize,
    /// Named fragment spreads, once fragments are expanded.
    pub max_fragment_spreads: usize,
    /// Field selections, once fragments are expanded.
    pub max_selections: usize,
    /// Directives, once fragments are expanded.
    pub max_directives: usize,
    /// Size of the document text in bytes, checked before parsing.
    pub max_tokens_bytes: usize,
}

impl Default for DocumentLimits {
    /// Depth 15, 30 aliases, 100 fragment spreads, 5,000 selections, 50 directives, 64 KiB.
    fn default() -> Self {
        Self {
            max_depth: 15,
            max_aliases: 30,
            max_fragment_spreads: 100,
            max_selections: 5_000,
            max_directives: 50,
            max_tokens_bytes: 64 * 1024,
        }
    }
}

/// A document over one of the [`DocumentLimits`].
///
/// `subject` names what was measured: `query`, `mutation "Name"`, `document` (all operations
/// together) or `fragment "Name"`. Counts that overflow are reported as `usize::MAX`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LimitError {
    /// The document text is too long.
    #[error("query document is {found} bytes; the limit is {limit}")]
    TooLarge {
        /// Bytes in the document.
        found: usize,
        /// [`DocumentLimits::max_tokens_bytes`].
        limit: usize,
    },
    /// Fields nest too deep.
    #[error("{subject} nests fields {found} deep; the limit is {limit}")]
    Depth {
        /// What was measured.
        subject: String,
        /// Depth found.
        found: usize,
        /// [`DocumentLimits::max_depth`].
        limit: usize,
    },
    /// Too many aliases.
    #[error("{subject} has {found} aliases once fragments are expanded; the limit is {limit}")]
    Aliases {
        /// What was measured.
        subject: String,
        /// Aliases found.
        found: usize,
        /// [`DocumentLimits::max_aliases`].
        limit: usize,
    },
    /// Too many fragment spreads.
    #[error("{subject} has {found} fragment spreads once expanded; the limit is {limit}")]
    FragmentSpreads {
        /// What was measured.
        subject: String,
        /// Spreads found.
        found: usize,
        /// [`DocumentLimits::max_fragment_spreads`].
        limit: usize,
    },
    /// Too many field selections.
    #[error("{subject} selects {found} fields once fragments are expanded; the limit is {limit}")]
    Selections {
        /// What was measured.
        subject: String,
        /// Field selections found.
        found: usize,
        /// [`DocumentLimits::max_selections`].
        limit: usize,
    },
    /// Too many directives.
    #[error("{subject} has {found} directives once fragments are expanded; the limit is {limit}")]
    Directives {
        /// What was measured.
        subject: String,
        /// Directives found.
        found: usize,
        /// [`DocumentLimits::max_directives`].
        limit: usize,
    },
    /// A fragment spreads itself, directly or through other fragments.
    #[error("fragment \"{fragment}\" spreads itself, directly or through other fragments")]
    FragmentCycle {
        /// A fragment on the cycle.
        fragment: String,
    },
}

impl LimitError {
    /// The error as async-graphql reports it, with `extensions.code = "LIMIT_EXCEEDED"`.
    #[must_use]
    pub fn to_server_error(&self) -> ServerError {
        let mut error = ServerError::new(self.to_string(), None);
        let mut extensions = async_graphql::ErrorExtensionValues::default();
        extensions.set("code", "LIMIT_EXCEEDED");
        error.extensions = Some(extensions);
        error
    }
}

/// Parses `query` and checks it against `limits`.
///
/// A document that does not parse passes (`Ok(())`): async-graphql parses it again and reports
/// the syntax error with its position. See the module docs for what is counted.
///
/// # Errors
/// The first limit exceeded, or a fragment cycle.
pub fn check_document(query: &str, limits: &DocumentLimits) -> Result<(), LimitError> {
    check_size(query, limits)?;
    match async_graphql::parser::parse_query(query) {
        Ok(document) => check_parsed(&document, limits),
        Err(_) => Ok(()),
    }
}

/// Checks the document's text length against [`DocumentLimits::max_tokens_bytes`].
///
/// # Errors
/// [`LimitError::TooLarge`].
pub fn check_size(query: &str, limits: &DocumentLimits) -> Result<(), LimitError> {
    if query.len() > limits.max_tokens_bytes {
        return Err(LimitError::TooLarge { found: query.len(), limit: limits.max_tokens_bytes });
    }
    Ok(())
}

/// Checks an already parsed document against `limits` (all but the byte size).
///
/// # Errors
/// The first limit exceeded, or a fragment cycle.
pub fn check_parsed(document: &ExecutableDocument, limits: &DocumentLimits) -> Result<(), LimitError> {
    let fragments = fragment_costs(document)?;

    let mut total = Cost::default();
    let mut operations = 0_usize;
    for (name, operation) in document.operations.iter() {
        let operation = &operation.node;
        let mut cost = selection_set_cost(&operation.selection_set.node, &fragments);
        cost.directives = cost.directives.saturating_add(operation.directives.len()).saturating_add(
            operation.variable_definitions.iter().map(|v| v.node.directives.len()).fold(0, usize::saturating_add),
        );
        let kind = match operation.ty {
            OperationType::Query => "query",
            OperationType::Mutation => "mutation",
            OperationType::Subscription => "subscription",
        };
        let subject = match name {
            Some(name) => format!("{kind} \"{}\"", name.as_str()),
            None => kind.to_owned(),
        };
        cost.check(limits, || subject)?;
        total = total.then(cost);
        operations = operations.saturating_add(1);
    }
    if operations > 1 {
        total.check(limits, || "document".to_owned())?;
    }

    let mut names: Vec<&str> = fragments.keys().copied().collect();
    names.sort_unstable();
    for name in names {
        if let Some(cost) = fragments.get(name) {
            cost.check(limits, || format!("fragment \"{name}\""))?;
        }
    }
    Ok(())
}

/// Expanded counts of a selection set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Cost {
    depth: usize,
    aliases: usize,
    spreads: usize,
    selections: usize,
    directives: usize,
}

impl Cost {
    /// The cost of `self` and `other` side by side: counts add, depth is the deeper one.
    fn then(self, other: Self) -> Self {
        Self {
            depth: self.depth.max(other.depth),
            aliases: self.aliases.saturating_add(other.aliases),
            spreads: self.spreads.saturating_add(other.spreads),
            selections: self.selections.saturating_add(other.selections),
            directives: self.directives.saturating_add(other.directives),
        }
    }

    fn check(&self, limits: &DocumentLimits, subject: impl FnOnce() -> String) -> Result<(), LimitError> {
        if self.depth > limits.max_depth {
            return Err(LimitError::Depth { subject: subject(), found: self.depth, limit: limits.max_depth });
        }
        if self.spreads > limits.max_fragment_spreads {
            return Err(LimitError::FragmentSpreads {
                subject: subject(),
                found: self.spreads,
                limit: limits.max_fragment_spreads,
            });
        }
        if self.selections > limits.max_selections {
            return Err(LimitError::Selections {
                subject: subject(),
                found: self.selections,
                limit: limits.max_selections,
            });
        }
        if self.aliases > limits.max_aliases {
            return Err(LimitError::Aliases { subject: subject(), found: self.aliases, limit: limits.max_aliases });
        }
        if self.directives > limits.max_directives {
            return Err(LimitError::Directives {
                subject: subject(),
                found: self.directives,
                limit: limits.max_directives,
            });
        }
        Ok(())
    }
}

/// The expanded cost of `set`, given the expanded cost of every fragment it may spread.
///
/// Recursion follows the nesting of the text only (the parser caps it at 64 levels), never
/// fragment spreads, which are looked up in `fragments`.
fn selection_set_cost(set: &SelectionSet, fragments: &HashMap<&str, Cost>) -> Cost {
    let mut cost = Cost::default();
    for item in &set.items {
        let item_cost = match &item.node {
            Selection::Field(field) => {
                let field = &field.node;
                let inner = selection_set_cost(&field.selection_set.node, fragments);
                Cost {
                    depth: inner.depth.saturating_add(1),
                    aliases: inner.aliases.saturating_add(usize::from(field.alias.is_some())),
                    spreads: inner.spreads,
                    selections: inner.selections.saturating_add(1),
                    directives: inner.directives.saturating_add(field.directives.len()),
                }
            }
            Selection::FragmentSpread(spread) => {
                let spread = &spread.node;
                let body = fragments.get(spread.fragment_name.node.as_str()).copied().unwrap_or_default();
                Cost {
                    spreads: body.spreads.saturating_add(1),
                    directives: body.directives.saturating_add(spread.directives.len()),
                    ..body
                }
            }
            Selection::InlineFragment(inline) => {
                let inline = &inline.node;
                let mut inner = selection_set_cost(&inline.selection_set.node, fragments);
                inner.directives = inner.directives.saturating_add(inline.directives.len());
                inner
            }
        };
        cost = cost.then(item_cost);
    }
    cost
}

/// Names of the fragments spread anywhere inside `set` (including nested fields and inline
/// fragments), added to `out`.
fn collect_spreads<'a>(set: &'a SelectionSet, out: &mut HashSet<&'a str>) {
    for item in &set.items {
        match &item.node {
            Selection::Field(field) => collect_spreads(&field.node.selection_set.node, out),
            Selection::FragmentSpread(spread) => {
                out.insert(spread.node.fragment_name.node.as_str());
            }
            Selection::InlineFragment(inline) => {
                collect_spreads(&inline.node.selection_set.node, out);
            }
        }
    }
}

/// The expanded cost of every fragment definition, each computed once, in dependency order
/// (Kahn's algorithm). Fragments left over when no more can be computed are on, or depend on,
/// a cycle.
fn fragment_costs(document: &ExecutableDocument) -> Result<HashMap<&str, Cost>, LimitError> {
    let defined: HashSet<&str> = document.fragments.keys().map(|name| name.as_str()).collect();

    // For each fragment, the defined fragments it spreads (each once).
    let mut depends_on: HashMap<&str, Vec<&str>> = HashMap::with_capacity(defined.len());
    let mut waiting_on: HashMap<&str, usize> = HashMap::with_capacity(defined.len());
    let mut needed_by: HashMap<&str, Vec<&str>> = HashMap::new();
    let mut ready: VecDeque<&str> = VecDeque::new();
    for (name, fragment) in &document.fragments {
        let name = name.as_str();
        let mut spreads = HashSet::new();
        collect_spreads(&fragment.node.selection_set.node, &mut spreads);
        let deps: Vec<&str> = spreads.into_iter().filter(|d| defined.contains(d)).collect();
        for dep in &deps {
            needed_by.entry(dep).or_default().push(name);
        }
        if deps.is_empty() {
            ready.push_back(name);
        }
        waiting_on.insert(name, deps.len());
        depends_on.insert(name, deps);
    }

    let mut costs: HashMap<&str, Cost> = HashMap::with_capacity(defined.len());
    while let Some(name) = ready.pop_front() {
        if let Some(fragment) = document.fragments.get(name) {
            let fragment = &fragment.node;
            let mut cost = selection_set_cost(&fragment.selection_set.node, &costs);
            cost.directives = cost.directives.saturating_add(fragment.directives.len());
            costs.insert(name, cost);
        }
        for dependent in needed_by.get(name).into_iter().flatten() {
            if let Some(count) = waiting_on.get_mut(dependent) {
                *count = count.saturating_sub(1);
                if *count == 0 {
                    ready.push_back(dependent);
                }
            }
        }
    }

    if costs.len() < defined.len() {
        return Err(LimitError::FragmentCycle { fragment: fragment_on_cycle(&defined, &costs, &depends_on) });
    }
    Ok(costs)
}

/// A fragment that lies on a cycle, found by walking from an unresolved fragment through
/// unresolved dependencies (each has at least one) until a fragment repeats.
fn fragment_on_cycle(
    defined: &HashSet<&str>,
    resolved: &HashMap<&str, Cost>,
    depends_on: &HashMap<&str, Vec<&str>>,
) -> String {
    let mut unresolved: Vec<&str> = defined.iter().copied().filter(|name| !resolved.contains_key(name)).collect();
    unresolved.sort_unstable();
    let Some(mut current) = unresolved.first().copied() else {
        return String::new();
    };
    let mut seen = HashSet::new();
    while seen.insert(current) {
        let next =
            depends_on.get(current).into_iter().flatten().copied().filter(|dep| !resolved.contains_key(dep)).min();
        match next {
            Some(next) => current = next,
            None => break,
        }
    }
    current.to_owned()
}

/// An async-graphql extension that enforces [`DocumentLimits`] before validation, and
/// remembers the documents it parsed.
///
/// In its `parse_query` hook it runs [`check_document`] on the query text and only then lets
/// async-graphql parse it (so syntax errors are reported as usual). The document is therefore
/// parsed twice, which is linear. Checking the document async-graphql parsed would be too late:
/// inside that same parse step, async-graphql 7.2.1 runs `check_recursive_depth`, which walks
/// every fragment spread without memoising (measured: the 24-level fan-out spent 2.7 s there in
/// a debug build, before any validation rule ran).
///
/// Clients send the same few documents over and over with other variables, and parsing was a
/// large share of a small read's CPU; so a document that passed both steps is kept, by its
/// exact text, and a request with the same text gets a copy without being parsed again.
/// Validation still runs on every request (variables differ). The cache is bounded (entries
/// and text size) and emptied when full, so no client can grow it.
/// Register with `Schema::build(…).extension(DocumentLimitsExtension::new(limits))`.
#[derive(Debug, Clone, Default)]
pub struct DocumentLimitsExtension {
    limits: DocumentLimits,
    parsed: Arc<std::sync::Mutex<HashMap<Arc<str>, ExecutableDocument>>>,
}

/// Most documents the parse cache keeps.
const PARSED_MAX_ENTRIES: usize = 512;
/// Longest query text the parse cache keeps.
const PARSED_MAX_TEXT: usize = 16 * 1024;

impl DocumentLimitsExtension {
    /// An extension enforcing `limits`.
    #[must_use]
    pub fn new(limits: DocumentLimits) -> Self {
        Self { limits, parsed: Arc::default() }
    }

    fn cached(&self, query: &str) -> Option<ExecutableDocument> {
        let parsed = self.parsed.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        parsed.get(query).cloned()
    }

    fn remember(&self, query: &str, document: &ExecutableDocument) {
        if query.len() > PARSED_MAX_TEXT {
            return;
        }
        let mut parsed = self.parsed.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if parsed.len() >= PARSED_MAX_ENTRIES {
            parsed.clear();
        }
        parsed.insert(Arc::from(query), document.clone());
    }
}

impl ExtensionFactory for DocumentLimitsExtension {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(self.clone())
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for DocumentLimitsExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        if let Some(document) = self.cached(query) {
            return Ok(document);
        }
        // The check must come before `next`: async-graphql's own parse step also runs
        // `check_recursive_depth`, which follows every fragment spread without memoising.
        check_document(query, &self.limits).map_err(|e| e.to_server_error())?;
        let document = next.run(ctx, query, variables).await?;
        self.remember(query, &document);
        Ok(document)
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests unwrap: a failure should panic with the value")]
mod tests;
