#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns
//! Exporting a filtered list of 100 000 items: every matching row, in the list's order, with the
//! chosen columns, as CSV and as XLSX, with progress reported along the way; and a list
//! written with "Values as shown" rules.

use calamine::{Data, Reader, Xlsx, open_workbook};
use exact_api::Record;
use exact_offline::table_export::{ListQuery, ShownValues, TableFormat, ValueRule, export_list};
use exact_sim::data::{DataConfig, Dataset, Entity as SimEntity};
use offline_cache::{Cache, Entity, ItemQuery};

const ITEMS: usize = 100_000;

fn cache_with_items(dir: &std::path::Path, items: usize) -> (Cache, i32) {
    let ds = Dataset::new(DataConfig {
        seed: 11,
        divisions: 1,
        items,
        accounts: 10,
        contacts: None,
        addresses: None,
        documents: None,
        attachments: None,
        prices: None,
        orders: None,
        picture_share: 0.0,
        base_url: "https://start.exactonline.nl".into(),
        origin_ms: 1_750_000_000_000,
    });
    let division = ds.division_codes()[0];
    let cache = Cache::open(&dir.join("cache.sqlite")).unwrap();
    let now = chrono::Utc::now().timestamp_millis();
    let mut after = 0;
    loop {
        let page: Vec<Record> = ds
            .sync_after(division, SimEntity::Items, after, 5_000, None)
            .into_iter()
            .map(Record)
            .collect();
        let Some(last) = page.iter().filter_map(Record::timestamp).max() else {
            break;
        };
        cache
            .apply_upserts(division, Entity::Items, &page, Some(last), None, now)
            .unwrap();
        after = last;
    }
    assert_eq!(cache.count(division, Entity::Items).unwrap(), items as u64);
    (cache, division)
}

/// The codes of the list the app shows for `q`, every page.
fn listed_codes(cache: &Cache, q: &ItemQuery) -> Vec<String> {
    let mut codes = Vec::new();
    loop {
        let page = cache
            .items(&ItemQuery {
                offset: codes.len() as u64,
                limit: 1000,
                ..q.clone()
            })
            .unwrap();
        if page.rows.is_empty() {
            return codes;
        }
        codes.extend(page.rows.into_iter().map(|r| r.code.unwrap_or_default()));
    }
}

#[test]
fn a_filtered_list_of_100_000_items_exports_whole_and_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let (cache, division) = cache_with_items(dir.path(), ITEMS);
    let query = ItemQuery {
        division,
        in_stock: Some(true),
        sort: offline_cache::ItemSort::Description,
        ..ItemQuery::default()
    };
    let expected = listed_codes(&cache, &query);
    assert!(
        expected.len() > 1000 && expected.len() < ITEMS,
        "the filter keeps some items: {}",
        expected.len()
    );
    let columns: Vec<String> = ["Code", "Description", "Stock", "Modified"]
        .map(String::from)
        .to_vec();

    // CSV: a header, then exactly the listed items, with progress up to the total.
    let csv_path = dir.path().join("items.csv");
    let mut progress = Vec::new();
    let rows = export_list(
        &cache,
        &ListQuery::Items(query.clone()),
        &columns,
        &ShownValues::default(),
        TableFormat::Csv,
        &csv_path,
        &mut |done, total| progress.push((done, total)),
    )
    .unwrap();
    assert_eq!(rows, expected.len() as u64);
    let total = expected.len() as u64;
    assert!(
        progress.len() >= (total / 1000) as usize,
        "{} progress calls",
        progress.len()
    );
    assert!(progress.iter().all(|&(_, t)| t == total));
    assert!(
        progress.windows(2).all(|w| w[0].0 < w[1].0),
        "progress only grows"
    );
    assert_eq!(progress.last(), Some(&(total, total)));
    let mut reader = csv::Reader::from_path(&csv_path).unwrap();
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        ["Code", "Description", "Stock", "Modified"]
    );
    let mut codes = Vec::new();
    for record in reader.records() {
        let record = record.unwrap();
        let stock: f64 = record[2].parse().unwrap();
        assert!(stock > 0.0, "only items in stock: {record:?}");
        assert!(
            record[3].len() == 10 || record[3].len() == 16,
            "dates read as dates: {}",
            &record[3]
        );
        codes.push(record[0].to_owned());
    }
    assert_eq!(codes, expected, "the CSV holds the list, in its order");

    // XLSX: the same rows, numbers as numbers.
    let xlsx_path = dir.path().join("items.xlsx");
    let rows = export_list(
        &cache,
        &ListQuery::Items(query),
        &columns,
        &ShownValues::default(),
        TableFormat::Xlsx,
        &xlsx_path,
        &mut |_, _| {},
    )
    .unwrap();
    assert_eq!(rows, expected.len() as u64);
    let mut workbook: Xlsx<_> = open_workbook(&xlsx_path).unwrap();
    let sheet = workbook.worksheet_range_at(0).unwrap().unwrap();
    let mut sheet_rows = sheet.rows();
    assert_eq!(
        sheet_rows.next().unwrap()[0],
        Data::String("Code".into()),
        "a header row"
    );
    let mut xlsx_codes = Vec::new();
    for row in sheet_rows {
        assert!(matches!(row[2], Data::Float(f) if f > 0.0), "{row:?}");
        xlsx_codes.push(row[0].to_string());
    }
    assert_eq!(
        xlsx_codes, expected,
        "the XLSX holds the list, in its order"
    );
}

#[test]
fn an_export_without_columns_is_refused_and_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(&dir.path().join("cache.sqlite")).unwrap();
    let path = dir.path().join("x.csv");
    let err = export_list(
        &cache,
        &ListQuery::Items(ItemQuery::default()),
        &[" ".to_owned()],
        &ShownValues::default(),
        TableFormat::Csv,
        &path,
        &mut |_, _| {},
    )
    .unwrap_err();
    assert!(err.to_string().contains("at least one column"), "{err}");
    assert!(!path.exists());
}

/// A record's property as trimmed text.
fn text(record: &serde_json::Value, name: &str) -> String {
    record[name].as_str().unwrap_or_default().trim().to_owned()
}

#[test]
fn values_as_shown_follow_the_rules_and_keep_exacts_headers() {
    let dir = tempfile::tempdir().unwrap();
    let (cache, division) = cache_with_items(dir.path(), 300);
    let query = ItemQuery {
        division,
        ..ItemQuery::default()
    };
    let mut records = Vec::new();
    cache
        .export_items(&query, &mut |_, json| {
            records.push(serde_json::from_str::<serde_json::Value>(json).unwrap());
            Ok(())
        })
        .unwrap();
    let columns: Vec<String> = ["Code", "ItemGroup", "Unit", "UnitType", "IsSalesItem"]
        .map(String::from)
        .to_vec();
    let labels = [("W", "Gewicht"), ("L", "Lengte"), ("O", "Overig")]
        .map(|(c, l)| (c.to_owned(), l.to_owned()))
        .into_iter()
        .collect();
    let shown = ShownValues::new([
        (
            "ItemGroup".to_owned(),
            ValueRule::Reference {
                code: Some("ItemGroupCode".into()),
                description: Some("ItemGroupDescription".into()),
            },
        ),
        (
            "Unit".to_owned(),
            ValueRule::Reference {
                code: None,
                description: Some("UnitDescription".into()),
            },
        ),
        (
            "UnitType".to_owned(),
            ValueRule::codes(labels, false).unwrap(),
        ),
        (
            "IsSalesItem".to_owned(),
            ValueRule::Flag {
                yes: "Ja".into(),
                no: "Nee".into(),
            },
        ),
    ])
    .unwrap();
    let path = dir.path().join("shown.csv");
    let rows = export_list(
        &cache,
        &ListQuery::Items(query),
        &columns,
        &shown,
        TableFormat::Csv,
        &path,
        &mut |_, _| {},
    )
    .unwrap();
    assert_eq!(rows, records.len() as u64);

    let mut reader = csv::Reader::from_path(&path).unwrap();
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        columns,
        "the headers stay Exact's property names"
    );
    let written: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(written.len(), records.len());
    let mut flags = std::collections::HashSet::new();
    for (row, record) in written.iter().zip(&records) {
        assert_eq!(row[0], text(record, "Code"));
        assert_eq!(
            row[1],
            format!(
                "{} — {}",
                text(record, "ItemGroupCode"),
                text(record, "ItemGroupDescription")
            ),
            "a group by its code and description, not its GUID"
        );
        assert_eq!(
            row[2],
            format!(
                "{} — {}",
                text(record, "Unit"),
                text(record, "UnitDescription")
            )
        );
        let unit_type = match text(record, "UnitType").as_str() {
            "W" => "Gewicht".to_owned(),
            "L" => "Lengte".to_owned(),
            "O" => "Overig".to_owned(),
            other => other.to_owned(),
        };
        assert_eq!(row[3], unit_type, "a code without a label stays as stored");
        let flag = if record["IsSalesItem"].as_bool().unwrap() {
            "Ja"
        } else {
            "Nee"
        };
        assert_eq!(&row[4], flag);
        flags.insert(row[4].to_owned());
    }
    assert_eq!(flags.len(), 2, "the sample holds sales and non-sales items");

    let stray = ShownValues::new([(
        "Barcode".to_owned(),
        ValueRule::Flag {
            yes: "Yes".into(),
            no: "No".into(),
        },
    )])
    .unwrap();
    let refused = dir.path().join("stray.csv");
    let err = export_list(
        &cache,
        &ListQuery::Items(ItemQuery {
            division,
            ..ItemQuery::default()
        }),
        &columns,
        &stray,
        TableFormat::Csv,
        &refused,
        &mut |_, _| {},
    )
    .unwrap_err();
    assert!(err.to_string().contains("not an exported column"), "{err}");
    assert!(!refused.exists(), "a refused export leaves no file");
}
