//! The hot path of sync paging as JSON: rows generated into a reused compact record and
//! written straight into the body, without a map, a `Row` or a temporary string per record.
//! The bytes equal the `Record` path's ([`super::sync_records`]); `listing/tests.rs` holds them
//! equal.

use std::fmt::Write as _;

use serde_json::Value;

use super::{SyncPage, more_allowed, prefix, timestamp_of};
use crate::api::Ctx;
use crate::catalog::PropDef;
use crate::data::{Dataset, Entity, Variant};
use crate::envelope::{Body, JsonFeed, JsonLayout};

static NULL: Value = Value::Null;

/// One page of sync rows, as [`write_sync_json`] wrote it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncRows {
    pub rows: usize,
    /// Timestamp of the last row written.
    pub last_ts: Option<i64>,
    /// Whether rows follow after `limit`.
    pub more: bool,
}

/// Indexes into a compact record's properties (`None`: not a property of the record).
struct Positions {
    props: Vec<Option<usize>>,
    id: Option<usize>,
    ts: Option<usize>,
}

/// The sync rows [`write_sync_json`] writes: up to `limit` rows after `after_ts`, texts in `lang`
/// (the CustomDescriptionLanguage header value), each as its URI `{prefix}(guid'ID')` and then
/// `props` in order.
#[derive(Debug, Clone, Copy)]
pub struct SyncSlice<'a> {
    pub after_ts: i64,
    pub limit: usize,
    pub lang: Option<&'a str>,
    pub props: &'a [PropDef],
    pub prefix: &'a str,
}

/// The hot path of sync paging: generates the sync rows `slice` names and writes them into
/// `feed`, without building a map per record. The bytes equal [`crate::envelope::feed`] over the
/// rows of [`Dataset::sync_after`].
pub fn write_sync_json(
    feed: &mut JsonFeed,
    data: &Dataset,
    division: i32,
    entity: Entity,
    slice: &SyncSlice<'_>,
) -> SyncRows {
    let SyncSlice {
        after_ts,
        limit,
        lang,
        props,
        prefix,
    } = *slice;
    let layout = JsonLayout::new(
        entity.model_type(Variant::Sync),
        props
            .iter()
            .map(|(name, kind)| (name.as_str(), kind.is_none())),
    );
    // Where each output property, ID and Timestamp sit in the compact record: found once a page.
    let mut positions: Option<Positions> = None;
    let mut uri = String::with_capacity(prefix.len() + 48);
    let mut last_ts = None;
    let (rows, more) = data.visit_sync(division, entity, after_ts, limit, lang, |rec| {
        let at = positions.get_or_insert_with(|| Positions {
            props: props.iter().map(|(n, _)| rec.index(n)).collect(),
            id: rec.index("ID"),
            ts: rec.index("Timestamp"),
        });
        let ts = timestamp_of(at.ts.map(|i| rec.value(i)));
        uri.clear();
        match (at.id.and_then(|i| rec.value(i).as_str()), ts) {
            (Some(id), _) => {
                let _ = write!(uri, "{prefix}(guid'{id}')");
            }
            (None, Some(ts)) => {
                let _ = write!(uri, "{prefix}({ts}L)");
            }
            _ => uri.push_str(prefix),
        }
        feed.row(&layout, &uri, |i| {
            at.props[i].map_or(&NULL, |j| rec.value(j))
        });
        last_ts = ts;
    });
    SyncRows {
        rows,
        last_ts,
        more,
    }
}

/// sync/... as JSON: rows written straight into the body by [`write_sync_json`].
pub(super) fn body(ctx: &Ctx, entity: Entity, page: &SyncPage) -> Body {
    let SyncPage {
        props,
        after,
        after_filter,
        limit,
        ..
    } = page;
    let (after, after_filter, limit) = (*after, *after_filter, *limit);
    let lang = ctx.lang.as_deref();
    let data = ctx.app.data();
    let count = ctx.query.inlinecount.then(|| {
        data.visit_sync(ctx.division, entity, after_filter, usize::MAX, lang, |_| {})
            .0
    });
    let prefix = prefix(ctx);
    let mut feed = JsonFeed::new(count, limit.min(1000) * 40 * props.len().max(1));
    let written = write_sync_json(
        &mut feed,
        &data,
        ctx.division,
        entity,
        &SyncSlice {
            after_ts: after,
            limit,
            lang,
            props,
            prefix: &prefix,
        },
    );
    drop(data);
    let next =
        match written.last_ts {
            Some(ts) if written.more && more_allowed(ctx, written.rows) => Some(
                ctx.query
                    .next_link(&ctx.app.base_url, ctx.path, &format!("{ts}L"), written.rows),
            ),
            _ => None,
        };
    feed.finish(next.as_deref())
}
