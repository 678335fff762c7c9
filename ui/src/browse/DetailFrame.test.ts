import { cleanup, fireEvent, render, screen, within } from '@testing-library/svelte';
import { createRawSnippet } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CommandError } from '$lib/ipc';
import DetailFrame from './DetailFrame.svelte';
import { deferred } from './testing/fixtures';

afterEach(cleanup);

interface Row {
  name: string;
}

interface Record {
  summary: Row;
  documents: [];
  text: string;
}

function record(name: string, text = `about ${name}`): Record {
  return { summary: { name }, documents: [], text };
}

const children = createRawSnippet((detail: () => Record) => ({
  render: () => `<p data-testid="content">${detail().text}</p>`,
}));
const badges = createRawSnippet((row: () => Row) => ({
  render: () => `<span data-testid="badge">${row().name}</span>`,
}));

function props(overrides: object = {}) {
  return {
    testid: 'thing-detail',
    division: 1,
    id: 'a',
    title: 'A thing',
    load: vi.fn(async (_division: number, id: string) => record(id)),
    notFoundText: 'This thing is gone.',
    onclose: vi.fn(),
    children,
    badges,
    ...overrides,
  };
}

describe('DetailFrame', () => {
  it('shows the answer to the latest request only', async () => {
    const answers = { a: deferred<Record>(), b: deferred<Record>() };
    const load = vi.fn((_division: number, id: string) => answers[id as 'a' | 'b'].promise);
    const { rerender } = render(DetailFrame<Row, Record>, props({ load }));
    expect(screen.getByTestId('loading')).toBeInTheDocument();
    await rerender({ id: 'b' });
    answers.b.resolve(record('b'));
    expect(await screen.findByTestId('content')).toHaveTextContent('about b');
    answers.a.resolve(record('a'));
    await new Promise((r) => setTimeout(r, 0));
    expect(screen.getByTestId('content'), 'the answer for the earlier id came last').toHaveTextContent('about b');
    expect(screen.getByTestId('thing-detail')).toHaveAttribute('data-id', 'b');
    expect(load.mock.calls).toEqual([
      [1, 'a'],
      [1, 'b'],
    ]);
  });

  it('says when the record is gone, without a retry', async () => {
    render(
      DetailFrame<Row, Record>,
      props({ load: vi.fn().mockRejectedValue(new CommandError('not_found', 'no such thing')) }),
    );
    const error = await screen.findByTestId('error-state');
    expect(error).toHaveTextContent('This thing is gone.');
    expect(within(error).queryByRole('button')).toBeNull();
  });

  it('shows why other loads failed, and tries again', async () => {
    const load = vi.fn().mockRejectedValueOnce(new CommandError('storage', 'disk full')).mockResolvedValue(record('a'));
    render(DetailFrame<Row, Record>, props({ load }));
    const error = await screen.findByTestId('error-state');
    expect(error).toHaveTextContent('disk full');
    await fireEvent.click(within(error).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByTestId('content')).toHaveTextContent('about a');
  });

  it("shows the list row's badges while loading, else the record's once loaded", async () => {
    render(DetailFrame<Row, Record>, props({ load: () => new Promise(() => {}), summary: { name: 'from the list' } }));
    expect(screen.getByTestId('badge')).toHaveTextContent('from the list');
    cleanup();

    const answer = deferred<Record>();
    render(DetailFrame<Row, Record>, props({ load: () => answer.promise }));
    expect(screen.queryByTestId('badge'), 'no row yet, so no badges').toBeNull();
    answer.resolve(record('loaded'));
    expect(await screen.findByTestId('badge')).toHaveTextContent('loaded');
  });

  it('closes with Escape unless the content used it, and with Alt+Left', async () => {
    let zoomed = true;
    const onclose = vi.fn();
    const onescape = vi.fn(() => {
      const used = zoomed;
      zoomed = false;
      return used;
    });
    render(DetailFrame<Row, Record>, props({ onclose, onescape }));
    await screen.findByTestId('content');
    await fireEvent.keyDown(window, { key: 'Escape' });
    expect(onclose, 'the first Escape went to the content').not.toHaveBeenCalled();
    await fireEvent.keyDown(window, { key: 'Escape' });
    expect(onclose).toHaveBeenCalledTimes(1);
    await fireEvent.keyDown(window, { key: 'ArrowLeft', altKey: true });
    expect(onclose).toHaveBeenCalledTimes(2);
    expect(onescape).toHaveBeenCalledTimes(2);
  });

  it('gives its body the focus, named by the title', async () => {
    render(DetailFrame<Row, Record>, props());
    const body = screen.getByRole('region', { name: 'A thing' });
    expect(body).toHaveFocus();
    expect(screen.getByRole('heading', { name: 'A thing' })).toBeInTheDocument();
  });
});
