/*
 * The other ways in, in a real Chromium: backup codes (shown once, downloaded as a .txt, used in
 * any grouping, and the prompt for a new set when two or fewer are left), SMS codes read from
 * the webhook provider's receiver, password recovery through the e-mail the SMTP server got,
 * and an authenticator app that ignored the settings the enrollment asked for.
 */
import { readFile } from 'node:fs/promises';
import { parseOtpauthUri } from '@tessera/core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oathtoolCode } from '../support/external-tools.js';
import { bearer, createSignedInUser, enrollTotp, json, uniquePhone } from '../support/harness.js';
import {
  chooseTheme,
  decodeQrFromScreenshot,
  launchBrowser,
  openPage,
  saveScreenshot,
  seriousAccessibilityProblems,
} from './fixtures/browser.js';
import { startUiServer, type UiServer } from './fixtures/ui-server.js';

const PASSWORD = 'correct horse battery';
let server: UiServer;
let browser: Browser;
beforeAll(async () => {
  [server, browser] = await Promise.all([startUiServer(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function signIn(page: Page, username: string, password = PASSWORD): Promise<void> {
  await page.goto(`${server.origin}/ui/sign-in`);
  await page.getByLabel('Username or e-mail').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function expectAccessible(page: Page, screenshot: string): Promise<void> {
  for (const theme of ['dark', 'light'] as const) {
    await chooseTheme(page, theme);
    expect(await seriousAccessibilityProblems(page), `${screenshot} in the ${theme} theme`).toEqual([]);
    await saveScreenshot(page, `${screenshot}-${theme}`);
  }
}

/** Signs in through the API with a backup code, spending it. */
async function spendBackupCode(username: string, code: string): Promise<void> {
  const { app } = server.harness;
  const started = json<{ flowId: string }>(
    await app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { username, password: PASSWORD } }),
  );
  const done = await app.inject({
    method: 'POST',
    url: `/api/v1/auth/sign-in/${started.flowId}/second-factor`,
    payload: { code, method: 'backup_codes' },
  });
  expect(done.statusCode, done.body).toBe(200);
}

// A browser on a shared, busy machine: each test walks several pages and axe runs on each.
describe('codes other than the app', { timeout: 90_000 }, () => {
  it('backup codes: shown once, downloaded, used in any grouping, and a new set offered when few are left', async () => {
    const user = await createSignedInUser(server.harness);
    const totp = await enrollTotp(server.harness.app, user.accessToken, server.harness.clock.now());
    server.harness.clock.advanceSeconds(30);
    const { page, problems, context } = await openPage(browser);
    await signIn(page, user.username);
    await page
      .getByLabel('Code from your authenticator app')
      .fill(oathtoolCode(totp.secret, server.harness.clock.now()));
    await page.getByRole('button', { name: 'Create backup codes' }).click();
    const shown = page.getByTestId('backup-codes');
    await shown.waitFor();
    const codes = (await shown.locator('code').allTextContents()).map((c) => c.trim());
    expect(codes).toHaveLength(10);
    await expectAccessible(page, 'backup-codes');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download as a text file' }).click(),
    ]);
    // Named after the issuer, so it can be found again.
    expect(download.suggestedFilename()).toBe('Tessera-Test-backup-codes.txt');
    const file = await readFile(await download.path(), 'utf8');
    expect(file.trim().split('\n')).toEqual(codes);
    // The set goes away only once its keeper says it is saved.
    const done = page.getByRole('button', { name: 'Done' });
    expect(await done.isDisabled()).toBe(true);
    await page.getByLabel('I have saved these codes').check();
    await done.click();
    await page.getByTestId('backup-remaining').waitFor();
    expect(await page.getByTestId('backup-remaining').textContent()).toBe('10 unused backup codes left.');
    await page.getByRole('navigation').getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();

    // Eight are spent elsewhere; the ninth, typed with its dash, leaves one.
    for (const code of codes.slice(0, 8)) await spendBackupCode(user.username, code.replace('-', ''));
    await signIn(page, user.username);
    await page.getByLabel('Code from your authenticator app').waitFor();
    // The chooser by keyboard: Tab to "Try another way", Enter, Tab to the backup code, Enter.
    await page.getByRole('button', { name: 'Try another way' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Use a backup code' }).focus();
    await page.keyboard.press('Enter');
    const field = page.getByLabel('Backup code');
    await field.waitFor();
    await page.keyboard.type(codes[8] ?? '');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'You are running out of backup codes' }).waitFor();
    expect(await page.getByText('Only 1 unused backup codes are left.', { exact: false }).count()).toBe(1);
    await expectAccessible(page, 'low-backup-codes');
    await page.getByRole('link', { name: 'Make a new set' }).click();
    await page.getByRole('button', { name: 'Make a new set' }).click();
    // The new set needs a fresh proof: a step-up with the authenticator.
    await page.getByRole('button', { name: 'Continue' }).click();
    server.harness.clock.advanceSeconds(30);
    await page
      .getByLabel('Code from your authenticator app')
      .fill(oathtoolCode(totp.secret, server.harness.clock.now()));
    await shown.waitFor();
    const fresh = await shown.locator('code').allTextContents();
    expect(fresh).toHaveLength(10);
    expect(fresh).not.toContain(codes[9]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('SMS: a number added and confirmed with the code the gateway got, then a sign-in by SMS', async () => {
    const user = await createSignedInUser(server.harness);
    const phone = uniquePhone();
    const { page, problems, context } = await openPage(browser);
    await signIn(page, user.username);
    await page.getByRole('button', { name: 'Add SMS codes' }).click();
    await page.getByLabel('Mobile number').fill(phone);
    await page.getByRole('button', { name: 'Send the code' }).click();
    const field = page.getByLabel('Code from the SMS');
    await field.waitFor();
    await field.fill(server.sms.lastCodeTo(phone));
    await page.getByText('SMS codes are on.').first().waitFor();
    await page.getByRole('navigation').getByRole('button', { name: 'Sign out' }).click();

    // A new code for the same number waits out the resend interval.
    server.harness.clock.advanceSeconds(61);
    await signIn(page, user.username);
    await page.getByText(/A code was sent to/).waitFor();
    await expectAccessible(page, 'sign-in-sms');
    await page.getByLabel('Code from the SMS').fill(server.sms.lastCodeTo(phone));
    await page.getByRole('heading', { name: `Security of ${user.username}` }).waitFor();
    expect(problems).toEqual([]);
    await context.close();
  });

  it('password recovery through the code e-mailed by SMTP', async () => {
    const user = await createSignedInUser(server.harness);
    const { page, problems, context } = await openPage(browser);
    await page.goto(`${server.origin}/ui/sign-in`);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByLabel('Username or e-mail').fill(user.email);
    await page.getByRole('button', { name: 'Send a code' }).click();
    const field = page.getByLabel('Code from the e-mail');
    await field.waitFor();
    await expect.poll(() => server.smtp.received.some((mail) => mail.rcptTo.includes(user.email))).toBe(true);
    await field.fill(server.lastMailCodeTo(user.email));
    await page.getByLabel('New password').fill('a brand new horse battery');
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.getByText(/Your password was changed/).waitFor();
    await expectAccessible(page, 'recovery');
    await signIn(page, user.username, 'a brand new horse battery');
    await page.getByRole('heading', { name: `Security of ${user.username}` }).waitFor();
    expect(problems).toEqual([]);
    await context.close();
  });

  it('an app that ignored SHA256, 8 digits and 60 s: the page says so and switches to the standard settings', async () => {
    const user = await createSignedInUser(server.harness);
    const { page, problems, context } = await openPage(browser);
    await signIn(page, user.username);
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    await page.getByText('Advanced settings').click();
    await page.getByLabel('Algorithm').selectOption('SHA256');
    await page.getByLabel('Digits').selectOption('8');
    await page.getByLabel('Seconds per code').selectOption('60');
    await page.getByRole('button', { name: 'Show the QR code' }).click();
    await page.getByRole('img', { name: /QR code/ }).waitFor();
    const asked = parseOtpauthUri(await decodeQrFromScreenshot(page));
    expect(asked).toMatchObject({ algorithm: 'SHA256', digits: 8, period: 60 });
    // What Google Authenticator shows for that URI: oathtool's default, SHA1, 6 digits, 30 s.
    const code = oathtoolCode(asked.secret, server.harness.clock.now());
    await page.getByLabel('Code from the app').fill(code);
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('heading', { name: 'Your app ignored the settings' }).waitFor();
    await expectAccessible(page, 'authenticator-settings-ignored');
    await page.getByRole('button', { name: 'Switch to the standard settings' }).click();
    await page.getByText('The authenticator app is set up.').waitFor();
    const me = json<{ factors: { method: string; status: string; details: object }[] }>(
      await server.harness.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(user.accessToken) }),
    );
    expect(me.factors).toEqual([
      expect.objectContaining({
        method: 'totp',
        status: 'active',
        details: expect.objectContaining({ algorithm: 'SHA1', digits: 6, period: 30 }),
      }),
    ]);
    expect(problems.filter((p) => !p.includes('status of 422'))).toEqual([]);
    await context.close();
  });
});
