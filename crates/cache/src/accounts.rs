//! The `accounts` table: row type, upsert, list with search and filters, and the detail view.

use exact_record::Record;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, Statement, params};
use serde::{Deserialize, Serialize};

use crate::account_index::TERM_MATCHES;
use crate::addresses::{self, AddressRow};
use crate::columns::{Attributes, date_ms, flag, is_real_picture, normalise_id, text};
use crate::contacts::{self, ContactRow};
use crate::documents::{self, DocumentRow};
use crate::error::{Context, Result};
use crate::orders::OrderRow;
use crate::prices::PriceRow;
use crate::records::ListPage;
use crate::search::fts_terms;

/// The full-text row (with the names of the account's contacts) is written by
/// [`crate::account_index`] after the batch's row writes.
pub(crate) const UPSERT: &str = "
INSERT INTO accounts (division, id, code, name, status, is_supplier, is_sales, city, country,
    email, phone, blocked, logo_url, has_logo, modified_ms, timestamp, attributes, seen_generation)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)
ON CONFLICT (division, id) DO UPDATE SET
    code = excluded.code, name = excluded.name, status = excluded.status,
    is_supplier = excluded.is_supplier, is_sales = excluded.is_sales, city = excluded.city,
    country = excluded.country, email = excluded.email, phone = excluded.phone,
    blocked = excluded.blocked, logo_url = excluded.logo_url, has_logo = excluded.has_logo,
    modified_ms = excluded.modified_ms, timestamp = excluded.timestamp,
    attributes = excluded.attributes,
    seen_generation = coalesce(excluded.seen_generation, accounts.seen_generation)";

pub(crate) fn bind(
    stmt: &mut Statement<'_>,
    division: i32,
    id: &str,
    r: &Record,
    attributes: &[u8],
    generation: Option<i64>,
) -> rusqlite::Result<usize> {
    let logo_url = text(r, "LogoUrl");
    let params = params![
        division,
        id,
        text(r, "Code"),
        text(r, "Name"),
        text(r, "Status"),
        flag(r, "IsSupplier"),
        flag(r, "IsSales"),
        text(r, "City"),
        text(r, "Country"),
        text(r, "Email"),
        text(r, "Phone"),
        flag(r, "Blocked"),
        logo_url,
        is_real_picture(logo_url),
        date_ms(r, "Modified"),
        r.timestamp(),
        attributes,
        generation,
    ];
    stmt.execute(params)
}

/// An account as a list shows it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AccountSummary {
    pub division: i32,
    pub id: String,
    /// Trimmed (Exact left-pads account codes to 18 characters).
    pub code: Option<String>,
    pub name: Option<String>,
    /// A none, S suspect, P prospect, C customer.
    pub status: Option<String>,
    pub is_supplier: bool,
    pub is_sales: bool,
    pub city: Option<String>,
    pub country: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub blocked: bool,
    pub logo_url: Option<String>,
    /// A real logo, not Exact's placeholder.
    pub has_logo: bool,
    pub modified_ms: Option<i64>,
    pub timestamp: Option<i64>,
}

const SUMMARY_COLUMNS: &str = "division, id, code, name, status, is_supplier, is_sales, city,
    country, email, phone, blocked, logo_url, has_logo, modified_ms, timestamp";

fn summary(row: &Row<'_>) -> rusqlite::Result<AccountSummary> {
    Ok(AccountSummary {
        division: row.get(0)?,
        id: row.get(1)?,
        code: row.get(2)?,
        name: row.get(3)?,
        status: row.get(4)?,
        is_supplier: row.get(5)?,
        is_sales: row.get(6)?,
        city: row.get(7)?,
        country: row.get(8)?,
        email: row.get(9)?,
        phone: row.get(10)?,
        blocked: row.get(11)?,
        logo_url: row.get(12)?,
        has_logo: row.get(13)?,
        modified_ms: row.get(14)?,
        timestamp: row.get(15)?,
    })
}

/// Which accounts: by relationship status, or suppliers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum AccountKind {
    /// Status C.
    Customer,
    /// Status P.
    Prospect,
    /// Status S.
    Suspect,
    /// `IsSupplier`.
    Supplier,
}

/// Sort order of the account list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum AccountSort {
    Code,
    #[default]
    Name,
    City,
    Modified,
}

/// What the account list shows: filters are ANDed; `None` means "don't filter".
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct AccountQuery {
    pub division: i32,
    /// Free text: every word must prefix-match name, code, city, email, phone or a contact name.
    pub search: Option<String>,
    pub kind: Option<AccountKind>,
    /// Country code as Exact stores it, trimmed (`NL`).
    pub country: Option<String>,
    pub city: Option<String>,
    pub blocked: Option<bool>,
    pub sort: AccountSort,
    pub descending: bool,
    pub offset: u64,
    pub limit: u64,
}

impl Default for AccountQuery {
    fn default() -> Self {
        AccountQuery {
            division: 0,
            search: None,
            kind: None,
            country: None,
            city: None,
            blocked: None,
            sort: AccountSort::Name,
            descending: false,
            offset: 0,
            limit: 100,
        }
    }
}

/// An account with everything the detail view shows.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AccountDetail {
    pub summary: AccountSummary,
    /// Main contact first, then by name.
    pub contacts: Vec<ContactRow>,
    /// Main addresses first, then by type (1 visit, 2 postal, 3 invoice, 4 delivery).
    pub addresses: Vec<AddressRow>,
    /// Documents linked to the account, newest first, each with its attachments.
    pub documents: Vec<DocumentRow>,
    /// The customer's price agreements, by item code.
    pub prices: Vec<PriceRow>,
    /// The customer's most recent sales orders, newest first, each with its lines.
    pub orders: Vec<OrderRow>,
    /// Every attribute as Exact sent it (JSON object text).
    pub attributes: String,
    /// The records its attributes point to by GUID alone (`Parent`, `Accountant`,
    /// `MainContact`), named from the cache; a link to a record not kept is left out.
    pub links: Vec<LinkRow>,
}

/// A record an attribute points to by GUID alone, as the cache knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LinkRow {
    /// The attribute holding the GUID (`Parent`).
    pub property: String,
    pub code: Option<String>,
    /// The linked record's name.
    pub name: Option<String>,
}

/// Attributes of an account that name another account by GUID alone.
const ACCOUNT_LINKS: [&str; 2] = ["Parent", "Accountant"];
/// Attributes of an account that name a contact person by GUID alone.
const CONTACT_LINKS: [&str; 1] = ["MainContact"];

/// How many orders a customer's detail shows.
const ACCOUNT_ORDERS: usize = 50;

/// The rowids of the division's accounts matching every term (each in the account's own
/// columns or in one of its contacts' names), sorted.
fn matching_accounts(conn: &Connection, division: i32, terms: &[String]) -> Result<Vec<i64>> {
    let mut stmt = conn
        .prepare_cached(&format!("SELECT rowid FROM ({TERM_MATCHES})"))
        .context("preparing an account search")?;
    let mut found: Option<std::collections::HashSet<i64>> = None;
    for term in terms {
        let rows = stmt
            .query_map(params![term, division, term], |r| r.get::<_, i64>(0))
            .context("searching accounts")?;
        let mut these = std::collections::HashSet::new();
        for rowid in rows {
            let rowid = rowid.context("searching accounts")?;
            if found.as_ref().is_none_or(|f| f.contains(&rowid)) {
                these.insert(rowid);
            }
        }
        found = Some(these);
    }
    let mut found: Vec<i64> = found.unwrap_or_default().into_iter().collect();
    found.sort_unstable();
    Ok(found)
}

/// The statement's parameters: `values`, with the `rarray` of matches right after the division
/// (where `list` puts its clause).
fn with_matches<'a>(
    values: &'a [Value],
    matches: Option<&'a std::rc::Rc<Vec<Value>>>,
) -> Vec<&'a dyn rusqlite::ToSql> {
    let mut out: Vec<&dyn rusqlite::ToSql> =
        values.iter().map(|v| v as &dyn rusqlite::ToSql).collect();
    if let Some(m) = matches {
        out.insert(1, m);
    }
    out
}

/// A list query turned into SQL: the WHERE clause with its values (the account matches of a
/// search go right after the division), the ORDER BY, the total.
struct Planned {
    filter: String,
    values: Vec<Value>,
    matches: Option<std::rc::Rc<Vec<Value>>>,
    order: String,
    total: i64,
}

fn plan(conn: &Connection, q: &AccountQuery) -> Result<Planned> {
    let mut filter = String::from("division = ?");
    let mut values: Vec<Value> = vec![Value::Integer(q.division.into())];
    let terms = q.search.as_deref().map(fts_terms).unwrap_or_default();
    let mut matches = None;
    if !terms.is_empty() {
        // The matching accounts are found once, for both the count and the page (each term's
        // match goes through the contacts, which is the expensive part of a search).
        let found = matching_accounts(conn, q.division, &terms)?;
        filter.push_str(" AND rowid IN rarray(?)");
        matches = Some(std::rc::Rc::new(
            found.into_iter().map(Value::Integer).collect::<Vec<_>>(),
        ));
    }
    match q.kind {
        Some(AccountKind::Customer) => filter.push_str(" AND status = 'C'"),
        Some(AccountKind::Prospect) => filter.push_str(" AND status = 'P'"),
        Some(AccountKind::Suspect) => filter.push_str(" AND status = 'S'"),
        Some(AccountKind::Supplier) => filter.push_str(" AND is_supplier = 1"),
        None => {}
    }
    if let Some(c) = &q.country {
        filter.push_str(" AND country = ? COLLATE NOCASE");
        values.push(Value::Text(c.trim().to_string()));
    }
    if let Some(c) = &q.city {
        filter.push_str(" AND city = ? COLLATE NOCASE");
        values.push(Value::Text(c.trim().to_string()));
    }
    if let Some(b) = q.blocked {
        filter.push_str(" AND blocked = ?");
        values.push(Value::Integer(b.into()));
    }
    let only_search =
        q.kind.is_none() && q.country.is_none() && q.city.is_none() && q.blocked.is_none();
    let total: i64 = match &matches {
        // The matches are exactly the division's accounts (see `TERM_MATCHES`).
        Some(found) if only_search => i64::try_from(found.len()).unwrap_or(i64::MAX),
        _ => conn
            .prepare_cached(&format!("SELECT count(*) FROM accounts WHERE {filter}"))
            .context("preparing the account count")?
            .query_row(&*with_matches(&values, matches.as_ref()), |r| r.get(0))
            .context("counting accounts")?,
    };
    // Ties are broken by rowid, which every index ends with: a page at any offset is then an
    // index-only scan, and only the page's own rows are read from the table.
    let dir = if q.descending { "DESC" } else { "ASC" };
    let order = match q.sort {
        AccountSort::Code => format!("code COLLATE NOCASE {dir}, rowid {dir}"),
        AccountSort::Name => format!("name COLLATE NOCASE {dir}, rowid {dir}"),
        AccountSort::City => {
            format!("city COLLATE NOCASE {dir}, name COLLATE NOCASE {dir}, rowid {dir}")
        }
        AccountSort::Modified => format!("modified_ms {dir}, rowid {dir}"),
    };
    Ok(Planned {
        filter,
        values,
        matches,
        order,
        total,
    })
}

pub(crate) fn list(conn: &Connection, q: &AccountQuery) -> Result<ListPage<AccountSummary>> {
    let Planned {
        filter,
        mut values,
        matches,
        order,
        total,
    } = plan(conn, q)?;
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM accounts WHERE rowid IN
            (SELECT rowid FROM accounts WHERE {filter} ORDER BY {order} LIMIT ? OFFSET ?)
         ORDER BY {order}"
    );
    values.push(Value::Integer(i64::try_from(q.limit).unwrap_or(i64::MAX)));
    values.push(Value::Integer(i64::try_from(q.offset).unwrap_or(i64::MAX)));
    let mut stmt = conn
        .prepare_cached(&sql)
        .context("preparing the account list")?;
    let rows = stmt
        .query_map(&*with_matches(&values, matches.as_ref()), summary)
        .context("listing accounts")?
        .collect::<rusqlite::Result<Vec<_>>>()
        .context("reading accounts")?;
    Ok(ListPage {
        rows,
        total: u64::try_from(total).unwrap_or(0),
        offset: q.offset,
        limit: q.limit,
    })
}

/// Streams the attribute JSON of every account matching `q` (offset and limit ignored), in
/// the list's order; `each` also gets the number of matching accounts.
pub(crate) fn export(
    conn: &Connection,
    q: &AccountQuery,
    each: &mut dyn FnMut(u64, &str) -> Result<()>,
) -> Result<u64> {
    let p = plan(conn, q)?;
    let sql = format!(
        "SELECT attributes FROM accounts WHERE {} ORDER BY {}",
        p.filter, p.order
    );
    let total = u64::try_from(p.total).unwrap_or(0);
    let params = with_matches(&p.values, p.matches.as_ref());
    crate::records::stream_attributes(conn, &sql, &*params, &mut |json| each(total, json))
}

/// An account with everything linked to it; `now_ms` decides which prices are valid now.
pub(crate) fn detail(
    conn: &Connection,
    division: i32,
    id: &str,
    now_ms: i64,
) -> Result<Option<AccountDetail>> {
    let id = normalise_id(id);
    let found = conn
        .prepare_cached(&format!(
            "SELECT {SUMMARY_COLUMNS}, attributes FROM accounts WHERE division = ?1 AND id = ?2"
        ))
        .context("preparing the account detail")?
        .query_row(params![division, id], |row| {
            Ok((summary(row)?, row.get::<_, Attributes>(16)?.0))
        })
        .optional()
        .context("reading an account")?;
    let Some((summary, attributes)) = found else {
        return Ok(None);
    };
    Ok(Some(AccountDetail {
        summary,
        contacts: contacts::for_account(conn, division, &id)?,
        addresses: addresses::for_account(conn, division, &id)?,
        documents: documents::for_account(conn, division, &id)?,
        prices: crate::prices::for_account(conn, division, &id, now_ms)?,
        orders: crate::orders::for_account(conn, division, &id, ACCOUNT_ORDERS)?,
        links: links(conn, division, &attributes)?,
        attributes,
    }))
}

/// Names the accounts and contacts the attributes point to by GUID alone.
fn links(conn: &Connection, division: i32, attributes: &str) -> Result<Vec<LinkRow>> {
    let Ok(serde_json::Value::Object(fields)) = serde_json::from_str(attributes) else {
        return Ok(Vec::new());
    };
    let guid = |property: &str| match fields.get(property) {
        Some(serde_json::Value::String(s)) if !s.trim().is_empty() => Some(normalise_id(s)),
        _ => None,
    };
    let mut account = conn
        .prepare_cached("SELECT code, name FROM accounts WHERE division = ?1 AND id = ?2")
        .context("preparing an account link")?;
    let mut contact = conn
        .prepare_cached("SELECT full_name FROM contacts WHERE division = ?1 AND id = ?2")
        .context("preparing a contact link")?;
    let mut found = Vec::new();
    for property in ACCOUNT_LINKS {
        let Some(id) = guid(property) else { continue };
        let row = account
            .query_row(params![division, id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
            .context("reading a linked account")?;
        if let Some((code, name)) = row {
            found.push(LinkRow {
                property: property.to_owned(),
                code: text_opt(code),
                name: text_opt(name),
            });
        }
    }
    for property in CONTACT_LINKS {
        let Some(id) = guid(property) else { continue };
        let name: Option<Option<String>> = contact
            .query_row(params![division, id], |r| r.get(0))
            .optional()
            .context("reading a linked contact")?;
        if let Some(name) = name {
            found.push(LinkRow {
                property: property.to_owned(),
                code: None,
                name: text_opt(name),
            });
        }
    }
    Ok(found)
}

/// Trimmed text, None when blank.
fn text_opt(value: Option<String>) -> Option<String> {
    value.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

pub(crate) fn countries(conn: &Connection, division: i32) -> Result<Vec<String>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT DISTINCT country FROM accounts
             WHERE division = ?1 AND country IS NOT NULL AND country <> '' ORDER BY country",
        )
        .context("preparing the country list")?;
    let rows = stmt
        .query_map(params![division], |r| r.get(0))
        .context("listing countries")?;
    rows.collect::<rusqlite::Result<_>>()
        .context("listing countries")
}
