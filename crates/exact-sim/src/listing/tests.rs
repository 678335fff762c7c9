//! The JSON hot path of sync paging against the `Record` path it replaces: byte-equal bodies.

use serde_json::json;

use super::*;
use crate::catalog::ENDPOINTS;
use crate::data::{DeleteSpec, Mutation, UpdateSpec};
use crate::{App, SimConfig};

fn ctx<'a>(app: &'a App, path: &'a str, query: &str, lang: Option<&str>) -> Ctx<'a> {
    let rest = path.splitn(5, '/').nth(4).expect("/api/v1/{division}/...");
    let (def, key) = crate::catalog::find(rest).expect("known endpoint");
    Ctx {
        app,
        division: app.divisions[0],
        def,
        key,
        query: odata::parse_query(Some(query)).expect("valid query"),
        path,
        lang: lang.map(str::to_string),
        format: Format::Json,
        updated: "2024-07-01T12:00:00Z".into(),
    }
}

/// Pages through one endpoint on both paths, comparing every body; returns the rows seen.
fn compare_pages(app: &App, path: &str, query: &str, lang: Option<&str>) -> usize {
    let mut skiptoken: Option<String> = None;
    let mut rows = 0;
    loop {
        let q = match &skiptoken {
            Some(t) => format!("{query}&$skiptoken={t}"),
            None => query.to_string(),
        };
        let ctx = ctx(app, path, &q, lang);
        let page = sync_page(&ctx).expect("valid sync request");
        let entity = ctx.def.entity.expect("sync entity");
        let fast = sync_json::body(&ctx, entity, &page);
        let slow = sync_records(&ctx, &page);
        let (fast, slow) = (
            String::from_utf8(fast.bytes).expect("utf-8"),
            String::from_utf8(slow.bytes).expect("utf-8"),
        );
        assert_eq!(fast, slow, "{path}?{q} {lang:?}: same body on both paths");
        let body: Value = serde_json::from_str(&fast).expect("valid JSON");
        rows += body["d"]["results"].as_array().expect("results").len();
        match body["d"]["__next"].as_str() {
            Some(next) => {
                let t = next
                    .split("$skiptoken=")
                    .nth(1)
                    .expect("skiptoken in __next");
                skiptoken = Some(t.to_string());
            }
            None => return rows,
        }
    }
}

fn mutate_all(app: &App, now: i64) {
    let mut data = app.data_mut();
    let div = app.divisions[0];
    for e in ENDPOINTS
        .iter()
        .filter(|d| d.family == Family::Sync)
        .filter_map(|d| d.entity)
    {
        let id = data.sync_after(div, e, 0, 2, None)[1]["ID"]
            .as_str()
            .expect("ID")
            .to_string();
        let explicit: Mutation = serde_json::from_value(json!({
            "insert": 2,
            "update": [{"ID": id, "Description": "Nieuw <\"&\">\n", "Unknown": 1}],
        }))
        .expect("mutation");
        data.mutate(div, e, &explicit, now)
            .expect("explicit mutation");
        let counted = Mutation {
            insert: 1,
            update: UpdateSpec::Count(2),
            delete: DeleteSpec::Count(2),
        };
        data.mutate(div, e, &counted, now + 1)
            .expect("counted mutation");
    }
}

#[tokio::test]
async fn json_sync_pages_equal_the_record_path() {
    let sim = crate::start(SimConfig {
        items: 1_300,
        accounts: 150,
        ..SimConfig::default()
    })
    .await
    .expect("simulator");
    let app = &sim.app;
    let div = app.divisions[0];
    for round in ["base", "mutated"] {
        if round == "mutated" {
            mutate_all(app, app.now_ms());
        }
        for def in ENDPOINTS.iter().filter(|d| d.family == Family::Sync) {
            let path = format!("/api/v1/{div}/{}", def.path);
            // Only plain properties can be selected (a navigation property is refused).
            let names: Vec<String> = def
                .properties(None)
                .into_iter()
                .filter(|(_, kind)| kind.as_deref().is_some_and(is_plain_kind))
                .map(|(n, _)| n)
                .collect();
            let all = names.join(",");
            // A subset in another order than the field list.
            let some: Vec<&str> = names.iter().rev().step_by(3).map(String::as_str).collect();
            let queries = [
                format!("$select={all}"),
                format!("$select={}&$top=1100", some.join(",")),
                format!("$select={all}&$filter=Timestamp gt 5&$inlinecount=allpages"),
            ];
            for (i, query) in queries.iter().enumerate() {
                // CustomDescriptionLanguage changes descriptions, not the shape: one query suffices.
                let langs: &[Option<&str>] = if i == 0 {
                    &[None, Some("EN"), Some("FR")]
                } else {
                    &[None]
                };
                for &lang in langs {
                    let rows = compare_pages(app, &path, query, lang);
                    assert!(rows > 0, "{path}?{query}: rows to compare");
                }
            }
        }
    }
}

#[test]
fn sync_field_lists_have_navigation_properties_to_compare() {
    let navigation = ENDPOINTS
        .iter()
        .filter(|d| d.family == Family::Sync)
        .flat_map(|d| d.properties(None))
        .filter(|(_, kind)| kind.is_none())
        .count();
    assert!(
        navigation > 0,
        "the byte comparison covers __deferred links"
    );
}
