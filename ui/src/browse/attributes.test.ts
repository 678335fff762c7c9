import { cleanup, fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import { setLanguage } from '$lib/i18n.svelte';
import AttributeGroups from './AttributeGroups.svelte';
import {
  formatValue,
  groupAttributes,
  groupOf,
  humanise,
  isEmptyValue,
  knownProperties,
  parseExactDate,
} from './attributes';
import { HOSTILE } from './testing/fixtures';

afterEach(() => {
  cleanup();
  setLanguage('en');
});

const en = { locale: 'en-GB', lang: 'en', yes: 'Yes', no: 'No' } as const;

describe('groupOf', () => {
  it('places documented item properties', () => {
    expect(groupOf('item', 'Code')).toBe('basic');
    expect(groupOf('item', 'ItemGroupCode')).toBe('classification');
    expect(groupOf('item', 'Class_07')).toBe('classification');
    expect(groupOf('item', 'CostPriceStandard')).toBe('pricing');
    expect(groupOf('item', 'GLRevenueCode')).toBe('pricing');
    expect(groupOf('item', 'Stock')).toBe('inventory');
    expect(groupOf('item', 'SalesVatCode')).toBe('taxation');
    expect(groupOf('item', 'FreeTextField_10')).toBe('free');
    expect(groupOf('item', 'FreeBoolField_01')).toBe('free');
  });

  it('places documented account properties', () => {
    expect(groupOf('account', 'Name')).toBe('basic');
    expect(groupOf('account', 'Postcode')).toBe('address');
    expect(groupOf('account', 'Email')).toBe('contact');
    expect(groupOf('account', 'VATNumber')).toBe('financial');
    expect(groupOf('account', 'PaymentConditionSales')).toBe('sales');
    expect(groupOf('account', 'PurchaseLeadDays')).toBe('purchase');
    expect(groupOf('account', 'Classification3')).toBe('classification');
  });

  it('sends unknown properties to "other"', () => {
    expect(groupOf('item', 'SomethingExactAddsLater')).toBe('other');
    expect(groupOf('account', 'Class_01')).toBe('other');
  });
});

describe('humanise', () => {
  it('splits property names into words, keeping acronyms', () => {
    expect(humanise('CostPriceStandard')).toBe('Cost price standard');
    expect(humanise('GLCostsCode')).toBe('GL costs code');
    expect(humanise('VATNumber')).toBe('VAT number');
    expect(humanise('FreeTextField_01')).toBe('Free text field 01');
    expect(humanise('ID')).toBe('ID');
  });
});

describe('values', () => {
  it('reads Exact dates', () => {
    expect(parseExactDate('/Date(1700000000000)/')).toBe(1_700_000_000_000);
    expect(parseExactDate('/Date(1382667840000+0000)/')).toBe(1_382_667_840_000);
    expect(parseExactDate('/Date(-86400000)/')).toBe(-86_400_000);
    expect(parseExactDate('2024-01-01')).toBeNull();
    expect(parseExactDate(17)).toBeNull();
  });

  it('formats dates as Exact shows them, midnight as a date only', () => {
    expect(formatValue('/Date(1700000000000)/', en)).toBe('14 Nov 2023, 22:13');
    expect(formatValue(`/Date(${Date.UTC(2024, 0, 31)})/`, en)).toBe('31 Jan 2024');
    expect(formatValue(`/Date(${Date.UTC(2024, 0, 31)})/`, { ...en, locale: 'nl-NL' })).toBe('31 jan 2024');
  });

  it('formats the other kinds', () => {
    expect(formatValue('        1234', en)).toBe('1234');
    expect(formatValue(true, en)).toBe('Yes');
    expect(formatValue(false, { locale: 'nl-NL', lang: 'nl', yes: 'Ja', no: 'Nee' })).toBe('Nee');
    expect(formatValue(1234.5, en)).toBe('1,234.5');
    expect(formatValue(1234.5, { ...en, locale: 'nl-NL' })).toBe('1.234,5');
    expect(formatValue(0, en)).toBe('0');
    expect(formatValue({ a: 1 }, en)).toBe('{"a":1}');
    expect(formatValue(null, en)).toBe('');
  });

  it('knows what is empty', () => {
    for (const v of [null, undefined, '', '   ', '00000000-0000-0000-0000-000000000000', [], {}]) {
      expect(isEmptyValue(v)).toBe(true);
    }
    expect(isEmptyValue({ __deferred: { uri: 'https://start.exactonline.nl/x' } })).toBe(true);
    for (const v of [0, false, 'x', '0', { a: null }]) expect(isEmptyValue(v)).toBe(false);
  });
});

describe('groupAttributes', () => {
  const json = JSON.stringify({
    Code: '   ART-1',
    Description: 'Widget',
    Notes: null,
    Barcode: '',
    ItemGroup: '00000000-0000-0000-0000-000000000000',
    IsSalesItem: true,
    Stock: 0,
    Modified: '/Date(1700000000000)/',
    FreeTextField_02: 'b',
    FreeTextField_10: 'j',
    FreeTextField_01: null,
    Mystery: 'm',
  });

  it('groups in display order, with empty fields folded apart', () => {
    const { groups, unreadable } = groupAttributes('item', json, en);
    expect(unreadable).toBe(false);
    expect(groups.map((g) => g.key)).toEqual(['basic', 'classification', 'inventory', 'free', 'other']);
    const basic = groups[0];
    // Table order: Code, Description, Barcode (empty), Notes (empty), …, Modified.
    expect(basic.filled.map((a) => [a.name, a.text])).toEqual([
      ['Code', 'ART-1'],
      ['Description', 'Widget'],
      ['Modified', '14 Nov 2023, 22:13'],
    ]);
    expect(basic.empty.map((a) => a.name)).toEqual(['Barcode', 'Notes']);
    const classification = groups[1];
    expect(classification.filled.map((a) => [a.name, a.text])).toEqual([['IsSalesItem', 'Yes']]);
    expect(classification.empty.map((a) => a.name)).toEqual(['ItemGroup']);
    expect(groups[2].filled.map((a) => a.text)).toEqual(['0']);
    // Free fields in natural order: 01 < 02 < 10.
    expect(groups[3].filled.map((a) => a.name)).toEqual(['FreeTextField_02', 'FreeTextField_10']);
    expect(groups[3].empty.map((a) => a.name)).toEqual(['FreeTextField_01']);
    expect(groups[4].filled.map((a) => a.name)).toEqual(['Mystery']);
    expect(basic.filled[0].description).toMatch(/article number/i);
  });

  it('reports JSON it cannot read', () => {
    expect(groupAttributes('item', '{not json', en)).toEqual({ groups: [], unreadable: true });
    expect(groupAttributes('item', '[1,2]', en).unreadable).toBe(true);
    expect(groupAttributes('item', '', en)).toEqual({ groups: [], unreadable: false });
  });
});

describe('AttributeGroups', () => {
  const json = JSON.stringify({
    Name: HOSTILE,
    Code: '              42',
    Email: null,
    Phone: '',
    Fax: '   ',
    Website: 'example.com',
    Created: `/Date(${Date.UTC(2020, 4, 17)})/`,
  });

  it('shows filled fields as text and folds the empty ones', async () => {
    const { container } = render(AttributeGroups, { entity: 'account', json });
    const basic = container.querySelector('[data-group="basic"]') as HTMLElement;
    const name = within(basic).getByText(HOSTILE);
    expect(name.tagName).toBe('DD');
    expect(container.querySelector('script, b')).toBeNull();
    expect(container.querySelector('[data-name="Code"] dd')).toHaveTextContent(/^42$/);
    expect(container.querySelector('[data-name="Created"] dd')).toHaveTextContent('17 May 2020');

    const contact = container.querySelector('[data-group="contact"]') as HTMLElement;
    expect(within(contact).queryByText('Email')).toBeNull();
    expect(contact.querySelector('[data-name="Website"]')).toHaveTextContent('example.com');
    const fold = within(contact).getByRole('button', { name: '3 empty fields' });
    expect(fold).toHaveAttribute('aria-expanded', 'false');
    await fireEvent.click(fold);
    expect(fold).toHaveAttribute('aria-expanded', 'true');
    expect(contact.querySelector('[data-name="Email"]')).toBeInTheDocument();
    expect(contact.querySelector('[data-name="Fax"]')).toBeInTheDocument();
    await fireEvent.click(fold);
    expect(contact.querySelector('[data-name="Email"]')).toBeNull();
  });

  it('speaks Dutch', async () => {
    setLanguage('nl');
    render(AttributeGroups, { entity: 'account', json });
    expect(screen.getByText('Algemeen')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: '3 lege velden' })).toBeInTheDocument();
    expect(screen.getByText('17 mei 2020')).toBeInTheDocument();
  });

  it('says so when the stored JSON cannot be read', () => {
    render(AttributeGroups, { entity: 'item', json: '{oops' });
    expect(screen.getByText(/could not be read/)).toBeInTheDocument();
  });
});

describe('extra fields', () => {
  it('form their own group after the free fields, by number, empty ones folded', () => {
    const json = JSON.stringify({ Code: 'A', FreeTextField_01: 'x', Mystery: 1 });
    const { groups } = groupAttributes('item', json, en, [
      { number: 3, description: 'Finish', value: '/Date(1704067200000)/' },
      { number: 1, description: ' Colour ', value: ' Red ' },
      { number: 2, description: 'Unused', value: '  ' },
    ]);
    expect(groups.map((g) => g.key)).toEqual(['basic', 'free', 'extra', 'other']);
    const extra = groups.find((g) => g.key === 'extra')!;
    expect(extra.filled.map((a) => [a.label, a.text])).toEqual([
      ['Colour', 'Red'],
      ['Finish', '1 Jan 2024'],
    ]);
    expect(extra.empty.map((a) => a.number)).toEqual([2]);
  });

  it('still show when the attributes cannot be read', () => {
    const result = groupAttributes('item', '{broken', en, [{ number: 1, description: 'A', value: 'b' }]);
    expect(result.unreadable).toBe(true);
    expect(result.groups.map((g) => g.key)).toEqual(['extra']);
  });
});

describe('knownProperties', () => {
  it('offers every placed property once, grouped, without the custom-field placeholder', () => {
    for (const entity of ['item', 'account'] as const) {
      const names = knownProperties(entity).flatMap((g) => g.names);
      expect(new Set(names).size).toBe(names.length);
      expect(names).not.toContain('CustomField');
      for (const name of names) expect(groupOf(entity, name)).not.toBe('other');
    }
    const items = knownProperties('item');
    expect(items[0]).toMatchObject({ group: 'basic' });
    expect(items.find((g) => g.group === 'inventory')?.names).toContain('Stock');
    expect(knownProperties('account').find((g) => g.group === 'address')?.names).toContain('City');
  });
});
