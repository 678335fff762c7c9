//! Sales orders: SalesOrderHeaders and SalesOrderLines joined on OrderID; lines reference
//! real items, headers real customers, and header amounts are the sum of their lines.

use serde_json::Value;

use super::Entity;
use super::accounts;
use super::catalog::{unit, warehouse};
use super::clock_dates::{DAY_MS, exact_day};
use super::contacts;
use super::items;
use super::layout::{Div, LINES_PER_ORDER};
use super::row::Sink;
use super::row::{Row, audit, deferred, int, nulls, num, put, s};
use super::seeds::{Rng, hash};
use super::stock::customer;

const STATUS: &[(i64, &str)] = &[
    (12, "Open"),
    (20, "Gedeeltelijk"),
    (21, "Afgehandeld"),
    (45, "Geannuleerd"),
];

fn status(div: &Div, order: u64) -> (i64, &'static str) {
    let h = hash(&[div.seed, 0x0057, order]) % 20;
    STATUS[match h {
        0..=7 => 0,
        8..=10 => 1,
        11..=18 => 2,
        _ => 3,
    }]
}

/// (order slot, line number) of a line slot.
pub fn line_owner(div: &Div, l: u64) -> (u64, u64) {
    if l < div.slots(Entity::SalesOrderLines) {
        (l / LINES_PER_ORDER, l % LINES_PER_ORDER + 1)
    } else {
        (
            hash(&[div.seed, 0x0111, l]) % div.counts.orders.max(1),
            LINES_PER_ORDER + 1 + l % 10,
        )
    }
}

/// (item slot, quantity, unit price, discount) of a line.
fn line_facts(div: &Div, order: u64, n: u64) -> (u64, f64, f64, f64) {
    let mut rng = Rng::new(&[div.seed, 0x11F, order, n]);
    let item = rng.below(div.counts.items.max(1));
    let quantity = *rng.pick(&[1.0, 2.0, 4.0, 5.0, 10.0, 12.0, 25.0, 100.0]);
    let discount = if rng.chance(0.2) { 0.05 } else { 0.0 };
    (item, quantity, items::sales_price(div, item), discount)
}

fn line_amount(div: &Div, order: u64, n: u64) -> f64 {
    let (_, q, p, d) = line_facts(div, order, n);
    (q * p * (1.0 - d) * 100.0).round() / 100.0
}

fn order_date(div: &Div, order: u64) -> i64 {
    let n = div.counts.orders.max(1) as i64;
    div.origin_ms - 2 * 365 * DAY_MS + (order as i64 * 2 * 365 * DAY_MS) / n
}

pub fn header(row: &Row, rec: &mut impl Sink) {
    let div = row.div;
    let order = row.slot;
    let mut rng = div.rng(row.entity, order);
    audit(rec, row);
    put(rec, "OrderID", s(row.id.clone()));
    put(rec, "OrderNumber", int(10_000 + order as i64));
    let buyer = customer(div, order);
    let deliver = if rng.chance(0.15) {
        customer(div, order + 7_777)
    } else {
        buyer
    };
    for (k, a) in [
        ("OrderedBy", buyer),
        ("DeliverTo", deliver),
        ("InvoiceTo", buyer),
    ] {
        put(rec, k, s(div.id(Entity::Accounts, a)));
        put(rec, &format!("{k}Name"), s(accounts::name(div, a)));
        match accounts::main_contact(div, a) {
            Some(c) => {
                put(
                    rec,
                    &format!("{k}ContactPerson"),
                    s(div.id(Entity::Contacts, c)),
                );
                put(
                    rec,
                    &format!("{k}ContactPersonFullName"),
                    s(contacts::full_name(div, c)),
                );
            }
            None => nulls(
                rec,
                &[
                    &format!("{k}ContactPerson"),
                    &format!("{k}ContactPersonFullName"),
                ],
            ),
        }
    }
    let lines = if order < div.counts.orders {
        div.order_lines(order)
    } else {
        0
    };
    let amount: f64 = (1..=lines).map(|n| line_amount(div, order, n)).sum::<f64>();
    let amount = (amount * 100.0).round() / 100.0;
    let vat = (amount * 0.21 * 100.0).round() / 100.0;
    put(rec, "AmountFCExclVat", num(amount));
    put(rec, "AmountFC", num(amount + vat));
    put(rec, "AmountDC", num(amount + vat));
    put(rec, "VATAmount", num(vat));
    put(rec, "AmountDiscount", num(0.0));
    put(rec, "AmountDiscountExclVat", num(0.0));
    put(rec, "Discount", num(0.0));
    put(rec, "VATCode", s("2  "));
    put(rec, "VATCodeDescription", s("BTW 21%"));
    put(rec, "Currency", s("EUR"));
    let date = order_date(div, order);
    put(rec, "OrderDate", exact_day(date));
    put(
        rec,
        "DeliveryDate",
        exact_day(date + rng.range(1, 30) * DAY_MS),
    );
    let (code, descr) = status(div, order);
    for k in ["Status", "DeliveryStatus", "InvoiceStatus"] {
        put(rec, k, int(code));
        put(rec, &format!("{k}Description"), s(descr));
    }
    put(rec, "ApprovalStatus", int(1));
    put(rec, "ApprovalStatusDescription", s("Automatisch"));
    put(
        rec,
        "Description",
        s(format!("Order {}", accounts::name(div, buyer))),
    );
    put(
        rec,
        "YourRef",
        if rng.chance(0.6) {
            s(format!("PO-{}", rng.range(10_000, 99_999)))
        } else {
            Value::Null
        },
    );
    put(rec, "PaymentCondition", s("30"));
    put(rec, "PaymentConditionDescription", s("30 dagen netto"));
    let (wid, wcode, wdescr) = warehouse(div, 0);
    put(rec, "WarehouseID", s(wid));
    put(rec, "WarehouseCode", s(wcode));
    put(rec, "WarehouseDescription", s(wdescr));
    let (sp, spname) = div.user(order % 3);
    put(rec, "Salesperson", s(sp));
    put(rec, "SalespersonFullName", s(spname));
    put(
        rec,
        "SalesOrderLines",
        deferred(
            row,
            &format!("salesorder/SalesOrders(guid'{}')/SalesOrderLines", row.id),
        ),
    );
    put(
        rec,
        "SalesOrderOrderChargeLines",
        deferred(
            row,
            &format!(
                "salesorder/SalesOrders(guid'{}')/SalesOrderOrderChargeLines",
                row.id
            ),
        ),
    );
    nulls(
        rec,
        &[
            "Approved",
            "Approver",
            "ApproverFullName",
            "CustomField",
            "DeliveryAddress",
            "Document",
            "DocumentNumber",
            "DocumentSubject",
            "IncotermAddress",
            "IncotermCode",
            "IncotermVersion",
            "Notes",
            "PaymentReference",
            "Project",
            "ProjectCode",
            "ProjectDescription",
            "Remarks",
            "SalesChannel",
            "SalesChannelCode",
            "SalesChannelDescription",
            "SelectionCode",
            "SelectionCodeCode",
            "SelectionCodeDescription",
            "ShippingMethod",
            "ShippingMethodCode",
            "ShippingMethodDescription",
            "TaxSchedule",
            "TaxScheduleCode",
            "TaxScheduleDescription",
        ],
    );
}

pub fn line(row: &Row, rec: &mut impl Sink) {
    let div = row.div;
    audit(rec, row);
    let (order, n) = line_owner(div, row.slot);
    let (item, quantity, price, discount) = line_facts(div, order, n);
    let amount = line_amount(div, order, n);
    let (code, descr) = status(div, order);
    put(rec, "OrderID", s(div.id(Entity::SalesOrderHeaders, order)));
    put(rec, "OrderNumber", int(10_000 + order as i64));
    put(rec, "OrderStatus", int(code));
    put(rec, "LineNumber", int(n as i64));
    put(rec, "Item", s(div.id(Entity::Items, item)));
    put(rec, "ItemCode", s(items::code(div, item)));
    let d = items::description(div, item, 0);
    put(rec, "ItemDescription", s(d.clone()));
    put(rec, "Description", s(d));
    let (ucode, udescr, _) = unit(items::unit_of(div, item));
    put(rec, "UnitCode", s(ucode));
    put(rec, "UnitDescription", s(udescr));
    put(rec, "Quantity", num(quantity));
    let delivered = if code == 21 {
        quantity
    } else if code == 20 {
        (quantity / 2.0).floor()
    } else {
        0.0
    };
    put(rec, "QuantityDelivered", num(delivered));
    put(rec, "QuantityInvoiced", num(delivered));
    put(rec, "UnitPrice", num(price));
    put(
        rec,
        "NetPrice",
        num((price * (1.0 - discount) * 100.0).round() / 100.0),
    );
    put(rec, "Discount", num(discount));
    put(rec, "AmountFC", num(amount));
    put(rec, "AmountDC", num(amount));
    let cost = items::cost_price(div, item);
    put(rec, "CostPriceFC", num(cost));
    put(
        rec,
        "Margin",
        num(((amount - cost * quantity) * 100.0).round() / 100.0),
    );
    put(
        rec,
        "VATAmount",
        num((amount * 0.21 * 100.0).round() / 100.0),
    );
    put(rec, "VATCode", s("2  "));
    put(rec, "VATCodeDescription", s("BTW 21%"));
    put(rec, "VATPercentage", num(0.21));
    put(
        rec,
        "DeliveryDate",
        exact_day(order_date(div, order) + 7 * DAY_MS),
    );
    for k in ["Status", "DeliveryStatus", "InvoiceStatus"] {
        put(rec, k, int(code));
        put(rec, &format!("{k}Description"), s(descr));
    }
    put(rec, "UseDropShipment", int(0));
    nulls(
        rec,
        &[
            "CostCenter",
            "CostCenterDescription",
            "CostUnit",
            "CostUnitDescription",
            "CustomerItemCode",
            "CustomField",
            "ItemVersion",
            "ItemVersionDescription",
            "Notes",
            "Pricelist",
            "PricelistDescription",
            "Project",
            "ProjectCode",
            "ProjectDescription",
            "PurchaseOrder",
            "PurchaseOrderLine",
            "PurchaseOrderLineNumber",
            "PurchaseOrderNumber",
            "ShopOrder",
            "ShopOrderNumber",
            "TaxSchedule",
            "TaxScheduleCode",
            "TaxScheduleDescription",
        ],
    );
}
