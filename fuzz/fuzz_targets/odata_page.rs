//! A response body as the sync path reads it: `parse_raw_page` (what `Pager::next_raw_page`
//! runs on every page), checked against the full `parse_page`, then what the engine does with
//! each record (typed accessors, asset jobs) and with the page's `__next` link (the client's
//! same-origin guard, reached through `ExactClient::execute`).
//!
//! Oracles, all documented contracts of exact-api / offline-assets:
//! - `parse_raw_page` accepts and refuses exactly what `parse_page` does, with the same error;
//! - each raw record's text re-parses to the full record (every property but `__metadata`), and
//!   its `fields` are the full record's properties that the filter keeps;
//! - the asset job from the kept fields equals the job from the whole record;
//! - a `__next` link to any origin but the configured instance is refused before a request.

#![no_main]

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use exact_api::odata::{parse_page, parse_raw_page};
use exact_api::tokens::{StoreKind, TokenSet, TokenStore};
use exact_api::{
    AppCredentials, ClientConfig, Error, ExactClient, Record, RequestOptions, SystemClock,
};
use futures::FutureExt;
use libfuzzer_sys::fuzz_target;
use offline_assets::{AssetEntity, job_for};
use serde_json::{Map, Value};

const BASE: &str = "https://start.exactonline.nl";

/// What the sync engine parses of an item (`offline_sync::pipeline::read_properties`: the
/// cache's item columns, every property an asset job reads, `ID`, `Timestamp`), sorted.
const READ_PROPERTIES: [&str; 24] = [
    "Barcode",
    "Code",
    "CostPriceStandard",
    "Description",
    "ExtraDescription",
    "FileName",
    "FileSize",
    "ID",
    "IsPurchaseItem",
    "IsSalesItem",
    "IsStockItem",
    "ItemGroup",
    "ItemGroupCode",
    "ItemGroupDescription",
    "LogoFileName",
    "LogoUrl",
    "Modified",
    "PictureName",
    "PictureUrl",
    "SearchCode",
    "Stock",
    "Timestamp",
    "Unit",
    "Url",
];

fn keep_read(name: &str) -> bool {
    READ_PROPERTIES.binary_search(&name).is_ok()
}

fn keep_all(_: &str) -> bool {
    true
}

fn keep_none(_: &str) -> bool {
    false
}

/// A token store that never has tokens: the origin guard must refuse before one is asked for.
#[derive(Debug)]
struct NoTokens;

impl TokenStore for NoTokens {
    fn kind(&self) -> StoreKind {
        StoreKind::File
    }
    fn load(&self) -> exact_api::Result<Option<TokenSet>> {
        Ok(None)
    }
    fn save(&self, _: &TokenSet) -> exact_api::Result<()> {
        Ok(())
    }
    fn clear(&self) -> exact_api::Result<()> {
        Ok(())
    }
}

fn client() -> &'static ExactClient {
    static CLIENT: OnceLock<ExactClient> = OnceLock::new();
    CLIENT.get_or_init(|| {
        let app = AppCredentials {
            client_id: "fuzz".into(),
            client_secret: "fuzz".into(),
            redirect_uri: "http://127.0.0.1:47615/callback".into(),
        };
        let config = ClientConfig::new(
            BASE,
            app,
            PathBuf::from("/nonexistent/fuzz/tokens.lock"),
            Arc::new(SystemClock),
        );
        ExactClient::new(config, Arc::new(NoTokens)).expect("a client for a fixed base URL")
    })
}

/// Whether `url` is on the configured instance, written independently of the client.
fn same_origin_as_base(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| {
        u.scheme() == "https"
            && u.host_str() == Some("start.exactonline.nl")
            && u.port_or_known_default() == Some(443)
    })
}

fn check_next_link(next: &str) {
    assert!(
        !next.trim().is_empty(),
        "a blank __next means the last page"
    );
    if same_origin_as_base(next) {
        // Would go on to pacing, tokens and the network: not something to fuzz here.
        return;
    }
    let options = RequestOptions::default();
    let call = client().execute(Some(1), next, &options, "application/json", |_| async {
        Ok(())
    });
    match call.now_or_never() {
        Some(Err(Error::Download(_))) => {}
        Some(other) => {
            panic!("a __next link to another origin must be refused: {next:?} gave {other:?}")
        }
        None => panic!("a __next link to another origin must be refused before any wait: {next:?}"),
    }
}

/// Equal maps, where two floats also count as equal one rounding step apart. Without its
/// `float_roundtrip` feature serde_json may read a decimal one ulp off the nearest double, so a
/// float written back from a parse (the full-parse path of `parse_raw_page`, for shapes other
/// than `{"d":{"results":[...]}}`) can read back one ulp from the first reading:
/// `136e148` reads as 1.3600000000000001e150, written so, and that text reads as 1.36e150.
fn same_values(a: &Map<String, Value>, b: &Map<String, Value>) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|((ka, va), (kb, vb))| ka == kb && same_value(va, vb))
}

fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) if x != y => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => (x - y).abs() <= 2.0 * f64::EPSILON * x.abs().max(y.abs()),
            _ => false,
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_value(x, y))
        }
        (Value::Object(x), Value::Object(y)) => same_values(x, y),
        _ => a == b,
    }
}

fn exercise_accessors(record: &Record) {
    let names: Vec<String> = record.names().map(str::to_owned).collect();
    for name in &names {
        let _ = record.str(name);
        let _ = record.guid(name);
        let _ = record.i64(name);
        let _ = record.f64(name);
        let _ = record.bool(name);
        let _ = record.date(name);
    }
    let _ = (record.id(), record.timestamp());
}

fuzz_target!(|body: &[u8]| {
    // The filter varies with the input, so every shape is tried with each, without spending
    // input bytes on choosing it (the seed files stay real response bodies).
    let keep: &dyn Fn(&str) -> bool = match body.len() % 3 {
        0 => &keep_read,
        1 => &keep_all,
        _ => &keep_none,
    };
    let _ = exact_api::odata::error_message(body);
    let full = parse_page(body);
    let raw = parse_raw_page(body, keep);
    let (full, raw) = match (full, raw) {
        (Ok(full), Ok(raw)) => (full, raw),
        (Err(full), Err(raw)) => {
            assert_eq!(raw, full, "parse_raw_page refuses with parse_page's error");
            return;
        }
        (full, raw) => panic!(
            "parse_raw_page must accept exactly what parse_page accepts:\n full: {:?}\n raw: {:?}",
            full.map(|p| p.records.len()),
            raw.map(|p| p.records.len())
        ),
    };
    assert_eq!(raw.next, full.next, "both parsers read the same __next");
    assert_eq!(
        raw.records.len(),
        full.records.len(),
        "same number of records"
    );
    for (index, (raw, full)) in raw.records.iter().zip(&full.records).enumerate() {
        let reparsed: Map<String, Value> = serde_json::from_str(&raw.json).unwrap_or_else(|e| {
            panic!("record {index}: the kept text is JSON ({e}): {}", raw.json)
        });
        assert!(
            same_values(&reparsed, &full.0),
            "record {index}: the kept text holds every property but __metadata: {}\n\
             full parse: {:?}",
            raw.json,
            full.0
        );
        let mut kept = full.0.clone();
        kept.retain(|name, _| keep(name));
        assert_eq!(
            raw.fields.0, kept,
            "record {index}: fields are the kept properties"
        );
        exercise_accessors(&raw.fields);
        exercise_accessors(full);
        if keep("PictureUrl") {
            for entity in AssetEntity::ALL {
                assert_eq!(
                    job_for(entity, 1, &raw.fields),
                    job_for(entity, 1, full),
                    "record {index}: the asset job needs only the kept properties"
                );
            }
        }
    }
    if let Some(next) = &raw.next {
        check_next_link(next);
    }
});
