// Pure checks of the settings form: what is wrong with a draft, and whether it differs from what
// is saved.

import type { Mode, Settings } from '$lib/ipc';

export type SettingsField = 'batch_size' | 'attachments_cap_mb' | 'divisions';

function intIn(value: unknown, min: number, max: number): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/** The fields of a draft that cannot be saved. */
export function settingsProblems(draft: Settings, mode: Mode): Set<SettingsField> {
  const problems = new Set<SettingsField>();
  if (!intIn(draft.batch_size, 100, 5000)) problems.add('batch_size');
  if (draft.attachments === 'all' && !intIn(draft.attachments_cap_mb, 1, 2048)) problems.add('attachments_cap_mb');
  if (mode !== 'welcome' && draft.divisions.length === 0) problems.add('divisions');
  return problems;
}

export function sameSettings(a: Settings, b: Settings): boolean {
  return (
    a.interval_minutes === b.interval_minutes &&
    a.batch_size === b.batch_size &&
    a.incremental === b.incremental &&
    a.pictures === b.pictures &&
    a.attachments === b.attachments &&
    a.attachments_cap_mb === b.attachments_cap_mb &&
    a.language === b.language &&
    a.theme === b.theme &&
    // The same divisions in another order are the same choice.
    a.divisions.length === b.divisions.length &&
    a.divisions.every((d) => b.divisions.includes(d)) &&
    a.description_languages.length === b.description_languages.length &&
    a.description_languages.every((l) => b.description_languages.includes(l))
  );
}
