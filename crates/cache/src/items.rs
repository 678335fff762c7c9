//! The `items` table: row type, upsert, list with search and filters, and the detail view.

use exact_record::Record;
use rusqlite::types::Value;
use rusqlite::{
    Connection, OptionalExtension, Row, Statement, Transaction, params, params_from_iter,
};
use serde::{Deserialize, Serialize};

use crate::columns::{Attributes, date_ms, flag, guid, is_real_picture, joined, text};
use crate::documents::{self, DocumentRow};
use crate::error::{Context, Result};
use crate::extra_fields::ExtraFieldRow;
use crate::item_groups::{self, ItemGroupRow};
use crate::orders::ItemOrderRow;
use crate::prices::PriceRow;
use crate::records::ListPage;
use crate::search::fts_query;
use crate::stock::StockRow;
use crate::units::{self, UnitRow};
use crate::{Entity, extra_fields, orders, prices, stock};

pub(crate) const UPSERT: &str = "
INSERT INTO items (division, id, code, description, extra_description, search_code, barcode,
    item_group, item_group_code, item_group_description, unit, is_sales, is_purchase, is_stock,
    stock, cost_price, picture_url, picture_name, has_picture, modified_ms, timestamp, attributes,
    seen_generation)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,
    ?21, ?22, ?23)
ON CONFLICT (division, id) DO UPDATE SET
    code = excluded.code, description = excluded.description,
    extra_description = excluded.extra_description, search_code = excluded.search_code,
    barcode = excluded.barcode, item_group = excluded.item_group,
    item_group_code = excluded.item_group_code,
    item_group_description = excluded.item_group_description, unit = excluded.unit,
    is_sales = excluded.is_sales, is_purchase = excluded.is_purchase, is_stock = excluded.is_stock,
    stock = excluded.stock, cost_price = excluded.cost_price, picture_url = excluded.picture_url,
    picture_name = excluded.picture_name, has_picture = excluded.has_picture,
    modified_ms = excluded.modified_ms, timestamp = excluded.timestamp,
    attributes = excluded.attributes,
    seen_generation = coalesce(excluded.seen_generation, items.seen_generation)";

pub(crate) fn bind(
    stmt: &mut Statement<'_>,
    division: i32,
    id: &str,
    r: &Record,
    attributes: &[u8],
    generation: Option<i64>,
) -> rusqlite::Result<usize> {
    let picture_url = text(r, "PictureUrl");
    let params = params![
        division,
        id,
        text(r, "Code"),
        text(r, "Description"),
        text(r, "ExtraDescription"),
        text(r, "SearchCode"),
        text(r, "Barcode"),
        guid(r, "ItemGroup"),
        text(r, "ItemGroupCode"),
        text(r, "ItemGroupDescription"),
        text(r, "Unit"),
        flag(r, "IsSalesItem"),
        flag(r, "IsPurchaseItem"),
        flag(r, "IsStockItem"),
        r.f64("Stock"),
        r.f64("CostPriceStandard"),
        picture_url,
        text(r, "PictureName"),
        is_real_picture(picture_url),
        date_ms(r, "Modified"),
        r.timestamp(),
        attributes,
        generation,
    ];
    stmt.execute(params)
}

/// The indexed texts of an item: code, description, extra description, search code, barcode,
/// group (code and description).
pub(crate) type IndexText = [Option<String>; 6];

/// The indexed texts of a record as it will be stored.
pub(crate) fn index_text(r: &Record) -> IndexText {
    let t = |name| text(r, name).map(str::to_string);
    [
        t("Code"),
        t("Description"),
        t("ExtraDescription"),
        t("SearchCode"),
        t("Barcode"),
        joined(r, &["ItemGroupCode", "ItemGroupDescription"], " "),
    ]
}

/// The rowid and indexed texts of the stored item, `None` when it is not stored yet.
pub(crate) fn stored_index_text(
    tx: &Transaction<'_>,
    division: i32,
    id: &str,
) -> Result<Option<(i64, IndexText)>> {
    tx.prepare_cached(
        "SELECT rowid, code, description, extra_description, search_code, barcode,
             nullif(concat_ws(' ', item_group_code, item_group_description), '')
         FROM items WHERE division = ?1 AND id = ?2",
    )
    .context("preparing an index text read")?
    .query_row(params![division, id], |r| {
        Ok((
            r.get(0)?,
            [
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ],
        ))
    })
    .optional()
    .context("reading an item's index text")
}

/// Writes full-text rows: (rowid, texts, whether an older row must be removed first). Runs
/// after all of a batch's row upserts: see migration 5 for why this is not a trigger. Rows go
/// in rowid order: FTS5 flushes its pending terms as a new segment whenever a rowid is smaller
/// than the previous one.
pub(crate) fn index(
    tx: &Transaction<'_>,
    division: i32,
    rows: &mut [(i64, IndexText, bool)],
) -> Result<()> {
    rows.sort_unstable_by_key(|r| r.0);
    let mut delete = tx
        .prepare_cached("DELETE FROM items_fts WHERE rowid = ?1")
        .context("preparing an index delete")?;
    let mut insert = tx
        .prepare_cached(
            "INSERT INTO items_fts (rowid, division, code, description, extra_description,
                 search_code, barcode, item_group) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )
        .context("preparing an index insert")?;
    let token = division_token(division);
    for (rowid, [a, b, c, d, e, g], replace) in &*rows {
        if *replace {
            delete.execute([rowid]).context("updating the item index")?;
        }
        insert
            .execute(params![rowid, token, a, b, c, d, e, g])
            .context("updating the item index")?;
    }
    Ok(())
}

/// The searchable text columns of `items_fts` (all but `division`).
const TEXT_COLUMNS: &str = "code description extra_description search_code barcode item_group";

/// The token standing for a division in `items_fts`'s `division` column.
fn division_token(division: i32) -> String {
    format!("d{division}")
}

/// An item as a list shows it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ItemSummary {
    pub division: i32,
    pub id: String,
    pub code: Option<String>,
    pub description: Option<String>,
    pub extra_description: Option<String>,
    pub search_code: Option<String>,
    pub barcode: Option<String>,
    pub item_group: Option<String>,
    pub item_group_code: Option<String>,
    pub item_group_description: Option<String>,
    /// Unit code, trimmed.
    pub unit: Option<String>,
    pub is_sales: bool,
    pub is_purchase: bool,
    pub is_stock: bool,
    pub stock: Option<f64>,
    /// `CostPriceStandard`.
    pub cost_price: Option<f64>,
    pub picture_url: Option<String>,
    pub picture_name: Option<String>,
    /// A real picture, not Exact's placeholder.
    pub has_picture: bool,
    pub modified_ms: Option<i64>,
    pub timestamp: Option<i64>,
}

const SUMMARY_COLUMNS: &str = "division, id, code, description, extra_description, search_code,
    barcode, item_group, item_group_code, item_group_description, unit, is_sales, is_purchase,
    is_stock, stock, cost_price, picture_url, picture_name, has_picture, modified_ms, timestamp";

fn summary(row: &Row<'_>) -> rusqlite::Result<ItemSummary> {
    Ok(ItemSummary {
        division: row.get(0)?,
        id: row.get(1)?,
        code: row.get(2)?,
        description: row.get(3)?,
        extra_description: row.get(4)?,
        search_code: row.get(5)?,
        barcode: row.get(6)?,
        item_group: row.get(7)?,
        item_group_code: row.get(8)?,
        item_group_description: row.get(9)?,
        unit: row.get(10)?,
        is_sales: row.get(11)?,
        is_purchase: row.get(12)?,
        is_stock: row.get(13)?,
        stock: row.get(14)?,
        cost_price: row.get(15)?,
        picture_url: row.get(16)?,
        picture_name: row.get(17)?,
        has_picture: row.get(18)?,
        modified_ms: row.get(19)?,
        timestamp: row.get(20)?,
    })
}

/// Sort order of the item list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum ItemSort {
    #[default]
    Code,
    Description,
    Modified,
}

/// What the item list shows: filters are ANDed; `None` means "don't filter".
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct ItemQuery {
    pub division: i32,
    /// Free text: every word must prefix-match code, description, extra description, search
    /// code, barcode or group.
    pub search: Option<String>,
    /// Item group ID.
    pub item_group: Option<String>,
    pub sales: Option<bool>,
    pub purchase: Option<bool>,
    pub stock: Option<bool>,
    /// `true`: only items with stock on hand (the item's `Stock` above zero); `false`: none.
    pub in_stock: Option<bool>,
    pub has_picture: Option<bool>,
    pub sort: ItemSort,
    pub descending: bool,
    pub offset: u64,
    pub limit: u64,
}

impl Default for ItemQuery {
    fn default() -> Self {
        ItemQuery {
            division: 0,
            search: None,
            item_group: None,
            sales: None,
            purchase: None,
            stock: None,
            in_stock: None,
            has_picture: None,
            sort: ItemSort::Code,
            descending: false,
            offset: 0,
            limit: 100,
        }
    }
}

/// An item with everything the detail view shows.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ItemDetail {
    pub summary: ItemSummary,
    pub unit: Option<UnitRow>,
    pub group: Option<ItemGroupRow>,
    /// Documents linked to the item, newest first, each with its attachments.
    pub documents: Vec<DocumentRow>,
    /// Sales prices: general prices first, then customer agreements.
    pub prices: Vec<PriceRow>,
    /// Stock per warehouse.
    pub stock: Vec<StockRow>,
    /// When the division's stock positions were last brought up to date (UTC epoch ms).
    pub stock_synced_ms: Option<i64>,
    /// The most recent order lines with this item, newest order first.
    pub orders: Vec<ItemOrderRow>,
    /// Extra fields (`read/logistics/ItemExtraField`), by number.
    pub extra_fields: Vec<ExtraFieldRow>,
    /// Descriptions in the other languages synced, by language code.
    pub descriptions: Vec<crate::ItemDescriptionRow>,
    /// Every attribute as Exact sent it (JSON object text).
    pub attributes: String,
}

/// How many order lines an item's detail shows.
const ITEM_ORDER_LINES: usize = 25;

/// A list query turned into SQL: the WHERE clause with its values, the ORDER BY, the total.
struct Planned {
    filter: String,
    values: Vec<Value>,
    order: String,
    total: i64,
}

fn plan(conn: &Connection, q: &ItemQuery) -> Result<Planned> {
    let mut filter = String::from("division = ?");
    let mut values: Vec<Value> = vec![Value::Integer(q.division.into())];
    let search = q.search.as_deref().and_then(fts_query).map(|terms| {
        // The division is a column of the index: matches of other divisions never leave it.
        format!(
            "division : \"{}\" AND {{{TEXT_COLUMNS}}} : ({terms})",
            division_token(q.division)
        )
    });
    if let Some(m) = &search {
        filter.push_str(" AND rowid IN (SELECT rowid FROM items_fts WHERE items_fts MATCH ?)");
        values.push(Value::Text(m.clone()));
    }
    if let Some(g) = &q.item_group {
        filter.push_str(" AND item_group = ?");
        values.push(Value::Text(crate::columns::normalise_id(g)));
    }
    for (column, wanted) in [
        ("is_sales", q.sales),
        ("is_purchase", q.purchase),
        ("is_stock", q.stock),
        ("has_picture", q.has_picture),
    ] {
        if let Some(w) = wanted {
            filter.push_str(&format!(" AND {column} = ?"));
            values.push(Value::Integer(w.into()));
        }
    }
    match q.in_stock {
        Some(true) => filter.push_str(" AND stock > 0"),
        Some(false) => filter.push_str(" AND coalesce(stock, 0) <= 0"),
        None => {}
    }
    let only_search = q.item_group.is_none()
        && [q.sales, q.purchase, q.stock, q.in_stock, q.has_picture]
            .iter()
            .all(Option::is_none);
    let total: i64 = match &search {
        // Counted in the index alone (it holds exactly the stored rows, division included).
        Some(m) if only_search => conn
            .prepare_cached("SELECT count(*) FROM items_fts WHERE items_fts MATCH ?")
            .context("preparing the item count")?
            .query_row([m], |r| r.get(0))
            .context("counting items")?,
        _ => conn
            .prepare_cached(&format!("SELECT count(*) FROM items WHERE {filter}"))
            .context("preparing the item count")?
            .query_row(params_from_iter(values.iter()), |r| r.get(0))
            .context("counting items")?,
    };
    // Ties are broken by rowid, which every index ends with: a page at any offset is then an
    // index-only scan, and only the page's own rows are read from the table.
    let dir = if q.descending { "DESC" } else { "ASC" };
    let order = match q.sort {
        ItemSort::Code => format!("code COLLATE NOCASE {dir}, rowid {dir}"),
        ItemSort::Description => format!("description COLLATE NOCASE {dir}, rowid {dir}"),
        ItemSort::Modified => format!("modified_ms {dir}, rowid {dir}"),
    };
    Ok(Planned {
        filter,
        values,
        order,
        total,
    })
}

pub(crate) fn list(conn: &Connection, q: &ItemQuery) -> Result<ListPage<ItemSummary>> {
    let Planned {
        filter,
        mut values,
        order,
        total,
    } = plan(conn, q)?;
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM items WHERE rowid IN
            (SELECT rowid FROM items WHERE {filter} ORDER BY {order} LIMIT ? OFFSET ?)
         ORDER BY {order}"
    );
    values.push(Value::Integer(i64::try_from(q.limit).unwrap_or(i64::MAX)));
    values.push(Value::Integer(i64::try_from(q.offset).unwrap_or(i64::MAX)));
    let mut stmt = conn
        .prepare_cached(&sql)
        .context("preparing the item list")?;
    let rows = stmt
        .query_map(params_from_iter(values.iter()), summary)
        .context("listing items")?
        .collect::<rusqlite::Result<Vec<_>>>()
        .context("reading items")?;
    Ok(ListPage {
        rows,
        total: u64::try_from(total).unwrap_or(0),
        offset: q.offset,
        limit: q.limit,
    })
}

/// Streams the attribute JSON of every item matching `q` (offset and limit ignored), in the
/// list's order; `each` also gets the number of matching items.
pub(crate) fn export(
    conn: &Connection,
    q: &ItemQuery,
    each: &mut dyn FnMut(u64, &str) -> Result<()>,
) -> Result<u64> {
    let p = plan(conn, q)?;
    let sql = format!(
        "SELECT attributes FROM items WHERE {} ORDER BY {}",
        p.filter, p.order
    );
    let total = u64::try_from(p.total).unwrap_or(0);
    crate::records::stream_attributes(conn, &sql, params_from_iter(p.values.iter()), &mut |json| {
        each(total, json)
    })
}

/// An item with everything linked to it; `now_ms` decides which prices are valid now.
pub(crate) fn detail(
    conn: &Connection,
    division: i32,
    id: &str,
    now_ms: i64,
) -> Result<Option<ItemDetail>> {
    let id = crate::columns::normalise_id(id);
    let found = conn
        .prepare_cached(&format!(
            "SELECT {SUMMARY_COLUMNS}, attributes FROM items WHERE division = ?1 AND id = ?2"
        ))
        .context("preparing the item detail")?
        .query_row(params![division, id], |row| {
            Ok((summary(row)?, row.get::<_, Attributes>(21)?.0))
        })
        .optional()
        .context("reading an item")?;
    let Some((summary, attributes)) = found else {
        return Ok(None);
    };
    let unit = match &summary.unit {
        Some(code) => units::by_code(conn, division, code)?,
        None => None,
    };
    let group = match &summary.item_group {
        Some(g) => item_groups::by_id(conn, division, g)?,
        None => None,
    };
    let documents = documents::for_item(conn, division, &id)?;
    let stock_synced_ms = crate::cursors::all(conn, division)?
        .into_iter()
        .find(|(key, _, _)| key == Entity::StockPositions.as_str())
        .map(|(_, _, updated_ms)| updated_ms);
    Ok(Some(ItemDetail {
        summary,
        unit,
        group,
        documents,
        prices: prices::for_item(conn, division, &id, now_ms)?,
        stock: stock::for_item(conn, division, &id)?,
        stock_synced_ms,
        orders: orders::for_item(conn, division, &id, ITEM_ORDER_LINES)?,
        extra_fields: extra_fields::for_item(conn, division, &id)?,
        descriptions: crate::descriptions::for_item(conn, division, &id)?,
        attributes,
    }))
}
