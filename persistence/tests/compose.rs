//! Writes compose: two `…_in(txn)` writes in one transaction land together or not at all,
//! on SQLite (through the group-commit writer, one savepoint per use case) and on PostgreSQL
//! (`OVN_TEST_POSTGRES_URL`, each test in a schema of its own).

use std::error::Error;

use futures::FutureExt;
use ovn_domain::agent::{Agent, AgentKind, AgentProfile};
use ovn_domain::observation::NewEvent;
use ovn_domain::{Action, AgentId, DomainError, EconomicEventId, EconomicResourceId, Measure, Name};
use ovn_persistence::agent::create_agent_in;
use ovn_persistence::knowledge::{NewUnit, create_unit_in};
use ovn_persistence::observation::{RecordEvent, record_in};
use ovn_persistence::{DatabaseSettings, PersistenceError, Store};
use rust_decimal::Decimal;
use sea_orm::ConnectionTrait;

type TestResult = Result<(), Box<dyn Error>>;

/// A fresh database: SQLite in a temporary directory, or a new PostgreSQL schema.
struct TestDb {
    store: Store,
    _dir: tempfile::TempDir,
    schema: Option<(String, String)>,
}

impl TestDb {
    async fn new() -> Result<Self, Box<dyn Error>> {
        let dir = tempfile::tempdir()?;
        let url = std::env::var("OVN_TEST_POSTGRES_URL").ok().filter(|u| !u.trim().is_empty());
        let (settings, schema) = match url {
            None => (DatabaseSettings::new(format!("sqlite://{}/ovn.db?mode=rwc", dir.path().display())), None),
            Some(url) => {
                let schema = format!("ovn_compose_{}", uuid::Uuid::new_v4().simple());
                let admin = sea_orm::Database::connect(url.as_str()).await?;
                admin.execute_unprepared(&format!("CREATE SCHEMA \"{schema}\"")).await?;
                admin.close().await?;
                let mut settings = DatabaseSettings::new(url.clone());
                settings.postgres_schema = Some(schema.clone());
                (settings, Some((url, schema)))
            }
        };
        let store = Store::connect(&settings).await?;
        <ovn_migration::Migrator as ovn_migration::MigratorTrait>::up(store.connection(), None).await?;
        Ok(Self { store, _dir: dir, schema })
    }

    async fn drop_schema(self) -> TestResult {
        if let Some((url, schema)) = self.schema {
            let admin = sea_orm::Database::connect(url.as_str()).await?;
            admin.execute_unprepared(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE")).await?;
            admin.close().await?;
        }
        Ok(())
    }
}

fn person(name: &str) -> Result<Agent, DomainError> {
    Ok(Agent {
        id: AgentId::new(),
        revision: 1,
        kind: AgentKind::Person,
        profile: AgentProfile { name: Name::parse("name", name)?, image: None, note: None, classified_as: Vec::new() },
    })
}

fn hour() -> Result<NewUnit, DomainError> {
    Ok(NewUnit { label: Name::parse("label", "hour")?, symbol: Name::parse("symbol", "h")?, om_unit_identifier: None })
}

#[tokio::test]
async fn a_failing_second_write_leaves_neither_visible() -> TestResult {
    let db = TestDb::new().await?;
    let alice = person("Alice")?;
    let (agent, unit) = (alice.clone(), hour()?);
    // Alice consumes from a resource that does not exist: the third write fails, after the
    // agent and the unit were written in the same transaction.
    let mut consume = NewEvent::new(Action::Consume, alice.id, alice.id);
    consume.resource_inventoried_as = Some(EconomicResourceId::new());
    consume.input_of = None;
    consume.resource_quantity = Some(Measure::new(Decimal::ONE, None));
    let command = RecordEvent {
        core: consume,
        details: Default::default(),
        new_resource: None,
        new_resource_id: None,
        new_resource_container: None,
    };
    let outcome = db
        .store
        .write(move |txn| {
            async move {
                create_agent_in(txn, &agent).await?;
                create_unit_in(txn, unit, None).await?;
                record_in(txn, true, agent.id, EconomicEventId::new(), command, chrono::Utc::now()).await?;
                Ok(())
            }
            .boxed()
        })
        .await;
    match outcome {
        Err(PersistenceError::Domain(DomainError::Invalid { field, .. })) => {
            assert_eq!(field, "inputOf", "a consume is a process input: refused on its own fields first")
        }
        other => return Err(format!("expected the consume to be refused, got {other:?}").into()),
    }
    assert_eq!(db.store.agent(alice.id).await?, None, "the agent of the failed transaction is not visible");
    assert!(
        db.store.units(&Default::default()).await?.items.is_empty(),
        "the unit of the failed transaction is not visible"
    );
    db.drop_schema().await
}

#[tokio::test]
async fn a_missing_reference_fails_the_whole_use_case() -> TestResult {
    let db = TestDb::new().await?;
    let alice = person("Alice")?;
    let agent = alice.clone();
    // A raise of 5 in a unit that does not exist: the reference check refuses it, naming the
    // field, and the agent written before it in the same transaction is rolled back.
    let mut raise = NewEvent::new(Action::Raise, alice.id, alice.id);
    raise.creates_resource = true;
    raise.resource_quantity = Some(Measure::new(Decimal::from(5), Some(ovn_domain::UnitId::new())));
    let command = RecordEvent {
        core: raise,
        details: Default::default(),
        new_resource: Some(ovn_domain::observation::ResourceDetails {
            conforms_to: Some(ovn_domain::ResourceSpecificationId::new()),
            ..Default::default()
        }),
        new_resource_id: None,
        new_resource_container: None,
    };
    let outcome = db
        .store
        .write(move |txn| {
            async move {
                create_agent_in(txn, &agent).await?;
                record_in(txn, true, agent.id, EconomicEventId::new(), command, chrono::Utc::now()).await
            }
            .boxed()
        })
        .await;
    match outcome {
        Err(PersistenceError::Domain(DomainError::Invalid { field, message })) => {
            assert_eq!(field, "resourceQuantity.hasUnit");
            assert!(message.contains("does not exist"), "{message}");
        }
        other => return Err(format!("expected a missing unit to be refused, got {other:?}").into()),
    }
    assert_eq!(db.store.agent(alice.id).await?, None);
    db.drop_schema().await
}

#[tokio::test]
async fn writes_that_succeed_together_are_all_visible() -> TestResult {
    let db = TestDb::new().await?;
    let (alice, bob) = (person("Alice")?, person("Bob")?);
    let (a, b, unit) = (alice.clone(), bob.clone(), hour()?);
    db.store
        .write(move |txn| {
            async move {
                create_agent_in(txn, &a).await?;
                create_agent_in(txn, &b).await?;
                create_unit_in(txn, unit, None).await?;
                Ok(())
            }
            .boxed()
        })
        .await?;
    assert_eq!(db.store.agent(alice.id).await?, Some(alice));
    assert_eq!(db.store.agent(bob.id).await?, Some(bob));
    let units = db.store.units(&Default::default()).await?;
    assert_eq!(units.items.len(), 1);
    db.drop_schema().await
}
