// What Exact's stored values mean, property by property: the data behind `values.ts`.
//
// Taken from the property descriptions in crates/exact-fields/data/<Entity>.json for the
// entities the app shows. `values.test.ts` goes over every property of those lists and fails
// when one that documents codes or a flag is missing here, or when a documented code has no
// English or Dutch label. Properties not listed are shown as the plain value.

import type { Lang } from '$lib/i18n.svelte';

/** The Exact entities whose values the app shows (names as in crates/exact-fields/data). */
export type FieldEntity =
  | 'Items'
  | 'Accounts'
  | 'Contacts'
  | 'Addresses'
  | 'SalesItemPrices'
  | 'SalesOrders'
  | 'StockPositions'
  | 'ItemWarehouses';

export const FIELD_ENTITIES: readonly FieldEntity[] = [
  'Items',
  'Accounts',
  'Contacts',
  'Addresses',
  'SalesItemPrices',
  'SalesOrders',
  'StockPositions',
  'ItemWarehouses',
];

export type Label = Readonly<Record<Lang, string>>;

export interface Enumeration {
  /** Stored code (as text: `C`, `12`) → what it means. */
  codes: Readonly<Record<string, Label>>;
  /** The value is a sum of codes (a bitmask): each set bit is named. */
  bits?: boolean;
}

/**
 * A link to another record that Exact sends with the linked record's code and/or description
 * beside it. `code` names the property holding the code; without it, a value that is not a
 * GUID is its own code (`Unit` = `pc`, `SalesVatCode` = `2`).
 */
export interface Reference {
  code?: string;
  description?: string;
}

const ORDER_PROGRESS = (partial: Label, complete: Label): Enumeration => ({
  codes: {
    '12': { en: 'Open', nl: 'Open' },
    '20': partial,
    '21': complete,
    '45': { en: 'Cancelled', nl: 'Geannuleerd' },
  },
});

/** Enumerations Exact documents, per entity and property. */
export const ENUMERATIONS: Readonly<Record<FieldEntity, Readonly<Record<string, Enumeration>>>> = {
  Items: {
    UnitType: {
      codes: {
        A: { en: 'Area', nl: 'Oppervlakte' },
        L: { en: 'Length', nl: 'Lengte' },
        O: { en: 'Other', nl: 'Overig' },
        T: { en: 'Time', nl: 'Tijd' },
        V: { en: 'Volume', nl: 'Volume' },
        W: { en: 'Weight', nl: 'Gewicht' },
      },
    },
  },
  Accounts: {
    Status: {
      codes: {
        A: { en: 'No status', nl: 'Geen status' },
        S: { en: 'Suspect', nl: 'Suspect' },
        P: { en: 'Prospect', nl: 'Prospect' },
        C: { en: 'Customer', nl: 'Klant' },
      },
    },
    Type: {
      codes: {
        A: { en: 'Relation', nl: 'Relatie' },
        D: { en: 'Division', nl: 'Administratie' },
      },
    },
    DeliveryAdvice: {
      codes: {
        '0': { en: 'Partial delivery', nl: 'Deellevering' },
        '1': { en: 'Complete delivery only', nl: 'Alleen volledige levering' },
        '2': { en: 'Partial delivery without backorder', nl: 'Deellevering zonder backorder' },
      },
    },
    IsAccountant: {
      codes: {
        '0': { en: 'No', nl: 'Nee' },
        '1': { en: 'Yes (unlisted)', nl: 'Ja (niet vermeld)' },
        '2': { en: 'Yes (listed)', nl: 'Ja (vermeld)' },
      },
    },
    SeparateInvPerSubscription: {
      codes: {
        '0': { en: 'Combine per customer', nl: 'Combineren per klant' },
        '1': { en: 'One invoice per subscription', nl: 'Eén factuur per abonnement' },
      },
    },
    // Only "0 none" is documented; the project/WBS/item combinations show their code.
    ConsolidationScenario: {
      codes: { '0': { en: 'None', nl: 'Geen' } },
    },
    InvoicingMethod: {
      bits: true,
      codes: {
        '1': { en: 'Paper', nl: 'Papier' },
        '2': { en: 'E-mail', nl: 'E-mail' },
        '4': { en: 'Mailbox', nl: 'Mailbox' },
        '8': { en: 'Send & Track', nl: 'Send & Track' },
        '32': { en: 'Peppol', nl: 'Peppol' },
      },
    },
  },
  Contacts: {},
  Addresses: {
    Type: {
      codes: {
        '1': { en: 'Visit address', nl: 'Bezoekadres' },
        '2': { en: 'Postal address', nl: 'Postadres' },
        '3': { en: 'Invoice address', nl: 'Factuuradres' },
        '4': { en: 'Delivery address', nl: 'Afleveradres' },
      },
    },
  },
  SalesItemPrices: {},
  SalesOrders: {
    ApprovalStatus: {
      codes: {
        '0': { en: 'Awaiting approval', nl: 'Wacht op goedkeuring' },
        '1': { en: 'Approved automatically', nl: 'Automatisch goedgekeurd' },
        '2': { en: 'Approved', nl: 'Goedgekeurd' },
      },
    },
    Status: ORDER_PROGRESS(
      { en: 'Partly delivered', nl: 'Deels geleverd' },
      { en: 'Complete', nl: 'Afgehandeld' },
    ),
    DeliveryStatus: ORDER_PROGRESS(
      { en: 'Partly delivered', nl: 'Deels geleverd' },
      { en: 'Delivered', nl: 'Geleverd' },
    ),
    InvoiceStatus: ORDER_PROGRESS(
      { en: 'Partly invoiced', nl: 'Deels gefactureerd' },
      { en: 'Invoiced', nl: 'Gefactureerd' },
    ),
  },
  StockPositions: {},
  ItemWarehouses: {
    OrderPolicy: {
      codes: {
        '1': { en: 'Lot for lot', nl: 'Lot-for-lot' },
        '2': { en: 'Fixed quantity', nl: 'Vaste hoeveelheid' },
        '3': { en: 'Min/max', nl: 'Min/max' },
        '4': { en: 'Order', nl: 'Op order' },
      },
    },
    ReplenishmentType: {
      codes: {
        '1': { en: 'Purchase', nl: 'Inkopen' },
        '2': { en: 'Assemble', nl: 'Assembleren' },
        '3': { en: 'Make', nl: 'Produceren' },
        '4': { en: 'Transfer', nl: 'Overboeken' },
        '5': { en: 'None', nl: 'Geen' },
      },
    },
  },
};

/**
 * Yes/no properties, whatever their stored type (Exact sends `true`/`false`, `0`/`1` and
 * `"0"`/`"1"`): every Edm.Boolean, and the Byte/Int16 properties documented as a flag.
 */
const FREE_BOOLS = 'FreeBoolField_01 FreeBoolField_02 FreeBoolField_03 FreeBoolField_04 FreeBoolField_05';

export const FLAGS: Readonly<Record<FieldEntity, string>> = {
  Items:
    `CopyRemarks ${FREE_BOOLS} IsBatchItem IsFractionAllowedItem IsMakeItem IsNewContract ` +
    'IsOnDemandItem IsPackageItem IsPurchaseItem IsRegistrationCodeItem IsSalesItem IsSerialItem ' +
    'IsStockItem IsSubcontractedItem IsTaxableItem IsTime IsWebshopItem UseExplosion',
  Accounts:
    'AutomaticProcessProposedEntry Blocked CanDropShip EnableSalesPaymentLink ' +
    'HasWithholdingTaxSales IgnoreDatevWarningMessage IsAgency IsAnonymised IsBank IsCompetitor ' +
    'IsExtraDuty IsMailing IsMember IsPilot IsPurchase IsReseller IsSales IsSupplier ' +
    'RecepientOfCommissions SeparateInvPerProject ShowRemarkForSales',
  Contacts: 'AccountIsCustomer AccountIsSupplier IsAnonymised IsMailingExcluded IsMainContact',
  Addresses: `AccountIsSupplier ${FREE_BOOLS} Main`,
  SalesItemPrices: '',
  SalesOrders: '',
  StockPositions: '',
  ItemWarehouses: '',
};

/** References with their code/description beside them, per entity. */
export const REFERENCES: Readonly<Record<FieldEntity, Readonly<Record<string, Reference>>>> = {
  Items: {
    Creator: { description: 'CreatorFullName' },
    GLCosts: { code: 'GLCostsCode', description: 'GLCostsDescription' },
    GLCostsWorkInProgress: {
      code: 'GLCostsWorkInProgressCode',
      description: 'GLCostsWorkInProgressDescription',
    },
    GLRevenue: { code: 'GLRevenueCode', description: 'GLRevenueDescription' },
    GLRevenueWorkInProgress: {
      code: 'GLRevenueWorkInProgressCode',
      description: 'GLRevenueWorkInProgressDescription',
    },
    GLStock: { code: 'GLStockCode', description: 'GLStockDescription' },
    ItemGroup: { code: 'ItemGroupCode', description: 'ItemGroupDescription' },
    Modifier: { description: 'ModifierFullName' },
    SalesVatCode: { description: 'SalesVatCodeDescription' },
    Unit: { description: 'UnitDescription' },
  },
  Accounts: {
    AccountManager: { description: 'AccountManagerFullName' },
    Classification: { description: 'ClassificationDescription' },
    Costcenter: { description: 'CostcenterDescription' },
    Country: { description: 'CountryName' },
    Creator: { description: 'CreatorFullName' },
    InvoiceAccount: { code: 'InvoiceAccountCode', description: 'InvoiceAccountName' },
    Language: { description: 'LanguageDescription' },
    Modifier: { description: 'ModifierFullName' },
    PaymentConditionPurchase: { description: 'PaymentConditionPurchaseDescription' },
    PaymentConditionSales: { description: 'PaymentConditionSalesDescription' },
    PurchaseCurrency: { description: 'PurchaseCurrencyDescription' },
    PurchaseVATCode: { description: 'PurchaseVATCodeDescription' },
    Reseller: { code: 'ResellerCode', description: 'ResellerName' },
    SalesCurrency: { description: 'SalesCurrencyDescription' },
    SalesTaxSchedule: { code: 'SalesTaxScheduleCode', description: 'SalesTaxScheduleDescription' },
    SalesVATCode: { description: 'SalesVATCodeDescription' },
    State: { description: 'StateName' },
  },
  Contacts: {
    // A contact's `Code` is the code of its account.
    Account: { code: 'Code', description: 'AccountName' },
    Creator: { description: 'CreatorFullName' },
    Modifier: { description: 'ModifierFullName' },
    Title: { description: 'TitleDescription' },
  },
  Addresses: {
    Account: { description: 'AccountName' },
    Contact: { description: 'ContactName' },
    Country: { description: 'CountryName' },
    Creator: { description: 'CreatorFullName' },
    Modifier: { description: 'ModifierFullName' },
    State: { description: 'StateDescription' },
    Warehouse: { code: 'WarehouseCode', description: 'WarehouseDescription' },
  },
  SalesItemPrices: {
    Account: { description: 'AccountName' },
    Creator: { description: 'CreatorFullName' },
    DefaultItemUnit: { description: 'DefaultItemUnitDescription' },
    Item: { code: 'ItemCode', description: 'ItemDescription' },
    Modifier: { description: 'ModifierFullName' },
    Project: { description: 'ProjectDescription' },
    Unit: { description: 'UnitDescription' },
  },
  SalesOrders: {
    Approver: { description: 'ApproverFullName' },
    Creator: { description: 'CreatorFullName' },
    DeliverTo: { description: 'DeliverToName' },
    DeliverToContactPerson: { description: 'DeliverToContactPersonFullName' },
    InvoiceTo: { description: 'InvoiceToName' },
    InvoiceToContactPerson: { description: 'InvoiceToContactPersonFullName' },
    Modifier: { description: 'ModifierFullName' },
    OrderedBy: { description: 'OrderedByName' },
    OrderedByContactPerson: { description: 'OrderedByContactPersonFullName' },
    PaymentCondition: { description: 'PaymentConditionDescription' },
    Project: { code: 'ProjectCode', description: 'ProjectDescription' },
    SalesChannel: { code: 'SalesChannelCode', description: 'SalesChannelDescription' },
    Salesperson: { description: 'SalespersonFullName' },
    SelectionCode: { code: 'SelectionCodeCode', description: 'SelectionCodeDescription' },
    ShippingMethod: { code: 'ShippingMethodCode', description: 'ShippingMethodDescription' },
    VATCode: { description: 'VATCodeDescription' },
  },
  StockPositions: {
    Warehouse: { code: 'WarehouseCode', description: 'WarehouseDescription' },
  },
  ItemWarehouses: {
    Creator: { description: 'CreatorFullName' },
    DefaultStorageLocation: {
      code: 'DefaultStorageLocationCode',
      description: 'DefaultStorageLocationDescription',
    },
    Item: { code: 'ItemCode', description: 'ItemDescription' },
    Modifier: { description: 'ModifierFullName' },
    Warehouse: { code: 'WarehouseCode', description: 'WarehouseDescription' },
  },
};
