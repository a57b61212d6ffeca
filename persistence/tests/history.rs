//! History at the store level: every write keeps its revision with the author of the task
//! that made it, also when SQLite's writer commits several writes together (each in a
//! savepoint), and a write that fails keeps nothing. On SQLite, and on PostgreSQL when
//! `OVN_TEST_POSTGRES_URL` is set (each test in a schema of its own).

use std::error::Error;

use ovn_domain::agent::{AgentKind, AgentProfile};
use ovn_domain::{AgentId, Name, Patch, Revision};
use ovn_persistence::history::authored_by;
use ovn_persistence::knowledge::{NewUnit, UnitPatch};
use ovn_persistence::{DatabaseSettings, Store};
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

fn unit(label: &str) -> Result<NewUnit, Box<dyn Error>> {
    Ok(NewUnit { label: Name::parse("label", label)?, symbol: Name::parse("symbol", label)?, om_unit_identifier: None })
}

async fn agent(store: &Store, name: &str) -> Result<AgentId, Box<dyn Error>> {
    let profile = AgentProfile { name: Name::parse("name", name)?, image: None, note: None, classified_as: Vec::new() };
    Ok(store.create_agent(AgentKind::Person, profile, None).await?.id)
}

#[tokio::test]
async fn writes_committed_together_each_keep_their_own_author() -> TestResult {
    let db = TestDb::new().await?;
    let store = &db.store;
    let (alice, bob) = (agent(store, "Alice").await?, agent(store, "Bob").await?);
    let first = authored_by(Some(alice), store.create_unit(unit("first")?, None)).await?;

    // 20 writes at once (SQLite's writer groups them): odd ones by Alice, even ones by Bob,
    // and every fifth a stale update of `first`, which must fail and keep nothing.
    let writes = (0..20).map(|i| {
        let author = if i % 2 == 1 { alice } else { bob };
        async move {
            if i % 5 == 0 {
                let stale = Revision { id: first.id, number: 7 };
                let patch = UnitPatch { label: Patch::Set(Name::parse("label", "stale")?), ..UnitPatch::default() };
                let outcome = authored_by(Some(author), store.update_unit(stale, patch)).await;
                Ok::<_, Box<dyn Error>>((i, None, outcome.is_err()))
            } else {
                let created = authored_by(Some(author), store.create_unit(unit(&format!("unit {i}"))?, None)).await?;
                Ok((i, Some(created.id), false))
            }
        }
    });
    let outcomes = futures::future::try_join_all(writes).await?;

    let ids: Vec<String> =
        outcomes.iter().filter_map(|(_, id, _)| id.map(|id| id.to_string())).chain([first.id.to_string()]).collect();
    let kept = store.revisions_of(&ids).await?;
    for (i, id, refused) in outcomes {
        match id {
            Some(id) => {
                let revisions = kept.get(&id.to_string()).ok_or("no revision kept")?;
                let expected = if i % 2 == 1 { alice } else { bob };
                assert_eq!(revisions.len(), 1, "unit {i}");
                assert_eq!((revisions[0].number, revisions[0].author), (1, Some(expected)), "unit {i}");
            }
            None => assert!(refused, "the stale update {i} went through"),
        }
    }
    // The stale updates kept nothing: `first` has its creation only, by Alice.
    let first_kept = kept.get(&first.id.to_string()).ok_or("first has no revision")?;
    assert_eq!(first_kept.iter().map(|r| (r.number, r.author)).collect::<Vec<_>>(), [(1, Some(alice))]);
    // A write outside any request has no author.
    let loose = store.create_unit(unit("loose")?, None).await?;
    let loose_kept = store.revisions_of(&[loose.id.to_string()]).await?;
    assert_eq!(loose_kept.get(&loose.id.to_string()).map(|r| r[0].author), Some(None));
    db.drop_schema().await
}
