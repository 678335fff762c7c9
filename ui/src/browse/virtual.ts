// Types and pure arithmetic of the virtualised list (VirtualList.svelte).

/** One page as the list's `loadPage` callback answers it. */
export interface PageResult<T> {
  rows: T[];
  /** Rows matching the query across all pages. */
  total: number;
}

export type LoadPage<T> = (offset: number, limit: number) => Promise<PageResult<T>>;

export interface Window {
  /** First and last index (inclusive) to render; last < first when there is nothing. */
  first: number;
  last: number;
}

/**
 * The indices to render for a scroll position: whole visual rows (of `columns` cells each)
 * from the first visible minus `overscan` to the last visible plus `overscan`.
 */
export function visibleWindow(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  columns: number,
  total: number,
  overscan: number,
): Window {
  if (total <= 0 || rowHeight <= 0) return { first: 0, last: -1 };
  const rows = Math.ceil(total / columns);
  const firstRow = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const lastRow = Math.min(rows - 1, Math.ceil((scrollTop + viewportHeight) / rowHeight) + overscan);
  if (lastRow < firstRow) return { first: 0, last: -1 };
  return { first: firstRow * columns, last: Math.min(total - 1, (lastRow + 1) * columns - 1) };
}

/** The page numbers covering indices first..last. */
export function pagesFor(first: number, last: number, pageSize: number): number[] {
  if (last < first) return [];
  const pages: number[] = [];
  for (let p = Math.floor(first / pageSize); p <= Math.floor(last / pageSize); p++) pages.push(p);
  return pages;
}

/** Columns of a grid: as many cells of at least `cellWidth` as fit, at least one. */
export function columnsFor(width: number, cellWidth: number | undefined): number {
  if (!cellWidth || cellWidth <= 0) return 1;
  return Math.max(1, Math.floor(width / cellWidth));
}
