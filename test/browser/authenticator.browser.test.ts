/*
 * The authenticator app end to end in a real Chromium against a real Tessera: sign up, set up
 * the app from the QR code as a camera reads it off the screen, confirm with oathtool's code,
 * sign out, sign in with a code, and find the change in the history; the same by keyboard only;
 * the locked message; the app that ignored the enrollment's settings. Every page is checked
 * with axe-core in both themes and must log no error and break no CSP rule.
 */
import { parseOtpauthUri } from '@tessera/core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oathtoolCode } from '../support/external-tools.js';
import { enrollTotp, signUpAndSignIn } from '../support/harness.js';
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
  [server, browser] = await Promise.all([startUiServer({ lockout: { maxFailures: 3 } }), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Checks the page with axe in the light and the dark theme, leaving it in the light one. */
async function expectAccessibleInBothThemes(page: Page, screenshot?: string): Promise<void> {
  for (const theme of ['dark', 'light'] as const) {
    await chooseTheme(page, theme);
    expect(await seriousAccessibilityProblems(page), `${page.url()} in the ${theme} theme`).toEqual([]);
    if (screenshot) await saveScreenshot(page, `${screenshot}-${theme}`);
  }
}

async function signInWithPassword(page: Page, username: string): Promise<void> {
  await page.goto(`${server.origin}/ui/sign-in`);
  await page.getByLabel('Username or e-mail').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

// A browser on a shared, busy machine: each test walks several pages and axe runs on each.
describe('the authenticator app in the browser', { timeout: 90_000 }, () => {
  it('sign up, set up from the QR on screen, sign out, sign in with a code, see it in the history', async () => {
    const { page, problems, context } = await openPage(browser);
    const username = `ui${Date.now().toString(36)}`;
    await page.goto(`${server.origin}/`);
    await page.waitForURL(`${server.origin}/ui/sign-in`);
    await expect.poll(() => page.getByRole('heading', { name: 'Sign in' }).isVisible()).toBe(true);
    // `webauthn` lets a browser list passkeys there too; on this server, without WebAuthn, none is asked for.
    expect(await page.getByLabel('Username or e-mail').getAttribute('autocomplete')).toBe('username webauthn');
    expect(await page.getByLabel('Password').getAttribute('autocomplete')).toBe('current-password');
    await expectAccessibleInBothThemes(page, 'sign-in');

    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByLabel('Username', { exact: true }).fill(username);
    await page.getByLabel('Password').fill(PASSWORD);
    await expectAccessibleInBothThemes(page);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: `Security of ${username}` }).waitFor();

    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    await page.getByRole('button', { name: 'Show the QR code' }).click();
    await page.getByRole('img', { name: /QR code/ }).waitFor();
    // The camera's view: the QR decoded from a screenshot of the page, not read from the DOM.
    const uri = await decodeQrFromScreenshot(page);
    const { secret, issuer, accountName } = parseOtpauthUri(uri);
    expect({ issuer, accountName }).toEqual({ issuer: 'Tessera Test', accountName: username });
    // Beside it, the same key in groups of four, and the otpauth link for an app on this device.
    expect(((await page.getByTestId('totp-secret').textContent()) ?? '').replace(/\s/g, '')).toBe(secret);
    expect(await page.getByRole('link', { name: 'Open in an app on this device' }).getAttribute('href')).toBe(uri);
    await expectAccessibleInBothThemes(page, 'authenticator-setup');

    // Typing the last digit submits: no button press.
    await page.getByLabel('Code from the app').fill(oathtoolCode(secret, server.harness.clock.now()));
    await page.getByText('The authenticator app is set up.').waitFor();
    await expectAccessibleInBothThemes(page, 'security');

    await page.getByRole('navigation').getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await signInWithPassword(page, username);
    const codeField = page.getByLabel('Code from your authenticator app');
    await codeField.waitFor();
    const fieldId = await codeField.getAttribute('id');
    await expect.poll(() => page.evaluate('document.activeElement.id')).toBe(fieldId);
    expect(await codeField.getAttribute('autocomplete')).toBe('one-time-code');
    expect(await codeField.getAttribute('inputmode')).toBe('numeric');
    await expectAccessibleInBothThemes(page, 'second-factor');
    server.harness.clock.advanceSeconds(30);
    // A pasted code with the space some apps show is taken whole.
    const code = oathtoolCode(secret, server.harness.clock.now());
    await codeField.fill(`${code.slice(0, 3)} ${code.slice(3)}`);
    await page.getByRole('heading', { name: `Security of ${username}` }).waitFor();
    const history = page.getByTestId('history');
    await expect.poll(() => history.textContent()).toContain('Authenticator app turned on');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('signs in by keyboard alone', async () => {
    const user = await signUpAndSignIn(server.harness.app, `kb${Date.now().toString(36)}`, PASSWORD);
    const totp = await enrollTotp(server.harness.app, user.accessToken, server.harness.clock.now());
    server.harness.clock.advanceSeconds(30);
    const { page, problems, context } = await openPage(browser);
    await page.goto(`${server.origin}/ui/`);
    await page.getByLabel('Username or e-mail').waitFor();
    // The username field has the focus on arrival; Tab moves to the password, Enter submits.
    await page.keyboard.type(user.username);
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByLabel('Code from your authenticator app').waitFor();
    // The code field has the focus; the last digit submits.
    await page.keyboard.type(oathtoolCode(totp.secret, server.harness.clock.now()));
    await page.getByRole('heading', { name: `Security of ${user.username}` }).waitFor();
    // Focus is always visible: the focused control draws an outline.
    await page.keyboard.press('Tab');
    const outline = await page.evaluate('getComputedStyle(document.activeElement).outlineStyle');
    expect(outline).not.toBe('none');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('waits for the eighth digit of an 8-digit app code before it submits', async () => {
    const user = await signUpAndSignIn(server.harness.app, `eight${Date.now().toString(36)}`, PASSWORD);
    const totp = await enrollTotp(server.harness.app, user.accessToken, server.harness.clock.now(), { digits: 8 });
    server.harness.clock.advanceSeconds(30);
    const { page, problems, context } = await openPage(browser);
    const submitted: string[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/second-factor')) submitted.push(request.url());
    });
    await page.goto(`${server.origin}/ui/sign-in`);
    await page.getByLabel('Username or e-mail').fill(user.username);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    const field = page.getByLabel('Code from your authenticator app');
    await field.waitFor();
    const code = totp.codeAt(server.harness.clock.now());
    expect(code).toHaveLength(8);
    // Typed key by key: six digits are not the whole code, so nothing is sent yet.
    await page.keyboard.type(code.slice(0, 6));
    expect(await field.inputValue()).toBe(code.slice(0, 6));
    await page.keyboard.type(code.slice(6));
    await page.getByRole('heading', { name: `Security of ${user.username}` }).waitFor();
    expect(submitted).toHaveLength(1);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('says when the second factor is locked, and until when', async () => {
    const user = await signUpAndSignIn(server.harness.app, `lock${Date.now().toString(36)}`, PASSWORD);
    const totp = await enrollTotp(server.harness.app, user.accessToken, server.harness.clock.now());
    server.harness.clock.advanceSeconds(30);
    const { page, problems, context } = await openPage(browser);
    await signInWithPassword(page, user.username);
    const field = page.getByLabel('Code from your authenticator app');
    const right = oathtoolCode(totp.secret, server.harness.clock.now());
    const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, '0');
    await field.fill(wrong);
    await page.getByText('That code is not right. Check it and try again.').waitFor();
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    await field.fill(wrong);
    await field.fill('');
    await field.fill(wrong);
    await page.getByText(/the second factor is locked until/).waitFor();
    await saveScreenshot(page, 'second-factor-locked-light');
    expect(await seriousAccessibilityProblems(page)).toEqual([]);
    // The page logs nothing; the refusals are the API's answers, shown as messages.
    expect(problems.filter((p) => !p.includes('status of 4'))).toEqual([]);
    await context.close();
  });
});
