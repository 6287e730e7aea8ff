import type { TesseraClient } from '@tessera/client';
import type { WebAuthnSettings } from '@tessera/core';
import { describe, expect } from 'vitest';
import { SoftwareAuthenticator } from '../support/software-authenticator.js';
import { forOperation, PASSWORD, rejection, signedInClient, useSdkServer } from './sdk-support.js';

const ORIGIN = 'https://app.tessera.test';
const SETTINGS: WebAuthnSettings = {
  rpId: 'tessera.test',
  rpName: 'Tessera Test',
  origins: [ORIGIN],
  attestation: 'none',
  userVerification: 'preferred',
  residentKey: 'preferred',
  attachment: 'any',
  timeoutSeconds: 300,
  allowedAaguids: undefined,
  blockedAaguids: [],
  maxCredentials: 10,
};

const server = useSdkServer({ webauthn: SETTINGS });
type Json = Record<string, unknown>;

/** Registers a key through the SDK; returns the key and the registered credential's id. */
async function registerKey(client: TesseraClient) {
  const authenticator = new SoftwareAuthenticator({ origin: ORIGIN });
  const started = await client.webauthn.startRegistration();
  const credential = authenticator.register(started.webauthn.options as Json);
  const { credentials } = await client.webauthn.finishRegistration(started.flowId, {
    credential: credential as never,
  });
  return { authenticator, credentialId: credentials.at(-1)?.id ?? '' };
}

describe('security keys and passkeys', () => {
  forOperation('startWebAuthnRegistration', 'answers options for navigator.credentials.create()', async () => {
    const { client } = await signedInClient(server);
    const started = await client.webauthn.startRegistration();
    expect(started.webauthn.options).toMatchObject({ rp: { id: 'tessera.test' }, challenge: expect.any(String) });
  });

  forOperation('finishWebAuthnRegistration', 'registers the key and lists it', async () => {
    const { client } = await signedInClient(server);
    const { credentialId } = await registerKey(client);
    expect(credentialId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await client.twoFactor.status()).methods).toEqual(['webauthn']);
  });

  forOperation('listWebAuthnCredentials', 'lists the keys', async () => {
    const { client } = await signedInClient(server);
    await registerKey(client);
    expect((await client.webauthn.list()).credentials).toHaveLength(1);
  });

  forOperation('renameWebAuthnCredential', 'renames a key', async () => {
    const { client } = await signedInClient(server);
    const { credentialId } = await registerKey(client);
    expect(await client.webauthn.rename(credentialId, { name: 'Desk key' })).toMatchObject({ name: 'Desk key' });
  });

  forOperation('startWebAuthnChallenge', 'starts a step-up answered by a key', async () => {
    const { client } = await signedInClient(server);
    const { credentialId } = await registerKey(client);
    const started = await client.webauthn.startChallenge({
      operation: 'remove_webauthn_credential',
      target: credentialId,
    });
    expect(started.operation).toBe('remove_webauthn_credential');
  });

  forOperation('confirmWebAuthnChallenge', 'a key answers the step-up with a success token', async () => {
    const { client } = await signedInClient(server);
    const { authenticator, credentialId } = await registerKey(client);
    const started = await client.webauthn.startChallenge({
      operation: 'remove_webauthn_credential',
      target: credentialId,
    });
    const token = await client.webauthn.confirmChallenge(started.challengeId, {
      credential: authenticator.assert(started.webauthn.options as Json) as never,
    });
    expect(token.operation).toBe('remove_webauthn_credential');
  });

  forOperation('removeWebAuthnCredential', 'removes a key behind a step-up', async () => {
    const { client } = await signedInClient(server);
    const { authenticator, credentialId } = await registerKey(client);
    const refused = await rejection(client.webauthn.remove(credentialId, { successToken: 'nope' }));
    expect(refused).toMatchObject({ code: 'SUCCESS_TOKEN_INVALID' });
    const started = await client.webauthn.startChallenge({
      operation: 'remove_webauthn_credential',
      target: credentialId,
    });
    const { successToken } = await client.webauthn.confirmChallenge(started.challengeId, {
      credential: authenticator.assert(started.webauthn.options as Json) as never,
    });
    expect(await client.webauthn.remove(credentialId, { successToken })).toEqual({ methodActive: false });
  });

  forOperation('confirmChallenge', 'a key-only account steps up through the generic challenge', async () => {
    const { client } = await signedInClient(server);
    const { authenticator } = await registerKey(client);
    const started = await client.challenges.start({ operation: 'change_password', method: 'webauthn' });
    if (!started.webauthn) throw new Error('expected WebAuthn options');
    const token = await client.challenges.confirm(started.challengeId, {
      credential: authenticator.assert(started.webauthn.options as Json) as never,
    });
    expect(token).toMatchObject({ operation: 'change_password', target: null });
  });

  forOperation('confirmDisable', 'a key-only account turns the method off with the assertion', async () => {
    const { client } = await signedInClient(server);
    const { authenticator } = await registerKey(client);
    const started = await client.twoFactor.disable({ method: 'webauthn' });
    if (!started.webauthn) throw new Error('expected WebAuthn options');
    const refused = await rejection(
      client.twoFactor.confirmDisable(started.flowId, {
        credential: authenticator.assert(started.webauthn.options as Json, { badSignature: true }) as never,
      }),
    );
    expect(refused).toMatchObject({ code: 'CODE_INVALID' });
    const again = await client.twoFactor.disable({ method: 'webauthn' });
    if (!again.webauthn) throw new Error('expected WebAuthn options');
    const done = await client.twoFactor.confirmDisable(again.flowId, {
      credential: authenticator.assert(again.webauthn.options as Json) as never,
    });
    expect(done.state).toBe('disabled');
    expect((await client.twoFactor.status()).methods).toEqual([]);
  });

  forOperation('startWebAuthnSignInStep', 'answers the options of the second-factor step', async () => {
    const { client, username } = await signedInClient(server);
    await registerKey(client);
    const signIn = await server.client().auth.signIn({ username, password: PASSWORD });
    if (signIn.status !== 'second_factor_required') throw new Error('expected the second-factor step');
    const options = await server.client().webauthn.signInOptions(signIn.flowId);
    expect(options.options).toMatchObject({ rpId: 'tessera.test' });
  });

  forOperation('completeWebAuthnSignInStep', 'signs in with the key and keeps the tokens', async () => {
    const { client, username } = await signedInClient(server);
    const { authenticator } = await registerKey(client);
    const fresh = server.client();
    const signIn = await fresh.auth.signIn({ username, password: PASSWORD });
    if (signIn.status !== 'second_factor_required') throw new Error('expected the second-factor step');
    const { options } = await fresh.webauthn.signInOptions(signIn.flowId);
    await fresh.webauthn.signIn(signIn.flowId, { credential: authenticator.assert(options as Json) as never });
    expect(fresh.tokens?.accessToken).toEqual(expect.any(String));
  });

  forOperation('getPasskeyAvailability', 'says passkeys sign in where WebAuthn is set up', async () => {
    expect(await server.client().webauthn.passkeyAvailability()).toEqual({ available: true });
  });

  forOperation('startPasskeySignIn', 'answers options without a username', async () => {
    const options = await server.client().webauthn.passkeyOptions();
    expect(options.options).toMatchObject({ userVerification: 'required' });
  });

  forOperation('completePasskeySignIn', 'signs in with a passkey alone', async () => {
    const { client, id } = await signedInClient(server);
    const { authenticator } = await registerKey(client);
    const fresh = server.client();
    const { challengeId, options } = await fresh.webauthn.passkeyOptions();
    await fresh.webauthn.passkeySignIn({ challengeId, credential: authenticator.assert(options as Json) as never });
    expect((await fresh.me.get()).account.id).toBe(id);
  });

  forOperation('adminListWebAuthnCredentials', "lists a user's keys for an admin", async () => {
    const { client: admin } = await signedInClient(server, { role: 'admin' });
    const { client, id } = await signedInClient(server);
    await registerKey(client);
    expect((await admin.webauthn.listFor(id)).credentials).toHaveLength(1);
  });

  forOperation('adminRemoveWebAuthnCredential', "removes a user's key for an admin", async () => {
    const { client: admin } = await signedInClient(server, { role: 'admin' });
    const { client, id } = await signedInClient(server);
    const { credentialId } = await registerKey(client);
    expect(await admin.webauthn.removeFor(id, credentialId)).toEqual({ methodActive: false });
  });
});
