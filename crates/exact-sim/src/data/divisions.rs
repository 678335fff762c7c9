//! Divisions (administrations) and the current user (current/Me).

use serde_json::Value;

use super::clock_dates::{DAY_MS, exact_date, exact_day, iso};
use super::layout::{Counts, Div};
use super::row::{int, nulls, num, put, s};
use super::seeds::{Rng, guid_of, hash};
use super::vocabulary::{COMPANY_FIRST, COMPANY_KIND};
use super::{DataConfig, Record};

/// The divisions of a configuration, first one = the user's current division.
pub fn build(cfg: &DataConfig) -> Vec<Div> {
    let mut codes: Vec<i32> = Vec::new();
    let mut rng = Rng::new(&[cfg.seed, 0xD1F]);
    let mut out = Vec::new();
    for index in 0..cfg.divisions.max(1) as usize {
        let mut code = rng.range(100_000, 3_999_999) as i32;
        while codes.contains(&code) {
            code += 1;
        }
        codes.push(code);
        let seed = hash(&[cfg.seed, u64::from(code as u32)]);
        let name = format!(
            "{} {} B.V.",
            COMPANY_FIRST[(seed % COMPANY_FIRST.len() as u64) as usize],
            COMPANY_KIND[((seed >> 8) % COMPANY_KIND.len() as u64) as usize]
        );
        let items = cfg.items as u64;
        let accounts = cfg.accounts as u64;
        let documents = cfg
            .documents
            .map_or((items + accounts) * 3 / 10, |d| d as u64);
        let counts = Counts {
            items,
            groups: 10 + seed % 6,
            units: 10,
            warehouses: 1 + (seed >> 12) % 3,
            accounts,
            contacts: cfg.contacts.map_or(accounts * 3 / 2, |c| c as u64),
            addresses: cfg.addresses.map_or(accounts * 2, |a| a as u64),
            documents,
            attachments: cfg.attachments.map_or(documents * 6 / 5, |a| a as u64),
            prices: cfg.prices.map_or(items * 13 / 10, |p| p as u64),
            orders: cfg.orders.map_or(accounts * 2, |o| o as u64),
        };
        out.push(Div {
            code,
            index,
            seed,
            name,
            lang: if index == 1 { "EN" } else { "NL" },
            country: if index == 2 { "BE " } else { "NL " },
            counts,
            base_url: cfg.base_url.trim_end_matches('/').to_string(),
            origin_ms: cfg.origin_ms,
            picture_share: cfg.picture_share,
            ts0: 100_000 + (seed % 50_000) as i64 * 16,
            users: Div::users_of(seed),
        });
    }
    out
}

/// Every property of system/Divisions for one division.
pub fn record(div: &Div, current: bool) -> Record {
    let mut rec = Record::new();
    let mut rng = Rng::new(&[div.seed, 0xD1A]);
    let created = div.origin_ms - (5 * 365 + rng.range(0, 900)) * DAY_MS;
    let (creator, creator_name) = div.user(0);
    put(&mut rec, "Code", int(i64::from(div.code)));
    put(&mut rec, "Description", s(div.name.clone()));
    put(
        &mut rec,
        "AddressLine1",
        s(format!("Industrieweg {}", rng.range(1, 120))),
    );
    nulls(
        &mut rec,
        &[
            "AddressLine2",
            "AddressLine3",
            "ArchiveDate",
            "DivisionHRLinkUnlinkDate",
            "DivisionMoveDate",
            "Fax",
            "State",
            "DatevAccountantNumber",
            "DatevClientNumber",
            "OBNumber",
            "SiretNumber",
            "TaxOfficeNumber",
            "TaxReferenceNumber",
            "ChamberOfCommerceEstablishment",
        ],
    );
    let be = div.country.starts_with("BE");
    put(
        &mut rec,
        "City",
        s(if be { "Antwerpen" } else { "Utrecht" }),
    );
    put(&mut rec, "Postcode", s(if be { "2000" } else { "3542 AB" }));
    put(&mut rec, "Country", s(div.country));
    put(&mut rec, "Currency", s("EUR"));
    put(&mut rec, "Legislation", s(if be { "BE" } else { "NL" }));
    put(&mut rec, "Current", Value::Bool(current));
    put(&mut rec, "BlockingStatus", int(0));
    put(&mut rec, "Status", int(1));
    put(&mut rec, "Hid", int(div.index as i64 + 1));
    put(&mut rec, "IsMainDivision", Value::Bool(div.index == 0));
    for k in ["IsDossierDivision", "IsHRDivision", "IsPracticeDivision"] {
        put(&mut rec, k, Value::Bool(false));
    }
    for i in 1..=5 {
        let uri = format!(
            "{}/api/v1/{}/system/Divisions({})/Class_{i:02}",
            div.base_url, div.code, div.code
        );
        put(
            &mut rec,
            &format!("Class_{i:02}"),
            serde_json::json!({"__deferred": {"uri": uri}}),
        );
    }
    put(&mut rec, "BusinessTypeCode", s("BV"));
    put(
        &mut rec,
        "BusinessTypeDescription",
        s("Besloten vennootschap"),
    );
    put(&mut rec, "CompanySizeCode", s("10-49"));
    put(
        &mut rec,
        "CompanySizeDescription",
        s("10 tot 49 werknemers"),
    );
    put(&mut rec, "SbiCode", s("4673"));
    put(
        &mut rec,
        "SbiDescription",
        s("Groothandel in hout en bouwmaterialen"),
    );
    put(&mut rec, "SectorCode", s("G"));
    put(&mut rec, "SectorDescription", s("Groot- en detailhandel"));
    put(&mut rec, "SubsectorCode", s("46"));
    put(&mut rec, "SubsectorDescription", s("Groothandel"));
    put(&mut rec, "TemplateCode", s("WHOLESALE"));
    put(
        &mut rec,
        "ChamberOfCommerceNumber",
        s(format!("{}", rng.range(10_000_000, 99_999_999))),
    );
    put(
        &mut rec,
        "VATNumber",
        s(format!("NL{}B01", rng.range(100_000_000, 999_999_999))),
    );
    put(
        &mut rec,
        "Email",
        s(format!("administratie@divisie{}.example.nl", div.code)),
    );
    put(
        &mut rec,
        "Phone",
        s(format!("030-{}", rng.range(1_000_000, 9_999_999))),
    );
    put(
        &mut rec,
        "Website",
        s(format!("www.divisie{}.example.nl", div.code)),
    );
    put(&mut rec, "ShareCapital", num(18_000.0));
    put(&mut rec, "StartDate", exact_day(created));
    put(&mut rec, "Created", exact_date(created));
    put(&mut rec, "Modified", exact_date(created + 400 * DAY_MS));
    for k in ["Creator", "Modifier"] {
        put(&mut rec, k, s(creator));
        put(&mut rec, &format!("{k}FullName"), s(creator_name));
    }
    put(&mut rec, "Customer", s(guid_of(&[div.seed, 0xC5])));
    put(
        &mut rec,
        "CustomerCode",
        s(format!("{:>18}", 1000 + div.index)),
    );
    put(&mut rec, "CustomerName", s(div.name.clone()));
    rec
}

/// Every property of current/Me.
pub fn me(first: &Div, current: &Div, now_ms: i64) -> Record {
    let mut rec = Record::new();
    let (user, _) = first.user(0);
    put(&mut rec, "UserID", s(user));
    put(&mut rec, "CurrentDivision", int(i64::from(current.code)));
    put(&mut rec, "AccountingDivision", int(i64::from(first.code)));
    put(&mut rec, "DossierDivision", Value::Null);
    put(&mut rec, "CustomerCode", s(format!("{:>18}", 1000)));
    put(
        &mut rec,
        "DivisionCustomer",
        s(guid_of(&[current.seed, 0xC5])),
    );
    put(
        &mut rec,
        "DivisionCustomerCode",
        s(format!("{:>18}", 1000 + current.index)),
    );
    put(&mut rec, "DivisionCustomerName", s(current.name.clone()));
    put(&mut rec, "DivisionCustomerSiretNumber", Value::Null);
    put(&mut rec, "DivisionCustomerVatNumber", s("NL001234567B01"));
    put(&mut rec, "Email", s("marieke.devries@example.nl"));
    put(&mut rec, "EmployeeID", s(guid_of(&[first.seed, 0xE4])));
    put(&mut rec, "FirstName", s("Marieke"));
    put(&mut rec, "MiddleName", s("de"));
    put(&mut rec, "LastName", s("Vries"));
    put(&mut rec, "FullName", s("Marieke de Vries"));
    put(&mut rec, "Initials", s("M."));
    put(&mut rec, "Gender", s("V"));
    put(&mut rec, "Title", s("MEVR"));
    for k in [
        "IsClientUser",
        "IsEmployeeSelfServiceUser",
        "IsMyFirmLiteUser",
        "IsMyFirmPortalUser",
        "IsOEIMigrationMandatory",
        "IsStarterUser",
    ] {
        put(&mut rec, k, Value::Bool(false));
    }
    put(&mut rec, "Language", s("NL"));
    put(&mut rec, "LanguageCode", s("nl-NL"));
    put(&mut rec, "Legislation", int(1));
    put(&mut rec, "Nationality", s("NL"));
    put(&mut rec, "Mobile", s("06-12345678"));
    put(&mut rec, "Phone", s("030-1234567"));
    put(&mut rec, "PhoneExtension", Value::Null);
    put(&mut rec, "PackageCode", s("WHOLESALE_PREMIUM"));
    put(
        &mut rec,
        "PictureUrl",
        s(format!(
            "{}//docs/images/placeholder_contact_myeol.png",
            first.base_url
        )),
    );
    let offset = (super::clock_dates::cet_wall_ms(now_ms) - now_ms) as f64 / 3_600_000.0;
    put(
        &mut rec,
        "ServerTime",
        s(iso(super::clock_dates::cet_wall_ms(now_ms))),
    );
    put(&mut rec, "ServerUtcOffset", num(offset));
    put(&mut rec, "ThumbnailPicture", Value::Null);
    put(&mut rec, "ThumbnailPictureFormat", Value::Null);
    put(&mut rec, "UserName", s("marieke.devries@example.nl"));
    rec
}
