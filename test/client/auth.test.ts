import { isTesseraError, TesseraError, type Tokens } from '@tessera/client';
import { describe, expect } from 'vitest';
import { uniquePhone } from '../support/harness.js';
import {
  enrollTotpWithSdk,
  forOperation,
  PASSWORD,
  rejection,
  signedInClient,
  totpCode,
  uniqueName,
  useSdkServer,
} from './sdk-support.js';

const server = useSdkServer();

describe('system', () => {
  forOperation('getHealth', 'answers ok', async () => {
    expect(await server.client().system.health()).toMatchObject({ status: 'ok' });
  });

  forOperation('getReadiness', 'answers ready over the migrated database', async () => {
    expect(await server.client().system.readiness()).toMatchObject({ status: 'ready' });
  });

  forOperation('getJwks', 'lists the Ed25519 public key that signs access tokens', async () => {
    const { keys } = await server.client().system.jwks();
    expect(keys.length).toBeGreaterThan(0);
    expect(keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519' });
  });
});

describe('auth', () => {
  forOperation('signUp', 'creates an account, and a taken username is a TesseraError with its code', async () => {
    const client = server.client();
    const username = uniqueName();
    const account = await client.auth.signUp({ username, password: PASSWORD });
    expect(account).toMatchObject({ username, role: 'user', email: null });
    const error = await rejection(client.auth.signUp({ username, password: PASSWORD }));
    expect(error).toBeInstanceOf(TesseraError);
    expect(error).toMatchObject({ code: 'USERNAME_TAKEN', status: 409, operationId: 'signUp' });
  });

  forOperation('signIn', 'keeps the tokens it answers and tells onTokens', async () => {
    const heard: (Tokens | null)[] = [];
    const { client, username } = await signedInClient(server, { onTokens: (tokens) => void heard.push(tokens) });
    expect(heard).toHaveLength(1);
    expect(client.tokens?.accessToken).toBe(heard[0]?.accessToken);
    expect(client.tokens?.refreshToken).toEqual(expect.any(String));
    expect((await client.me.get()).account.username).toBe(username);
    const wrong = await rejection(server.client().auth.signIn({ username, password: 'not the password' }));
    expect(isTesseraError(wrong, 'INVALID_CREDENTIALS')).toBe(true);
  });

  forOperation('completeSignIn', 'answers the second factor and keeps the tokens', async () => {
    const { client: enrolling, username } = await signedInClient(server);
    const { secret } = await enrollTotpWithSdk(server, enrolling);
    const client = server.client();
    const first = await client.auth.signIn({ username, password: PASSWORD });
    if (first.status !== 'second_factor_required') throw new Error(`answered ${first.status}`);
    expect(first.methods).toContain('totp');
    expect(client.tokens).toBeNull();
    const tokens = await client.auth.secondFactor(first.flowId, { code: totpCode(server, secret) });
    expect(client.tokens).toEqual({ accessToken: tokens.accessToken, refreshToken: tokens.refreshToken });
    expect((await client.me.get()).account.username).toBe(username);
  });

  forOperation('selectSignInMethod', 'chooses SMS at sign-in: the code goes to the phone', async () => {
    const { client: owner, username } = await signedInClient(server);
    const phone = uniquePhone();
    const started = await owner.twoFactor.enable({ method: 'sms', phone });
    await owner.twoFactor.confirmEnable(started.flowId, { code: server.h.outbox.lastSmsCode(phone) });
    const client = server.client();
    const first = await client.auth.signIn({ username, password: PASSWORD });
    if (first.status !== 'second_factor_required') throw new Error(`answered ${first.status}`);
    const chosen = await client.auth.selectMethod(first.flowId, { method: 'sms' });
    expect(chosen).toMatchObject({ method: 'sms', delivery: { channel: 'sms' } });
    await client.auth.secondFactor(first.flowId, { code: server.h.outbox.lastSmsCode(phone), method: 'sms' });
    expect(client.tokens).not.toBeNull();
  });

  forOperation('refreshTokens', 'an expired access token is refreshed once and the call sent again', async () => {
    const heard: (Tokens | null)[] = [];
    const { client, username } = await signedInClient(server, { onTokens: (tokens) => void heard.push(tokens) });
    const before = client.tokens;
    server.h.clock.advanceSeconds(16 * 60);
    // Three calls refused together share one refresh: a refresh token works once.
    const answers = await Promise.all([client.me.get(), client.factors.list(), client.sessions.list()]);
    expect(answers[0].account.username).toBe(username);
    expect(heard).toHaveLength(2);
    expect(client.tokens?.accessToken).not.toBe(before?.accessToken);
    expect(client.tokens?.refreshToken).not.toBe(before?.refreshToken);
    const explicit = await client.auth.refresh();
    expect(explicit).toEqual(client.tokens);
    expect(heard).toHaveLength(3);
  });

  forOperation('refreshTokens', 'a reused refresh token ends the session: the tokens are forgotten', async () => {
    const heard: (Tokens | null)[] = [];
    const { client } = await signedInClient(server, { onTokens: (tokens) => void heard.push(tokens) });
    const stolen = server.client({ tokens: client.tokens });
    await client.auth.refresh();
    const error = await rejection(stolen.auth.refresh());
    expect(error).toMatchObject({ code: 'REFRESH_TOKEN_REUSED', status: 401 });
    expect(stolen.tokens).toBeNull();
    // The family is revoked: the rightful client's next refresh is refused too, and forgets.
    server.h.clock.advanceSeconds(16 * 60);
    expect(await rejection(client.me.get())).toMatchObject({ code: 'REFRESH_TOKEN_INVALID' });
    expect(client.tokens).toBeNull();
    expect(heard.at(-1)).toBeNull();
  });

  forOperation('signOut', 'ends the session and forgets the tokens', async () => {
    const { client } = await signedInClient(server);
    const token = client.tokens?.accessToken ?? '';
    await client.auth.signOut();
    expect(client.tokens).toBeNull();
    const old = server.client({ tokens: { accessToken: token } });
    expect(await rejection(old.me.get())).toMatchObject({ code: 'TOKEN_INVALID', status: 401 });
  });

  forOperation('introspectToken', 'tells a resource server whether a token is active', async () => {
    const admin = await signedInClient(server, { role: 'admin' });
    const { token } = await server.h.core.apiTokens.issue(admin.id, 'resource server', 'read');
    const resourceServer = server.client({ apiToken: token });
    const user = await signedInClient(server);
    const active = await resourceServer.auth.introspect({ token: user.client.tokens?.accessToken ?? '' });
    expect(active).toMatchObject({ active: true, username: user.username, token_type: 'access_token' });
    expect(await resourceServer.auth.introspect({ token: 'made up' })).toEqual({ active: false });
  });

  forOperation('startRecovery', 'sends a recovery code; confirming it gives a success token', async () => {
    const { email } = await signedInClient(server);
    const client = server.client();
    const started = await client.auth.startRecovery({ login: email });
    expect(started).toMatchObject({ challengeId: expect.any(String) });
  });
});
