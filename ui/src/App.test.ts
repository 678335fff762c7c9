import '@testing-library/svelte/vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Settings } from '$lib/ipc';
import { app, defaultSettings, emptySnapshot } from '$lib/stores.svelte';
import App from './App.svelte';
import { infoFixture, snapshotFixture } from './shell/fixtures';

vi.mock('./browse/Items.svelte', async () => ({ default: (await import('./shell/ViewStub.svelte')).default }));
vi.mock('./browse/Customers.svelte', async () => ({ default: (await import('./shell/ViewStub.svelte')).default }));

const api = vi.hoisted(() => ({
  appInfo: vi.fn(),
  getSettings: vi.fn(),
  saveSettings: vi.fn(),
  syncState: vi.fn(),
  divisions: vi.fn(),
  regions: vi.fn(),
  redirectChoice: vi.fn(),
  registration: vi.fn(),
  startDemo: vi.fn(),
  runs: vi.fn(),
  storage: vi.fn(),
}));

vi.mock('$lib/ipc', async (importOriginal) => ({
  ...(await importOriginal<typeof import('$lib/ipc')>()),
  api,
  onSyncState: vi.fn(async () => () => {}),
  onProgress: vi.fn(async () => () => {}),
}));

function settings(overrides: Partial<Settings> = {}): Settings {
  return { ...defaultSettings(), language: 'en', ...overrides };
}

beforeEach(() => {
  vi.clearAllMocks();
  app.info = null;
  app.settings = defaultSettings();
  app.division = null;
  app.sync = emptySnapshot();
  app.divisions = null;
  delete document.documentElement.dataset.theme;
  api.appInfo.mockResolvedValue(infoFixture({ mode: 'demo' }));
  api.getSettings.mockResolvedValue(settings({ divisions: [1001, 1002] }));
  api.saveSettings.mockImplementation(async (s: Settings) => s);
  api.syncState.mockResolvedValue(snapshotFixture({ last_success_ms: Date.now() - 60_000 }));
  api.divisions.mockResolvedValue([
    { code: 1001, name: 'Retail', current: false, selected: true },
    { code: 1002, name: 'Wholesale', current: true, selected: true },
  ]);
  api.regions.mockResolvedValue([]);
  api.registration.mockResolvedValue({ available: false, source: null, path: null, region: null, error: null });
  api.redirectChoice.mockResolvedValue({
    hosts: ['localhost', '127.0.0.1'],
    host: 'localhost',
    port: 47615,
    min_port: 1024,
    max_port: 65535,
    path: '/callback',
  });
  api.runs.mockResolvedValue([]);
  api.storage.mockResolvedValue({ data_dir: '/d', cache_bytes: 0, assets_bytes: 0, token_storage: null });
});

describe('App', () => {
  it('shows the welcome screen, then the items after starting the demo', async () => {
    api.appInfo.mockResolvedValue(infoFixture({ mode: 'welcome' }));
    api.getSettings.mockResolvedValue(settings());
    render(App);
    await screen.findByTestId('welcome');
    expect(screen.queryByTestId('nav-items')).toBeNull();

    api.startDemo.mockResolvedValue(infoFixture({ mode: 'demo' }));
    api.getSettings.mockResolvedValue(settings({ divisions: [1001, 1002] }));
    await fireEvent.click(screen.getByTestId('welcome-demo'));
    expect(await screen.findByTestId('view-stub')).toHaveAttribute('data-division', '1001');
    expect(screen.getByTestId('nav-items')).toHaveAttribute('aria-current', 'page');
    expect(screen.getByTestId('demo-badge')).toBeInTheDocument();
  });

  it('moves the focus from the welcome to the current view in the navigation', async () => {
    api.appInfo.mockResolvedValue(infoFixture({ mode: 'welcome' }));
    api.getSettings.mockResolvedValue(settings());
    render(App);
    const demo = await screen.findByTestId('welcome-demo');
    demo.focus();
    api.startDemo.mockResolvedValue(infoFixture({ mode: 'demo' }));
    api.getSettings.mockResolvedValue(settings({ divisions: [1001, 1002] }));
    await fireEvent.click(demo);
    await screen.findByTestId('view-stub');
    // The welcome's button is gone: without the move the focus would be on <body>.
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('nav-items')));
  });

  it('switches views with the sidebar and Alt+1..4, and divisions with the switcher', async () => {
    render(App);
    const stub = await screen.findByTestId('view-stub');
    expect(stub).toHaveAttribute('data-division', '1001');
    expect(screen.getByTestId('sync-status')).toHaveAttribute('data-state', 'idle');
    expect(screen.getByTestId('sync-status')).toHaveTextContent(/Synced/);

    const switcher = (await screen.findByTestId('division-switcher')) as HTMLSelectElement;
    await waitFor(() => expect(switcher.options[1].textContent).toBe('Wholesale (1002)'));
    await fireEvent.change(switcher, { target: { value: '1002' } });
    expect(screen.getByTestId('view-stub')).toHaveAttribute('data-division', '1002');

    await fireEvent.keyDown(window, { key: '3', code: 'Digit3', altKey: true });
    expect(await screen.findByTestId('sync-dashboard')).toBeInTheDocument();
    expect(screen.getByTestId('nav-sync')).toHaveAttribute('aria-current', 'page');
    await fireEvent.keyDown(window, { key: '4', code: 'Digit4', altKey: true });
    expect(await screen.findByTestId('settings')).toBeInTheDocument();
    await fireEvent.click(screen.getByTestId('nav-customers'));
    expect(screen.getByTestId('view-stub')).toHaveAttribute('data-division', '1002');
    expect(screen.getByTestId('nav-customers')).toHaveAttribute('aria-current', 'page');
  });

  it('has no division switcher with one division, and shows the offline indicator only offline', async () => {
    api.getSettings.mockResolvedValue(settings({ divisions: [1001] }));
    api.syncState.mockResolvedValue(snapshotFixture({ online: false }));
    render(App);
    await screen.findByTestId('view-stub');
    expect(screen.queryByTestId('division-switcher')).toBeNull();
    expect(screen.getByTestId('offline-indicator')).toBeInTheDocument();
    app.sync.online = true;
    await waitFor(() => expect(screen.queryByTestId('offline-indicator')).toBeNull());
  });

  it('asks for the divisions first when an account has none chosen, without picking one silently', async () => {
    api.appInfo.mockResolvedValue(infoFixture({ mode: 'account' }));
    api.getSettings.mockResolvedValue(settings({ divisions: [] }));
    render(App);
    await screen.findByTestId('divisions-picker');
    const options = await screen.findAllByTestId('division-option');
    expect(options.map((o) => (o.querySelector('input') as HTMLInputElement).checked)).toEqual([false, false]);
    expect(screen.getByTestId('divisions-save')).toBeDisabled();
    await fireEvent.click(options[1].querySelector('input')!);
    await fireEvent.click(screen.getByTestId('divisions-save'));
    expect(api.saveSettings).toHaveBeenCalledWith(expect.objectContaining({ divisions: [1002] }));
    expect(await screen.findByTestId('view-stub')).toHaveAttribute('data-division', '1002');
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('nav-items')));
  });

  it('applies the theme from the settings', async () => {
    api.getSettings.mockResolvedValue(settings({ divisions: [1001], theme: 'dark' }));
    render(App);
    await screen.findByTestId('view-stub');
    expect(document.documentElement.dataset.theme).toBe('dark');
    app.settings.theme = 'light';
    await waitFor(() => expect(document.documentElement.dataset.theme).toBe('light'));
  });

  it('applies the language from the settings', async () => {
    api.getSettings.mockResolvedValue(settings({ divisions: [1001], language: 'nl' }));
    render(App);
    await screen.findByTestId('view-stub');
    expect(screen.getByTestId('nav-items')).toHaveTextContent('Artikelen');
    app.settings.language = 'en';
    await waitFor(() => expect(screen.getByTestId('nav-items')).toHaveTextContent('Items'));
  });

  it('shows why it could not start', async () => {
    api.appInfo.mockRejectedValue(new Error('no shell'));
    render(App);
    expect(await screen.findByTestId('start-error')).toHaveTextContent('no shell');
  });
});
