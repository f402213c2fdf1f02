//! Saving, reading and deleting an organization's ticket templates; each change is audited
//! in its own transaction. A template an injection function names cannot be deleted.

use serde_json::{Map, Value, json};
use tixbridge_boxoffice::access::audit::{AuditEntry, record};
use tixbridge_store::{Conn, Db, Tx, sql};

use super::{FieldsInput, Template, refuse};
use crate::config::InterfaceError;

#[derive(sqlx::FromRow)]
struct TemplateRow {
    id: i64,
    name: String,
    fields: String,
}

impl TemplateRow {
    fn open(self) -> Template {
        let fields = match serde_json::from_str(&self.fields) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        };
        Template { id: self.id, name: self.name, fields, source: self.fields }
    }
}

impl Template {
    /// The template as shown to operators; `used_by` lists the injection functions naming it.
    pub fn view(&self, used_by: &[i64]) -> Value {
        json!({ "id": self.id, "name": self.name, "fields": self.fields, "source": self.source, "usedBy": used_by })
    }
}

fn checked_name(name: &str) -> Result<String, InterfaceError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 128 {
        return Err(refuse("name".into(), "is required, at most 128 characters").into());
    }
    Ok(name.to_owned())
}

/// Saves a template of organization `organization_id`.
pub async fn create_template(
    db: &Db,
    organization_id: i64,
    name: &str,
    input: &FieldsInput,
    audit: &AuditEntry,
) -> Result<Template, InterfaceError> {
    let mut tx = db.begin_write().await?;
    let created = create_template_in(&mut tx, organization_id, name, input, audit).await?;
    tx.commit().await?;
    Ok(created)
}

/// [`create_template`] inside the caller's `tx`, left uncommitted (an idempotent create stores
/// its answer in the same transaction).
pub async fn create_template_in(
    tx: &mut Tx,
    organization_id: i64,
    name: &str,
    input: &FieldsInput,
    audit: &AuditEntry,
) -> Result<Template, InterfaceError> {
    let name = checked_name(name)?;
    let (fields, source) = input.check()?;
    let id: i64 = sql("INSERT INTO itf_templates (organization_id, name, fields) VALUES ($1, $2, $3) RETURNING id")
        .bind(organization_id)
        .bind(&name)
        .bind(&source)
        .scalar(&mut *tx)
        .await?;
    record(tx, &audit.clone().on(format!("template {id}"))).await?;
    Ok(Template { id, name, fields, source })
}

/// Replaces template `id`'s name and fields; the next run uses them.
pub async fn update_template(
    db: &Db,
    organization_id: i64,
    id: i64,
    name: &str,
    input: &FieldsInput,
    audit: &AuditEntry,
) -> Result<Template, InterfaceError> {
    let name = checked_name(name)?;
    let (fields, source) = input.check()?;
    let mut tx = db.begin_write().await?;
    let changed = sql("UPDATE itf_templates SET name = $1, fields = $2 WHERE id = $3 AND organization_id = $4")
        .bind(&name)
        .bind(&source)
        .bind(id)
        .bind(organization_id)
        .execute(&mut tx)
        .await?;
    if changed == 0 {
        return Err(not_found(id));
    }
    record(&mut tx, audit).await?;
    tx.commit().await?;
    Ok(Template { id, name, fields, source })
}

/// Deletes template `id`, unless an injection function names it (`409`).
pub async fn delete_template(db: &Db, organization_id: i64, id: i64, audit: &AuditEntry) -> Result<(), InterfaceError> {
    let mut tx = db.begin_write().await?;
    find(&mut tx, organization_id, id).await?.ok_or_else(|| not_found(id))?;
    let users = functions_using(&mut tx, organization_id, id).await?;
    if let Some(first) = users.first() {
        return Err(InterfaceError::Conflict {
            field: "id",
            message: format!("template {id} is named by injection function {first}: change that function first"),
        });
    }
    sql("DELETE FROM itf_templates WHERE id = $1").bind(id).execute(&mut tx).await?;
    record(&mut tx, audit).await?;
    tx.commit().await?;
    Ok(())
}

/// The organization's templates, each with the injection functions naming it.
pub async fn list_templates(
    db: &Db,
    organization_id: i64,
    after: i64,
    rows: i64,
) -> Result<Vec<(Template, Vec<i64>)>, InterfaceError> {
    let mut conn = db.reader().await?;
    let rows: Vec<TemplateRow> =
        sql("SELECT id, name, fields FROM itf_templates WHERE organization_id = $1 AND id > $2 ORDER BY id LIMIT $3")
            .bind(organization_id)
            .bind(after)
            .bind(rows)
            .fetch_all(&mut conn)
            .await?;
    let mut list = Vec::with_capacity(rows.len());
    for row in rows {
        let used_by = functions_using(&mut conn, organization_id, row.id).await?;
        list.push((row.open(), used_by));
    }
    Ok(list)
}

/// Template `id`, if it belongs to `organization_id`, with the injection functions naming it.
pub async fn load_template(db: &Db, organization_id: i64, id: i64) -> Result<(Template, Vec<i64>), InterfaceError> {
    let mut conn = db.reader().await?;
    let template = find(&mut conn, organization_id, id).await?.ok_or_else(|| not_found(id))?;
    let used_by = functions_using(&mut conn, organization_id, id).await?;
    Ok((template, used_by))
}

fn not_found(id: i64) -> InterfaceError {
    InterfaceError::NotFound(format!("no template {id} in this organization"))
}

async fn find(conn: &mut impl Conn, organization_id: i64, id: i64) -> Result<Option<Template>, sqlx::Error> {
    let row: Option<TemplateRow> =
        sql("SELECT id, name, fields FROM itf_templates WHERE id = $1 AND organization_id = $2")
            .bind(id)
            .bind(organization_id)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(TemplateRow::open))
}

/// The injection functions of `organization_id`'s interface whose settings name template `id`.
async fn functions_using(conn: &mut impl Conn, organization_id: i64, id: i64) -> Result<Vec<i64>, sqlx::Error> {
    let rows: Vec<(i64, String)> = sql("SELECT f.id, f.settings FROM itf_functions f
         JOIN itf_interfaces i ON i.id = f.interface_id
         WHERE i.organization_id = $1 AND f.kind = 'INJECTION' ORDER BY f.id")
    .bind(organization_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter(|(_, settings)| {
            serde_json::from_str::<Value>(settings).is_ok_and(|s| s["templateId"].as_i64() == Some(id))
        })
        .map(|(function, _)| function)
        .collect())
}

/// Whether template `id` exists in `organization_id`, inside `tx` (functions check the
/// template they name when saved).
pub(crate) async fn template_exists(tx: &mut Tx, organization_id: i64, id: i64) -> Result<bool, sqlx::Error> {
    Ok(find(tx, organization_id, id).await?.is_some())
}
