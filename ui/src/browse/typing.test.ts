import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DelayedText, isTyping } from './typing.svelte';

describe('DelayedText', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('applies what was typed once typing pauses, once', () => {
    const apply = vi.fn();
    const box = new DelayedText('', 120, apply);
    for (const text of ['w', 'wi', 'wid']) {
      box.text = text;
      box.input();
      vi.advanceTimersByTime(100);
    }
    expect(apply, 'each keystroke restarts the pause').not.toHaveBeenCalled();
    vi.advanceTimersByTime(20);
    expect(apply.mock.calls).toEqual([['wid']]);
  });

  it('applies at once on flush and clear, dropping the pending keystroke', () => {
    const apply = vi.fn();
    const box = new DelayedText('start', 300, apply);
    expect(box.text).toBe('start');
    box.text = 'x';
    box.input();
    box.flush();
    box.clear();
    vi.advanceTimersByTime(1000);
    expect(apply.mock.calls).toEqual([['x'], ['']]);
    expect(box.text).toBe('');
  });

  it('forgets a pending keystroke when disposed', () => {
    const apply = vi.fn();
    const box = new DelayedText('', 120, apply);
    box.text = 'late';
    box.input();
    box.dispose();
    vi.advanceTimersByTime(1000);
    expect(apply).not.toHaveBeenCalled();
  });
});

describe('isTyping', () => {
  it('tells text fields from other controls', () => {
    const element = (html: string) => {
      const host = document.createElement('div');
      host.innerHTML = html;
      return host.firstElementChild;
    };
    expect(isTyping(element('<input type="search">'))).toBe(true);
    expect(isTyping(element('<textarea></textarea>'))).toBe(true);
    expect(isTyping(element('<select></select>'))).toBe(true);
    expect(isTyping(element('<input type="checkbox">'))).toBe(false);
    expect(isTyping(element('<button></button>'))).toBe(false);
    expect(isTyping(null)).toBe(false);
  });
});
