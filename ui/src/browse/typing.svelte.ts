// Text typed into a list's search box and text filters. The list asks the cache again for what
// is typed only after a pause, so that a word typed quickly is one query, not one per letter.

/**
 * What a text box shows (`text`, bound to the input) and, `delayMs` after the last keystroke,
 * hands to `apply`. Enter (`flush`) applies at once; `clear` empties both at once.
 */
export class DelayedText {
  text = $state('');
  #timer: ReturnType<typeof setTimeout> | null = null;
  readonly #delayMs: number;
  readonly #apply: (text: string) => void;

  constructor(initial: string, delayMs: number, apply: (text: string) => void) {
    this.text = initial;
    this.#delayMs = delayMs;
    this.#apply = apply;
  }

  /** A keystroke: applies the text once typing pauses. */
  input(): void {
    this.#stop();
    this.#timer = setTimeout(() => this.flush(), this.#delayMs);
  }

  flush(): void {
    this.#stop();
    this.#apply(this.text);
  }

  clear(): void {
    this.text = '';
    this.flush();
  }

  /** Forgets a pending keystroke (the list is going away). */
  dispose(): void {
    this.#stop();
  }

  #stop(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}

/** Whether a keyboard event comes from a place where the user types text. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (!(target instanceof HTMLInputElement)) return false;
  return !['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color'].includes(target.type);
}
