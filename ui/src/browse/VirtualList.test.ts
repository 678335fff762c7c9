import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { tick } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import ListHarness from './testing/ListHarness.svelte';
import { columnsFor, pagesFor, visibleWindow } from './virtual';

afterEach(cleanup);

interface Row {
  id: string;
  name: string;
}

/** A data source of `total` rows named "Row <n>", recording every request. */
function source(total: number) {
  const calls: [number, number][] = [];
  const loadPage = vi.fn(async (offset: number, limit: number) => {
    calls.push([offset, limit]);
    const rows: Row[] = [];
    for (let i = offset; i < Math.min(total, offset + limit); i++) {
      rows.push({ id: `id-${i}`, name: `Row ${i}` });
    }
    return { rows, total };
  });
  return { loadPage, calls };
}

function scrollTo(el: HTMLElement, top: number) {
  Object.defineProperty(el, 'scrollTop', { value: top, configurable: true, writable: true });
  fireEvent.scroll(el);
}

describe('visibleWindow', () => {
  it('covers the visible rows plus overscan, clamped to the total', () => {
    expect(visibleWindow(0, 400, 40, 1, 100_000, 4)).toEqual({ first: 0, last: 14 });
    expect(visibleWindow(400_000, 400, 40, 1, 100_000, 4)).toEqual({ first: 9996, last: 10014 });
    expect(visibleWindow(3_999_800, 400, 40, 1, 100_000, 4)).toEqual({ first: 99991, last: 99999 });
    expect(visibleWindow(0, 400, 40, 1, 0, 4)).toEqual({ first: 0, last: -1 });
  });

  it('works in whole grid rows', () => {
    // 5 columns, rows 0..(0+10+2) → indices 0..64
    expect(visibleWindow(0, 400, 40, 5, 1000, 2)).toEqual({ first: 0, last: 64 });
    expect(visibleWindow(0, 400, 40, 5, 7, 2)).toEqual({ first: 0, last: 6 });
  });

  it('maps indices to pages and widths to columns', () => {
    expect(pagesFor(95, 205, 100)).toEqual([0, 1, 2]);
    expect(pagesFor(5, 4, 100)).toEqual([]);
    expect(columnsFor(1000, 180)).toBe(5);
    expect(columnsFor(100, 180)).toBe(1);
    expect(columnsFor(1000, undefined)).toBe(1);
  });
});

describe('VirtualList', () => {
  it('renders only a window of 100 000 rows and loads only the pages it shows', async () => {
    const { loadPage, calls } = source(100_000);
    render(ListHarness, { loadPage });

    await screen.findByText('Row 0');
    const rows = screen.getAllByTestId('row');
    // 600 px fallback viewport / 40 px rows = 15 visible + 4 overscan below.
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.length).toBeLessThan(40);
    expect(calls).toEqual([[0, 100]]);

    const list = screen.getByRole('listbox');
    expect(list.querySelector('.spacer')).toHaveStyle({ height: '4000000px' });

    // Jump to the middle: row 50 000 is at 2 000 000 px.
    scrollTo(list, 2_000_000);
    await screen.findByText('Row 50000');
    expect(screen.queryByText('Row 0')).toBeNull();
    expect(list.querySelectorAll('[role="option"]').length).toBeLessThan(40);
    // Rows 49 996..50 019 live in pages 499 and 500 only: nothing in between was fetched.
    expect(calls).toEqual([
      [0, 100],
      [49_900, 100],
      [50_000, 100],
    ]);

    // The very end.
    scrollTo(list, 4_000_000 - 600);
    await screen.findByText('Row 99999');
    expect(calls.at(-1)).toEqual([99_900, 100]);
    expect(calls.length).toBe(4);
  });

  it('does not fetch a cached page twice', async () => {
    const { loadPage, calls } = source(1000);
    render(ListHarness, { loadPage });
    await screen.findByText('Row 0');
    const list = screen.getByRole('listbox');
    scrollTo(list, 8000);
    await screen.findByText('Row 200');
    scrollTo(list, 0);
    await screen.findByText('Row 0');
    expect(calls.map((c) => c[0])).toEqual([0, 100, 200]);
  });

  it('ignores the answer of a previous query', async () => {
    let releaseOld: () => void = () => {};
    const loadPage = vi.fn((offset: number, limit: number) => {
      void limit;
      const query = currentKey;
      const answer = {
        rows: [{ id: `${query}-${offset}`, name: `${query} row` }],
        total: 1,
      };
      if (query === 'old') {
        return new Promise<typeof answer>((resolve) => {
          releaseOld = () => resolve(answer);
        });
      }
      return Promise.resolve(answer);
    });
    let currentKey = 'old';
    const view = render(ListHarness, { loadPage, queryKey: 'old' });
    currentKey = 'new';
    await view.rerender({ loadPage, queryKey: 'new' });
    await screen.findByText('new row');
    releaseOld();
    await new Promise((r) => setTimeout(r, 0));
    expect(screen.queryByText('old row')).toBeNull();
    expect(screen.getByText('new row')).toBeInTheDocument();
  });

  it('moves the selection with the keyboard and opens with Enter', async () => {
    const { loadPage } = source(1000);
    const onopen = vi.fn();
    render(ListHarness, { loadPage, onopen });
    await screen.findByText('Row 0');
    const list = screen.getByRole('listbox');
    list.focus();

    await fireEvent.keyDown(list, { key: 'ArrowDown' });
    expect(list.querySelector('[aria-selected="true"]')).toHaveAttribute('data-id', 'id-0');
    await fireEvent.keyDown(list, { key: 'ArrowDown' });
    await fireEvent.keyDown(list, { key: 'ArrowDown' });
    expect(list.querySelector('[aria-selected="true"]')).toHaveAttribute('data-id', 'id-2');
    await fireEvent.keyDown(list, { key: 'ArrowUp' });
    expect(list.querySelector('[aria-selected="true"]')).toHaveAttribute('data-id', 'id-1');

    // PageDown moves by a screenful (600 / 40 = 15 rows).
    await fireEvent.keyDown(list, { key: 'PageDown' });
    expect(list.querySelector('[aria-selected="true"]')).toHaveAttribute('data-id', 'id-16');

    await fireEvent.keyDown(list, { key: 'Enter' });
    expect(onopen).toHaveBeenCalledWith(16, { id: 'id-16', name: 'Row 16' });

    // End: the last row, scrolled into view (and its page loaded).
    await fireEvent.keyDown(list, { key: 'End' });
    await screen.findByText('Row 999');
    expect(list.querySelector('[aria-selected="true"]')).toHaveAttribute('data-id', 'id-999');

    await fireEvent.keyDown(list, { key: 'Home' });
    await screen.findByText('Row 0');
    expect(list.querySelector('[aria-selected="true"]')).toHaveAttribute('data-id', 'id-0');
    expect(list).toHaveAttribute('aria-activedescendant', list.querySelector('[aria-selected="true"]')!.id);
  });

  it('moves by whole rows in a grid', async () => {
    const { loadPage } = source(50);
    render(ListHarness, { loadPage, cellWidth: 200 }); // 1000 px fallback width → 5 columns
    await screen.findByText('Row 0');
    const list = screen.getByRole('listbox');
    await fireEvent.keyDown(list, { key: 'ArrowRight' });
    await fireEvent.keyDown(list, { key: 'ArrowRight' });
    expect(list.querySelector('[aria-selected="true"]')).toHaveAttribute('data-id', 'id-1');
    await fireEvent.keyDown(list, { key: 'ArrowDown' });
    expect(list.querySelector('[aria-selected="true"]')).toHaveAttribute('data-id', 'id-6');
  });

  it('opens a row on click', async () => {
    const { loadPage } = source(10);
    const onopen = vi.fn();
    render(ListHarness, { loadPage, onopen });
    await fireEvent.click(await screen.findByText('Row 3'));
    expect(onopen).toHaveBeenCalledWith(3, { id: 'id-3', name: 'Row 3' });
  });

  it('shows loading, then the empty state', async () => {
    let resolve: (v: { rows: Row[]; total: number }) => void = () => {};
    const loadPage = vi.fn(() => new Promise<{ rows: Row[]; total: number }>((r) => (resolve = r)));
    render(ListHarness, { loadPage });
    expect(screen.getByTestId('loading')).toBeInTheDocument();
    resolve({ rows: [], total: 0 });
    await screen.findByTestId('empty-state');
    expect(screen.queryByTestId('loading')).toBeNull();
  });

  it('shows the error and retries', async () => {
    let fail = true;
    const loadPage = vi.fn(async (offset: number) => {
      if (fail) throw new Error('database is locked');
      return { rows: [{ id: `id-${offset}`, name: 'Back again' }], total: 1 };
    });
    render(ListHarness, { loadPage });
    const error = await screen.findByTestId('error-state');
    expect(error).toHaveTextContent('database is locked');
    fail = false;
    await fireEvent.click(screen.getByRole('button', { name: /try again/i }));
    await screen.findByText('Back again');
    expect(screen.queryByTestId('error-state')).toBeNull();
  });

  it('reloads the visible pages in place on refresh', async () => {
    let label = 'v1';
    const loadPage = vi.fn(async (offset: number, limit: number) => ({
      rows: Array.from({ length: limit }, (_, k) => ({
        id: `id-${offset + k}`,
        name: `${label} ${offset + k}`,
      })),
      total: 300,
    }));
    const view = render(ListHarness, { loadPage, refreshToken: 0, selected: 2 });
    await screen.findByText('v1 0');
    label = 'v2';
    await view.rerender({ loadPage, refreshToken: 1, selected: 2 });
    await screen.findByText('v2 0');
    expect(screen.queryByText('v1 0')).toBeNull();
    // No loading flash and the selection stays.
    expect(screen.queryByTestId('loading')).toBeNull();
    expect(screen.getByRole('listbox').querySelector('[aria-selected="true"]')).toHaveAttribute('data-id', 'id-2');
  });

  it('fills an empty list when a refresh brings its first rows (the first sync)', async () => {
    let total = 0;
    const loadPage = vi.fn(async (offset: number, limit: number) => ({
      rows: Array.from({ length: Math.max(0, Math.min(limit, total - offset)) }, (_, k) => ({
        id: `id-${offset + k}`,
        name: `Row ${offset + k}`,
      })),
      total,
    }));
    const view = render(ListHarness, { loadPage, refreshToken: 0 });
    await vi.waitFor(() => expect(loadPage).toHaveBeenCalled());
    await loadPage.mock.results[0]?.value;
    await tick();
    expect(screen.queryByText('Row 0')).toBeNull();
    total = 250;
    await view.rerender({ loadPage, refreshToken: 1 });
    await screen.findByText('Row 0');
  });
});
