//! The whole sign-in: authorize URL, the loopback redirect, the code exchanged for tokens.

use std::sync::Arc;

use exact_api::{
    AppCredentials, ClientConfig, ExactClient, FileTokenStore, Loopback, Record, TokenStore,
};
use exact_sim::{AppRegistration, SimConfig};

use crate::support::{app, client_for, clock_of, credentials, http_for};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_sign_in_through_the_loopback_redirect() {
    let lb = Loopback::bind("http://127.0.0.1:0/callback").await.unwrap();
    let redirect = format!("http://127.0.0.1:{}/callback", lb.port().unwrap());
    let reg = AppRegistration {
        redirect_uri: redirect.clone(),
        ..app()
    };
    let sim = exact_sim::start(SimConfig {
        items: 10,
        app: reg.clone(),
        ..Default::default()
    })
    .await
    .unwrap();
    let http = http_for(&sim);
    let dir = tempfile::tempdir().unwrap();
    let clock = clock_of(&http, sim.base_url()).await;
    let client = client_for(sim.base_url(), &reg, &dir, &clock);
    let waiting = tokio::spawn(async move { lb.receive_code("xyz").await });
    // The "browser": Exact redirects to the loopback URI, which the browser then opens.
    let response = http
        .get(client.authorize_url("xyz", true))
        .send()
        .await
        .unwrap();
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with(&redirect),
        "Exact redirects to the registered URI: {location}"
    );
    let page = http
        .get(&location)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Signed in"));
    let code = waiting.await.unwrap().unwrap();
    let status = client.session().sign_in_with_code(&code).await.unwrap();
    assert!(status.refresh_expires_at_ms > status.access_expires_at_ms);
    let me = client.me().await.unwrap();
    assert!(
        me.i64("CurrentDivision").is_some(),
        "Me names the current division"
    );
    let divisions = client
        .divisions(me.i64("CurrentDivision").unwrap() as i32)
        .await
        .unwrap();
    assert_eq!(divisions.len(), sim.division_codes().len());
    // The two calls that start every run ask only for what the app uses.
    let names = |r: &Record| -> Vec<String> {
        let mut names: Vec<String> = r.names().map(str::to_owned).collect();
        names.sort();
        names
    };
    assert_eq!(names(&me).join(","), exact_api::ME_SELECT);
    assert_eq!(names(&divisions[0]).join(","), exact_api::DIVISIONS_SELECT);
    // The code is single use.
    assert!(
        client.session().sign_in_with_code(&code).await.is_err(),
        "a code works once"
    );

    // A wrong redirect URI is refused by the authorize endpoint.
    let wrong = AppCredentials {
        redirect_uri: "http://127.0.0.1:9/elsewhere".into(),
        ..credentials(&reg)
    };
    let store: Arc<dyn TokenStore> = Arc::new(FileTokenStore::new(dir.path().join("t2.json")));
    let bad = ExactClient::new(
        ClientConfig::new(
            sim.base_url(),
            wrong,
            dir.path().join("l2"),
            Arc::new(clock),
        ),
        store,
    )
    .unwrap();
    let refused = http
        .get(bad.authorize_url("s", false))
        .send()
        .await
        .unwrap();
    assert_eq!(
        refused.status().as_u16(),
        400,
        "a redirect URI that differs from the registered one is refused"
    );
}
