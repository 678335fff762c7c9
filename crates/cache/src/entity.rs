//! The entities the cache stores, their names and their tables.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::Error;

/// An Exact Online entity with a table of its own in the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Entity {
    Items,
    ItemGroups,
    Units,
    Accounts,
    Contacts,
    Addresses,
    Documents,
    DocumentAttachments,
    SalesItemPrices,
    StockPositions,
    SalesOrderHeaders,
    SalesOrderLines,
    /// `read/logistics/ItemExtraField`: keyed by item and field number, not by an `ID`.
    ItemExtraFields,
}

impl Entity {
    /// Every entity, in a stable order (masters before the rows that refer to them).
    pub const ALL: [Entity; 13] = [
        Entity::Items,
        Entity::ItemGroups,
        Entity::Units,
        Entity::Accounts,
        Entity::Contacts,
        Entity::Addresses,
        Entity::Documents,
        Entity::DocumentAttachments,
        Entity::SalesItemPrices,
        Entity::StockPositions,
        Entity::SalesOrderHeaders,
        Entity::SalesOrderLines,
        Entity::ItemExtraFields,
    ];

    /// The record properties the cache reads to fill this entity's typed columns and search
    /// index (besides `ID` and `Timestamp`, read for every entity). A [`crate::PreparedRecord`]
    /// needs these in its fields; the attribute JSON keeps every property regardless.
    pub fn column_properties(self) -> &'static [&'static str] {
        match self {
            Entity::Items => &[
                "ID",
                "Timestamp",
                "Code",
                "Description",
                "ExtraDescription",
                "SearchCode",
                "Barcode",
                "ItemGroup",
                "ItemGroupCode",
                "ItemGroupDescription",
                "Unit",
                "IsSalesItem",
                "IsPurchaseItem",
                "IsStockItem",
                "Stock",
                "CostPriceStandard",
                "PictureUrl",
                "PictureName",
                "Modified",
            ],
            Entity::ItemGroups => &["ID", "Timestamp", "Code", "Description", "Modified"],
            Entity::Units => &["ID", "Timestamp", "Code", "Description", "Type", "Active"],
            Entity::Accounts => &[
                "ID",
                "Timestamp",
                "Code",
                "Name",
                "Status",
                "IsSupplier",
                "IsSales",
                "City",
                "Country",
                "Email",
                "Phone",
                "Blocked",
                "LogoUrl",
                "Modified",
            ],
            Entity::Contacts => &[
                "ID",
                "Timestamp",
                "Account",
                "FullName",
                "Email",
                "BusinessEmail",
                "Phone",
                "BusinessPhone",
                "Mobile",
                "BusinessMobile",
                "IsMainContact",
                "PictureUrl",
                "Modified",
            ],
            Entity::Addresses => &[
                "ID",
                "Timestamp",
                "Account",
                "Type",
                "Main",
                "AddressLine1",
                "AddressLine2",
                "AddressLine3",
                "Postcode",
                "City",
                "Country",
                "Modified",
            ],
            Entity::Documents => &[
                "ID",
                "Timestamp",
                "Account",
                "Item",
                "Subject",
                "Type",
                "TypeDescription",
                "DocumentDate",
                "Modified",
            ],
            Entity::DocumentAttachments => {
                &["ID", "Timestamp", "Document", "FileName", "FileSize", "Url"]
            }
            Entity::SalesItemPrices => &[
                "ID",
                "Timestamp",
                "Item",
                "Account",
                "AccountName",
                "Price",
                "Currency",
                "Quantity",
                "Unit",
                "UnitDescription",
                "StartDate",
                "EndDate",
            ],
            Entity::StockPositions => &[
                "ID",
                "Timestamp",
                "ItemId",
                "Warehouse",
                "WarehouseCode",
                "WarehouseDescription",
                "CurrentStock",
                "FreeStock",
                "ReservedStock",
                "PlanningIn",
                "PlanningOut",
                "ProjectedStock",
                "UnitCode",
            ],
            Entity::SalesOrderHeaders => &[
                "ID",
                "Timestamp",
                "OrderID",
                "OrderNumber",
                "OrderDate",
                "OrderedBy",
                "OrderedByName",
                "Description",
                "Currency",
                "AmountFC",
                "AmountFCExclVat",
                "Status",
                "StatusDescription",
                "DeliveryDate",
                "YourRef",
            ],
            Entity::SalesOrderLines => &[
                "ID",
                "Timestamp",
                "OrderID",
                "LineNumber",
                "Item",
                "ItemCode",
                "ItemDescription",
                "Description",
                "Quantity",
                "UnitCode",
                "UnitPrice",
                "NetPrice",
                "AmountFC",
                "DeliveryDate",
            ],
            Entity::ItemExtraFields => &["ItemID", "Number", "Description", "Value", "Modified"],
        }
    }

    /// The key a record is stored under: its `ID`, or for extra fields (which have none)
    /// their item and number. `None` when the record lacks it.
    pub fn key(self, record: &exact_record::Record) -> Option<String> {
        crate::records::key(self, record)
    }

    /// Exact's entity name, also the cursor key of the entity (`"Items"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Entity::Items => "Items",
            Entity::ItemGroups => "ItemGroups",
            Entity::Units => "Units",
            Entity::Accounts => "Accounts",
            Entity::Contacts => "Contacts",
            Entity::Addresses => "Addresses",
            Entity::Documents => "Documents",
            Entity::DocumentAttachments => "DocumentAttachments",
            Entity::SalesItemPrices => "SalesItemPrices",
            Entity::StockPositions => "StockPositions",
            Entity::SalesOrderHeaders => "SalesOrderHeaders",
            Entity::SalesOrderLines => "SalesOrderLines",
            Entity::ItemExtraFields => "ItemExtraFields",
        }
    }

    /// The SQLite table holding the entity's rows.
    pub(crate) fn table(self) -> &'static str {
        match self {
            Entity::Items => "items",
            Entity::ItemGroups => "item_groups",
            Entity::Units => "units",
            Entity::Accounts => "accounts",
            Entity::Contacts => "contacts",
            Entity::Addresses => "addresses",
            Entity::Documents => "documents",
            Entity::DocumentAttachments => "document_attachments",
            Entity::SalesItemPrices => "sales_item_prices",
            Entity::StockPositions => "stock_positions",
            Entity::SalesOrderHeaders => "sales_order_headers",
            Entity::SalesOrderLines => "sales_order_lines",
            Entity::ItemExtraFields => "item_extra_fields",
        }
    }
}

impl fmt::Display for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for Entity {
    type Err = Error;

    /// Accepts the entity name in any case (`Items`, `items`, `documentattachments`).
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Entity::ALL
            .into_iter()
            .find(|e| e.as_str().eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| Error::UnknownEntity(name.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for e in Entity::ALL {
            assert_eq!(e.as_str().parse::<Entity>().ok(), Some(e));
            assert_eq!(e.as_str().to_lowercase().parse::<Entity>().ok(), Some(e));
        }
        assert!(
            "Deleted".parse::<Entity>().is_err(),
            "Deleted is a cursor key, not an entity"
        );
    }
}
