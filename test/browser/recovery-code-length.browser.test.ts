/*
 * Password recovery on a server whose e-mailed codes have 8 digits, in a real Chromium: the code
 * field waits for the eighth digit (the length the server said when the code was sent) before it
 * submits, and the code the SMTP server got then sets a new password.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSignedInUser } from '../support/harness.js';
import { launchBrowser, openPage } from './fixtures/browser.js';
import { startUiServer, type UiServer } from './fixtures/ui-server.js';

const DIGITS = 8;
let server: UiServer;
let browser: Browser;
beforeAll(async () => {
  [server, browser] = await Promise.all([startUiServer({ deliveredCodes: { digits: DIGITS } }), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('password recovery with 8-digit codes', { timeout: 90_000 }, () => {
  it('submits the code at its eighth digit, not at the sixth', async () => {
    const user = await createSignedInUser(server.harness);
    const { page, problems, context } = await openPage(browser);
    const confirms: string[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/confirm')) confirms.push(request.url());
    });
    await page.goto(`${server.origin}/ui/recover`);
    await page.getByLabel('Username or e-mail').fill(user.email);
    await page.getByRole('button', { name: 'Send a code' }).click();
    const field = page.getByLabel('Code from the e-mail');
    await field.waitFor();
    await expect.poll(() => server.smtp.received.some((mail) => mail.rcptTo.includes(user.email))).toBe(true);
    const code = server.lastMailCodeTo(user.email);
    expect(code).toHaveLength(DIGITS);

    await field.focus();
    // Typed key by key: six digits are not the whole code, so nothing is sent yet.
    await page.keyboard.type(code.slice(0, 6));
    expect(await field.inputValue()).toBe(code.slice(0, 6));
    expect(confirms).toEqual([]);
    await page.keyboard.type(code.slice(6));
    await page.getByLabel('New password').waitFor();
    expect(confirms).toHaveLength(1);

    await page.getByLabel('New password').fill('a brand new horse battery');
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.getByText(/Your password was changed/).waitFor();
    expect(problems).toEqual([]);
    await context.close();
  });
});
