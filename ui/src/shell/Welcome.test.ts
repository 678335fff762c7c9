import '@testing-library/svelte/vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { CommandError, type ErrorKind } from '$lib/ipc';
import { setLanguage } from '$lib/i18n.svelte';
import { infoFixture } from './fixtures';
import Welcome from './Welcome.svelte';

const api = vi.hoisted(() => ({
  regions: vi.fn(),
  redirectChoice: vi.fn(),
  startDemo: vi.fn(),
  connect: vi.fn(),
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
});

async function fill(clientId: string, secret: string) {
  const user = userEvent.setup();
  if (clientId) await user.type(screen.getByTestId('connect-client-id'), clientId.replace(/[{[]/g, '$&$&'));
  if (secret) await user.type(screen.getByTestId('connect-client-secret'), secret);
  await user.click(screen.getByTestId('connect-submit'));
}

describe('Welcome', () => {
  it('shows the regions (nl by default) and the redirect URI to register', async () => {
    render(Welcome, { onentered: vi.fn() });
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
    render(Welcome, { onentered: vi.fn() });
    await waitFor(() => expect(uriInput().value).toBe('http://127.0.0.1:53682/callback'));
    expect(hostSelect().value).toBe('127.0.0.1');
    expect(portInput().value).toBe('53682');
  });

  it('shows the default when the shell does not answer', async () => {
    api.redirectChoice.mockRejectedValue(new CommandError('internal', 'no'));
    render(Welcome, { onentered: vi.fn() });
    await waitFor(() => expect(api.redirectChoice).toHaveBeenCalled());
    expect(uriInput().value).toBe('http://localhost:47615/callback');
    expect(screen.getByTestId('connect-copy')).toBeEnabled();
  });

  it('names the redirect controls for assistive technology and reaches them with the keyboard', async () => {
    render(Welcome, { onentered: vi.fn() });
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
    render(Welcome, { onentered: vi.fn() });
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
      render(Welcome, { onentered: vi.fn() });
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
    render(Welcome, { onentered: vi.fn() });
    const user = userEvent.setup();
    await user.clear(screen.getByRole('spinbutton', { name: 'Poort' }));
    expect(screen.getByTestId('connect-redirect-port-error')).toHaveTextContent(
      'Vul een poort van 1024 tot en met 65535 in (een heel getal).',
    );
    expect(screen.getByRole('group', { name: 'Redirect-URI' })).toBeInTheDocument();
  });

  it('connects with the chosen host and port', async () => {
    api.connect.mockReturnValue(new Promise(() => {}));
    render(Welcome, { onentered: vi.fn() });
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
    render(Welcome, { onentered: vi.fn() });
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
    render(Welcome, { onentered });
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
    render(Welcome, { onentered: vi.fn() });
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
      render(Welcome, { onentered: vi.fn() });
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
    render(Welcome, { onentered });
    await fireEvent.click(screen.getByTestId('welcome-demo'));
    expect(screen.getByTestId('welcome-demo')).toHaveTextContent('Starting the demo company…');
    expect(screen.getByTestId('welcome-demo')).toBeDisabled();
    const info = infoFixture({ mode: 'demo' });
    resolve(info);
    await waitFor(() => expect(onentered).toHaveBeenCalledWith(info));
  });

  it('shows the secret on request', async () => {
    render(Welcome, { onentered: vi.fn() });
    const secret = screen.getByTestId('connect-client-secret');
    expect(secret).toHaveAttribute('type', 'password');
    await fireEvent.click(screen.getByTestId('connect-secret-toggle'));
    expect(secret).toHaveAttribute('type', 'text');
  });
});
