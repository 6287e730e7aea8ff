/*
 * The admin audit page in a real Chromium: an admin sees the security events of a user who
 * mistyped a password and locked their second factor, filters them by event and by account, and
 * pages back through older entries.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createSignedInUser, enrollTotp } from '../support/harness.js';
import { chooseTheme, launchBrowser, openPage, seriousAccessibilityProblems } from './fixtures/browser.js';
import { startUiServer, type UiServer } from './fixtures/ui-server.js';

const PASSWORD = 'correct horse battery';
let server: UiServer;
let browser: Browser;
beforeAll(async () => {
  [server, browser] = await Promise.all([startUiServer({ lockout: { maxFailures: 3 } }), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function signIn(page: Page, username: string, password = PASSWORD): Promise<void> {
  await page.goto(`${server.origin}/ui/sign-in`);
  await page.getByLabel(/Username or e-mail/).fill(username);
  await page.getByLabel(/^Password$/).fill(password);
  await page.getByRole('button', { name: /^Sign in$/ }).click();
}

describe('the admin audit page', { timeout: 90_000 }, () => {
  it('lists security events, filters them by event and account, and pages back', async () => {
    const h = server.harness;
    const admin = await createSignedInUser(h, { role: 'admin' });
    const user = await createSignedInUser(h);
    const totp = await enrollTotp(h.app, user.accessToken, h.clock.now());
    for (let i = 0; i < 3; i++) {
      await h.app.inject({
        method: 'POST',
        url: '/api/v1/me/verify',
        headers: bearer(user.accessToken),
        payload: { code: totp.codeAt(new Date(0)) },
      });
    }
    // A wrong password, and more than a page of events about the user: API tokens made for it.
    await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { username: user.username, password: 'not the password' },
      remoteAddress: '198.51.100.7',
    });
    for (let i = 0; i < 22; i++) await h.core.apiTokens.issue(user.id, `ci-${i}`, 'read');

    const { page, problems } = await openPage(browser);
    await signIn(page, admin.username);
    await page.getByRole('link', { name: 'Audit trail' }).click();
    await page.getByRole('heading', { name: 'Audit trail' }).waitFor();
    const table = page.getByTestId('audit');
    await expect.poll(() => table.textContent()).toContain('API token created');
    for (const theme of ['dark', 'light'] as const) {
      await chooseTheme(page, theme);
      expect(await seriousAccessibilityProblems(page), `the audit page in the ${theme} theme`).toEqual([]);
    }

    await page.getByLabel('Event').selectOption({ label: 'Second factor locked' });
    await page.getByLabel('Account id', { exact: true }).fill(user.id);
    await page.getByRole('button', { name: 'Show' }).click();
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
    const locked = page.locator('tbody tr').first();
    expect(await locked.getAttribute('data-action')).toBe('lockout.started');
    expect(await locked.textContent()).toContain(user.id);

    await page.getByLabel('Event').selectOption({ label: 'Sign-in: password wrong' });
    await page.getByRole('button', { name: 'Show' }).click();
    await expect
      .poll(() => page.locator('tbody tr').first().getAttribute('data-action'))
      .toBe('sign_in.password_failed');
    expect(await page.locator('tbody tr').count()).toBe(1);
    expect(await page.locator('tbody tr').first().textContent()).toContain('198.51.100.7');

    await page.getByLabel('Event').selectOption({ label: 'API token created' });
    await page.getByRole('button', { name: 'Show' }).click();
    await expect.poll(() => page.locator('tbody tr').count()).toBe(20);
    const firstSeqs = await page.locator('tbody tr td:first-child').allTextContents();
    await page.getByRole('button', { name: 'Older' }).click();
    await expect.poll(() => page.locator('tbody tr').count()).toBe(2);
    const olderSeqs = (await page.locator('tbody tr td:first-child').allTextContents()).map(Number);
    expect(Math.max(...olderSeqs)).toBeLessThan(Math.min(...firstSeqs.map(Number)));
    expect(await page.getByRole('button', { name: 'Older' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Newer' }).click();
    await expect.poll(() => page.locator('tbody tr td:first-child').allTextContents()).toEqual(firstSeqs);

    // A user who is not an admin is sent back to their own page.
    const plain = await createSignedInUser(h);
    const other = await openPage(browser);
    await signIn(other.page, plain.username);
    await other.page.waitForURL(/\/ui\/security$/);
    await other.page.goto(`${server.origin}/ui/admin/audit`);
    await other.page.waitForURL(/\/ui\/security$/);
    expect(problems).toEqual([]);
  });
});
