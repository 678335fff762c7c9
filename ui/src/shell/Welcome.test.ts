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
  redirectUri: vi.fn(),
  startDemo: vi.fn(),
  connect: vi.fn(),
  cancelConnect: vi.fn(),
}));

vi.mock('$lib/ipc', async (importOriginal) => ({
  ...(await importOriginal<typeof import('$lib/ipc')>()),
  api,
}));

const GUID = '{1a2b3c4d-0000-4abc-8def-0123456789ab}';

beforeEach(() => {
  setLanguage('en');
  vi.clearAllMocks();
  api.regions.mockResolvedValue([
    { code: 'nl', name: 'Netherlands', base_url: 'https://start.exactonline.nl' },
    { code: 'be', name: 'Belgium', base_url: 'https://start.exactonline.be' },
  ]);
  api.redirectUri.mockResolvedValue('http://127.0.0.1:53682/callback');
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
    const uri = screen.getByTestId('connect-redirect-uri') as HTMLInputElement;
    await waitFor(() => expect(uri.value).toBe('http://127.0.0.1:53682/callback'));
    expect(uri.readOnly).toBe(true);
    expect(screen.getByText(/Register exactly this redirect URI/)).toBeInTheDocument();
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
