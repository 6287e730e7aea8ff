import { Readable } from 'node:stream';
import { type Actor, type Core, isTesseraError, SUB_ACCOUNT_KINDS, TesseraError } from '@tessera/core';
import type { AuthScheme } from '../../http/authenticate.js';
import {
  acceptFormBodies,
  type CpanelParams,
  cpanelParams,
  cpanelRouteSets,
  functionOf,
  generateCpanelSecret,
  issuerInput,
  numberedUsers,
  requiredParam,
  textParam,
  tfaTokenProof,
} from '../cpanel-common.js';
import type { Dialect, DialectApp, DialectOptions } from '../dialect.js';
import { callerOf, requireCaller } from '../dialect-auth.js';
import { installDialectErrors } from '../dialect-errors.js';
import { WHM_ERRORS } from './whm.errors.js';
import { IN_SESSION_NOTE, WHM_DOCS, WHM_LIMITED_REASON, WHM_UNAUTHENTICATED_REASON } from './whm.examples.js';
import {
  addUserConfigs,
  notAccessible,
  notModifiable,
  notOwnedReason,
  parseTfaConfigImport,
  StreamedObject,
  streamedEnvelope,
  tfaConfigEntry,
  unknownFunctionReason,
  whmFailure,
  whmReason,
  whmSuccess,
} from './whm.mapping.js';
import { WhmEnvelope, whmQuery } from './whm.schemas.js';

/** HTTP Basic (user:password) or `Authorization: whm USER:TOKEN`. */
const SCHEMES: readonly AuthScheme[] = ['basic', 'whm'];
const SECURITY: Record<string, string[]>[] = [{ BasicAuth: [] }, { WhmToken: [] }];
const ROUTE_SETS = cpanelRouteSets(SECURITY);
/** Accounts read per page when listing them all (get_user_configs), so none is loaded whole. */
const PAGE_SIZE = 500;

/** What one function does with the caller and its parameters: its `data`, or undefined for none. */
type WhmFunction = (
  core: Core,
  actor: Actor,
  params: CpanelParams,
  body: unknown,
  options: DialectOptions,
) => Promise<unknown>;

interface WhmFunctionSpec {
  summary: string;
  parameters?: Record<string, string>;
  run: WhmFunction;
}

/** A function's failure with cPanel's own reason text (not derived from the error code). */
function refuse(reason: string): never {
  throw new TesseraError('VALIDATION_FAILED', { message: reason });
}

/**
 * A cPanel account (top-level: an e-mail account or team user is not one) the caller controls,
 * by username; anything else fails with `Invalid user: X`.
 */
async function cpanelAccount(core: Core, actor: Actor, username: string) {
  const invalid = new TesseraError('USER_NOT_FOUND', { message: `Invalid user: ${username}` });
  try {
    const account = await core.admin.controlledAccount(actor, username);
    if (account.subAccountType !== null) throw invalid;
    return account;
  } catch (error) {
    if (isTesseraError(error) && error.code === 'USER_NOT_FOUND') throw invalid;
    throw error;
  }
}

const FUNCTIONS: Record<string, WhmFunctionSpec> = {
  twofactorauth_generate_tfa_config: {
    summary: 'A new authenticator secret for the caller, pending until twofactorauth_set_tfa_config confirms it',
    async run(core, actor, _params, _body, options) {
      return generateCpanelSecret(core, actor, options.cpanelSecretBits);
    },
  },
  twofactorauth_set_tfa_config: {
    summary: 'Enables 2FA for the caller with the secret issued to them and a current code',
    parameters: { secret: 'The secret from twofactorauth_generate_tfa_config.', tfa_token: 'A current 6-digit code.' },
    async run(core, actor, params) {
      const secret = requiredParam(params, 'secret');
      await core.enable.confirmIssuedSecret(actor, secret, tfaTokenProof(params));
      return { success: 1 };
    },
  },
  twofactorauth_get_issuer: {
    summary: 'The issuer the caller’s authenticator shows, and the system-wide one',
    async run(core, actor) {
      const own = await core.issuers.readOwn(actor);
      return { issuer: own.effectiveIssuer, system_wide_issuer: own.systemIssuer };
    },
  },
  twofactorauth_set_issuer: {
    summary: 'Sets (or, empty, clears) the caller’s own issuer: 1–32 of letters, digits, space, ".", "_", "-"',
    parameters: { issuer: 'The issuer; surrounding quotes are stripped, empty clears it.' },
    async run(core, actor, params) {
      const issuer = textParam(params, 'issuer');
      if (issuer === undefined) refuse('Missing or Invalid: issuer');
      await core.issuers.setOwn(actor, issuerInput(issuer));
      return undefined;
    },
  },
  twofactorauth_get_user_configs: {
    summary: 'The accounts the caller controls (all of them for an admin) with their 2FA state',
    parameters: { user: 'One account only.' },
    async run(core, actor, params) {
      const user = textParam(params, 'user');
      if (user !== undefined && user !== '') {
        try {
          return addUserConfigs({}, [await core.admin.controlledAccount(actor, user)]);
        } catch (error) {
          if (isTesseraError(error) && (error.code === 'USER_NOT_FOUND' || error.code === 'FORBIDDEN')) {
            throw new TesseraError(error.code, { message: notAccessible(user) });
          }
          throw error;
        }
      }
      // Keyset pages of top-level accounts: each page is as cheap as the first. The first is read
      // here, so that a refusal still answers with the envelope; a list longer than a page is
      // streamed out page by page, never held whole.
      const first = await core.admin.listControlledTopLevel(actor, null, PAGE_SIZE);
      if (first.length < PAGE_SIZE) return addUserConfigs({}, first);
      return new StreamedObject(async function* () {
        let page = first;
        for (;;) {
          yield Object.entries(addUserConfigs({}, page));
          const last = page.at(-1);
          if (page.length < PAGE_SIZE || last === undefined) return;
          page = await core.admin.listControlledTopLevel(actor, last.username, PAGE_SIZE);
        }
      });
    },
  },
  twofactorauth_remove_user_config: {
    summary: 'Removes the 2FA of one account (user=…) or several (user-1=…&user-2=…); admins only',
    parameters: { user: 'The account.', 'user-1': 'Several accounts: user-1, user-2, …' },
    async run(core, actor, params) {
      const usernames = numberedUsers(params);
      if (usernames.length === 0) refuse('No users specified.');
      const failed: Record<string, string> = {};
      const found = new Map<string, string>();
      for (const username of usernames) {
        try {
          found.set((await core.admin.controlledAccount(actor, username)).id, username);
        } catch (error) {
          if (!isTesseraError(error) || error.code === 'FORBIDDEN') throw error;
          failed[username] = notModifiable(username, error.message);
        }
      }
      const outcome = await core.admin.resetMany(actor, [...found.keys()]);
      for (const failure of outcome.failed) {
        const username = found.get(failure.userId) ?? failure.userId;
        failed[username] = notModifiable(username, failure.message);
      }
      const modified = new Set(outcome.reset.map((reset) => found.get(reset.userId)));
      return { failed, users_modified: usernames.filter((username) => modified.has(username)) };
    },
  },
  // cPanel's "Two-factor authentication" security policy makes 2FA available: on, users may set
  // up an authenticator and those who did must use it; it never forces anyone to enroll. Its
  // counterpart in the core is whether the authenticator method may be enrolled. Off stops new
  // authenticator enrollments only: factors people already have are still checked, through every
  // API (cPanel stops asking for them; a switch that turns checks off is not one Tessera offers).
  // The core's "2FA required" rule (native API, CLI) is left as it is. docs/dialects.md.
  twofactorauth_policy_status: {
    summary: 'Whether the two-factor security policy is on: whether users may set up an authenticator',
    async run(core, actor) {
      return { is_enabled: (await core.policy.read(actor)).methods.totp ? 1 : 0 };
    },
  },
  twofactorauth_enable_policy: {
    summary: 'Turns the two-factor security policy on: users may set up an authenticator; admins only',
    async run(core, actor) {
      await core.policy.update(actor, { methods: { totp: true } });
      return undefined;
    },
  },
  twofactorauth_disable_policy: {
    summary:
      'Turns the two-factor security policy off: no new authenticator setups; existing ones are still checked; admins only',
    async run(core, actor) {
      await core.policy.update(actor, { methods: { totp: false } });
      return undefined;
    },
  },
  twofactorauth_get_tfa_config_for_user: {
    summary:
      'The authenticator secrets of an account and of its e-mail accounts and team users, in plaintext, for ' +
      'migration; admins only, each recorded, owners e-mailed',
    parameters: { user: 'The account.' },
    async run(core, actor, params) {
      const username = requiredParam(params, 'user');
      const account = await cpanelAccount(core, actor, username);
      // Entries appear only where there is 2FA: the account's own, its e-mail accounts', its team users'.
      return { [username]: tfaConfigEntry(await core.admin.exportTotpConfig(actor, account.id)) };
    },
  },
  twofactorauth_set_tfa_config_for_user: {
    summary:
      'Replaces the authenticator secrets of an account and of its e-mail accounts and team users, without a ' +
      'code (migration), in one transaction; POST a JSON body `{"<user>": {"primary_account": {"secret": "…"}, ' +
      '"email": {"<address>": {"secret": "…"}}, "team": {"<team user>": {"secret": "…"}}}}`; admins only, ' +
      'recorded, owners e-mailed',
    async run(core, actor, _params, body) {
      const parsed = parseTfaConfigImport(body);
      if ('reason' in parsed) refuse(parsed.reason);
      const { username, config } = parsed;
      const account = await cpanelAccount(core, actor, username);
      try {
        await core.admin.replaceTotpConfig(actor, account.id, config);
      } catch (error) {
        const kind = isTesseraError(error)
          ? SUB_ACCOUNT_KINDS.find((known) => known === error.meta.subAccountKind)
          : undefined;
        if (kind && isTesseraError(error)) refuse(notOwnedReason(kind, String(error.meta.subAccount), username));
        throw error;
      }
      return undefined;
    },
  },
};

async function register(app: DialectApp, core: Core, options: DialectOptions): Promise<void> {
  app.decorateRequest('actor', null);
  acceptFormBodies(app);
  installDialectErrors(app, WHM_ERRORS, (failure, request) => {
    const command = functionOf(request);
    return whmFailure(command, whmReason(command, failure));
  });
  requireCaller(app, core, SCHEMES);

  // Each function twice: as is, and under a `/login` session's prefix (the session's cookie).
  for (const at of ROUTE_SETS) {
    for (const [command, spec] of Object.entries(FUNCTIONS)) {
      app.route({
        method: ['GET', 'POST'],
        url: `${at.prefix}/json-api/${command}`,
        schema: {
          operationId: `${command}${at.operationSuffix}`,
          summary: spec.summary,
          description: `${WHM_DOCS[command]?.description ?? ''}${at.prefix === '' ? '' : IN_SESSION_NOTE}`,
          tags: ['TwoFactorAuth'],
          security: at.security,
          querystring: whmQuery(spec.parameters ?? {}),
          response: { 200: WhmEnvelope, 401: WhmEnvelope, 429: WhmEnvelope },
          'x-examples': {
            query: { 'api.version': '1', ...WHM_DOCS[command]?.query },
            responses: {
              200: whmSuccess(command, WHM_DOCS[command]?.data),
              401: whmFailure(command, WHM_UNAUTHENTICATED_REASON),
              429: whmFailure(command, WHM_LIMITED_REASON),
            },
          },
        },
        handler: async (request, reply) => {
          const data = await spec.run(core, callerOf(request), cpanelParams(request), request.body, options);
          if (!(data instanceof StreamedObject)) return whmSuccess(command, data);
          // The stream writes the JSON the response schema describes; Fastify sends a stream as is
          // (the schema's type cannot say so).
          const body = Readable.from(streamedEnvelope(command, data));
          return reply.type('application/json; charset=utf-8').send(body as never);
        },
      });
    }

    app.route({
      method: ['GET', 'POST'],
      url: `${at.prefix}/json-api/:function`,
      schema: {
        summary: 'Any other function: result 0, "Unknown app (…)"',
        description:
          'Tessera serves the twofactorauth_* functions only; any other WHM API 1 function answers HTTP 200 with ' +
          'result 0 and cPanel’s "Unknown app" reason, after the credentials are checked.' +
          (at.prefix === '' ? '' : IN_SESSION_NOTE),
        tags: ['other'],
        security: at.security,
        response: { 200: WhmEnvelope, 401: WhmEnvelope },
        'x-examples': {
          responses: {
            200: whmFailure('createacct', unknownFunctionReason('createacct')),
            401: whmFailure('createacct', WHM_UNAUTHENTICATED_REASON),
          },
        },
      },
      handler: async (request) => {
        const command = functionOf(request);
        return whmFailure(command, unknownFunctionReason(command));
      },
    });
  }
}

export const whmDialect: Dialect = {
  name: 'whm',
  title: 'Tessera: cPanel WHM API 1 dialect',
  description:
    "cPanel WHM API 1's `twofactorauth_*` functions (`GET|POST /json-api/<function>`, query or form parameters) " +
    'served by Tessera. Every answer is `{data, metadata: {command, reason, result, version}}`; a failed function ' +
    'is HTTP 200 with `result: 0` and the reason. Credentials: HTTP Basic or `Authorization: whm USER:TOKEN`.',
  securitySchemes: {
    BasicAuth: { type: 'http', scheme: 'basic' },
    CpanelSession: {
      type: 'apiKey',
      in: 'cookie',
      name: 'cpsession',
      description: 'the cookie of POST /login/?login_only=1, under its /cpsess<10 digits> prefix',
    },
    WhmToken: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'whm USER:TOKEN' },
  },
  prefixes: ['/json-api'],
  register,
};
