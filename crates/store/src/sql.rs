//! One statement, written once for both backends: its SQL text (placeholders `$1`, `$2`, …,
//! which SQLite and PostgreSQL both read) and its arguments, kept backend-neutral until the
//! statement runs on a [`Conn`]. This is what lets every part write ordinary `async fn`s over a
//! typed [`Tx`](crate::Tx) instead of compiling its code once per backend.

use std::borrow::Cow;

use sqlx::postgres::{PgArguments, PgRow};
use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::{Decode, Encode, FromRow, Postgres, Sqlite, Type};

use crate::conn::Conn;

/// An argument, typed so that a NULL still tells PostgreSQL its type.
#[derive(Debug, Clone)]
pub enum Arg<'q> {
    Bool(Option<bool>),
    I32(Option<i32>),
    I64(Option<i64>),
    F64(Option<f64>),
    Text(Option<Cow<'q, str>>),
    Bytes(Option<Cow<'q, [u8]>>),
}

/// A value that can be bound to a statement: the types both backends store alike.
pub trait Bind<'q> {
    fn into_arg(self) -> Arg<'q>;
    /// The NULL of this type, for `Option::None`.
    fn null() -> Arg<'q>;
}

macro_rules! bind_as {
    ($variant:ident: $($ty:ty => |$v:ident| $make:expr),+ $(,)?) => {$(
        impl<'q> Bind<'q> for $ty {
            fn into_arg(self) -> Arg<'q> {
                let $v = self;
                Arg::$variant(Some($make))
            }
            fn null() -> Arg<'q> {
                Arg::$variant(None)
            }
        }
    )+};
}

bind_as!(Bool: bool => |v| v, &bool => |v| *v);
bind_as!(I32: i32 => |v| v, &i32 => |v| *v);
bind_as!(I64: i64 => |v| v, &i64 => |v| *v, u32 => |v| i64::from(v));
bind_as!(F64: f64 => |v| v, &f64 => |v| *v);
bind_as!(Text:
    &'q str => |v| Cow::Borrowed(v),
    &'q String => |v| Cow::Borrowed(v.as_str()),
    String => |v| Cow::Owned(v),
    Cow<'q, str> => |v| v,
);
bind_as!(Bytes:
    &'q [u8] => |v| Cow::Borrowed(v),
    &'q Vec<u8> => |v| Cow::Borrowed(v.as_slice()),
    Vec<u8> => |v| Cow::Owned(v),
);

macro_rules! bind_id {
    ($($ty:ty),+) => {$(
        impl<'q> Bind<'q> for $ty {
            fn into_arg(self) -> Arg<'q> {
                Arg::I64(Some(self.get()))
            }
            fn null() -> Arg<'q> {
                Arg::I64(None)
            }
        }
    )+};
}

bind_id!(
    tixbridge_domain::OrganizationId,
    tixbridge_domain::TicketId,
    tixbridge_domain::FunctionId,
    tixbridge_domain::RunId
);

impl<'q, const N: usize> Bind<'q> for &'q [u8; N] {
    fn into_arg(self) -> Arg<'q> {
        Arg::Bytes(Some(Cow::Borrowed(self.as_slice())))
    }
    fn null() -> Arg<'q> {
        Arg::Bytes(None)
    }
}

impl<'q, T: Bind<'q>> Bind<'q> for Option<T> {
    fn into_arg(self) -> Arg<'q> {
        match self {
            Some(value) => value.into_arg(),
            None => T::null(),
        }
    }
    fn null() -> Arg<'q> {
        T::null()
    }
}

/// A row type both backends can decode: any `#[derive(sqlx::FromRow)]` struct or tuple of
/// types both decode.
pub trait Row: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}
impl<T> Row for T where T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}

/// A single column both backends can decode.
pub trait Scalar:
    for<'r> Decode<'r, Sqlite> + Type<Sqlite> + for<'r> Decode<'r, Postgres> + Type<Postgres> + Send + Unpin
{
}
impl<T> Scalar for T where
    T: for<'r> Decode<'r, Sqlite> + Type<Sqlite> + for<'r> Decode<'r, Postgres> + Type<Postgres> + Send + Unpin
{
}

/// A statement and its arguments. Build it with [`sql`], [`Sql::bind`] for the `$n` already in
/// the text, or [`Sql::push`]/[`Sql::push_bind`] to assemble it (a placeholder is numbered
/// as it is pushed).
#[derive(Debug, Clone, Default)]
#[must_use = "a statement does nothing until it is run on a connection"]
pub struct Sql<'q> {
    text: String,
    args: Vec<Arg<'q>>,
}

/// A statement whose text already holds its `$n` placeholders.
pub fn sql<'q>(text: impl Into<String>) -> Sql<'q> {
    Sql { text: text.into(), args: Vec::new() }
}

impl<'q> Sql<'q> {
    pub(crate) fn new(text: String) -> Self {
        Self { text, args: Vec::new() }
    }

    /// Appends `other`, whose placeholders must already be numbered on from this one's.
    pub(crate) fn append(&mut self, other: Sql<'q>) -> &mut Self {
        self.text.push_str(&other.text);
        self.args.extend(other.args);
        self
    }

    pub(crate) fn into_parts(self) -> (String, Vec<Arg<'q>>) {
        (self.text, self.args)
    }

    /// Binds the next `$n` of the text.
    pub fn bind(mut self, value: impl Bind<'q>) -> Self {
        self.args.push(value.into_arg());
        self
    }

    /// Appends SQL text.
    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder for `value`.
    pub fn push_bind(&mut self, value: impl Bind<'q>) -> &mut Self {
        self.args.push(value.into_arg());
        self.text.push('$');
        self.text.push_str(&self.args.len().to_string());
        self
    }

    /// Appends `(v1, v2, …)` with one placeholder per value: the list of an `IN`.
    pub fn push_list<B: Bind<'q>>(&mut self, values: impl IntoIterator<Item = B>) -> &mut Self {
        self.push("(");
        for (i, value) in values.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.push_bind(value);
        }
        self.push(")")
    }

    /// Appends `VALUES (…), (…)` with one tuple per item; `row` binds the item's columns.
    pub fn push_values<I>(
        &mut self,
        items: impl IntoIterator<Item = I>,
        mut row: impl FnMut(&mut Values<'_, 'q>, I),
    ) -> &mut Self {
        self.push("VALUES ");
        for (i, item) in items.into_iter().enumerate() {
            self.push(if i == 0 { "(" } else { ", (" });
            let mut values = Values { sql: self, first: true };
            row(&mut values, item);
            self.push(")");
        }
        self
    }

    /// The SQL text as built so far.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Runs the statement; the number of rows it changed.
    pub async fn execute(self, conn: &mut impl Conn) -> Result<u64, sqlx::Error> {
        Ok(match conn.target() {
            Target::Sqlite(c) => {
                sqlite(&sqlite_text(&self.text, self.args.len()), self.args).execute(c).await?.rows_affected()
            }
            Target::Postgres(c) => postgres(&self.text, self.args).execute(c).await?.rows_affected(),
        })
    }

    /// Every row, decoded as `T`.
    pub async fn fetch_all<T: Row>(self, conn: &mut impl Conn) -> Result<Vec<T>, sqlx::Error> {
        match conn.target() {
            Target::Sqlite(c) => {
                let text = sqlite_text(&self.text, self.args.len());
                sqlite(&text, self.args).try_map(|row| T::from_row(&row)).fetch_all(c).await
            }
            Target::Postgres(c) => postgres(&self.text, self.args).try_map(|row| T::from_row(&row)).fetch_all(c).await,
        }
    }

    /// The first row, if any.
    pub async fn fetch_optional<T: Row>(self, conn: &mut impl Conn) -> Result<Option<T>, sqlx::Error> {
        match conn.target() {
            Target::Sqlite(c) => sqlite(&self.text, self.args).try_map(|row| T::from_row(&row)).fetch_optional(c).await,
            Target::Postgres(c) => {
                postgres(&self.text, self.args).try_map(|row| T::from_row(&row)).fetch_optional(c).await
            }
        }
    }

    /// The one row the statement must return.
    pub async fn fetch_one<T: Row>(self, conn: &mut impl Conn) -> Result<T, sqlx::Error> {
        self.fetch_optional(conn).await?.ok_or(sqlx::Error::RowNotFound)
    }

    /// The first column of every row.
    pub async fn scalars<T: Scalar>(self, conn: &mut impl Conn) -> Result<Vec<T>, sqlx::Error> {
        let rows: Vec<(T,)> = self.fetch_all(conn).await?;
        Ok(rows.into_iter().map(|(value,)| value).collect())
    }

    /// The first column of the first row, if any.
    pub async fn scalar_optional<T: Scalar>(self, conn: &mut impl Conn) -> Result<Option<T>, sqlx::Error> {
        let row: Option<(T,)> = self.fetch_optional(conn).await?;
        Ok(row.map(|(value,)| value))
    }

    /// The first column of the one row the statement must return.
    pub async fn scalar<T: Scalar>(self, conn: &mut impl Conn) -> Result<T, sqlx::Error> {
        self.scalar_optional(conn).await?.ok_or(sqlx::Error::RowNotFound)
    }
}

/// The columns of one tuple of [`Sql::push_values`].
pub struct Values<'s, 'q> {
    sql: &'s mut Sql<'q>,
    first: bool,
}

impl<'q> Values<'_, 'q> {
    /// Binds the tuple's next column.
    pub fn bind(&mut self, value: impl Bind<'q>) -> &mut Self {
        if !self.first {
            self.sql.push(", ");
        }
        self.first = false;
        self.sql.push_bind(value);
        self
    }

    /// Writes the tuple's next column as SQL text (a constant or an expression).
    pub fn raw(&mut self, text: &str) -> &mut Self {
        if !self.first {
            self.sql.push(", ");
        }
        self.first = false;
        self.sql.push(text);
        self
    }
}

/// Where a statement runs: a connection of one backend or the other.
pub enum Target<'c> {
    Sqlite(&'c mut sqlx::SqliteConnection),
    Postgres(&'c mut sqlx::PgConnection),
}

/// Statements with more arguments than this get anonymous placeholders on SQLite.
const MANY_ARGUMENTS: usize = 32;

/// The text to give SQLite. Binding a numbered parameter (`$7`) makes SQLite look its name up
/// in a list, so a statement of n numbered arguments costs n² to bind: 250 ms for a
/// 13,000-argument multi-row insert instead of a few. When the text numbers its `$n` exactly
/// 1, 2, 3, … in order (as every statement assembled with [`Sql::push_bind`] does), they can
/// be plain `?`s, which bind in order at no cost. Anything else (a `$1` used twice, a
/// placeholder inside a string literal) keeps its numbers.
pub(crate) fn sqlite_text(text: &str, args: usize) -> Cow<'_, str> {
    if args <= MANY_ARGUMENTS {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut expected = 1usize;
    let mut in_literal = false;
    let mut rest = text;
    while let Some(at) = rest.find(['$', '\'']) {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        if let Some(after) = tail.strip_prefix('\'') {
            in_literal = !in_literal;
            out.push('\'');
            rest = after;
            continue;
        }
        let digits = tail[1..].bytes().take_while(u8::is_ascii_digit).count();
        if in_literal || digits == 0 {
            out.push('$');
            rest = &tail[1..];
            continue;
        }
        if tail[1..=digits].parse::<usize>().ok() != Some(expected) {
            return Cow::Borrowed(text);
        }
        expected += 1;
        out.push('?');
        rest = &tail[1 + digits..];
    }
    out.push_str(rest);
    if expected - 1 == args { Cow::Owned(out) } else { Cow::Borrowed(text) }
}

/// `text` with `args` bound, for backend `DB` (both take the same argument types).
fn bound<'q, DB>(text: &'q str, args: Vec<Arg<'q>>) -> sqlx::query::Query<'q, DB, DB::Arguments<'q>>
where
    DB: sqlx::Database,
    Option<bool>: Encode<'q, DB> + Type<DB>,
    Option<i32>: Encode<'q, DB> + Type<DB>,
    Option<i64>: Encode<'q, DB> + Type<DB>,
    Option<f64>: Encode<'q, DB> + Type<DB>,
    Option<Cow<'q, str>>: Encode<'q, DB> + Type<DB>,
    &'q [u8]: Encode<'q, DB> + Type<DB>,
    Option<Vec<u8>>: Encode<'q, DB> + Type<DB>,
    Vec<u8>: Encode<'q, DB> + Type<DB>,
{
    let mut query = sqlx::query(text);
    for arg in args {
        query = match arg {
            Arg::Bool(v) => query.bind(v),
            Arg::I32(v) => query.bind(v),
            Arg::I64(v) => query.bind(v),
            Arg::F64(v) => query.bind(v),
            Arg::Text(v) => query.bind(v),
            Arg::Bytes(Some(Cow::Borrowed(v))) => query.bind(v),
            Arg::Bytes(Some(Cow::Owned(v))) => query.bind(v),
            Arg::Bytes(None) => query.bind(None::<Vec<u8>>),
        };
    }
    query
}

pub(crate) fn sqlite<'q>(text: &'q str, args: Vec<Arg<'q>>) -> sqlx::query::Query<'q, Sqlite, SqliteArguments<'q>> {
    bound(text, args)
}

pub(crate) fn postgres<'q>(text: &'q str, args: Vec<Arg<'q>>) -> sqlx::query::Query<'q, Postgres, PgArguments> {
    bound(text, args)
}

#[cfg(test)]
mod tests {
    use super::sqlite_text;

    fn numbered(n: usize) -> String {
        (1..=n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
    }

    #[test]
    fn placeholders_numbered_in_order_become_anonymous_for_sqlite() {
        let text = format!("INSERT INTO t VALUES ({}) -- '$1'", numbered(40));
        let rewritten = sqlite_text(&text, 40);
        assert_eq!(rewritten.matches('?').count(), 40);
        assert!(rewritten.ends_with("-- '$1'"), "a literal keeps its text: {rewritten}");
    }

    #[test]
    fn placeholders_used_twice_or_out_of_order_keep_their_numbers() {
        let twice = format!("SELECT {}, $1", numbered(40));
        assert_eq!(sqlite_text(&twice, 40), twice);
        let swapped = numbered(40).replacen("$1,", "$2,", 1).replacen(" $2,", " $1,", 1);
        assert_eq!(sqlite_text(&swapped, 40), swapped);
    }

    #[test]
    fn a_short_statement_is_left_alone() {
        assert_eq!(sqlite_text("SELECT $1, $2", 2), "SELECT $1, $2");
    }
}
