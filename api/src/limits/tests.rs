use std::fmt::Write as _;
use std::time::{Duration, Instant};

use super::*;

/// `query { ...F1 }` where each `Fi` spreads `F(i+1)` twice and the last selects a field.
fn fan_out(levels: usize) -> String {
    let mut doc = String::from("query{...F1}");
    for i in 1..levels {
        write!(doc, "fragment F{i} on Query{{...F{j} ...F{j}}}", j = i + 1).unwrap();
    }
    write!(doc, "fragment F{levels} on Query{{a}}").unwrap();
    doc
}

fn nested(depth: usize) -> String {
    let mut doc = String::from("query");
    for _ in 0..depth {
        doc.push_str("{a");
    }
    for _ in 0..depth {
        doc.push('}');
    }
    doc
}

fn limits() -> DocumentLimits {
    DocumentLimits::default()
}

#[test]
fn fragment_fan_out_under_1kb_is_refused_fast() {
    let doc = fan_out(26);
    assert!(doc.len() < 1024, "document is {} bytes", doc.len());
    let started = Instant::now();
    let result = check_document(&doc, &limits());
    let elapsed = started.elapsed();
    let err = result.unwrap_err();
    assert!(elapsed < Duration::from_millis(50), "check took {elapsed:?}");
    // 2 + 4 + … + 2^25 named spreads below the query's own `...F1`.
    let expected = (1_usize << 26) - 1;
    assert_eq!(err, LimitError::FragmentSpreads { subject: "query".to_owned(), found: expected, limit: 100 });
    assert_eq!(err.to_string(), format!("query has {expected} fragment spreads once expanded; the limit is 100"));
}

#[test]
fn huge_fan_out_saturates_instead_of_overflowing() {
    // 2^200 expanded spreads: far past usize, still under 8 KB and still fast.
    let doc = fan_out(200);
    let started = Instant::now();
    let err = check_document(&doc, &limits()).unwrap_err();
    assert!(started.elapsed() < Duration::from_millis(200));
    assert!(matches!(err, LimitError::FragmentSpreads { found: usize::MAX, .. }), "{err:?}");
}

#[test]
fn fan_out_in_an_unused_fragment_is_refused() {
    // Validation walks every fragment definition, used or not.
    let doc = fan_out(24).replacen("query{...F1}", "query{a}", 1);
    let err = check_document(&doc, &limits()).unwrap_err();
    assert!(matches!(&err, LimitError::FragmentSpreads { subject, .. } if subject == "fragment \"F1\""), "{err:?}");
}

#[test]
fn modest_fan_out_is_counted_exactly() {
    // query -> F1 (1 spread) -> 2x F2 -> 4x F3 = 7 spreads, 4 fields, 3 aliases... per leaf.
    let doc = "query{...F1} fragment F1 on Query{...F2 ...F2} \
               fragment F2 on Query{...F3 ...F3} fragment F3 on Query{x: a}";
    let exact = DocumentLimits { max_fragment_spreads: 7, max_selections: 4, max_aliases: 4, ..limits() };
    assert_eq!(check_document(doc, &exact), Ok(()));
    let tighter = DocumentLimits { max_fragment_spreads: 6, ..exact };
    assert!(matches!(check_document(doc, &tighter), Err(LimitError::FragmentSpreads { found: 7, .. })));
    let fewer_fields = DocumentLimits { max_selections: 3, ..exact };
    assert!(matches!(check_document(doc, &fewer_fields), Err(LimitError::Selections { found: 4, .. })));
}

#[test]
fn normal_query_with_a_few_fragments_passes() {
    let doc = r#"
        query Agents($first: Int = 10) {
          agents(first: $first) {
            edges { node { ...AgentFields } }
            pageInfo { hasNextPage endCursor }
          }
          me: agent(id: "0195f0a0-0000-7000-8000-000000000000") { ...AgentFields }
          events { ...EventFields }
        }
        fragment AgentFields on Agent { id name note @include(if: true) }
        fragment EventFields on EconomicEvent {
          id action provider { ...AgentFields } receiver { ...AgentFields }
          resourceQuantity { hasNumericalValue hasUnit }
          ... on EconomicEvent { note }
        }
        mutation Create { createAgent(name: "x") { ...AgentFields } }
    "#;
    assert_eq!(check_document(doc, &limits()), Ok(()));
}

#[test]
fn depth_is_limited() {
    let doc = nested(20);
    assert_eq!(
        check_document(&doc, &limits()),
        Err(LimitError::Depth { subject: "query".to_owned(), found: 20, limit: 15 })
    );
    let deeper = DocumentLimits { max_depth: 25, ..limits() };
    assert_eq!(check_document(&doc, &deeper), Ok(()));
    assert_eq!(check_document(&nested(15), &limits()), Ok(()));
}

#[test]
fn depth_continues_through_fragments() {
    // 10 levels in the query, 10 more inside the fragment.
    let inner = nested(10).replacen("query", "fragment F on A", 1);
    let outer = nested(10).replacen("{a}", "{...F}", 1);
    let doc = format!("{outer} {inner}");
    assert!(matches!(check_document(&doc, &limits()), Err(LimitError::Depth { found: 19, .. })));
}

#[test]
fn aliases_are_limited() {
    let aliased = |n: usize| {
        let mut doc = String::from("query{");
        for i in 0..n {
            write!(doc, "a{i}: a ").unwrap();
        }
        doc.push('}');
        doc
    };
    assert_eq!(check_document(&aliased(30), &limits()), Ok(()));
    assert_eq!(
        check_document(&aliased(31), &limits()),
        Err(LimitError::Aliases { subject: "query".to_owned(), found: 31, limit: 30 })
    );
}

#[test]
fn directives_are_limited() {
    let mut doc = String::from("query{");
    for _ in 0..51 {
        doc.push_str("a @skip(if: false) ");
    }
    doc.push('}');
    assert!(matches!(check_document(&doc, &limits()), Err(LimitError::Directives { found: 51, .. })));
}

#[test]
fn fragment_cycles_are_refused_fast() {
    let doc = "query{...A} fragment A on Q{...B} fragment B on Q{x ...C} fragment C on Q{...A}";
    let started = Instant::now();
    let err = check_document(doc, &limits()).unwrap_err();
    assert!(started.elapsed() < Duration::from_millis(50));
    let LimitError::FragmentCycle { fragment } = err else {
        panic!("expected a cycle, got {err:?}");
    };
    assert!(["A", "B", "C"].contains(&fragment.as_str()), "{fragment}");

    let self_spread = "query{...S} fragment S on Q{a{...S}}";
    assert_eq!(check_document(self_spread, &limits()), Err(LimitError::FragmentCycle { fragment: "S".to_owned() }));

    // A fragment that merely depends on a cycle is not named as being on it.
    let tail = "query{...A} fragment A on Q{...Z} fragment Z on Q{...Y} fragment Y on Q{...Z}";
    let LimitError::FragmentCycle { fragment } = check_document(tail, &limits()).unwrap_err() else {
        panic!("expected a cycle");
    };
    assert!(fragment == "Y" || fragment == "Z", "{fragment}");
}

#[test]
fn inline_fragments_are_counted() {
    // 31 aliases, all inside inline fragments.
    let mut doc = String::from("query{ ... on Query {");
    for i in 0..16 {
        write!(doc, "a{i}: a ").unwrap();
    }
    doc.push_str("} ... @include(if: true) {");
    for i in 16..31 {
        write!(doc, "a{i}: a ").unwrap();
    }
    doc.push_str("} }");
    assert!(matches!(check_document(&doc, &limits()), Err(LimitError::Aliases { found: 31, .. })));

    // Inline fragments inside a fragment that is expanded many times.
    let doc = "query{...F1} fragment F1 on Q{...F2 ...F2 ...F2 ...F2} \
               fragment F2 on Q{ ... on Q { ... on Q { a b c d e f g h i j } } }";
    let few = DocumentLimits { max_selections: 39, ..limits() };
    assert!(matches!(check_document(doc, &few), Err(LimitError::Selections { found: 40, .. })));

    // Inline fragments add no depth, but their fields do.
    let doc = "query{ ... on Q { a { ... on A { b { c } } } } }";
    let shallow = DocumentLimits { max_depth: 2, ..limits() };
    assert!(matches!(check_document(doc, &shallow), Err(LimitError::Depth { found: 3, .. })));
}

#[test]
fn all_operations_together_are_limited() {
    let op = |name: &str| {
        let mut s = format!("query {name} {{");
        for i in 0..20 {
            write!(s, "a{i}: a ").unwrap();
        }
        s.push('}');
        s
    };
    let doc = format!("{} {}", op("One"), op("Two"));
    assert_eq!(
        check_document(&doc, &limits()),
        Err(LimitError::Aliases { subject: "document".to_owned(), found: 40, limit: 30 })
    );
    assert_eq!(check_document(&op("One"), &limits()), Ok(()));
}

#[test]
fn size_and_syntax() {
    let small = DocumentLimits { max_tokens_bytes: 10, ..limits() };
    assert_eq!(check_document("query { abcdef }", &small), Err(LimitError::TooLarge { found: 16, limit: 10 }));
    // Syntax errors are left to async-graphql.
    assert_eq!(check_document("query { a ", &limits()), Ok(()));
    // Spreads of undefined fragments are left to validation, counted as one spread.
    assert_eq!(check_document("{ ...Missing }", &limits()), Ok(()));
}

mod extension {
    use std::future::Future;
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    use async_graphql::{EmptyMutation, EmptySubscription, Object, Schema};

    use super::*;

    struct Query;

    #[Object]
    impl Query {
        async fn a(&self) -> i32 {
            1
        }
    }

    /// Drives a future that never waits on I/O (schema execution of a trivial schema).
    fn block_on<F: Future>(future: F) -> F::Output {
        let mut future = pin!(future);
        let mut cx = Context::from_waker(Waker::noop());
        loop {
            if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
                return output;
            }
            std::thread::yield_now();
        }
    }

    fn schema() -> Schema<Query, EmptyMutation, EmptySubscription> {
        Schema::build(Query, EmptyMutation, EmptySubscription)
            .extension(DocumentLimitsExtension::new(DocumentLimits::default()))
            .finish()
    }

    #[test]
    fn extension_refuses_fan_out_before_validation() {
        let schema = schema();
        let doc = fan_out(24);
        let started = Instant::now();
        let response = block_on(schema.execute(doc.as_str()));
        assert!(started.elapsed() < Duration::from_millis(500));
        assert_eq!(response.errors.len(), 1, "{:?}", response.errors);
        let error = &response.errors[0];
        assert!(error.message.contains("fragment spreads once expanded"), "{}", error.message);
        let code = error.extensions.as_ref().and_then(|e| e.get("code")).cloned();
        assert_eq!(code, Some(async_graphql::Value::from("LIMIT_EXCEEDED")));
    }

    #[test]
    fn extension_refuses_fragment_cycles() {
        let schema = schema();
        let started = Instant::now();
        let response = block_on(schema.execute("{ ...F } fragment F on Query { ...F ...F }"));
        assert!(started.elapsed() < Duration::from_millis(500));
        assert_eq!(response.errors.len(), 1, "{:?}", response.errors);
        assert!(response.errors[0].message.contains("spreads itself"));
    }

    #[test]
    fn extension_passes_normal_queries_and_syntax_errors_through() {
        let schema = schema();
        let response = block_on(schema.execute("fragment F on Query { a } { ...F x: a }"));
        assert!(response.errors.is_empty(), "{:?}", response.errors);
        assert_eq!(response.data.into_json().unwrap(), serde_json::json!({"a": 1, "x": 1}));
        let response = block_on(schema.execute("{ a "));
        assert_eq!(response.errors.len(), 1);
        assert!(!response.errors[0].message.contains("limit"));
    }

    #[test]
    fn parsed_documents_are_reused_and_refusals_are_not_cached() {
        let extension = DocumentLimitsExtension::new(DocumentLimits::default());
        let schema = Schema::build(Query, EmptyMutation, EmptySubscription).extension(extension.clone()).finish();
        let query = "fragment F on Query { a } { ...F x: a }";
        for _ in 0..3 {
            let response = block_on(schema.execute(query));
            assert!(response.errors.is_empty(), "{:?}", response.errors);
            assert_eq!(response.data.into_json().unwrap(), serde_json::json!({"a": 1, "x": 1}));
        }
        assert!(extension.cached(query).is_some());
        // Refused documents and syntax errors are refused every time, never remembered.
        let doc = fan_out(24);
        for _ in 0..2 {
            let response = block_on(schema.execute(doc.as_str()));
            assert_eq!(response.errors.len(), 1, "{:?}", response.errors);
            assert!(response.errors[0].message.contains("fragment spreads once expanded"));
        }
        assert!(extension.cached(&doc).is_none());
        assert_eq!(block_on(schema.execute("{ a ")).errors.len(), 1);
        assert!(extension.cached("{ a ").is_none());
        // Bounded: filling it past its size empties it first.
        for n in 0..=PARSED_MAX_ENTRIES {
            assert!(block_on(schema.execute(format!("{{ a{} }}", " ".repeat(n)))).errors.is_empty());
        }
        assert!(extension.parsed.lock().unwrap().len() <= PARSED_MAX_ENTRIES);
        assert!(extension.cached(query).is_none());
    }
}
