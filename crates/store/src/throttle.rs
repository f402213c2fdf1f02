//! Fixed-window attempt counters kept in the database, so every process serving one database
//! shares them (sign-in throttling of spectators and operators). Each part keeps its own
//! table of `(bucket BLOB PRIMARY KEY, window_start, hits)`; bucket keys are hashed by the
//! caller, so a table holds no e-mail address.

use crate::{Db, sql};

/// A table of buckets; its name is a constant of the part that owns it.
#[derive(Debug, Clone, Copy)]
pub struct BucketTable(pub &'static str);

/// Counts one hit in each of `buckets` within windows of `window_ms` ending at `now_ms`
/// (expired windows are cleared first); returns each bucket's `(hits, window_start)`.
pub async fn hit(
    db: &Db,
    table: BucketTable,
    buckets: &[Vec<u8>],
    now_ms: i64,
    window_ms: i64,
) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    let BucketTable(table) = table;
    let expire = format!("DELETE FROM {table} WHERE window_start <= $1");
    let upsert = format!(
        "INSERT INTO {table} (bucket, window_start, hits) VALUES ($1, $2, 1)
         ON CONFLICT (bucket) DO UPDATE SET hits = {table}.hits + 1
         RETURNING hits, window_start"
    );
    let mut tx = db.begin_write().await?;
    sql(expire).bind(now_ms - window_ms).execute(&mut tx).await?;
    let mut counted = Vec::with_capacity(buckets.len());
    for key in buckets {
        counted.push(sql(upsert.as_str()).bind(key).bind(now_ms).fetch_one(&mut tx).await?);
    }
    tx.commit().await?;
    Ok(counted)
}

/// The client network an address belongs to, for per-network buckets: its /24 (IPv4) or /64
/// (IPv6) — what one client can easily hop within.
pub fn network_of(addr: Option<std::net::IpAddr>) -> String {
    match addr.map(|ip| ip.to_canonical()) {
        Some(std::net::IpAddr::V4(v4)) => {
            let [a, b, c, _] = v4.octets();
            format!("{a}.{b}.{c}.0/24")
        }
        Some(std::net::IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        None => "unknown".to_owned(),
    }
}
