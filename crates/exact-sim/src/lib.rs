//! exact-sim: a simulated Exact Online.
pub mod data;
