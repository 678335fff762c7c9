// The rules an export with "Values as shown" sends along: for each chosen column that the
// detail screen shows in words, what its stored values mean, in the user's language. The
// shell applies them cell by cell and knows no meanings of its own, so `valueTable.ts` stays
// the one place they are written down.

import type { ExportValueRule } from '$lib/ipc';
import { enumerationOf, kindOf, type ValueContext } from './values';
import { REFERENCES, type FieldEntity } from './valueTable';

/** The lists that can be exported. */
export type ExportedList = 'items' | 'customers';

/** The Exact entity behind each exported list. */
const FIELD_ENTITY: Record<ExportedList, FieldEntity> = { items: 'Items', customers: 'Accounts' };

/** How one property's values are written, or null when they are written as stored. */
export function valueRule(entity: FieldEntity, name: string, ctx: ValueContext): ExportValueRule | null {
  switch (kindOf(entity, name)) {
    case 'enumeration': {
      const enumeration = enumerationOf(entity, name);
      if (!enumeration) return null;
      const labels: Record<string, string> = {};
      for (const [code, label] of Object.entries(enumeration.codes)) labels[code] = label[ctx.lang];
      return { kind: 'codes', labels, bits: enumeration.bits === true };
    }
    case 'flag':
      return { kind: 'flag', yes: ctx.yes, no: ctx.no };
    case 'reference': {
      const reference = REFERENCES[entity][name];
      return {
        kind: 'reference',
        code: reference.code ?? null,
        description: reference.description ?? null,
      };
    }
    default:
      // Plain values, and measures: a spreadsheet gets amounts and quantities as numbers.
      return null;
  }
}

/** The rules for the chosen `columns` of `list`; columns written as stored have none. */
export function exportValueRules(
  list: ExportedList,
  columns: readonly string[],
  ctx: ValueContext,
): Record<string, ExportValueRule> {
  const rules: Record<string, ExportValueRule> = {};
  for (const name of columns) {
    const rule = valueRule(FIELD_ENTITY[list], name, ctx);
    if (rule) rules[name] = rule;
  }
  return rules;
}
