//! Files under `/docs/`: pictures need the token and placeholders do not; downloads without a
//! valid token are answered as Exact answers them (a blank 1×1 picture, a redirect to the login
//! page); the `spurious_401` fault refuses a token that stays valid; files carry validators and
//! a matching precondition is answered 304.

use exact_sim::{ADMIN_SECRET_HEADER, Sim, SimConfig};
use reqwest::header::{CONTENT_DISPOSITION, CONTENT_TYPE, LOCATION, WWW_AUTHENTICATE};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use crate::support::{Tokens, admin_get, client, login, page_all, small};

async fn start() -> Sim {
    exact_sim::start(SimConfig {
        items: 40,
        accounts: 10,
        documents: Some(6),
        attachments: Some(6),
        picture_share: 1.0,
        ..SimConfig::default()
    })
    .await
    .expect("sim starts")
}

async fn admin(sim: &Sim, c: &Client, path: &str, body: Value) {
    let response = c
        .post(format!("{}{path}", sim.base_url()))
        .header(ADMIN_SECRET_HEADER, sim.admin_secret())
        .json(&body)
        .send()
        .await
        .expect("admin answers");
    assert!(response.status().is_success(), "{path} is accepted");
}

/// The first file URL (`/docs/Sys...`) in `property` of a sync page of `path`.
/// The first item's picture URL and the first document attachment's URL.
async fn picture_and_attachment(sim: &Sim, c: &Client, access: &str) -> (String, String) {
    let picture = first_url(sim, c, access, "sync/Logistics/Items", "PictureUrl").await;
    let attachment = first_url(sim, c, access, "sync/Documents/DocumentAttachments", "Url").await;
    (picture, attachment)
}

async fn first_url(sim: &Sim, c: &Client, access: &str, path: &str, property: &str) -> String {
    let d = sim.division_codes()[0];
    let page: Value = c
        .get(format!(
            "{}/api/v1/{d}/{path}?$select=ID,{property}&$filter=Timestamp gt 1L",
            sim.base_url()
        ))
        .bearer_auth(access)
        .header("Accept", "application/json")
        .send()
        .await
        .expect("the page answers")
        .json()
        .await
        .expect("a JSON page");
    page["d"]["results"]
        .as_array()
        .expect("records")
        .iter()
        .filter_map(|r| r[property].as_str())
        .find(|u| u.contains("/docs/Sys"))
        .expect("a record with a file")
        .to_owned()
}

async fn get(c: &Client, url: &str, access: Option<&str>) -> reqwest::Response {
    let request = c.get(url);
    let request = match access {
        Some(token) => request.bearer_auth(token),
        None => request,
    };
    request.send().await.expect("the download answers")
}

/// Whether `response` is the blank 1×1 white picture.
async fn is_blank(response: reqwest::Response) -> bool {
    if response.status() != StatusCode::OK {
        return false;
    }
    let bytes = response.bytes().await.expect("a body");
    let Ok(img) = image::load_from_memory(&bytes) else {
        return false;
    };
    (img.width(), img.height()) == (1, 1) && img.to_rgb8().get_pixel(0, 0).0 == [255, 255, 255]
}

/// Checks a 302 to the login page that returns to `original`, and returns its Location.
async fn assert_login_redirect(response: reqwest::Response, original: &str) -> String {
    assert_eq!(response.status(), StatusCode::FOUND, "{original}");
    let location = response.headers()[LOCATION]
        .to_str()
        .expect("ASCII")
        .to_owned();
    assert!(
        location.starts_with("/docs/Login.aspx?ReturnUrl="),
        "Exact redirects to its login page: {location}"
    );
    let back = reqwest::Url::parse(&format!("http://h{location}"))
        .expect("a URL")
        .query_pairs()
        .find(|(k, _)| k == "ReturnUrl")
        .expect("ReturnUrl")
        .1
        .into_owned();
    let original = reqwest::Url::parse(original).expect("a URL");
    assert_eq!(
        back,
        format!(
            "{}?{}",
            original.path(),
            original.query().unwrap_or_default()
        ),
        "ReturnUrl is the request's path and query"
    );
    assert!(
        response.headers()[CONTENT_TYPE]
            .to_str()
            .expect("ASCII")
            .starts_with("text/html"),
        "the redirect carries an HTML page"
    );
    let page = response.text().await.expect("a body");
    assert!(page.contains("Object moved"), "{page}");
    location
}

#[tokio::test]
async fn downloads_without_a_valid_token_get_a_blank_picture_or_the_login_page() {
    let sim = start().await;
    let c = client();
    let Tokens { access, refresh } = login(&sim, &c).await;
    let (picture, attachment) = picture_and_attachment(&sim, &c, &access).await;

    for token in [None, Some("not-a-token")] {
        assert!(
            is_blank(get(&c, &picture, token).await).await,
            "a picture without a valid token ({token:?}) is a blank 1×1 image, not a 401"
        );
        let location = assert_login_redirect(get(&c, &attachment, token).await, &attachment).await;
        let login = get(&c, &format!("{}{location}", sim.base_url()), None).await;
        assert_eq!(
            login.status(),
            StatusCode::OK,
            "the login page itself loads"
        );
        assert!(
            login.headers()[CONTENT_TYPE]
                .to_str()
                .expect("ASCII")
                .starts_with("text/html")
        );
    }

    let real = get(&c, &picture, Some(&access)).await;
    assert!(
        !is_blank(real).await,
        "with the token the real picture comes back"
    );
    let file = get(&c, &attachment, Some(&access)).await;
    assert_eq!(file.status(), StatusCode::OK);
    assert!(
        file.headers().contains_key(CONTENT_DISPOSITION),
        "an attachment comes as an attachment"
    );

    // An expired token is no better than none.
    admin(&sim, &c, "/_sim/clock/advance", json!({"ms": 601_000})).await;
    assert!(is_blank(get(&c, &picture, Some(&access)).await).await);
    assert_login_redirect(get(&c, &attachment, Some(&access)).await, &attachment).await;
    let (fresh, _) = token(
        &sim,
        &c,
        &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
    )
    .await;
    assert!(!is_blank(get(&c, &picture, Some(&fresh)).await).await);
}

#[tokio::test]
async fn spurious_401_refuses_a_token_that_stays_valid() {
    let sim = start().await;
    let c = client();
    let access = login(&sim, &c).await.access;
    let (picture, attachment) = picture_and_attachment(&sim, &c, &access).await;
    let units = format!(
        "{}/api/v1/{}/logistics/Units?$select=ID",
        sim.base_url(),
        sim.division_codes()[0]
    );
    admin(
        &sim,
        &c,
        "/_sim/faults",
        json!({"rules": [
            {"path": "logistics/Units", "kind": "spurious_401", "count": 1},
            {"path": "SysImage", "kind": "spurious_401", "count": 1},
            {"path": "SysAttachment", "kind": "spurious_401", "count": 1}
        ]}),
    )
    .await;

    let refused = get(&c, &units, Some(&access)).await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert!(
        refused.headers().contains_key(WWW_AUTHENTICATE),
        "refused like a revoked token"
    );
    assert_eq!(
        get(&c, &units, Some(&access)).await.status(),
        StatusCode::OK,
        "the token was not revoked"
    );

    assert!(
        is_blank(get(&c, &picture, Some(&access)).await).await,
        "a refused picture download is the blank image, as without a token"
    );
    assert!(!is_blank(get(&c, &picture, Some(&access)).await).await);

    assert_login_redirect(get(&c, &attachment, Some(&access)).await, &attachment).await;
    assert_eq!(
        get(&c, &attachment, Some(&access)).await.status(),
        StatusCode::OK,
        "the next download with the same token gets the file"
    );
}

async fn stats(sim: &Sim, c: &Client) -> Value {
    c.get(format!("{}/_sim/stats", sim.base_url()))
        .header(ADMIN_SECRET_HEADER, sim.admin_secret())
        .send()
        .await
        .expect("stats answer")
        .json()
        .await
        .expect("JSON stats")
}

/// A GET with the token and the given request headers.
async fn get_with(
    c: &Client,
    url: &str,
    access: &str,
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let mut request = c.get(url).bearer_auth(access);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.expect("the download answers")
}

fn header<'r>(response: &'r reqwest::Response, name: &str) -> Option<&'r str> {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().expect("ASCII"))
}

/// Checks a bodiless 304 that repeats `etag`.
async fn assert_not_modified(response: reqwest::Response, etag: &str, what: &str) {
    assert_eq!(response.status(), StatusCode::NOT_MODIFIED, "{what}");
    assert_eq!(
        header(&response, "etag"),
        Some(etag),
        "{what}: the 304 repeats the ETag"
    );
    assert!(
        header(&response, "content-length").is_none()
            && header(&response, "content-type").is_none(),
        "{what}: a 304 describes no body of its own: {:?}",
        response.headers()
    );
    assert!(
        response.bytes().await.expect("an answer").is_empty(),
        "{what}: no body"
    );
}

#[tokio::test]
async fn files_carry_an_etag_and_matching_preconditions_are_answered_304() {
    let sim = start().await;
    let c = client();
    let access = login(&sim, &c).await.access;
    let (picture, attachment) = picture_and_attachment(&sim, &c, &access).await;
    let before = stats(&sim, &c).await;

    let mut served = 0;
    for url in [&picture, &attachment] {
        let full = get_with(&c, url, &access, &[]).await;
        assert_eq!(full.status(), StatusCode::OK);
        let etag = header(&full, "etag").expect("an ETag").to_owned();
        assert!(
            header(&full, "last-modified").is_none(),
            "a generated file has no modification time: none is made up"
        );
        let bytes = full.bytes().await.expect("the file");
        served += bytes.len() as u64;
        assert_eq!(
            etag,
            exact_sim::docs::etag_of(&bytes),
            "a strong ETag of the bytes"
        );

        for tags in [etag.clone(), format!("\"other\", W/{etag}"), "*".into()] {
            let answer = get_with(&c, url, &access, &[("If-None-Match", &tags)]).await;
            assert_not_modified(answer, &etag, &tags).await;
        }
        let changed = get_with(&c, url, &access, &[("If-None-Match", "\"other\"")]).await;
        assert_eq!(
            changed.status(),
            StatusCode::OK,
            "another ETag gets the file"
        );
        served += changed.bytes().await.expect("the file").len() as u64;
        let dated = get_with(
            &c,
            url,
            &access,
            &[("If-Modified-Since", "Fri, 01 Jan 2100 00:00:00 GMT")],
        )
        .await;
        assert_eq!(
            dated.status(),
            StatusCode::OK,
            "without a Last-Modified, If-Modified-Since cannot hold the file"
        );
        served += dated.bytes().await.expect("the file").len() as u64;
    }
    let after = stats(&sim, &c).await;
    let delta = |path: &[&str]| {
        let value = |v: &Value| path.iter().fold(v, |v, k| &v[*k]).as_u64().unwrap_or(0);
        value(&after) - value(&before)
    };
    assert_eq!(delta(&["by_status", "304"]), 6);
    assert_eq!(delta(&["download_bytes"]), served, "a 304 sends no bytes");

    // Without a valid token the answer is Exact's refusal, never a 304 for the stale copy.
    let refused = c
        .get(&picture)
        .header("If-None-Match", "*")
        .send()
        .await
        .expect("an answer");
    assert!(is_blank(refused).await);
}

#[tokio::test]
async fn a_picture_replaced_at_the_same_url_has_a_new_etag_and_a_last_modified() {
    let sim = start().await;
    let c = client();
    let access = login(&sim, &c).await.access;
    let picture = first_url(&sim, &c, &access, "sync/Logistics/Items", "PictureUrl").await;
    let first = get_with(&c, &picture, &access, &[]).await;
    let old_tag = header(&first, "etag").expect("an ETag").to_owned();
    let old_bytes = first.bytes().await.expect("the file");

    assert!(sim.replace_picture(&picture));
    assert!(!sim.replace_picture(&format!("{}/docs/SysImage.aspx?ID=nothing", sim.base_url())));
    let replaced = get_with(&c, &picture, &access, &[("If-None-Match", &old_tag)]).await;
    assert_eq!(
        replaced.status(),
        StatusCode::OK,
        "the old ETag no longer matches"
    );
    let new_tag = header(&replaced, "etag").expect("an ETag").to_owned();
    let modified = header(&replaced, "last-modified")
        .expect("the simulator knows when the picture changed")
        .to_owned();
    let new_bytes = replaced.bytes().await.expect("the file");
    assert_ne!(new_bytes, old_bytes);
    assert_ne!(new_tag, old_tag);
    let size = |bytes: &[u8]| {
        let decoded = image::load_from_memory(bytes).expect("a picture");
        (decoded.width(), decoded.height())
    };
    assert_eq!(
        size(&new_bytes),
        size(&old_bytes),
        "same size, other content"
    );

    // If-Modified-Since alone: not before Last-Modified → 304; a second earlier → the file.
    let since = get_with(&c, &picture, &access, &[("If-Modified-Since", &modified)]).await;
    assert_not_modified(since, &new_tag, "If-Modified-Since = Last-Modified").await;
    let earlier = chrono::DateTime::parse_from_rfc2822(&modified).expect("an HTTP date")
        - chrono::Duration::seconds(1);
    let earlier = earlier.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    let older = get_with(&c, &picture, &access, &[("If-Modified-Since", &earlier)]).await;
    assert_eq!(older.status(), StatusCode::OK);
    // If-None-Match decides when both are sent (RFC 9110 §13.2.2).
    let both = get_with(
        &c,
        &picture,
        &access,
        &[
            ("If-None-Match", &old_tag),
            ("If-Modified-Since", &modified),
        ],
    )
    .await;
    assert_eq!(
        both.status(),
        StatusCode::OK,
        "a stale ETag wins over a fresh date"
    );
}

/// The access and refresh token the token endpoint answers to `grant`.
async fn token(sim: &Sim, c: &Client, grant: &[(&str, &str)]) -> (String, String) {
    let app = sim.app_registration();
    let mut form = vec![
        ("client_id", app.client_id.as_str()),
        ("client_secret", app.client_secret.as_str()),
    ];
    form.extend_from_slice(grant);
    let body: Value = c
        .post(format!("{}/api/oauth2/token", sim.base_url()))
        .form(&form)
        .send()
        .await
        .expect("token endpoint answers")
        .json()
        .await
        .expect("a JSON token answer");
    let field = |name: &str| body[name].as_str().expect("a token").to_owned();
    (field("access_token"), field("refresh_token"))
}

#[tokio::test]
async fn pictures_need_the_token_and_placeholders_do_not() {
    let sim = exact_sim::start(small()).await.expect("sim starts");
    let c = client();
    let t = login(&sim, &c).await;
    let d = sim.division_codes()[0];
    let (rows, _) = page_all(
        &sim,
        &c,
        &t.access,
        &format!("/api/v1/{d}/sync/Logistics/Items?$select=ID,PictureUrl"),
    )
    .await;
    let urls: Vec<&str> = rows
        .iter()
        .filter_map(|r| r["PictureUrl"].as_str())
        .collect();
    let real = urls
        .iter()
        .find(|u| u.contains("SysImage.aspx"))
        .expect("some items have pictures");
    let placeholder = urls
        .iter()
        .find(|u| u.contains("placeholder"))
        .expect("some items have none");
    assert!(
        placeholder.contains("//docs/images/"),
        "placeholders keep Exact's double slash: {placeholder}"
    );

    let anonymous = c.get(*real).send().await.expect("answers");
    assert_eq!(
        anonymous.status(),
        StatusCode::OK,
        "no token still answers 200"
    );
    let blank = anonymous.bytes().await.expect("bytes");
    let img = image::load_from_memory(&blank).expect("the blank answer is an image");
    assert_eq!(
        (img.width(), img.height()),
        (1, 1),
        "without a token Exact sends a 1×1 image"
    );

    let with_token = c
        .get(*real)
        .bearer_auth(&t.access)
        .send()
        .await
        .expect("answers");
    assert_eq!(with_token.status(), StatusCode::OK);
    let bytes = with_token.bytes().await.expect("bytes");
    let img = image::load_from_memory(&bytes).expect("the real picture decodes");
    assert!(
        img.width() > 1 && img.height() > 1,
        "with the token the real picture comes back"
    );

    let ph = c.get(*placeholder).send().await.expect("answers");
    assert_eq!(ph.status(), StatusCode::OK, "placeholders need no token");
    image::load_from_memory(&ph.bytes().await.expect("bytes"))
        .expect("the placeholder is an image");

    let stats = admin_get(&sim, &c, "/_sim/stats").await;
    assert_eq!(
        stats["downloads"], 2,
        "picture downloads are counted: {stats}"
    );
}
