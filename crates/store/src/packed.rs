//! Packed reads: the database itself joins the rows a read selects into one text — fields
//! separated by [`FIELD`], rows by [`ROW`] (`group_concat` on SQLite, `string_agg` on
//! PostgreSQL) — so a read of a million rows crosses the driver as a handful of rows instead
//! of a million. sqlx hands rows over one by one; for a whole-event scan (a reconcile's digest,
//! docs/interface.md#reconcile) that cost was most of the time, while joining texts costs the
//! database almost nothing.
//!
//! A read is cut into bounded windows of an integer key ([`fetch_windows`]), so no text grows
//! past a few megabytes, or made in one statement ([`fetch`]) when the caller knows it is
//! small. Every field is read as text, NULL as empty. A value that holds a separator would make
//! the packed text ambiguous: each window checks its row count and its fields, and reads itself
//! again row by row when they do not add up — right whatever the data, fast for ordinary data.

use sqlx::Row as _;

use crate::sql::{Sql, Target, postgres, sqlite, sqlite_text};
use crate::{Backend, Conn};

/// Between two fields of a packed row: ASCII's unit separator.
pub const FIELD: char = '\u{1f}';
/// Between two packed rows: ASCII's record separator.
pub const ROW: char = '\u{1e}';

/// The most rows a window of [`fetch_windows`] holds by default.
pub const WINDOW_ROWS: usize = 65_536;

impl Backend {
    /// SQL for the one-character text of ASCII `code`.
    pub fn char_code(self, code: u8) -> String {
        match self {
            Backend::Sqlite => format!("char({code})"),
            Backend::Postgres => format!("chr({code})"),
        }
    }

    /// The aggregate that joins a group's texts `expr` with `separator` (an SQL text), in no
    /// particular order.
    pub fn join_texts(self, expr: &str, separator: &str) -> String {
        match self {
            Backend::Sqlite => format!("group_concat({expr}, {separator})"),
            Backend::Postgres => format!("string_agg({expr}, {separator})"),
        }
    }

    /// `table` (with its alias, if any) read in the order of its integer primary key: on
    /// SQLite, without the other indexes, which its planner would otherwise walk for an
    /// equality in the filter and then sort; PostgreSQL weighs both with its statistics.
    fn in_key_order(self, table: &str) -> String {
        match self {
            Backend::Sqlite => format!("{table} NOT INDEXED"),
            Backend::Postgres => table.to_owned(),
        }
    }
}

/// What to read: `columns` (SQL expressions) of the rows of `table` that `filter` keeps.
pub struct PackedRead<'q> {
    /// The table, with an alias if the columns use one (`bo_tickets t`).
    pub table: &'q str,
    /// SQL expressions; each is read as text, NULL as the empty text.
    pub columns: &'q [&'q str],
    /// `WHERE …`, its placeholders numbered from `$1` (`WHERE TRUE` for every row).
    pub filter: Sql<'q>,
    /// The integer column [`fetch_windows`] cuts windows on (the primary key, on SQLite).
    pub key: &'q str,
}

impl PackedRead<'_> {
    /// The columns as text.
    fn fields(&self) -> Vec<String> {
        self.columns.iter().map(|c| format!("coalesce(CAST({c} AS TEXT), '')")).collect()
    }

    /// One text per row: its fields joined with [`FIELD`].
    fn packed_row(&self, backend: Backend) -> String {
        self.fields().join(&format!(" || {} || ", backend.char_code(FIELD as u8)))
    }
}

/// The rows of one packed window, fields addressed in place.
#[derive(Debug, Default)]
pub struct Packed {
    text: String,
    /// Where each field starts and ends in `text`, row after row.
    spans: Vec<(u32, u32)>,
    width: usize,
}

/// One row of a [`Packed`] window.
#[derive(Debug, Clone, Copy)]
pub struct PackedRow<'a> {
    text: &'a str,
    spans: &'a [(u32, u32)],
}

impl<'a> PackedRow<'a> {
    /// Field `k`, as text (NULL reads as empty).
    pub fn get(&self, k: usize) -> &'a str {
        let (start, end) = self.spans[k];
        &self.text[start as usize..end as usize]
    }

    /// Field `k`, empty as `None`.
    pub fn optional(&self, k: usize) -> Option<&'a str> {
        Some(self.get(k)).filter(|text| !text.is_empty())
    }

    /// Field `k` as a whole number, `None` when empty or not one.
    pub fn int(&self, k: usize) -> Option<i64> {
        self.get(k).parse().ok()
    }

    /// Field `k` as a flag: SQLite writes a boolean `1`/`0`, PostgreSQL `true`/`false`.
    pub fn flag(&self, k: usize) -> Option<bool> {
        match self.get(k) {
            "" => None,
            "1" | "true" | "t" => Some(true),
            _ => Some(false),
        }
    }
}

impl Packed {
    /// Splits `text`, which must hold `count` rows of `width` fields; `None` when it does not
    /// (a value holds a separator).
    fn unpack(text: String, count: usize, width: usize) -> Option<Self> {
        let mut spans = Vec::with_capacity(count * width);
        if count > 0 {
            let mut start = 0;
            let mut fields_in_row = 0;
            for (at, byte) in text.bytes().enumerate() {
                if byte == FIELD as u8 || byte == ROW as u8 {
                    spans.push((start as u32, at as u32));
                    fields_in_row += 1;
                    start = at + 1;
                    if byte == ROW as u8 {
                        if fields_in_row != width {
                            return None;
                        }
                        fields_in_row = 0;
                    }
                }
            }
            spans.push((start as u32, text.len() as u32));
            if fields_in_row + 1 != width {
                return None;
            }
        } else if !text.is_empty() {
            return None;
        }
        (spans.len() == count * width && u32::try_from(text.len()).is_ok()).then_some(Self { text, spans, width })
    }

    /// Rows read one by one, each a list of `width` fields.
    fn from_rows(rows: Vec<Vec<String>>, width: usize) -> Self {
        let mut packed = Self { width, ..Self::default() };
        for row in rows {
            for field in row {
                let start = packed.text.len() as u32;
                packed.text.push_str(&field);
                packed.spans.push((start, packed.text.len() as u32));
            }
        }
        packed
    }

    pub fn len(&self) -> usize {
        self.spans.len().checked_div(self.width).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    pub fn row(&self, i: usize) -> PackedRow<'_> {
        PackedRow { text: &self.text, spans: &self.spans[i * self.width..(i + 1) * self.width] }
    }

    pub fn rows(&self) -> impl ExactSizeIterator<Item = PackedRow<'_>> {
        (0..self.len()).map(|i| self.row(i))
    }
}

/// Every row `read` selects, in one statement and one text, in no particular order: for reads
/// the caller knows to be small, or that an index serves better than the key order.
pub async fn fetch(conn: &mut impl Conn, read: &PackedRead<'_>) -> Result<Packed, sqlx::Error> {
    let backend = conn.backend();
    let width = read.columns.len();
    let mut q = Sql::new(format!(
        "SELECT count(*), {} FROM {} ",
        backend.join_texts(&read.packed_row(backend), &backend.char_code(ROW as u8)),
        read.table
    ));
    q.append(read.filter.clone());
    let (count, text): (i64, Option<String>) = q.fetch_one(conn).await?;
    if let Some(packed) = Packed::unpack(text.unwrap_or_default(), count as usize, width) {
        return Ok(packed);
    }
    let mut q = Sql::new(format!("SELECT {} FROM {} ", read.fields().join(", "), read.table));
    q.append(read.filter.clone());
    Ok(Packed::from_rows(text_rows(conn, q, 0, width).await?, width))
}

/// Every row `read` selects, in windows of at most `rows` rows taken in the order of its key
/// (each window the next `rows` rows after the last key of the one before), each one
/// statement and one text. Within a window, rows come in no particular order.
pub async fn fetch_windows(
    conn: &mut impl Conn,
    read: &PackedRead<'_>,
    rows: usize,
) -> Result<Vec<Packed>, sqlx::Error> {
    let backend = conn.backend();
    let rows = rows.max(1);
    let width = read.columns.len();
    let table = backend.in_key_order(read.table);
    let window = |after: i64, select: &str| {
        let mut q = Sql::new(format!("SELECT {} AS window_key, {select} FROM {table} ", read.key));
        q.append(read.filter.clone());
        q.push(&format!(" AND {} > ", read.key)).push_bind(after);
        q.push(&format!(" ORDER BY {} LIMIT {rows}", read.key));
        q
    };
    let packed_row = read.packed_row(backend);
    let aggregate = backend.join_texts("window_row", &backend.char_code(ROW as u8));
    let mut windows = Vec::new();
    let mut after = i64::MIN;
    loop {
        let inner = window(after, &format!("{packed_row} AS window_row"));
        let mut q = Sql::new(format!("SELECT count(*), CAST(max(window_key) AS BIGINT), {aggregate} FROM ("));
        q.append(inner);
        q.push(") AS packed_window");
        let (count, last, text): (i64, Option<i64>, Option<String>) = q.fetch_one(conn).await?;
        let count = count as usize;
        let packed = match Packed::unpack(text.unwrap_or_default(), count, width) {
            Some(packed) => packed,
            None => {
                Packed::from_rows(text_rows(conn, window(after, &read.fields().join(", ")), 1, width).await?, width)
            }
        };
        if count > 0 {
            windows.push(packed);
        }
        match last {
            Some(last) if count == rows => after = last,
            _ => return Ok(windows),
        }
    }
}

/// The rows of `q`, fields `skip..skip + width` of each as text, read one by one.
async fn text_rows(
    conn: &mut impl Conn,
    q: Sql<'_>,
    skip: usize,
    width: usize,
) -> Result<Vec<Vec<String>>, sqlx::Error> {
    let (text, args) = q.into_parts();
    let fields = |get: &dyn Fn(usize) -> Result<String, sqlx::Error>| -> Result<Vec<String>, sqlx::Error> {
        (skip..skip + width).map(get).collect()
    };
    match conn.target() {
        Target::Sqlite(c) => {
            let rows = sqlite(&sqlite_text(&text, args.len()), args).fetch_all(c).await?;
            rows.iter().map(|row| fields(&|k| row.try_get::<String, _>(k))).collect()
        }
        Target::Postgres(c) => {
            let rows = postgres(&text, args).fetch_all(c).await?;
            rows.iter().map(|row| fields(&|k| row.try_get::<String, _>(k))).collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_packed_text_splits_into_its_rows_and_fields() {
        let text = format!("1{FIELD}a{FIELD}{ROW}2{FIELD}{FIELD}x");
        let packed = Packed::unpack(text, 2, 3).unwrap();
        assert_eq!(packed.len(), 2);
        let row = packed.row(1);
        assert_eq!((row.int(0), row.optional(1), row.get(2)), (Some(2), None, "x"));
        assert_eq!(packed.row(0).get(1), "a");
    }

    #[test]
    fn a_text_that_does_not_add_up_is_refused() {
        assert!(Packed::unpack(format!("1{FIELD}a{FIELD}b"), 1, 2).is_none(), "a field holds a field separator");
        assert!(Packed::unpack(format!("1{FIELD}a{ROW}b"), 1, 2).is_none(), "a field holds a row separator");
        assert!(Packed::unpack(format!("1{FIELD}a{ROW}{ROW}2{FIELD}b"), 2, 2).is_none());
        assert!(Packed::unpack("x".into(), 0, 1).is_none());
        assert_eq!(Packed::unpack(String::new(), 1, 1).unwrap().len(), 1, "one row of one empty field");
        assert!(Packed::unpack(String::new(), 0, 2).unwrap().is_empty());
    }
}
