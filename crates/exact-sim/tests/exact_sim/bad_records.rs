//! Integration tests of the fault kinds that spoil one record inside an otherwise good page
//! (`missing_key`, `wrong_type`, `lone_surrogate`, `oversized_value`): a real exact-sim on
//! port 0, spoken to over HTTP. Each test takes a sync page once with the fault (count 1) and
//! once more after the rule is used up, and compares the two.

use exact_sim::{ADMIN_SECRET_HEADER, Sim};
use reqwest::header::HeaderMap;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use crate::support::{client, header, login, small};

const ITEMS: &str = "sync/Logistics/Items";

/// Where the spoiled record sits in a page of 1 000.
const MIDDLE: usize = 500;

async fn set_faults(sim: &Sim, c: &Client, rules: Value) {
    let resp = c
        .post(format!("{}/_sim/faults", sim.base_url()))
        .header(ADMIN_SECRET_HEADER, sim.admin_secret())
        .json(&json!({ "rules": rules }))
        .send()
        .await
        .expect("admin answers");
    assert!(
        resp.status().is_success(),
        "faults are set: {}",
        resp.status()
    );
}

async fn fault_rules(sim: &Sim, c: &Client) -> Value {
    c.get(format!("{}/_sim/faults", sim.base_url()))
        .header(ADMIN_SECRET_HEADER, sim.admin_secret())
        .send()
        .await
        .expect("admin answers")
        .json()
        .await
        .expect("admin JSON")
}

/// One answer, read whole.
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

async fn get(sim: &Sim, c: &Client, token: &str, path_and_query: &str) -> Answer {
    let resp = c
        .get(format!("{}{}", sim.base_url(), path_and_query))
        .bearer_auth(token)
        .header("Accept", "application/json")
        .send()
        .await
        .expect("API answers");
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp.bytes().await.expect("a complete body").to_vec();
    Answer {
        status,
        headers,
        body,
    }
}

/// The first sync page of items with every property.
fn items_url(sim: &Sim) -> String {
    let select = exact_fields::entity("Items")
        .expect("field list")
        .select_all("sync");
    format!(
        "/api/v1/{}/{ITEMS}?$select={select}&$filter=Timestamp gt 1L",
        sim.division_codes()[0]
    )
}

/// The page with `rule` (count 1) in force, then the same page once the rule is used up.
async fn spoiled_and_clean(rule: Value) -> (Answer, Value) {
    let sim = exact_sim::start(small()).await.expect("sim starts");
    let c = client();
    let token = login(&sim, &c).await.access;
    let url = items_url(&sim);
    let mut rule = rule;
    rule["path"] = json!(ITEMS);
    rule["count"] = json!(1);
    set_faults(&sim, &c, json!([rule])).await;
    let spoiled = get(&sim, &c, &token, &url).await;
    let clean = get(&sim, &c, &token, &url).await;
    assert_eq!(clean.status, StatusCode::OK);
    let clean_body = clean.body;
    let clean: Value = serde_json::from_slice(&clean_body).expect("the clean page is JSON");
    same_bytes_around_the_middle(&spoiled.body, &clean_body, &clean);
    assert_eq!(
        fault_rules(&sim, &c).await["rules"][0]["count"],
        0,
        "the rule fired once"
    );
    check_envelope(&spoiled);
    (spoiled, clean)
}

/// The bytes before the middle record and from the record after it on are the same in both
/// bodies.
fn same_bytes_around_the_middle(spoiled: &[u8], clean: &[u8], page: &Value) {
    let starts = |i: usize| {
        let uri =
            serde_json::to_string(&page["d"]["results"][i]["__metadata"]["uri"]).expect("a URI");
        let opening = format!(r#"{{"__metadata":{{"uri":{uri}"#);
        clean
            .windows(opening.len())
            .position(|w| w == opening.as_bytes())
            .expect("each record opens with its __metadata")
    };
    let (start, next) = (starts(MIDDLE), starts(MIDDLE + 1) - 1);
    let tail = &clean[next..];
    assert_eq!(
        &spoiled[..start],
        &clean[..start],
        "the bytes before are kept"
    );
    assert!(spoiled.ends_with(tail), "the bytes after are kept");
    assert_ne!(
        &spoiled[start..spoiled.len() - tail.len()],
        &clean[start..next]
    );
}

/// What every spoiled answer shares: 200, JSON, the rate-limit headers, a true Content-Length.
fn check_envelope(spoiled: &Answer) {
    assert_eq!(
        spoiled.status,
        StatusCode::OK,
        "a spoiled page is still a 200"
    );
    assert!(
        header(&spoiled.headers, "content-type").is_some_and(|t| t.starts_with("application/json"))
    );
    for name in [
        "X-RateLimit-Limit",
        "X-RateLimit-Remaining",
        "X-RateLimit-Minutely-Remaining",
    ] {
        assert!(
            header(&spoiled.headers, name).is_some(),
            "{name} is kept on a spoiled page"
        );
    }
    assert_eq!(
        header(&spoiled.headers, "content-length"),
        Some(spoiled.body.len().to_string()),
        "Content-Length fits the new body"
    );
}

/// Same `__next`, same number of records, and every record but the middle one equal; returns
/// (spoiled middle, clean middle).
fn only_the_middle_differs(spoiled: &Value, clean: &Value) -> (Value, Value) {
    let next = clean["d"]["__next"]
        .as_str()
        .expect("the first page has __next");
    assert_eq!(spoiled["d"]["__next"], next, "__next is unchanged");
    let clean_rows = clean["d"]["results"].as_array().expect("results");
    let spoiled_rows = spoiled["d"]["results"].as_array().expect("results");
    assert_eq!(clean_rows.len(), 1_000, "a full page");
    assert_eq!(spoiled_rows.len(), clean_rows.len(), "no record is lost");
    let differing: Vec<usize> = (0..clean_rows.len())
        .filter(|i| clean_rows[*i] != spoiled_rows[*i])
        .collect();
    assert_eq!(differing, vec![MIDDLE], "exactly the middle record differs");
    (spoiled_rows[MIDDLE].clone(), clean_rows[MIDDLE].clone())
}

/// `row` without `name`.
fn without(row: &Value, name: &str) -> Value {
    let mut row = row.clone();
    row.as_object_mut().expect("an object").remove(name);
    row
}

#[tokio::test]
async fn missing_key_drops_the_id_of_the_middle_record() {
    let (spoiled, clean) = spoiled_and_clean(json!({"kind": "missing_key"})).await;
    let spoiled: Value = serde_json::from_slice(&spoiled.body).expect("still JSON");
    let (bad, good) = only_the_middle_differs(&spoiled, &clean);
    assert!(good["ID"].is_string(), "the clean record has its ID");
    assert!(bad.get("ID").is_none(), "the spoiled one has none: {bad}");
    assert!(bad["__metadata"]["uri"].is_string(), "__metadata is kept");
    assert_eq!(bad, without(&good, "ID"), "every other member is kept");
}

#[tokio::test]
async fn wrong_type_gives_modified_a_number() {
    let (spoiled, clean) = spoiled_and_clean(json!({"kind": "wrong_type"})).await;
    let spoiled: Value = serde_json::from_slice(&spoiled.body).expect("still JSON");
    let (bad, good) = only_the_middle_differs(&spoiled, &clean);
    let modified = good["Modified"].as_str().expect("Modified is a string");
    assert!(modified.starts_with("/Date("), "{modified}");
    assert_eq!(bad["Modified"], 12345, "a date string becomes a number");
    assert_eq!(without(&bad, "Modified"), without(&good, "Modified"));
}

#[tokio::test]
async fn wrong_type_of_a_named_property_swaps_numbers_and_booleans() {
    let sim = exact_sim::start(small()).await.expect("sim starts");
    let c = client();
    let token = login(&sim, &c).await.access;
    let url = items_url(&sim);
    let clean: Value = serde_json::from_slice(&get(&sim, &c, &token, &url).await.body)
        .expect("the clean page is JSON");
    let middle = &clean["d"]["results"][MIDDLE];
    let fields = middle.as_object().expect("an object");
    let first_of = |test: fn(&Value) -> bool| {
        fields
            .iter()
            .find(|(_, v)| test(v))
            .map(|(k, _)| k.clone())
            .expect("the record has such a member")
    };
    let cases = [
        (first_of(Value::is_number), json!("not a number")),
        (first_of(Value::is_boolean), json!("maybe")),
        (first_of(Value::is_null), json!(12345)),
        ("ID".to_string(), json!(12345)),
    ];
    for (name, wrong) in cases {
        set_faults(
            &sim,
            &c,
            json!([{"path": ITEMS, "kind": "wrong_type", "property": name, "count": 1}]),
        )
        .await;
        let spoiled = get(&sim, &c, &token, &url).await;
        check_envelope(&spoiled);
        let spoiled: Value = serde_json::from_slice(&spoiled.body).expect("still JSON");
        let (bad, good) = only_the_middle_differs(&spoiled, &clean);
        assert_eq!(bad[&name], wrong, "{name} was {}", good[&name]);
        assert_eq!(without(&bad, &name), without(&good, &name));
    }
}

#[tokio::test]
async fn lone_surrogate_makes_the_page_unparsable_by_serde_json() {
    let (spoiled, clean) = spoiled_and_clean(json!({"kind": "lone_surrogate"})).await;
    let text = String::from_utf8(spoiled.body.clone()).expect("the body is UTF-8");
    assert!(
        text.contains(r#""Bad \ud800 text""#),
        "the body holds a lone high surrogate escape"
    );
    assert!(
        serde_json::from_slice::<Value>(&spoiled.body).is_err(),
        "serde_json refuses the page"
    );
    assert_eq!(text.matches(r"\ud800").count(), 1, "in one place only");
    // With the escape taken out the page parses, and only the middle record differs.
    let mended: Value = serde_json::from_str(&text.replace(r"\ud800", "<lone>"))
        .expect("the rest of the page is JSON");
    let (bad, good) = only_the_middle_differs(&mended, &clean);
    assert!(good["Description"].is_string());
    assert_eq!(bad["Description"], "Bad <lone> text");
    assert_eq!(without(&bad, "Description"), without(&good, "Description"));
}

#[tokio::test]
async fn oversized_value_makes_one_description_five_mib() {
    let (spoiled, clean) = spoiled_and_clean(json!({"kind": "oversized_value"})).await;
    assert!(
        spoiled.body.len() > 5 * 1024 * 1024,
        "the body is larger than 5 MiB: {}",
        spoiled.body.len()
    );
    let spoiled: Value = serde_json::from_slice(&spoiled.body).expect("still JSON");
    let (bad, good) = only_the_middle_differs(&spoiled, &clean);
    let huge = bad["Description"].as_str().expect("still a string");
    assert_eq!(huge.len(), 5_242_880);
    assert!(huge.bytes().all(|b| b == b'x'));
    assert_eq!(without(&bad, "Description"), without(&good, "Description"));
}

#[tokio::test]
async fn oversized_value_takes_bytes_and_property() {
    let (spoiled, clean) =
        spoiled_and_clean(json!({"kind": "oversized_value", "property": "Code", "bytes": 70_000}))
            .await;
    let spoiled: Value = serde_json::from_slice(&spoiled.body).expect("still JSON");
    let (bad, good) = only_the_middle_differs(&spoiled, &clean);
    assert_eq!(bad["Code"].as_str().map(str::len), Some(70_000));
    assert_eq!(without(&bad, "Code"), without(&good, "Code"));
}

#[tokio::test]
async fn answers_that_are_not_pages_pass_through_and_the_rule_is_used_up() {
    let sim = exact_sim::start(small()).await.expect("sim starts");
    let c = client();
    let token = login(&sim, &c).await.access;
    let division = sim.division_codes()[0];
    let page: Value = serde_json::from_slice(&get(&sim, &c, &token, &items_url(&sim)).await.body)
        .expect("page JSON");
    let id = page["d"]["results"][0]["ID"].as_str().expect("an ID");
    let one = format!("/api/v1/{division}/logistics/Items(guid'{id}')?$select=ID,Code");
    let before = get(&sim, &c, &token, &one).await;
    assert_eq!(before.status, StatusCode::OK);
    set_faults(
        &sim,
        &c,
        json!([{"path": "logistics/Items", "kind": "missing_key", "count": 1}]),
    )
    .await;
    let single = get(&sim, &c, &token, &one).await;
    assert_eq!(single.status, StatusCode::OK);
    assert_eq!(single.body, before.body, "a single entity is not a page");
    assert_eq!(
        fault_rules(&sim, &c).await["rules"][0]["count"],
        0,
        "the rule fired all the same"
    );

    set_faults(
        &sim,
        &c,
        json!([{"path": ITEMS, "kind": "wrong_type", "count": 1}]),
    )
    .await;
    let atom = c
        .get(format!("{}{}", sim.base_url(), items_url(&sim)))
        .bearer_auth(&token)
        .send()
        .await
        .expect("API answers");
    assert_eq!(atom.status(), StatusCode::OK);
    let xml = atom.text().await.expect("body");
    assert!(xml.starts_with("<?xml"), "an Atom page is left alone");
    assert!(!xml.contains("12345"));
}
