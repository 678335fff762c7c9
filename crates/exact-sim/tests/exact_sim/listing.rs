//! Sync paging: every row once, with every property, equal to the simulator's dump.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::support::{admin_get, api, client, login, page_all, select_all, small};

#[tokio::test]
async fn sync_paging_returns_every_row_once_with_every_property_and_matches_dump() {
    let sim = exact_sim::start(small()).await.expect("sim starts");
    let c = client();
    let t = login(&sim, &c).await;
    let division = sim.division_codes()[0];
    let select = select_all("Items", "sync");
    let first =
        format!("/api/v1/{division}/sync/Logistics/Items?$select={select}&$filter=Timestamp gt 1L");
    let (rows, urls) = page_all(&sim, &c, &t.access, &first).await;
    assert_eq!(urls.len(), 3, "2 500 rows at 1 000 a page are three pages");
    for next in &urls[1..] {
        assert!(
            next.starts_with(sim.base_url()),
            "__next is absolute: {next}"
        );
        assert!(
            next.contains("$skiptoken=") && next.ends_with('L'),
            "sync skiptoken is <ts>L: {next}"
        );
        assert!(
            next.contains("$select=Timestamp,") && next.contains("$filter="),
            "select/filter kept: {next}"
        );
    }
    let names: Vec<&str> = select.split(',').collect();
    let mut ids = BTreeSet::new();
    let mut last_ts = i64::MIN;
    for row in &rows {
        let obj = row.as_object().expect("rows are objects");
        let keys: Vec<&str> = obj
            .keys()
            .map(String::as_str)
            .filter(|k| *k != "__metadata")
            .collect();
        let mut expected = names.clone();
        expected.sort_unstable();
        let mut got = keys.clone();
        got.sort_unstable();
        assert_eq!(
            got, expected,
            "a row carries exactly the selected properties"
        );
        assert!(obj["__metadata"]["uri"].is_string() && obj["__metadata"]["type"].is_string());
        let ts = obj["Timestamp"].as_i64().expect("Timestamp is a number");
        assert!(ts > last_ts, "rows ascend by Timestamp");
        last_ts = ts;
        assert!(
            ids.insert(obj["ID"].as_str().expect("ID").to_string()),
            "no row appears twice"
        );
    }
    assert_eq!(rows.len(), 2_500, "every generated item is delivered");

    let dump = admin_get(
        &sim,
        &c,
        &format!("/_sim/dump?division={division}&entity=Items"),
    )
    .await;
    let dump = dump.as_array().expect("dump is an array");
    assert_eq!(dump.len(), rows.len(), "dump and paging see the same rows");
    let by_id: BTreeMap<&str, &Value> = rows
        .iter()
        .map(|r| (r["ID"].as_str().expect("ID"), r))
        .collect();
    for record in dump {
        let id = record["ID"].as_str().expect("dump ID");
        let row = by_id
            .get(id)
            .unwrap_or_else(|| panic!("dumped item {id} must be paged"));
        for name in &names {
            assert_eq!(
                record.get(*name).unwrap_or(&Value::Null),
                &row[*name],
                "{id}.{name} differs"
            );
        }
    }

    let key = format!(
        "/api/v1/{division}/logistics/Items(guid'{}')?$select=ID,Code",
        rows[0]["ID"].as_str().expect("ID")
    );
    let one: Value = api(&sim, &c, &t.access, &key)
        .await
        .json()
        .await
        .expect("entity JSON");
    assert_eq!(
        one["d"]["ID"], rows[0]["ID"],
        "key access returns {{\"d\":{{..}}}} of that item"
    );
}
