//! Typed handles on the database: a transaction ([`Tx`]) or a pooled connection
//! ([`Pooled`]), either backend, on which an [`Sql`](crate::Sql) statement runs. A part writes
//! `async fn`s taking `&mut Tx` (to share its caller's transaction) or `&mut impl Conn`.
//!
//! Writes go through [`Db::begin_write`]/[`Db::writer`]: on SQLite that is the one writer
//! connection, so concurrent writers queue in Rust instead of meeting `database is locked`.
//! Reads go through [`Db::begin_read`]/[`Db::reader`], which on SQLite never wait for the
//! writer (WAL).

use sqlx::pool::PoolConnection;
use sqlx::{Postgres, Sqlite, Transaction};

use crate::sql::Target;
use crate::{Backend, CHANGES_CHANNEL, Db};

/// Something a statement can run on.
pub trait Conn: Send {
    fn target(&mut self) -> Target<'_>;
    fn backend(&self) -> Backend;
}

/// An open transaction. Dropped without [`Tx::commit`], it rolls back.
#[derive(Debug)]
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// A connection from a pool, outside any transaction: each statement commits alone.
#[derive(Debug)]
pub enum Pooled {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
}

impl Conn for Tx {
    fn target(&mut self) -> Target<'_> {
        match self {
            Tx::Sqlite(tx) => Target::Sqlite(tx),
            Tx::Postgres(tx) => Target::Postgres(tx),
        }
    }
    fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Postgres(_) => Backend::Postgres,
        }
    }
}

impl Conn for Pooled {
    fn target(&mut self) -> Target<'_> {
        match self {
            Pooled::Sqlite(conn) => Target::Sqlite(conn),
            Pooled::Postgres(conn) => Target::Postgres(conn),
        }
    }
    fn backend(&self) -> Backend {
        match self {
            Pooled::Sqlite(_) => Backend::Sqlite,
            Pooled::Postgres(_) => Backend::Postgres,
        }
    }
}

impl Tx {
    /// Which dialect this transaction speaks, for the few statements that differ.
    pub fn backend(&self) -> Backend {
        Conn::backend(self)
    }

    /// Makes the transaction's changes durable and visible.
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await,
            Tx::Postgres(tx) => tx.commit().await,
        }
    }

    /// Undoes the transaction (as dropping it does), reporting a failure to do so.
    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(tx) => tx.rollback().await,
            Tx::Postgres(tx) => tx.rollback().await,
        }
    }

    /// Plans every statement of this transaction afresh, for one that grows a table by many
    /// rows (a bulk import). PostgreSQL otherwise settles, after a few runs of a statement, on
    /// a generic plan made while the table was still small — a whole-table scan — and keeps it
    /// as the table grows inside the transaction, so each lookup costs more than the one
    /// before: 100,000 imported rows took two minutes. SQLite plans each statement anyway.
    pub async fn plan_each_statement(&mut self) -> Result<(), sqlx::Error> {
        if let Tx::Postgres(tx) = self {
            sqlx::query("SET LOCAL plan_cache_mode = force_custom_plan").execute(&mut **tx).await?;
        }
        Ok(())
    }

    /// Announces, within this transaction, that work arrived: on PostgreSQL other processes
    /// hear it when the transaction commits. Call [`crate::Changes::signal`] after the commit
    /// for this process.
    pub async fn announce_change(&mut self) -> Result<(), sqlx::Error> {
        if let Tx::Postgres(tx) = self {
            sqlx::query("SELECT pg_notify($1, '')").bind(CHANGES_CHANNEL).execute(&mut **tx).await?;
        }
        Ok(())
    }
}

impl Db {
    /// Begins a transaction that may write (on SQLite: queues for the one writer).
    pub async fn begin_write(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            // IMMEDIATE: the write lock is taken (or waited for) at the start. A deferred
            // transaction that reads first fails at its first write when another process wrote
            // in between, since its snapshot is stale; this one never has to upgrade.
            Db::Sqlite(s) => {
                let queued = std::time::Instant::now();
                let tx = s.writer.begin_with("BEGIN IMMEDIATE").await?;
                s.metrics.writer_wait(queued.elapsed());
                Tx::Sqlite(tx)
            }
            Db::Postgres(p) => Tx::Postgres(p.pool.begin().await?),
        })
    }

    /// Begins a read-only transaction: one consistent view across several reads.
    pub async fn begin_read(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Db::Sqlite(s) => Tx::Sqlite(s.reader.begin().await?),
            Db::Postgres(p) => Tx::Postgres(p.pool.begin().await?),
        })
    }

    /// A connection for statements that write and commit one by one.
    pub async fn writer(&self) -> Result<Pooled, sqlx::Error> {
        Ok(match self {
            Db::Sqlite(s) => {
                let queued = std::time::Instant::now();
                let conn = s.writer.acquire().await?;
                s.metrics.writer_wait(queued.elapsed());
                Pooled::Sqlite(conn)
            }
            Db::Postgres(p) => Pooled::Postgres(p.pool.acquire().await?),
        })
    }

    /// A connection for reads outside a transaction.
    pub async fn reader(&self) -> Result<Pooled, sqlx::Error> {
        Ok(match self {
            Db::Sqlite(s) => Pooled::Sqlite(s.reader.acquire().await?),
            Db::Postgres(p) => Pooled::Postgres(p.pool.acquire().await?),
        })
    }
}

impl Backend {
    /// The clause that locks the rows a `SELECT` reads until the transaction ends: needed on
    /// PostgreSQL, where writers run side by side; empty on SQLite, whose one writer already
    /// excludes every other.
    pub fn for_update(self) -> &'static str {
        match self {
            Backend::Postgres => " FOR UPDATE",
            Backend::Sqlite => "",
        }
    }
}
