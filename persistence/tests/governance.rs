//! Value equations and governance under concurrency, at the store: concurrent drafts of one
//! scope get distinct version numbers, and two servers deciding the same due proposal at once
//! decide it once. On SQLite (two stores on one file: two writers, serialised by SQLite's lock)
//! and on PostgreSQL (`OVN_TEST_POSTGRES_URL`, each test in a schema of its own).

use std::error::Error;

use chrono::{Duration, Utc};
use futures::FutureExt;
use ovn_domain::agent::network::OvnRole;
use ovn_domain::agent::{Agent, AgentKind, AgentProfile, AgentRelationship};
use ovn_domain::governance::{NewProposal, ProposalKind, ProposalStatus};
use ovn_domain::value::equation::{Bucket, BucketKind, EquationDraft, EquationStatus, PercentageBehavior, Valuation};
use ovn_domain::{AgentId, AgentRelationshipId, DomainError, Name, ValueEquationBucketId};
use ovn_persistence::agent::{create_agent_in, create_relationship_in};
use ovn_persistence::governance::decide_due_in;
use ovn_persistence::{DatabaseSettings, Store};
use rust_decimal::Decimal;
use sea_orm::ConnectionTrait;

type TestResult = Result<(), Box<dyn Error>>;

/// A fresh database: SQLite in a temporary directory, or a new PostgreSQL schema.
struct TestDb {
    store: Store,
    settings: DatabaseSettings,
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
                let schema = format!("ovn_governance_{}", uuid::Uuid::new_v4().simple());
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
        Ok(Self { store, settings, _dir: dir, schema })
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

fn agent(kind: AgentKind, name: &str) -> Result<Agent, DomainError> {
    Ok(Agent {
        id: AgentId::new(),
        revision: 1,
        kind,
        profile: AgentProfile { name: Name::parse("name", name)?, image: None, note: None, classified_as: Vec::new() },
    })
}

/// A project and Alice, its affiliate; returns (project, alice).
async fn project_with_affiliate(store: &Store) -> Result<(AgentId, AgentId), Box<dyn Error>> {
    let project = agent(AgentKind::Organization, "Sensor kit")?;
    let alice = agent(AgentKind::Person, "Alice")?;
    let (project_id, alice_id) = (project.id, alice.id);
    let affiliation = AgentRelationship {
        id: AgentRelationshipId::new(),
        revision: 1,
        subject: alice.id,
        object: project.id,
        relationship: OvnRole::AffiliateOf.id(),
        in_scope_of: Vec::new(),
        note: None,
    };
    store
        .write(move |txn| {
            async move {
                create_agent_in(txn, &project).await?;
                create_agent_in(txn, &alice).await?;
                create_relationship_in(txn, alice.id, &affiliation).await
            }
            .boxed()
        })
        .await?;
    Ok((project_id, alice_id))
}

/// One bucket: all of it to `recipient`.
fn draft(scope: AgentId, recipient: AgentId, name: &str) -> EquationDraft {
    EquationDraft {
        scope,
        name: name.to_owned(),
        percentage_behavior: PercentageBehavior::Straight,
        valuation: Valuation::Restate,
        note: None,
        buckets: vec![Bucket {
            id: ValueEquationBucketId::new(),
            sequence: 1,
            name: "all".to_owned(),
            kind: BucketKind::Agent,
            percentage: Decimal::ONE_HUNDRED,
            recipient: Some(recipient),
            period_start: None,
            period_end: None,
            rules: Vec::new(),
        }],
    }
}

#[tokio::test]
async fn concurrent_drafts_of_one_scope_get_distinct_consecutive_versions() -> TestResult {
    let db = TestDb::new().await?;
    let (project, alice) = project_with_affiliate(&db.store).await?;

    let drafts = (0..8).map(|n| db.store.create_value_equation(alice, draft(project, alice, &format!("v{n}")), None));
    let created = futures::future::join_all(drafts).await;

    let mut versions = Vec::new();
    for outcome in created {
        versions.push(outcome?.equation.version);
    }
    versions.sort_unstable();
    assert_eq!(versions, (1..=8).collect::<Vec<i32>>());
    db.drop_schema().await
}

#[tokio::test]
async fn two_servers_deciding_one_due_proposal_decide_it_once() -> TestResult {
    // Arrange: Alice, the project's only affiliate, proposes v1 and does not vote.
    let db = TestDb::new().await?;
    let other_server = Store::connect(&db.settings).await?;
    let (project, alice) = project_with_affiliate(&db.store).await?;
    let v1 = db.store.create_value_equation(alice, draft(project, alice, "v1"), None).await?.equation;
    let deadline = Utc::now() + Duration::hours(1);
    let new = NewProposal {
        kind: ProposalKind::AdoptValueEquation,
        scope: project,
        value_equation: Some(v1.id),
        pool: None,
        amount: None,
        recipient: None,
        agreement: None,
        access_rule: None,
        deadline,
        note: None,
    };
    let proposal = db.store.create_governance_proposal(alice, new, None).await?;

    // Act: both servers decide it, at once, a second after its deadline.
    let after = deadline + Duration::seconds(1);
    let (id, first, second) = (proposal.id, db.store.clone(), other_server.clone());
    let (a, b) = futures::join!(
        first.write(move |txn| decide_due_in(txn, id, after).boxed()),
        second.write(move |txn| decide_due_in(txn, id, after).boxed()),
    );

    // Assert: one decided it (failed: nothing was cast), the other found nothing to do; one
    // decision was written, and the version went back to a draft once.
    let outcomes = [a?, b?];
    let decided: Vec<_> = outcomes.iter().flatten().collect();
    assert_eq!(decided.len(), 1, "{outcomes:?}");
    assert_eq!((decided[0].status, decided[0].decided_at), (ProposalStatus::Failed, Some(after)));
    let stored = db.store.governance_proposals_by_id(&[id]).await?.remove(&id).ok_or("the proposal is gone")?;
    assert_eq!((stored.status, stored.revision), (ProposalStatus::Failed, 2));
    let kept = db.store.revisions_of(&[id.to_string()]).await?.remove(&id.to_string()).unwrap_or_default();
    assert_eq!(kept.iter().map(|r| r.number).collect::<Vec<_>>(), [1, 2]);
    let equation = db.store.value_equations_by_id(&[v1.id]).await?.remove(&v1.id).ok_or("v1 is gone")?.equation;
    assert_eq!((equation.status, equation.revision), (EquationStatus::Draft, 3), "created, proposed, back to draft");
    db.drop_schema().await
}
