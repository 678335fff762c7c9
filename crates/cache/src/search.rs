//! User search text → FTS5 query syntax.
//!
//! Every whitespace-separated term becomes a quoted string with a prefix star (`"ab-1"*`), and
//! the terms are ANDed. Inside quotes FTS5 treats everything as text (doubling `"`), so operators
//! (`OR`, `NEAR`, `-`, `:`, parentheses) in user input are searched for, never parsed. Terms
//! without any letter or digit would tokenize to nothing and are dropped.

/// The FTS5 query for `input`, or `None` when it holds nothing searchable.
pub(crate) fn fts_query(input: &str) -> Option<String> {
    let terms = fts_terms(input);
    (!terms.is_empty()).then(|| terms.join(" "))
}

/// Each searchable term of `input` as an FTS5 query of its own (ANDing them is the caller's).
pub(crate) fn fts_terms(input: &str) -> Vec<String> {
    input
        .split_whitespace()
        .filter(|t| t.chars().any(char::is_alphanumeric))
        .map(|t| format!("\"{}\"*", t.replace('"', "\"\"")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_each_term_as_a_prefix() {
        assert_eq!(fts_query("bolt M8").as_deref(), Some("\"bolt\"* \"M8\"*"));
        assert_eq!(fts_query("  ").as_deref(), None);
        assert_eq!(fts_query("-* :( ()").as_deref(), None, "no searchable text");
    }

    #[test]
    fn operators_and_quotes_stay_text() {
        assert_eq!(
            fts_query("\"unterminated OR -* :( NEAR").as_deref(),
            Some("\"\"\"unterminated\"* \"OR\"* \"NEAR\"*")
        );
        assert_eq!(fts_query("a\"b").as_deref(), Some("\"a\"\"b\"*"));
    }
}
