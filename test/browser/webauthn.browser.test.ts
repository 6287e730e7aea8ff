/*
 * Security keys and passkeys end to end in a real Chromium against a real Tessera, with the
 * DevTools WebAuthn domain's virtual authenticator standing in for the key: add a key on the
 * security page, rename it, sign out, sign in with the password and the key, sign in with the passkey alone,
 * remove the key
 * (the removal's step-up is answered by the key itself); a password change whose step-up a key
 * answers, for an account with no other factor; an admin who sees a user's keys on the
 * user's page and removes one; and passkey autofill (conditional mediation) on the sign-in form,
 * which the virtual authenticator answers at once with its passkey, and which a password sign-in
 * cancels (shown without an authenticator, where the request stays open until then). WebAuthn needs a secure context and an
 * RP ID that is the page's host, so the page is served as http://localhost, the RP ID
 * `localhost`. The new section is checked with axe-core; the page must log no error and break
 * no CSP rule.
 */
import { createServer } from 'node:net';
import { SYSTEM_ACTOR, type WebAuthnSettings } from '@tessera/core';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createSignedInUser } from '../support/harness.js';
import { SoftwareAuthenticator } from '../support/software-authenticator.js';
import { launchBrowser, openPage, seriousAccessibilityProblems } from './fixtures/browser.js';
import { startUiServer, type UiServer } from './fixtures/ui-server.js';

const PASSWORD = 'correct horse battery';

/** A port free now, so the relying party's origin can name it before the server listens. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

let server: UiServer;
let browser: Browser;
let origin: string;
beforeAll(async () => {
  const port = await freePort();
  origin = `http://localhost:${port}`;
  const webauthn: WebAuthnSettings = {
    rpId: 'localhost',
    rpName: 'Tessera Test',
    origins: [origin],
    attestation: 'none',
    userVerification: 'preferred',
    residentKey: 'preferred',
    attachment: 'any',
    timeoutSeconds: 60,
    allowedAaguids: undefined,
    blockedAaguids: [],
    maxCredentials: 10,
  };
  [server, browser] = await Promise.all([startUiServer({ port, webauthn }), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** The DevTools virtual authenticator: a platform passkey authenticator that verifies the user. */
async function addVirtualAuthenticator(page: Page): Promise<{ cdp: CDPSession; authenticatorId: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
    },
  });
  return { cdp, authenticatorId };
}

async function signInWithPassword(page: Page, username: string): Promise<void> {
  await page.goto(`${origin}/ui/sign-in`);
  await page.getByLabel('Username or e-mail').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/**
 * Records each navigator.credentials.get() the page makes: its mediation, and whether its signal
 * was aborted by now (read back with `credentialRequests`). Runs before the page's own scripts.
 */
async function watchCredentialRequests(page: Page): Promise<void> {
  await page.addInitScript(`(() => {
    const requests = [];
    window.__credentialRequests = requests;
    const get = navigator.credentials.get.bind(navigator.credentials);
    navigator.credentials.get = (options) => {
      const request = { mediation: options?.mediation ?? 'optional', signal: options?.signal, settled: false };
      requests.push(request);
      return get(options).finally(() => { request.settled = true; });
    };
  })()`);
}

interface CredentialRequest {
  mediation: string;
  aborted: boolean;
  settled: boolean;
}

async function credentialRequests(page: Page): Promise<CredentialRequest[]> {
  return (await page.evaluate(`window.__credentialRequests.map((r) => ({
    mediation: r.mediation, aborted: Boolean(r.signal && r.signal.aborted), settled: r.settled,
  }))`)) as CredentialRequest[];
}

describe('security keys and passkeys in the browser', () => {
  it('adds a key, renames it, signs in with password and key and with the passkey alone, and removes it', async () => {
    const { page, problems, context } = await openPage(browser);
    // A browser without passkey autofill: the virtual authenticator answers a conditional request
    // at once, which would sign this walk in with the passkey each time it opens the sign-in page.
    await page.addInitScript('PublicKeyCredential.isConditionalMediationAvailable = async () => false;');
    await watchCredentialRequests(page);
    const { cdp, authenticatorId } = await addVirtualAuthenticator(page);
    const username = `key${Date.now().toString(36)}`;

    await page.goto(`${origin}/ui/sign-up`);
    await page.getByLabel('Username', { exact: true }).fill(username);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: `Security of ${username}` }).waitFor();

    const section = page.getByRole('region', { name: 'Security keys and passkeys' });
    await section.getByText('No security key or passkey yet.').waitFor();
    await section.getByRole('button', { name: 'Add a security key or passkey' }).click();
    await section.getByText('The security key or passkey is registered.').waitFor();
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials).toHaveLength(1);
    const keys = section.getByTestId('webauthn-keys');
    await expect.poll(() => keys.locator('tbody tr').count()).toBe(1);
    expect(await keys.locator('tbody tr td').nth(2).textContent()).toBe('Never');
    expect(await seriousAccessibilityProblems(page)).toEqual([]);

    const oldName = ((await keys.locator('tbody tr td').first().textContent()) ?? '').replace(/ \(passkey\)$/, '');
    await section.getByRole('button', { name: `Rename ${oldName}` }).click();
    await section.getByLabel('New name').fill('My laptop');
    await section.getByRole('button', { name: 'Save' }).click();
    await section.getByText('Renamed to My laptop.').waitFor();
    // The list is read again after the notice: wait for the new name rather than race it.
    await expect.poll(() => keys.locator('tbody tr td').first().textContent()).toMatch(/^My laptop/);

    // The key is the account's only second factor now: the password alone does not sign in.
    await page.getByRole('navigation').getByRole('button', { name: 'Sign out' }).click();
    await signInWithPassword(page, username);
    await page.getByRole('heading', { name: 'Two-factor authentication' }).waitFor();
    expect(await page.locator('input[autocomplete="one-time-code"]').count()).toBe(0);
    expect(await seriousAccessibilityProblems(page)).toEqual([]);
    await page.getByRole('button', { name: 'Use a security key or passkey' }).click();
    await page.getByRole('heading', { name: `Security of ${username}` }).waitFor();
    await expect
      .poll(() => section.getByTestId('webauthn-keys').locator('tbody tr td').nth(2).textContent())
      .not.toBe('Never');

    // A passkey (discoverable, user verified) signs in alone: no username, no password typed.
    await page.getByRole('navigation').getByRole('button', { name: 'Sign out' }).click();
    await page.goto(`${origin}/ui/sign-in`);
    await page.getByRole('button', { name: 'Use a passkey instead of a password' }).click();
    await page.getByRole('heading', { name: `Security of ${username}` }).waitFor();

    // Without autofill, since the sign-in page was loaded: the passkey button's prompt alone.
    expect((await credentialRequests(page)).map((request) => request.mediation)).toEqual(['optional']);

    await section.getByRole('button', { name: 'Remove My laptop' }).click();
    await section.getByText('My laptop is removed.').waitFor();
    await section.getByText('No security key or passkey yet.').waitFor();

    // With the key gone, the password alone signs in again.
    await page.getByRole('navigation').getByRole('button', { name: 'Sign out' }).click();
    await signInWithPassword(page, username);
    await page.getByRole('heading', { name: `Security of ${username}` }).waitFor();

    expect(problems).toEqual([]);
    await context.close();
  });

  it("an admin sees a user's keys on the user's page, with model and last use, and removes one", async () => {
    const { harness } = server;
    const admin = await createSignedInUser(harness, { role: 'admin' });
    const user = await createSignedInUser(harness);
    // The user's key is registered through the API by a software authenticator of a known model.
    const yubikey = new SoftwareAuthenticator({ origin, aaguid: 'cb69481e-8ff7-4039-93ec-0a2729a154a8' });
    const started = await harness.app.inject({
      method: 'POST',
      url: '/api/v1/me/2fa/webauthn/registration',
      headers: bearer(user.accessToken),
    });
    const { flowId, webauthn } = started.json() as { flowId: string; webauthn: { options: Record<string, unknown> } };
    const registered = await harness.app.inject({
      method: 'POST',
      url: `/api/v1/me/2fa/webauthn/registration/${flowId}`,
      headers: bearer(user.accessToken),
      payload: { credential: yubikey.register(webauthn.options) },
    });
    expect(registered.statusCode, registered.body).toBe(200);
    const renamed = await harness.app.inject({
      method: 'PATCH',
      url: `/api/v1/me/2fa/webauthn/credentials/${(registered.json() as { credentials: { id: string }[] }).credentials[0]?.id}`,
      headers: bearer(user.accessToken),
      payload: { name: 'Blue key' },
    });
    expect(renamed.statusCode, renamed.body).toBe(200);

    const { page, problems, context } = await openPage(browser);
    await signInWithPassword(page, admin.username);
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByLabel('Search by name, e-mail or platform id').fill(user.username);
    await page
      .getByRole('row', { name: new RegExp(user.username) })
      .getByRole('link', { name: user.username })
      .click();
    await page.getByRole('heading', { name: `User ${user.username}` }).waitFor();
    const section = page.getByRole('region', { name: 'Security keys and passkeys' });
    const row = section.getByTestId('admin-webauthn-keys').locator('tbody tr');
    await expect.poll(() => row.count()).toBe(1);
    const cells = await row.locator('td').allTextContents();
    expect(cells.slice(0, 2)).toEqual(['Blue key (passkey)', 'YubiKey 5 Series']);
    expect(cells[3]).toBe('Never');
    expect(await seriousAccessibilityProblems(page)).toEqual([]);

    await section.getByRole('button', { name: 'Remove Blue key' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Remove Blue key?' });
    await dialog.waitFor();
    expect(await seriousAccessibilityProblems(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Remove' }).click();
    await page.getByText('Blue key is removed.').waitFor();
    await expect.poll(() => page.getByTestId('user-methods').textContent()).toBe('None');
    expect(await harness.storage.webauthnCredentials.countByUser(user.id)).toBe(0);
    const history = await harness.core.history.listAll(SYSTEM_ACTOR, { userId: user.id });
    expect(history.items.map((entry) => [entry.method, entry.action, entry.enabled])).toContainEqual([
      'webauthn',
      'disable',
      false,
    ]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('lets an account whose only factor is a key confirm a password change with the key', async () => {
    const { page, problems, context } = await openPage(browser);
    await addVirtualAuthenticator(page);
    const username = `step${Date.now().toString(36)}`;
    await page.goto(`${origin}/ui/sign-up`);
    await page.getByLabel('Username', { exact: true }).fill(username);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    const section = page.getByRole('region', { name: 'Security keys and passkeys' });
    await section.getByRole('button', { name: 'Add a security key or passkey' }).click();
    await section.getByText('The security key or passkey is registered.').waitFor();

    await page.getByRole('button', { name: 'Change the password' }).click();
    const stepUp = page.getByRole('region', { name: 'Confirm it is you' });
    expect(await stepUp.getByLabel('Confirm with').locator('option').allTextContents()).toEqual([
      'Security key or passkey',
    ]);
    expect(await seriousAccessibilityProblems(page)).toEqual([]);
    await stepUp.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('New password').fill('a brand new passphrase');
    await page.getByRole('button', { name: 'Change the password' }).click();
    await page.getByText('The password was changed; your other sessions ended.').waitFor();
    const signedIn = await server.harness.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { username, password: 'a brand new passphrase' },
    });
    expect(signedIn.json()).toMatchObject({ status: 'second_factor_required', methods: ['webauthn'] });
    expect(problems).toEqual([]);
    await context.close();
  });

  it("signs in with a passkey picked from the username field's autofill (conditional mediation)", async () => {
    const { page, problems, context } = await openPage(browser);
    // No autofill until the test asks for it (window.name outlives navigations): otherwise the
    // sign-in page shown after signing out could already be signed in by the passkey, racing the test.
    await page.addInitScript(
      "if (window.name !== 'autofill') PublicKeyCredential.isConditionalMediationAvailable = async () => false;",
    );
    await watchCredentialRequests(page);
    await addVirtualAuthenticator(page);
    const username = `auto${Date.now().toString(36)}`;
    await page.goto(`${origin}/ui/sign-up`);
    await page.getByLabel('Username', { exact: true }).fill(username);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    const section = page.getByRole('region', { name: 'Security keys and passkeys' });
    await section.getByRole('button', { name: 'Add a security key or passkey' }).click();
    await section.getByText('The security key or passkey is registered.').waitFor();
    await page.getByRole('navigation').getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();

    // The sign-in form asks for a conditional ceremony at once. The DevTools virtual authenticator
    // answers a conditional request straight away with its passkey for the RP, as if the person
    // had picked it from the field's autofill list: nothing is typed and no button is pressed.
    await page.evaluate("window.name = 'autofill'");
    await page.goto(`${origin}/ui/sign-in`);
    expect(await page.getByLabel('Username or e-mail').getAttribute('autocomplete')).toBe('username webauthn');
    await page.getByRole('heading', { name: `Security of ${username}` }).waitFor();
    const requests = await credentialRequests(page);
    expect(requests.map((request) => request.mediation)).toEqual(['conditional']);
    await expect
      .poll(() => section.getByTestId('webauthn-keys').locator('tbody tr td').nth(2).textContent())
      .not.toBe('Never');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('ends the autofill ceremony when the password signs in instead, with nothing logged', async () => {
    const user = await createSignedInUser(server.harness);
    const { page, problems, context } = await openPage(browser);
    await watchCredentialRequests(page);
    // No virtual authenticator (which would answer at once): the conditional request stays open.
    await page.goto(`${origin}/ui/sign-in`);
    await expect
      .poll(() => credentialRequests(page))
      .toEqual([{ mediation: 'conditional', aborted: false, settled: false }]);
    await page.getByLabel('Username or e-mail').fill(user.username);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: `Security of ${user.username}` }).waitFor();
    await expect
      .poll(() => credentialRequests(page))
      .toEqual([{ mediation: 'conditional', aborted: true, settled: true }]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it("opens a fresh autofill ceremony shortly before the open one's challenge expires", async () => {
    const { page, problems, context } = await openPage(browser);
    await watchCredentialRequests(page);
    // The page's timers on a clock the test moves; no authenticator, so the request stays open.
    await page.clock.install();
    await page.goto(`${origin}/ui/sign-in`);
    await expect
      .poll(() => credentialRequests(page))
      .toEqual([{ mediation: 'conditional', aborted: false, settled: false }]);
    // The ceremony times out after 60 s here; 45 s in, the page replaces it.
    await page.clock.runFor(44_000);
    expect(await credentialRequests(page)).toHaveLength(1);
    await page.clock.runFor(2_000);
    await expect
      .poll(() => credentialRequests(page))
      .toEqual([
        { mediation: 'conditional', aborted: true, settled: true },
        { mediation: 'conditional', aborted: false, settled: false },
      ]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
