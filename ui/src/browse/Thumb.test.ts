import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import { app } from '$lib/stores.svelte';
import Thumb from './Thumb.svelte';

afterEach(cleanup);

describe('Thumb', () => {
  it('shows a placeholder after a failed load and tries again once more pictures arrived', async () => {
    app.sync.assets.done = 10;
    render(Thumb, { src: 'exo://localhost/1%2Fitem%2Fx%2Fthumb', size: 64, testid: 'pic' });
    const img = screen.getByTestId('pic');
    expect(img).toHaveAttribute('src', 'exo://localhost/1%2Fitem%2Fx%2Fthumb');
    await fireEvent.error(img);
    expect(screen.queryByTestId('pic')).toBeNull();

    app.sync.assets.done = 11;
    flushSync();
    expect(screen.getByTestId('pic')).toHaveAttribute('src', 'exo://localhost/1%2Fitem%2Fx%2Fthumb?retry=11');
  });

  it('never asks for a picture the record does not have', () => {
    render(Thumb, { src: null, size: 64, testid: 'pic' });
    expect(screen.queryByTestId('pic')).toBeNull();
  });
});
