//! exact-api: a client for the Exact Online REST API that keeps Exact's rules.
//!
//! - Regions and a base-URL override ([`Region`]); OAuth2 authorization code flow with a loopback
//!   redirect ([`OAuth`], [`Loopback`]).
//! - Token lifecycle ([`Session`]): the rotated refresh token is persisted before use, one refresh
//!   at a time (in process and across processes), refresh only in the last 30 s or after a 401,
//!   a broken chain becomes [`Error::AuthRequired`]. A 401 to a token issued less than a minute
//!   ago is tried once more after 2 s before any refresh; a wait for Exact's 570 s refresh rule is
//!   readable while it lasts ([`RefreshWait`]); downloads never wait for that rule ([`renewal`]).
//! - Pacing from Exact's rate-limit headers ([`Pacer`]): we never cause a 429; a spent daily budget
//!   stops cleanly with [`Error::DailyLimit`].
//! - Bounded retries with backoff and jitter for 5xx, network failures and unreadable bodies;
//!   other 4xx are never retried.
//! - Every body is read with a cap on its inflated size ([`body`]): a gzip bomb or a wrong base
//!   URL cannot exhaust memory.
//! - One [`Error`], classified once ([`Error::kind`], [`ErrorKind`]): callers build their codes
//!   and retry decisions from the kind, never from the variants.
//! - OData paging that follows `__next` verbatim ([`Pager`]) and tolerant parsing into
//!   [`Record`]s that keep every property Exact sent.
//!
//! This crate never depends on the simulator outside its tests: two independent implementations
//! of the protocol catch each other's mistakes.

pub mod body;
pub mod client;
pub mod clock;
pub mod download;
pub mod error;
pub mod loopback;
pub mod oauth;
pub mod odata;
pub mod pacing;
pub mod pager;
pub mod region;
pub mod renewal;
pub mod salvage;
pub mod session;
pub mod tokens;

pub use exact_record::{dates, record};

pub use client::{
    Charge, ClientConfig, DIVISIONS_SELECT, ExactClient, ME_SELECT, RequestOptions, RetryPolicy,
};
pub use clock::{Clock, ScaledClock, SharedClock, SystemClock};
pub use download::{Download, Fetched, Validators};
pub use error::{Error, ErrorKind, Result};
pub use loopback::Loopback;
pub use oauth::{AppCredentials, OAuth};
pub use odata::{Page, PropertyFilter, RawPage, RawRecord};
pub use pacing::{Pacer, RateSnapshot};
pub use pager::Pager;
pub use record::Record;
pub use region::Region;
pub use renewal::{RefreshWait, WaitReason};
pub use salvage::Unreadable;
pub use session::{Session, TokenStatus};
pub use tokens::{
    FileTokenStore, StoreKind, StorePreference, TokenFiles, TokenSet, TokenStore, open_store,
};
