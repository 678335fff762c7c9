import { describe, expect, it } from 'vitest';
import { LANGS, type Lang } from '$lib/i18n.svelte';
import { exportValueRules, valueRule } from './exportValues';
import { enumerationOf, enumerationText, kindOf } from './values';
import { ENUMERATIONS, FLAGS, REFERENCES, type FieldEntity } from './valueTable';

const WORDS: Record<Lang, { yes: string; no: string }> = {
  en: { yes: 'Yes', no: 'No' },
  nl: { yes: 'Ja', no: 'Nee' },
  fr: { yes: 'Oui', no: 'Non' },
  de: { yes: 'Ja', no: 'Nein' },
};
const ctx = (lang: Lang) => ({ lang, ...WORDS[lang] });
const EXPORTED: readonly FieldEntity[] = ['Items', 'Accounts'];

describe('export value rules', () => {
  it('sends documented codes as the words the detail screen shows, in the user’s language', () => {
    expect(valueRule('Accounts', 'Status', ctx('en'))).toEqual({
      kind: 'codes',
      labels: { A: 'No status', S: 'Suspect', P: 'Prospect', C: 'Customer' },
      bits: false,
    });
    const nl = valueRule('Accounts', 'Status', ctx('nl'));
    expect(nl?.kind === 'codes' && nl.labels.C).toBe('Klant');

    // Every code of every enumeration of the exported lists, in every language: the rule
    // carries exactly what the detail screen shows for that code.
    for (const entity of EXPORTED) {
      for (const name of Object.keys(ENUMERATIONS[entity])) {
        const enumeration = enumerationOf(entity, name)!;
        for (const lang of LANGS) {
          const rule = valueRule(entity, name, ctx(lang));
          expect(rule?.kind, `${entity}.${name}`).toBe('codes');
          if (rule?.kind !== 'codes') continue;
          expect(rule.bits, `${entity}.${name}`).toBe(enumeration.bits === true);
          expect(Object.keys(rule.labels).sort()).toEqual(Object.keys(enumeration.codes).sort());
          for (const code of Object.keys(enumeration.codes)) {
            expect(rule.labels[code], `${entity}.${name} ${code} ${lang}`).toBe(
              enumerationText(enumeration, code, lang),
            );
          }
        }
      }
    }
  });

  it('marks bitmasks so each set bit is named', () => {
    const rule = valueRule('Accounts', 'InvoicingMethod', ctx('de'));
    expect(rule).toMatchObject({ kind: 'codes', bits: true });
    expect(rule?.kind === 'codes' && rule.labels['2']).toBe('E-Mail');
  });

  it('sends every flag with Yes and No in the user’s language', () => {
    for (const entity of EXPORTED) {
      const names = FLAGS[entity].split(/\s+/).filter(Boolean);
      expect(names.length, entity).toBeGreaterThan(0);
      for (const name of names) {
        expect(valueRule(entity, name, ctx('fr')), `${entity}.${name}`).toEqual({
          kind: 'flag',
          yes: 'Oui',
          no: 'Non',
        });
      }
    }
  });

  it('names the companion properties of every reference', () => {
    expect(valueRule('Items', 'ItemGroup', ctx('en'))).toEqual({
      kind: 'reference',
      code: 'ItemGroupCode',
      description: 'ItemGroupDescription',
    });
    expect(valueRule('Items', 'Unit', ctx('en'))).toEqual({
      kind: 'reference',
      code: null,
      description: 'UnitDescription',
    });
    for (const entity of EXPORTED) {
      for (const [name, reference] of Object.entries(REFERENCES[entity])) {
        expect(valueRule(entity, name, ctx('en')), `${entity}.${name}`).toEqual({
          kind: 'reference',
          code: reference.code ?? null,
          description: reference.description ?? null,
        });
      }
    }
  });

  it('gives the chosen columns of a list their rules, and plain columns none', () => {
    expect(kindOf('Items', 'Code')).toBe('plain');
    const rules = exportValueRules(
      'customers',
      ['Code', 'Name', 'Status', 'Blocked', 'Country', 'NoSuchProperty'],
      ctx('nl'),
    );
    expect(Object.keys(rules).sort()).toEqual(['Blocked', 'Country', 'Status']);
    expect(rules.Blocked).toEqual({ kind: 'flag', yes: 'Ja', no: 'Nee' });
    expect(rules.Country).toEqual({ kind: 'reference', code: null, description: 'CountryName' });
    expect(rules.Status).toMatchObject({ kind: 'codes', labels: { C: 'Klant' } });

    // The same names on the items list are the item's (an item has no Status codes).
    const items = exportValueRules('items', ['Code', 'Status', 'UnitType', 'IsSalesItem'], ctx('en'));
    expect(Object.keys(items).sort()).toEqual(['IsSalesItem', 'UnitType']);
    expect(exportValueRules('items', [], ctx('en'))).toEqual({});
  });
});
