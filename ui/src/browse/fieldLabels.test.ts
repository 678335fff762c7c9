import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LANGS, type Lang } from '$lib/i18n.svelte';
import { translationProblems } from '$lib/translations';
import { groupAttributes } from './attributes';
import { FIELD_LABELS, fieldLabel, fieldLabels, type LabelledEntity } from './fieldLabels';

// The project's copy of Exact's field lists: the source of truth the labels must follow.
const DATA = join(dirname(fileURLToPath(import.meta.url)), '../../../crates/exact-fields/data');

function propertyNames(entity: LabelledEntity): string[] {
  const text = readFileSync(join(DATA, `${entity}.json`), 'utf8');
  return (JSON.parse(text) as { properties: { name: string }[] }).properties.map((p) => p.name);
}

const ENTITIES: readonly LabelledEntity[] = ['Items', 'Accounts'];

describe('field labels', () => {
  for (const entity of ENTITIES) {
    const names = propertyNames(entity);

    it(`${entity}: every documented property has a label in every language`, () => {
      expect(names.length).toBeGreaterThan(100);
      const missing: string[] = [];
      for (const name of names) {
        const label = fieldLabels(entity, name);
        for (const lang of LANGS) if (!label?.[lang]?.trim()) missing.push(`${name} ${lang}`);
      }
      expect(missing).toEqual([]);
    });

    it(`${entity}: leaves no label in English unless it is the same in that language`, () => {
      const tables = Object.fromEntries(LANGS.map((lang) => [lang, {}])) as Record<Lang, Record<string, string>>;
      for (const name of names) {
        const label = fieldLabels(entity, name);
        if (label) for (const lang of LANGS) tables[lang][name] = label[lang];
      }
      const problems = translationProblems(tables);
      expect(problems.missing).toEqual([]);
      expect(problems.untranslated, 'translate it, or add the word to SAME_AS_ENGLISH').toEqual([]);
    });

    it(`${entity}: the table names only properties of the field list`, () => {
      const known = new Set(names);
      expect(Object.keys(FIELD_LABELS[entity]).filter((name) => !known.has(name))).toEqual([]);
    });
  }

  it('names the examples as Exact does', () => {
    expect(LANGS.map((lang) => fieldLabel('Items', 'CostPriceStandard', lang))).toEqual([
      'Standard cost price',
      'Standaard kostprijs',
      'Prix de revient standard',
      'Standardkostenpreis',
    ]);
    expect(LANGS.map((lang) => fieldLabel('Accounts', 'VATNumber', lang))).toEqual([
      'VAT number',
      'Btw-nummer',
      'Numéro de TVA',
      'USt-IdNr.',
    ]);
  });

  it('names free fields and item classes by pattern with their number', () => {
    expect(LANGS.map((lang) => fieldLabel('Items', 'FreeTextField_01', lang))).toEqual([
      'Free text field 1',
      'Vrij tekstveld 1',
      'Champ texte libre 1',
      'Freies Textfeld 1',
    ]);
    expect(fieldLabel('Items', 'FreeNumberField_08', 'nl')).toBe('Vrij numeriek veld 8');
    expect(fieldLabel('Items', 'FreeBoolField_12', 'en')).toBe('Free yes/no field 12');
    expect(fieldLabel('Items', 'FreeDateField_05', 'de')).toBe('Freies Datumsfeld 5');
    expect(fieldLabel('Items', 'Class_10', 'fr')).toBe('Classe d’article 10');
    // Accounts have no item classes.
    expect(fieldLabel('Accounts', 'Class_01', 'en')).toBe('Class 01');
  });

  it('falls back to the readable property name for a property it does not know', () => {
    for (const lang of LANGS) {
      expect(fieldLabel('Items', 'SomethingExactAddsLater', lang)).toBe('Something exact adds later');
    }
    expect(fieldLabel('Accounts', 'GLNewThing', 'de')).toBe('GL new thing');
    // Entities without a table of their own fall back too.
    expect(fieldLabel('Contacts', 'Email', 'nl')).toBe('Email');
    // Not a property: nothing inherited from Object.prototype.
    expect(fieldLabel('Items', 'constructor', 'fr')).toBe('Constructor');
  });

  it("labels the detail screens' fields in the user's language", () => {
    const json = JSON.stringify({ CostPriceStandard: 12, FreeTextField_02: 'x', NewThing: 'y' });
    const ctx = { locale: 'nl-NL', lang: 'nl', yes: 'Ja', no: 'Nee' } as const;
    const labels = groupAttributes('item', json, ctx).groups.flatMap((g) => g.filled.map((a) => a.label));
    expect(labels.sort()).toEqual(['New thing', 'Standaard kostprijs', 'Vrij tekstveld 2']);
  });
});
