// What Exact's stored values mean, property by property: the data behind `values.ts`.
//
// Taken from the property descriptions in crates/exact-fields/data/<Entity>.json for the
// entities the app shows. `values.test.ts` goes over every property of those lists and fails
// when one that documents codes or a flag is missing here, or when a documented code lacks a
// label in one of the UI's languages. Properties not listed are shown as the plain value.

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
    '12': { en: 'Open', nl: 'Open', fr: 'Ouverte', de: 'Offen' },
    '20': partial,
    '21': complete,
    '45': { en: 'Cancelled', nl: 'Geannuleerd', fr: 'Annulée', de: 'Storniert' },
  },
});

/** Enumerations Exact documents, per entity and property. */
export const ENUMERATIONS: Readonly<Record<FieldEntity, Readonly<Record<string, Enumeration>>>> = {
  Items: {
    UnitType: {
      codes: {
        A: { en: 'Area', nl: 'Oppervlakte', fr: 'Surface', de: 'Fläche' },
        L: { en: 'Length', nl: 'Lengte', fr: 'Longueur', de: 'Länge' },
        O: { en: 'Other', nl: 'Overig', fr: 'Autre', de: 'Sonstige' },
        T: { en: 'Time', nl: 'Tijd', fr: 'Temps', de: 'Zeit' },
        V: { en: 'Volume', nl: 'Volume', fr: 'Volume', de: 'Volumen' },
        W: { en: 'Weight', nl: 'Gewicht', fr: 'Poids', de: 'Gewicht' },
      },
    },
  },
  Accounts: {
    Status: {
      codes: {
        A: { en: 'No status', nl: 'Geen status', fr: 'Sans statut', de: 'Kein Status' },
        S: { en: 'Suspect', nl: 'Suspect', fr: 'Suspect', de: 'Lead' },
        P: { en: 'Prospect', nl: 'Prospect', fr: 'Prospect', de: 'Interessent' },
        C: { en: 'Customer', nl: 'Klant', fr: 'Client', de: 'Kunde' },
      },
    },
    Type: {
      codes: {
        A: { en: 'Relation', nl: 'Relatie', fr: 'Relation', de: 'Relation' },
        D: { en: 'Division', nl: 'Administratie', fr: 'Dossier', de: 'Administration' },
      },
    },
    DeliveryAdvice: {
      codes: {
        '0': { en: 'Partial delivery', nl: 'Deellevering', fr: 'Livraison partielle', de: 'Teillieferung' },
        '1': {
          en: 'Complete delivery only',
          nl: 'Alleen volledige levering',
          fr: 'Livraison complète uniquement',
          de: 'Nur vollständige Lieferung',
        },
        '2': {
          en: 'Partial delivery without backorder',
          nl: 'Deellevering zonder backorder',
          fr: 'Livraison partielle sans reliquat',
          de: 'Teillieferung ohne Rückstand',
        },
      },
    },
    IsAccountant: {
      codes: {
        '0': { en: 'No', nl: 'Nee', fr: 'Non', de: 'Nein' },
        '1': { en: 'Yes (unlisted)', nl: 'Ja (niet vermeld)', fr: 'Oui (non répertorié)', de: 'Ja (nicht gelistet)' },
        '2': { en: 'Yes (listed)', nl: 'Ja (vermeld)', fr: 'Oui (répertorié)', de: 'Ja (gelistet)' },
      },
    },
    SeparateInvPerSubscription: {
      codes: {
        '0': {
          en: 'Combine per customer',
          nl: 'Combineren per klant',
          fr: 'Regrouper par client',
          de: 'Pro Kunde zusammenfassen',
        },
        '1': {
          en: 'One invoice per subscription',
          nl: 'Eén factuur per abonnement',
          fr: 'Une facture par abonnement',
          de: 'Eine Rechnung pro Abonnement',
        },
      },
    },
    // Only "0 none" is documented; the project/WBS/item combinations show their code.
    ConsolidationScenario: {
      codes: { '0': { en: 'None', nl: 'Geen', fr: 'Aucun', de: 'Keine' } },
    },
    InvoicingMethod: {
      bits: true,
      codes: {
        '1': { en: 'Paper', nl: 'Papier', fr: 'Papier', de: 'Papier' },
        '2': { en: 'E-mail', nl: 'E-mail', fr: 'E-mail', de: 'E-Mail' },
        '4': { en: 'Mailbox', nl: 'Mailbox', fr: 'Mailbox', de: 'Mailbox' },
        '8': { en: 'Send & Track', nl: 'Send & Track', fr: 'Send & Track', de: 'Send & Track' },
        '32': { en: 'Peppol', nl: 'Peppol', fr: 'Peppol', de: 'Peppol' },
      },
    },
  },
  Contacts: {},
  Addresses: {
    Type: {
      codes: {
        '1': { en: 'Visit address', nl: 'Bezoekadres', fr: 'Adresse de visite', de: 'Besuchsadresse' },
        '2': { en: 'Postal address', nl: 'Postadres', fr: 'Adresse postale', de: 'Postanschrift' },
        '3': { en: 'Invoice address', nl: 'Factuuradres', fr: 'Adresse de facturation', de: 'Rechnungsadresse' },
        '4': { en: 'Delivery address', nl: 'Afleveradres', fr: 'Adresse de livraison', de: 'Lieferadresse' },
      },
    },
  },
  SalesItemPrices: {},
  SalesOrders: {
    ApprovalStatus: {
      codes: {
        '0': {
          en: 'Awaiting approval',
          nl: 'Wacht op goedkeuring',
          fr: 'En attente d’approbation',
          de: 'Wartet auf Genehmigung',
        },
        '1': {
          en: 'Approved automatically',
          nl: 'Automatisch goedgekeurd',
          fr: 'Approuvée automatiquement',
          de: 'Automatisch genehmigt',
        },
        '2': { en: 'Approved', nl: 'Goedgekeurd', fr: 'Approuvée', de: 'Genehmigt' },
      },
    },
    Status: ORDER_PROGRESS(
      { en: 'Partly delivered', nl: 'Deels geleverd', fr: 'Partiellement livrée', de: 'Teilweise geliefert' },
      { en: 'Complete', nl: 'Afgehandeld', fr: 'Terminée', de: 'Abgeschlossen' },
    ),
    DeliveryStatus: ORDER_PROGRESS(
      { en: 'Partly delivered', nl: 'Deels geleverd', fr: 'Partiellement livrée', de: 'Teilweise geliefert' },
      { en: 'Delivered', nl: 'Geleverd', fr: 'Livrée', de: 'Geliefert' },
    ),
    InvoiceStatus: ORDER_PROGRESS(
      { en: 'Partly invoiced', nl: 'Deels gefactureerd', fr: 'Partiellement facturée', de: 'Teilweise fakturiert' },
      { en: 'Invoiced', nl: 'Gefactureerd', fr: 'Facturée', de: 'Fakturiert' },
    ),
  },
  StockPositions: {},
  ItemWarehouses: {
    OrderPolicy: {
      codes: {
        '1': { en: 'Lot for lot', nl: 'Lot-for-lot', fr: 'Lot pour lot', de: 'Los für Los' },
        '2': { en: 'Fixed quantity', nl: 'Vaste hoeveelheid', fr: 'Quantité fixe', de: 'Feste Menge' },
        '3': { en: 'Min/max', nl: 'Min/max', fr: 'Min/max', de: 'Min/Max' },
        '4': { en: 'Order', nl: 'Op order', fr: 'À la commande', de: 'Auftragsbezogen' },
      },
    },
    ReplenishmentType: {
      codes: {
        '1': { en: 'Purchase', nl: 'Inkopen', fr: 'Achat', de: 'Einkauf' },
        '2': { en: 'Assemble', nl: 'Assembleren', fr: 'Assemblage', de: 'Montage' },
        '3': { en: 'Make', nl: 'Produceren', fr: 'Fabrication', de: 'Fertigung' },
        '4': { en: 'Transfer', nl: 'Overboeken', fr: 'Transfert', de: 'Umlagerung' },
        '5': { en: 'None', nl: 'Geen', fr: 'Aucun', de: 'Keine' },
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

/**
 * A number that is an amount of money, a quantity in some unit, or a fraction shown as a
 * percentage. `unit` names the property holding the currency or unit code; an amount without
 * one (or with that property blank) is in the division's currency. `fixedUnit` is a unit the
 * figure is always in.
 */
export interface Measure {
  kind: 'amount' | 'quantity' | 'percent';
  unit?: string;
  fixedUnit?: string;
}

/** Numbers that are amounts, quantities or fractions, per entity and property. */
export const MEASURES: Readonly<Record<FieldEntity, Readonly<Record<string, Measure>>>> = {
  Items: {
    AverageCost: { kind: 'amount' },
    BatchQuantity: { kind: 'quantity', unit: 'Unit' },
    CostPriceNew: { kind: 'amount', unit: 'CostPriceCurrency' },
    CostPriceStandard: { kind: 'amount', unit: 'CostPriceCurrency' },
    NetWeight: { kind: 'quantity', unit: 'NetWeightUnit' },
    // Intrastat declares net mass in kilograms.
    StatisticalNetWeight: { kind: 'quantity', fixedUnit: 'kg' },
    StatisticalValue: { kind: 'amount' },
    Stock: { kind: 'quantity', unit: 'Unit' },
  },
  Accounts: {
    CreditLinePurchase: { kind: 'amount', unit: 'PurchaseCurrency' },
    CreditLineSales: { kind: 'amount', unit: 'SalesCurrency' },
    DiscountPurchase: { kind: 'percent' },
    DiscountSales: { kind: 'percent' },
  },
  Contacts: {},
  Addresses: {},
  // Prices, stock and orders are shown in their own tables, which format amounts with the
  // record's currency and quantities with their unit (`format.ts`).
  SalesItemPrices: {},
  SalesOrders: {},
  StockPositions: {},
  ItemWarehouses: {},
};
