//! Replaying the ledger from scratch gives exactly the stored resources, on SQLite and on
//! PostgreSQL: the stored balances are a cache of the events, never a second truth.

use std::collections::{BTreeMap, BTreeSet};

use crate::common::TestDb;
use anyhow::{Context as _, Result, ensure};
use ovn_domain::agent::{AgentKind, AgentProfile};
use ovn_domain::observation::{EventDetails, ResourceDetails};
use ovn_domain::observation::{NewEvent, ReplayEvent, replay};
use ovn_domain::text::Name;
use ovn_domain::{Action, EconomicResourceId, Measure};
use ovn_persistence::knowledge::ResourceSpecificationPatch;
use ovn_persistence::observation::RecordEvent;
use rust_decimal::Decimal;

/// A tiny deterministic generator (xorshift64*), so a failing sequence can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn amount(&mut self) -> Decimal {
        // 0.01 to 20.00, two decimals.
        Decimal::new(i64::try_from(self.below(2_000)).unwrap_or(0) + 1, 2)
    }
}

fn quantity(value: Decimal) -> Option<Measure> {
    Some(Measure::new(value, None))
}

/// The only refusal these events can meet (each is recorded by its provider, names resources
/// that exist, and carries no unit): a balance of the resource it takes from would go below
/// zero. The refusal must say exactly that, for this action, amount and resource, and the
/// balance it reports must indeed be smaller than the amount.
fn expected_refusal(
    err: &ovn_persistence::PersistenceError,
    action: Action,
    amount: Decimal,
    from: Option<EconomicResourceId>,
) -> Result<()> {
    let ovn_persistence::PersistenceError::Domain(ovn_domain::DomainError::Conflict(message)) = err else {
        anyhow::bail!("{} of {amount} was refused for another reason: {err:?}", action.id());
    };
    let from = from.context("a refused event takes from a resource")?;
    let prefix = format!("{} of {} would take the ", action.id(), ovn_domain::canonical(amount));
    ensure!(message.starts_with(&prefix), "`{message}` should start `{prefix}`");
    let rest = &message[prefix.len()..];
    let balance = ["accountingQuantity", "onhandQuantity"]
        .iter()
        .find_map(|name| rest.strip_prefix(&format!("{name} of resource {from} below zero (it is ")))
        .and_then(|tail| tail.strip_suffix(')'))
        .with_context(|| format!("`{message}` should name a balance of resource {from}"))?;
    let balance: Decimal = balance.parse().with_context(|| format!("the balance in `{message}`"))?;
    ensure!(balance < amount, "`{message}`: a balance of {balance} covers {amount}");
    Ok(())
}

#[tokio::test]
async fn replaying_every_event_rebuilds_the_stored_resources() -> Result<()> {
    let db = TestDb::new().await?;
    let store = db.open_store().await?;
    let mut agents = Vec::new();
    for name in ["Alice", "Bob", "Carol"] {
        let profile =
            AgentProfile { name: Name::parse("name", name)?, image: None, note: None, classified_as: Vec::new() };
        agents.push(store.create_agent(AgentKind::Person, profile, None).await?.id);
    }
    let spec_patch = ResourceSpecificationPatch {
        name: ovn_domain::revision::Patch::Set(Name::parse("name", "grain")?),
        ..ResourceSpecificationPatch::default()
    };
    let spec = store.create_resource_specification(spec_patch, None).await?.id;
    let mut rng = Rng(0x005E_ED0F_0A11);
    let mut resources: Vec<EconomicResourceId> = Vec::new();
    let mut recorded = 0;
    let mut refused = 0;
    for _ in 0..150 {
        let provider = agents[usize::try_from(rng.below(3)).unwrap_or(0)];
        let receiver = agents[usize::try_from(rng.below(3)).unwrap_or(0)];
        let pick = |rng: &mut Rng, resources: &[EconomicResourceId]| {
            resources.get(usize::try_from(rng.below(resources.len().max(1) as u64)).unwrap_or(0)).copied()
        };
        let (mut core, creates) = match (rng.below(6), resources.is_empty()) {
            (0, _) | (_, true) => {
                let mut core = NewEvent::new(Action::Raise, provider, provider);
                core.resource_quantity = quantity(rng.amount() * Decimal::from(5));
                (core, true)
            }
            (1, false) => {
                let mut core = NewEvent::new(Action::Lower, provider, provider);
                core.resource_inventoried_as = pick(&mut rng, &resources);
                core.resource_quantity = quantity(rng.amount());
                (core, false)
            }
            (2, false) => {
                let mut core = NewEvent::new(Action::Transfer, provider, receiver);
                core.resource_inventoried_as = pick(&mut rng, &resources);
                core.resource_quantity = quantity(rng.amount());
                let to_new = rng.below(2) == 0;
                if !to_new {
                    core.to_resource_inventoried_as = pick(&mut rng, &resources);
                }
                (core, to_new)
            }
            (3, false) => {
                let mut core = NewEvent::new(Action::TransferCustody, provider, receiver);
                core.resource_inventoried_as = pick(&mut rng, &resources);
                core.resource_quantity = quantity(rng.amount());
                (core, true)
            }
            (4, false) => {
                let mut core = NewEvent::new(Action::TransferAllRights, provider, receiver);
                core.resource_inventoried_as = pick(&mut rng, &resources);
                core.resource_quantity = quantity(rng.amount());
                (core, true)
            }
            _ => {
                let mut core = NewEvent::new(Action::Move, provider, provider);
                core.resource_inventoried_as = pick(&mut rng, &resources);
                core.to_resource_inventoried_as = pick(&mut rng, &resources);
                core.resource_quantity = quantity(rng.amount());
                (core, false)
            }
        };
        core.creates_resource = creates;
        // The provider or the receiver records it.
        // The receiver records every event: a party to each, and a transfer's consent.
        let actor = core.receiver;
        let (action, from) = (core.action, core.resource_inventoried_as);
        let amount = core.resource_quantity.map(|m| m.has_numerical_value).context("every event has a quantity")?;
        let command = RecordEvent {
            core,
            details: EventDetails { resource_conforms_to: Some(spec), ..EventDetails::default() },
            new_resource: creates.then(ResourceDetails::default),
            new_resource_id: None,
            new_resource_container: None,
        };
        match store.record_event(actor, command, None).await {
            Ok(outcome) => {
                recorded += 1;
                let id = outcome.event.id;
                let event = store.events_by_id(&[id]).await?.remove(&id).context("recorded event")?;
                for resource in
                    [event.core.resource_inventoried_as, event.core.to_resource_inventoried_as].into_iter().flatten()
                {
                    if !resources.contains(&resource) {
                        resources.push(resource);
                    }
                }
            }
            Err(err) => {
                expected_refusal(&err, action, amount, from)?;
                refused += 1;
            }
        }
    }
    assert!(recorded > 60, "many generated events are valid ({recorded} recorded, {refused} refused)");
    assert!(refused > 0, "some were refused (a balance would have gone below zero), and left no trace");

    // Replay from scratch, in recording order.
    let events = store.all_events().await?;
    let mut seen = BTreeSet::new();
    let stored: BTreeMap<EconomicResourceId, _> = store.all_resources().await?.into_iter().map(|r| (r.id, r)).collect();
    let mut records = Vec::new();
    for event in &events {
        let mut core = event.core.clone();
        let created = match core.action.def().create_resource {
            ovn_domain::action::CreateResource::Optional => core.resource_inventoried_as,
            ovn_domain::action::CreateResource::OptionalTo => core.to_resource_inventoried_as,
            _ => None,
        };
        let creates = created.is_some_and(|r| seen.insert(r));
        core.creates_resource = creates;
        let new_resource_unit = created.filter(|_| creates).and_then(|r| stored.get(&r)).and_then(|r| r.state.unit);
        records.push(ReplayEvent { id: event.id, event: core, context: Default::default(), new_resource_unit });
    }
    let replayed = replay(&records)?;
    assert_eq!(replayed.len(), stored.len(), "every stored resource is rebuilt, and no other");
    for (id, resource) in &stored {
        assert_eq!(replayed.get(id), Some(&resource.state), "resource {id} replays to its stored state");
    }
    Ok(())
}
