import '@testing-library/svelte/vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { CommandError, type AppInfo, type ErrorKind } from '$lib/ipc';
import { setLanguage } from '$lib/i18n.svelte';
import { infoFixture } from './fixtures';
import Welcome from './Welcome.svelte';

const api = vi.hoisted(() => ({
  regions: vi.fn(),
  redirectChoice: vi.fn(),
  startDemo: vi.fn(),
  connect: vi.fn(),
  connectShared: vi.fn(),
  registration: vi.fn(),
  cancelConnect: vi.fn(),
}));

vi.mock('$lib/ipc', async (importOriginal) => ({
  ...(await importOriginal<typeof import('$lib/ipc')>()),
  api,
}));

const GUID = '{1a2b3c4d-0000-4abc-8def-0123456789ab}';

function choice(host: string, port: number) {
  return { hosts: ['localhost', '127.0.0.1'], host, port, min_port: 1024, max_port: 65535, path: '/callback' };
}

const uriInput = () => screen.getByTestId('connect-redirect-uri') as HTMLInputElement;
const portInput = () => screen.getByTestId('connect-redirect-port') as HTMLInputElement;
const hostSelect = () => screen.getByTestId('connect-redirect-host') as HTMLSelectElement;

beforeEach(() => {
  setLanguage('en');
  vi.clearAllMocks();
  api.regions.mockResolvedValue([
    { code: 'nl', name: 'Netherlands', base_url: 'https://start.exactonline.nl' },
    { code: 'be', name: 'Belgium', base_url: 'https://start.exactonline.be' },
  ]);
  api.redirectChoice.mockResolvedValue(choice('localhost', 47615));
  api.cancelConnect.mockResolvedValue(undefined);
  api.registration.mockResolvedValue(noRegistration);
});

const noRegistration = { available: false, source: null, path: null, region: null, error: null };
const sharedRegistration = {
  available: true,
  source: 'system' as const,
  path: '/etc/exact-offline/registration.json',
  region: 'be',
  error: null,
};

/** Renders the welcome screen and waits for its choices (shown once the shell said whether a
 * shared registration is present). */
async function show(props: { onentered: (info: AppInfo) => void | Promise<void> }) {
  const rendered = render(Welcome, props);
  await screen.findByTestId('welcome-choices');
  return rendered;
}

async function fill(clientId: string, secret: string) {
  const user = userEvent.setup();
  if (clientId) await user.type(screen.getByTestId('connect-client-id'), clientId.replace(/[{[]/g, '$&$&'));
  if (secret) await user.type(screen.getByTestId('connect-client-secret'), secret);
  await user.click(screen.getByTestId('connect-submit'));
}

describe('Welcome', () => {
  it('shows the regions (nl by default) and the redirect URI to register', async () => {
    await show({ onentered: vi.fn() });
    const region = screen.getByTestId('connect-region') as HTMLSelectElement;
    await waitFor(() => expect(region.options).toHaveLength(2));
    expect(region.value).toBe('nl');
    expect(uriInput().value).toBe('http://localhost:47615/callback');
    expect(uriInput().readOnly).toBe(true);
    expect(hostSelect().value).toBe('localhost');
    expect([...hostSelect().options].map((o) => o.value)).toEqual(['localhost', '127.0.0.1']);
    expect(portInput().value).toBe('47615');
    expect(screen.getByText(/Register exactly this redirect URI/)).toBeInTheDocument();
  });

  it('starts from the host and port the shell names (a saved connection keeps its URI)', async () => {
    api.redirectChoice.mockResolvedValue(choice('127.0.0.1', 53682));
    await show({ onentered: vi.fn() });
    await waitFor(() => expect(uriInput().value).toBe('http://127.0.0.1:53682/callback'));
    expect(hostSelect().value).toBe('127.0.0.1');
    expect(portInput().value).toBe('53682');
  });

  it('shows the default when the shell does not answer', async () => {
    api.redirectChoice.mockRejectedValue(new CommandError('internal', 'no'));
    await show({ onentered: vi.fn() });
    await waitFor(() => expect(api.redirectChoice).toHaveBeenCalled());
    expect(uriInput().value).toBe('http://localhost:47615/callback');
    expect(screen.getByTestId('connect-copy')).toBeEnabled();
  });

  it('names the redirect controls for assistive technology and reaches them with the keyboard', async () => {
    await show({ onentered: vi.fn() });
    const group = screen.getByRole('group', { name: 'Redirect URI' });
    expect(group).toContainElement(screen.getByRole('combobox', { name: 'Host' }));
    expect(group).toContainElement(screen.getByRole('spinbutton', { name: 'Port' }));
    expect(screen.getByRole('textbox', { name: 'Redirect URI to register' })).toBe(uriInput());
    expect(uriInput()).toHaveAccessibleDescription(/Register exactly this redirect URI/);
    const user = userEvent.setup();
    hostSelect().focus();
    await user.tab();
    expect(portInput()).toHaveFocus();
    await user.clear(portInput());
    await user.keyboard('8100');
    expect(uriInput().value).toBe('http://localhost:8100/callback');
  });

  it('updates the URI as host and port change, and copies the one shown', async () => {
    await show({ onentered: vi.fn() });
    await waitFor(() => expect(api.redirectChoice).toHaveBeenCalled());
    const user = userEvent.setup();
    await user.selectOptions(hostSelect(), '127.0.0.1');
    expect(uriInput().value).toBe('http://127.0.0.1:47615/callback');
    await user.clear(portInput());
    await user.type(portInput(), '8100');
    expect(uriInput().value).toBe('http://127.0.0.1:8100/callback');
    await user.click(screen.getByTestId('connect-copy'));
    expect(await navigator.clipboard.readText()).toBe('http://127.0.0.1:8100/callback');
    expect(screen.getByTestId('connect-copy')).toHaveTextContent('Copied');
    await user.type(portInput(), '1');
    expect(screen.getByTestId('connect-copy')).toHaveTextContent('Copy');
  });

  for (const bad of ['80', '0', '70000', '1024.5', '']) {
    it(`refuses the port ${JSON.stringify(bad)} inline and does not connect`, async () => {
      await show({ onentered: vi.fn() });
      await waitFor(() => expect(api.redirectChoice).toHaveBeenCalled());
      const user = userEvent.setup();
      await user.clear(portInput());
      if (bad) await user.type(portInput(), bad);
      const error = screen.getByTestId('connect-redirect-port-error');
      expect(error).toHaveTextContent('Enter a port from 1024 to 65535 (a whole number).');
      expect(portInput()).toHaveAttribute('aria-invalid', 'true');
      expect(portInput()).toHaveAccessibleDescription(/1024 to 65535/);
      expect(uriInput().value).toBe('—');
      expect(screen.getByTestId('connect-copy')).toBeDisabled();
      expect(screen.getByTestId('connect-submit')).toBeDisabled();
      await user.type(screen.getByTestId('connect-client-id'), GUID.replace(/[{[]/g, '$&$&'));
      await user.type(screen.getByTestId('connect-client-secret'), 'secret{Enter}');
      expect(api.connect).not.toHaveBeenCalled();

      await user.clear(portInput());
      await user.type(portInput(), '1024');
      expect(screen.queryByTestId('connect-redirect-port-error')).toBeNull();
      expect(portInput()).toHaveAttribute('aria-invalid', 'false');
      expect(screen.getByTestId('connect-submit')).toBeEnabled();
    });
  }

  it('says in Dutch what the port must be', async () => {
    setLanguage('nl');
    await show({ onentered: vi.fn() });
    const user = userEvent.setup();
    await user.clear(screen.getByRole('spinbutton', { name: 'Poort' }));
    expect(screen.getByTestId('connect-redirect-port-error')).toHaveTextContent(
      'Vul een poort van 1024 tot en met 65535 in (een heel getal).',
    );
    expect(screen.getByRole('group', { name: 'Redirect-URI' })).toBeInTheDocument();
  });

  it('connects with the chosen host and port', async () => {
    api.connect.mockReturnValue(new Promise(() => {}));
    await show({ onentered: vi.fn() });
    await waitFor(() => expect(api.redirectChoice).toHaveBeenCalled());
    const user = userEvent.setup();
    await user.selectOptions(hostSelect(), '127.0.0.1');
    await user.clear(portInput());
    await user.type(portInput(), '8100');
    await fill(GUID, 'secret');
    expect(api.connect).toHaveBeenCalledWith(
      expect.objectContaining({ redirect_host: '127.0.0.1', redirect_port: 8100 }),
    );
  });

  it('refuses a client ID that is not a GUID and an empty secret, without calling Exact', async () => {
    await show({ onentered: vi.fn() });
    await fill('my app', '');
    expect(screen.getByTestId('connect-client-id-error')).toHaveTextContent(/does not look like a client ID/);
    expect(screen.getByTestId('connect-client-secret-error')).toHaveTextContent(/client secret/);
    expect(screen.getByTestId('connect-client-id')).toHaveAttribute('aria-invalid', 'true');
    expect(api.connect).not.toHaveBeenCalled();
  });

  it('accepts a GUID with braces and connects with the chosen region', async () => {
    let resolve: (value: unknown) => void = () => {};
    api.connect.mockReturnValue(new Promise((r) => (resolve = r)));
    const onentered = vi.fn();
    await show({ onentered });
    await waitFor(() => expect((screen.getByTestId('connect-region') as HTMLSelectElement).options).toHaveLength(2));
    await fireEvent.change(screen.getByTestId('connect-region'), { target: { value: 'be' } });
    await fill(`  ${GUID} `, 's3cret');
    expect(api.connect).toHaveBeenCalledWith({
      region: 'be',
      base_url: null,
      client_id: GUID,
      client_secret: 's3cret',
      redirect_host: 'localhost',
      redirect_port: 47615,
    });
    expect(screen.getByTestId('connect-waiting')).toHaveTextContent('Waiting for you to sign in in your browser…');
    const info = infoFixture({ mode: 'account' });
    resolve(info);
    await waitFor(() => expect(onentered).toHaveBeenCalledWith(info));
  });

  it('cancels a pending sign-in without showing an error', async () => {
    let reject: (error: unknown) => void = () => {};
    api.connect.mockReturnValue(new Promise((_, r) => (reject = r)));
    await show({ onentered: vi.fn() });
    await fill(GUID, 'secret');
    await fireEvent.click(screen.getByTestId('connect-cancel'));
    expect(api.cancelConnect).toHaveBeenCalled();
    reject(new CommandError('consent_refused', 'cancelled'));
    await waitFor(() => expect(screen.getByTestId('welcome-connect')).toBeInTheDocument());
    expect(screen.queryByTestId('welcome-error')).toBeNull();
  });

  const cases: Array<[ErrorKind, RegExp]> = [
    ['wrong_credentials', /Exact refused the client ID or secret/],
    ['consent_refused', /Sign-in was cancelled or refused/],
    ['offline', /Exact Online cannot be reached/],
    ['busy', /already running/],
    ['internal', /^Something odd: <b>raw<\/b>$/],
  ];
  for (const [code, expected] of cases) {
    it(`explains the ${code} error`, async () => {
      api.connect.mockRejectedValue(new CommandError(code, 'Something odd: <b>raw</b>'));
      await show({ onentered: vi.fn() });
      await fill(GUID, 'secret');
      const error = await screen.findByTestId('welcome-error');
      expect(error.textContent?.trim()).toMatch(expected);
      // Messages are text, never markup.
      expect(error.querySelector('b')).toBeNull();
      expect(screen.getByTestId('welcome-connect')).toBeInTheDocument();
    });
  }

  it('starts the demo company and shows that it is starting', async () => {
    let resolve: (value: unknown) => void = () => {};
    api.startDemo.mockReturnValue(new Promise((r) => (resolve = r)));
    const onentered = vi.fn();
    await show({ onentered });
    await fireEvent.click(screen.getByTestId('welcome-demo'));
    expect(screen.getByTestId('welcome-demo')).toHaveTextContent('Starting the demo company…');
    expect(screen.getByTestId('welcome-demo')).toBeDisabled();
    const info = infoFixture({ mode: 'demo' });
    resolve(info);
    await waitFor(() => expect(onentered).toHaveBeenCalledWith(info));
  });

  it('shows the secret on request', async () => {
    await show({ onentered: vi.fn() });
    const secret = screen.getByTestId('connect-client-secret');
    expect(secret).toHaveAttribute('type', 'password');
    await fireEvent.click(screen.getByTestId('connect-secret-toggle'));
    expect(secret).toHaveAttribute('type', 'text');
  });

  it('shows the same screen as before when there is no shared registration', async () => {
    await show({ onentered: vi.fn() });
    await waitFor(() => expect(api.registration).toHaveBeenCalled());
    expect(screen.getByTestId('welcome-connect')).toBeInTheDocument();
    expect(screen.queryByTestId('welcome-shared')).toBeNull();
    expect(screen.queryByTestId('welcome-own-app')).toBeNull();
  });
});

describe('Welcome with a shared app registration', () => {
  beforeEach(() => api.registration.mockResolvedValue(sharedRegistration));

  it("offers one button with the region only, on the registration's region", async () => {
    await show({ onentered: vi.fn() });
    const button = await screen.findByRole('button', { name: 'Sign in with Exact Online' });
    const region = screen.getByRole('combobox', { name: 'Region' }) as HTMLSelectElement;
    await waitFor(() => expect(region.value).toBe('be'));
    expect(screen.queryByTestId('connect-client-id')).toBeNull();
    expect(screen.queryByTestId('connect-client-secret')).toBeNull();
    expect(screen.queryByTestId('connect-redirect-uri')).toBeNull();
    expect(screen.getByTestId('welcome-demo')).toBeInTheDocument();
    expect(button).toHaveClass('btn-primary');
    expect(screen.getByTestId('welcome-demo')).not.toHaveClass('btn-primary');
  });

  it('signs in with the chosen region and waits for the browser', async () => {
    let resolve: (value: unknown) => void = () => {};
    api.connectShared.mockReturnValue(new Promise((r) => (resolve = r)));
    const onentered = vi.fn();
    await show({ onentered });
    const user = userEvent.setup();
    const region = (await screen.findByTestId('shared-region')) as HTMLSelectElement;
    await waitFor(() => expect(region.options).toHaveLength(2));
    await user.selectOptions(region, 'nl');
    await user.click(screen.getByTestId('shared-sign-in'));
    expect(api.connectShared).toHaveBeenCalledWith('nl');
    expect(api.connect).not.toHaveBeenCalled();
    expect(screen.getByTestId('connect-waiting')).toBeInTheDocument();
    const info = infoFixture({ mode: 'account' });
    resolve(info);
    await waitFor(() => expect(onentered).toHaveBeenCalledWith(info));
  });

  it('submits with Enter from the region', async () => {
    api.connectShared.mockReturnValue(new Promise(() => {}));
    await show({ onentered: vi.fn() });
    const region = await screen.findByTestId('shared-region');
    await waitFor(() => expect((region as HTMLSelectElement).value).toBe('be'));
    await fireEvent.submit(region.closest('form') as HTMLFormElement);
    expect(api.connectShared).toHaveBeenCalledWith('be');
  });

  it('says who to ask when Exact refuses the shared registration', async () => {
    api.connectShared.mockRejectedValue(new CommandError('wrong_credentials', 'refused'));
    await show({ onentered: vi.fn() });
    await userEvent.setup().click(await screen.findByTestId('shared-sign-in'));
    expect(await screen.findByTestId('welcome-error')).toHaveTextContent(
      'Exact Online refused the app registration set up for your organisation.',
    );
    expect(screen.getByTestId('welcome-shared')).toBeInTheDocument();
  });

  it('opens the own-registration form as the advanced choice, moving the focus', async () => {
    await show({ onentered: vi.fn() });
    const user = userEvent.setup();
    const toggle = await screen.findByRole('button', { name: 'Use my own app registration' });
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await user.click(toggle);
    expect(screen.getByTestId('connect-client-id')).toHaveFocus();
    expect(screen.queryByTestId('welcome-shared')).toBeNull();
    const back = screen.getByTestId('welcome-shared-back');
    expect(back).toHaveAttribute('aria-expanded', 'true');
    await user.click(back);
    expect(screen.getByTestId('shared-sign-in')).toHaveFocus();
    expect(screen.queryByTestId('welcome-connect')).toBeNull();
  });

  it('speaks Dutch', async () => {
    setLanguage('nl');
    await show({ onentered: vi.fn() });
    expect(await screen.findByRole('button', { name: 'Inloggen met Exact Online' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Mijn eigen app-registratie gebruiken' })).toBeInTheDocument();
  });

  it("shows why a broken registration cannot be used, as text, beside today's form", async () => {
    api.registration.mockResolvedValue({
      available: false,
      source: 'beside_app',
      path: '/opt/exact-offline/registration.json',
      region: null,
      error:
        'The shared app registration in /opt/exact-offline/registration.json cannot be used: unknown field "<b>x</b>"',
    });
    await show({ onentered: vi.fn() });
    const banner = await screen.findByTestId('welcome-registration-error');
    expect(banner).toHaveTextContent('cannot be used');
    expect(banner).toHaveTextContent('/opt/exact-offline/registration.json');
    expect(banner.querySelector('b')).toBeNull();
    expect(screen.getByTestId('welcome-connect')).toBeInTheDocument();
    expect(screen.queryByTestId('welcome-shared')).toBeNull();
  });
});
