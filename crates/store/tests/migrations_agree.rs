//! The SQLite and PostgreSQL migration sets are written separately (each in its own dialect),
//! so nothing but this test keeps them describing the same schema: the same tables, the same
//! columns with the same nullability, and the same named indexes.

use std::collections::BTreeSet;

use tixbridge_store::{Db, testing};

/// `table.column` with `NOT NULL` or `NULL`, and `index:name`, for every part of the schema.
type Schema = BTreeSet<String>;

async fn sqlite_schema(db: &Db) -> Schema {
    let Db::Sqlite(sqlite) = db else { unreachable!() };
    let pool = &sqlite.reader;
    let mut schema = Schema::new();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for table in tables {
        let columns: Vec<(String, bool, i64)> =
            sqlx::query_as("SELECT name, \"notnull\", pk FROM pragma_table_info($1)")
                .bind(&table)
                .fetch_all(pool)
                .await
                .unwrap();
        for (column, not_null, pk) in columns {
            let null = if not_null || pk > 0 { "NOT NULL" } else { "NULL" };
            schema.insert(format!("{table}.{column} {null}"));
        }
    }
    let indexes: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
            .fetch_all(pool)
            .await
            .unwrap();
    schema.extend(indexes.into_iter().map(|name| format!("index:{name}")));
    schema
}

async fn postgres_schema(db: &Db) -> Schema {
    let Db::Postgres(postgres) = db else { unreachable!() };
    let pool = &postgres.pool;
    let mut schema = Schema::new();
    let columns: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, is_nullable::text FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name NOT LIKE '_sqlx%'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for (table, column, nullable) in columns {
        let null = if nullable == "NO" { "NOT NULL" } else { "NULL" };
        schema.insert(format!("{table}.{column} {null}"));
    }
    // Indexes created by CREATE INDEX, not those backing a primary key or UNIQUE constraint.
    let indexes: Vec<String> = sqlx::query_scalar(
        "SELECT indexname::text FROM pg_indexes WHERE schemaname = 'public'
         AND indexname NOT IN (SELECT conname FROM pg_constraint)",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    schema.extend(indexes.into_iter().map(|name| format!("index:{name}")));
    schema
}

#[tokio::test]
async fn the_sqlite_and_postgres_migrations_define_the_same_tables_columns_and_indexes() {
    let Some(server) = testing::postgres_url() else { return };
    let dir = tempfile::tempdir().unwrap();
    let sqlite = Db::connect(&format!("sqlite://{}/schema.db", dir.path().display())).await.unwrap();
    let postgres = Db::connect(&testing::fresh_postgres_url(&server).await.unwrap()).await.unwrap();
    let (lite, pg) = (sqlite_schema(&sqlite).await, postgres_schema(&postgres).await);
    let only_sqlite: Vec<_> = lite.difference(&pg).collect();
    let only_postgres: Vec<_> = pg.difference(&lite).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "the migration sets disagree\n only in SQLite: {only_sqlite:#?}\n only in PostgreSQL: {only_postgres:#?}"
    );
    assert!(lite.iter().any(|s| s.starts_with("bo_api_tokens.")), "the comparison saw the schema");
}
