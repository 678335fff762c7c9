//! Response bodies: Atom/XML unless the client accepts JSON.

use reqwest::StatusCode;

use crate::support::{client, header, login, small};

#[tokio::test]
async fn without_accept_json_the_answer_is_atom_xml() {
    let sim = exact_sim::start(small()).await.expect("sim starts");
    let c = client();
    let t = login(&sim, &c).await;
    let d = sim.division_codes()[0];
    let resp = c
        .get(format!("{}/api/v1/{d}/logistics/Units", sim.base_url()))
        .bearer_auth(&t.access)
        .send()
        .await
        .expect("answers");
    assert_eq!(resp.status(), StatusCode::OK);
    let ct = header(resp.headers(), "content-type").unwrap_or_default();
    assert!(
        ct.starts_with("application/atom+xml"),
        "Exact's default format is Atom: {ct}"
    );
    let text = resp.text().await.expect("body");
    assert!(
        text.starts_with("<?xml") && text.contains("<feed") && text.contains("<m:properties>"),
        "{text}"
    );
}
