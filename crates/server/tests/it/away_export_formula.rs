//! The away club's spreadsheet never carries a cell that a spreadsheet program would run as a
//! formula: such a cell is exported with a leading `'`.

use crate::common::boxoffice::{bo_create, bo_post, seed_match};
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_databases! {
    async fn away_export_cells_a_spreadsheet_would_run_as_formulas_are_quoted(app: TestApp) {
        let club = seed_match(&app, "CLUB", 0).await;
        let away = |block: &str, row: &str, seat: &str| json!({ "productCode": "MATCH1", "performanceCode": "P1",
            "seatCategoryCode": "AWAY", "shipmentModeCode": "AWAYMOBILE", "block": block, "row": row, "seat": seat, "priceCents": 3000 });
        bo_create(&app, &format!("{}/files", club.org_path), &json!({ "contactId": club.contact_ids[1],
            "tickets": [away("=HYPERLINK(\"http://evil.example\")", "+1", "-2"), away("@SUM(A1)", "=3", "4")] })).await;

        let (status, text) = bo_post(&app, &format!("{}/performances/MATCH1/P1/away-export", club.org_path), &Value::Null).await;
        assert_eq!(status, StatusCode::OK);
        let Value::String(text) = text else { panic!("a CSV text: {text}") };
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let rows: Vec<Vec<String>> = reader.records().map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect();
        let cells: Vec<&str> = rows.iter().flat_map(|r| r[..3].iter().map(String::as_str)).collect();
        for expected in ["'=HYPERLINK(\"http://evil.example\")", "'+1", "'-2", "'@SUM(A1)", "'=3", "4"] {
            assert!(cells.contains(&expected), "{expected:?} not among {cells:?}");
        }
        for cell in rows.iter().flatten() {
            assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "a formula cell left as is: {cell:?}");
        }
    }
}
