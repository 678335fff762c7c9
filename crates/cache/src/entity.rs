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
}

impl Entity {
    /// Every entity, in a stable order (masters before the rows that refer to them).
    pub const ALL: [Entity; 8] = [
        Entity::Items,
        Entity::ItemGroups,
        Entity::Units,
        Entity::Accounts,
        Entity::Contacts,
        Entity::Addresses,
        Entity::Documents,
        Entity::DocumentAttachments,
    ];

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
