//! Contacts (crm/Contacts): people at accounts, about 1.5 per account, with pictures.

use serde_json::Value;

use super::Entity;
use super::accounts;
use super::clock_dates::{DAY_MS, exact_day};
use super::layout::Div;
use super::row::Sink;
use super::row::{Row, audit, int, nulls, picture_ext, picture_id, picture_urls, put, s};
use super::seeds::hash;
use super::vocabulary::{FIRST_NAMES, HOSTILE_NOTES, LAST_NAMES};

/// Account slot a contact belongs to.
pub fn account_of(div: &Div, c: u64) -> u64 {
    let (na, nc) = (div.counts.accounts.max(1), div.counts.contacts);
    if c < nc {
        c * na / nc
    } else {
        hash(&[div.seed, 0xC0A, c]) % na
    }
}

/// (first name, gender, middle name, last name).
pub fn person(div: &Div, c: u64) -> (&'static str, &'static str, &'static str, &'static str) {
    let h = hash(&[div.seed, 0xFE5, c]);
    let (first, gender) = FIRST_NAMES[(h % FIRST_NAMES.len() as u64) as usize];
    let (middle, last) = LAST_NAMES[((h >> 12) % LAST_NAMES.len() as u64) as usize];
    (first, gender, middle, last)
}

pub fn full_name(div: &Div, c: u64) -> String {
    let (first, _, middle, last) = person(div, c);
    [first, middle, last]
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn record(row: &Row, rec: &mut impl Sink) {
    let div = row.div;
    let c = row.slot;
    let mut rng = div.rng(row.entity, c);
    audit(rec, row);
    let account = account_of(div, c);
    let (first, gender, middle, last) = person(div, c);
    let acc_name = accounts::name(div, account);
    let (country, _, city, _) = accounts::place(div, account);
    put(rec, "Account", s(div.id(Entity::Accounts, account)));
    put(rec, "AccountName", s(acc_name.clone()));
    put(
        rec,
        "AccountIsCustomer",
        Value::Bool(accounts::is_customer(div, account)),
    );
    put(
        rec,
        "AccountIsSupplier",
        Value::Bool(accounts::status(div, account) == "A"),
    );
    let main = accounts::main_contact(div, account);
    put(
        rec,
        "AccountMainContact",
        main.map_or(Value::Null, |m| s(div.id(Entity::Contacts, m))),
    );
    put(rec, "IsMainContact", Value::Bool(main == Some(c)));
    put(rec, "FirstName", s(first));
    put(
        rec,
        "MiddleName",
        if middle.is_empty() {
            Value::Null
        } else {
            s(middle)
        },
    );
    put(rec, "LastName", s(last));
    put(rec, "FullName", s(full_name(div, c)));
    put(rec, "Initials", s(format!("{}.", &first[..1])));
    put(rec, "Gender", s(gender));
    put(rec, "Title", s(if gender == "M" { "DHR" } else { "MEVR" }));
    put(
        rec,
        "TitleAbbreviation",
        s(if gender == "M" { "Dhr." } else { "Mevr." }),
    );
    put(
        rec,
        "TitleDescription",
        s(if gender == "M" { "De heer" } else { "Mevrouw" }),
    );
    let mail_domain: String = acc_name
        .to_lowercase()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(20)
        .collect();
    let email = format!(
        "{}.{}@{}.nl",
        first.to_lowercase(),
        last.to_lowercase(),
        if mail_domain.is_empty() {
            "bedrijf"
        } else {
            &mail_domain
        }
    );
    put(rec, "Email", s(email.clone()));
    put(rec, "BusinessEmail", s(email));
    put(
        rec,
        "Phone",
        s(format!(
            "0{}-{}",
            rng.range(10, 79),
            rng.range(1_000_000, 9_999_999)
        )),
    );
    put(
        rec,
        "BusinessPhone",
        s(format!(
            "0{}-{}",
            rng.range(10, 79),
            rng.range(1_000_000, 9_999_999)
        )),
    );
    put(
        rec,
        "Mobile",
        if rng.chance(0.7) {
            s(format!("06-{}", rng.range(10_000_000, 99_999_999)))
        } else {
            Value::Null
        },
    );
    put(rec, "BusinessMobile", Value::Null);
    let jobs = [
        "Inkoper",
        "Directeur",
        "Projectleider",
        "Administratie",
        "Werkvoorbereider",
        "Magazijnchef",
    ];
    put(rec, "JobTitleDescription", s(*rng.pick(&jobs)));
    put(rec, "Language", s("NL "));
    put(rec, "Country", s(country));
    put(rec, "City", s(city));
    put(rec, "Nationality", s(country.trim()));
    put(
        rec,
        "BirthDate",
        if rng.chance(0.3) {
            exact_day(row.div.origin_ms - rng.range(20 * 365, 60 * 365) * DAY_MS)
        } else {
            Value::Null
        },
    );
    put(
        rec,
        "StartDate",
        exact_day(row.created - row.created.rem_euclid(DAY_MS)),
    );
    put(rec, "EndDate", Value::Null);
    put(rec, "HID", int(c as i64 + 1));
    put(
        rec,
        "Person",
        s(super::seeds::guid_of(&[div.seed, 0x9E5, c])),
    );
    put(
        rec,
        "Notes",
        if hash(&[div.seed, 0xFE5, c]) % 200 == 11 {
            s(HOSTILE_NOTES[1])
        } else {
            Value::Null
        },
    );
    put(rec, "IsMailingExcluded", Value::Bool(rng.chance(0.1)));
    put(rec, "IsAnonymised", int(0));
    put(rec, "AllowMailing", int(1));
    let (url, thumb) = picture_urls(row, "placeholder_contact_myeol.png");
    put(rec, "PictureUrl", url);
    put(rec, "PictureThumbnailUrl", thumb);
    let name = if row.pic.has {
        s(format!(
            "{}_{}.{}",
            first.to_lowercase(),
            last.to_lowercase(),
            picture_ext(&picture_id(div, row.entity, c, row.pic))
        ))
    } else {
        Value::Null
    };
    put(rec, "PictureName", name);
    nulls(
        rec,
        &[
            "AddressLine2",
            "AddressStreet",
            "AddressStreetNumber",
            "AddressStreetNumberSuffix",
            "BirthPlace",
            "BusinessFax",
            "BusinessPhoneExtension",
            "Code",
            "CustomField",
            "IdentificationDate",
            "IdentificationDocument",
            "IdentificationUser",
            "LeadPurpose",
            "LeadSource",
            "MarketingNotes",
            "PartnerName",
            "PartnerNamePrefix",
            "PhoneExtension",
            "Picture",
            "Postcode",
            "SocialSecurityNumber",
            "State",
            "BirthName",
            "BirthNamePrefix",
        ],
    );
}
