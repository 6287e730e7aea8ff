/*
 * Security keys and passkeys end to end in a real Chromium against a real Tessera, with the
 * DevTools WebAuthn domain's virtual authenticator standing in for the key: add a key on the
 * security page, rename it, sign out, sign in with the password and the key, remove the key
 * (the removal's step-up is answered by the key itself). WebAuthn needs a secure context and an
 * RP ID that is the page's host, so the page is served as http://localhost, the RP ID
 * `localhost`. The new section is checked with axe-core; the page must log no error and break
 * no CSP rule.
 */
import { createServer } from 'node:net';
import type { WebAuthnSettings } from '@tessera/core';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

describe('security keys and passkeys in the browser', () => {
  it('adds a key, renames it, signs in with password and key, and removes it', async () => {
    const { page, problems, context } = await openPage(browser);
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
    expect(await keys.locator('tbody tr td').first().textContent()).toMatch(/^My laptop/);

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
});
