//! Items (logistics/Items, sync and bulk): every property with realistic values; the light
//! per-item facts other entities reference (code, description, group, unit, prices).

use serde_json::Value;

use super::catalog::{group, unit};
use super::clock_dates::{DAY_MS, exact_day};
use super::layout::Div;
use super::row::Sink;
use super::row::{Row, audit, int, ns, nulls, num, picture_ext, picture_id, picture_urls, put, s};
use super::seeds::{Rng, guid_of, hash, hash_str};
use super::vocabulary::{HOSTILE_NOTES, HOSTILE_TEXT, MATERIALS, PRODUCTS, pick4};

const CLASS_KEYS: [&str; 10] = [
    "Class_01", "Class_02", "Class_03", "Class_04", "Class_05", "Class_06", "Class_07", "Class_08",
    "Class_09", "Class_10",
];
const TEXT_KEYS: [&str; 10] = [
    "FreeTextField_01",
    "FreeTextField_02",
    "FreeTextField_03",
    "FreeTextField_04",
    "FreeTextField_05",
    "FreeTextField_06",
    "FreeTextField_07",
    "FreeTextField_08",
    "FreeTextField_09",
    "FreeTextField_10",
];
const NUMBER_KEYS: [&str; 8] = [
    "FreeNumberField_01",
    "FreeNumberField_02",
    "FreeNumberField_03",
    "FreeNumberField_04",
    "FreeNumberField_05",
    "FreeNumberField_06",
    "FreeNumberField_07",
    "FreeNumberField_08",
];
const DATE_KEYS: [&str; 5] = [
    "FreeDateField_01",
    "FreeDateField_02",
    "FreeDateField_03",
    "FreeDateField_04",
    "FreeDateField_05",
];
const BOOL_KEYS: [&str; 5] = [
    "FreeBoolField_01",
    "FreeBoolField_02",
    "FreeBoolField_03",
    "FreeBoolField_04",
    "FreeBoolField_05",
];
type GlAccount = ([&'static str; 3], &'static str, &'static str);
const GL: [GlAccount; 3] = [
    (
        ["GLCosts", "GLCostsCode", "GLCostsDescription"],
        "7000",
        "Kostprijs omzet",
    ),
    (
        ["GLRevenue", "GLRevenueCode", "GLRevenueDescription"],
        "8000",
        "Omzet",
    ),
    (
        ["GLStock", "GLStockCode", "GLStockDescription"],
        "3000",
        "Voorraad",
    ),
];

fn prefix(div: &Div) -> &'static str {
    ["HK", "VD", "AB", "TW"][div.index % 4]
}

/// Item code, e.g. `HK-10234`.
pub fn code(div: &Div, slot: u64) -> String {
    format!("{}-{}", prefix(div), 10_000 + slot)
}

/// Slot of an item code.
pub fn slot_of_code(div: &Div, code: &str) -> Option<u64> {
    let n: u64 = code
        .trim()
        .strip_prefix(prefix(div))?
        .strip_prefix('-')?
        .parse()
        .ok()?;
    n.checked_sub(10_000)
}

fn hostile(div: &Div, slot: u64) -> Option<usize> {
    let h = hash(&[div.seed, 0xB0, slot]);
    (h % 200 == 7).then_some((h >> 16) as usize)
}

/// Description in a language (0 NL, 1 EN, 2 DE, 3 FR).
pub fn description(div: &Div, slot: u64, lang: usize) -> String {
    if let Some(h) = hostile(div, slot) {
        return HOSTILE_TEXT[h % HOSTILE_TEXT.len()].to_string();
    }
    let h = hash(&[div.seed, 0xDE5, slot]);
    let p = &PRODUCTS[(h % PRODUCTS.len() as u64) as usize];
    let m = &MATERIALS[((h >> 8) % MATERIALS.len() as u64) as usize];
    let dims = [
        "18 x 200 mm",
        "4 x 40 mm",
        "M8 x 60",
        "2440 x 1220 mm",
        "10 m",
        "310 ml",
        "5 l",
        "maat 10",
        "Ø 12 mm",
        "25 kg",
    ];
    format!(
        "{} {} {}",
        pick4(p, lang),
        pick4(m, lang),
        dims[((h >> 16) % dims.len() as u64) as usize]
    )
}

pub fn group_of(div: &Div, slot: u64) -> u64 {
    hash(&[div.seed, 0x6E0, slot]) % div.counts.groups.max(1)
}

pub fn unit_of(div: &Div, slot: u64) -> u64 {
    let h = hash(&[div.seed, 0x0417, slot]);
    if h % 10 < 6 {
        0
    } else {
        (h >> 8) % div.counts.units.max(1)
    }
}

/// Standard sales price (excl. VAT).
pub fn sales_price(div: &Div, slot: u64) -> f64 {
    Rng::new(&[div.seed, 0x5A1E, slot]).money(0.25, 850.0)
}

pub fn cost_price(div: &Div, slot: u64) -> f64 {
    (sales_price(div, slot) * 0.62 * 100.0).round() / 100.0
}

/// A valid EAN-13 from 12 digits.
pub fn ean13(twelve: u64) -> String {
    let digits = format!("{:012}", twelve % 1_000_000_000_000);
    let sum: u32 = digits
        .bytes()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    format!("{digits}{}", (10 - sum % 10) % 10)
}

pub fn barcode(div: &Div, slot: u64) -> Option<String> {
    let h = hash(&[div.seed, 0xEA4, slot]);
    (!h.is_multiple_of(5)).then(|| ean13(871_000_000_000 + (h >> 8) % 1_000_000_000))
}

pub fn record(row: &Row, rec: &mut impl Sink) {
    let div = row.div;
    let slot = row.slot;
    let mut rng = div.rng(row.entity, slot);
    audit(rec, row);
    let code = code(div, slot);
    put(rec, "Code", s(code.clone()));
    put(rec, "Description", s(description(div, slot, row.lang)));
    let extra = if rng.chance(0.3) {
        format!(
            "{} — {}",
            description(div, slot, 1),
            description(div, slot, 2)
        )
    } else {
        String::new()
    };
    put(rec, "ExtraDescription", ns(&extra));
    put(rec, "SearchCode", s(code.replace('-', "").to_lowercase()));
    put(
        rec,
        "Barcode",
        barcode(div, slot).map_or(Value::Null, Value::String),
    );
    let (gid, gcode, gdescr) = group(div, group_of(div, slot), 0);
    put(rec, "ItemGroup", s(gid));
    put(rec, "ItemGroupCode", s(gcode));
    put(rec, "ItemGroupDescription", s(gdescr));
    let (ucode, udescr, utype) = unit(unit_of(div, slot));
    put(rec, "Unit", s(ucode));
    put(rec, "UnitDescription", s(udescr));
    put(rec, "UnitType", s(utype));
    let classes = ["A", "B", "C", "NIEUW", "UITLOOP", "ACTIE"];
    for (i, key) in CLASS_KEYS.iter().enumerate() {
        let v = if i < 3 && rng.chance(0.4) {
            *rng.pick(&classes)
        } else {
            ""
        };
        put(rec, key, ns(v));
    }
    let origin_texts = ["Nederland", "Duitsland", "België", "Zweden", "Italië"];
    for (i, key) in TEXT_KEYS.iter().enumerate() {
        let v = match i {
            0 if rng.chance(0.5) => s(*rng.pick(&origin_texts)),
            1 if rng.chance(0.3) => s(format!("LEV-{}", rng.range(1000, 9999))),
            _ => Value::Null,
        };
        put(rec, key, v);
    }
    for (i, key) in NUMBER_KEYS.iter().enumerate() {
        let v = if i == 0 && rng.chance(0.4) {
            num(rng.range(1, 500) as f64)
        } else {
            Value::Null
        };
        put(rec, key, v);
    }
    for (i, (dkey, bkey)) in DATE_KEYS.iter().zip(BOOL_KEYS).enumerate() {
        let v = if i == 0 && rng.chance(0.2) {
            exact_day(row.created + rng.range(0, 400) * DAY_MS)
        } else {
            Value::Null
        };
        put(rec, dkey, v);
        put(rec, bkey, Value::Bool(i == 0 && rng.chance(0.3)));
    }
    let weight = rng.money(0.01, 40.0);
    put(rec, "NetWeight", num(weight));
    put(
        rec,
        "GrossWeight",
        num(((weight * 1.08) * 100.0).round() / 100.0),
    );
    put(rec, "NetWeightUnit", s("kg"));
    let price = sales_price(div, slot);
    let cost = cost_price(div, slot);
    put(rec, "StandardSalesPrice", num(price));
    put(rec, "CostPriceStandard", num(cost));
    put(
        rec,
        "CostPriceNew",
        if rng.chance(0.1) {
            num((cost * 1.05 * 100.0).round() / 100.0)
        } else {
            num(0.0)
        },
    );
    put(
        rec,
        "AverageCost",
        num(((cost * (0.95 + rng.unit() * 0.1)) * 100.0).round() / 100.0),
    );
    put(rec, "CostPriceCurrency", s("EUR"));
    let is_stock = slot < div.counts.items && div.item_is_stock(slot);
    let service = !is_stock && rng.chance(0.3);
    put(rec, "IsStockItem", Value::Bool(is_stock));
    put(rec, "IsSalesItem", Value::Bool(rng.chance(0.9)));
    put(
        rec,
        "IsPurchaseItem",
        Value::Bool(!service && rng.chance(0.85)),
    );
    put(rec, "Stock", num(super::stock::total(div, slot)));
    put(
        rec,
        "IsFractionAllowedItem",
        Value::Bool(matches!(utype, "W" | "L" | "A" | "V")),
    );
    put(rec, "IsPackageItem", Value::Bool(false));
    put(rec, "IsSerialItem", Value::Bool(rng.chance(0.03)));
    put(rec, "IsSerialNumberItem", Value::Bool(false));
    put(rec, "IsSubcontractedItem", Value::Bool(false));
    for (k, v) in [
        ("IsBatchItem", rng.chance(0.05)),
        ("IsMakeItem", rng.chance(0.05)),
        ("IsNewContract", false),
        ("IsOnDemandItem", false),
        ("IsTaxableItem", false),
        ("IsTime", service),
        ("IsWebshopItem", rng.chance(0.4)),
        ("IsRegistrationCodeItem", false),
        ("UseExplosion", false),
        ("IsBatchNumberItem", false),
        ("CopyRemarks", false),
    ] {
        put(rec, k, int(i64::from(v)));
    }
    put(rec, "SalesVatCode", s("2  "));
    put(rec, "SalesVatCodeDescription", s("BTW 21%"));
    put(rec, "SecurityLevel", int(10));
    let start = row.created - row.created.rem_euclid(DAY_MS);
    put(rec, "StartDate", exact_day(start));
    put(
        rec,
        "EndDate",
        if rng.chance(0.04) {
            exact_day(row.modified + 90 * DAY_MS)
        } else {
            Value::Null
        },
    );
    put(
        rec,
        "StatisticalCode",
        if is_stock {
            s(format!("{}", 44_000_000 + rng.below(999_999)))
        } else {
            Value::Null
        },
    );
    for k in [
        "StatisticalNetWeight",
        "StatisticalUnits",
        "StatisticalValue",
    ] {
        put(rec, k, num(0.0));
    }
    for (k, c, d) in GL {
        put(rec, k[0], s(guid_of(&[div.seed, 0x61, hash_str(c)])));
        put(rec, k[1], s(c));
        put(rec, k[2], s(d));
    }
    nulls(
        rec,
        &[
            "GLCostsWorkInProgress",
            "GLCostsWorkInProgressCode",
            "GLCostsWorkInProgressDescription",
            "GLRevenueWorkInProgress",
            "GLRevenueWorkInProgressCode",
            "GLRevenueWorkInProgressDescription",
            "CustomField",
            "Picture",
        ],
    );
    put(rec, "AssembledLeadDays", int(0));
    put(rec, "BatchQuantity", num(0.0));
    let notes = match hostile(div, slot) {
        Some(h) => HOSTILE_NOTES[h % HOSTILE_NOTES.len()].to_string(),
        None if rng.chance(0.15) => {
            "Levertijd 3-5 werkdagen.\nNiet op voorraad bij leverancier.".to_string()
        }
        None => String::new(),
    };
    put(rec, "Notes", ns(&notes));
    let (url, thumb) = picture_urls(row, "placeholder_item.png");
    put(rec, "PictureUrl", url);
    put(rec, "PictureThumbnailUrl", thumb);
    let name = if row.pic.has {
        let pid = picture_id(div, row.entity, slot, row.pic);
        let suffix = if row.pic.version == 0 {
            String::new()
        } else {
            format!("-v{}", row.pic.version)
        };
        s(format!(
            "{}{suffix}.{}",
            code.to_lowercase(),
            picture_ext(&pid)
        ))
    } else {
        Value::Null
    };
    put(rec, "PictureName", name);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ean13_check_digit() {
        assert_eq!(ean13(400_638_133_393), "4006381333931");
        assert_eq!(ean13(871_234_567_890), "8712345678906");
    }
}
