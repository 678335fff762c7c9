//! Addresses (crm/Addresses): about two per account, covering the four types
//! (1 visit, 2 postal, 3 invoice, 4 delivery); the first address of a type is its main one.

use serde_json::Value;

use super::Entity;
use super::accounts;
use super::contacts;
use super::layout::Div;
use super::row::Sink;
use super::row::{Row, audit, int, nulls, put, s};
use super::seeds::hash;
use super::vocabulary::STREETS;

/// (account slot, position of the address within the account's addresses).
pub fn owner(div: &Div, k: u64) -> (u64, u64) {
    let (na, nk) = (div.counts.accounts.max(1), div.counts.addresses);
    if k >= nk {
        return (hash(&[div.seed, 0xADD, k]) % na, 4);
    }
    let a = k * na / nk;
    let first = (a * nk).div_ceil(na);
    (a, k - first)
}

/// FreeBoolField_nn, FreeDateField_nn, FreeNumberField_nn, FreeTextField_nn for nn = 01..05.
const FREE_FIELDS: [[&str; 4]; 5] = [
    [
        "FreeBoolField_01",
        "FreeDateField_01",
        "FreeNumberField_01",
        "FreeTextField_01",
    ],
    [
        "FreeBoolField_02",
        "FreeDateField_02",
        "FreeNumberField_02",
        "FreeTextField_02",
    ],
    [
        "FreeBoolField_03",
        "FreeDateField_03",
        "FreeNumberField_03",
        "FreeTextField_03",
    ],
    [
        "FreeBoolField_04",
        "FreeDateField_04",
        "FreeNumberField_04",
        "FreeTextField_04",
    ],
    [
        "FreeBoolField_05",
        "FreeDateField_05",
        "FreeNumberField_05",
        "FreeTextField_05",
    ],
];

pub fn record(row: &Row, rec: &mut impl Sink) {
    let div = row.div;
    let mut rng = div.rng(row.entity, row.slot);
    audit(rec, row);
    let (account, pos) = owner(div, row.slot);
    // First address: the visit address; the second a postal, invoice or delivery address;
    // further ones extra delivery/invoice addresses that are not the main one of their type.
    let kind = match pos {
        0 => 1,
        1 => [3, 4, 2][(hash(&[div.seed, 0xADE, account]) % 3) as usize],
        _ => [4, 3][(row.slot % 2) as usize],
    };
    let (country, country_name, city, pc) = accounts::place(div, account);
    put(rec, "Account", s(div.id(Entity::Accounts, account)));
    put(rec, "AccountName", s(accounts::name(div, account)));
    put(
        rec,
        "AccountIsSupplier",
        Value::Bool(accounts::status(div, account) == "A"),
    );
    put(rec, "Type", int(kind));
    put(rec, "Main", Value::Bool(pos < 2));
    put(
        rec,
        "AddressLine1",
        s(if kind == 2 {
            format!("Postbus {}", rng.range(1, 9999))
        } else {
            format!("{} {}", rng.pick(STREETS), rng.range(1, 250))
        }),
    );
    put(
        rec,
        "AddressLine2",
        if kind == 4 && rng.chance(0.3) {
            s("Achteringang / laadperron")
        } else {
            Value::Null
        },
    );
    put(
        rec,
        "Postcode",
        s(if country == "NL " {
            format!(
                "{pc} {}{}",
                (b'A' + rng.below(26) as u8) as char,
                (b'A' + rng.below(26) as u8) as char
            )
        } else {
            pc.to_string()
        }),
    );
    put(rec, "City", s(city));
    put(rec, "Country", s(country));
    put(rec, "CountryName", s(country_name));
    match accounts::main_contact(div, account) {
        Some(c) => {
            put(rec, "Contact", s(div.id(Entity::Contacts, c)));
            put(rec, "ContactName", s(contacts::full_name(div, c)));
        }
        None => nulls(rec, &["Contact", "ContactName"]),
    }
    put(
        rec,
        "Phone",
        s(format!(
            "0{}-{}",
            rng.range(10, 79),
            rng.range(1_000_000, 9_999_999)
        )),
    );
    put(rec, "Source", int(0));
    for [b, d, n, t] in FREE_FIELDS {
        put(rec, b, Value::Bool(false));
        nulls(rec, &[d, n, t]);
    }
    nulls(
        rec,
        &[
            "AddressLine3",
            "CustomField",
            "Fax",
            "Mailbox",
            "NicNumber",
            "Notes",
            "PhoneExtension",
            "State",
            "StateDescription",
            "Warehouse",
            "WarehouseCode",
            "WarehouseDescription",
        ],
    );
}
