//! Exact Online property lists, per entity and per endpoint, as data.
//!
//! The JSON files under `data/` describe what the real API returns (name, Edm type, a short
//! description, whether the property is hidden in Exact's reference). Both the client and the
//! simulator read them, and nothing else is shared between those two: they are independent
//! implementations of the protocol so that each catches the other's mistakes.
//!
//! Invariant: the data is embedded at compile time; nothing is read from disk at run time.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

/// One property of an entity as the API returns it.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Property {
    pub name: String,
    /// Edm type such as `Edm.String`, or a navigation collection description.
    #[serde(rename = "type")]
    pub edm_type: String,
    pub description: String,
    /// Obsolete or internal: absent from Exact's visible reference but still returned.
    #[serde(default)]
    pub hidden_in_docs: bool,
}

impl Property {
    /// The Edm type without its `Edm.` prefix (`String`, `Guid`, `DateTime`, ...).
    pub fn kind(&self) -> &str {
        self.edm_type.strip_prefix("Edm.").unwrap_or(&self.edm_type)
    }

    /// True for navigation collections (`BankAccounts`), which need `$expand` and come back as
    /// `__deferred` links otherwise.
    pub fn is_navigation(&self) -> bool {
        self.edm_type.starts_with("Collection(")
    }

    /// True for plain values (an `Edm.` type): the only properties a client should name in
    /// `$select`. Navigation collections come back as links, not data, and complex objects
    /// (`system/Divisions`' `DivisionClass`es) may need access rights the user lacks: one property
    /// Exact refuses fails the whole call.
    pub fn is_plain(&self) -> bool {
        self.edm_type.starts_with("Edm.")
    }
}

/// One documented endpoint of an entity.
#[derive(Debug, Clone, Deserialize)]
pub struct Endpoint {
    pub label: String,
    /// Path template with `{division}`, such as `/api/v1/{division}/sync/Logistics/Items`.
    pub path: String,
    /// 60 for regular endpoints, 1000 for bulk and sync, `None` for functions.
    pub page_size: Option<u32>,
}

#[derive(Debug, Clone, Default, Deserialize)]
struct Differences {
    #[serde(default)]
    only_here: Vec<Property>,
    #[serde(default)]
    missing_here: Vec<String>,
}

/// Everything known about one entity.
#[derive(Debug, Deserialize)]
pub struct EntityFields {
    pub entity: String,
    /// Label of the endpoint that `properties` describes.
    pub primary_endpoint: String,
    pub endpoints: Vec<Endpoint>,
    pub properties: Vec<Property>,
    #[serde(default)]
    properties_by_endpoint: BTreeMap<String, Vec<Property>>,
    #[serde(default)]
    differences_vs_primary: BTreeMap<String, Differences>,
    /// `sync/Deleted` only: EntityType code → entity name.
    #[serde(default)]
    pub entity_type_codes: BTreeMap<String, String>,
}

impl EntityFields {
    /// The endpoint with this label (`sync`, `regular`, `bulk`, `sync_lines`, ...).
    pub fn endpoint(&self, label: &str) -> Option<&Endpoint> {
        self.endpoints.iter().find(|e| e.label == label)
    }

    /// Properties returned by the endpoint with this label, in the data's order.
    ///
    /// Uses the per-endpoint list where the data has one, otherwise the primary list adjusted by
    /// the recorded differences. Unknown labels yield the primary list.
    pub fn properties_for(&self, label: &str) -> Vec<&Property> {
        if let Some(list) = self.properties_by_endpoint.get(label) {
            return list.iter().collect();
        }
        let Some(diff) = self.differences_vs_primary.get(label) else {
            return self.properties.iter().collect();
        };
        self.properties
            .iter()
            .filter(|p| !diff.missing_here.contains(&p.name))
            .chain(diff.only_here.iter())
            .collect()
    }

    /// Comma-separated names for a `$select` of every plain property the endpoint returns
    /// (navigation and complex properties are never selected, see [`Property::is_plain`]).
    pub fn select_all(&self, label: &str) -> String {
        let names: Vec<&str> = self
            .properties_for(label)
            .iter()
            .filter(|p| p.is_plain())
            .map(|p| p.name.as_str())
            .collect();
        names.join(",")
    }
}

const FILES: &[(&str, &str)] = &[
    ("Accounts", include_str!("../data/Accounts.json")),
    ("Addresses", include_str!("../data/Addresses.json")),
    ("Contacts", include_str!("../data/Contacts.json")),
    ("Deleted", include_str!("../data/Deleted.json")),
    ("Divisions", include_str!("../data/Divisions.json")),
    (
        "DocumentAttachments",
        include_str!("../data/DocumentAttachments.json"),
    ),
    ("Documents", include_str!("../data/Documents.json")),
    (
        "ItemExtraField",
        include_str!("../data/ItemExtraField.json"),
    ),
    ("ItemGroups", include_str!("../data/ItemGroups.json")),
    (
        "ItemWarehouses",
        include_str!("../data/ItemWarehouses.json"),
    ),
    ("Items", include_str!("../data/Items.json")),
    ("Me", include_str!("../data/Me.json")),
    (
        "SalesItemPrices",
        include_str!("../data/SalesItemPrices.json"),
    ),
    ("SalesOrders", include_str!("../data/SalesOrders.json")),
    (
        "StockPositions",
        include_str!("../data/StockPositions.json"),
    ),
    ("SyncTimestamp", include_str!("../data/SyncTimestamp.json")),
    ("Units", include_str!("../data/Units.json")),
];

fn all() -> &'static BTreeMap<&'static str, EntityFields> {
    static ALL: OnceLock<BTreeMap<&'static str, EntityFields>> = OnceLock::new();
    ALL.get_or_init(|| {
        FILES
            .iter()
            .map(|(name, text)| {
                let parsed: EntityFields = serde_json::from_str(text)
                    .unwrap_or_else(|e| panic!("embedded field list {name}.json is invalid: {e}"));
                (*name, parsed)
            })
            .collect()
    })
}

/// The field data of one entity by its file name (`Items`, `Accounts`, `SalesOrders`, ...).
pub fn entity(name: &str) -> Option<&'static EntityFields> {
    all().get(name)
}

/// Names of every entity that has field data.
pub fn entity_names() -> impl Iterator<Item = &'static str> {
    all().keys().copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_file_parses_and_has_properties() {
        for name in entity_names() {
            let e = entity(name).expect("listed entity resolves");
            assert!(!e.properties.is_empty(), "{name} must list properties");
            assert!(!e.endpoints.is_empty(), "{name} must list endpoints");
        }
        assert_eq!(entity_names().count(), FILES.len());
    }

    #[test]
    fn counts_match_the_reference() {
        // Counts from the API notes, section 8: a drifted data file would change the select lists.
        let items = entity("Items").expect("Items");
        assert_eq!(items.properties_for("sync").len(), 115);
        assert_eq!(items.properties_for("bulk").len(), 117);
        assert!(
            items
                .properties_for("bulk")
                .iter()
                .all(|p| p.name != "Timestamp")
        );
        let accounts = entity("Accounts").expect("Accounts");
        assert_eq!(accounts.properties_for("sync").len(), 165);
        assert_eq!(accounts.properties_for("regular").len(), 164);
        let orders = entity("SalesOrders").expect("SalesOrders");
        assert_eq!(orders.properties_for("sync_headers").len(), 78);
        assert_eq!(orders.properties_for("sync_lines").len(), 60);
        assert_eq!(
            entity("Units")
                .expect("Units")
                .properties_for("regular")
                .len(),
            8
        );
    }

    #[test]
    fn deleted_codes_are_present() {
        let deleted = entity("Deleted").expect("Deleted");
        assert_eq!(
            deleted.entity_type_codes.get("9").map(String::as_str),
            Some("Items")
        );
        assert_eq!(
            deleted.entity_type_codes.get("2").map(String::as_str),
            Some("Accounts")
        );
    }

    #[test]
    fn no_endpoint_selects_a_navigation_or_complex_property() {
        let mut checked = 0;
        for (name, _) in FILES {
            let fields = entity(name).expect("every file parses");
            for endpoint in &fields.endpoints {
                let select = fields.select_all(&endpoint.label);
                for selected in select.split(',').filter(|s| !s.is_empty()) {
                    let property = fields
                        .properties_for(&endpoint.label)
                        .into_iter()
                        .find(|p| p.name == selected)
                        .expect("a selected name is a property");
                    assert!(
                        property.is_plain(),
                        "{name} {}: {selected} is {}, which Exact may refuse in $select",
                        endpoint.label,
                        property.edm_type
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 1_000, "the lists were read: {checked} names");
        let accounts = entity("Accounts").expect("Accounts").select_all("sync");
        assert!(!accounts.split(',').any(|n| n == "BankAccounts"));
        let divisions = entity("Divisions").expect("Divisions").select_all("system");
        assert!(!divisions.split(',').any(|n| n == "Class_01"));
    }

    #[test]
    fn select_all_lists_names_once() {
        let select = entity("Items").expect("Items").select_all("sync");
        let names: Vec<&str> = select.split(',').collect();
        let mut unique = names.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(
            names.len(),
            unique.len(),
            "a $select must not repeat a property"
        );
        assert!(names.contains(&"Timestamp") && names.contains(&"PictureUrl"));
    }
}
