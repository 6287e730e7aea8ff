import { randomUUID } from 'node:crypto';
import {
  type Actor,
  type Core,
  codeProof,
  type FactorKind,
  isTesseraError,
  maskDestination,
  type SignedIn,
  sessionClientOf,
  TesseraError,
} from '@tessera/core';
import { type Static, Type } from 'typebox';
import { authenticate } from '../../http/authenticate.js';
import { rateLimitGroups } from '../../http/rate-limit.js';
import type { Dialect, DialectApp } from '../dialect.js';
import { anonymousCaller, callerOf, requireCaller } from '../dialect-auth.js';
import { installDialectErrors } from '../dialect-errors.js';
import { B2CORE_ERRORS } from './b2core.errors.js';
import { B2CORE_DOCS, b2coreErrorExample } from './b2core.examples.js';
import {
  B2CORE_TYPES,
  type B2CoreType,
  b2coreChange,
  b2coreTime,
  b2coreTokens,
  checkFingerprint,
  filterTime,
  methodStatus,
  phoneStepData,
  SECURITY_KEY_STATUS,
  secondFactorWorkflow,
  TERMINATE_WORKFLOW,
} from './b2core.mapping.js';
import {
  B2CoreError,
  B2CoreTokens,
  ChallengeConfirmBody,
  ChallengeConfirmResponse,
  ChallengeQuery,
  ChallengeResponse,
  Change,
  ChangeList,
  ChangeParams,
  ChangesQuery,
  CodeBody,
  MethodList,
  MethodStatus,
  PasswordBody,
  RefreshBody,
  SelectTypeBody,
  SelectTypeResponse,
  SignInBody,
  SignInResponse,
  SignInWizardResponse,
  SuccessTokenHeaders,
  TokensResponse,
  TypeParams,
  UnauthorizedChallengeQuery,
  WizardBody,
  WizardStepResponse,
  WizardTypeParams,
} from './b2core.schemas.js';

const SECURITY = [{ BearerToken: [] }];

function errors(...statuses: number[]) {
  return Object.fromEntries(statuses.map((status) => [status, B2CoreError]));
}

/** The final step of a sign-in: 202 and the tokens. */
function signedInEnvelope(core: Core, signedIn: SignedIn, uuid: string) {
  return { code: 202, data: b2coreTokens(signedIn.tokens, core.clock.now()), done: true, uuid, workflow: 'login' };
}

/**
 * The sign-in steps: no credentials, and an `Authorization` header sent anyway (the vendor's own
 * example does on /signin/2fa) is ignored. The wizard's uuid is not stored: POST /signin starts
 * the core's sign-in flow and every later step uses the uuid it answers, the flow's id.
 */
async function registerSignIn(app: DialectApp, core: Core): Promise<void> {
  app.get(
    '/api/v2/my/signin/wizard',
    {
      schema: {
        operationId: 'signInWizard',
        summary: 'Start a sign-in: a uuid for POST /api/v2/my/signin',
        tags: ['sign-in'],
        response: { 202: SignInWizardResponse },
      },
    },
    async (_request, reply) =>
      reply.status(202).send({
        code: 202,
        data: { recaptcha: { enabled: false }, is_qr_available: false, is_password_recovery_available: true },
        done: true,
        uuid: randomUUID(),
        workflow: 'login',
      }),
  );

  app.post(
    '/api/v2/my/signin',
    {
      config: rateLimitGroups('sign_in'),
      schema: {
        operationId: 'signIn',
        summary: 'E-mail and password: the tokens (202), or the second-factor step (200)',
        tags: ['sign-in'],
        body: SignInBody,
        response: { 200: SignInResponse, 202: SignInResponse, ...errors(400, 401, 429) },
      },
    },
    async (request, reply) => {
      const { uuid, email, password, device_fingerprint } = request.body;
      checkFingerprint(device_fingerprint);
      const actor = anonymousCaller(request);
      const started = await core.signIn.start(actor, email, password);
      if (started.status === 'signed_in') return reply.status(202).send(signedInEnvelope(core, started, uuid));
      const workflow = secondFactorWorkflow(started.methods);
      // With SMS as the one method, its code is sent now.
      if (workflow === '2fa_sms_auth') await core.signIn.selectMethod(actor, started.flowId, 'sms');
      return reply.status(200).send({ code: 200, data: null, done: false, uuid: started.flowId, workflow });
    },
  );

  app.post(
    '/api/v2/my/signin/2fa',
    {
      // Choosing sms sends its code now (a code send, as the native method choice); google sends nothing.
      config: {
        rateLimitGroupsOf: (request) =>
          (request.body as Static<typeof SelectTypeBody>).type === 'sms' ? ['code_sends'] : ['verify'],
      },
      schema: {
        operationId: 'signInChooseType',
        summary: 'With both methods on: choose one (sms sends its code now)',
        tags: ['sign-in'],
        body: SelectTypeBody,
        response: { 200: SelectTypeResponse, ...errors(400, 404, 409, 429) },
      },
    },
    async (request) => {
      const { uuid, type } = request.body;
      await core.signIn.selectMethod(anonymousCaller(request), uuid, type === 'google' ? 'totp' : 'sms');
      return {
        code: 200,
        data: null,
        done: false,
        uuid,
        workflow: type === 'google' ? '2fa_google_auth' : '2fa_sms_auth',
      };
    },
  );

  app.post(
    '/api/v2/my/2fa/google',
    {
      config: rateLimitGroups('verify'),
      schema: {
        operationId: 'signInGoogle',
        summary: 'The authenticator code, or a backup code: the tokens',
        tags: ['sign-in'],
        body: CodeBody,
        response: { 202: TokensResponse, ...errors(400, 404, 409, 422, 429) },
      },
    },
    async (request, reply) => {
      const { uuid, code } = request.body;
      const signedIn = await core.signIn.submitAppOrBackupCode(anonymousCaller(request), uuid, code);
      return reply.status(202).send(signedInEnvelope(core, signedIn, uuid));
    },
  );

  app.post(
    '/api/v2/my/2fa/sms',
    {
      config: rateLimitGroups('verify'),
      schema: {
        operationId: 'signInSms',
        summary: 'The code sent by SMS: the tokens',
        tags: ['sign-in'],
        body: CodeBody,
        response: { 202: TokensResponse, ...errors(400, 404, 409, 422, 429) },
      },
    },
    async (request, reply) => {
      const { uuid, code } = request.body;
      const signedIn = await core.signIn.submitCode(anonymousCaller(request), uuid, { code, method: 'sms' });
      return reply.status(202).send(signedInEnvelope(core, signedIn, uuid));
    },
  );

  app.get(
    '/api/v2/my/2fa/unauthorized/challenge',
    {
      config: rateLimitGroups('recovery', 'code_sends'),
      schema: {
        operationId: 'unauthorizedChallenge',
        summary: 'Password recovery: a code by e-mail; the same answer whether or not the account exists',
        tags: ['challenges'],
        querystring: UnauthorizedChallengeQuery,
        response: { 200: ChallengeResponse, ...errors(400, 429) },
      },
    },
    async (request) => {
      const { email } = request.query;
      const started = await core.recovery.start(anonymousCaller(request), email);
      return {
        token: started.challengeId,
        expiresAt: b2coreTime(new Date(started.expiresAt)),
        type: 'email',
        sentAt: b2coreTime(new Date(started.sentAt)),
        // The address asked about, masked: nothing the caller did not send.
        recipient: maskDestination('email', email),
      };
    },
  );

  app.post(
    '/api/v2/my/2fa/challenge',
    {
      config: rateLimitGroups('verify'),
      schema: {
        operationId: 'confirmChallenge',
        summary: 'The code: a success token (with a Bearer token for an authorized challenge, without for recovery)',
        tags: ['challenges'],
        body: ChallengeConfirmBody,
        response: { 200: ChallengeConfirmResponse, ...errors(400, 401, 404, 409, 422, 429) },
      },
    },
    async (request) => {
      const { token, code } = request.body;
      const issued = request.headers.authorization
        ? await core.challenges.confirm(await authenticate(core, request, ['jwt']), token, code)
        : await core.recovery.confirm(anonymousCaller(request), token, code);
      return {
        token: issued.successToken,
        successToken: issued.successToken,
        expiresAt: b2coreTime(new Date(issued.expiresAt)),
      };
    },
  );

  app.post(
    '/api/v2/my/password/restore',
    {
      config: rateLimitGroups('recovery'),
      schema: {
        operationId: 'restorePassword',
        summary: 'A new password with the success token of an unauthorized challenge (header successToken)',
        tags: ['passwords'],
        headers: SuccessTokenHeaders,
        body: PasswordBody,
        response: { 204: Type.Null(), ...errors(400, 429) },
      },
    },
    async (request, reply) => {
      await core.passwords.reset(anonymousCaller(request), request.headers.successtoken, request.body.password);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v2/my/token/refresh',
    {
      schema: {
        operationId: 'refreshToken',
        summary: 'A refresh token for a new pair (rotating: a reused one revokes its family)',
        tags: ['sign-in'],
        body: RefreshBody,
        response: { 200: B2CoreTokens, ...errors(400, 401) },
      },
    },
    async (request) => {
      const tokens = await core.sessions.refresh(
        request.body.refreshToken,
        async (userId) => (await core.accounts.get(userId)).role,
        sessionClientOf(anonymousCaller(request)),
      );
      return b2coreTokens(tokens, core.clock.now());
    },
  );
}

/** Status and the enable and disable wizards: a Bearer access token (a JWT from the sign-in). */
async function registerWizards(app: DialectApp, core: Core): Promise<void> {
  requireCaller(app, core, ['jwt']);

  app.get(
    '/api/v2/my/2fa',
    {
      schema: {
        operationId: 'listTwoFactor',
        summary: 'The two methods and whether each is on',
        tags: ['2fa'],
        security: SECURITY,
        response: { 200: MethodList, ...errors(401) },
      },
    },
    async (request) => {
      const { methods } = await core.factors.status(callerOf(request));
      const data: { caption: string; isEnabled: boolean; name: string }[] = (['sms', 'google'] as const).map((type) =>
        methodStatus(type, methods),
      );
      // B2Core knows no security keys; an account whose keys are its 2FA must not look unprotected.
      if (methods.includes('webauthn')) data.push(SECURITY_KEY_STATUS);
      return { total: data.length, data };
    },
  );

  app.get(
    '/api/v2/my/2fa/:type',
    {
      schema: {
        operationId: 'getTwoFactor',
        summary: 'One method (google or sms); any other type is 404',
        tags: ['2fa'],
        security: SECURITY,
        params: TypeParams,
        response: { 200: MethodStatus, ...errors(401, 404) },
      },
    },
    async (request) => {
      const { type } = request.params;
      if (!isB2CoreType(type)) throw new TesseraError('FACTOR_NOT_FOUND', { message: `No 2FA type ${type}.` });
      const { methods } = await core.factors.status(callerOf(request));
      return methodStatus(type, methods);
    },
  );

  app.get(
    '/api/v2/my/2fa/:type/enable/wizard',
    {
      config: rateLimitGroups('other'),
      schema: {
        operationId: 'enableWizard',
        summary: 'google: a new key to confirm with a code; sms: asks for the phone number',
        tags: ['2fa'],
        security: SECURITY,
        params: WizardTypeParams,
        response: { 200: WizardStepResponse, ...errors(400, 401, 403, 409) },
      },
    },
    async (request) => {
      if (request.params.type === 'sms') {
        // The phone step starts the enrollment: this uuid is only the wizard's (not stored).
        return { code: 200, data: null, done: false, uuid: randomUUID(), workflow: '2fa_sms_phone_create' };
      }
      const started = await core.enable.start(callerOf(request), { method: 'totp' });
      return {
        code: 200,
        data: { key: started.totp?.secret ?? '' },
        done: false,
        uuid: started.flowId,
        workflow: '2fa_google',
      };
    },
  );

  app.get(
    '/api/v2/my/2fa/:type/disable/wizard',
    {
      // sms sends its code now; google sends nothing, so it is not a code send.
      config: {
        rateLimitGroupsOf: (request) =>
          core.enable.sendsCode(B2CORE_TYPES[(request.params as Static<typeof WizardTypeParams>).type])
            ? ['code_sends']
            : [],
      },
      schema: {
        operationId: 'disableWizard',
        summary: 'Start turning a method off (sms sends its code now); a code finishes it',
        tags: ['2fa'],
        security: SECURITY,
        params: WizardTypeParams,
        response: { 200: WizardStepResponse, ...errors(400, 401, 403, 429) },
      },
    },
    async (request) => {
      const { type } = request.params;
      const started = await core.disable.start(callerOf(request), B2CORE_TYPES[type]);
      // The vendor's example says done: true here, but a code is still needed.
      return { code: 200, data: null, done: false, uuid: started.flowId, workflow: `2fa_${type}` };
    },
  );

  app.post(
    '/api/v2/my/2fa/wizard',
    {
      // The phone step sends the SMS code; the code step checks a code.
      config: {
        rateLimitGroupsOf: (request) =>
          isPhoneStep(request.body as Static<typeof WizardBody>) ? ['code_sends'] : ['verify'],
      },
      schema: {
        operationId: 'wizardStep',
        summary: 'A wizard step: {uuid, phone} sends the SMS code; {uuid, action: "code", code} finishes',
        tags: ['2fa'],
        security: SECURITY,
        body: WizardBody,
        response: { 200: WizardStepResponse, 202: WizardStepResponse, ...errors(400, 401, 404, 409, 422, 429) },
      },
    },
    async (request, reply) => {
      const actor = callerOf(request);
      const { uuid, phone, action, code } = request.body;
      if (isPhoneStep(request.body) && phone !== undefined) {
        const started = await core.enable.start(actor, { method: 'sms', phone });
        if (!started.delivery) throw new Error('an SMS enrollment sends a code');
        return reply.status(200).send({
          code: 200,
          data: phoneStepData(started.delivery),
          done: false,
          uuid: started.flowId,
          workflow: 'phone',
        });
      }
      if (action !== 'code' || code === undefined) {
        throw new TesseraError('VALIDATION_FAILED', {
          message: 'Send {uuid, phone} or {uuid, action: "code", code}.',
          meta: { field: code === undefined && action === 'code' ? 'body.code' : 'body.action' },
        });
      }
      if (await isEnableFlow(core, actor, uuid)) await core.enable.confirm(actor, uuid, codeProof(code));
      else await core.disable.confirm(actor, uuid, { proof: codeProof(code) });
      return reply.status(202).send({ code: 202, data: [], done: true, uuid, workflow: TERMINATE_WORKFLOW });
    },
  );
}

async function registerChallenges(app: DialectApp, core: Core): Promise<void> {
  requireCaller(app, core, ['jwt']);

  app.get(
    '/api/v2/my/2fa/challenge',
    {
      // By e-mail (the default) or sms a code is sent; type=google only waits for a code.
      config: {
        rateLimitGroupsOf: (request) =>
          core.challenges.sendsCode(challengeMethod((request.query as Static<typeof ChallengeQuery>).type))
            ? ['code_sends']
            : [],
      },
      schema: {
        operationId: 'challenge',
        summary: 'Prove presence again for a password change: a code by e-mail, or by ?type=sms|google',
        tags: ['challenges'],
        security: SECURITY,
        querystring: ChallengeQuery,
        response: { 200: ChallengeResponse, ...errors(400, 401, 403, 429) },
      },
    },
    async (request) => {
      const type = request.query.type ?? 'email';
      const started = await core.challenges.start(callerOf(request), {
        operation: 'change_password',
        method: challengeMethod(type),
      });
      return {
        token: started.challengeId,
        expiresAt: b2coreTime(new Date(started.expiresAt)),
        type,
        sentAt: started.delivery ? b2coreTime(new Date(started.delivery.sentAt)) : null,
        recipient: started.delivery?.destination ?? null,
      };
    },
  );

  app.post(
    '/api/v2/my/password/change',
    {
      schema: {
        operationId: 'changePassword',
        summary: 'A new password with the success token of a challenge (header successToken)',
        tags: ['passwords'],
        security: SECURITY,
        headers: SuccessTokenHeaders,
        body: PasswordBody,
        response: { 204: Type.Null(), ...errors(400, 401) },
      },
    },
    async (request, reply) => {
      await core.passwords.change(callerOf(request), request.body.password, {
        successToken: request.headers.successtoken,
      });
      return reply.status(204).send(null);
    },
  );
}

/** The change history of the caller's 2FA. */
async function registerHistory(app: DialectApp, core: Core): Promise<void> {
  requireCaller(app, core, ['jwt']);

  app.get(
    '/api/v2/my/2fa/changes',
    {
      schema: {
        operationId: 'listChanges',
        summary: 'The changes of the 2FA methods: paged, sorted by time, filtered with filter[...] keys',
        tags: ['history'],
        security: SECURITY,
        querystring: ChangesQuery,
        response: { 200: ChangeList, ...errors(400, 401) },
      },
    },
    async (request) => {
      const query = request.query;
      const enabled = query['filter[isEnabled]'];
      const provider = query['filter[provider]'];
      const from = filterTime(query['filter[timeFrom]'], 'filter[timeFrom]');
      const to = filterTime(query['filter[timeTo]'], 'filter[timeTo]');
      const listing = await core.history.listOwn(callerOf(request), {
        order: query.sort_order ?? 'desc',
        limit: query.limit ?? 20,
        offset: query.offset ?? 0,
        ...(enabled === undefined ? {} : { enabled: enabled === 'true' || enabled === '1' }),
        ...(provider === undefined ? {} : { method: provider === 'google' ? 'totp' : provider }),
        ...(from ? { from } : {}),
        // B2Core's timeTo includes its own moment; the core's upper bound is exclusive.
        ...(to ? { to: new Date(to.getTime() + 1) } : {}),
      });
      return { total: listing.total, data: listing.items.map(b2coreChange) };
    },
  );

  app.get(
    '/api/v2/my/2fa/changes/:changeId',
    {
      schema: {
        operationId: 'getChange',
        summary: 'One change of the caller',
        tags: ['history'],
        security: SECURITY,
        params: ChangeParams,
        response: { 200: Change, ...errors(401, 404) },
      },
    },
    async (request) => {
      // Anything but a change number names no change: 404, as an unknown number does.
      const changeId = request.params.changeId;
      if (!/^[1-9]\d{0,15}$/.test(changeId)) throw new TesseraError('HISTORY_ENTRY_NOT_FOUND');
      return b2coreChange(await core.history.getOwnByNumber(callerOf(request), Number(changeId)));
    },
  );
}

function isB2CoreType(type: string): type is B2CoreType {
  return Object.hasOwn(B2CORE_TYPES, type);
}

/** Whether a wizard uuid is one of the caller's enrollments (else it is taken as a disable). */
async function isEnableFlow(core: Core, actor: Actor, uuid: string): Promise<boolean> {
  try {
    await core.enable.status(actor, uuid);
    return true;
  } catch (error) {
    if (isTesseraError(error) && error.code === 'FLOW_NOT_FOUND') return false;
    throw error;
  }
}

async function register(app: DialectApp, core: Core): Promise<void> {
  app.decorateRequest('actor', null);
  installDialectErrors(app, B2CORE_ERRORS, (failure) => ({
    code: failure.status,
    message: failure.message,
    errors: failure.field ? { [failure.field]: [failure.message] } : {},
  }));
  await app.register(async (signIn) => registerSignIn(signIn.withTypeProvider(), core));
  await app.register(async (wizards) => registerWizards(wizards.withTypeProvider(), core));
  await app.register(async (challenges) => registerChallenges(challenges.withTypeProvider(), core));
  await app.register(async (history) => registerHistory(history.withTypeProvider(), core));
}

export const b2coreDialect: Dialect = {
  name: 'b2core',
  title: 'Tessera: B2Core dialect',
  description:
    "B2Core's front-office 2FA API (`/api/v2/my/...`) served by Tessera: the sign-in wizard and its 2FA steps, " +
    'status, the enable and disable wizards, step-up challenges with success tokens for password change and ' +
    'restore, and the change history. The sign-in steps, the unauthorized challenge and password restore need no ' +
    'credentials; the rest a Bearer access token. Errors: `{code, message, errors}` with `code` the HTTP status.',
  securitySchemes: { BearerToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
  prefixes: ['/api/v2/my'],
  errorExample: b2coreErrorExample,
  operationDocs: B2CORE_DOCS,
  register,
};

/** The wizard step that gives the phone number of an SMS enrollment (and so sends its code). */
function isPhoneStep(body: Static<typeof WizardBody>): boolean {
  return body.action === undefined && body.phone !== undefined;
}

/** The method of a challenge's `?type=`: e-mail by default. */
function challengeMethod(type: Static<typeof ChallengeQuery>['type']): FactorKind {
  return type === undefined || type === 'email' ? 'email' : B2CORE_TYPES[type];
}
