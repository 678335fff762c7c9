import '@testing-library/svelte/vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { CommandError, type Settings as SettingsType } from '$lib/ipc';
import { setLanguage } from '$lib/i18n.svelte';
import { app, defaultSettings } from '$lib/stores.svelte';
import { infoFixture, snapshotFixture } from './fixtures';
import OfflineIndicator from './OfflineIndicator.svelte';
import Settings from './Settings.svelte';
import { sameSettings, settingsProblems } from './settings';

const api = vi.hoisted(() => ({
  saveSettings: vi.fn(),
  storage: vi.fn(),
  clearCaches: vi.fn(),
  resyncAll: vi.fn(),
  diagnostics: vi.fn(),
  divisions: vi.fn(),
  setDemoOnline: vi.fn(),
  signOut: vi.fn(),
}));

vi.mock('$lib/ipc', async (importOriginal) => ({
  ...(await importOriginal<typeof import('$lib/ipc')>()),
  api,
}));

const saved: SettingsType = { ...defaultSettings(), divisions: [1001], interval_minutes: 60, batch_size: 1000 };

beforeEach(() => {
  setLanguage('en');
  vi.clearAllMocks();
  app.info = infoFixture({ mode: 'demo' });
  app.settings = structuredClone(saved);
  app.sync = snapshotFixture({ online: true });
  app.division = 1001;
  api.storage.mockResolvedValue({
    data_dir: '/data/exo',
    cache_bytes: 5 * 1024 * 1024,
    assets_bytes: 2048,
    token_storage: null,
  });
  api.divisions.mockResolvedValue([
    { code: 1001, name: 'Demo <b>Retail</b> BV', current: true, selected: true },
    { code: 1002, name: 'Demo Wholesale', current: false, selected: false },
  ]);
  // The shell answers with what it stored.
  api.saveSettings.mockImplementation(async (s: SettingsType) => structuredClone(s));
  api.setDemoOnline.mockResolvedValue(undefined);
  api.resyncAll.mockResolvedValue(undefined);
  api.clearCaches.mockResolvedValue({
    data_dir: '/data/exo',
    cache_bytes: 5 * 1024 * 1024,
    assets_bytes: 0,
    token_storage: null,
  });
});

describe('Settings', () => {
  it('saves changed settings and shows that they were saved', async () => {
    const user = userEvent.setup();
    render(Settings);
    const save = screen.getByTestId('settings-save');
    expect(save).toBeDisabled();

    await fireEvent.change(screen.getByTestId('settings-interval'), { target: { value: '15' } });
    const batch = screen.getByTestId('settings-batch-size');
    await user.clear(batch);
    await user.type(batch, '2500');
    await user.click(screen.getByTestId('settings-incremental'));
    await fireEvent.change(screen.getByTestId('settings-language'), { target: { value: 'nl' } });
    expect(save).toBeEnabled();
    await user.click(save);

    expect(api.saveSettings).toHaveBeenCalledWith({
      ...saved,
      interval_minutes: 15,
      batch_size: 2500,
      incremental: false,
      language: 'nl',
    });
    expect(await screen.findByTestId('settings-saved')).toBeInTheDocument();
    expect(app.settings.interval_minutes).toBe(15);
    expect(app.settings.batch_size).toBe(2500);
    expect(screen.getByTestId('settings-save')).toBeDisabled();

    // Editing again hides "Saved".
    await fireEvent.change(screen.getByTestId('settings-interval'), { target: { value: 'off' } });
    expect(screen.queryByTestId('settings-saved')).toBeNull();
    await user.click(screen.getByTestId('settings-save'));
    expect(api.saveSettings).toHaveBeenLastCalledWith(expect.objectContaining({ interval_minutes: null }));
  });

  it('offers each language in its own language, and saves French or German', async () => {
    const user = userEvent.setup();
    render(Settings);
    const select = screen.getByTestId('settings-language') as HTMLSelectElement;
    expect([...select.options].map((o) => [o.value, o.textContent?.trim()])).toEqual([
      ['system', 'System'],
      ['en', 'English'],
      ['nl', 'Nederlands'],
      ['fr', 'Français'],
      ['de', 'Deutsch'],
    ]);
    await fireEvent.change(select, { target: { value: 'fr' } });
    await user.click(screen.getByTestId('settings-save'));
    expect(api.saveSettings).toHaveBeenLastCalledWith({ ...saved, language: 'fr' });
    await fireEvent.change(select, { target: { value: 'de' } });
    await user.click(screen.getByTestId('settings-save'));
    expect(api.saveSettings).toHaveBeenLastCalledWith({ ...saved, language: 'de' });
  });

  it('chooses languages for item descriptions', async () => {
    const user = userEvent.setup();
    render(Settings);
    await user.click(screen.getByTestId('settings-description-language-EN'));
    await user.click(screen.getByTestId('settings-description-language-FR'));
    await user.click(screen.getByTestId('settings-save'));
    expect(api.saveSettings).toHaveBeenLastCalledWith({ ...saved, description_languages: ['EN', 'FR'] });
    // Unticking one saves the rest; the same languages in another order are no change.
    await user.click(screen.getByTestId('settings-description-language-EN'));
    await user.click(screen.getByTestId('settings-save'));
    expect(api.saveSettings).toHaveBeenLastCalledWith({ ...saved, description_languages: ['FR'] });
    expect(
      sameSettings(
        { ...saved, description_languages: ['EN', 'DE'] },
        { ...saved, description_languages: ['DE', 'EN'] },
      ),
    ).toBe(true);
    expect(sameSettings({ ...saved, description_languages: ['EN'] }, saved)).toBe(false);
  });

  it('refuses a batch size out of range', async () => {
    const user = userEvent.setup();
    render(Settings);
    const batch = screen.getByTestId('settings-batch-size');
    await user.clear(batch);
    await user.type(batch, '50');
    expect(screen.getByTestId('settings-batch-size-error')).toBeInTheDocument();
    expect(batch).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByTestId('settings-save')).toBeDisabled();
    await user.type(batch, '0');
    expect(screen.queryByTestId('settings-batch-size-error')).toBeNull();
    expect(screen.getByTestId('settings-save')).toBeEnabled();
  });

  it('shows a failed save', async () => {
    api.saveSettings.mockRejectedValue(new CommandError('storage', 'The data folder is read-only'));
    render(Settings);
    await fireEvent.click(screen.getByTestId('settings-pictures'));
    await fireEvent.click(screen.getByTestId('settings-save'));
    expect(await screen.findByRole('alert')).toHaveTextContent('The data folder is read-only');
    expect(screen.queryByTestId('settings-saved')).toBeNull();
  });

  it('chooses divisions with the picker, showing names as text', async () => {
    render(Settings);
    const options = await screen.findAllByTestId('division-option');
    expect(options.map((o) => o.dataset.code)).toEqual(['1001', '1002']);
    expect(options[0]).toHaveTextContent('Demo <b>Retail</b> BV');
    expect(options[0].querySelector('b')).toBeNull();
    expect(options[0]).toHaveTextContent('Last opened');
    await fireEvent.click(options[1].querySelector('input')!);
    await fireEvent.click(screen.getByTestId('settings-save'));
    expect(api.saveSettings).toHaveBeenCalledWith(expect.objectContaining({ divisions: [1001, 1002] }));
  });

  it('takes the demo company off the network, and the offline indicator appears', async () => {
    render(OfflineIndicator);
    render(Settings);
    const online = screen.getByTestId('settings-demo-online') as HTMLInputElement;
    expect(online.checked).toBe(true);
    expect(screen.queryByTestId('offline-indicator')).toBeNull();
    await fireEvent.click(online);
    expect(api.setDemoOnline).toHaveBeenCalledWith(false);
    await waitFor(() => expect(screen.getByTestId('offline-indicator')).toBeInTheDocument());
    expect(online.checked).toBe(false);
    await fireEvent.click(online);
    expect(api.setDemoOnline).toHaveBeenLastCalledWith(true);
    await waitFor(() => expect(screen.queryByTestId('offline-indicator')).toBeNull());
  });

  it('has no demo toggle for an Exact Online account', () => {
    app.info = infoFixture({
      mode: 'account',
      account: { base_url: 'https://start.exactonline.be', client_id: 'abc', region: 'be' },
      token_storage: 'file',
      token_warning: 'No keychain: the sign-in is kept in a file.',
      refresh_expires_ms: Date.UTC(2025, 6, 1),
    });
    render(Settings);
    expect(screen.queryByTestId('settings-demo-online')).toBeNull();
    expect(screen.getByTestId('settings-token-warning')).toHaveTextContent('No keychain');
    expect(screen.getByTestId('settings-refresh-expires')).toHaveTextContent(/Stays valid until .*2025/);
  });

  it('clears pictures and files after confirming', async () => {
    render(Settings);
    await fireEvent.click(await screen.findByTestId('settings-clear'));
    expect(screen.getByTestId('confirm-dialog')).toBeInTheDocument();
    await fireEvent.click(screen.getByTestId('confirm-ok'));
    expect(api.clearCaches).toHaveBeenCalledOnce();
    await waitFor(() => expect(screen.queryByTestId('confirm-dialog')).toBeNull());
    expect(screen.getByTestId('settings-assets-size')).toHaveTextContent('0 B');
  });

  it('does not clear when the dialog is cancelled with Escape', async () => {
    render(Settings);
    await fireEvent.click(await screen.findByTestId('settings-clear'));
    await fireEvent.keyDown(screen.getByTestId('confirm-dialog'), { key: 'Escape' });
    expect(screen.queryByTestId('confirm-dialog')).toBeNull();
    expect(api.clearCaches).not.toHaveBeenCalled();
  });

  describe('diagnostics', () => {
    it('copies the report the shell makes', async () => {
      const writeText = vi.fn().mockResolvedValue(undefined);
      Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
      api.diagnostics.mockResolvedValue('Exact Offline 0.1.0 diagnostics\nok   sign-in');
      render(Settings);
      const section = screen.getByTestId('settings-diagnostics-section');
      expect(section).toHaveTextContent('no password, token or customer data');
      await fireEvent.click(within(section).getByTestId('settings-diagnostics'));
      await waitFor(() => expect(screen.getByTestId('settings-diagnostics-copied')).toHaveTextContent('Copied'));
      expect(writeText).toHaveBeenCalledWith('Exact Offline 0.1.0 diagnostics\nok   sign-in');
    });

    it('says why when it cannot', async () => {
      api.diagnostics.mockRejectedValue(new CommandError('offline', 'Exact Online cannot be reached'));
      render(Settings);
      await fireEvent.click(screen.getByTestId('settings-diagnostics'));
      expect(await screen.findByTestId('settings-diagnostics-error')).toHaveTextContent('cannot be reached');
      expect(screen.queryByTestId('settings-diagnostics-copied')).toBeNull();
      expect(screen.getByTestId('settings-diagnostics')).not.toBeDisabled();
    });
  });

  describe('full resync', () => {
    it('asks first, saying what it costs, then asks the shell for it once', async () => {
      render(Settings);
      const section = screen.getByTestId('settings-resync-section');
      expect(section).toHaveTextContent('Full resync');
      expect(section).toHaveTextContent('Each sync reads only what changed.');
      await fireEvent.click(within(section).getByTestId('settings-resync'));
      const question = screen.getByTestId('confirm-dialog');
      expect(question).toHaveTextContent('Resync everything?');
      expect(question).toHaveTextContent('Every record is read from Exact Online again');
      expect(question).toHaveTextContent(
        'This takes longer than a normal sync and uses more of the day’s Exact Online calls.',
      );
      expect(api.resyncAll).not.toHaveBeenCalled();
      await fireEvent.click(within(question).getByTestId('confirm-ok'));
      expect(api.resyncAll).toHaveBeenCalledOnce();
      await waitFor(() => expect(screen.queryByTestId('confirm-dialog')).toBeNull());
      expect(screen.getByTestId('settings-resync-asked')).toHaveTextContent(
        'It runs now, or as soon as the running sync ends',
      );
      // Nothing else is asked of the shell: the settings are not saved by it.
      expect(api.saveSettings).not.toHaveBeenCalled();
    });

    it('does nothing when cancelled, with the button or Escape', async () => {
      render(Settings);
      await fireEvent.click(screen.getByTestId('settings-resync'));
      await fireEvent.click(within(screen.getByTestId('confirm-dialog')).getByRole('button', { name: 'Cancel' }));
      await waitFor(() => expect(screen.queryByTestId('confirm-dialog')).toBeNull());
      await fireEvent.click(screen.getByTestId('settings-resync'));
      await fireEvent.keyDown(screen.getByTestId('confirm-dialog'), { key: 'Escape' });
      await waitFor(() => expect(screen.queryByTestId('confirm-dialog')).toBeNull());
      expect(api.resyncAll).not.toHaveBeenCalled();
      expect(screen.queryByTestId('settings-resync-asked')).toBeNull();
    });

    it('shows the shell’s refusal', async () => {
      api.resyncAll.mockRejectedValue(new CommandError('invalid_input', 'Choose the divisions to sync first.'));
      render(Settings);
      await fireEvent.click(screen.getByTestId('settings-resync'));
      await fireEvent.click(screen.getByTestId('confirm-ok'));
      expect(await screen.findByTestId('settings-error')).toHaveTextContent('Choose the divisions to sync first.');
      expect(screen.queryByTestId('confirm-dialog')).toBeNull();
      expect(screen.queryByTestId('settings-resync-asked')).toBeNull();
    });

    it('is offered for an open company only, in both languages', async () => {
      app.info = infoFixture({ mode: 'welcome' });
      const { unmount } = render(Settings);
      expect(screen.queryByTestId('settings-resync')).toBeNull();
      unmount();
      setLanguage('nl');
      app.info = infoFixture({ mode: 'account' });
      render(Settings);
      expect(screen.getByTestId('settings-resync')).toHaveTextContent('Alles opnieuw synchroniseren…');
      await fireEvent.click(screen.getByTestId('settings-resync'));
      expect(screen.getByTestId('confirm-dialog')).toHaveTextContent(
        'gebruikt meer van de aanroepen die Exact Online per dag toestaat',
      );
    });
  });
});

describe('settings checks', () => {
  it('finds the fields that cannot be saved', () => {
    expect(settingsProblems(saved, 'demo').size).toBe(0);
    expect([...settingsProblems({ ...saved, batch_size: 99 }, 'demo')]).toEqual(['batch_size']);
    expect([...settingsProblems({ ...saved, batch_size: 5001 }, 'demo')]).toEqual(['batch_size']);
    expect([...settingsProblems({ ...saved, attachments: 'all', attachments_cap_mb: 0 }, 'demo')]).toEqual([
      'attachments_cap_mb',
    ]);
    expect([...settingsProblems({ ...saved, divisions: [] }, 'account')]).toEqual(['divisions']);
  });

  it('compares settings, divisions in any order', () => {
    expect(sameSettings(saved, structuredClone(saved))).toBe(true);
    expect(sameSettings({ ...saved, divisions: [1, 2] }, { ...saved, divisions: [2, 1] })).toBe(true);
    expect(sameSettings(saved, { ...saved, theme: 'dark' })).toBe(false);
  });
});
