import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LANGS, type Lang } from '$lib/i18n.svelte';
import { translationProblems } from '$lib/translations';
import { groupAttributes } from './attributes';
import {
  codeLabel,
  enumerationOf,
  enumerationText,
  flagText,
  flagValue,
  foldedIntoReferences,
  kindOf,
  measureText,
  referenceText,
  showValue,
  type ValueKind,
} from './values';
import { ENUMERATIONS, FIELD_ENTITIES, FLAGS, MEASURES, REFERENCES, type FieldEntity } from './valueTable';

// The project's copy of Exact's field lists: the source of truth this table must follow.
const DATA = join(dirname(fileURLToPath(import.meta.url)), '../../../crates/exact-fields/data');

interface Field {
  name: string;
  type: string;
  description?: string;
}

function fields(entity: FieldEntity): Field[] {
  const text = readFileSync(join(DATA, `${entity}.json`), 'utf8');
  return (JSON.parse(text) as { properties: Field[] }).properties;
}

/**
 * The codes a description documents: a list after a colon where at least two entries start
 * with a code ("Customer status: A none, S suspect, …", "Delivery status: 12 open, 20 partial"),
 * or a code opening a parenthesis ("(0 none ... project/WBS/item combos)").
 */
function documentedCodes(description: string): string[] {
  const codes: string[] = [];
  const colon = description.indexOf(':');
  if (colon >= 0) {
    const listed = description
      .slice(colon + 1)
      .split(',')
      .map((part) => /^\s*(?:or\s+)?([A-Z]{1,2}|\d+)\s*(?:=\s*)?[A-Za-z&]/.exec(part)?.[1])
      .filter((code): code is string => code !== undefined);
    if (listed.length >= 2) codes.push(...listed);
  }
  const opening = /\((\d+|[A-Z]) [a-z]/.exec(description);
  if (opening?.[1] && !codes.includes(opening[1])) codes.push(opening[1]);
  return codes;
}

/** Small integers Exact stores without documenting codes, reviewed and shown as numbers. */
const REVIEWED_PLAIN: Readonly<Record<string, string>> = {
  'Accounts.AddressSource': 'creation source; codes not documented',
  'Accounts.Source': 'creation source; codes not documented',
  'Accounts.CostPaid': 'obsolete, meaning not documented',
  'Accounts.IncotermVersionPurchase': 'a year (2010/2020), readable as is',
  'Accounts.IncotermVersionSales': 'a year (2010/2020), readable as is',
  'Addresses.Source': 'creation source; codes not documented',
  'SalesOrders.IncotermVersion': 'a year (2010/2020), readable as is',
  'ItemWarehouses.CountingCycle': 'a number of days',
  'ItemWarehouses.Period': 'a period length',
};

const FLAG_NAME = /^(Is|Has|Can|Use|Show|Enable|Allow|Copy)[A-Z]/;

function expectedKinds(field: Field, names: ReadonlySet<string>): ValueKind[] | null {
  const description = field.description ?? '';
  if (documentedCodes(description).length > 0) return ['enumeration'];
  if (field.type === 'Edm.Boolean' || description.includes('(0/1)')) return ['flag'];
  if ((field.type === 'Edm.Byte' || field.type === 'Edm.Int16') && FLAG_NAME.test(field.name)) {
    return ['flag', 'enumeration'];
  }
  const companions = ['Code', 'Description', 'Name', 'FullName'].map((s) => field.name + s);
  if (field.type !== 'Edm.Binary' && companions.some((c) => names.has(c))) {
    return ['reference', 'enumeration'];
  }
  return null;
}

describe('the value table covers every property of the shown entities', () => {
  for (const entity of FIELD_ENTITIES) {
    const list = fields(entity);
    const names = new Set(list.map((f) => f.name));

    it(`${entity}: each property is classified as its description says`, () => {
      const wrong: string[] = [];
      for (const field of list) {
        const kind = kindOf(entity, field.name);
        const expected = expectedKinds(field, names);
        if (expected && !expected.includes(kind)) {
          wrong.push(`${field.name} (${field.type}) is ${kind}, expected ${expected.join(' or ')}`);
        }
        const small = field.type === 'Edm.Byte' || field.type === 'Edm.Int16';
        if (small && kind === 'plain' && !REVIEWED_PLAIN[`${entity}.${field.name}`]) {
          wrong.push(`${field.name} (${field.type}) is plain but small integers are often codes`);
        }
      }
      expect(wrong, 'a property with documented codes or a flag would be shown raw').toEqual([]);
    });

    it(`${entity}: every documented code has a label in every language`, () => {
      const missing: string[] = [];
      for (const field of list) {
        const codes = documentedCodes(field.description ?? '');
        const enumeration = enumerationOf(entity, field.name);
        for (const code of codes) {
          const label = enumeration?.codes[code];
          for (const lang of LANGS) if (!label?.[lang]?.trim()) missing.push(`${field.name} ${code} ${lang}`);
        }
      }
      expect(missing, 'documented codes without words in every language').toEqual([]);
    });

    it(`${entity}: leaves no label in English unless it is the same in that language`, () => {
      // The labels as message tables, keyed `Property.code`, checked like the UI's messages.
      const tables = Object.fromEntries(LANGS.map((lang) => [lang, {} as Record<string, string>])) as Record<
        Lang,
        Record<string, string>
      >;
      for (const [name, enumeration] of Object.entries(ENUMERATIONS[entity])) {
        for (const [code, label] of Object.entries(enumeration.codes)) {
          for (const lang of LANGS) tables[lang][`${name}.${code}`] = label[lang];
        }
      }
      const problems = translationProblems(tables);
      expect(problems.missing).toEqual([]);
      expect(problems.untranslated, 'add a translation, or the string to SAME_AS_ENGLISH').toEqual([]);
    });

    it(`${entity}: each enumeration labels exactly the codes Exact documents`, () => {
      for (const [name, enumeration] of Object.entries(ENUMERATIONS[entity])) {
        const documented = documentedCodes(list.find((f) => f.name === name)?.description ?? '');
        expect(Object.keys(enumeration.codes).sort(), `${entity}.${name}: no invented codes`).toEqual(
          [...documented].sort(),
        );
      }
    });

    it(`${entity}: the table names only properties of the field list`, () => {
      const unknown: string[] = [];
      for (const name of Object.keys(ENUMERATIONS[entity])) {
        if (!names.has(name)) unknown.push(`enumeration ${name}`);
      }
      for (const name of FLAGS[entity].split(/\s+/).filter(Boolean)) {
        const field = list.find((f) => f.name === name);
        if (!field) unknown.push(`flag ${name}`);
        else if (!['Edm.Boolean', 'Edm.Byte', 'Edm.Int16'].includes(field.type)) {
          unknown.push(`flag ${name} of type ${field.type}`);
        }
      }
      for (const [name, reference] of Object.entries(REFERENCES[entity])) {
        for (const part of [name, reference.code, reference.description]) {
          if (part !== undefined && !names.has(part)) unknown.push(`reference ${name}: ${part}`);
        }
      }
      for (const key of Object.keys(REVIEWED_PLAIN)) {
        const [owner, name] = key.split('.');
        if (owner === entity && !names.has(name ?? '')) unknown.push(`reviewed ${name}`);
      }
      expect(unknown, 'a misspelt name in the table would silently show the raw value').toEqual([]);
    });
  }

  it('reads the documented codes the way the table expects', () => {
    expect(documentedCodes('Customer status: A none, S suspect, P prospect, C customer')).toEqual(['A', 'S', 'P', 'C']);
    expect(documentedCodes('Account type: A = relation, D = division')).toEqual(['A', 'D']);
    expect(documentedCodes('Mode (0 none ... project/WBS/item combos)')).toEqual(['0']);
    expect(documentedCodes('Incoterm edition (2010/2020)')).toEqual([]);
    expect(documentedCodes('Time & Billing: separate invoice per project')).toEqual([]);
  });
});

const en = { lang: 'en', yes: 'Yes', no: 'No' } as const;
const nl = { lang: 'nl', yes: 'Ja', no: 'Nee' } as const;
const GUID = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';

describe('enumerations', () => {
  const status = ENUMERATIONS.Accounts['Status']!;

  it('shows documented codes as words in the user language', () => {
    expect(enumerationText(status, 'C', 'en')).toBe('Customer');
    expect(enumerationText(status, 'C', 'nl')).toBe('Klant');
    expect(enumerationText(ENUMERATIONS.Accounts['Type']!, 'A', 'en')).toBe('Relation');
    expect(enumerationText(ENUMERATIONS.Items['UnitType']!, 'W', 'nl')).toBe('Gewicht');
  });

  it('reads codes stored as numbers or text, padded or in lower case', () => {
    const delivery = ENUMERATIONS.SalesOrders['DeliveryStatus']!;
    expect(enumerationText(delivery, 21, 'en')).toBe('Delivered');
    expect(enumerationText(delivery, '21', 'en')).toBe('Delivered');
    expect(enumerationText(ENUMERATIONS.Addresses['Type']!, 3, 'nl')).toBe('Factuuradres');
    expect(enumerationText(status, ' c ', 'en')).toBe('Customer');
  });

  it('shows an unknown code as it is stored, and nothing for no value', () => {
    expect(enumerationText(status, 'X', 'en')).toBe('X');
    expect(enumerationText(ENUMERATIONS.Accounts['ConsolidationScenario']!, 3, 'en')).toBe('3');
    expect(enumerationText(status, null, 'en')).toBe('');
    expect(enumerationText(status, '  ', 'en')).toBe('');
  });

  it('names each bit of a bitmask, keeping unknown bits as a number', () => {
    const method = ENUMERATIONS.Accounts['InvoicingMethod']!;
    expect(enumerationText(method, 1, 'en')).toBe('Paper');
    expect(enumerationText(method, 34, 'nl')).toBe('E-mail, Peppol');
    expect(enumerationText(method, 16 + 2, 'en')).toBe('E-mail, 16');
    expect(enumerationText(method, 0, 'en')).toBe('0');
  });
});

describe('flags', () => {
  it('reads every representation Exact sends', () => {
    for (const yes of [true, 1, '1', 'true', ' True ']) expect(flagValue(yes)).toBe(true);
    for (const no of [false, 0, '0', 'false']) expect(flagValue(no)).toBe(false);
    for (const other of [2, 'yes', '', null, undefined, {}]) expect(flagValue(other)).toBeNull();
  });

  it('shows Yes/No in the user language, anything else as stored', () => {
    expect(flagText(1, en)).toBe('Yes');
    expect(flagText('0', en)).toBe('No');
    expect(flagText(true, nl)).toBe('Ja');
    expect(flagText(0, nl)).toBe('Nee');
    expect(flagText(2, en)).toBe('2');
    expect(flagText(null, en)).toBe('');
  });
});

describe('references', () => {
  const group = REFERENCES.Items['ItemGroup']!;

  it('shows code — description instead of the GUID', () => {
    const record = { ItemGroup: GUID, ItemGroupCode: 'GRP ', ItemGroupDescription: 'Screws' };
    expect(referenceText(group, GUID, record)).toBe('GRP — Screws');
  });

  it('shows whichever part is known', () => {
    expect(referenceText(group, GUID, { ItemGroupCode: 'GRP', ItemGroupDescription: null })).toBe('GRP');
    expect(referenceText(group, GUID, { ItemGroupDescription: 'Screws' })).toBe('Screws');
    const creator = REFERENCES.Items['Creator']!;
    expect(referenceText(creator, GUID, { CreatorFullName: 'Jan Jansen' })).toBe('Jan Jansen');
  });

  it('shows the GUID only when nothing else is known', () => {
    expect(referenceText(group, GUID, { ItemGroupCode: '', ItemGroupDescription: ' ' })).toBe(GUID);
    expect(referenceText(group, '00000000-0000-0000-0000-000000000000', {})).toBe('');
  });

  it('uses a coded value as its own code', () => {
    const unit = REFERENCES.Items['Unit']!;
    expect(referenceText(unit, 'pc', { UnitDescription: 'Piece' })).toBe('pc — Piece');
    expect(referenceText(unit, 'pc', {})).toBe('pc');
  });

  it('folds the code and description of references present in the record', () => {
    const folded = foldedIntoReferences('Items', {
      ItemGroup: GUID,
      ItemGroupCode: 'GRP',
      ItemGroupDescription: 'Screws',
      GLCostsCode: '7000',
    });
    expect([...folded].sort()).toEqual(['ItemGroupCode', 'ItemGroupDescription']);
  });
});

describe('showValue', () => {
  it('keeps the stored value for a tooltip when it shows words', () => {
    expect(showValue('Accounts', 'Status', 'C', {}, en)).toEqual({ text: 'Customer', stored: 'C' });
    expect(showValue('Items', 'IsMakeItem', 0, {}, en)).toEqual({ text: 'No', stored: '0' });
    expect(showValue('Items', 'Unit', 'pc', {}, en)).toEqual({ text: 'pc' });
  });

  it('leaves plain properties to the general formatter', () => {
    expect(showValue('Items', 'Description', 'Screw', {}, en)).toBeNull();
    expect(showValue('Accounts', 'SomethingExactAddsLater', 'X', {}, en)).toBeNull();
  });
});

describe('attributes in words', () => {
  function attr(entity: 'item' | 'account', json: object, name: string, lang: 'en' | 'nl' = 'en') {
    const ctx = { ...(lang === 'en' ? en : nl), locale: lang === 'en' ? 'en-GB' : 'nl-NL' };
    const { groups } = groupAttributes(entity, JSON.stringify(json), ctx);
    return groups.flatMap((g) => [...g.filled, ...g.empty]).find((a) => a.name === name);
  }

  it('shows account codes and flags as words', () => {
    const account = { Status: 'C', Type: 'A', IsCompetitor: 0, Blocked: false, DeliveryAdvice: 1 };
    expect(attr('account', account, 'Status')?.text).toBe('Customer');
    expect(attr('account', account, 'Status', 'nl')?.text).toBe('Klant');
    expect(attr('account', account, 'Type')?.text).toBe('Relation');
    expect(attr('account', account, 'IsCompetitor')?.text).toBe('No');
    expect(attr('account', account, 'Blocked', 'nl')?.text).toBe('Nee');
    expect(attr('account', account, 'DeliveryAdvice')?.text).toBe('Complete delivery only');
  });

  it('shows item flags stored as numbers or text the same way as booleans', () => {
    const item = { IsMakeItem: 0, IsNewContract: '1', IsSalesItem: true, IsStockItem: false };
    expect(attr('item', item, 'IsMakeItem')?.text).toBe('No');
    expect(attr('item', item, 'IsNewContract')?.text).toBe('Yes');
    expect(attr('item', item, 'IsSalesItem')?.text).toBe('Yes');
    expect(attr('item', item, 'IsStockItem')?.text).toBe('No');
  });

  it('shows the item group by code and description, once, without its GUID', () => {
    const item = { ItemGroup: GUID, ItemGroupCode: 'GRP', ItemGroupDescription: 'Screws' };
    const group = attr('item', item, 'ItemGroup');
    expect(group?.text).toBe('GRP — Screws');
    expect(group?.empty).toBe(false);
    expect(attr('item', item, 'ItemGroupCode')).toBeUndefined();
    expect(attr('item', item, 'ItemGroupDescription')).toBeUndefined();
  });

  it('keeps the code rows when the record has no reference to fold them into', () => {
    expect(attr('item', { GLCostsCode: '7000' }, 'GLCostsCode')?.text).toBe('7000');
  });

  it('counts a reference without any value as empty', () => {
    const item = { ItemGroup: null, ItemGroupCode: null, ItemGroupDescription: '' };
    expect(attr('item', item, 'ItemGroup')?.empty).toBe(true);
  });
});

describe('codeLabel', () => {
  it('names one documented code, or gives null for the caller to fall back', () => {
    expect(codeLabel('Accounts', 'Status', 'P', 'en')).toBe('Prospect');
    expect(codeLabel('Addresses', 'Type', 4, 'nl')).toBe('Afleveradres');
    expect(codeLabel('Accounts', 'Status', 'X', 'en')).toBeNull();
    expect(codeLabel('Accounts', 'Status', null, 'en')).toBeNull();
    expect(codeLabel('Items', 'Description', 'A', 'en')).toBeNull();
  });
});

/** Numbers of items and accounts shown as plain figures, reviewed. */
const REVIEWED_NUMBERS: Readonly<Record<string, string>> = {
  'Items.GrossWeight': 'Exact documents no unit for it',
  'Items.StatisticalUnits': 'a count of supplementary units, their kind set per goods code',
  'Accounts.Latitude': 'a coordinate',
  'Accounts.Longitude': 'a coordinate',
};

/** The entities whose every property the detail screens show ("All fields"). */
const DETAILED: readonly ['Items', 'Accounts'] = ['Items', 'Accounts'];

describe('amounts, quantities and fractions', () => {
  const at = { ...en, locale: 'en-GB', currency: 'EUR' };

  for (const entity of DETAILED) {
    it(`${entity}: every documented number is a measure or reviewed`, () => {
      const unreviewed = fields(entity)
        .filter((f) => f.type === 'Edm.Double' || f.type === 'Edm.Decimal')
        .filter((f) => !/^FreeNumberField_\d+$/.test(f.name))
        .filter((f) => kindOf(entity, f.name) !== 'measure')
        .filter((f) => !REVIEWED_NUMBERS[`${entity}.${f.name}`])
        .map((f) => `${f.name}: ${f.description ?? ''}`);
      expect(unreviewed, 'an amount or quantity would be shown without its currency or unit').toEqual([]);
    });

    it(`${entity}: each measure's unit is a property Exact sends`, () => {
      const names = new Set(fields(entity).map((f) => f.name));
      for (const [name, measure] of Object.entries(MEASURES[entity])) {
        expect(names.has(name), `${entity}.${name}`).toBe(true);
        if (measure.unit) expect(names.has(measure.unit), `${entity}.${name} → ${measure.unit}`).toBe(true);
      }
    });
  }

  it('shows an amount in the record’s currency, else the division’s', () => {
    const item = { CostPriceStandard: 12.5, CostPriceCurrency: 'USD', AverageCost: 3 };
    expect(showValue('Items', 'CostPriceStandard', 12.5, item, at)).toEqual({ text: 'US$12.50' });
    expect(showValue('Items', 'AverageCost', 3, item, at)).toEqual({ text: '€3.00' });
    const blank = { CostPriceStandard: 7, CostPriceCurrency: ' ' };
    expect(showValue('Items', 'CostPriceStandard', 7, blank, at)?.text).toBe('€7.00');
    const nlAt = { ...nl, locale: 'nl-NL', currency: 'EUR' };
    // Intl puts a no-break space between the sign and the figure.
    expect(showValue('Accounts', 'CreditLineSales', 1500, {}, nlAt)?.text).toBe('€\u00a01.500,00');
    // Without any currency known, a plain figure with two decimals.
    expect(showValue('Accounts', 'CreditLineSales', 1500, {}, { ...en, locale: 'en-GB' })?.text).toBe('1,500.00');
  });

  it('shows a quantity with its unit and a fraction as a percentage', () => {
    expect(showValue('Items', 'Stock', 12, { Unit: 'pc' }, at)?.text).toBe('12 pc');
    expect(showValue('Items', 'Stock', 2.5, {}, at)?.text).toBe('2.5');
    expect(showValue('Items', 'StatisticalNetWeight', 0.25, {}, at)?.text).toBe('0.25 kg');
    expect(showValue('Accounts', 'DiscountSales', 0.055, {}, at)?.text).toBe('5.5%');
    expect(showValue('Accounts', 'DiscountSales', 0.055, {}, { ...nl, locale: 'nl-NL' })?.text).toBe('5,5%');
  });

  it('leaves what is not a number to the general formatter', () => {
    expect(measureText(MEASURES.Items.Stock, '12', {}, at)).toBeNull();
    expect(showValue('Items', 'Stock', null, {}, at)).toBeNull();
    expect(showValue('Items', 'Stock', Number.NaN, {}, at)).toBeNull();
  });
});

describe('GUIDs', () => {
  const ctx = { ...en, locale: 'en-GB' };
  const entityOf = { Items: 'item', Accounts: 'account' } as const;

  for (const entity of DETAILED) {
    it(`${entity}: a GUID nothing names is never shown among the fields`, () => {
      const shown: string[] = [];
      for (const field of fields(entity).filter((f) => f.type === 'Edm.Guid')) {
        const { groups } = groupAttributes(entityOf[entity], JSON.stringify({ [field.name]: GUID }), ctx);
        for (const group of groups) {
          if (group.key === 'identifiers') continue;
          for (const a of [...group.filled, ...group.empty]) {
            if (a.name === field.name) shown.push(`${field.name} in ${group.key}: ${a.text}`);
          }
        }
        const folded = groups.find((g) => g.key === 'identifiers')?.filled.map((a) => a.name);
        expect(folded, field.name).toEqual([field.name]);
      }
      expect(shown).toEqual([]);
    });
  }

  it('names a linked record the cache knows, keeping the GUID for the tooltip', () => {
    const account = { ID: GUID, Parent: GUID.replace('3f', '4f'), MainContact: null };
    const { groups } = groupAttributes('account', JSON.stringify(account), ctx, [], {
      Parent: '100 — Holding Jansen',
    });
    const parent = groups.find((g) => g.key === 'basic')?.filled.find((a) => a.name === 'Parent');
    expect(parent?.text).toBe('100 — Holding Jansen');
    expect(parent?.stored).toBe(account.Parent);
    const identifiers = groups.at(-1);
    expect(identifiers?.key).toBe('identifiers');
    expect(identifiers?.filled.map((a) => a.name)).toEqual(['ID']);
    // The empty MainContact stays an empty field of its own group.
    expect(groups.find((g) => g.key === 'basic')?.empty.map((a) => a.name)).toContain('MainContact');
  });

  it('leaves a GUID with its code and description among the fields', () => {
    const item = { ItemGroup: GUID, ItemGroupCode: 'GRP' };
    const { groups } = groupAttributes('item', JSON.stringify(item), ctx);
    expect(groups.map((g) => g.key)).toEqual(['classification']);
  });
});
