//! Packed reads (docs/interface.md#reconcile) on both backends: the database joins a window of
//! rows into one text, and what comes back must be exactly what reading the rows one by one
//! gives — every row once, NULL as empty, flags both ways, values holding a separator too.

use tixbridge_store::packed::{self, FIELD, Packed, PackedRead, ROW};
use tixbridge_store::{Backend, Db, sql, testing};

/// A fresh database of each kind this machine has (PostgreSQL when its variable is set), each
/// given to `check`.
async fn on_both(check: impl AsyncFn(&Db)) {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = Db::connect(&format!("sqlite://{}/packed.db", dir.path().display())).await.unwrap();
    check(&sqlite).await;
    if let Some(server) = testing::postgres_url() {
        let url = testing::fresh_postgres_url(&server).await.unwrap();
        let postgres = Db::connect(&url).await.unwrap();
        check(&postgres).await;
        if let Db::Postgres(p) = postgres {
            p.pool.close().await;
        }
        testing::drop_postgres_database_blocking(&url);
    }
}

/// One probe row: its label (NULL for some), a flag (NULL for some) and a group.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Probe {
    id: i64,
    label: Option<String>,
    flag: Option<bool>,
    team: i64,
}

/// A table of its own with `rows` probes; every seventh label and every fifth flag NULL,
/// ids with gaps (the key is not dense), `special` labels holding separators.
async fn probes(db: &Db, rows: i64, special: &[&str]) -> Vec<Probe> {
    let ddl = match db.backend() {
        Backend::Sqlite => {
            "CREATE TABLE probe (id INTEGER PRIMARY KEY, label TEXT, flag INTEGER, team INTEGER NOT NULL)"
        }
        Backend::Postgres => {
            "CREATE TABLE probe (id BIGINT PRIMARY KEY, label TEXT, flag BOOLEAN, team BIGINT NOT NULL)"
        }
    };
    let mut conn = db.writer().await.unwrap();
    sql(ddl).execute(&mut conn).await.unwrap();
    let mut all: Vec<Probe> = (1..=rows)
        .map(|n| Probe {
            id: n * 3 + n % 2,
            label: (n % 7 != 0).then(|| format!("label {n} é")),
            flag: (n % 5 != 0).then_some(n % 2 == 0),
            team: n % 4,
        })
        .collect();
    for (probe, text) in all.iter_mut().zip(special) {
        probe.label = Some((*text).to_owned());
    }
    for chunk in all.chunks(500) {
        let mut insert = sql("INSERT INTO probe (id, label, flag, team) ");
        insert.push_values(chunk, |row, p| {
            row.bind(p.id).bind(p.label.as_deref()).bind(p.flag).bind(p.team);
        });
        insert.execute(&mut conn).await.unwrap();
    }
    all
}

const COLUMNS: [&str; 3] = ["label", "flag", "team"];

fn read(team: Option<i64>) -> PackedRead<'static> {
    let mut filter = sql("WHERE team >= ");
    filter.push_bind(0_i64);
    if let Some(team) = team {
        filter.push(" AND team = ").push_bind(team);
    }
    PackedRead { table: "probe", columns: &COLUMNS, filter, key: "id" }
}

/// What the windows hold, by team and label, flags as read; each row once.
fn unpacked(windows: &[Packed]) -> Vec<(Option<String>, Option<bool>, i64)> {
    let mut rows: Vec<_> = windows
        .iter()
        .flat_map(|w| w.rows())
        .map(|r| (r.optional(0).map(str::to_owned), r.flag(1), r.int(2).unwrap()))
        .collect();
    rows.sort();
    rows
}

fn expected(all: &[Probe], team: Option<i64>) -> Vec<(Option<String>, Option<bool>, i64)> {
    let mut rows: Vec<_> =
        all.iter().filter(|p| team.is_none_or(|t| p.team == t)).map(|p| (p.label.clone(), p.flag, p.team)).collect();
    rows.sort();
    rows
}

#[tokio::test]
async fn windows_hold_every_row_once_with_null_as_empty_and_flags_as_stored() {
    on_both(async |db: &Db| {
        let all = probes(db, 1_000, &[]).await;
        let mut conn = db.reader().await.unwrap();
        let windows = packed::fetch_windows(&mut conn, &read(None), 64).await.unwrap();
        assert_eq!(windows.len(), 1_000_usize.div_ceil(64), "windows of at most 64 rows, none empty");
        assert!(windows.iter().all(|w| w.len() <= 64 && !w.is_empty()));
        assert_eq!(unpacked(&windows), expected(&all, None));
        let one_team = packed::fetch_windows(&mut conn, &read(Some(2)), 64).await.unwrap();
        assert_eq!(unpacked(&one_team), expected(&all, Some(2)), "the filter's own placeholders are kept");
    })
    .await;
}

#[tokio::test]
async fn one_statement_reads_the_same_rows_as_the_windows() {
    on_both(async |db: &Db| {
        let all = probes(db, 300, &[]).await;
        let mut conn = db.reader().await.unwrap();
        let whole = packed::fetch(&mut conn, &read(Some(1))).await.unwrap();
        assert_eq!(unpacked(std::slice::from_ref(&whole)), expected(&all, Some(1)));
        let none = packed::fetch(&mut conn, &read(Some(9))).await.unwrap();
        assert!(none.is_empty());
        assert!(packed::fetch_windows(&mut conn, &read(Some(9)), 64).await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn values_holding_a_separator_are_read_right_one_by_one() {
    let field = format!("a{FIELD}b");
    let row = format!("c{ROW}d");
    let both = format!("{ROW}{FIELD}{ROW}");
    on_both(async |db: &Db| {
        let all = probes(db, 200, &[&field, &row, &both]).await;
        let mut conn = db.reader().await.unwrap();
        let windows = packed::fetch_windows(&mut conn, &read(None), 50).await.unwrap();
        assert_eq!(unpacked(&windows), expected(&all, None));
        let whole = packed::fetch(&mut conn, &read(None)).await.unwrap();
        assert_eq!(unpacked(std::slice::from_ref(&whole)), expected(&all, None));
        let labels: Vec<&str> = all.iter().filter_map(|p| p.label.as_deref()).collect();
        assert!([&field, &row, &both].iter().all(|special| labels.contains(&special.as_str())));
    })
    .await;
}
