//! The append-only record of configuration changes (interface, functions, templates,
//! operators, tokens): who, when, what, and which fields — never a value, so a secret set in a
//! change never reaches it. Written in the same transaction as the change it records.

use serde::Serialize;
use tixbridge_store::{Db, Tx, sql};

/// One change to record.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub organization_id: i64,
    pub actor: String,
    pub action: String,
    pub object: String,
    pub fields: Vec<String>,
}

impl AuditEntry {
    pub fn new(organization_id: i64, actor: impl Into<String>, action: &str, object: impl Into<String>) -> Self {
        Self { organization_id, actor: actor.into(), action: action.to_owned(), object: object.into(), fields: vec![] }
    }

    /// The same entry about another object (once a created object has its number).
    pub fn on(mut self, object: impl Into<String>) -> Self {
        self.object = object.into();
        self
    }

    pub fn with_fields<I, S>(mut self, fields: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.fields = fields.into_iter().map(Into::into).collect();
        self
    }
}

/// Appends `entry` in `tx`, the transaction of the change it records.
pub async fn record(tx: &mut Tx, entry: &AuditEntry) -> Result<(), sqlx::Error> {
    let fields = serde_json::to_string(&entry.fields).unwrap_or_else(|_| "[]".to_owned());
    sql("INSERT INTO bo_audit (organization_id, at, actor, action, object, fields) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(entry.organization_id)
        .bind(crate::now_ms())
        .bind(entry.actor.as_str())
        .bind(entry.action.as_str())
        .bind(entry.object.as_str())
        .bind(fields)
        .execute(tx)
        .await?;
    Ok(())
}

/// One recorded change, as an admin reads it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditRecord {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub object: String,
    pub fields: Vec<String>,
}

/// The organization's changes, newest first, `limit` at a time before `before` (an id).
pub async fn list(
    db: &Db,
    organization_id: i64,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<AuditRecord>, sqlx::Error> {
    let rows: Vec<(i64, i64, String, String, String, String)> =
        sql("SELECT id, at, actor, action, object, fields FROM bo_audit
         WHERE organization_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3")
        .bind(organization_id)
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(&mut db.reader().await?)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, at, actor, action, object, fields)| AuditRecord {
            id,
            at: crate::rfc3339(at),
            actor,
            action,
            object,
            fields: serde_json::from_str(&fields).unwrap_or_default(),
        })
        .collect())
}
