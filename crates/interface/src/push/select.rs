//! Which tickets a push function selects, as one SQL filter shared by its runs (paged by id
//! windows) and by the check of a file to upload (which may only name tickets the function
//! would select).

use crate::functions::FunctionKind;
use crate::functions::settings::{PushSettings, parse_date_from};

/// The selection of one push function, ready to be written into a query.
pub(super) struct Selection {
    pub cancelled: bool,
    pub organization: i64,
    pub function_id: i64,
    /// The interface's injection functions, listed as `1, 2` ("injected before").
    pub injections: String,
    pub shipment_modes: Vec<String>,
    /// Re-select tickets changed at or after this time (ms); `i64::MAX` when unset.
    pub date_from: i64,
    pub force: Vec<String>,
    pub skip: Vec<String>,
    pub changed_since: Option<i64>,
}

impl Selection {
    /// The selection of `function_id` (kind `kind`) in `organization`, `None` when the
    /// interface has no injection function (nothing was injected, so nothing to push).
    pub fn new(
        kind: FunctionKind,
        settings: &PushSettings,
        organization: i64,
        function_id: i64,
        injection_ids: &[i64],
        changed_since: Option<i64>,
    ) -> Result<Option<Self>, String> {
        if injection_ids.is_empty() {
            return Ok(None);
        }
        let date_from = settings
            .date_from
            .as_deref()
            .filter(|t| !t.trim().is_empty())
            .map(parse_date_from)
            .transpose()
            .map_err(|e| e.to_string())?
            .map_or(i64::MAX, |at| at.timestamp_millis());
        Ok(Some(Self {
            cancelled: kind == FunctionKind::PushCancelled,
            organization,
            function_id,
            injections: injection_ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", "),
            shipment_modes: settings.shipment_modes.clone(),
            date_from,
            force: settings.force(),
            skip: settings.skip(),
            changed_since,
        }))
    }

    /// The statuses this push sends.
    pub fn statuses(&self) -> &'static str {
        if self.cancelled { "CANCELLED or INVALIDATED" } else { "CONTROLLED" }
    }

    /// `SELECT t.id, t.invalidation_reason, t.status_changed_at … WHERE <the selection>`; the
    /// caller appends its own `AND …` (a window, or a list of ids) and order.
    pub fn query<'a, DB: sqlx::Database>(&'a self) -> sqlx::QueryBuilder<'a, DB>
    where
        &'a str: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
        i64: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    {
        let statuses = if self.cancelled { "('CANCELLED', 'INVALIDATED')" } else { "('CONTROLLED')" };
        let (organization, injections, function_id) = (self.organization, &self.injections, self.function_id);
        // "injected before": processed by one of this interface's injection functions. The ids
        // are listed in the query so the check is one index lookup per ticket; a join with the
        // functions table let PostgreSQL hash every processed mark for each page instead.
        let mut q = sqlx::QueryBuilder::new(format!(
            "SELECT t.id, t.invalidation_reason, t.status_changed_at FROM bo_tickets t
             CROSS JOIN bo_products p
             CROSS JOIN bo_shipment_modes sm
             WHERE p.id = t.product_id AND sm.id = t.shipment_mode_id AND t.status IN {statuses} AND sm.type = 'MOBILE' AND p.organization_id = {organization}
               AND EXISTS (SELECT 1 FROM itf_processed ip
                           WHERE ip.ticket_id = t.id AND ip.function_id IN ({injections}))"
        ));
        if let Some(since) = self.changed_since {
            q.push(" AND t.status_changed_at >= ").push_bind(since);
        }
        q.push(" AND sm.code IN (");
        let mut list = q.separated(", ");
        for code in &self.shipment_modes {
            list.push_bind(code.as_str());
        }
        // not yet processed by this function (push cancelled: not with this reason), as a
        // per-ticket index lookup rather than a join the planner may hash whole
        q.push(format!(
            ") AND (NOT EXISTS (SELECT 1 FROM itf_processed me WHERE me.function_id = {function_id}
               AND me.ticket_id = t.id{}) OR t.status_changed_at >= ",
            if self.cancelled { " AND me.invalidation_reason IS NOT DISTINCT FROM t.invalidation_reason" } else { "" }
        ))
        .push_bind(self.date_from);
        if !self.force.is_empty() {
            q.push(" OR t.tax_number IN (");
            let mut list = q.separated(", ");
            for tax in &self.force {
                list.push_bind(tax.as_str());
            }
            q.push(")");
        }
        q.push(")");
        if !self.skip.is_empty() {
            q.push(" AND (t.tax_number IS NULL OR t.tax_number NOT IN (");
            let mut list = q.separated(", ");
            for tax in &self.skip {
                list.push_bind(tax.as_str());
            }
            q.push("))");
        }
        q
    }
}
