// A property's stored value as a person reads it: documented codes as words in the user's
// language, flags as Yes/No whatever type Exact stored them in, and links to other records as
// "code — description" instead of a GUID. The meanings live in `valueTable.ts`.
//
// Amounts carry their currency, quantities their unit, fractions show as percentages.
//
// Display only: exports keep Exact's values unless the user asks for values as shown. Unknown
// codes show the code itself, so nothing Exact sent is ever hidden.

import type { Lang } from '$lib/i18n.svelte';
import { formatAmount, formatQuantity } from './format';
import {
  ENUMERATIONS,
  FLAGS,
  MEASURES,
  REFERENCES,
  type Enumeration,
  type FieldEntity,
  type Measure,
  type Reference,
} from './valueTable';

export type ValueKind = 'enumeration' | 'flag' | 'reference' | 'measure' | 'plain';

/** What the formatter needs to know about the user's language and the record's division. */
export interface ValueContext {
  lang: Lang;
  yes: string;
  no: string;
  /** The number and date locale (`nl-NL`); the language's own when absent. */
  locale?: string;
  /** The division's currency, for amounts whose record names none. */
  currency?: string | null;
}

const FLAG_SETS = new Map<FieldEntity, ReadonlySet<string>>(
  (Object.entries(FLAGS) as [FieldEntity, string][]).map(([entity, names]) => [
    entity,
    new Set(names.split(/\s+/).filter(Boolean)),
  ]),
);

/** How a property's value is shown. */
export function kindOf(entity: FieldEntity, name: string): ValueKind {
  if (Object.hasOwn(ENUMERATIONS[entity], name)) return 'enumeration';
  if (FLAG_SETS.get(entity)?.has(name)) return 'flag';
  if (Object.hasOwn(REFERENCES[entity], name)) return 'reference';
  if (Object.hasOwn(MEASURES[entity], name)) return 'measure';
  return 'plain';
}

/** The enumeration of a property, when Exact documents its codes. */
export function enumerationOf(entity: FieldEntity, name: string): Enumeration | undefined {
  return Object.hasOwn(ENUMERATIONS[entity], name) ? ENUMERATIONS[entity][name] : undefined;
}

/** A GUID as Exact writes it (with or without braces). */
export const GUID = /^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$/i;
const EMPTY_GUID = /^\{?0{8}-0{4}-0{4}-0{4}-0{12}\}?$/;

/** A scalar as trimmed text ('' for null, blank, the empty GUID, objects). */
function scalar(value: unknown): string {
  if (typeof value === 'string') {
    const s = value.trim();
    return EMPTY_GUID.test(s) ? '' : s;
  }
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return String(value);
  return '';
}

/** A flag's truth: `true`/`false`, `1`/`0`, `"1"`/`"0"`, `"true"`/`"false"`; else null. */
export function flagValue(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value === 1 ? true : value === 0 ? false : null;
  if (typeof value === 'string') {
    const s = value.trim().toLowerCase();
    if (s === '1' || s === 'true') return true;
    if (s === '0' || s === 'false') return false;
  }
  return null;
}

function label(enumeration: Enumeration, code: string, lang: Lang): string | undefined {
  const codes = enumeration.codes;
  const found = Object.hasOwn(codes, code)
    ? codes[code]
    : Object.hasOwn(codes, code.toUpperCase())
      ? codes[code.toUpperCase()]
      : undefined;
  return found?.[lang];
}

/** A bitmask as the names of its bits, lowest first; bits without a name show as a number. */
function bitsText(enumeration: Enumeration, raw: string, lang: Lang): string {
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) return raw;
  const words: string[] = [];
  let rest = n;
  const bits = Object.keys(enumeration.codes)
    .map(Number)
    .sort((a, b) => a - b);
  for (const bit of bits) {
    if ((rest & bit) === bit) {
      words.push(label(enumeration, String(bit), lang) ?? String(bit));
      rest -= bit;
    }
  }
  if (rest !== 0) words.push(String(rest));
  return words.join(', ');
}

/** A coded value as its meaning, or the code itself when Exact did not document it. */
export function enumerationText(enumeration: Enumeration, value: unknown, lang: Lang): string {
  const raw = scalar(value);
  if (raw === '') return '';
  if (enumeration.bits) return bitsText(enumeration, raw, lang);
  return label(enumeration, raw, lang) ?? raw;
}

/**
 * The words for one documented code (`Accounts`, `Status`, `C` → "Customer"), or null when
 * Exact does not document it; for places that show something else then (a badge left out,
 * Exact's own status text).
 */
export function codeLabel(entity: FieldEntity, name: string, code: unknown, lang: Lang): string | null {
  const enumeration = enumerationOf(entity, name);
  const raw = scalar(code);
  if (!enumeration || raw === '' || enumeration.bits) return null;
  return label(enumeration, raw, lang) ?? null;
}

/** A flag as Yes/No; anything else as Exact sent it. */
export function flagText(value: unknown, ctx: ValueContext): string {
  const truth = flagValue(value);
  if (truth === null) return scalar(value);
  return truth ? ctx.yes : ctx.no;
}

/**
 * A linked record as "code — description" (either part when the other is missing); the bare
 * value (a GUID) only when nothing else is known.
 */
export function referenceText(reference: Reference, value: unknown, record: Readonly<Record<string, unknown>>): string {
  const own = scalar(value);
  const code = reference.code ? scalar(record[reference.code]) : GUID.test(own) ? '' : own;
  const description = reference.description ? scalar(record[reference.description]) : '';
  return [code, description].filter(Boolean).join(' — ') || own;
}

const percentFormats = new Map<string, Intl.NumberFormat>();

/**
 * An amount with its currency, a quantity with its unit (`12 pc`), a fraction as a percentage
 * (`0.055` → `5.5%`); null when the value is not a number.
 */
export function measureText(
  measure: Measure,
  value: unknown,
  record: Readonly<Record<string, unknown>>,
  ctx: ValueContext,
): string | null {
  if (typeof value !== 'number' || !Number.isFinite(value)) return null;
  const loc = ctx.locale ?? ctx.lang;
  const unit = measure.fixedUnit ?? (measure.unit ? scalar(record[measure.unit]) : '');
  switch (measure.kind) {
    case 'amount':
      return formatAmount(value, unit, ctx.currency ?? null, loc);
    case 'quantity':
      return [formatQuantity(value, loc), unit].filter(Boolean).join(' ');
    case 'percent': {
      let format = percentFormats.get(loc);
      if (!format) {
        format = new Intl.NumberFormat(loc, { style: 'percent', maximumFractionDigits: 2 });
        percentFormats.set(loc, format);
      }
      return format.format(value);
    }
  }
}

/** A value shown as words, with the stored value kept for a tooltip when it differs. */
export interface ShownValue {
  text: string;
  /** Exact's own value, when the text replaces it. */
  stored?: string;
}

/**
 * A property's value as a person reads it, or null when the property is plain (formatted as
 * numbers, dates and text are everywhere else).
 */
export function showValue(
  entity: FieldEntity,
  name: string,
  value: unknown,
  record: Readonly<Record<string, unknown>>,
  ctx: ValueContext,
): ShownValue | null {
  let text: string;
  switch (kindOf(entity, name)) {
    case 'enumeration':
      text = enumerationText(ENUMERATIONS[entity][name], value, ctx.lang);
      break;
    case 'flag':
      text = flagText(value, ctx);
      break;
    case 'reference':
      text = referenceText(REFERENCES[entity][name], value, record);
      break;
    case 'measure': {
      const shown = measureText(MEASURES[entity][name], value, record, ctx);
      // The figure is in the text itself: no stored value for a tooltip.
      return shown === null ? null : { text: shown };
    }
    case 'plain':
      return null;
  }
  const stored = scalar(value);
  return stored !== '' && stored !== text ? { text, stored } : { text };
}

/**
 * The properties shown as part of a reference (its code and description), so they are not
 * shown again on rows of their own. Only references present in the record take theirs.
 */
export function foldedIntoReferences(entity: FieldEntity, record: Readonly<Record<string, unknown>>): Set<string> {
  const folded = new Set<string>();
  for (const [name, reference] of Object.entries(REFERENCES[entity])) {
    if (!Object.hasOwn(record, name)) continue;
    if (reference.code && reference.code !== name) folded.add(reference.code);
    if (reference.description && reference.description !== name) folded.add(reference.description);
  }
  return folded;
}
