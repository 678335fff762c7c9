//! Exact's cap on the size of an answer: a page whose serialized body is over the cap gets the
//! failure the simulator guesses Exact sends (a 500 with Exact's error body), and the same read
//! with fewer properties or fewer rows fits. A real exact-sim on port 0, spoken to over HTTP.

use exact_sim::{ADMIN_SECRET_HEADER, Sim, SimConfig};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use crate::support::{client, login};

const ITEMS: &str = "sync/Logistics/Items";

/// Far below a 1 000-item page with every property (about 3 MB), far above one with three.
const CAP: u64 = 1_000_000;

async fn get(sim: &Sim, c: &Client, token: &str, query: &str) -> reqwest::Response {
    let division = sim.division_codes()[0];
    c.get(format!(
        "{}/api/v1/{division}/{ITEMS}?$filter=Timestamp%20gt%201L&{query}",
        sim.base_url()
    ))
    .bearer_auth(token)
    .header("Accept", "application/json")
    .send()
    .await
    .expect("the simulator answers")
}

/// The status, the rate-limit header and the body of an answer.
async fn read(response: reqwest::Response) -> (StatusCode, Option<String>, Value) {
    let status = response.status();
    let remaining = response
        .headers()
        .get("X-RateLimit-Minutely-Remaining")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = response.json().await.expect("a JSON body");
    (status, remaining, body)
}

fn assert_too_large(status: StatusCode, remaining: Option<String>, body: &Value, why: &str) {
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{why}: {body}");
    assert_eq!(
        body["error"]["message"]["value"],
        exact_sim::response_cap::TOO_LARGE_TEXT,
        "{why}: Exact's OData error envelope with the guessed message"
    );
    assert_eq!(body["error"]["code"], "", "{why}: the envelope's shape");
    assert!(
        remaining.is_some(),
        "{why}: the call was charged and says so"
    );
}

fn rows(body: &Value) -> usize {
    body["d"]["results"].as_array().map_or(0, Vec::len)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_over_the_cap_fails_and_fits_with_fewer_properties_or_rows() {
    let sim = exact_sim::start(SimConfig {
        items: 1_500,
        accounts: 50,
        response_cap: CAP,
        ..SimConfig::default()
    })
    .await
    .expect("the simulator starts");
    let c = client();
    let token = login(&sim, &c).await.access;
    let every = exact_fields::entity("Items")
        .expect("the item field list")
        .select_all("sync");

    let (status, remaining, body) =
        read(get(&sim, &c, &token, &format!("$select={every}")).await).await;
    assert_too_large(status, remaining, &body, "1 000 items with every property");

    let (status, _, body) = read(get(&sim, &c, &token, "$select=ID,Timestamp,Code").await).await;
    assert_eq!(status, StatusCode::OK, "a narrower $select fits: {body}");
    assert_eq!(rows(&body), 1_000, "the same rows");
    assert!(
        body["d"]["__next"].is_string(),
        "and the same paging: a next page follows"
    );

    let (status, _, body) =
        read(get(&sim, &c, &token, &format!("$select={every}&$top=100")).await).await;
    assert_eq!(status, StatusCode::OK, "a smaller $top fits: {body}");
    assert_eq!(rows(&body), 100);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_response_cap_fault_caps_matching_calls_until_it_is_cleared() {
    let sim = exact_sim::start(SimConfig {
        items: 1_500,
        accounts: 50,
        ..SimConfig::default()
    })
    .await
    .expect("the simulator starts");
    let c = client();
    let token = login(&sim, &c).await.access;
    let every = exact_fields::entity("Items")
        .expect("the item field list")
        .select_all("sync");
    let full = format!("$select={every}");

    let (status, _, _) = read(get(&sim, &c, &token, &full).await).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "under the default 38 MB cap it fits"
    );

    let set = |rules: Value| {
        c.post(format!("{}/_sim/faults", sim.base_url()))
            .header(ADMIN_SECRET_HEADER, sim.admin_secret())
            .json(&json!({ "rules": rules }))
            .send()
    };
    let accepted = set(json!([{"path": ITEMS, "kind": "response_cap", "bytes": CAP}]))
        .await
        .expect("admin answers");
    assert!(accepted.status().is_success());
    let (status, remaining, body) = read(get(&sim, &c, &token, &full).await).await;
    assert_too_large(status, remaining, &body, "the fault's lower cap");
    let (status, _, _) = read(get(&sim, &c, &token, "$select=ID,Timestamp").await).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "fewer properties pass the fault's cap"
    );

    let cleared = set(json!([])).await.expect("admin answers");
    assert!(cleared.status().is_success());
    let (status, _, body) = read(get(&sim, &c, &token, &full).await).await;
    assert_eq!(status, StatusCode::OK, "the cap is lifted: {body}");
    assert_eq!(rows(&body), 1_000);
}
