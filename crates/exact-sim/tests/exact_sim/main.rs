//! A real exact-sim on port 0, spoken to over HTTP like a real client would. Each module tests
//! the module of `src/` it is named after (`binary` the program in `src/main.rs`); `support`
//! holds the client, the sign-in and the readers every module shares.

mod admin;
mod bad_records;
mod binary;
mod data;
mod docs;
mod envelope;
mod faults;
mod limits;
mod listing;
mod oauth;
mod odata;
mod response_cap;
mod support;
