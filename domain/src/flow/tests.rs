//! Tests of track, trace, the process tree and the slice loader, on graphs drawn by hand.

use super::*;
use crate::{Action, EconomicEventId, EconomicResourceId, Measure, ProcessId};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use std::collections::HashSet;

type R = EconomicResourceId;
type P = ProcessId;

fn res() -> R {
    R::new()
}

fn proc_() -> P {
    P::new()
}

/// Builds events in recording order, one second apart.
#[derive(Default)]
struct G {
    events: Vec<FlowEvent>,
    clock: i64,
}

impl G {
    fn add(
        &mut self,
        action: Action,
        from: Option<R>,
        to: Option<R>,
        input: Option<P>,
        output: Option<P>,
    ) -> EconomicEventId {
        self.clock += 1;
        let at = DateTime::<Utc>::UNIX_EPOCH + chrono::TimeDelta::seconds(self.clock);
        let id = EconomicEventId::new();
        let quantity = Some(Measure::new(Decimal::from(self.clock), None));
        self.events.push(FlowEvent {
            id,
            action,
            resource_inventoried_as: from,
            to_resource_inventoried_as: to,
            input_of: input,
            output_of: output,
            resource_quantity: if action == Action::Work { None } else { quantity },
            effort_quantity: if action == Action::Work { quantity } else { None },
            has_point_in_time: at,
            created: at,
            corrects: None,
        });
        id
    }

    fn input(&mut self, action: Action, r: Option<R>, p: P) -> EconomicEventId {
        self.add(action, r, None, Some(p), None)
    }

    fn output(&mut self, action: Action, r: R, p: P) -> EconomicEventId {
        self.add(action, Some(r), None, None, Some(p))
    }

    fn graph(&self) -> FlowGraph {
        FlowGraph::new(self.events.clone())
    }
}

use FlowNode::{Event as E, Process as Pr, Resource as Rs};

/// The VF example chain: raise raw material S0; process P1 consumes it with work and
/// produces R1; R1 is transferred into R2; P2 consumes R2 and produces R3.
struct Chain {
    g: G,
    s0: R,
    r1: R,
    r2: R,
    r3: R,
    p1: P,
    p2: P,
    e: [EconomicEventId; 7],
}

fn chain() -> Chain {
    let mut g = G::default();
    let (s0, r1, r2, r3, p1, p2) = (res(), res(), res(), res(), proc_(), proc_());
    let e0 = g.add(Action::Raise, Some(s0), None, None, None);
    let e1 = g.input(Action::Consume, Some(s0), p1);
    let e2 = g.input(Action::Work, None, p1);
    let e3 = g.output(Action::Produce, r1, p1);
    let e4 = g.add(Action::Transfer, Some(r1), Some(r2), None, None);
    let e5 = g.input(Action::Consume, Some(r2), p2);
    let e6 = g.output(Action::Produce, r3, p2);
    Chain { g, s0, r1, r2, r3, p1, p2, e: [e0, e1, e2, e3, e4, e5, e6] }
}

#[test]
fn one_step_previous_and_next() {
    let c = chain();
    let g = c.g.graph();
    let [e0, e1, e2, e3, e4, e5, e6] = c.e;
    assert_eq!(g.previous(Rs(c.r3)), vec![E(e6)]);
    assert_eq!(g.previous(E(e6)), vec![Pr(c.p2)]);
    assert_eq!(g.previous(Pr(c.p1)), vec![E(e2), E(e1)], "most recent first");
    assert_eq!(g.previous(E(e5)), vec![Rs(c.r2)]);
    assert_eq!(g.previous(Rs(c.r2)), vec![E(e4)]);
    assert_eq!(g.previous(E(e4)), vec![Rs(c.r1)]);
    assert_eq!(g.previous(E(e0)), vec![], "a first raise has nothing before it");
    assert_eq!(g.next(Rs(c.s0)), vec![E(e1)]);
    assert_eq!(g.next(E(e0)), vec![Rs(c.s0)], "a raise leads to its resource");
    assert_eq!(g.next(E(e1)), vec![Pr(c.p1)]);
    assert_eq!(g.next(Pr(c.p1)), vec![E(e3)]);
    assert_eq!(g.next(E(e3)), vec![Rs(c.r1)]);
    assert_eq!(g.next(Rs(c.r1)), vec![E(e4)], "the produce into r1 is its past, not its next");
    assert_eq!(g.next(E(e4)), vec![Rs(c.r2)]);
    assert_eq!(g.previous_event(e4), Some(e3));
    assert_eq!(g.previous_event(e0), None);
    assert_eq!(g.next(Rs(res())), vec![], "unknown nodes have no neighbours");
}

#[test]
fn trace_and_track_the_vf_chain() {
    let c = chain();
    let g = c.g.graph();
    let [e0, e1, e2, e3, e4, e5, e6] = c.e;
    assert_eq!(
        g.trace(Rs(c.r3), None),
        vec![
            Rs(c.r3),
            E(e6),
            Pr(c.p2),
            E(e5),
            Rs(c.r2),
            E(e4),
            Rs(c.r1),
            E(e3),
            Pr(c.p1),
            E(e2),
            E(e1),
            Rs(c.s0),
            E(e0)
        ]
    );
    assert_eq!(
        g.track(Rs(c.s0), None),
        vec![Rs(c.s0), E(e1), Pr(c.p1), E(e3), Rs(c.r1), E(e4), Rs(c.r2), E(e5), Pr(c.p2), E(e6), Rs(c.r3)]
    );
    assert_eq!(g.trace(Rs(c.r3), Some(3)), vec![Rs(c.r3), E(e6), Pr(c.p2)]);
    let walk = g.walk(Rs(c.r3), Direction::Upstream, None);
    assert_eq!(walk[4], FlowStep { node: Rs(c.r2), parent: Some(E(e5)), distance: 4 });
}

#[test]
fn process_tree_of_the_vf_chain() {
    let c = chain();
    let g = c.g.graph();
    let [e0, e1, e2, e3, e4, e5, e6] = c.e;
    let tree = g.process_tree(c.r3, Direction::Upstream, None);
    let nodes: Vec<_> = tree.nodes.iter().map(|n| (n.node, n.depth)).collect();
    assert_eq!(
        nodes,
        vec![
            (Rs(c.r3), 0),
            (Pr(c.p2), 1),
            (Rs(c.r2), 2),
            (Rs(c.r1), 3),
            (Pr(c.p1), 4),
            (E(e2), 5),
            (Rs(c.s0), 5),
            (E(e0), 6)
        ]
    );
    let edges: Vec<_> = tree.edges.iter().map(|e| (e.from, e.to, e.action, e.via)).collect();
    assert_eq!(
        edges,
        vec![
            (Pr(c.p2), Rs(c.r3), Some(Action::Produce), Some(e6)),
            (Rs(c.r2), Pr(c.p2), Some(Action::Consume), Some(e5)),
            (Rs(c.r1), Rs(c.r2), Some(Action::Transfer), Some(e4)),
            (Pr(c.p1), Rs(c.r1), Some(Action::Produce), Some(e3)),
            (E(e2), Pr(c.p1), Some(Action::Work), Some(e2)),
            (Rs(c.s0), Pr(c.p1), Some(Action::Consume), Some(e1)),
            (E(e0), Rs(c.s0), Some(Action::Raise), Some(e0)),
        ]
    );
    assert_eq!(tree.edges[4].quantity.map(|q| q.has_numerical_value), Some(Decimal::from(3)), "work's effort");
    let shallow = g.process_tree(c.r3, Direction::Upstream, Some(2));
    assert_eq!(shallow.nodes.len(), 3);
    assert_eq!(shallow.edges.len(), 2);
    let down = g.process_tree(c.s0, Direction::Downstream, None);
    assert_eq!(down.nodes.last().map(|n| (n.node, n.depth)), Some((Rs(c.r3), 5)));
    assert_eq!(down.edges.first().map(|e| (e.from, e.to)), Some((Rs(c.s0), Pr(c.p1))));
}

#[test]
fn breadcrumbs_follow_a_resource_through_repeated_processes() {
    // A bike is made, then repaired twice in two runs of the same kind of process.
    let mut g = G::default();
    let (bike, p0, p1, p2) = (res(), proc_(), proc_(), proc_());
    let made = g.output(Action::Produce, bike, p0);
    let a1 = g.input(Action::Accept, Some(bike), p1);
    let m1 = g.output(Action::Modify, bike, p1);
    let a2 = g.input(Action::Accept, Some(bike), p2);
    let m2 = g.output(Action::Modify, bike, p2);
    let graph = g.graph();
    // How the first repair's output came about: not the second repair.
    assert_eq!(graph.trace(E(m1), None), vec![E(m1), Pr(p1), E(a1), Rs(bike), E(made), Pr(p0)]);
    // Where it went after the first repair: only the second.
    assert_eq!(graph.track(E(m1), None), vec![E(m1), Rs(bike), E(a2), Pr(p2), E(m2)]);
    // The whole history of the bike, each node once.
    assert_eq!(
        graph.trace(Rs(bike), None),
        vec![Rs(bike), E(m2), Pr(p2), E(a2), E(m1), Pr(p1), E(a1), E(made), Pr(p0)]
    );
    assert_eq!(graph.track(E(made), None), vec![E(made), Rs(bike), E(a1), Pr(p1), E(m1), E(a2), Pr(p2), E(m2)]);
}

#[test]
fn pickup_is_followed_only_to_its_dropoff() {
    // A truck (process t) carries g1 and g2; we trace and track g1 only.
    let mut g = G::default();
    let (g1, g2, p0, t) = (res(), res(), proc_(), proc_());
    let made = g.output(Action::Produce, g1, p0);
    let pu1 = g.input(Action::Pickup, Some(g1), t);
    let pu2 = g.input(Action::Pickup, Some(g2), t);
    let drive = g.input(Action::Work, None, t);
    let d1 = g.output(Action::Dropoff, g1, t);
    let d2 = g.output(Action::Dropoff, g2, t);
    let graph = g.graph();
    let traced = graph.trace(Rs(g1), None);
    assert_eq!(traced, vec![Rs(g1), E(d1), Pr(t), E(drive), E(pu1), E(made), Pr(p0)]);
    assert!(!traced.contains(&E(pu2)) && !traced.contains(&Rs(g2)));
    let tracked = graph.track(E(made), None);
    assert_eq!(tracked, vec![E(made), Rs(g1), E(pu1), Pr(t), E(d1)]);
    assert!(!tracked.contains(&E(d2)));
    // Starting at an unpaired pickup still follows it.
    assert_eq!(graph.trace(E(pu2), None), vec![E(pu2), Rs(g2)]);
}

#[test]
fn combine_is_followed_only_from_its_separate_but_kits_show_their_parts() {
    let mut g = G::default();
    let (x, y, kit, pack, unpack) = (res(), res(), res(), proc_(), proc_());
    let rx = g.add(Action::Raise, Some(x), None, None, None);
    let ry = g.add(Action::Raise, Some(y), None, None, None);
    let cx = g.input(Action::Combine, Some(x), pack);
    let cy = g.input(Action::Combine, Some(y), pack);
    let made = g.output(Action::Produce, kit, pack);
    let open = g.input(Action::Consume, Some(kit), unpack);
    let sx = g.output(Action::Separate, x, unpack);
    let graph = g.graph();
    let traced = graph.trace(E(sx), None);
    assert_eq!(traced, vec![E(sx), Pr(unpack), E(open), Rs(kit), E(made), Pr(pack), E(cx), Rs(x), E(rx)]);
    assert!(!traced.contains(&E(cy)));
    let tree = graph.process_tree(kit, Direction::Upstream, None);
    let has = |n| tree.nodes.iter().any(|t| t.node == n);
    assert!(has(Rs(x)) && has(Rs(y)) && has(E(ry)), "{tree:?}");
}

#[test]
fn cycles_end() {
    // p2 makes r1, p1 turns r1 into r2, p2 turns r2 into r1 again: a loop.
    let mut g = G::default();
    let (r1, r2, p1, p2) = (res(), res(), proc_(), proc_());
    let e0 = g.output(Action::Produce, r1, p2);
    let e1 = g.input(Action::Consume, Some(r1), p1);
    let e2 = g.output(Action::Produce, r2, p1);
    let e3 = g.input(Action::Consume, Some(r2), p2);
    let e4 = g.output(Action::Produce, r1, p2);
    // and a resource transferred to itself (a whole tool lent out).
    let lend = g.add(Action::TransferCustody, Some(r1), Some(r1), None, None);
    let graph = g.graph();
    let traced = graph.trace(Rs(r1), None);
    assert_eq!(traced, vec![Rs(r1), E(lend), E(e4), Pr(p2), E(e3), Rs(r2), E(e2), Pr(p1), E(e1), E(e0)]);
    let tracked = graph.track(E(e0), None);
    assert_eq!(tracked, vec![E(e0), Rs(r1), E(e1), Pr(p1), E(e2), Rs(r2), E(e3), Pr(p2), E(e4), E(lend)]);
    for direction in [Direction::Upstream, Direction::Downstream] {
        let tree = graph.process_tree(r1, direction, None);
        let distinct: HashSet<_> = tree.nodes.iter().map(|n| n.node).collect();
        assert_eq!(distinct.len(), tree.nodes.len());
    }
}

/// A production chain of `levels` processes: 4 nodes per level plus the first resource.
fn long_chain(levels: usize) -> (G, R, R) {
    let mut g = G::default();
    let first = res();
    let mut current = first;
    for _ in 0..levels {
        let (p, next) = (proc_(), res());
        g.input(Action::Consume, Some(current), p);
        g.output(Action::Produce, next, p);
        current = next;
    }
    (g, first, current)
}

#[test]
fn a_100_000_node_chain_is_walked_without_recursion() {
    let (g, first, last) = long_chain(25_000);
    let graph = g.graph();
    let traced = graph.trace(Rs(last), None);
    assert_eq!(traced.len(), 100_001);
    assert_eq!(traced.last(), Some(&Rs(first)));
    let tracked = graph.track(Rs(first), None);
    assert_eq!(tracked.len(), 100_001);
    let tree = graph.process_tree(last, Direction::Upstream, None);
    assert_eq!(tree.nodes.len(), 50_001);
    assert_eq!(tree.edges.len(), 50_000);
    assert_eq!(graph.trace(Rs(last), Some(10)).len(), 10);
}

/// Answers a [`LoadRequest`] the way the database would.
fn load(all: &[FlowEvent], request: &LoadRequest) -> Vec<FlowEvent> {
    all.iter()
        .filter(|e| {
            request.events.contains(&e.id)
                || [e.resource_inventoried_as, e.to_resource_inventoried_as]
                    .iter()
                    .flatten()
                    .any(|r| request.resources.contains(r))
                || [e.input_of, e.output_of].iter().flatten().any(|p| request.processes.contains(p))
        })
        .cloned()
        .collect()
}

fn load_all(all: &[FlowEvent], start: FlowNode, direction: Direction) -> (FlowGraph, usize, Vec<LoadRequest>) {
    let mut loader = SliceLoader::new(start, direction);
    let mut requests = Vec::new();
    while let Some(request) = loader.request() {
        loader.receive(load(all, &request));
        requests.push(request);
    }
    let graph = loader.finish();
    (graph, requests.len(), requests)
}

#[test]
fn the_slice_loader_loads_level_by_level_and_only_what_the_walk_needs() {
    let mut c = chain();
    // Elsewhere, r1 is also consumed by an unrelated process px making rx.
    let (px, rx) = (proc_(), res());
    let side = c.g.input(Action::Consume, Some(c.r1), px);
    c.g.output(Action::Produce, rx, px);
    let full = c.g.graph();
    let all = c.g.events.clone();
    let (slice, rounds, requests) = load_all(&all, Rs(c.r3), Direction::Upstream);
    assert_eq!(slice.trace(Rs(c.r3), None), full.trace(Rs(c.r3), None));
    assert!(requests.iter().all(|r| !r.processes.contains(&px)), "px is downstream of r1: never loaded");
    assert!(slice.event(side).is_some(), "loaded with r1, but not followed");
    assert_eq!(rounds, 6, "one round each for r3, p2, r2, r1, p1, s0: {requests:?}");
    let (down, _, _) = load_all(&all, E(c.e[0]), Direction::Downstream);
    assert_eq!(down.track(E(c.e[0]), None), full.track(E(c.e[0]), None));
    assert!(down.track(E(c.e[0]), None).contains(&Rs(rx)));
}

#[test]
fn the_slice_loader_closes_on_cycles() {
    let mut g = G::default();
    let (r1, r2, p1, p2) = (res(), res(), proc_(), proc_());
    g.output(Action::Produce, r1, p2);
    g.input(Action::Consume, Some(r1), p1);
    g.output(Action::Produce, r2, p1);
    g.input(Action::Consume, Some(r2), p2);
    for direction in [Direction::Upstream, Direction::Downstream] {
        let (slice, rounds, _) = load_all(&g.events, Rs(r1), direction);
        assert_eq!(slice.events().len(), 4);
        assert!(rounds <= 6);
    }
    let mut capped = SliceLoader::new(Rs(r1), Direction::Upstream).with_max_nodes(2);
    let mut rounds = 0;
    while let Some(request) = capped.request() {
        capped.receive(load(&g.events, &request));
        rounds += 1;
    }
    assert!(rounds <= 2);
}
