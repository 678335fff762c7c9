//! The pure part of a sync: which endpoint feeds which table, and how pages become batches.
//!
//! Nothing here does I/O, so the rules that keep the cache correct are tested directly:
//! - within a page, a record delivered twice keeps its highest `Timestamp`;
//! - a batch is at most `batch_size` records (the user's "records per transaction"); the
//!   pipeline also takes what is held between two pages when no next page has loaded;
//! - a batch carries a cursor only when every page up to that cursor is complete in the
//!   batches applied so far, so a crash after any batch resumes without skipping a record;
//! - a full resync that was begun and interrupted is continued as one (`choose_pass`), so
//!   its sweep is not lost.

use std::collections::{HashMap, VecDeque};

use exact_api::Record;
use offline_cache::{Entity, PreparedRecord};

/// How an entity is read from Exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A sync endpoint, incremental by `Timestamp`, deletions from `sync/Deleted`.
    Sync {
        path: &'static str,
        deleted_code: i32,
    },
    /// A small master without a sync endpoint, read whole and replaced.
    Replace { path: &'static str },
    /// A function endpoint filtered by `Modified ge datetime'..'` (item extra fields): read
    /// from the last run's latest `Modified`; not in the Deleted log (rows go with their item).
    Modified { path: &'static str },
}

/// One entity the engine syncs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    pub entity: Entity,
    pub source: Source,
    /// Field-list file and endpoint label in `exact-fields` (for the `$select`).
    pub fields: (&'static str, &'static str),
}

/// Every entity in sync order: masters first, then the records that refer to them.
pub const PLANS: [Plan; 13] = [
    Plan {
        entity: Entity::ItemGroups,
        source: Source::Replace {
            path: "logistics/ItemGroups",
        },
        fields: ("ItemGroups", "regular"),
    },
    Plan {
        entity: Entity::Units,
        source: Source::Replace {
            path: "logistics/Units",
        },
        fields: ("Units", "regular"),
    },
    Plan {
        entity: Entity::Items,
        source: Source::Sync {
            path: "sync/Logistics/Items",
            deleted_code: 9,
        },
        fields: ("Items", "sync"),
    },
    Plan {
        entity: Entity::Accounts,
        source: Source::Sync {
            path: "sync/CRM/Accounts",
            deleted_code: 2,
        },
        fields: ("Accounts", "sync"),
    },
    Plan {
        entity: Entity::Contacts,
        source: Source::Sync {
            path: "sync/CRM/Contacts",
            deleted_code: 5,
        },
        fields: ("Contacts", "sync"),
    },
    Plan {
        entity: Entity::Addresses,
        source: Source::Sync {
            path: "sync/CRM/Addresses",
            deleted_code: 3,
        },
        fields: ("Addresses", "sync"),
    },
    Plan {
        entity: Entity::Documents,
        source: Source::Sync {
            path: "sync/Documents/Documents",
            deleted_code: 6,
        },
        fields: ("Documents", "sync"),
    },
    Plan {
        entity: Entity::DocumentAttachments,
        source: Source::Sync {
            path: "sync/Documents/DocumentAttachments",
            deleted_code: 4,
        },
        fields: ("DocumentAttachments", "sync"),
    },
    Plan {
        entity: Entity::ItemExtraFields,
        source: Source::Modified {
            path: "read/logistics/ItemExtraField",
        },
        fields: ("ItemExtraField", "read"),
    },
    Plan {
        entity: Entity::SalesItemPrices,
        source: Source::Sync {
            path: "sync/Logistics/SalesItemPrices",
            deleted_code: 8,
        },
        fields: ("SalesItemPrices", "sync"),
    },
    Plan {
        entity: Entity::StockPositions,
        source: Source::Sync {
            path: "sync/Inventory/StockPositions",
            deleted_code: 15,
        },
        fields: ("StockPositions", "sync"),
    },
    Plan {
        entity: Entity::SalesOrderHeaders,
        source: Source::Sync {
            path: "sync/SalesOrder/SalesOrderHeaders",
            deleted_code: 32,
        },
        fields: ("SalesOrders", "sync_headers"),
    },
    Plan {
        entity: Entity::SalesOrderLines,
        source: Source::Sync {
            path: "sync/SalesOrder/SalesOrderLines",
            deleted_code: 33,
        },
        fields: ("SalesOrders", "sync_lines"),
    },
];

impl Plan {
    /// `$select` of every plain property the endpoint returns (never a navigation or complex
    /// one: see `exact_fields::Property::is_plain`).
    /// Binary properties (`Picture`, `Logo`, `Attachment`) are left out: they are write-only or
    /// would put whole images into every page (a 1 000-row page with logos can pass Exact's
    /// response cap); pictures and files are fetched from their URLs instead.
    pub fn select(&self) -> String {
        self.properties().join(",")
    }

    /// The properties this plan selects, in Exact's order.
    pub fn properties(&self) -> Vec<&'static str> {
        exact_fields::entity(self.fields.0)
            .map(|e| {
                e.properties_for(self.fields.1)
                    .into_iter()
                    .filter(|p| p.is_plain() && p.kind() != "Binary")
                    .map(|p| p.name.as_str())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// `$select` for `sync/Deleted`.
pub fn deleted_select() -> String {
    exact_fields::entity("Deleted")
        .map(|e| e.select_all("sync"))
        .unwrap_or_default()
}

/// The Deleted `EntityType` codes of the entities the engine keeps.
pub fn kept_deleted_codes() -> impl Iterator<Item = i32> {
    PLANS.iter().filter_map(|p| match p.source {
        Source::Sync { deleted_code, .. } => Some(deleted_code),
        _ => None,
    })
}

/// The table a Deleted `EntityType` code refers to, if we keep that entity.
pub fn entity_for_deleted_code(code: i64) -> Option<Entity> {
    PLANS.iter().find_map(|p| match p.source {
        Source::Sync { deleted_code, .. } if i64::from(deleted_code) == code => Some(p.entity),
        _ => None,
    })
}

/// Exact keeps its Deleted log about two months; a cursor older than this needs a full resync.
/// (Exact says "about two months"; resync a little before that, to be safe.)
pub(crate) const DELETED_LOG_KEEPS_MS: i64 = 45 * 24 * 3_600_000;

/// How this run reads a division's entities.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pass {
    /// The run reading: set-aside records are noted as seen by it.
    pub(crate) run: i64,
    /// Full passes mark every row they read with it and then sweep the rows not marked.
    pub(crate) generation: Option<i64>,
    /// Read from the beginning whatever the cursor says (a refresh with incremental sync off);
    /// a full resync reads from its cursors, which it reset when it began.
    pub(crate) from_start: bool,
}

impl Pass {
    /// Whether this pass is a full resync, whose mark is cleared once it succeeds.
    pub(crate) fn is_full_resync(&self) -> bool {
        self.generation.is_some() && !self.from_start
    }
}

/// What the cache holds about a division's resync when its run starts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct ResyncState {
    /// When the Deleted log was last read to its end (UTC ms), if ever.
    pub(crate) deletions_read_ms: Option<i64>,
    /// A full resync is marked as pending.
    pub(crate) pending: bool,
    /// The generation of a full resync that was begun and not finished.
    pub(crate) generation: Option<i64>,
}

/// The pass a division's run reads with, and whether a full resync must be begun (cursors
/// reset, the mark stored) before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PassChoice {
    pub(crate) pass: Pass,
    pub(crate) begin_resync: bool,
}

/// Chooses how run `run` reads a division at `now_ms`. A full resync that was begun (a move, a
/// stale log, the user's request) and interrupted is continued from its cursors with its
/// generation, so its sweep is not lost and the rows it read are not read again; one begun by
/// an older version (marked pending without a generation) is begun afresh. `full` is the
/// user's request or a moved division; with `incremental` off, every run reads everything and
/// sweeps what vanished.
pub(crate) fn choose_pass(
    run: i64,
    now_ms: i64,
    state: ResyncState,
    full: bool,
    incremental: bool,
) -> PassChoice {
    let stale = state
        .deletions_read_ms
        .is_some_and(|at| now_ms - at > DELETED_LOG_KEEPS_MS);
    let (generation, from_start, begin_resync) = match state.generation {
        Some(generation) => (Some(generation), false, false),
        None if full || stale || state.pending => (Some(run), false, true),
        None if !incremental => (Some(run), true, false),
        None => (None, false, false),
    };
    PassChoice {
        pass: Pass {
            run,
            generation,
            from_start,
        },
        begin_resync,
    }
}

/// What batching reads of a record: its ID and its `Timestamp`.
pub trait Keyed {
    fn id(&self) -> Option<String>;
    fn timestamp(&self) -> Option<i64>;
}

impl Keyed for Record {
    fn id(&self) -> Option<String> {
        Record::id(self)
    }

    fn timestamp(&self) -> Option<i64> {
        Record::timestamp(self)
    }
}

impl Keyed for PreparedRecord {
    fn id(&self) -> Option<String> {
        self.fields().id()
    }

    fn timestamp(&self) -> Option<i64> {
        self.fields().timestamp()
    }
}

/// Keeps one record per ID (the highest `Timestamp`), ordered by Timestamp then ID so that the
/// result does not depend on the order Exact sent. Records without an ID are returned apart.
pub fn dedupe_page<T: Keyed>(records: Vec<T>) -> (Vec<T>, usize) {
    let mut by_id: HashMap<String, T> = HashMap::with_capacity(records.len());
    let mut without_id = 0;
    for record in records {
        let Some(id) = record.id() else {
            without_id += 1;
            continue;
        };
        match by_id.get(&id) {
            Some(kept) if kept.timestamp() >= record.timestamp() => {}
            _ => {
                by_id.insert(id, record);
            }
        }
    }
    let mut kept: Vec<(i64, String, T)> = by_id
        .into_iter()
        .map(|(id, r)| (r.timestamp().unwrap_or(0), id, r))
        .collect();
    kept.sort_unstable_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    (kept.into_iter().map(|(_, _, r)| r).collect(), without_id)
}

/// Records to apply in one transaction, and the cursor the transaction may move to.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch<T = Record> {
    pub records: Vec<T>,
    pub cursor: Option<i64>,
}

/// Cuts a stream of pages into batches of at most `size` records.
#[derive(Debug)]
pub struct Batcher<T = Record> {
    size: usize,
    buffer: Vec<T>,
    /// For each completed page still (partly) in the buffer: its end offset and highest Timestamp.
    pages: VecDeque<(usize, i64)>,
    /// Highest Timestamp of a completed page whose rows have all been handed out.
    released: Option<i64>,
}

impl<T: Keyed> Batcher<T> {
    pub fn new(size: usize) -> Self {
        Batcher {
            size: size.max(1),
            buffer: Vec::new(),
            pages: VecDeque::new(),
            released: None,
        }
    }

    /// Adds one complete page and returns the batches that are full. `set_aside` is the highest
    /// `Timestamp` of the page's records that were set aside instead: the cursor moves past
    /// them as past the stored ones.
    pub fn push_page(&mut self, records: Vec<T>, set_aside: Option<i64>) -> Vec<Batch<T>> {
        let raw_max = records
            .iter()
            .filter_map(Keyed::timestamp)
            .max()
            .max(set_aside);
        let (records, _) = dedupe_page(records);
        self.buffer.extend(records);
        if let Some(max) = raw_max {
            self.pages.push_back((self.buffer.len(), max));
        }
        let mut ready = Vec::new();
        while self.buffer.len() >= self.size {
            ready.push(self.take(self.size));
        }
        ready
    }

    /// The records held, after the last page or between two pages; `None` when there is
    /// nothing to store (no records and no cursor to move).
    pub fn finish(&mut self) -> Option<Batch<T>> {
        let batch = self.take(self.buffer.len());
        (!batch.records.is_empty() || batch.cursor.is_some()).then_some(batch)
    }

    fn take(&mut self, n: usize) -> Batch<T> {
        let records: Vec<T> = self.buffer.drain(..n).collect();
        // Pages that end within the taken records are complete in this batch.
        while let Some(&(end, max)) = self.pages.front() {
            if end > n {
                break;
            }
            self.released = Some(self.released.map_or(max, |r| r.max(max)));
            self.pages.pop_front();
        }
        for page in &mut self.pages {
            page.0 -= n;
        }
        Batch {
            records,
            cursor: self.released.take(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rec(id: u32, ts: i64) -> Record {
        let value = json!({ "ID": format!("00000000-0000-0000-0000-{id:012}"), "Timestamp": ts });
        match value {
            serde_json::Value::Object(m) => Record(m),
            _ => unreachable!("an object literal"),
        }
    }

    fn page(range: std::ops::Range<u32>, ts_base: i64) -> Vec<Record> {
        range.map(|i| rec(i, ts_base + i64::from(i))).collect()
    }

    #[test]
    fn dedupe_keeps_the_highest_timestamp() {
        let (kept, missing) = dedupe_page(vec![rec(1, 10), rec(2, 5), rec(1, 30), rec(1, 20)]);
        assert_eq!(kept.len(), 2);
        assert_eq!(
            kept.iter().map(|r| r.timestamp()).collect::<Vec<_>>(),
            vec![Some(5), Some(30)]
        );
        assert_eq!(missing, 0);
        let no_id = Record(serde_json::Map::new());
        assert_eq!(dedupe_page(vec![no_id, rec(3, 1)]).1, 1);
    }

    #[test]
    fn batches_never_carry_a_cursor_past_an_incomplete_page() {
        let mut b = Batcher::new(1500);
        assert!(
            b.push_page(page(0..1000, 0), None).is_empty(),
            "1 000 rows do not fill a batch of 1 500"
        );
        let ready = b.push_page(page(1000..2000, 0), None);
        assert_eq!(ready.len(), 1);
        assert_eq!(ready[0].records.len(), 1500);
        assert_eq!(
            ready[0].cursor,
            Some(999),
            "only the first page is complete in this batch"
        );
        let rest = b.finish().expect("the rest");
        assert_eq!(rest.records.len(), 500);
        assert_eq!(rest.cursor, Some(1999));
    }

    #[test]
    fn small_batches_release_the_cursor_with_the_pages_last_rows() {
        let mut b = Batcher::new(400);
        let ready = b.push_page(page(0..1000, 100), None);
        assert_eq!(
            ready.iter().map(|x| x.records.len()).collect::<Vec<_>>(),
            vec![400, 400]
        );
        assert!(
            ready.iter().all(|x| x.cursor.is_none()),
            "the page is not fully applied yet"
        );
        let last = b.finish().expect("the rest");
        assert_eq!((last.records.len(), last.cursor), (200, Some(1099)));
    }

    #[test]
    fn exact_fill_releases_at_once_and_empty_pages_still_move_nothing() {
        let mut b = Batcher::new(1000);
        let ready = b.push_page(page(0..1000, 0), None);
        assert_eq!(ready[0].cursor, Some(999));
        assert!(b.push_page(Vec::new(), None).is_empty());
        assert_eq!(b.finish(), None);
    }

    #[test]
    fn every_record_is_emitted_once_for_any_batch_size() {
        for size in [1, 7, 999, 1000, 1001, 2500, 10_000] {
            let mut b = Batcher::new(size);
            let mut out = Vec::new();
            for p in 0..5 {
                out.extend(b.push_page(page(p * 1000..(p + 1) * 1000, 0), None));
            }
            out.extend(b.finish());
            let total: usize = out.iter().map(|x| x.records.len()).sum();
            assert_eq!(total, 5000, "size {size}");
            assert!(out.iter().all(|x| x.records.len() <= size));
            assert_eq!(out.last().and_then(|x| x.cursor), Some(4999), "size {size}");
            let cursors: Vec<i64> = out.iter().filter_map(|x| x.cursor).collect();
            assert!(
                cursors.windows(2).all(|w| w[0] < w[1]),
                "cursors only move forward"
            );
        }
    }

    #[test]
    fn taking_what_is_held_between_pages_keeps_every_record_and_a_safe_cursor() {
        // Pages of 1 000 rows whose Timestamps equal their row numbers; after some pages the
        // pipeline takes what is held (no next page loaded yet).
        for size in [1, 999, 1000, 2500, 5000] {
            for flush_after in [&[0usize, 1, 2, 3, 4][..], &[1, 3], &[2]] {
                let mut b = Batcher::new(size);
                let mut out = Vec::new();
                for p in 0..5 {
                    out.extend(b.push_page(page(p * 1000..(p + 1) * 1000, 0), None));
                    if flush_after.contains(&(p as usize)) {
                        let held = b.finish();
                        if let Some(batch) = &held {
                            assert_eq!(
                                batch.cursor,
                                Some(p as i64 * 1000 + 999),
                                "between pages everything held is complete: size {size}"
                            );
                        }
                        out.extend(held);
                    }
                }
                out.extend(b.finish());
                let rows: Vec<i64> = out
                    .iter()
                    .flat_map(|x| x.records.iter().filter_map(Keyed::timestamp))
                    .collect();
                assert_eq!(rows, (0..5000).collect::<Vec<i64>>(), "size {size}");
                assert!(out.iter().all(|x| x.records.len() <= size));
                let cursors: Vec<i64> = out.iter().filter_map(|x| x.cursor).collect();
                assert!(cursors.windows(2).all(|w| w[0] < w[1]));
                assert_eq!(cursors.last(), Some(&4999));
            }
        }
    }

    const RUN: i64 = 40;
    const NOW: i64 = 1_750_000_000_000;

    fn pass(generation: Option<i64>, from_start: bool) -> Pass {
        Pass {
            run: RUN,
            generation,
            from_start,
        }
    }

    #[test]
    fn an_interrupted_full_resync_is_continued_with_its_generation() {
        let state = ResyncState {
            deletions_read_ms: Some(NOW - 2 * DELETED_LOG_KEEPS_MS),
            pending: true,
            generation: Some(31),
        };
        for (full, incremental) in [(false, true), (true, true), (false, false)] {
            let choice = choose_pass(RUN, NOW, state, full, incremental);
            assert_eq!(
                choice.pass,
                pass(Some(31), false),
                "continued whatever else asks (full {full}, incremental {incremental}), so its sweep keeps the rows it marked"
            );
            assert!(!choice.begin_resync, "begun already: its cursors stay");
            assert!(choice.pass.is_full_resync());
        }
    }

    #[test]
    fn a_request_a_stale_log_or_a_pending_mark_begins_a_full_resync() {
        let asked = [
            (true, ResyncState::default()),
            (
                false,
                ResyncState {
                    deletions_read_ms: Some(NOW - DELETED_LOG_KEEPS_MS - 1),
                    ..ResyncState::default()
                },
            ),
            (
                false,
                ResyncState {
                    pending: true,
                    ..ResyncState::default()
                },
            ),
        ];
        for (full, state) in asked {
            for incremental in [true, false] {
                let choice = choose_pass(RUN, NOW, state, full, incremental);
                assert_eq!(
                    choice,
                    PassChoice {
                        pass: pass(Some(RUN), false),
                        begin_resync: true
                    },
                    "{state:?}, full {full}: a resync marked with this run, from reset cursors"
                );
                assert!(choice.pass.is_full_resync());
            }
        }
    }

    #[test]
    fn a_deleted_log_read_within_its_keep_needs_no_resync() {
        let state = ResyncState {
            deletions_read_ms: Some(NOW - DELETED_LOG_KEEPS_MS),
            ..ResyncState::default()
        };
        let choice = choose_pass(RUN, NOW, state, false, true);
        assert_eq!(
            choice,
            PassChoice {
                pass: pass(None, false),
                begin_resync: false
            },
            "exactly the keep is not yet older than the log"
        );
        assert!(!choice.pass.is_full_resync());
    }

    #[test]
    fn without_incremental_sync_every_run_reads_everything_and_sweeps() {
        let choice = choose_pass(RUN, NOW, ResyncState::default(), false, false);
        assert_eq!(
            choice,
            PassChoice {
                pass: pass(Some(RUN), true),
                begin_resync: false
            },
            "read from the start, marked with this run, no resync mark to store"
        );
        assert!(
            !choice.pass.is_full_resync(),
            "no resync mark to clear after it"
        );
    }

    #[test]
    fn deleted_codes_map_to_tables() {
        assert_eq!(entity_for_deleted_code(9), Some(Entity::Items));
        assert_eq!(entity_for_deleted_code(2), Some(Entity::Accounts));
        assert_eq!(
            entity_for_deleted_code(4),
            Some(Entity::DocumentAttachments)
        );
        assert_eq!(entity_for_deleted_code(8), Some(Entity::SalesItemPrices));
        assert_eq!(entity_for_deleted_code(15), Some(Entity::StockPositions));
        assert_eq!(entity_for_deleted_code(32), Some(Entity::SalesOrderHeaders));
        assert_eq!(entity_for_deleted_code(33), Some(Entity::SalesOrderLines));
        assert_eq!(
            entity_for_deleted_code(13),
            None,
            "sales invoices are not kept"
        );
        assert!(
            PLANS.iter().all(|p| !p.select().is_empty()),
            "every plan has a $select"
        );
    }
}
