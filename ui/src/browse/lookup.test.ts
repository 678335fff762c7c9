import { describe, expect, it } from 'vitest';
import { deferred } from './testing/fixtures';
import { lookupHarness } from './testing/lookupHarness.svelte';

describe('lookup', () => {
  it('keeps the answer for the current division and the fallback when loading fails', async () => {
    const answers = new Map([
      [1, deferred<string[]>()],
      [2, deferred<string[]>()],
      [3, deferred<string[]>()],
    ]);
    const harness = lookupHarness((division) => answers.get(division)!.promise);
    expect(harness.current()).toEqual([]);
    harness.setDivision(2);
    answers.get(2)!.resolve(['two']);
    answers.get(1)!.resolve(['one']);
    await Promise.resolve();
    expect(harness.current(), 'the answer for division 1 came after the division changed').toEqual(['two']);
    harness.setDivision(3);
    answers.get(3)!.reject(new Error('offline'));
    await answers.get(3)!.promise.catch(() => {});
    await Promise.resolve();
    expect(harness.current()).toEqual([]);
    harness.stop();
  });

  it('loads again when asked to refresh', async () => {
    let calls = 0;
    const harness = lookupHarness(async () => [`call ${++calls}`]);
    await Promise.resolve();
    expect(harness.current()).toEqual(['call 1']);
    harness.refresh();
    await Promise.resolve();
    await Promise.resolve();
    expect(harness.current()).toEqual(['call 2']);
    harness.stop();
  });
});
