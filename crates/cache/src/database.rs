//! Connections: one writer, a small pool of readers, pragmas set once at open, and the
//! transaction helpers every other module goes through.

use std::cell::Cell;
use std::ffi::c_int;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::hooks::Wal;
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use crate::error::{Context, Error, Result};
use crate::migrations;

/// How long a connection waits for a lock held by another connection or process.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// Read connections kept open between queries; more are opened on demand and dropped after use.
const POOLED_READERS: usize = 4;
/// Prepared statements kept per connection (entity upserts, queries).
const STATEMENT_CACHE: usize = 64;
/// WAL frames (pages) after a commit from which the background thread checkpoints: 32 MiB.
const CHECKPOINT_FRAMES: c_int = 8_192;
/// WAL frames after a commit from which the writer checkpoints itself and has the WAL start
/// over: 128 MiB. Background checkpoints alone never let it start over while rows keep coming
/// (see [`Checkpointer`]).
const RESTART_FRAMES: c_int = 32_768;

thread_local! {
    /// Frames in the WAL after the latest commit on this thread, from [`count_frames`].
    static WAL_FRAMES: Cell<c_int> = const { Cell::new(0) };
}

/// The writer's WAL hook: SQLite calls it on the committing thread, right after each commit.
fn count_frames(_: &Wal, frames: c_int) -> rusqlite::Result<()> {
    WAL_FRAMES.set(frames);
    Ok(())
}

/// The database file and its connections.
pub(crate) struct Database {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
    checkpointer: Checkpointer,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl Database {
    /// Opens (creating the folder and file if needed) and migrates to the newest schema.
    pub(crate) fn open(path: &Path) -> Result<Database> {
        let mut writer = open_writer(path)?;
        migrations::migrate(&mut writer, path, migrations::MIGRATIONS.len())?;
        Ok(Database {
            path: path.to_path_buf(),
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
            checkpointer: Checkpointer::start(path),
        })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` in one IMMEDIATE transaction on the writer: commit on `Ok`, roll back on `Err`
    /// (the transaction is dropped without commit, which rolls it back).
    pub(crate) fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = lock(&self.writer);
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .context("starting a write transaction")?;
        let value = f(&tx)?;
        WAL_FRAMES.set(0);
        tx.commit().context("committing a write transaction")?;
        let frames = WAL_FRAMES.get();
        if frames >= RESTART_FRAMES {
            // Copies what the background thread has not copied yet, so that the next write
            // starts the WAL over. PASSIVE never waits: while a reader holds an old snapshot
            // or the background thread is still copying, the WAL grows until a later commit
            // tries again, as it would with SQLite's own checkpoints.
            if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                tracing::warn!(error = %e, frames, "checkpointing the cache's WAL failed");
            }
        } else if frames >= CHECKPOINT_FRAMES {
            self.checkpointer.request();
        }
        Ok(value)
    }

    /// Runs `f` on a read-only connection inside one deferred transaction, so that the several
    /// queries of one answer (a page and its total) see the same snapshot.
    pub(crate) fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let pooled = lock(&self.readers).pop();
        let conn = match pooled {
            Some(conn) => conn,
            None => open_reader(&self.path)?,
        };
        let value = (|| {
            conn.execute_batch("BEGIN").context("starting a read")?;
            let value = f(&conn);
            conn.execute_batch("COMMIT").context("ending a read")?;
            value
        })();
        if conn.is_autocommit() {
            let mut readers = lock(&self.readers);
            if readers.len() < POOLED_READERS {
                readers.push(conn);
            }
        }
        value
    }
}

/// Copies committed pages from the WAL into the database file on its own thread and
/// connection, so that the writer goes on with the next batch meanwhile (checkpoints were a
/// fifth of the writer's time in a full sync, their fsync included).
///
/// These checkpoints are PASSIVE: they copy what was committed when they began and never wait.
/// The WAL starts over only when a write begins with every frame copied, which never happens
/// while batches follow one another, so past [`RESTART_FRAMES`] the writer checkpoints itself
/// between two batches; by then only the frames since the last background checkpoint are left
/// to copy.
struct Checkpointer {
    signal: Arc<(Mutex<Request>, Condvar)>,
    thread: Option<JoinHandle<()>>,
}

#[derive(Default)]
struct Request {
    wanted: bool,
    stop: bool,
}

impl Checkpointer {
    fn start(path: &Path) -> Checkpointer {
        let signal: Arc<(Mutex<Request>, Condvar)> = Arc::default();
        let shared = Arc::clone(&signal);
        let path = path.to_path_buf();
        let thread = std::thread::Builder::new()
            .name("cache-checkpoint".into())
            .spawn(move || checkpoint_loop(&path, &shared))
            .map_err(|e| tracing::warn!(error = %e, "no checkpoint thread; the writer checkpoints"))
            .ok();
        Checkpointer { signal, thread }
    }

    /// Asks for a checkpoint; requests made while one runs make one more afterwards.
    fn request(&self) {
        if self.thread.is_none() {
            return;
        }
        let (request, wake) = &*self.signal;
        lock(request).wanted = true;
        wake.notify_one();
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        let (request, wake) = &*self.signal;
        lock(request).stop = true;
        wake.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn checkpoint_loop(path: &Path, signal: &(Mutex<Request>, Condvar)) {
    let (request, wake) = signal;
    let mut conn: Option<Connection> = None;
    loop {
        {
            let mut pending = lock(request);
            while !pending.wanted && !pending.stop {
                pending = wake.wait(pending).unwrap_or_else(PoisonError::into_inner);
            }
            if pending.stop {
                return;
            }
            pending.wanted = false;
        }
        if conn.is_none() {
            conn = Connection::open(path)
                .and_then(|c| c.busy_timeout(BUSY_TIMEOUT).map(|()| c))
                .map_err(|e| tracing::warn!(error = %e, "opening the checkpoint connection"))
                .ok();
        }
        if let Some(c) = &conn
            && let Err(e) = c.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
        {
            tracing::warn!(error = %e, "checkpointing the cache's WAL failed");
        }
    }
}

/// A poisoned mutex only means another thread panicked while holding it; SQLite's own state
/// is still consistent (an unfinished transaction is rolled back when its guard drops).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The writer's page cache is 64 MiB (`cache_size = -65536`, default 2 MiB): rows arrive in
/// Timestamp order, so primary-key inserts land at random places in the GUID index, and a small
/// cache re-reads pages on every batch (measured: 2.4× slower first sync of items).
///
/// The writer never checkpoints on its own (`wal_autocheckpoint = 0`): [`Checkpointer`] does,
/// from 32 MiB of WAL, instead of SQLite's default of every 1000 pages. A batch of 1000 items
/// commits 8–15 MB, so the default checkpointed (two fsyncs, and a copy of every page) after
/// each batch; index pages rewritten by consecutive batches are now copied into the database
/// once per checkpoint. Durability is unchanged: it depends on `synchronous`, not on when
/// checkpoints run. `journal_size_limit` truncates the WAL back to 64 MiB after it starts over.
fn open_writer(path: &Path) -> Result<Connection> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|source| Error::Io {
            path: parent.to_path_buf(),
            source,
        })?;
    }
    let conn = Connection::open(path).context("opening the cache file")?;
    conn.busy_timeout(BUSY_TIMEOUT)
        .context("setting the busy timeout")?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = NORMAL;
         PRAGMA foreign_keys = ON;
         PRAGMA temp_store = MEMORY;
         PRAGMA cache_size = -65536;
         PRAGMA wal_autocheckpoint = 0;
         PRAGMA journal_size_limit = 67108864;",
    )
    .context("setting pragmas")?;
    // After the pragma, which would replace it.
    conn.wal_hook(Some(count_frames));
    rusqlite::vtab::array::load_module(&conn).context("loading rarray")?;
    Ok(conn)
}

fn open_reader(path: &Path) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(path, flags).context("opening a read connection")?;
    conn.busy_timeout(BUSY_TIMEOUT)
        .context("setting the busy timeout")?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;")
        .context("setting pragmas")?;
    // `rarray(?)`: a set computed once in Rust, used by several statements (account search).
    rusqlite::vtab::array::load_module(&conn).context("loading rarray")?;
    Ok(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn size(path: &Path) -> u64 {
        std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
    }

    /// Commits far past the restart point: the WAL stays bounded, and the pages reach the
    /// database file while the connection is still open.
    #[test]
    fn checkpoints_keep_the_wal_bounded_while_rows_keep_coming() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("cache.sqlite");
        let db = Database::open(&path).expect("opens");
        db.write(|tx| {
            tx.execute_batch("CREATE TABLE blobs (data BLOB)")
                .context("creating")
        })
        .expect("creates");
        let wal = dir.path().join("cache.sqlite-wal");
        let mut largest_wal = 0;
        // 128 commits of 4 MiB: four times the restart point.
        for _ in 0..128 {
            db.write(|tx| {
                tx.execute("INSERT INTO blobs VALUES (randomblob(4194304))", [])
                    .context("inserting")
            })
            .expect("writes");
            largest_wal = largest_wal.max(size(&wal));
        }
        // The restart point, and twice as much again for restarts missed while the background
        // thread was copying (a busy machine widens that window: with three builds beside it,
        // a run saw 2.07 times the restart point). Unbounded growth would reach 512 MiB.
        let bound = 3 * RESTART_FRAMES as u64 * (4096 + 24);
        assert!(
            largest_wal <= bound,
            "the WAL grew to {largest_wal} bytes, past {bound}"
        );
        assert!(
            size(&path) >= 128 << 20,
            "checkpoints copied the pages into the database file: {} bytes",
            size(&path)
        );
        let rows: i64 = db
            .read(|c| {
                c.query_row("SELECT count(*) FROM blobs", [], |r| r.get(0))
                    .context("counting")
            })
            .expect("reads");
        assert_eq!(rows, 128);
    }
}
