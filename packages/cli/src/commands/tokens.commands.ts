import { twilioCredentials } from '@tessera/contract';
import { defineCommand, required } from '../command.js';
import { cell, table } from '../output.js';
import { findUser, LOOKUP_FLAGS, LOOKUP_SYNOPSIS, lookupOf, OPERATOR } from './lookup.js';

export const tokensCreate = defineCommand({
  name: 'tokens create',
  summary: 'create an API token for an account; prints only the token',
  synopsis: `${LOOKUP_SYNOPSIS} [--name N] [--read-only] [--twilio]`,
  details:
    'The token is shown once, so that `ADMIN=$(tessera tokens create --username ops)` captures it;\n' +
    'with --json: {"token": …, "id": …, "name": …, "scope": …}. A token made here is a server-to-server\n' +
    'token: the "2FA required" policy does not apply to it (see docs/security.md).\n' +
    'With --twilio it prints the credentials of the Twilio Verify dialect instead, one per line:\n' +
    'the account SID (AC…) and the token as its auth token (with --json: "twilio": {accountSid, apiKeySid}).',
  flags: {
    ...LOOKUP_FLAGS,
    name: { type: 'string', value: 'N', description: 'a name to tell it by (default "cli")' },
    'read-only': { type: 'boolean', description: 'it may read but not change anything' },
    twilio: { type: 'boolean', description: 'print the account SID and auth token for the Twilio Verify dialect' },
  },
  async run({ withRuntime }, flags) {
    const by = lookupOf(flags);
    return withRuntime(async ({ core }) => {
      const user = await findUser(core, by);
      const { token, view } = await core.apiTokens.issue(
        user.id,
        flags.name ?? 'cli',
        flags['read-only'] ? 'read' : 'write',
      );
      if (!flags.twilio) return { data: { token, ...view }, text: token };
      const twilio = twilioCredentials(user.id, view.id);
      return {
        data: { token, ...view, twilio },
        text: `TWILIO_ACCOUNT_SID=${twilio.accountSid}\nTWILIO_AUTH_TOKEN=${token}`,
      };
    });
  },
});

export const tokensList = defineCommand({
  name: 'tokens list',
  summary: "an account's API tokens (never the tokens themselves)",
  synopsis: LOOKUP_SYNOPSIS,
  flags: LOOKUP_FLAGS,
  async run({ withRuntime }, flags) {
    const by = lookupOf(flags);
    return withRuntime(async ({ core }) => {
      const tokens = await core.apiTokens.listFor(OPERATOR, (await findUser(core, by)).id);
      const rows = tokens.map((token) => [
        token.id,
        token.name,
        token.scope,
        token.createdAt,
        cell(token.lastUsedAt),
        token.revokedAt === null ? 'active' : `revoked ${token.revokedAt}`,
      ]);
      return { data: tokens, text: table(['ID', 'NAME', 'SCOPE', 'CREATED', 'LAST USED', 'STATE'], rows) };
    });
  },
});

export const tokensRevoke = defineCommand({
  name: 'tokens revoke',
  summary: "revoke one of an account's API tokens, by its id (from tokens list)",
  synopsis: `${LOOKUP_SYNOPSIS} --id TOKEN_ID`,
  details: 'Another server process stops accepting it within 5 seconds (its cache of token owners).',
  flags: { ...LOOKUP_FLAGS, id: { type: 'string', value: 'TOKEN_ID', description: 'the token to revoke' } },
  async run({ withRuntime }, flags) {
    const by = lookupOf(flags);
    const id = required(flags.id, 'id');
    return withRuntime(async ({ core }) => {
      const user = await findUser(core, by);
      await core.apiTokens.revokeFor(OPERATOR, user.id, id);
      return { data: { revoked: id, username: user.username }, text: `revoked ${id}` };
    });
  },
});
