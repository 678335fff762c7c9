//! The endpoint families behind `/api/v1/{division}/`: sync and Deleted (Timestamp paging),
//! regular, bulk and read lists (ID paging), system/Divisions and current/Me; `$select`
//! validation and projection of records into output rows.

use axum::http::StatusCode;
use serde_json::Value;

use crate::api::{ApiError, Ctx, MANDATORY_FILTER, SELECT_REQUIRED, SELECT_STAR, bad};
use crate::catalog::{Family, PropDef};
use crate::data::{ListFilter, ListPage, Record};
use crate::envelope::{self, Body, Format, Prop, Row};
use crate::odata;

mod sync_json;

pub use sync_json::{SyncRows, SyncSlice, write_sync_json};

/// The properties to output: all, or the validated `$select` in field-list order.
fn selected(ctx: &Ctx, props: Vec<PropDef>) -> Result<Vec<PropDef>, ApiError> {
    let names = ctx.query.select.as_ref().filter(|n| !n.is_empty());
    let Some(names) = names else {
        if ctx.def.select_required && ctx.query.top != Some(1) {
            return Err(bad(SELECT_REQUIRED));
        }
        return Ok(props);
    };
    if names.iter().any(|n| n == "*") {
        if matches!(ctx.def.family, Family::Sync | Family::Deleted) {
            return Err(bad(SELECT_STAR));
        }
        return Ok(props);
    }
    for name in names {
        let Some((_, kind)) = props.iter().find(|(p, _)| p == name) else {
            return Err(bad(format!(
                "Could not find a property named '{name}' on type '{}'.",
                ctx.def.model_type()
            )));
        };
        // Stricter than plain OData, as the real service is reported to be: navigation
        // collections (`BankAccounts`) are links that need `$expand`, and complex objects
        // (`system/Divisions`' `Class_01`..`Class_05`, `DivisionClass`) need a right to view
        // division classifications that a user may lack (Exact's reference, quoted by
        // Pi-Systems' `Divisions.php`). A client must select plain properties only.
        if !kind.as_deref().is_some_and(is_plain_kind) {
            return Err(bad(format!(
                "The property '{name}' on type '{}' cannot be selected: it is not a plain value.",
                ctx.def.model_type()
            )));
        }
    }
    Ok(props
        .into_iter()
        .filter(|(p, _)| names.contains(p))
        .collect())
}

/// An Edm kind (`String`, `Guid`, ...), as opposed to a complex type such as
/// `DivisionClass [navigation object]`.
fn is_plain_kind(kind: &str) -> bool {
    !kind.is_empty() && kind.chars().all(|c| c.is_ascii_alphanumeric())
}

fn to_row(ctx: &Ctx, prefix: &str, record: &Record, props: &[PropDef]) -> Row {
    let uri = match (record.get("ID").and_then(Value::as_str), timestamp(record)) {
        (Some(id), _) => format!("{prefix}(guid'{id}')"),
        (None, Some(ts)) => format!("{prefix}({ts}L)"),
        _ => prefix.to_string(),
    };
    let props = props
        .iter()
        .map(|(name, kind)| Prop {
            name: name.clone(),
            kind: kind.clone(),
            value: record.get(name).cloned().unwrap_or(Value::Null),
        })
        .collect();
    Row {
        uri,
        type_name: ctx.def.model_type().to_string(),
        props,
    }
}

fn timestamp(record: &Record) -> Option<i64> {
    timestamp_of(record.get("Timestamp"))
}

fn timestamp_of(value: Option<&Value>) -> Option<i64> {
    match value? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => odata::parse_int64(s),
        _ => None,
    }
}

fn prefix(ctx: &Ctx) -> String {
    format!(
        "{}/api/v1/{}/{}",
        ctx.app.base_url, ctx.division, ctx.def.path
    )
}

fn render(
    ctx: &Ctx,
    records: &[Record],
    props: &[PropDef],
    next: Option<String>,
    count: Option<usize>,
) -> Body {
    let prefix = prefix(ctx);
    let rows: Vec<Row> = records
        .iter()
        .map(|r| to_row(ctx, &prefix, r, props))
        .collect();
    envelope::feed(
        ctx.format,
        ctx.def.title(),
        &prefix,
        &rows,
        next.as_deref(),
        count,
        &ctx.updated,
    )
}

/// Rows per page and whether `$top` leaves room for a next page.
fn page_limit(ctx: &Ctx) -> usize {
    ctx.query
        .top
        .map_or(ctx.def.page_size, |t| t.min(ctx.def.page_size))
}

fn more_allowed(ctx: &Ctx, returned: usize) -> bool {
    ctx.query.top.is_none_or(|t| t > returned)
}

/// sync/... and sync/Deleted: `Timestamp gt N`, `$skiptoken=<ts>L`, ascending Timestamp.
pub(crate) fn sync(ctx: &Ctx) -> Result<Body, ApiError> {
    let page = sync_page(ctx)?;
    match (ctx.format, ctx.def.entity, ctx.def.family) {
        (Format::Json, Some(entity), Family::Sync) => Ok(sync_json::body(ctx, entity, &page)),
        _ => Ok(sync_records(ctx, &page)),
    }
}

/// Validates a sync request: `$select`, `$filter`, `$skiptoken`, `$top`.
fn sync_page(ctx: &Ctx) -> Result<SyncPage, ApiError> {
    let deleted = ctx.def.family == Family::Deleted;
    let props = selected(ctx, ctx.def.properties(None))?;
    let (after_filter, entity_type) =
        odata::parse_sync_filter(ctx.query.filter.as_deref(), deleted).map_err(bad)?;
    let after_skip = match ctx.query.skiptoken.as_deref() {
        Some(t) => Some(
            odata::parse_int64(t.trim())
                .ok_or_else(|| bad(format!("Invalid $skiptoken '{t}'.")))?,
        ),
        None => None,
    };
    let after = after_skip.map_or(after_filter, |s| s.max(after_filter));
    Ok(SyncPage {
        props,
        after,
        after_filter,
        entity_type,
        limit: page_limit(ctx),
    })
}

/// A validated sync request.
struct SyncPage {
    props: Vec<PropDef>,
    /// Rows after this Timestamp (filter and skiptoken).
    after: i64,
    /// Rows after this Timestamp (filter only: what `$inlinecount` counts).
    after_filter: i64,
    /// sync/Deleted: the EntityType filter.
    entity_type: Option<Vec<i32>>,
    limit: usize,
}

/// sync/... and sync/Deleted through `Record` maps: Atom bodies and sync/Deleted.
fn sync_records(ctx: &Ctx, page: &SyncPage) -> Body {
    let deleted = ctx.def.family == Family::Deleted;
    let SyncPage {
        props,
        after,
        after_filter,
        entity_type,
        limit,
    } = page;
    let (after, after_filter, entity_type, limit) =
        (*after, *after_filter, entity_type.as_deref(), *limit);
    let fetch = |after: i64, limit: usize| {
        let data = ctx.app.data();
        match ctx.def.entity {
            Some(entity) if !deleted => {
                data.sync_after(ctx.division, entity, after, limit, ctx.lang.as_deref())
            }
            _ => data.deleted_after(ctx.division, after, entity_type, limit),
        }
    };
    let mut records = fetch(after, limit.saturating_add(1));
    let more = records.len() > limit;
    records.truncate(limit);
    let next = match records.last().and_then(timestamp) {
        Some(ts) if more && more_allowed(ctx, records.len()) => Some(ctx.query.next_link(
            &ctx.app.base_url,
            ctx.path,
            &format!("{ts}L"),
            records.len(),
        )),
        _ => None,
    };
    let count = ctx
        .query
        .inlinecount
        .then(|| fetch(after_filter, usize::MAX).len());
    render(ctx, &records, props, next, count)
}

/// Regular, bulk and read endpoints: ordered by ID, `$skiptoken=guid'<last ID>'`.
pub(crate) fn list(ctx: &Ctx) -> Result<Body, ApiError> {
    let Some(entity) = ctx.def.entity else {
        return Err(bad("This endpoint has no data."));
    };
    let variant = ctx.def.variant;
    let lang = ctx.lang.as_deref();
    let sample = || {
        ctx.app
            .data()
            .list_after(
                ctx.division,
                entity,
                &ListPage {
                    lang,
                    ..ListPage::first(variant, 1)
                },
            )
            .pop()
    };
    let all_props = ctx.def.properties(
        if ctx.def.fields.is_none() {
            sample()
        } else {
            None
        }
        .as_ref(),
    );
    if let Some(key) = &ctx.key {
        let id = odata::parse_guid_literal(key)
            .ok_or_else(|| bad(format!("Invalid key '{key}': expected guid'...'.")))?;
        let props = selected(ctx, all_props)?;
        let record = ctx.app.data().get(ctx.division, entity, variant, &id, lang);
        let record = record.ok_or(ApiError {
            status: StatusCode::NOT_FOUND,
            text: format!("{} with ID {id} was not found.", entity.name()),
        })?;
        let row = to_row(ctx, &prefix(ctx), &record, &props);
        return Ok(envelope::entry(ctx.format, &row, &ctx.updated));
    }
    if ctx.def.mandatory_filter
        && ctx
            .query
            .filter
            .as_deref()
            .is_none_or(|f| f.trim().is_empty())
    {
        return Err(bad(MANDATORY_FILTER));
    }
    let props = selected(ctx, all_props)?;
    let read = ctx.def.family == Family::ReadExtraFields;
    let filter = match ctx.query.param("itemId") {
        Some(item) if read => ListFilter::ItemIdEq(
            odata::parse_guid_literal(item)
                .ok_or_else(|| bad(format!("Invalid itemId '{item}'.")))?,
        ),
        _ => odata::parse_list_filter(ctx.query.filter.as_deref()).map_err(bad)?,
    };
    if read && matches!(filter, ListFilter::IdEq(_) | ListFilter::CodeEq(_)) {
        return Err(bad(
            "Only Modified ge datetime'..' or ?itemId=guid'..' are supported here.",
        ));
    }
    let after = match ctx.query.skiptoken.as_deref() {
        Some(t) => Some(
            odata::parse_guid_literal(t)
                .ok_or_else(|| bad(format!("Invalid $skiptoken '{t}'.")))?,
        ),
        None => None,
    };
    let limit = page_limit(ctx);
    let fetch = |after: Option<&str>, limit: usize| {
        ctx.app.data().list_after(
            ctx.division,
            entity,
            &ListPage {
                variant,
                after_id: after,
                limit,
                filter: &filter,
                lang,
            },
        )
    };
    let mut records = fetch(after.as_deref(), limit.saturating_add(1));
    let more = records.len() > limit;
    let key_field = if read { "ItemID" } else { "ID" };
    let key_of = |r: &Record| r.get(key_field).and_then(Value::as_str).map(str::to_string);
    if more && read {
        // Extra fields page per item: never split one item's rows over two pages.
        let boundary = key_of(&records[limit]);
        let keep = records[..limit]
            .iter()
            .rposition(|r| key_of(r) != boundary)
            .map_or(limit, |i| i + 1);
        records.truncate(keep);
    } else {
        records.truncate(limit);
    }
    let next = match records.last().and_then(key_of) {
        Some(id) if more && more_allowed(ctx, records.len()) => Some(ctx.query.next_link(
            &ctx.app.base_url,
            ctx.path,
            &format!("guid'{id}'"),
            records.len(),
        )),
        _ => None,
    };
    let count = ctx.query.inlinecount.then(|| fetch(None, usize::MAX).len());
    Ok(render(ctx, &records, &props, next, count))
}

/// system/Divisions: every division of the user (a handful: no paging).
pub(crate) fn divisions(ctx: &Ctx) -> Result<Body, ApiError> {
    let props = selected(ctx, ctx.def.properties(None))?;
    let data = ctx.app.data();
    let records: Vec<Record> = ctx
        .app
        .divisions
        .iter()
        .filter_map(|code| data.division_record(*code))
        .collect();
    drop(data);
    let prefix = prefix(ctx);
    let rows: Vec<Row> = records
        .iter()
        .map(|r| {
            let mut row = to_row(ctx, &prefix, r, &props);
            if let Some(code) = r.get("Code") {
                row.uri = format!("{prefix}({code})");
            }
            row
        })
        .collect();
    let count = ctx.query.inlinecount.then_some(rows.len());
    Ok(envelope::feed(
        ctx.format,
        ctx.def.title(),
        &prefix,
        &rows,
        None,
        count,
        &ctx.updated,
    ))
}

/// current/Me: one row, as a collection (`d.results[0]`), like Exact.
pub(crate) fn me(ctx: &Ctx) -> Result<Body, ApiError> {
    let props = selected(ctx, ctx.def.properties(None))?;
    let record = ctx.app.data().me_record(ctx.division);
    let prefix = format!("{}/api/v1/current/Me", ctx.app.base_url);
    let mut row = to_row(ctx, &prefix, &record, &props);
    if let Some(user) = record.get("UserID").and_then(Value::as_str) {
        row.uri = format!("{prefix}(guid'{user}')");
    }
    Ok(envelope::feed(
        ctx.format,
        "Me",
        &prefix,
        &[row],
        None,
        None,
        &ctx.updated,
    ))
}

#[cfg(test)]
mod tests;
