/*
 * The admin page Webhooks in a real Chromium: an admin registers an endpoint on a real HTTP
 * receiver, copies the secret shown once, and the event a user's enrollment sends verifies
 * under it with the standardwebhooks library; the admin sees the delivery, sends it again,
 * rotates the secret and removes the endpoint.
 */

import type { Browser } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSignedInUser, enrollTotp } from '../support/harness.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';
import { chooseTheme, launchBrowser, openPage, seriousAccessibilityProblems } from './fixtures/browser.js';
import { startUiServer, type UiServer } from './fixtures/ui-server.js';

const PASSWORD = 'correct horse battery';
let server: UiServer;
let browser: Browser;
const receiver = new WebhookReceiver();
beforeAll(async () => {
  [server, browser] = await Promise.all([startUiServer({ webhooks: { random: () => 0.5 } }), launchBrowser()]);
  await receiver.start();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await receiver.close();
});

describe('the admin page Webhooks', { timeout: 90_000 }, () => {
  it('registers an endpoint whose secret verifies what is sent, shows the deliveries and sends one again', async () => {
    const admin = await createSignedInUser(server.harness, { role: 'admin' });
    const { page, problems, context } = await openPage(browser);
    await page.goto(`${server.origin}/ui/sign-in`);
    await page.getByLabel('Username or e-mail').fill(admin.username);
    await page.getByLabel(/^Password$/).fill(PASSWORD);
    await page.getByRole('button', { name: /^Sign in$/ }).click();
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();
    await page.getByText('No endpoint yet.').waitFor();

    await page.getByLabel('Endpoint URL').fill(receiver.url('/browser'));
    await page.getByLabel('factor.added').check();
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    await page.getByText('The endpoint is registered.').waitFor();
    const secret = (await page.getByTestId('webhook-secret').textContent()) ?? '';
    expect(secret).toMatch(/^whsec_/);
    await page.getByRole('button', { name: 'Copy the secret' }).click();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(secret);
    const row = page.getByTestId('webhooks').getByRole('row', { name: /browser/ });
    expect(await row.textContent()).toContain('factor.added');
    for (const theme of ['dark', 'light'] as const) {
      await chooseTheme(page, theme);
      expect(await seriousAccessibilityProblems(page), `the webhooks page in the ${theme} theme`).toEqual([]);
    }
    await page.getByRole('button', { name: 'I have stored it' }).click();
    expect(await page.getByTestId('webhook-secret').count()).toBe(0);

    const user = await createSignedInUser(server.harness);
    await enrollTotp(server.harness.app, user.accessToken, server.harness.clock.now());
    expect(await server.harness.core.webhookDispatcher.runOnce()).toBe(1);
    const [request] = receiver.at('/browser');
    if (!request) throw new Error('nothing received');
    const event = new Webhook(secret).verify(request.body, {
      'webhook-id': String(request.headers['webhook-id']),
      'webhook-timestamp': String(request.headers['webhook-timestamp']),
      'webhook-signature': String(request.headers['webhook-signature']),
    });
    expect(event).toMatchObject({ type: 'factor.added', data: { userId: user.id } });

    await row.getByRole('button', { name: 'Deliveries' }).click();
    const deliveries = page.getByTestId('webhook-deliveries');
    await expect.poll(() => deliveries.textContent()).toContain('Delivered');
    expect(await deliveries.textContent()).toContain('204');
    expect(await seriousAccessibilityProblems(page)).toEqual([]);
    await deliveries.getByRole('button', { name: 'Send again' }).click();
    await page.getByText('The delivery is sent again.').waitFor();
    expect(await deliveries.textContent()).toContain('Pending');
    expect(await server.harness.core.webhookDispatcher.runOnce()).toBe(1);
    expect(receiver.at('/browser')).toHaveLength(2);

    await row.getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByText(/A new secret signs from now on/).waitFor();
    const rotated = (await page.getByTestId('webhook-secret').textContent()) ?? '';
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(secret);

    await row.getByRole('button', { name: 'Disable' }).click();
    await expect.poll(() => row.textContent()).toContain('Disabled');
    await row.getByRole('button', { name: 'Delete' }).click();
    await page.getByText('No endpoint yet.').waitFor();
    expect(problems).toEqual([]);
    await context.close();
  });
});
