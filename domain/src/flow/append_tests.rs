//! A graph grown by appending events in any arrival order (the server's in-memory index,
//! tailing a log that PostgreSQL may commit out of order) walks exactly like
//! [`FlowGraph::new`] over the same events.

use super::*;
use crate::{Action, EconomicEventId, EconomicResourceId, Measure, ProcessId};
use chrono::{DateTime, Utc};
use proptest::prelude::*;
use rust_decimal::Decimal;
use uuid::Uuid;

const ACTIONS: [Action; 16] = [
    Action::Produce,
    Action::Consume,
    Action::Use,
    Action::Work,
    Action::Raise,
    Action::Lower,
    Action::Transfer,
    Action::Move,
    Action::Pickup,
    Action::Dropoff,
    Action::Accept,
    Action::Modify,
    Action::Combine,
    Action::Separate,
    Action::Cite,
    Action::TransferCustody,
];

/// One generated event: action, from, to, input, output (indices into small pools, so that
/// events share resources and processes), and its recording second (few, so ties are common
/// and the id decides).
type Spec = (usize, Option<usize>, Option<usize>, Option<usize>, Option<usize>, i64);

fn spec() -> impl Strategy<Value = Spec> {
    (
        0..ACTIONS.len(),
        proptest::option::of(0..4usize),
        proptest::option::weighted(0.3, 0..4usize),
        proptest::option::weighted(0.5, 0..3usize),
        proptest::option::weighted(0.4, 0..3usize),
        0..6i64,
    )
}

fn events(specs: &[Spec], resources: &[EconomicResourceId], processes: &[ProcessId]) -> Vec<FlowEvent> {
    specs
        .iter()
        .enumerate()
        .map(|(i, &(action, from, to, input, output, second))| {
            let at = DateTime::<Utc>::UNIX_EPOCH + chrono::TimeDelta::seconds(second);
            // Distinct ids whose order is unrelated to the generation order (7919 is prime to
            // 1009, and at most 60 events are generated).
            let id = EconomicEventId::from_uuid(Uuid::from_u128(((i * 7919) % 1009) as u128 + 1));
            FlowEvent {
                id,
                action: ACTIONS[action],
                resource_inventoried_as: from.map(|r| resources[r]),
                to_resource_inventoried_as: to.map(|r| resources[r]),
                input_of: input.map(|p| processes[p]),
                output_of: output.filter(|o| Some(*o) != input).map(|p| processes[p]),
                resource_quantity: Some(Measure::new(Decimal::from(i), None)),
                effort_quantity: None,
                has_point_in_time: at,
                created: at,
                corrects: None,
            }
        })
        .collect()
}

/// Asserts that `a` and `b` answer every walk from every node the same.
fn same_walks(
    a: &FlowGraph,
    b: &FlowGraph,
    all: &[FlowEvent],
    resources: &[EconomicResourceId],
    processes: &[ProcessId],
) {
    let mut nodes: Vec<FlowNode> = resources.iter().map(|&r| FlowNode::Resource(r)).collect();
    nodes.extend(processes.iter().map(|&p| FlowNode::Process(p)));
    nodes.extend(all.iter().map(|e| FlowNode::Event(e.id)));
    for &node in &nodes {
        for direction in [Direction::Upstream, Direction::Downstream] {
            assert_eq!(a.walk(node, direction, None), b.walk(node, direction, None), "{node:?} {direction:?}");
            assert_eq!(a.walk(node, direction, Some(3)), b.walk(node, direction, Some(3)));
        }
        assert_eq!(a.previous(node), b.previous(node));
        assert_eq!(a.next(node), b.next(node));
    }
    for e in all {
        assert_eq!(a.previous_event(e.id), b.previous_event(e.id));
    }
    for &r in resources {
        for direction in [Direction::Upstream, Direction::Downstream] {
            for depth in [None, Some(1), Some(2)] {
                assert_eq!(a.process_tree(r, direction, depth), b.process_tree(r, direction, depth));
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn appending_in_any_order_walks_like_new(
        (specs, order) in proptest::collection::vec(spec(), 0..40).prop_flat_map(|specs| {
            let n = specs.len();
            (Just(specs), Just((0..n).collect::<Vec<_>>()).prop_shuffle())
        }),
        split in 0..40usize,
    ) {
        let resources: Vec<EconomicResourceId> = (0..4).map(|_| EconomicResourceId::new()).collect();
        let processes: Vec<ProcessId> = (0..3).map(|_| ProcessId::new()).collect();
        let all = events(&specs, &resources, &processes);
        let whole = FlowGraph::new(all.clone());

        // Every event appended one by one, in a shuffled arrival order.
        let mut appended = FlowGraph::default();
        for &i in &order {
            prop_assert!(appended.append(all[i].clone()));
        }
        prop_assert!(order.first().is_none_or(|&i| !appended.append(all[i].clone())), "a duplicate is refused");
        same_walks(&whole, &appended, &all, &resources, &processes);

        // A built index, then a tail arriving out of order (some already indexed again).
        let split = split.min(order.len());
        let mut tailed = FlowGraph::new(order[..split].iter().map(|&i| all[i].clone()).collect());
        tailed.extend(order.iter().rev().map(|&i| all[i].clone()));
        prop_assert_eq!(tailed.len(), all.len());
        same_walks(&whole, &tailed, &all, &resources, &processes);
    }
}

#[test]
fn an_event_recorded_earlier_but_arriving_later_is_walked_in_recording_order() {
    // Resource r: raised (t1), then consumed by p (t3); the transfer into r at t2 commits last.
    let (r, s, p) = (EconomicResourceId::new(), EconomicResourceId::new(), ProcessId::new());
    let at = |second| DateTime::<Utc>::UNIX_EPOCH + chrono::TimeDelta::seconds(second);
    let event = |action, from, to, input, second| FlowEvent {
        id: EconomicEventId::new(),
        action,
        resource_inventoried_as: from,
        to_resource_inventoried_as: to,
        input_of: input,
        output_of: None,
        resource_quantity: None,
        effort_quantity: None,
        has_point_in_time: at(second),
        created: at(second),
        corrects: None,
    };
    let raise = event(Action::Raise, Some(r), None, None, 1);
    let transfer = event(Action::Transfer, Some(s), Some(r), None, 2);
    let consume = event(Action::Consume, Some(r), None, Some(p), 3);
    let mut graph = FlowGraph::default();
    graph.extend([raise.clone(), consume.clone()]);
    assert_eq!(graph.previous_event(consume.id), Some(raise.id));
    graph.append(transfer.clone());
    // By hand: tracing p goes to consume, to r (before t3): the transfer (t2, from s), then
    // the raise (t1); s is reached through the transfer.
    assert_eq!(
        graph.trace(FlowNode::Process(p), None),
        vec![
            FlowNode::Process(p),
            FlowNode::Event(consume.id),
            FlowNode::Resource(r),
            FlowNode::Event(transfer.id),
            FlowNode::Resource(s),
            FlowNode::Event(raise.id),
        ]
    );
    // The transfer into r (t2) now sits between the raise and the consume on r.
    assert_eq!(graph.previous_event(consume.id), Some(transfer.id));
}
