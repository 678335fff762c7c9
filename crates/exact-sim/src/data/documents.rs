//! Documents (documents/Documents): item documents (product sheets, certificates) linked via
//! Item/ItemCode, and account documents (contracts, quotes) linked via Account.

use serde_json::Value;

use super::Entity;
use super::accounts;
use super::clock_dates::{DAY_MS, exact_day};
use super::items;
use super::layout::Div;
use super::row::Sink;
use super::row::{Row, audit, int, nulls, num, put, s};
use super::seeds::hash;

/// What a document is attached to: `Ok(item slot)` or `Err(account slot)`.
pub fn subject_of(div: &Div, d: u64) -> Result<u64, u64> {
    let h = hash(&[div.seed, 0xD0C, d]);
    if h.is_multiple_of(2) && div.counts.items > 0 {
        Ok((h >> 8) % div.counts.items)
    } else {
        Err((h >> 8) % div.counts.accounts.max(1))
    }
}

/// The file stem attachments of this document use.
pub fn stem(div: &Div, d: u64) -> String {
    match subject_of(div, d) {
        Ok(item) => {
            let kinds = [
                "productblad",
                "certificaat",
                "montagehandleiding",
                "foto",
                "veiligheidsblad",
            ];
            format!(
                "{}_{}",
                kinds[(hash(&[div.seed, 0xD0D, d]) % 5) as usize],
                items::code(div, item).to_lowercase()
            )
        }
        Err(_) => {
            let kinds = ["contract", "offerte", "factuur", "scan", "notitie"];
            format!(
                "{}_{}",
                kinds[(hash(&[div.seed, 0xD0D, d]) % 5) as usize],
                2020 + d % 6
            )
        }
    }
}

pub fn record(row: &Row, rec: &mut impl Sink) {
    let div = row.div;
    let d = row.slot;
    let mut rng = div.rng(row.entity, d);
    audit(rec, row);
    let stem = stem(div, d);
    match subject_of(div, d) {
        Ok(item) => {
            put(rec, "Item", s(div.id(Entity::Items, item)));
            put(rec, "ItemCode", s(items::code(div, item)));
            put(rec, "ItemDescription", s(items::description(div, item, 0)));
            nulls(rec, &["Account", "AccountCode", "AccountName"]);
            put(rec, "Type", int(55));
            put(rec, "TypeDescription", s("Overige"));
            put(rec, "Subject", s(stem.replace('_', " ")));
        }
        Err(account) => {
            put(rec, "Account", s(div.id(Entity::Accounts, account)));
            put(rec, "AccountCode", s(accounts::code(account)));
            put(rec, "AccountName", s(accounts::name(div, account)));
            nulls(rec, &["Item", "ItemCode", "ItemDescription"]);
            put(
                rec,
                "Type",
                int(if stem.starts_with("factuur") { 10 } else { 80 }),
            );
            put(
                rec,
                "TypeDescription",
                s(if stem.starts_with("factuur") {
                    "Verkoopfactuur"
                } else {
                    "Contract"
                }),
            );
            put(
                rec,
                "Subject",
                s(format!(
                    "{} {}",
                    stem.replace('_', " "),
                    accounts::name(div, account)
                )),
            );
        }
    }
    put(
        rec,
        "DocumentDate",
        exact_day(row.created - row.created.rem_euclid(DAY_MS)),
    );
    put(
        rec,
        "DocumentViewUrl",
        s(format!(
            "{}/docs/DocView.aspx?DocumentID={}&_Division_={}",
            div.base_url, row.id, div.code
        )),
    );
    put(rec, "HID", int(d as i64 + 1));
    put(rec, "HasEmptyBody", Value::Bool(true));
    put(rec, "Body", Value::Null);
    put(rec, "Language", s("NL"));
    put(rec, "Currency", s("EUR"));
    put(rec, "AmountFC", num(0.0));
    put(rec, "InheritShare", Value::Bool(rng.chance(0.5)));
    put(rec, "SendMethod", int(0));
    put(rec, "ProposedEntryStatus", int(0));
    put(rec, "ScanServiceStatus", int(0));
    put(rec, "ActionRegenerateEntryProposal", Value::Bool(false));
    nulls(
        rec,
        &[
            "Category",
            "CategoryDescription",
            "Contact",
            "ContactFullName",
            "ContractID",
            "ContractNumber",
            "DocumentFolder",
            "DocumentFolderCode",
            "DocumentFolderDescription",
            "ExpiryDate",
            "FinancialTransactionEntryID",
            "ItemMaterial",
            "ItemRoutingStep",
            "Opportunity",
            "Project",
            "ProjectCode",
            "ProjectDescription",
            "SalesInvoiceNumber",
            "SalesOrderNumber",
            "ShopOrderNumber",
            "TeamsMeetingId",
            "EntryStatusDescription",
        ],
    );
}
