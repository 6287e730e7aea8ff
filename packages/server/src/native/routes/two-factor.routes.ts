import {
  BackupCodeSet,
  BackupCodeStatus,
  ChallengeBody,
  ChallengeIdParams,
  ChallengeView,
  CodeOnlyBody,
  DisableBody,
  DisableConfirmBody,
  DisableStart,
  EnableBody,
  EnableResult,
  EnableStart,
  FlowIdParams,
  HistoryEntry,
  HistoryIdParams,
  HistoryPage,
  HistoryQuery,
  PasswordChangeBody,
  ProcedureView,
  RegenerateBody,
  SentCode,
  SuccessToken,
  TrustedDevice,
  TwoFactorStatus,
  UserIssuerBody,
  UserIssuerView,
} from '@tessera/contract';
import type { Core } from '@tessera/core';
import { Type } from 'typebox';
import {
  BEARER,
  ENROLLMENT_ROUTE,
  emptyBodyAsObject,
  errorResponses,
  type NativeApp,
  principalOf,
  requireAuth,
  selfContext,
} from '../native-app.js';

const NO_CONTENT = { 204: { type: 'null' } } as const;

/** The signed-in user's own 2FA: enable/disable procedures, challenges, backup codes, history. */
export function registerTwoFactorRoutes(app: NativeApp, core: Core): void {
  const auth = requireAuth(core);
  const tags = ['two-factor'];

  app.get(
    '/me/2fa',
    {
      ...ENROLLMENT_ROUTE,
      onRequest: auth,
      schema: {
        tags,
        summary: 'Your active methods, backup codes left, and where you stand against the 2FA policy',
        security: BEARER,
        response: { 200: TwoFactorStatus, ...errorResponses(401) },
      },
    },
    async (request) => {
      const { userId } = principalOf(request);
      const methods = (await core.factors.list(userId)).filter((f) => f.status === 'active').map((f) => f.kind);
      const backup = await core.backupCodes.status(userId);
      const requirement = core.policy.requirementFor(await core.policy.get(), methods.length > 0);
      return { methods, backupCodesRemaining: backup.remaining, requirement };
    },
  );

  app.post(
    '/me/2fa/enable',
    {
      ...ENROLLMENT_ROUTE,
      onRequest: auth,
      schema: {
        tags,
        summary: 'Start enabling a method',
        description:
          'totp returns the key, otpauth URI and QR code; sms (give `phone`) and email send a code. Confirm with ' +
          'POST /me/2fa/enable/{flowId}/confirm within 10 minutes. backup_codes is enabled at once and returns the ' +
          'codes (shown only here).',
        security: BEARER,
        body: EnableBody,
        response: { 201: EnableStart, ...errorResponses(400, 401, 403, 409, 429, 502) },
      },
    },
    async (request, reply) => {
      const started = await core.enable.start(principalOf(request).userId, request.body, selfContext(request));
      return reply.status(201).send(started);
    },
  );

  app.get(
    '/me/2fa/enable/:flowId',
    {
      ...ENROLLMENT_ROUTE,
      onRequest: auth,
      schema: {
        tags,
        summary: 'State of an enable procedure',
        security: BEARER,
        params: FlowIdParams,
        response: { 200: ProcedureView, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => core.enable.status(principalOf(request).userId, request.params.flowId),
  );

  app.post(
    '/me/2fa/enable/:flowId/confirm',
    {
      ...ENROLLMENT_ROUTE,
      onRequest: auth,
      schema: {
        tags,
        summary: 'Confirm an enable procedure with a code: the method becomes active',
        security: BEARER,
        params: FlowIdParams,
        body: CodeOnlyBody,
        response: { 200: EnableResult, ...errorResponses(400, 401, 404, 409, 410, 429) },
      },
    },
    async (request) =>
      core.enable.confirm(principalOf(request).userId, request.params.flowId, request.body.code, selfContext(request)),
  );

  app.post(
    '/me/2fa/enable/:flowId/resend',
    {
      ...ENROLLMENT_ROUTE,
      onRequest: auth,
      preValidation: emptyBodyAsObject,
      schema: {
        tags,
        summary: 'Send a new code for an SMS or e-mail enable procedure (after a 60 s cooldown)',
        security: BEARER,
        params: FlowIdParams,
        response: { 200: SentCode, ...errorResponses(400, 401, 404, 409, 410, 429, 502) },
      },
    },
    async (request) => core.enable.resend(principalOf(request).userId, request.params.flowId),
  );

  app.post(
    '/me/2fa/disable',
    {
      onRequest: auth,
      schema: {
        tags,
        summary: 'Start disabling a method',
        description:
          'sms and email send a code to the method. Confirm with a current code of the method, or with a success ' +
          'token issued for `disable_factor` with the method as target.',
        security: BEARER,
        body: DisableBody,
        response: { 201: DisableStart, ...errorResponses(400, 401, 409, 429, 502) },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await core.disable.start(principalOf(request).userId, request.body.method)),
  );

  app.post(
    '/me/2fa/disable/:flowId/confirm',
    {
      onRequest: auth,
      schema: {
        tags,
        summary: 'Confirm a disable procedure: the method is removed',
        security: BEARER,
        params: FlowIdParams,
        body: DisableConfirmBody,
        response: { 200: ProcedureView, ...errorResponses(400, 401, 403, 404, 409, 410, 429) },
      },
    },
    async (request) =>
      core.disable.confirm(principalOf(request).userId, request.params.flowId, request.body, selfContext(request)),
  );

  app.post(
    '/me/2fa/disable/:flowId/resend',
    {
      onRequest: auth,
      preValidation: emptyBodyAsObject,
      schema: {
        tags,
        summary: 'Send a new code for an SMS or e-mail disable procedure',
        security: BEARER,
        params: FlowIdParams,
        response: { 200: SentCode, ...errorResponses(400, 401, 404, 409, 410, 429, 502) },
      },
    },
    async (request) => core.disable.resend(principalOf(request).userId, request.params.flowId),
  );

  app.post(
    '/me/2fa/challenges',
    {
      onRequest: auth,
      schema: {
        tags,
        summary: 'Start a step-up challenge for a sensitive operation',
        description:
          'Sends a code by e-mail (the default) or SMS, or waits for a TOTP or backup code. Passing it yields a ' +
          'success token for that one operation (and target), single use, valid 5 minutes.',
        security: BEARER,
        body: ChallengeBody,
        response: { 201: ChallengeView, ...errorResponses(400, 401, 409, 429, 502) },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await core.challenges.start(principalOf(request).userId, request.body)),
  );

  app.get(
    '/me/2fa/challenges/:challengeId',
    {
      onRequest: auth,
      schema: {
        tags,
        summary: 'State of a challenge',
        security: BEARER,
        params: ChallengeIdParams,
        response: { 200: ChallengeView, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => core.challenges.status(principalOf(request).userId, request.params.challengeId),
  );

  app.post(
    '/me/2fa/challenges/:challengeId/confirm',
    {
      onRequest: auth,
      schema: {
        tags,
        summary: 'Answer a challenge with its code and receive a success token',
        security: BEARER,
        params: ChallengeIdParams,
        body: CodeOnlyBody,
        response: { 200: SuccessToken, ...errorResponses(400, 401, 404, 409, 410, 429) },
      },
    },
    async (request) =>
      core.challenges.confirm(principalOf(request).userId, request.params.challengeId, request.body.code),
  );

  app.get(
    '/me/2fa/backup-codes',
    {
      onRequest: auth,
      schema: {
        tags,
        summary: 'Whether you have backup codes, and how many are left',
        security: BEARER,
        response: { 200: BackupCodeStatus, ...errorResponses(401) },
      },
    },
    async (request) => core.backupCodes.status(principalOf(request).userId),
  );

  app.post(
    '/me/2fa/backup-codes/regenerate',
    {
      onRequest: auth,
      schema: {
        tags,
        summary: 'Replace your backup codes (needs a success token for regenerate_backup_codes)',
        security: BEARER,
        body: RegenerateBody,
        response: { 200: BackupCodeSet, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (request) =>
      core.backupCodes.regenerate(principalOf(request).userId, request.body.successToken, selfContext(request)),
  );

  app.get(
    '/me/2fa/history',
    {
      onRequest: auth,
      schema: {
        tags,
        summary: 'Your 2FA change history',
        description: 'Filter by method, enabled and time (from inclusive, to exclusive); newest first by default.',
        security: BEARER,
        querystring: HistoryQuery,
        response: { 200: HistoryPage, ...errorResponses(400, 401) },
      },
    },
    async (request) => {
      const { from, to, ...rest } = request.query;
      return core.history.list({
        ...rest,
        userId: principalOf(request).userId,
        ...(from ? { from: new Date(from) } : {}),
        ...(to ? { to: new Date(to) } : {}),
      });
    },
  );

  app.get(
    '/me/2fa/history/:entryId',
    {
      onRequest: auth,
      schema: {
        tags,
        summary: 'One entry of your 2FA change history',
        security: BEARER,
        params: HistoryIdParams,
        response: { 200: HistoryEntry, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => core.history.get(request.params.entryId, principalOf(request).userId),
  );

  app.get(
    '/me/devices',
    {
      onRequest: auth,
      schema: {
        tags,
        summary: 'Devices remembered at sign-in (they skip the second factor)',
        security: BEARER,
        response: { 200: Type.Object({ devices: Type.Array(TrustedDevice) }), ...errorResponses(401) },
      },
    },
    async (request) => ({ devices: await core.devices.list(principalOf(request).userId) }),
  );

  app.delete(
    '/me/devices/:deviceId',
    {
      onRequest: auth,
      schema: {
        tags,
        summary: 'Forget a remembered device',
        security: BEARER,
        params: Type.Object({ deviceId: Type.String({ format: 'uuid' }) }),
        response: { ...NO_CONTENT, ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      await core.devices.revoke(principalOf(request).userId, request.params.deviceId);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/me/password',
    {
      onRequest: auth,
      schema: {
        tags,
        summary: 'Change your password (needs a success token for change_password)',
        description: 'Remembered devices are forgotten.',
        security: BEARER,
        body: PasswordChangeBody,
        response: { ...NO_CONTENT, ...errorResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      await core.passwords.change(principalOf(request).userId, request.body.newPassword, request.body.successToken);
      return reply.status(204).send(null);
    },
  );

  app.put(
    '/me/issuer',
    {
      onRequest: auth,
      schema: {
        tags,
        summary: 'Set (or clear with null) the issuer name your new otpauth URIs carry',
        security: BEARER,
        body: UserIssuerBody,
        response: { 200: UserIssuerView, ...errorResponses(400, 401) },
      },
    },
    async (request) => {
      return core.issuers.setUserIssuer(principalOf(request).userId, request.body.issuer);
    },
  );
}
