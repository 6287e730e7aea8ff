import { readFile } from 'node:fs/promises';
import { isTesseraError, TesseraClient, type Tokens } from '@tessera/client';
import { DEFAULT_TOTP_PARAMS, decodeBase32, totpAt } from '@tessera/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { wrongCode } from '../support/totp-user.js';
import { enrollTotpWithSdk, PASSWORD, signedInClient, totpCode, uniqueName, useSdkServer } from './sdk-support.js';

const server = useSdkServer({ lockout: { maxFailures: 1 } });

/** The README's integration examples, in order: the ```js blocks after "## Integration examples". */
let examples: string[];
beforeAll(async () => {
  const readme = await readFile(new URL('../../packages/client/README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## Integration examples'), readme.indexOf('## In a browser'));
  examples = [...section.matchAll(/```js\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
});

const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (
  ...parameters: string[]
) => (...values: unknown[]) => Promise<Record<string, unknown>>;

/**
 * Runs an example as written, with its free names given (the README's `baseUrl` pointed at the
 * test server), and answers the values of `results` at its end.
 */
async function run(example: string, context: Record<string, unknown>, results: string[]) {
  const code = example.replaceAll("'https://2fa.example.com'", JSON.stringify(server.baseUrl));
  expect(code, 'the example names the documented base URL').not.toBe(example);
  const names = Object.keys(context);
  const body = `${code}\nreturn { ${results.join(', ')} };`;
  return new AsyncFunction(...names, body)(...names.map((name) => context[name]));
}

const common = { TesseraClient, isTesseraError };

describe('packages/client/README.md integration examples run as written', () => {
  it('there are three, one per integration way', () => {
    expect(examples).toHaveLength(3);
  });

  it('1. Tessera holds the accounts: sign-in with a second factor, tokens persisted and refreshed', async () => {
    const { client, username } = await signedInClient(server);
    const { secret } = await enrollTotpWithSdk(server, client);
    const saved: (Tokens | null)[] = [];
    const asked: unknown[] = [];
    const { account, history } = await run(
      examples[0] ?? '',
      {
        ...common,
        session: {
          save: (tokens: Tokens | null) => {
            saved.push(tokens);
            // The first tokens expire before the next call: it refreshes them.
            if (saved.length === 1) server.h.clock.advanceSeconds(16 * 60);
          },
        },
        username,
        password: PASSWORD,
        askTheUserForACode: async (methods: unknown) => {
          asked.push(methods);
          return totpCode(server, secret);
        },
      },
      ['account', 'history'],
    );
    expect(asked).toEqual([['totp']]);
    expect(account).toMatchObject({ username });
    expect(history).toMatchObject({ items: [expect.objectContaining({ method: 'totp' })] });
    expect(saved).toHaveLength(2);
    expect(saved[1]?.accessToken).not.toBe(saved[0]?.accessToken);
  });

  it('2. The platform keeps its users: accounts by externalId, the code checked by /verify', async () => {
    const admin = await signedInClient(server, { role: 'admin' });
    const { token } = await admin.client.apiTokens.create({ name: 'platform' });
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    const code = totpAt(decodeBase32(secret), Math.floor(server.h.clock.now().getTime() / 1000), DEFAULT_TOTP_PARAMS);
    const context = { ...common, process: { env: { TESSERA_TOKEN: token } }, secret, signedIn: undefined };
    const results = ['signedIn', 'retryInSeconds'];
    const right = await run(examples[1] ?? '', { ...context, userId: uniqueName(), code, retryInSeconds: 0 }, results);
    expect(right).toEqual({ signedIn: true, retryInSeconds: 0 });
    // This server locks the second factor at the first wrong code: the example reads how long to wait.
    const wrong = await run(
      examples[1] ?? '',
      { ...context, userId: uniqueName(), code: wrongCode(code), retryInSeconds: 0 },
      results,
    );
    expect(wrong.signedIn).toBeUndefined();
    expect(wrong.retryInSeconds).toBeGreaterThan(0);
  });

  it('3. Beside a vendor API: an operator looks an account up, unlocks it and reads its history', async () => {
    const admin = await signedInClient(server, { role: 'admin' });
    const { token } = await admin.client.apiTokens.create({ name: 'operator' });
    const user = await signedInClient(server);
    const { secret } = await enrollTotpWithSdk(server, user.client);
    const code = totpCode(server, secret);
    await user.client.factors.verify({ code: wrongCode(code) }).catch(() => undefined);
    expect((await admin.client.admin.users.get(user.id)).secondFactorLock.locked).toBe(true);
    const { items } = await run(
      examples[2] ?? '',
      { ...common, process: { env: { TESSERA_TOKEN: token } }, cpanelUser: user.username },
      ['items'],
    );
    expect((await admin.client.admin.users.get(user.id)).secondFactorLock.locked).toBe(false);
    expect(items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: 'unlock' }),
        expect.objectContaining({ action: 'enable' }),
      ]),
    );
  });
});
