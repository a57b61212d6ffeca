//! The committed `schema.graphql` is the schema the code builds (clients and the vf-graphql
//! conformance check read the file).

use std::path::Path;

#[test]
fn schema_graphql_matches_the_code() -> anyhow::Result<()> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.graphql");
    let committed = std::fs::read_to_string(&path)?;
    let built = ovn_api::sdl();
    if committed != built {
        let line = committed
            .lines()
            .zip(built.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(built.lines().count()));
        anyhow::bail!(
            "schema.graphql is out of date (first difference at line {}); run `cargo run -- schema > schema.graphql`",
            line + 1
        );
    }
    Ok(())
}
