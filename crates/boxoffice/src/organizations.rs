//! Organizations: who sells. In a multi-organization setup the catalog belongs to the
//! organization that owns the inventory; the others resolve catalog codes through it.

use axum::Extension;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tixbridge_store::{Conn, Db, Tx, sql};
use tixbridge_web::ApiError;
use tixbridge_web::Path;

use crate::access::Access;
use crate::idempotency::{Answer, Idempotent};
use crate::validate::AllValid;
use crate::{BoxOfficeError, BoxOfficeState, validate};

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    pub id: i64,
    pub code: String,
    pub name: String,
    #[serde(skip)]
    pub parent_id: Option<i64>,
    pub parent_code: Option<String>,
    pub owns_inventory: bool,
    /// The organization whose catalog this one uses: itself when it owns the inventory, else
    /// its nearest ancestor that does (none when no ancestor does).
    #[sqlx(skip)]
    pub inventory_owner_id: Option<i64>,
    #[sqlx(skip)]
    pub inventory_owner_code: Option<String>,
}

impl Organization {
    /// Where catalog codes are looked up, nearest first.
    pub fn catalog_scope(&self) -> Vec<i64> {
        let mut scope = vec![self.id];
        if let Some(owner) = self.inventory_owner_id.filter(|owner| *owner != self.id) {
            scope.push(owner);
        }
        scope
    }

    /// Refuses to define catalog here unless this organization owns the inventory.
    pub(crate) fn ensure_owns_inventory(&self) -> Result<(), BoxOfficeError> {
        if self.owns_inventory {
            return Ok(());
        }
        let owner = self.inventory_owner_code.as_deref().unwrap_or("none");
        Err(BoxOfficeError::invalid(
            "organization",
            format!(
                "organization {} does not own the inventory: the catalog is defined in the organization that owns \
                 it ({owner})",
                self.code
            ),
        ))
    }
}

const SELECT: &str = "SELECT o.id, o.code, o.name, o.parent_id, p.code AS parent_code, o.owns_inventory
     FROM bo_organizations o LEFT JOIN bo_organizations p ON p.id = o.parent_id";

/// The organization with `code`, with its inventory owner resolved.
pub async fn find(db: &Db, code: &str) -> Result<Organization, BoxOfficeError> {
    find_in(&mut db.reader().await?, code).await
}

/// [`find`] on `conn`.
async fn find_in(conn: &mut impl Conn, code: &str) -> Result<Organization, BoxOfficeError> {
    let found: Option<Organization> =
        sql(format!("{SELECT} WHERE o.code = $1")).bind(code).fetch_optional(conn).await?;
    with_inventory_owner(conn, found.ok_or_else(|| BoxOfficeError::not_found(format!("organization {code:?}")))?).await
}

/// The organization with `id`, with its inventory owner resolved.
pub async fn find_by_id(db: &Db, id: i64) -> Result<Organization, BoxOfficeError> {
    let conn = &mut db.reader().await?;
    let found: Option<Organization> = sql(format!("{SELECT} WHERE o.id = $1")).bind(id).fetch_optional(conn).await?;
    with_inventory_owner(conn, found.ok_or_else(|| BoxOfficeError::not_found(format!("organization {id}")))?).await
}

async fn with_inventory_owner(conn: &mut impl Conn, mut org: Organization) -> Result<Organization, BoxOfficeError> {
    let mut cursor = org.clone();
    // Walk up the parents; the depth is small and bounded to survive a cycle.
    for _ in 0..32 {
        if cursor.owns_inventory {
            org.inventory_owner_id = Some(cursor.id);
            org.inventory_owner_code = Some(cursor.code);
            break;
        }
        let Some(parent) = cursor.parent_id else { break };
        cursor = sql(format!("{SELECT} WHERE o.id = $1")).bind(parent).fetch_one(conn).await?;
    }
    Ok(org)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewOrganization {
    pub code: String,
    pub name: String,
    pub parent_code: Option<String>,
    pub owns_inventory: Option<bool>,
}

/// Creates an organization; `ownsInventory` defaults to true.
pub async fn create(db: &Db, new: NewOrganization) -> Result<Organization, BoxOfficeError> {
    let mut tx = db.begin_write().await?;
    let created = create_in(&mut tx, new).await?;
    tx.commit().await?;
    Ok(created)
}

/// [`create`] in the caller's transaction.
async fn create_in(tx: &mut Tx, new: NewOrganization) -> Result<Organization, BoxOfficeError> {
    let (code, name) = (validate::code("code", &new.code), validate::text("name", &new.name, 200)).all_valid()?;
    let parent_id = match new.parent_code.as_deref() {
        None => None,
        Some(parent) => Some(
            find_in(tx, parent)
                .await
                .map_err(|_| BoxOfficeError::invalid("parentCode", format!("no organization {parent:?}")))?
                .id,
        ),
    };
    let inserted: Option<i64> = sql("INSERT INTO bo_organizations (code, name, parent_id, owns_inventory, created_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (code) DO NOTHING RETURNING id")
    .bind(&code)
    .bind(&name)
    .bind(parent_id)
    .bind(new.owns_inventory.unwrap_or(true))
    .bind(crate::now_ms())
    .scalar_optional(tx)
    .await?;
    if inserted.is_none() {
        return Err(BoxOfficeError::duplicate("code", format!("an organization {code:?} already exists")));
    }
    find_in(tx, &code).await
}

/// `POST /api/boxoffice/organizations`: an admin creates an organization below one it
/// administers; an organization without a parent is created from the command line only.
#[utoipa::path(
    post,
    path = "/api/boxoffice/organizations",
    summary = "Create an organization",
    params(crate::openapi::IdempotencyKey),
    request_body = NewOrganization,
    responses((status = 201, description = "created", body = Organization), crate::openapi::answers::CreateRefusals)
)]
pub(crate) async fn create_organization(
    State(state): State<BoxOfficeState>,
    Extension(access): Extension<Access>,
    Idempotent(key, body): Idempotent<NewOrganization>,
) -> Result<Answer, ApiError> {
    // Keys are the caller's organization's: the one it creates below.
    let own = access.caller.organization_id;
    if let Some(replay) = key.replay(&state.db, own).await? {
        return Ok(replay);
    }
    let Some(parent) = body.parent_code.as_deref() else {
        return Err(BoxOfficeError::Forbidden(
            "an organization without a parent is created with `tixbridge boxoffice create-organization`".to_owned(),
        )
        .into());
    };
    // A parent the caller does not administer is answered like an unknown one.
    match find(&state.db, parent).await {
        Ok(org) if org.id == access.caller.organization_id || access.caller.reaches(&org) => {}
        _ => return Err(BoxOfficeError::invalid("parentCode", format!("no organization {parent:?}")).into()),
    }
    let mut tx = state.db.begin_write().await?;
    if let Some(replay) = key.claim(&mut tx, own).await? {
        return Ok(replay);
    }
    let created = create_in(&mut tx, body).await?;
    Ok(key.finish(tx, own, StatusCode::CREATED, &created).await?)
}

#[utoipa::path(
    get,
    path = "/api/boxoffice/organizations/{org}",
    summary = "One organization, with its inventory owner",
    params(crate::openapi::OrgPath),
    responses((status = 200, description = "found", body = Organization), crate::openapi::answers::ReadRefusals)
)]
pub(crate) async fn get_organization(
    State(state): State<BoxOfficeState>,
    Path(org): Path<String>,
) -> Result<Json<Organization>, ApiError> {
    Ok(Json(find(&state.db, &org).await?))
}
