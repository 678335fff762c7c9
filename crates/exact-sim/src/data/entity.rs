//! The simulated entities, their names, Deleted codes and endpoint families.

/// The entities the simulator serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
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
    ItemExtraFields,
    Warehouses,
}

impl Entity {
    pub const ALL: [Entity; 14] = [
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
        Entity::Warehouses,
    ];

    /// Entity by name, case-insensitive (`Items`, `salesorderlines`, ...).
    pub fn from_name(name: &str) -> Option<Entity> {
        Entity::ALL
            .into_iter()
            .find(|e| e.name().eq_ignore_ascii_case(name))
    }

    pub fn name(self) -> &'static str {
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
            Entity::Warehouses => "Warehouses",
        }
    }

    /// `EntityType` code in sync/Deleted, where Exact has one.
    pub fn deleted_code(self) -> Option<i32> {
        match self {
            Entity::Items => Some(9),
            Entity::Accounts => Some(2),
            Entity::Addresses => Some(3),
            Entity::DocumentAttachments => Some(4),
            Entity::Contacts => Some(5),
            Entity::Documents => Some(6),
            Entity::SalesItemPrices => Some(8),
            Entity::StockPositions => Some(15),
            Entity::SalesOrderHeaders => Some(32),
            Entity::SalesOrderLines => Some(33),
            _ => None,
        }
    }

    /// True when a sync endpoint exists for the entity.
    pub fn has_sync(self) -> bool {
        !matches!(
            self,
            Entity::ItemGroups | Entity::Units | Entity::ItemExtraFields | Entity::Warehouses
        )
    }

    /// The `__metadata.type` of a record of this entity on the given endpoint family.
    pub fn model_type(self, variant: Variant) -> &'static str {
        let regular = match self {
            Entity::Items => "Exact.Web.Api.Models.Logistics.Item",
            Entity::ItemGroups => "Exact.Web.Api.Models.Logistics.ItemGroup",
            Entity::Units => "Exact.Web.Api.Models.Logistics.Unit",
            Entity::Accounts => "Exact.Web.Api.Models.CRM.Account",
            Entity::Contacts => "Exact.Web.Api.Models.CRM.Contact",
            Entity::Addresses => "Exact.Web.Api.Models.CRM.Address",
            Entity::Documents => "Exact.Web.Api.Models.Documents.Document",
            Entity::DocumentAttachments => "Exact.Web.Api.Models.Documents.DocumentAttachment",
            Entity::SalesItemPrices => "Exact.Web.Api.Models.Logistics.SalesItemPrice",
            Entity::StockPositions => "Exact.Web.Api.Models.Inventory.StockPosition",
            Entity::SalesOrderHeaders => "Exact.Web.Api.Models.SalesOrder.SalesOrder",
            Entity::SalesOrderLines => "Exact.Web.Api.Models.SalesOrder.SalesOrderLine",
            Entity::ItemExtraFields => "Exact.Web.Api.Models.Logistics.ItemExtraField",
            Entity::Warehouses => "Exact.Web.Api.Models.Inventory.Warehouse",
        };
        match (variant, self.has_sync()) {
            (Variant::Sync, true) => match self {
                Entity::Items => "Exact.Web.Api.Models.Sync.Logistics.Item",
                Entity::Accounts => "Exact.Web.Api.Models.Sync.CRM.Account",
                Entity::Contacts => "Exact.Web.Api.Models.Sync.CRM.Contact",
                Entity::Addresses => "Exact.Web.Api.Models.Sync.CRM.Address",
                Entity::Documents => "Exact.Web.Api.Models.Sync.Documents.Document",
                Entity::DocumentAttachments => {
                    "Exact.Web.Api.Models.Sync.Documents.DocumentAttachment"
                }
                Entity::SalesItemPrices => "Exact.Web.Api.Models.Sync.Logistics.SalesItemPrice",
                Entity::StockPositions => "Exact.Web.Api.Models.Sync.Inventory.StockPosition",
                Entity::SalesOrderHeaders => {
                    "Exact.Web.Api.Models.Sync.SalesOrder.SalesOrderHeader"
                }
                _ => "Exact.Web.Api.Models.Sync.SalesOrder.SalesOrderLine",
            },
            _ => regular,
        }
    }
}

/// Endpoint family: the property set differs per family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    Sync,
    Regular,
    Bulk,
}
