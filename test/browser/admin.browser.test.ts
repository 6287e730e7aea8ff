/*
 * The admin pages in a real Chromium: an admin finds a locked-out user, unlocks and resets
 * their 2FA, and requires 2FA with a grace period that the user then sees as a banner. Also the
 * pages in Bulgarian (from Accept-Language, with the switch back) and at 360 px wide.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createSignedInUser, enrollTotp } from '../support/harness.js';
import {
  chooseTheme,
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
  [server, browser] = await Promise.all([startUiServer({ lockout: { maxFailures: 3 } }), launchBrowser()]);
});
afterAll(async () => {
  await server?.harness.resetSettings();
  await browser?.close();
  await server?.close();
});

async function signIn(page: Page, username: string): Promise<void> {
  await page.goto(`${server.origin}/ui/sign-in`);
  await page.getByLabel(/Username or e-mail|Потребителско име или имейл/).fill(username);
  await page.getByLabel(/^(Password|Парола)$/).fill(PASSWORD);
  await page.getByRole('button', { name: /^(Sign in|Вход)$/ }).click();
}

async function expectAccessible(page: Page, screenshot: string): Promise<void> {
  for (const theme of ['dark', 'light'] as const) {
    await chooseTheme(page, theme);
    expect(await seriousAccessibilityProblems(page), `${screenshot} in the ${theme} theme`).toEqual([]);
    await saveScreenshot(page, `${screenshot}-${theme}`);
  }
}

// A browser on a shared, busy machine: each test walks several pages and axe runs on each.
describe('the admin pages', { timeout: 90_000 }, () => {
  it('an admin unlocks a locked-out user and resets their 2FA', async () => {
    const admin = await createSignedInUser(server.harness, { role: 'admin' });
    const user = await createSignedInUser(server.harness);
    const totp = await enrollTotp(server.harness.app, user.accessToken, server.harness.clock.now());
    for (let i = 0; i < 3; i++) {
      await server.harness.app.inject({
        method: 'POST',
        url: '/api/v1/me/verify',
        headers: bearer(user.accessToken),
        payload: { code: totp.codeAt(new Date(0)) },
      });
    }
    const { page, problems, context } = await openPage(browser);
    await signIn(page, admin.username);
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByLabel('Search by name, e-mail or platform id').fill(user.username);
    const row = page.getByRole('row', { name: new RegExp(user.username) });
    await expect.poll(() => row.textContent()).toContain('Locked until');
    await expectAccessible(page, 'admin-users');
    await row.getByRole('link', { name: user.username }).click();
    await page.getByRole('heading', { name: `User ${user.username}` }).waitFor();
    await page.getByRole('button', { name: 'Unlock the second factor' }).click();
    await page.getByText('The second factor is unlocked.').waitFor();
    expect(await page.getByTestId('user-lock').textContent()).toBe('Not locked');
    await page.getByRole('button', { name: 'Reset two-factor authentication' }).click();
    await page.getByRole('alertdialog').waitFor();
    await expectAccessible(page, 'admin-user');
    await page.getByRole('alertdialog').getByRole('button', { name: 'Reset' }).click();
    await page.getByText(/Every second factor was removed/).waitFor();
    await expect.poll(() => page.getByTestId('user-methods').textContent()).toBe('None');

    await page.getByRole('link', { name: 'Admin history' }).click();
    const history = page.getByTestId('history');
    await expect.poll(() => history.textContent()).toContain('Second factor unlocked');
    expect(await history.textContent()).toContain('Two-factor authentication reset');
    await expectAccessible(page, 'admin-history');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('the policy set on the settings page shows the user a banner with the days left', async () => {
    const admin = await createSignedInUser(server.harness, { role: 'admin' });
    const user = await createSignedInUser(server.harness);
    const { page, problems, context } = await openPage(browser);
    await signIn(page, admin.username);
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByLabel('Require two-factor authentication').check();
    await page.getByLabel('Days of grace before it is required').fill('7');
    await page.getByRole('button', { name: 'Save' }).nth(1).click();
    await page.getByText('Saved.').waitFor();
    await expectAccessible(page, 'admin-settings');
    await context.close();

    const other = await openPage(browser);
    await signIn(other.page, user.username);
    await other.page.getByText(/will be required in [67] days/).waitFor();
    await server.harness.resetSettings();
    expect([...problems, ...other.problems]).toEqual([]);
    await other.context.close();
  });

  it('speaks Bulgarian to a Bulgarian browser, switches back, and fits 360 px', async () => {
    const user = await createSignedInUser(server.harness);
    const { page, problems, context } = await openPage(browser, { locale: 'bg-BG', width: 360 });
    await page.goto(`${server.origin}/ui/`);
    await page.getByRole('heading', { name: 'Вход' }).waitFor();
    expect(await page.evaluate('document.documentElement.lang')).toBe('bg');
    await expectAccessible(page, 'sign-in-bg-360px');
    await signIn(page, user.username);
    await page.getByRole('heading', { name: `Сигурност на ${user.username}` }).waitFor();
    // Nothing wider than the screen: no sideways scrolling at 360 px.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    await expectAccessible(page, 'security-bg-360px');
    await page.getByRole('combobox', { name: 'Език' }).selectOption('en');
    await page.getByRole('heading', { name: `Security of ${user.username}` }).waitFor();
    expect(problems).toEqual([]);
    await context.close();
  });
});
