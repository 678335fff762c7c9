//! `doctor`: what works between this computer and Exact Online, in a report a user can send
//! for help. At most one call per endpoint, each asking for nothing new (a filter past every
//! record, or one row), so the checks cost a few calls of the day's budget and read no
//! customer data. The report holds no token, secret, name or record: only what was asked, what
//! Exact answered, the rate-limit headers, the clock offset, and the cache's own counts.

use exact_api::client::BodyError;
use exact_api::odata::parse_page;
use exact_api::{RateSnapshot, RequestOptions};
use offline_cache::{
    DELETED_CURSOR, ExcludedProperty, ExclusionCause, SetAsideSummary, describe_without,
};
use serde::Serialize;

use crate::engine::Engine;
use crate::plan::{PLANS, Plan, Source, deleted_select, kept_deleted_codes};

/// One check and what it found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// What was checked (`sign-in`, `Items`, ...).
    pub name: String,
    pub ok: bool,
    /// What Exact answered: a count, or its error message.
    pub detail: String,
}

/// Everything `doctor` found.
#[derive(Debug, Clone, Serialize)]
pub struct DoctorReport {
    /// Sign-in and the division list.
    pub checks: Vec<Check>,
    /// Exact's clock minus this computer's, from the `Date` header (about a second precise).
    pub clock_offset_ms: Option<i64>,
    pub divisions: Vec<DivisionReport>,
}

impl DoctorReport {
    pub fn ok(&self) -> bool {
        self.checks.iter().all(|c| c.ok) && self.divisions.iter().all(DivisionReport::ok)
    }
}

/// What `doctor` found for one division.
#[derive(Debug, Clone, Serialize)]
pub struct DivisionReport {
    pub division: i32,
    /// Every endpoint the engine reads, and the Deleted log.
    pub checks: Vec<Check>,
    /// The rate-limit headers after the checks.
    pub rate: RateSnapshot,
    /// Properties left out of reads since Exact refused them.
    pub excluded: Vec<ExcludedProperty>,
    /// Records set aside, counted by reason (no record itself).
    pub set_aside: Vec<SetAsideSummary>,
}

impl DivisionReport {
    pub fn ok(&self) -> bool {
        self.checks.iter().all(|c| c.ok)
    }
}

fn check(name: &str, result: Result<String, exact_api::Error>) -> Check {
    Check {
        name: name.to_owned(),
        ok: result.is_ok(),
        detail: result.unwrap_or_else(|e| e.to_string()),
    }
}

/// A Timestamp past every record: a sync endpoint answers an empty page, having checked the
/// select and the filter.
const PAST_EVERY_RECORD: i64 = i64::MAX - 1;

impl Engine {
    /// Checks sign-in (noting Exact's clock), the division list, and for each division every
    /// endpoint the engine reads (with the select a sync would send) and the Deleted log, then
    /// notes the rate limits.
    pub async fn doctor(&self, divisions: &[i32]) -> DoctorReport {
        let (me, clock_offset_ms) = self.sign_in().await;
        let mut checks = vec![check("sign-in", me)];
        if let Some(&first) = divisions.first() {
            let listed = self.client.divisions(first).await.and_then(|listed| {
                let missing: Vec<String> = divisions
                    .iter()
                    .filter(|d| !listed.iter().any(|l| l.i64("Code") == Some(i64::from(**d))))
                    .map(i32::to_string)
                    .collect();
                match missing.is_empty() {
                    true => Ok(format!("{} divisions may be read", listed.len())),
                    false => Err(exact_api::Error::Protocol(format!(
                        "division {} is not among the {} this sign-in may read",
                        missing.join(", "),
                        listed.len()
                    ))),
                }
            });
            checks.push(check("divisions", listed));
        }
        let mut reports = Vec::new();
        for division in divisions {
            reports.push(self.doctor_division(*division).await);
        }
        DoctorReport {
            checks,
            clock_offset_ms,
            divisions: reports,
        }
    }

    async fn doctor_division(&self, division: i32) -> DivisionReport {
        let mut checks = Vec::new();
        for plan in &PLANS {
            let name = plan.entity.as_str();
            let result = self.probe(division, plan).await;
            checks.push(check(name, result));
        }
        checks.push(check(DELETED_CURSOR, self.probe_deleted(division).await));
        let cache = std::sync::Arc::clone(&self.cache);
        let (excluded, set_aside) = tokio::task::spawn_blocking(move || {
            (
                cache.all_excluded_properties().unwrap_or_default(),
                cache.set_aside_summary().unwrap_or_default(),
            )
        })
        .await
        .unwrap_or_default();
        DivisionReport {
            division,
            rate: self.client.rate(division),
            checks,
            excluded: excluded
                .into_iter()
                .filter(|x| x.division == division)
                .collect(),
            set_aside: set_aside
                .into_iter()
                .filter(|s| s.division == division)
                .collect(),
        }
    }

    /// One call to the plan's endpoint with the select a sync sends, asking for nothing new.
    async fn probe(&self, division: i32, plan: &Plan) -> Result<String, exact_api::Error> {
        let entity = plan.entity;
        let excluded = self
            .db(move |c| c.exclusion_causes(division, entity.as_str()))
            .await
            .unwrap_or_default();
        let selected: Vec<&str> = plan
            .properties()
            .into_iter()
            .filter(|p| !excluded.iter().any(|(x, _)| x == p))
            .collect();
        let select = selected.join(",");
        let (path, filter) = match plan.source {
            Source::Sync { path, .. } => (path, format!("Timestamp gt {PAST_EVERY_RECORD}L")),
            Source::Replace { path } => (path, String::new()),
            Source::Modified { path } => (path, "Modified ge datetime'2999-12-31T00:00:00'".into()),
        };
        let mut query = vec![("$select", select.as_str())];
        match filter.is_empty() {
            true => query.push(("$top", "1")),
            false => query.push(("$filter", filter.as_str())),
        }
        let url = self.client.api_url(Some(division), path, &query);
        self.client
            .get_page(Some(division), &url, &RequestOptions::default())
            .await?;
        let mut detail = format!("answers, {} properties selected", selected.len());
        if !excluded.is_empty() {
            let too_large: Vec<String> = excluded
                .iter()
                .filter(|(_, cause)| *cause == ExclusionCause::TooLarge)
                .map(|(p, _)| p.clone())
                .collect();
            let without: Vec<String> = excluded.into_iter().map(|(p, _)| p).collect();
            detail.push_str(&format!("; {}", describe_without(&without, &too_large)));
        }
        Ok(detail)
    }

    /// One call to the Deleted log, filtered as a sync reads it, asking for nothing new.
    async fn probe_deleted(&self, division: i32) -> Result<String, exact_api::Error> {
        let unfiltered = self
            .db(move |c| c.excluded_properties(division, DELETED_CURSOR))
            .await
            .unwrap_or_default()
            .iter()
            .any(|p| p == "EntityType");
        let mut filter = format!("Timestamp gt {PAST_EVERY_RECORD}L");
        if !unfiltered {
            let types: Vec<String> = kept_deleted_codes()
                .map(|code| format!("EntityType eq {code}"))
                .collect();
            filter.push_str(&format!(" and ({})", types.join(" or ")));
        }
        let select = deleted_select();
        let url = self.client.api_url(
            Some(division),
            "sync/Deleted",
            &[("$select", select.as_str()), ("$filter", filter.as_str())],
        );
        self.client
            .get_page(Some(division), &url, &RequestOptions::default())
            .await?;
        Ok(match unfiltered {
            true => "answers, read unfiltered (Exact refused the EntityType filter before)".into(),
            false => "answers, filtered to the kept entity types".into(),
        })
    }

    /// `current/Me`: whether the sign-in works, and Exact's clock minus ours from the answer's
    /// `Date` header.
    async fn sign_in(&self) -> (Result<String, exact_api::Error>, Option<i64>) {
        let url = self
            .client
            .api_url(None, "Me", &[("$select", "CurrentDivision")]);
        let before = self.clock.now_ms();
        let answer = self
            .client
            .execute(
                None,
                &url,
                &RequestOptions::default(),
                "application/json",
                |r| {
                    let date = r
                        .headers()
                        .get("date")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| chrono::DateTime::parse_from_rfc2822(v).ok());
                    async move {
                        let body = r
                            .bytes()
                            .await
                            .map_err(|e| BodyError::Transient(e.to_string()))?;
                        let page =
                            parse_page(&body).map_err(|e| BodyError::Transient(e.to_string()))?;
                        Ok((page, date))
                    }
                },
            )
            .await;
        let after = self.clock.now_ms();
        match answer {
            Ok((page, date)) => {
                let current = page
                    .records
                    .first()
                    .and_then(|me| me.i64("CurrentDivision"));
                let detail = match current {
                    Some(current) => format!("signed in; current division {current}"),
                    None => "signed in; Exact named no current division".to_owned(),
                };
                // The header has whole seconds: compare with the middle of the call.
                let offset = date.map(|d| d.timestamp_millis() - (before + after) / 2);
                (Ok(detail), offset)
            }
            Err(e) => (Err(e), None),
        }
    }
}
