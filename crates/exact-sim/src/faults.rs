//! Faults on demand: rules that make matching calls fail in a chosen way.
//!
//! A rule matches a call when its `path` is `*` or a substring (case-insensitive) of the request
//! path. Each matching rule fires with probability `rate` (drawn from an RNG seeded from the
//! simulator seed, so a run is reproducible) until its `count` is used up. Latency rules add up;
//! of the other kinds the first rule that fires wins.
//!
//! Kinds: `status`, `burst429`, `latency`, `reset`, `truncate`, `malformed`, `revoke_access`,
//! `revoke_grant`, `spurious_401`; two that check a client's size caps: `gzip_bomb` and
//! `oversized_error`; four that spoil one record inside an otherwise good page:
//! `missing_key`, `wrong_type`, `lone_surrogate` and `oversized_value` (see [`FaultKind`] and
//! [`crate::bad_records`]); `refuse_property`; and `response_cap`, a lower cap on the size of
//! an answer (see [`crate::response_cap`]).
//!
//! A rule's `count` is used up when it fires, that is when it is drawn for a matching path,
//! whatever the answer then is: a record-spoiling rule that fires on an answer that is not a
//! 200 JSON page of records (an error, an Atom feed, a single entity, an empty page) leaves that
//! answer unchanged and still counts.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

/// What a fired rule does to the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// Answer `status` (default 503) with Exact's error body.
    Status,
    /// A minutely-style 429: only the minutely headers, empty body.
    Burst429,
    /// Wait `latency_ms` before answering normally.
    Latency,
    /// Close the connection without any response.
    Reset,
    /// Send the headers with the full Content-Length, part of the body, then close.
    Truncate,
    /// 200 with a body that is not valid JSON.
    Malformed,
    /// Invalidate the presented access token; the call gets 401.
    RevokeAccess,
    /// Kill the whole grant (access and refresh tokens); the call gets 401.
    RevokeGrant,
    /// Refuse a token that stays valid: Exact has been seen answering 401 for up to about a
    /// minute to a token it had just issued (PipedreamHQ/pipedream #1655). The call gets a 401
    /// like a revoked token's (with `WWW-Authenticate`); under `/docs/` it is answered as a
    /// download without a valid token is (a 1×1 picture, or a redirect to the login page: see
    /// [`crate::docs`]). Nothing is revoked: the same token works on the next call.
    #[serde(rename = "spurious_401")]
    Spurious401,
    /// 200 with `Content-Encoding: gzip`: a small body that inflates to `bytes` (default
    /// 100 MiB) of spaces. A decompression bomb, as a hostile server or whatever a mistyped base
    /// URL reaches could send: a client must count inflated bytes against its cap, not fail
    /// after reading them all (and not retry).
    GzipBomb,
    /// Answer `status` (default 400) with Exact's error body, its message repeated to about
    /// `bytes` (default 4 MiB): a client should read only the start of an error body and end
    /// as it would for a normal one.
    OversizedError,
    /// 200 with the normal page, except that its middle record (index `len / 2` of
    /// `d.results`) lacks its key member `ID` (or, for a record without `ID`, the member named
    /// by `property`). Exact has been seen serving a sales-order header without its `ID`: a
    /// client must set such a record aside and keep the rest of the page.
    MissingKey,
    /// 200 with the normal page, except that in its middle record the member `property`
    /// (default `Modified`) has a value of the wrong JSON type: a string (a `/Date(..)/`, a GUID)
    /// or null becomes the number 12345, a number the string `"not a number"`, a boolean the
    /// string `"maybe"`. A client must set the record aside and keep the rest of the page.
    WrongType,
    /// 200 with the normal page, except that in its middle record a string member (`property`;
    /// by default `Description` if it is a string, else the first string member that is not
    /// `ID`, `Timestamp` or `__metadata`) holds `"Bad \ud800 text"`: a lone UTF-16 high
    /// surrogate escape, which a strict JSON parser such as serde_json refuses. Exact has been
    /// seen serving a page holding a lone surrogate: a client must set that record aside and
    /// keep the rest of the page, not lose (or endlessly retry) the whole page.
    LoneSurrogate,
    /// 200 with the normal page, except that in its middle record the same string member as
    /// for `lone_surrogate` holds `bytes` (default 5 MiB) characters: one value far beyond any
    /// real one, so a client must cap what it keeps per value or set the record aside, and keep
    /// the rest of the page.
    OversizedValue,
    /// Answer 400 with Exact's error body, "Could not find a property named 'P' on type ...",
    /// to a call whose `$select` names `property` (other calls pass). The property lists the
    /// client selects from are Exact's documentation; a licence, an older database or a missing
    /// right can make Exact refuse one of them, and one refused property fails the whole call.
    /// The message is the one OData (WCF Data Services) gives for an unknown property, as this
    /// simulator answers for one.
    RefuseProperty,
    /// Answer as Exact is guessed to answer past its cap on the size of a response message
    /// (see [`crate::response_cap`]) when the normal 200 answer's body is larger than `bytes`
    /// (default 9.5 MB, the cap outside the Netherlands and Belgium): a 500 with Exact's error
    /// body, the rate-limit headers kept. A smaller answer (fewer rows, fewer properties) passes.
    /// Clearing the rules lifts the cap again.
    ResponseCap,
}

/// One rule as posted to `/_sim/faults` or given with `--fault`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultRule {
    #[serde(default = "any_path")]
    pub path: String,
    pub kind: FaultKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(default = "always")]
    pub rate: f64,
    /// How many times the rule may still fire; `None` = unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
    /// Body size of `gzip_bomb` (inflated) and `oversized_error`; value length of
    /// `oversized_value`; the largest body `response_cap` lets through.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    /// The record member that `wrong_type`, `lone_surrogate` and `oversized_value` spoil, the
    /// key `missing_key` removes from a record without `ID` (each kind's default otherwise), and
    /// the property `refuse_property` refuses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub property: Option<String>,
}

fn any_path() -> String {
    "*".to_string()
}

fn always() -> f64 {
    1.0
}

/// Body of `POST /_sim/faults`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FaultSet {
    pub rules: Vec<FaultRule>,
}

/// Parses a `--fault` value: one rule, an array of rules, or `{"rules":[...]}`.
pub fn parse_rules(text: &str) -> Result<Vec<FaultRule>, String> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("fault JSON is invalid: {e}"))?;
    let parsed = if value.is_array() {
        serde_json::from_value::<Vec<FaultRule>>(value)
    } else if value.get("rules").is_some() {
        serde_json::from_value::<FaultSet>(value).map(|s| s.rules)
    } else {
        serde_json::from_value::<FaultRule>(value).map(|r| vec![r])
    };
    parsed.map_err(|e| format!("fault JSON does not describe rules: {e}"))
}

/// The faults that fired for one call.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fired {
    /// Total extra latency from latency rules.
    pub latency_ms: u64,
    /// The first non-latency rule that fired.
    pub action: Option<FaultRule>,
}

impl Fired {
    /// True when anything fired.
    pub fn any(&self) -> bool {
        self.latency_ms > 0 || self.action.is_some()
    }
}

/// The current rule set and its RNG.
#[derive(Debug)]
pub struct Faults {
    rules: Vec<FaultRule>,
    rng: StdRng,
}

impl Faults {
    /// Rules drawn from an RNG seeded with `seed`.
    pub fn new(seed: u64, rules: Vec<FaultRule>) -> Faults {
        Faults {
            rules,
            rng: StdRng::seed_from_u64(seed ^ 0xfa17_fa17),
        }
    }

    /// Replaces the rule set (an empty list clears it).
    pub fn replace(&mut self, rules: Vec<FaultRule>) {
        self.rules = rules;
    }

    /// The current rules with their remaining counts.
    pub fn rules(&self) -> &[FaultRule] {
        &self.rules
    }

    /// Decides which rules fire for a call to `path`.
    pub fn roll(&mut self, path: &str) -> Fired {
        let lower = path.to_ascii_lowercase();
        let mut fired = Fired::default();
        for rule in &mut self.rules {
            let matches = rule.path == "*" || lower.contains(&rule.path.to_ascii_lowercase());
            if !matches || rule.count == Some(0) {
                continue;
            }
            if rule.kind != FaultKind::Latency && fired.action.is_some() {
                continue;
            }
            if rule.rate < 1.0 && self.rng.random::<f64>() >= rule.rate {
                continue;
            }
            if let Some(n) = rule.count.as_mut() {
                *n -= 1;
            }
            if rule.kind == FaultKind::Latency {
                fired.latency_ms += rule.latency_ms.unwrap_or(1000);
            } else {
                fired.action = Some(rule.clone());
            }
        }
        fired
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn count_limits_firing_and_path_must_match() {
        let rules =
            parse_rules(r#"{"path":"sync/Logistics","kind":"status","status":503,"count":2}"#)
                .expect("one rule parses");
        let mut faults = Faults::new(1, rules);
        assert!(
            !faults.roll("/api/v1/1/crm/Accounts").any(),
            "other paths are untouched"
        );
        assert!(
            faults
                .roll("/api/v1/1/sync/logistics/Items")
                .action
                .is_some(),
            "case-insensitive match"
        );
        assert!(
            faults
                .roll("/api/v1/1/sync/Logistics/Items")
                .action
                .is_some()
        );
        assert!(
            !faults.roll("/api/v1/1/sync/Logistics/Items").any(),
            "count 2 is used up"
        );
    }

    #[test]
    fn a_response_cap_rule_parses_with_its_bytes() {
        let rules = parse_rules(r#"{"path":"sync/Documents","kind":"response_cap","bytes":5000}"#)
            .expect("the kind parses");
        assert_eq!(rules[0].kind, FaultKind::ResponseCap);
        assert_eq!(rules[0].bytes, Some(5_000));
    }

    #[test]
    fn spurious_401_is_spelled_with_an_underscore() {
        let rules = parse_rules(r#"{"kind":"spurious_401","count":1}"#).expect("the kind parses");
        assert_eq!(rules[0].kind, FaultKind::Spurious401);
    }

    #[test]
    fn rate_is_deterministic_per_seed() {
        let rules =
            parse_rules(r#"[{"path":"*","kind":"reset","rate":0.5}]"#).expect("array parses");
        let run = |seed| {
            let mut f = Faults::new(seed, rules.clone());
            (0..64).map(|_| f.roll("/x").any()).collect::<Vec<_>>()
        };
        assert_eq!(run(9), run(9), "same seed, same sequence");
        let hits = run(9).iter().filter(|h| **h).count();
        assert!(
            (10..54).contains(&hits),
            "rate 0.5 fires about half the time, got {hits}/64"
        );
    }
}
