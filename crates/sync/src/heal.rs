//! A `$select` that Exact refuses heals itself. The property lists come from Exact's
//! documentation, and a licence, an older database or a missing right can make Exact refuse a
//! documented property; one refused property fails the whole call, so without this a first
//! sync could fail for good. When Exact's 400 names a property the engine selected and does not
//! need for its own columns, the read is tried again without it and the exclusion is kept
//! (see `offline_cache::ExcludedProperty`) until a full resync asks for it again.

use crate::failure::Failure;
use crate::report::ErrorCode;

/// Properties healed away per entity and run at most: each refusal is one of the ten errors
/// per endpoint per hour after which Exact blocks an app.
pub(crate) const MAX_HEALS: usize = 3;

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

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(message: &str) -> Failure {
        Failure {
            code: ErrorCode::Refused,
            message: format!("Exact Online refused the request (400): {message}"),
        }
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
        let forbidden = Failure {
            code: ErrorCode::Refused,
            message: "Exact Online refused the request (403): 'GrossWeight' forbidden".into(),
        };
        assert_eq!(refused_property(&forbidden, &selected, &needed), None);
        let server = Failure {
            code: ErrorCode::Server,
            message: "Exact Online had a server error (500): 'GrossWeight'".into(),
        };
        assert_eq!(refused_property(&server, &selected, &needed), None);
    }
}
