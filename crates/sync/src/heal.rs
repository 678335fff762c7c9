//! A read that Exact refuses or cannot serve heals itself, by asking for less.
//!
//! A refused `$select`: the property lists come from Exact's documentation, and a licence, an
//! older database or a missing right can make Exact refuse a documented property; one refused
//! property fails the whole call, so without this a first sync could fail for good. When
//! Exact's 400 names a property the engine selected and does not need for its own columns, the
//! read is tried again without it.
//!
//! A page too large to serve: Exact caps a response message (38 MB in the Netherlands and
//! Belgium, 9.5 MB elsewhere) and does not document what it answers past the cap. When a read
//! fails as such a page would (see [`exact_api::Error::may_be_too_large`]: a server error or a
//! body cut off, after the client's retries), it is tried once more without the entity's
//! [`LARGE_TEXT`] properties; without them a page is a fraction of its size, so the same page
//! that always failed goes through. Left out only if that read gets at least one page: a
//! failure that stays without them was not the size.
//!
//! Either way the exclusion is kept with its cause (see `offline_cache::ExcludedProperty`)
//! and reported, until a full resync asks for the property again.

use offline_cache::{Entity, ExclusionCause};

use crate::division::DivisionRun;
use crate::failure::Failure;
use crate::pipeline::{Tally, read_names};
use crate::plan::{Plan, Source};
use crate::progress::Phase;
use crate::report::ErrorCode;

/// Properties healed away per entity and run at most: each refusal is one of the ten errors
/// per endpoint per hour after which Exact blocks an app.
pub(crate) const MAX_HEALS: usize = 3;

/// The large text properties of each entity: free text of unbounded length, which a user can
/// fill with pages (a document's body, notes, remarks), so that a page of 1 000 records with
/// them can pass Exact's cap while the same records without them are a fraction of it. Each is
/// a plain string of the entity's endpoint that neither the cache's typed columns, the asset
/// jobs nor the engine read (`large_text_is_optional_free_text_of_the_endpoint`). Not listed:
/// descriptions (short, and some are columns: `Description`, Items' `ExtraDescription`),
/// the user-definable `FreeTextField_NN` (short fields), and descriptions copied from linked
/// records (`ItemDescription`, ...), which are as short as their source.
pub(crate) const LARGE_TEXT: [(Entity, &[&str]); 8] = [
    // The text of a letter, an e-mail or a scan's recognised text, HTML included: the largest
    // free text in Exact, on 1 000-row pages.
    (Entity::Documents, &["Body"]),
    // The free-form notes of an item ("Notes" tab).
    (Entity::Items, &["Notes"]),
    // The free-form notes of an item group.
    (Entity::ItemGroups, &["Notes"]),
    // An account's remarks (shown on sales orders when `ShowRemarkForSales` is set).
    (Entity::Accounts, &["Remarks"]),
    // A contact's notes, and the notes searchable for marketing campaigns.
    (Entity::Contacts, &["Notes", "MarketingNotes"]),
    // The free-form notes of an address.
    (Entity::Addresses, &["Notes"]),
    // An order's notes and its remarks (printed on the order).
    (Entity::SalesOrderHeaders, &["Notes", "Remarks"]),
    // The free-form notes of an order line.
    (Entity::SalesOrderLines, &["Notes"]),
];

/// The entity's large text properties (see [`LARGE_TEXT`]); none for most.
pub(crate) fn large_text(entity: Entity) -> &'static [&'static str] {
    LARGE_TEXT
        .iter()
        .find(|(e, _)| *e == entity)
        .map_or(&[], |(_, names)| names)
}

/// The selected property a refusal names, if it is one the engine can do without: Exact's
/// message quotes it (`Could not find a property named 'Barcode' on type '...'`).
pub(crate) fn refused_property<'s>(
    failure: &Failure,
    selected: &[&'s str],
    needed: &[&str],
) -> Option<&'s str> {
    if failure.code != ErrorCode::Refused || !failure.message.contains("(400)") {
        return None;
    }
    let quoted: Vec<&str> = failure.message.split('\'').skip(1).step_by(2).collect();
    selected
        .iter()
        .copied()
        .find(|name| quoted.contains(name) && !needed.contains(name))
}

/// The large text properties to leave out after `failure`, if it may be a page too large for
/// Exact to serve: those of the entity that are still selected (none when they were left out
/// already: then it was not their size).
fn oversized<'s>(failure: &Failure, entity: Entity, selected: &[&'s str]) -> Vec<&'s str> {
    if !failure.may_be_too_large {
        return Vec::new();
    }
    let large = large_text(entity);
    selected
        .iter()
        .copied()
        .filter(|p| large.contains(p))
        .collect()
}

/// The large text properties left out after a failure in this run.
struct Shrink {
    properties: Vec<String>,
    /// Exact's message of the failure, kept as the exclusions' reason.
    reason: String,
    /// Whether a read without them got at least one page.
    fitted: bool,
}

/// How to heal a failed read.
#[derive(Debug, PartialEq)]
enum Heal {
    /// Read again without this property Exact refused.
    Refused(&'static str),
    /// Read again without these large text properties.
    TooLarge(Vec<&'static str>),
}

/// What one entity's read has left out so far, and what its failed reads cost.
struct Healing {
    /// Left out with their causes: those stored before this run, then those of this run.
    excluded: Vec<(String, ExclusionCause)>,
    /// Refused properties left out in this run.
    healed: usize,
    /// The calls of the reads that failed and were healed.
    failed_calls: u64,
    /// The large text left out in this run, if it was.
    shrink: Option<Shrink>,
}

impl Healing {
    /// The properties the next read selects: the plan's, less those left out.
    fn selected(&self, plan: &Plan) -> Vec<&'static str> {
        plan.properties()
            .into_iter()
            .filter(|p| !self.excluded.iter().any(|(x, _)| x == p))
            .collect()
    }

    /// How to heal `failure` of a read that selected `selected`, if it can be healed: a
    /// refused property while fewer than [`MAX_HEALS`] were, otherwise the large text once.
    fn heal(
        &self,
        failure: &Failure,
        entity: Entity,
        selected: &[&'static str],
        needed: &[&str],
    ) -> Option<Heal> {
        if self.healed < MAX_HEALS
            && let Some(property) = refused_property(failure, selected, needed)
        {
            return Some(Heal::Refused(property));
        }
        if self.shrink.is_some() {
            return None;
        }
        let large = oversized(failure, entity, selected);
        (!large.is_empty()).then_some(Heal::TooLarge(large))
    }

    /// Puts the calls and what was left out into the entity's tally.
    fn report(self, tally: &mut Tally) {
        tally.calls += self.failed_calls;
        tally.too_large = self
            .excluded
            .iter()
            .filter(|(_, cause)| *cause == ExclusionCause::TooLarge)
            .map(|(p, _)| p.clone())
            .collect();
        tally.without = self.excluded.into_iter().map(|(p, _)| p).collect();
    }
}

impl DivisionRun<'_> {
    /// Reads one entity without the properties left out before; a property Exact refuses now,
    /// or a page it cannot serve, is healed as the module docs tell.
    pub(crate) async fn read_healing(&self, plan: &Plan, tally: &mut Tally) -> Result<(), Failure> {
        let entity = plan.entity;
        // Shown at once, so that a wait inside its first call is shown on it.
        self.emit(entity.as_str(), Phase::Fetching, tally, None, None);
        let mut healing = Healing {
            excluded: self.exclusions(entity).await,
            healed: 0,
            failed_calls: 0,
            shrink: None,
        };
        let needed = read_names(entity);
        let mut result = loop {
            let selected = healing.selected(plan);
            tally.calls = 0;
            let result = self.read_once(plan, &selected.join(","), tally).await;
            if let Some(shrink) = &mut healing.shrink {
                shrink.fitted |= result.is_ok() || tally.calls > 0;
            }
            let Err(f) = &result else {
                break result;
            };
            match healing.heal(f, entity, &selected, &needed) {
                Some(Heal::Refused(property)) => {
                    tracing::warn!(division = self.division, %entity, property, reason = %f.message, "Exact refused a property; reading without it");
                    self.keep_exclusion(entity, property, ExclusionCause::Refused, &f.message)
                        .await;
                    healing
                        .excluded
                        .push((property.to_owned(), ExclusionCause::Refused));
                    healing.healed += 1;
                }
                Some(Heal::TooLarge(large)) => {
                    tracing::warn!(division = self.division, %entity, properties = ?large, reason = %f.message, "a page failed as one too large for Exact would; reading without the large text properties");
                    let large: Vec<String> = large.iter().map(|p| p.to_string()).collect();
                    healing
                        .excluded
                        .extend(large.iter().map(|p| (p.clone(), ExclusionCause::TooLarge)));
                    healing.shrink = Some(Shrink {
                        properties: large,
                        reason: f.message.clone(),
                        fitted: false,
                    });
                }
                None => break result,
            }
            // The pages read before it, and the failed call itself.
            healing.failed_calls += tally.calls + 1;
        };
        if let Some(shrink) = healing.shrink.take() {
            result = self
                .settle(entity, shrink, &mut healing.excluded, result)
                .await;
        }
        healing.report(tally);
        result
    }

    /// The properties left out of the entity's reads before this run, with their causes. A
    /// list that cannot be read counts as empty: the read then selects everything again.
    async fn exclusions(&self, entity: Entity) -> Vec<(String, ExclusionCause)> {
        let division = self.division;
        match self
            .engine
            .db(move |c| c.exclusion_causes(division, entity.as_str()))
            .await
        {
            Ok(excluded) => excluded,
            Err(f) => {
                tracing::warn!(division, %entity, error = %f.message, "cannot read the excluded properties");
                Vec::new()
            }
        }
    }

    /// After a read without the large text properties: keeps them left out if that read got
    /// a page; otherwise asks for them again next time, and says in the error that it was tried.
    async fn settle(
        &self,
        entity: Entity,
        shrink: Shrink,
        excluded: &mut Vec<(String, ExclusionCause)>,
        result: Result<(), Failure>,
    ) -> Result<(), Failure> {
        if shrink.fitted {
            for property in &shrink.properties {
                self.keep_exclusion(entity, property, ExclusionCause::TooLarge, &shrink.reason)
                    .await;
            }
            return result;
        }
        excluded.retain(|(p, _)| !shrink.properties.contains(p));
        result.map_err(|mut f| {
            if f.may_be_too_large {
                f.message = format!(
                    "{} (also when read without {})",
                    f.message,
                    shrink.properties.join(", ")
                );
            }
            f
        })
    }

    /// One read of the entity with `select`, by its source.
    async fn read_once(&self, plan: &Plan, select: &str, tally: &mut Tally) -> Result<(), Failure> {
        match plan.source {
            Source::Replace { path } => self.replace(plan, path, select, tally).await,
            Source::Modified { path } => self.read_modified(plan, path, select, tally).await,
            Source::Sync { path, .. } => self.sync_entity(plan, path, select, tally).await,
        }
    }

    /// Stores an exclusion; one that cannot be stored only costs the next run the same heal.
    async fn keep_exclusion(
        &self,
        entity: Entity,
        property: &str,
        cause: ExclusionCause,
        reason: &str,
    ) {
        let division = self.division;
        let (property, reason) = (property.to_owned(), reason.to_owned());
        if let Err(e) = self
            .engine
            .stamped(move |c, now| {
                c.exclude_property(division, entity.as_str(), &property, cause, &reason, now)
            })
            .await
        {
            tracing::warn!(division, %entity, error = %e.message, "cannot store an excluded property");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::PLANS;

    fn refused(message: &str) -> Failure {
        Failure::new(
            ErrorCode::Refused,
            format!("Exact Online refused the request (400): {message}"),
        )
    }

    #[test]
    fn the_property_exact_names_is_found_among_the_selected() {
        let selected = ["ID", "Code", "GrossWeight", "Notes"];
        let needed = ["ID", "Code"];
        let f = refused("Could not find a property named 'GrossWeight' on type 'Exact.Items'.");
        assert_eq!(
            refused_property(&f, &selected, &needed),
            Some("GrossWeight")
        );
        let f = refused("The property 'Notes' cannot be selected.");
        assert_eq!(refused_property(&f, &selected, &needed), Some("Notes"));
    }

    #[test]
    fn needed_unselected_and_other_refusals_are_not_healed() {
        let selected = ["ID", "Code", "GrossWeight"];
        let needed = ["ID", "Code"];
        let code = refused("Could not find a property named 'Code' on type 'Exact.Items'.");
        assert_eq!(refused_property(&code, &selected, &needed), None);
        let other = refused("Could not find a property named 'Color' on type 'Exact.Items'.");
        assert_eq!(refused_property(&other, &selected, &needed), None);
        let forbidden = Failure::new(
            ErrorCode::Refused,
            "Exact Online refused the request (403): 'GrossWeight' forbidden",
        );
        assert_eq!(refused_property(&forbidden, &selected, &needed), None);
        let server = Failure::new(
            ErrorCode::Server,
            "Exact Online had a server error (500): 'GrossWeight'",
        );
        assert_eq!(refused_property(&server, &selected, &needed), None);
    }

    #[test]
    fn refusals_are_healed_up_to_the_limit_and_large_text_once() {
        let selected = ["ID", "Code", "GrossWeight", "Notes"];
        let needed = ["ID", "Code"];
        let mut healing = Healing {
            excluded: Vec::new(),
            healed: 0,
            failed_calls: 0,
            shrink: None,
        };
        let f = refused("Could not find a property named 'GrossWeight' on type 'Exact.Items'.");
        assert_eq!(
            healing.heal(&f, Entity::Items, &selected, &needed),
            Some(Heal::Refused("GrossWeight"))
        );
        healing.healed = MAX_HEALS;
        assert_eq!(
            healing.heal(&f, Entity::Items, &selected, &needed),
            None,
            "each refusal counts toward Exact's ten errors an hour: no more than the limit"
        );
        let mut large = Failure::new(ErrorCode::Server, "Exact Online had a server error (500)");
        large.may_be_too_large = true;
        assert_eq!(
            healing.heal(&large, Entity::Items, &selected, &needed),
            Some(Heal::TooLarge(vec!["Notes"]))
        );
        healing.shrink = Some(Shrink {
            properties: vec!["Notes".to_owned()],
            reason: large.message.clone(),
            fitted: false,
        });
        assert_eq!(
            healing.heal(&large, Entity::Items, &selected, &needed),
            None,
            "a failure that stays without the large text was not their size"
        );
    }

    #[test]
    fn large_text_is_optional_free_text_of_the_endpoint() {
        let mut listed = 0;
        for (entity, names) in LARGE_TEXT {
            let plan = PLANS
                .iter()
                .find(|p| p.entity == entity)
                .unwrap_or_else(|| panic!("{entity} is synced"));
            let (file, label) = plan.fields;
            let fields = exact_fields::entity(file).unwrap_or_else(|| panic!("{file} fields"));
            let properties = fields.properties_for(label);
            let selected = plan.properties();
            let needed = read_names(entity);
            for name in names {
                let property = properties
                    .iter()
                    .find(|p| p.name == *name)
                    .unwrap_or_else(|| panic!("{entity}: {name} is a property of {file} {label}"));
                assert_eq!(
                    property.edm_type, "Edm.String",
                    "{entity}: {name} must be text to be large text"
                );
                assert!(
                    selected.contains(name),
                    "{entity}: {name} is selected, so leaving it out makes a page smaller"
                );
                assert!(
                    !needed.contains(name),
                    "{entity}: {name} is read by the cache or the engine; it cannot be left out"
                );
                listed += 1;
            }
            assert_eq!(
                LARGE_TEXT.iter().filter(|(e, _)| *e == entity).count(),
                1,
                "{entity} is listed once"
            );
        }
        assert!(listed >= LARGE_TEXT.len(), "every entry names a property");
        assert_eq!(large_text(Entity::Documents), ["Body"]);
        assert!(large_text(Entity::Units).is_empty());
    }

    #[test]
    fn only_a_failure_that_may_be_the_size_leaves_large_text_out() {
        let selected = ["ID", "Timestamp", "Subject", "Body"];
        let mut server = Failure::new(ErrorCode::Server, "Exact Online had a server error (500)");
        assert!(
            oversized(&server, Entity::Documents, &selected).is_empty(),
            "a failure no page size caused"
        );
        server.may_be_too_large = true;
        assert_eq!(oversized(&server, Entity::Documents, &selected), ["Body"]);
        assert!(
            oversized(&server, Entity::Documents, &["ID", "Subject"]).is_empty(),
            "already left out: nothing more to leave out"
        );
        assert!(
            oversized(&server, Entity::Units, &["ID", "Code"]).is_empty(),
            "an entity without large text"
        );
    }
}
