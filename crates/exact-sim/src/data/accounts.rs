//! Accounts (crm/Accounts): customers, prospects, suspects and suppliers with addresses,
//! contact data, a main contact, logos and the fixed-width codes Exact sends.

use serde_json::Value;

use super::Entity;
use super::clock_dates::{DAY_MS, exact_day};
use super::layout::Div;
use super::row::Sink;
use super::row::{
    Row, audit, deferred, int, ns, nulls, num, picture_ext, picture_id, picture_urls, put, s,
};
use super::seeds::{Rng, guid_of, hash};
use super::vocabulary::{
    CITIES_BE, CITIES_DE, CITIES_NL, COMPANY_FIRST, COMPANY_FORM, COMPANY_KIND, HOSTILE_NOTES,
    HOSTILE_TEXT, STREETS,
};

/// Properties this simulation leaves empty (Exact sends null for them).
#[rustfmt::skip]
const EMPTY: [&str; 59] = [
    "Accountant", "ActivitySector", "ActivitySubSector", "BSN", "BusinessType", "Classification1",
    "Classification2", "Classification3", "Classification4", "Classification5", "Classification6",
    "Classification7", "Classification8", "CodeAtSupplier", "CompanySize", "CustomField",
    "DatevCreditorCode", "DatevDebtorCode", "EORINumber", "GLAccountPurchase", "GLAccountSales", "GlnNumber",
    "IncotermAddressPurchase", "IncotermAddressSales", "IncotermCodePurchase", "IncotermCodeSales",
    "IntraStatArea", "IntraStatDeliveryTerm", "IntraStatSystem", "IntraStatTransactionA",
    "IntraStatTransactionB", "IntraStatTransportMethod", "InvoiceAccount", "InvoiceAccountCode",
    "InvoiceAccountName", "LeadPurpose", "LeadSource", "OINNumber", "Parent", "PayAsYouEarn",
    "PeppolIdentifier", "PriceList", "Reseller", "ResellerCode", "ResellerName", "RSIN", "ShippingMethod",
    "TradeName", "UniqueTaxpayerReference", "BRIN", "Classification", "ClassificationDescription",
    "Costcenter", "CostcenterDescription", "Document", "DunsNumber", "SalesTaxSchedule",
    "SalesTaxScheduleCode", "SalesTaxScheduleDescription",
];

/// Account code: the number left-padded with spaces to 18 characters.
pub fn code(slot: u64) -> String {
    format!("{:>18}", slot + 1)
}

pub fn slot_of_code(code: &str) -> Option<u64> {
    code.trim().parse::<u64>().ok()?.checked_sub(1)
}

pub fn name(div: &Div, slot: u64) -> String {
    let h = hash(&[div.seed, 0xACC, slot]);
    if h % 200 == 3 {
        return HOSTILE_TEXT[((h >> 20) % HOSTILE_TEXT.len() as u64) as usize].to_string();
    }
    let first = COMPANY_FIRST[((h >> 8) % COMPANY_FIRST.len() as u64) as usize];
    let kind = COMPANY_KIND[((h >> 16) % COMPANY_KIND.len() as u64) as usize];
    let form = COMPANY_FORM[((h >> 24) % COMPANY_FORM.len() as u64) as usize];
    format!("{first} {kind} {form}").trim_end().to_string()
}

/// Status code: C customer, P prospect, S suspect, A none.
pub fn status(div: &Div, slot: u64) -> &'static str {
    match hash(&[div.seed, 0x57A, slot]) % 20 {
        0..=10 => "C",
        11..=13 => "P",
        14..=15 => "S",
        _ => "A",
    }
}

pub fn is_customer(div: &Div, slot: u64) -> bool {
    status(div, slot) == "C"
}

/// (country code, name, city, postcode prefix).
pub fn place(div: &Div, slot: u64) -> (&'static str, &'static str, &'static str, &'static str) {
    let mut rng = Rng::new(&[div.seed, 0xC17, slot]);
    let roll = rng.below(100);
    let home_be = div.country.starts_with("BE");
    if roll < 8 || (home_be && roll < 80) {
        let (c, p) = *rng.pick(CITIES_BE);
        ("BE ", "België", c, p)
    } else if roll < 12 {
        let (c, p) = *rng.pick(CITIES_DE);
        ("DE ", "Duitsland", c, p)
    } else {
        let (c, p) = *rng.pick(CITIES_NL);
        ("NL ", "Nederland", c, p)
    }
}

/// Contact slot of an account's main contact, if it has contacts.
pub fn main_contact(div: &Div, slot: u64) -> Option<u64> {
    let (na, nc) = (div.counts.accounts, div.counts.contacts);
    if slot >= na || nc == 0 {
        return None;
    }
    let c = (slot * nc).div_ceil(na);
    (c < nc && super::contacts::account_of(div, c) == slot).then_some(c)
}

fn domain(name: &str) -> String {
    let d: String = name
        .to_lowercase()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(20)
        .collect();
    if d.is_empty() { "bedrijf".into() } else { d }
}

pub fn record(row: &Row, rec: &mut impl Sink) {
    let div = row.div;
    let slot = row.slot;
    let mut rng = div.rng(row.entity, slot);
    audit(rec, row);
    let name = name(div, slot);
    let status = status(div, slot);
    let supplier = status == "A" || rng.chance(0.1);
    let (country, country_name, city, pc) = place(div, slot);
    let dom = domain(&name);
    put(rec, "Code", s(code(slot)));
    put(rec, "Name", s(name));
    put(
        rec,
        "SearchCode",
        s(dom.to_uppercase().chars().take(10).collect::<String>()),
    );
    put(rec, "Status", s(status));
    put(rec, "Type", s("A"));
    put(rec, "IsSales", Value::Bool(matches!(status, "C" | "P")));
    put(rec, "IsSupplier", Value::Bool(supplier));
    put(rec, "IsPurchase", Value::Bool(supplier));
    put(rec, "Blocked", Value::Bool(rng.chance(0.03)));
    put(
        rec,
        "AddressLine1",
        s(format!("{} {}", rng.pick(STREETS), rng.range(1, 250))),
    );
    put(rec, "AddressLine2", Value::Null);
    put(rec, "AddressLine3", Value::Null);
    let postcode = if country == "NL " {
        format!(
            "{pc} {}{}",
            (b'A' + rng.below(26) as u8) as char,
            (b'A' + rng.below(26) as u8) as char
        )
    } else {
        pc.to_string()
    };
    put(rec, "Postcode", s(postcode));
    put(rec, "City", s(city.to_uppercase()));
    put(rec, "Country", s(country));
    put(rec, "CountryName", s(country_name));
    put(rec, "State", Value::Null);
    put(rec, "StateName", Value::Null);
    let tld = country.trim().to_lowercase();
    put(rec, "Email", s(format!("info@{dom}.{tld}")));
    put(
        rec,
        "Website",
        if rng.chance(0.6) {
            s(format!("www.{dom}.{tld}"))
        } else {
            Value::Null
        },
    );
    put(
        rec,
        "Phone",
        s(format!(
            "0{}-{}",
            rng.range(10, 79),
            rng.range(1_000_000, 9_999_999)
        )),
    );
    put(rec, "PhoneExtension", Value::Null);
    put(rec, "Fax", Value::Null);
    put(
        rec,
        "VATNumber",
        s(match country {
            "BE " => format!("BE0{}", rng.range(100_000_000, 999_999_999)),
            "DE " => format!("DE{}", rng.range(100_000_000, 999_999_999)),
            _ => format!("NL{}B01", rng.range(100_000_000, 999_999_999)),
        }),
    );
    put(
        rec,
        "ChamberOfCommerce",
        if country == "NL " {
            s(format!("{}", rng.range(10_000_000, 99_999_999)))
        } else {
            Value::Null
        },
    );
    put(
        rec,
        "Language",
        s(if country == "DE " { "DE " } else { "NL " }),
    );
    put(
        rec,
        "LanguageDescription",
        s(if country == "DE " {
            "Duits"
        } else {
            "Nederlands"
        }),
    );
    put(
        rec,
        "MainContact",
        main_contact(div, slot).map_or(Value::Null, |c| s(div.id(Entity::Contacts, c))),
    );
    let (logo, thumb) = picture_urls(row, "placeholder_account_myeol.png");
    put(rec, "LogoUrl", logo);
    put(rec, "LogoThumbnailUrl", thumb);
    let file = if row.pic.has {
        s(format!(
            "logo_{}.{}",
            dom,
            picture_ext(&picture_id(div, row.entity, slot, row.pic))
        ))
    } else {
        Value::Null
    };
    put(rec, "LogoFileName", file);
    put(rec, "Logo", Value::Null);
    put(
        rec,
        "BankAccounts",
        deferred(row, &format!("crm/Accounts(guid'{}')/BankAccounts", row.id)),
    );
    let start = row.created - row.created.rem_euclid(DAY_MS);
    put(rec, "StartDate", exact_day(start));
    put(
        rec,
        "CustomerSince",
        if status == "C" {
            exact_day(start)
        } else {
            Value::Null
        },
    );
    put(rec, "StatusSince", exact_day(start));
    put(
        rec,
        "EstablishedDate",
        if rng.chance(0.3) {
            exact_day(start - rng.range(365, 9000) * DAY_MS)
        } else {
            Value::Null
        },
    );
    put(rec, "EndDate", Value::Null);
    put(rec, "ControlledDate", Value::Null);
    put(rec, "Latitude", num(51.0 + rng.unit() * 2.4));
    put(rec, "Longitude", num(3.6 + rng.unit() * 3.4));
    let credit = if status == "C" {
        rng.range(0, 20) as f64 * 1000.0
    } else {
        0.0
    };
    put(rec, "CreditLineSales", num(credit));
    put(rec, "CreditLinePurchase", num(0.0));
    put(
        rec,
        "DiscountSales",
        num(if rng.chance(0.2) {
            rng.range(1, 15) as f64 / 100.0
        } else {
            0.0
        }),
    );
    put(rec, "DiscountPurchase", num(0.0));
    put(
        rec,
        "Remarks",
        if hash(&[div.seed, 0xACC, slot]) % 200 == 3 {
            s(HOSTILE_NOTES[0])
        } else {
            ns(if rng.chance(0.1) {
                "Alleen leveren op werkdagen."
            } else {
                ""
            })
        },
    );
    put(rec, "ShowRemarkForSales", Value::Bool(false));
    for (k, kd, c, d) in [
        (
            "PaymentConditionSales",
            "PaymentConditionSalesDescription",
            "30",
            "30 dagen netto",
        ),
        (
            "PaymentConditionPurchase",
            "PaymentConditionPurchaseDescription",
            "14",
            "14 dagen",
        ),
        ("SalesCurrency", "SalesCurrencyDescription", "EUR", "Euro"),
        (
            "PurchaseCurrency",
            "PurchaseCurrencyDescription",
            "EUR",
            "Euro",
        ),
    ] {
        put(rec, k, s(c));
        put(rec, kd, s(d));
    }
    put(rec, "Currency", s("EUR"));
    for (k, kd, c, d) in [
        ("SalesVATCode", "SalesVATCodeDescription", "2  ", "BTW 21%"),
        (
            "PurchaseVATCode",
            "PurchaseVATCodeDescription",
            "2  ",
            "BTW 21%",
        ),
    ] {
        put(rec, k, s(c));
        put(rec, kd, s(d));
    }
    put(rec, "VATLiability", Value::Null);
    put(rec, "AccountManager", s(div.user(slot % 3).0));
    put(rec, "AccountManagerFullName", s(div.user(slot % 3).1));
    put(rec, "AccountManagerHID", int((slot % 3 + 1) as i64));
    put(rec, "GLAR", s(guid_of(&[div.seed, 0x6A2])));
    put(rec, "GLAP", s(guid_of(&[div.seed, 0x6A9])));
    put(rec, "SecurityLevel", int(10));
    for k in ["IncotermVersionPurchase", "IncotermVersionSales"] {
        put(rec, k, Value::Null);
    }
    for (k, v) in [
        ("PurchaseLeadDays", 0),
        ("ShippingLeadDays", 0),
        ("InvoiceAttachmentType", 1),
        ("InvoicingMethod", 1),
        ("PeppolIdentifierType", 0),
    ] {
        put(rec, k, int(v));
    }
    for k in [
        "AutomaticProcessProposedEntry",
        "ConsolidationScenario",
        "DeliveryAdvice",
        "IsAccountant",
        "IsAgency",
        "IsAnonymised",
        "IsCompetitor",
        "IsMailing",
        "SeparateInvPerSubscription",
        "SeparateInvPerProject",
        "CostPaid",
        "AddressSource",
        "Source",
    ] {
        put(rec, k, int(0));
    }
    for k in [
        "CanDropShip",
        "EnableSalesPaymentLink",
        "HasWithholdingTaxSales",
        "IgnoreDatevWarningMessage",
        "IsExtraDuty",
        "IsPilot",
        "IsReseller",
        "RecepientOfCommissions",
        "IsBank",
        "IsMember",
    ] {
        put(rec, k, Value::Bool(false));
    }
    nulls(rec, &EMPTY);
}
