//! The `exact-offline` package's tests, one module per part of `src/`: the command line as a user
//! runs it (`cli`), the list export (`table_export`), and the whole app under crashes, faults,
//! full disks and a second process (`reliability`).

mod cli;
mod reliability;
mod table_export;
