//! The endpoints the simulator serves: path (after `/api/v1/{division}/`) → entity, family,
//! page size, and the property list that `$select` is checked against.
//!
//! Paths match case-insensitively; property names are case-sensitive, as in OData.

use serde_json::Value;

use crate::data::{Entity, Record, Variant};

/// How an endpoint pages and filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// `sync/...`: Timestamp filter and skiptoken, `$select` mandatory.
    Sync,
    /// `sync/Deleted`.
    Deleted,
    /// Regular CRUD list, 60 a page, `$skiptoken=guid'..'`.
    Regular,
    /// `bulk/...`: like regular, 1000 a page, `$select` mandatory.
    Bulk,
    /// `read/logistics/ItemExtraField`.
    ReadExtraFields,
    /// `current/Me`.
    Me,
    /// `system/Divisions`, `system/AllDivisions`, `hrm/Divisions`.
    Divisions,
}

/// One served endpoint.
#[derive(Debug, Clone, Copy)]
pub struct EndpointDef {
    /// Path after the division, in Exact's spelling.
    pub path: &'static str,
    pub family: Family,
    pub entity: Option<Entity>,
    pub variant: Variant,
    pub page_size: usize,
    /// Field list in exact-fields: (file, endpoint label); `None` = take the record's keys.
    pub fields: Option<(&'static str, &'static str)>,
    /// Regular endpoints that refuse a listing without `$filter`.
    pub mandatory_filter: bool,
    /// Endpoints that need `$select` or `$top=1`.
    pub select_required: bool,
    /// `__metadata.type` when the data module has no entity for it.
    pub type_name: &'static str,
}

const fn def(
    path: &'static str,
    family: Family,
    entity: Option<Entity>,
    variant: Variant,
    fields: Option<(&'static str, &'static str)>,
) -> EndpointDef {
    let (page_size, select_required) = match family {
        Family::Sync | Family::Deleted | Family::Bulk => (1000, true),
        Family::ReadExtraFields => (1000, false),
        _ => (60, false),
    };
    EndpointDef {
        path,
        family,
        entity,
        variant,
        page_size,
        fields,
        mandatory_filter: false,
        select_required,
        type_name: "",
    }
}

use Family::*;
use Variant::{Bulk as VB, Regular as VR, Sync as VS};

/// Every endpoint, in no particular order.
pub const ENDPOINTS: &[EndpointDef] = &[
    def(
        "sync/Logistics/Items",
        Sync,
        Some(Entity::Items),
        VS,
        Some(("Items", "sync")),
    ),
    def(
        "sync/CRM/Accounts",
        Sync,
        Some(Entity::Accounts),
        VS,
        Some(("Accounts", "sync")),
    ),
    def(
        "sync/CRM/Contacts",
        Sync,
        Some(Entity::Contacts),
        VS,
        Some(("Contacts", "sync")),
    ),
    def(
        "sync/CRM/Addresses",
        Sync,
        Some(Entity::Addresses),
        VS,
        Some(("Addresses", "sync")),
    ),
    def(
        "sync/Documents/Documents",
        Sync,
        Some(Entity::Documents),
        VS,
        Some(("Documents", "sync")),
    ),
    def(
        "sync/Documents/DocumentAttachments",
        Sync,
        Some(Entity::DocumentAttachments),
        VS,
        Some(("DocumentAttachments", "sync")),
    ),
    def(
        "sync/Logistics/SalesItemPrices",
        Sync,
        Some(Entity::SalesItemPrices),
        VS,
        Some(("SalesItemPrices", "sync")),
    ),
    def(
        "sync/Inventory/StockPositions",
        Sync,
        Some(Entity::StockPositions),
        VS,
        Some(("StockPositions", "sync")),
    ),
    def(
        "sync/SalesOrder/SalesOrderHeaders",
        Sync,
        Some(Entity::SalesOrderHeaders),
        VS,
        Some(("SalesOrders", "sync_headers")),
    ),
    def(
        "sync/SalesOrder/SalesOrderLines",
        Sync,
        Some(Entity::SalesOrderLines),
        VS,
        Some(("SalesOrders", "sync_lines")),
    ),
    EndpointDef {
        type_name: "Exact.Web.Api.Models.Sync.Deleted",
        ..def("sync/Deleted", Deleted, None, VS, Some(("Deleted", "sync")))
    },
    def(
        "logistics/ItemGroups",
        Regular,
        Some(Entity::ItemGroups),
        VR,
        Some(("ItemGroups", "regular")),
    ),
    def(
        "logistics/Units",
        Regular,
        Some(Entity::Units),
        VR,
        Some(("Units", "regular")),
    ),
    EndpointDef {
        mandatory_filter: true,
        ..def(
            "logistics/Items",
            Regular,
            Some(Entity::Items),
            VR,
            Some(("Items", "regular")),
        )
    },
    EndpointDef {
        mandatory_filter: true,
        ..def(
            "crm/Accounts",
            Regular,
            Some(Entity::Accounts),
            VR,
            Some(("Accounts", "regular")),
        )
    },
    def(
        "crm/Contacts",
        Regular,
        Some(Entity::Contacts),
        VR,
        Some(("Contacts", "regular")),
    ),
    def(
        "crm/Addresses",
        Regular,
        Some(Entity::Addresses),
        VR,
        Some(("Addresses", "regular")),
    ),
    def(
        "documents/Documents",
        Regular,
        Some(Entity::Documents),
        VR,
        Some(("Documents", "regular")),
    ),
    def(
        "documents/DocumentAttachments",
        Regular,
        Some(Entity::DocumentAttachments),
        VR,
        Some(("DocumentAttachments", "regular")),
    ),
    EndpointDef {
        select_required: true,
        ..def(
            "logistics/SalesItemPrices",
            Regular,
            Some(Entity::SalesItemPrices),
            VR,
            Some(("SalesItemPrices", "regular")),
        )
    },
    def(
        "inventory/Warehouses",
        Regular,
        Some(Entity::Warehouses),
        VR,
        None,
    ),
    def(
        "read/logistics/ItemExtraField",
        ReadExtraFields,
        Some(Entity::ItemExtraFields),
        VR,
        Some(("ItemExtraField", "read")),
    ),
    def(
        "bulk/Logistics/Items",
        Bulk,
        Some(Entity::Items),
        VB,
        Some(("Items", "bulk")),
    ),
    def(
        "bulk/CRM/Accounts",
        Bulk,
        Some(Entity::Accounts),
        VB,
        Some(("Accounts", "bulk")),
    ),
    EndpointDef {
        type_name: "Exact.Web.Api.System.Division",
        ..def(
            "system/Divisions",
            Divisions,
            None,
            VR,
            Some(("Divisions", "system")),
        )
    },
    EndpointDef {
        type_name: "Exact.Web.Api.System.AllDivision",
        ..def(
            "system/AllDivisions",
            Divisions,
            None,
            VR,
            Some(("Divisions", "all")),
        )
    },
    EndpointDef {
        type_name: "Exact.Web.Api.HRM.Division",
        ..def(
            "hrm/Divisions",
            Divisions,
            None,
            VR,
            Some(("Divisions", "hrm")),
        )
    },
];

/// The `current/Me` endpoint (no division in its path).
pub const ME: EndpointDef = EndpointDef {
    type_name: "Exact.Web.Api.System.Me",
    ..def("current/Me", Me, None, VR, Some(("Me", "current")))
};

/// Finds the endpoint for `rest` (the path after the division). A trailing `(guid'..')` key is
/// split off and returned.
pub fn find(rest: &str) -> Option<(&'static EndpointDef, Option<String>)> {
    let (base, key) = match rest.find('(') {
        Some(i) if rest.ends_with(')') => {
            (&rest[..i], Some(rest[i + 1..rest.len() - 1].to_string()))
        }
        _ => (rest, None),
    };
    let base = base.trim_end_matches('/');
    ENDPOINTS
        .iter()
        .find(|e| e.path.eq_ignore_ascii_case(base))
        .map(|e| (e, key))
}

/// One property as `$select` sees it: name and Edm kind (`None` = navigation collection).
pub type PropDef = (String, Option<String>);

impl EndpointDef {
    /// The endpoint's property list; without field data, the keys of `sample` with guessed kinds.
    pub fn properties(&self, sample: Option<&Record>) -> Vec<PropDef> {
        if let Some((file, label)) = self.fields
            && let Some(fields) = exact_fields::entity(file)
        {
            return fields
                .properties_for(label)
                .into_iter()
                .map(|p| {
                    let kind = (!p.is_navigation()).then(|| p.kind().to_string());
                    (p.name.clone(), kind)
                })
                .collect();
        }
        sample
            .map(|r| {
                r.iter()
                    .map(|(k, v)| (k.clone(), Some(guess_kind(v).to_string())))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// `__metadata.type` of this endpoint's records.
    pub fn model_type(&self) -> &'static str {
        match self.entity {
            Some(e) => e.model_type(self.variant),
            None => self.type_name,
        }
    }

    /// The entity-set name used as Atom feed title (last path segment).
    pub fn title(&self) -> &'static str {
        self.path.rsplit('/').next().unwrap_or(self.path)
    }
}

fn guess_kind(v: &Value) -> &'static str {
    match v {
        Value::Bool(_) => "Boolean",
        Value::Number(n) if n.is_i64() => "Int32",
        Value::Number(_) => "Double",
        Value::String(s) if s.starts_with("/Date(") => "DateTime",
        _ => "String",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_match_case_insensitively_and_keys_split() {
        let (e, key) = find("logistics/items(guid'00000000-0000-0000-0000-000000000001')")
            .expect("key access on regular Items");
        assert_eq!(e.path, "logistics/Items");
        assert_eq!(
            key.as_deref(),
            Some("guid'00000000-0000-0000-0000-000000000001'")
        );
        assert_eq!(
            find("SYNC/logistics/ITEMS").map(|(e, _)| e.family),
            Some(Family::Sync)
        );
        assert!(find("sync/Logistics/Nope").is_none());
    }

    #[test]
    fn every_field_list_exists() {
        for e in ENDPOINTS.iter().chain([&ME]) {
            if let Some((file, _)) = e.fields {
                assert!(
                    !e.properties(None).is_empty(),
                    "{} needs properties from {file}",
                    e.path
                );
            }
        }
        let (items, _) = find("sync/Logistics/Items").expect("sync items");
        assert_eq!(
            items.properties(None).len(),
            115,
            "sync Items has 115 properties"
        );
        let (accounts, _) = find("crm/Accounts").expect("accounts");
        assert!(
            accounts
                .properties(None)
                .iter()
                .any(|(n, k)| n == "BankAccounts" && k.is_none())
        );
    }
}
