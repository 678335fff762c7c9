//! Query options: `$select` and `$filter` as Exact accepts and refuses them.

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::{api, client, error_text, login, small};

#[tokio::test]
async fn select_and_filter_rules_are_enforced() {
    let sim = exact_sim::start(small()).await.expect("sim starts");
    let c = client();
    let t = login(&sim, &c).await;
    let d = sim.division_codes()[0];
    let cases = [
        (
            format!("/api/v1/{d}/sync/Logistics/Items"),
            "Please add a $select",
        ),
        (
            format!("/api/v1/{d}/sync/Logistics/Items?$select=*"),
            "$select=* is not allowed",
        ),
        (
            format!("/api/v1/{d}/sync/Logistics/Items?$select=ID,Bogus"),
            "Could not find a property named 'Bogus'",
        ),
        (
            format!("/api/v1/{d}/sync/CRM/Accounts?$select=ID,BankAccounts"),
            "'BankAccounts' on type 'Exact.Web.Api.Models.Sync.CRM.Account' cannot be selected",
        ),
        (
            format!("/api/v1/{d}/system/Divisions?$select=Code,Class_01"),
            "'Class_01' on type",
        ),
        (
            format!("/api/v1/{d}/sync/Logistics/Items?$select=ID&$filter=Code eq 'A'"),
            "Timestamp gt",
        ),
        (
            format!("/api/v1/{d}/crm/Accounts?$select=ID"),
            "mandatory filtering",
        ),
        (
            format!("/api/v1/{d}/bulk/CRM/Accounts"),
            "Please add a $select",
        ),
        (
            format!("/api/v1/{d}/logistics/SalesItemPrices"),
            "Please add a $select",
        ),
        (
            format!("/api/v1/{d}/crm/Contacts?$filter=substringof('a',Name)"),
            "not supported",
        ),
        (
            format!("/api/v1/{d}/sync/Logistics/Items?$select=ID&$orderby=Code"),
            "not supported",
        ),
    ];
    for (url, expected) in cases {
        let resp = api(&sim, &c, &t.access, &url).await;
        assert_eq!(
            resp.status(),
            StatusCode::BAD_REQUEST,
            "{url} must be refused"
        );
        let text = error_text(resp).await;
        assert!(
            text.contains(expected),
            "{url}: expected '{expected}' in '{text}'"
        );
    }
    let deleted = api(&sim, &c, &t.access, &format!("/api/v1/{d}/sync/Deleted?$select=ID,EntityKey&$filter=Timestamp gt 1L and EntityType eq 9")).await;
    assert_eq!(
        deleted.status(),
        StatusCode::OK,
        "Deleted accepts an EntityType clause"
    );
    let filtered = api(&sim, &c, &t.access, &format!("/api/v1/{d}/crm/Accounts?$select=ID,Name&$filter=Modified ge datetime'2000-01-01T00:00:00'")).await;
    assert_eq!(
        filtered.status(),
        StatusCode::OK,
        "crm/Accounts with a Modified filter is allowed"
    );
    let body: Value = filtered.json().await.expect("JSON");
    let page = body["d"]["results"].as_array().expect("results").len();
    assert_eq!(
        page, 60,
        "regular endpoints page at 60 rows (200 accounts exist)"
    );
    let next = body["d"]["__next"]
        .as_str()
        .expect("more accounts than one page");
    assert!(
        next.contains("$skiptoken=guid'") && next.contains("$filter="),
        "regular skiptoken: {next}"
    );
}
