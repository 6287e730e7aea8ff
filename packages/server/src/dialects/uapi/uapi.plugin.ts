import { type Actor, type Core, isTesseraError, TesseraError } from '@tessera/core';
import type { AuthScheme } from '../../http/authenticate.js';
import {
  acceptFormBodies,
  type CpanelParams,
  cpanelParams,
  cpanelRouteSets,
  functionOf,
  generateCpanelSecret,
  requiredParam,
  tfaTokenProof,
  totpFlag,
} from '../cpanel-common.js';
import type { Dialect, DialectApp, DialectOptions } from '../dialect.js';
import { callerOf, requireCaller } from '../dialect-auth.js';
import { installDialectErrors } from '../dialect-errors.js';
import { UAPI_ERRORS } from './uapi.errors.js';
import { IN_SESSION_NOTE, UAPI_DOCS, UAPI_LIMITED_ERROR, UAPI_UNAUTHENTICATED_ERROR } from './uapi.examples.js';
import { uapiError, uapiFailure, uapiSuccess, unknownFunctionError } from './uapi.mapping.js';
import { UapiEnvelope, uapiQuery } from './uapi.schemas.js';

/** HTTP Basic (user:password) or `Authorization: cpanel USER:TOKEN`. */
const SCHEMES: readonly AuthScheme[] = ['basic', 'cpanel'];
const SECURITY: Record<string, string[]>[] = [{ BasicAuth: [] }, { CpanelToken: [] }];
const ROUTE_SETS = cpanelRouteSets(SECURITY);
const PREFIX = '/execute/TwoFactorAuth';

interface UapiFunctionSpec {
  summary: string;
  parameters?: Record<string, string>;
  run(core: Core, actor: Actor, params: CpanelParams, options: DialectOptions): Promise<unknown>;
}

function refuse(message: string): never {
  throw new TesseraError('VALIDATION_FAILED', { message });
}

const FUNCTIONS: Record<string, UapiFunctionSpec> = {
  generate_user_configuration: {
    summary: 'A new authenticator secret for the caller, pending until set_user_configuration confirms it',
    async run(core, actor, _params, options) {
      return generateCpanelSecret(core, actor, options.cpanelSecretBits);
    },
  },
  set_user_configuration: {
    summary: 'Enables 2FA for the caller with the secret issued to them and a current code',
    parameters: {
      secret: 'The secret from generate_user_configuration.',
      tfa_token: 'A current 6-digit code (an integer in a JSON body: leading zeros are restored).',
    },
    async run(core, actor, params) {
      const secret = requiredParam(params, 'secret');
      await core.enable.confirmIssuedSecret(actor, secret, tfaTokenProof(params));
      return { tfa_configured: 1 };
    },
  },
  get_user_configuration: {
    summary: 'Whether the caller has 2FA, and (when on) the issuer their authenticator shows',
    async run(core, actor) {
      const status = await core.factors.status(actor);
      if (totpFlag(status) === 0) return { is_enabled: 0 };
      return { is_enabled: 1, issuer: (await core.issuers.readOwn(actor)).effectiveIssuer };
    },
  },
  remove_user_configuration: {
    summary: 'Turns the caller’s 2FA off; Tessera asks for a current code in tfa_token (see docs/dialects.md)',
    parameters: { tfa_token: 'A current code of the authenticator (Tessera requires it).' },
    async run(core, actor, params) {
      if (params.tfa_token === undefined) {
        // Nothing to remove needs no code; anything there does.
        if (!(await core.factors.status(actor)).methods.includes('totp')) return { tfa_removed: 1 };
        refuse('A current security code (tfa_token) is required to remove two-factor authentication.');
      }
      await core.disable.disableNow(actor, { method: 'totp', proof: { proof: tfaTokenProof(params) } });
      return { tfa_removed: 1 };
    },
  },
  get_team_user_configuration: {
    summary: 'The 2FA state of one of the caller’s team users, and (when on) the issuer its authenticator shows',
    parameters: { team_user: 'The team user, like jane@owner.' },
    async run(core, actor, params) {
      const teamUser = requiredParam(params, 'team_user');
      try {
        const team = await core.admin.ownSubAccount(actor, teamUser, 'team');
        return totpFlag(team) === 1 ? { is_enabled: 1, issuer: team.issuer } : { is_enabled: 0 };
      } catch (error) {
        // Another owner's team user, an e-mail account or no account at all: the same answer.
        if (isTesseraError(error) && error.code === 'USER_NOT_FOUND')
          refuse(`The team user “${teamUser}” does not exist.`);
        throw error;
      }
    },
  },
};

async function register(app: DialectApp, core: Core, options: DialectOptions): Promise<void> {
  app.decorateRequest('actor', null);
  acceptFormBodies(app);
  installDialectErrors(app, UAPI_ERRORS, (failure, request) => {
    const func = functionOf(request);
    return uapiFailure(func, [uapiError(func, failure)]);
  });
  requireCaller(app, core, SCHEMES);

  // Each function twice: as is, and under a `/login` session's prefix (the session's cookie).
  for (const at of ROUTE_SETS) {
    for (const [func, spec] of Object.entries(FUNCTIONS)) {
      app.route({
        method: ['GET', 'POST'],
        url: `${at.prefix}${PREFIX}/${func}`,
        schema: {
          operationId: `${func}${at.operationSuffix}`,
          summary: spec.summary,
          description: `${UAPI_DOCS[func]?.description ?? ''}${at.prefix === '' ? '' : IN_SESSION_NOTE}`,
          tags: ['TwoFactorAuth'],
          security: at.security,
          querystring: uapiQuery(spec.parameters ?? {}),
          response: { 200: UapiEnvelope, 401: UapiEnvelope, 429: UapiEnvelope },
          'x-examples': {
            ...(UAPI_DOCS[func]?.query ? { query: UAPI_DOCS[func].query } : {}),
            responses: {
              200: uapiSuccess(func, UAPI_DOCS[func]?.data),
              401: uapiFailure(func, [UAPI_UNAUTHENTICATED_ERROR]),
              429: uapiFailure(func, [UAPI_LIMITED_ERROR]),
            },
          },
        },
        handler: async (request) =>
          uapiSuccess(func, await spec.run(core, callerOf(request), cpanelParams(request), options)),
      });
    }

    app.route({
      method: ['GET', 'POST'],
      url: `${at.prefix}${PREFIX}/:function`,
      schema: {
        summary: 'Any other function: status 0',
        description:
          'Tessera serves the TwoFactorAuth module only; any other function of it answers HTTP 200 with status 0 ' +
          'and an error naming the function, after the credentials are checked.' +
          (at.prefix === '' ? '' : IN_SESSION_NOTE),
        tags: ['other'],
        security: at.security,
        response: { 200: UapiEnvelope, 401: UapiEnvelope },
        'x-examples': {
          responses: {
            200: uapiFailure('list_users', [unknownFunctionError('list_users')]),
            401: uapiFailure('list_users', [UAPI_UNAUTHENTICATED_ERROR]),
          },
        },
      },
      handler: async (request) => {
        const func = functionOf(request);
        return uapiFailure(func, [unknownFunctionError(func)]);
      },
    });
  }
}

export const uapiDialect: Dialect = {
  name: 'uapi',
  title: 'Tessera: cPanel UAPI dialect (TwoFactorAuth)',
  description:
    "cPanel UAPI's `TwoFactorAuth` module (`GET|POST /execute/TwoFactorAuth/<function>`) served by Tessera. " +
    'Every answer is `{apiversion: 3, func, module, result: {data, errors, messages, metadata, status, warnings}}`; ' +
    'a failed function is HTTP 200 with `status: 0`. Credentials: HTTP Basic or `Authorization: cpanel USER:TOKEN`.',
  securitySchemes: {
    BasicAuth: { type: 'http', scheme: 'basic' },
    CpanelSession: {
      type: 'apiKey',
      in: 'cookie',
      name: 'cpsession',
      description: 'the cookie of POST /login/?login_only=1, under its /cpsess<10 digits> prefix',
    },
    CpanelToken: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'cpanel USER:TOKEN' },
  },
  prefixes: ['/execute'],
  register,
};
