import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient as generate } from '@hey-api/openapi-ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oathtoolCode } from '../support/external-tools.js';
import { createHarness, createSignedInUser, type Harness } from '../support/harness.js';
import { wrongCode } from '../support/totp-user.js';
import { VENDOR_SPECS_DIR, vendorSpecSuiteName } from '../support/vendor-specs.js';

/**
 * A client generated from Mudbase's own OpenAPI document, here and now, by @hey-api/openapi-ts
 * (the fetch client, the SDK with its response validator, and zod schemas of every component):
 * each SDK call parses Tessera's answer with the schema the document gives, and refuses one that
 * does not fit. Errors, which the SDK hands back unparsed, are parsed with the generated `Error`
 * schema. (The typescript-axios generator needs Java and a download of its jar from Maven
 * Central; hey-api runs offline from npm. Its requests are reproduced in vendor-specs.test.ts.)
 * The generated code goes to `.generated/` (ignored by git) inside the repository, where its
 * imports (zod) resolve.
 */

interface ZodSchema {
  safeParse(value: unknown): { success: boolean; error?: unknown };
}
interface SdkResult {
  data?: unknown;
  error?: unknown;
  response: Response;
}
type SdkCall = (options: Record<string, unknown>) => Promise<SdkResult>;
interface GeneratedSdk {
  loginUser: SdkCall;
  refreshToken: SdkCall;
  setup2Fa: SdkCall;
  verify2Fa: SdkCall;
  disable2Fa: SdkCall;
}

const root = fileURLToPath(new URL('../../', import.meta.url));

describe.skipIf(!VENDOR_SPECS_DIR)(
  vendorSpecSuiteName('Mudbase through an SDK generated from its OpenAPI document'),
  () => {
    let h: Harness;
    let sdk: GeneratedSdk;
    let zError: ZodSchema;
    let client: unknown;
    const output = join(root, '.generated', `mudbase-sdk-${randomBytes(4).toString('hex')}`);

    beforeAll(async () => {
      h = await createHarness();
      await h.app.listen({ host: '127.0.0.1', port: 0 });
      await generate({
        input: join(VENDOR_SPECS_DIR ?? '', 'mudbase-2fa.openapi.json'),
        output: { path: output },
        plugins: ['@hey-api/client-fetch', 'zod', { name: '@hey-api/sdk', validator: true }],
        logs: { level: 'silent', file: false },
      });
      sdk = (await import(join(output, 'sdk.gen.ts'))) as GeneratedSdk;
      zError = ((await import(join(output, 'zod.gen.ts'))) as { zError: ZodSchema }).zError;
      const { createClient, createConfig } = (await import(join(output, 'client', 'index.ts'))) as {
        createClient: (config: unknown) => unknown;
        createConfig: (options: { baseUrl: string }) => unknown;
      };
      const port = (h.app.server.address() as AddressInfo).port;
      client = createClient(createConfig({ baseUrl: `http://127.0.0.1:${port}` }));
    }, 120_000);
    afterAll(async () => {
      await h.close();
      await rm(output, { recursive: true, force: true });
    });

    /** A call whose answer the SDK's response validator accepted. */
    async function parsed(call: SdkCall, options: Record<string, unknown>): Promise<Record<string, unknown>> {
      const result = await call({ client, ...options });
      expect(result.error, JSON.stringify(result.error)).toBeUndefined();
      expect(result.response.status).toBe(200);
      return result.data as Record<string, unknown>;
    }

    /** A refused call: its status, and its body parsed by the generated Error schema. */
    async function refused(call: SdkCall, options: Record<string, unknown>, status: number): Promise<void> {
      const result = await call({ client, ...options });
      expect(result.response.status, JSON.stringify(result.error)).toBe(status);
      expect(zError.safeParse(result.error).success, JSON.stringify(result.error)).toBe(true);
    }

    it('every operation, success and errors, parsed by the generated SDK and schemas', async () => {
      const user = await createSignedInUser(h);
      const auth = { headers: { Authorization: `Bearer ${user.accessToken}` } };

      const login = await parsed(sdk.loginUser, { body: { email: user.email, password: user.password } });
      expect((login.user as { _id: string })._id).toBe(user.id);
      await refused(sdk.loginUser, { body: { email: user.email, password: 'wrong password' } }, 401);

      const refreshed = await parsed(sdk.refreshToken, { body: { refreshToken: login.refreshToken } });
      expect(refreshed.message).toBe('Token refreshed successfully');
      await refused(sdk.refreshToken, { body: { refreshToken: login.refreshToken } }, 401);

      const setup = await parsed(sdk.setup2Fa, auth);
      const secret = String(setup.secret);
      await refused(sdk.verify2Fa, { ...auth, body: { token: wrongCode(oathtoolCode(secret, h.clock.now())) } }, 400);
      await parsed(sdk.verify2Fa, { ...auth, body: { token: oathtoolCode(secret, h.clock.now()) } });
      h.clock.advanceSeconds(30);
      // The SDK's login body has no totpToken (Tessera's extension): the password alone is refused, 401.
      await refused(sdk.loginUser, { body: { email: user.email, password: user.password } }, 401);

      const code = oathtoolCode(secret, h.clock.now());
      await refused(sdk.disable2Fa, { ...auth, body: { password: 'nope', token: code } }, 400);
      await refused(sdk.disable2Fa, { ...auth, body: { password: user.password, token: wrongCode(code) } }, 400);
      await parsed(sdk.disable2Fa, { ...auth, body: { password: user.password, token: code } });
      await refused(sdk.setup2Fa, { headers: { Authorization: 'Bearer not-a-jwt' } }, 401);
    });
  },
);
