//! exact-record: Exact Online records as plain data, shared by the client that reads them, the
//! engine that checks them and the cache that stores them, without any HTTP.
//!
//! - [`Record`]: every property Exact sent, with tolerant typed accessors.
//! - [`RawRecord`]: a record kept as its JSON text, with the properties a consumer reads parsed.
//! - [`dates`]: Exact's `/Date(ms)/`, wall-clock time in the Netherlands written as if UTC.

pub mod dates;
pub mod raw;
pub mod record;

pub use raw::RawRecord;
pub use record::Record;
