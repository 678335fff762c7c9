// The `attributes` of an item or account: the JSON object Exact sent, shown grouped by topic.
//
// Group membership is a table by property name, built from the property lists in
// crates/exact-fields/data/{Items,Accounts}.json (every documented property is placed; free
// fields and item classes by pattern). A property Exact adds later lands in "other".
// Values are only ever turned into plain strings here; components render them as text.
// Documented codes, flags, references and measures are shown in words by `values.ts`; a
// reference's code and description rows are folded into the reference's own row. A GUID with
// nothing known to name it by (the record's own ID, a link to a record the app does not keep)
// is not shown among the fields: it goes to the "identifiers" group, folded away.

import type { ExtraFieldRow } from '$lib/ipc';
import type { Lang } from '$lib/i18n.svelte';
import { ACCOUNT_FIELD_DESCRIPTIONS, ITEM_FIELD_DESCRIPTIONS } from './fieldDescriptions';
import { fieldLabel } from './fieldLabels';
import { foldedIntoReferences, GUID, showValue } from './values';
import type { FieldEntity } from './valueTable';

export type AttributeEntity = 'item' | 'account';

/** The Exact entity behind each kind of record shown. */
const FIELD_ENTITY: Record<AttributeEntity, FieldEntity> = { item: 'Items', account: 'Accounts' };

export type GroupKey =
  | 'basic'
  | 'classification'
  | 'pricing'
  | 'inventory'
  | 'taxation'
  | 'address'
  | 'contact'
  | 'financial'
  | 'sales'
  | 'purchase'
  | 'free'
  | 'extra'
  | 'other'
  | 'identifiers';

type Table = ReadonlyArray<readonly [GroupKey, string]>;

/** Items: group → property names, in the order they are shown. */
const ITEM_GROUPS: Table = [
  [
    'basic',
    'Code Description ExtraDescription SearchCode Barcode Notes Unit UnitDescription UnitType ' +
      'StartDate EndDate Created Creator CreatorFullName Modified Modifier ModifierFullName ' +
      'PictureName PictureUrl PictureThumbnailUrl Picture CopyRemarks ID Division SecurityLevel ' +
      'Timestamp',
  ],
  [
    'classification',
    'ItemGroup ItemGroupCode ItemGroupDescription IsSalesItem IsPurchaseItem IsStockItem ' +
      'IsMakeItem IsPackageItem IsNewContract IsOnDemandItem IsRegistrationCodeItem ' +
      'IsSubcontractedItem IsTime IsWebshopItem',
  ],
  [
    'pricing',
    'CostPriceStandard CostPriceNew AverageCost CostPriceCurrency GLRevenue GLRevenueCode ' +
      'GLRevenueDescription GLCosts GLCostsCode GLCostsDescription GLStock GLStockCode ' +
      'GLStockDescription GLRevenueWorkInProgress GLRevenueWorkInProgressCode ' +
      'GLRevenueWorkInProgressDescription GLCostsWorkInProgress GLCostsWorkInProgressCode ' +
      'GLCostsWorkInProgressDescription',
  ],
  [
    'inventory',
    'Stock BatchQuantity AssembledLeadDays GrossWeight NetWeight NetWeightUnit IsBatchItem ' +
      'IsSerialItem IsFractionAllowedItem UseExplosion StatisticalCode StatisticalNetWeight ' +
      'StatisticalUnits StatisticalValue',
  ],
  ['taxation', 'SalesVatCode SalesVatCodeDescription IsTaxableItem'],
  ['free', 'CustomField'],
];

/** Accounts: group → property names, in the order they are shown. */
const ACCOUNT_GROUPS: Table = [
  [
    'basic',
    'Code Name TradeName SearchCode Status StatusSince Type Blocked IsSales IsSupplier ' +
      'IsPurchase Parent Language LanguageDescription Remarks AccountManager ' +
      'AccountManagerFullName AccountManagerHID MainContact CustomerSince EstablishedDate ' +
      'ControlledDate StartDate EndDate Created Creator CreatorFullName Modified Modifier ' +
      'ModifierFullName LogoFileName LogoUrl LogoThumbnailUrl Logo Document ID Division ' +
      'SecurityLevel Timestamp',
  ],
  [
    'address',
    'AddressLine1 AddressLine2 AddressLine3 Postcode City State StateName Country CountryName ' + 'Latitude Longitude',
  ],
  ['contact', 'Email Phone PhoneExtension Fax Website IsMailing'],
  [
    'financial',
    'VATNumber VATLiability ChamberOfCommerce RSIN BSN OINNumber EORINumber GlnNumber ' +
      'DunsNumber BRIN DatevCreditorCode DatevDebtorCode UniqueTaxpayerReference PayAsYouEarn ' +
      'HasWithholdingTaxSales IsExtraDuty RecepientOfCommissions BankAccounts GLAP GLAR ' +
      'GLAccountPurchase GLAccountSales Accountant IsAccountant IsBank Costcenter ' +
      'CostcenterDescription Currency CostPaid AutomaticProcessProposedEntry PeppolIdentifier ' +
      'PeppolIdentifierType IgnoreDatevWarningMessage',
  ],
  [
    'sales',
    'CreditLineSales DiscountSales PaymentConditionSales PaymentConditionSalesDescription ' +
      'PriceList SalesCurrency SalesCurrencyDescription SalesTaxSchedule SalesTaxScheduleCode ' +
      'SalesTaxScheduleDescription SalesVATCode SalesVATCodeDescription IncotermAddressSales ' +
      'IncotermCodeSales IncotermVersionSales ShippingLeadDays ShippingMethod DeliveryAdvice ' +
      'ConsolidationScenario SeparateInvPerProject SeparateInvPerSubscription ' +
      'ShowRemarkForSales InvoiceAccount InvoiceAccountCode InvoiceAccountName ' +
      'InvoiceAttachmentType InvoicingMethod EnableSalesPaymentLink Reseller ResellerCode ' +
      'ResellerName',
  ],
  [
    'purchase',
    'CreditLinePurchase DiscountPurchase PaymentConditionPurchase ' +
      'PaymentConditionPurchaseDescription PurchaseCurrency PurchaseCurrencyDescription ' +
      'PurchaseLeadDays PurchaseVATCode PurchaseVATCodeDescription IncotermAddressPurchase ' +
      'IncotermCodePurchase IncotermVersionPurchase CanDropShip CodeAtSupplier',
  ],
  [
    'classification',
    'ActivitySector ActivitySubSector BusinessType Classification Classification1 ' +
      'Classification2 Classification3 Classification4 Classification5 Classification6 ' +
      'Classification7 Classification8 ClassificationDescription CompanySize LeadPurpose ' +
      'LeadSource Source AddressSource IsAgency IsCompetitor IsPilot IsReseller IsMember ' +
      'IsAnonymised IntraStatArea IntraStatDeliveryTerm IntraStatSystem IntraStatTransactionA ' +
      'IntraStatTransactionB IntraStatTransportMethod',
  ],
  ['free', 'CustomField'],
];

/** The order groups are shown in. */
export const GROUP_ORDER: Record<AttributeEntity, readonly GroupKey[]> = {
  item: ['basic', 'classification', 'pricing', 'inventory', 'taxation', 'free', 'extra', 'other', 'identifiers'],
  account: [
    'basic',
    'address',
    'contact',
    'financial',
    'sales',
    'purchase',
    'classification',
    'free',
    'other',
    'identifiers',
  ],
};

interface Placement {
  group: GroupKey;
  /** Position inside the group. */
  rank: number;
}

function index(table: Table): Map<string, Placement> {
  const map = new Map<string, Placement>();
  for (const [group, names] of table) {
    names.split(/\s+/).forEach((name, rank) => map.set(name, { group, rank }));
  }
  return map;
}

/**
 * Every property name the tables place, group by group in display order (for the export's
 * column picker; `CustomField` is Exact's placeholder for custom fields, not a real column).
 */
export function knownProperties(entity: AttributeEntity): { group: GroupKey; names: string[] }[] {
  const table = entity === 'item' ? ITEM_GROUPS : ACCOUNT_GROUPS;
  return table
    .map(([group, names]) => ({
      group,
      names: names.split(/\s+/).filter((name) => name !== '' && name !== 'CustomField'),
    }))
    .filter((entry) => entry.names.length > 0);
}

const PLACEMENTS: Record<AttributeEntity, Map<string, Placement>> = {
  item: index(ITEM_GROUPS),
  account: index(ACCOUNT_GROUPS),
};

const DESCRIPTIONS: Record<AttributeEntity, Readonly<Record<string, string>>> = {
  item: ITEM_FIELD_DESCRIPTIONS,
  account: ACCOUNT_FIELD_DESCRIPTIONS,
};

/** Free fields (`FreeTextField_01`, `FreeBoolField_02`, …) by pattern. */
const FREE_FIELD = /^Free[A-Za-z]*Field_?\d+$/;
/** Item classes `Class_01`…`Class_10`. */
const ITEM_CLASS = /^Class_\d+$/;

/** Which group a property belongs to; unknown properties go to "other". */
export function groupOf(entity: AttributeEntity, name: string): GroupKey {
  const placed = PLACEMENTS[entity].get(name);
  if (placed) return placed.group;
  if (FREE_FIELD.test(name)) return 'free';
  if (entity === 'item' && ITEM_CLASS.test(name)) return 'classification';
  return 'other';
}

/** Exact's description of a property (English), when the property is documented. */
export function describe(entity: AttributeEntity, name: string): string | undefined {
  const text = DESCRIPTIONS[entity][name];
  return text ? text : undefined;
}

/**
 * A readable label for a property name: `CostPriceStandard` → "Cost price standard",
 * `GLCostsCode` → "GL costs code", `FreeTextField_01` → "Free text field 01".
 */
export function humanise(name: string): string {
  const words: string[] = [];
  for (const part of name.split(/[_\s]+/).filter(Boolean)) {
    const found = part.match(/[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+/g);
    words.push(...(found ?? [part]));
  }
  return words
    .map((word, i) => {
      const acronym = word.length > 1 && word === word.toUpperCase() && /[A-Z]/.test(word);
      if (acronym) return word;
      const lower = word.toLowerCase();
      return i === 0 ? lower.charAt(0).toUpperCase() + lower.slice(1) : lower;
    })
    .join(' ');
}

/** Exact's `/Date(1700000000000)/` (optionally with `+0100`) → the milliseconds, else null. */
export function parseExactDate(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const m = /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/.exec(value.trim());
  if (!m) return null;
  const ms = Number(m[1]);
  return Number.isFinite(ms) ? ms : null;
}

const EMPTY_GUID = /^\{?0{8}-0{4}-0{4}-0{4}-0{12}\}?$/;

/** Whether a value carries nothing to show (folded away under "N empty fields"). */
export function isEmptyValue(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === 'string') {
    const s = value.trim();
    return s === '' || EMPTY_GUID.test(s);
  }
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') {
    const keys = Object.keys(value as object);
    // OData navigation links (`{"__deferred": {"uri": …}}`) are not data.
    return keys.length === 0 || (keys.length === 1 && keys[0] === '__deferred');
  }
  return false;
}

/** What the formatter needs to know about the user's language. */
export interface FormatContext {
  locale: string;
  lang: Lang;
  yes: string;
  no: string;
  /** The division's currency, for amounts whose record names none. */
  currency?: string | null;
}

/**
 * A value as plain text. Dates are shown as Exact shows them: its milliseconds are wall-clock
 * (CET) time written as if UTC, so they are formatted in UTC; midnight shows as a date only.
 */
export function formatValue(value: unknown, ctx: FormatContext): string {
  if (isEmptyValue(value)) return '';
  if (typeof value === 'boolean') return value ? ctx.yes : ctx.no;
  if (typeof value === 'number') {
    return new Intl.NumberFormat(ctx.locale, { maximumFractionDigits: 6 }).format(value);
  }
  if (typeof value === 'string') {
    const ms = parseExactDate(value);
    if (ms !== null) {
      const dateOnly = ms % 86_400_000 === 0;
      return new Intl.DateTimeFormat(ctx.locale, {
        dateStyle: 'medium',
        timeStyle: dateOnly ? undefined : 'short',
        timeZone: 'UTC',
      }).format(new Date(ms));
    }
    return value.trim();
  }
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

export interface Attribute {
  name: string;
  label: string;
  /** Exact's description of the property, for a tooltip. */
  description: string | undefined;
  value: unknown;
  /** The value as text ('' when empty): codes and flags in words, references by code. */
  text: string;
  /** Exact's stored value, when `text` shows it in words (for a tooltip). */
  stored?: string;
  empty: boolean;
  /** An item extra field (its label is the division's own), not a property of the record. */
  extra?: boolean;
  /** The extra field's number. */
  number?: number;
}

export interface AttributeGroup {
  key: GroupKey;
  filled: Attribute[];
  empty: Attribute[];
}

export interface GroupedAttributes {
  groups: AttributeGroup[];
  /** The JSON could not be read (groups is then empty). */
  unreadable: boolean;
}

/** Parses the attribute JSON text: an object, or null when it is not one. */
export function parseAttributes(json: string | null | undefined): Record<string, unknown> | null {
  if (!json) return null;
  try {
    const parsed: unknown = JSON.parse(json);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      return parsed as Record<string, unknown>;
    }
    return null;
  } catch {
    return null;
  }
}

function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true, sensitivity: 'base' });
}

/** An item's extra fields as attributes of the "extra" group, by number. */
function extraAttributes(rows: readonly ExtraFieldRow[], ctx: FormatContext): Attribute[] {
  return [...rows]
    .sort((a, b) => a.number - b.number)
    .map((row) => {
      const label = (row.description ?? '').trim();
      return {
        name: `ExtraField_${row.number}`,
        // Unlabelled: the component names it "Extra field N" in the user's language.
        label,
        number: row.number,
        description: undefined,
        value: row.value,
        text: formatValue(row.value, ctx),
        empty: isEmptyValue(row.value),
        extra: true,
      };
    });
}

/**
 * Every attribute, grouped in display order; groups without any attribute are left out. An
 * item's extra fields (`extra`) form a group of their own. `links` names records that
 * attributes point to by GUID alone (property → "code — name"), as the cache knows them.
 */
export function groupAttributes(
  entity: AttributeEntity,
  json: string | null | undefined,
  ctx: FormatContext,
  extra: readonly ExtraFieldRow[] = [],
  links: Readonly<Record<string, string>> = {},
): GroupedAttributes {
  const data = parseAttributes(json);
  const extras = extraAttributes(extra, ctx);
  const extraGroup: AttributeGroup | null =
    extras.length > 0
      ? { key: 'extra', filled: extras.filter((a) => !a.empty), empty: extras.filter((a) => a.empty) }
      : null;
  if (!data) {
    return {
      groups: extraGroup ? [extraGroup] : [],
      unreadable: json !== '' && json !== null && json !== undefined,
    };
  }
  const buckets = new Map<GroupKey, { attr: Attribute; rank: number }[]>();
  // A reference's code and description are shown on its own row, not again on rows of theirs.
  const folded = foldedIntoReferences(FIELD_ENTITY[entity], data);
  for (const [name, value] of Object.entries(data)) {
    if (name === '__metadata' || folded.has(name)) continue;
    const rank = PLACEMENTS[entity].get(name)?.rank ?? Number.MAX_SAFE_INTEGER;
    const link = Object.hasOwn(links, name) && typeof value === 'string' ? links[name] : undefined;
    const shown = link
      ? { text: link, stored: value as string }
      : showValue(FIELD_ENTITY[entity], name, value, data, ctx);
    const attr: Attribute = {
      name,
      label: fieldLabel(FIELD_ENTITY[entity], name, ctx.lang),
      description: describe(entity, name),
      value,
      text: shown ? shown.text : formatValue(value, ctx),
      empty: shown ? shown.text === '' : isEmptyValue(value),
    };
    if (shown?.stored !== undefined) attr.stored = shown.stored;
    const group = GUID.test(attr.text) ? 'identifiers' : groupOf(entity, name);
    const list = buckets.get(group) ?? [];
    list.push({ attr, rank });
    buckets.set(group, list);
  }
  const groups: AttributeGroup[] = [];
  for (const key of GROUP_ORDER[entity]) {
    if (key === 'extra') {
      if (extraGroup) groups.push(extraGroup);
      continue;
    }
    const list = buckets.get(key);
    if (!list || list.length === 0) continue;
    list.sort((a, b) => a.rank - b.rank || naturalCompare(a.attr.name, b.attr.name));
    const attrs = list.map((entry) => entry.attr);
    groups.push({
      key,
      filled: attrs.filter((a) => !a.empty),
      empty: attrs.filter((a) => a.empty),
    });
  }
  return { groups, unreadable: false };
}
