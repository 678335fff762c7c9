//! Deterministic, lazily generated Exact Online data (owned by the data work).
