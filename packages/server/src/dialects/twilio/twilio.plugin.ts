import type { Core } from '@tessera/core';
import { TesseraError } from '@tessera/core';
import type { FastifyRequest } from 'fastify';
import { acceptFormBodies } from '../cpanel-common.js';
import type { Dialect, DialectApp } from '../dialect.js';
import { callerOf, requireCaller } from '../dialect-auth.js';
import { type DialectFailure, installDialectErrors } from '../dialect-errors.js';
import { TWILIO_ERRORS } from './twilio.errors.js';
import { TWILIO_OPERATION_DOCS } from './twilio.examples.js';
import {
  challengeBody,
  factorBody,
  formInteger,
  idOfSid,
  listBody,
  serviceBody,
  serviceInput,
  VERIFY_BASE_PATH,
  verificationBody,
  verificationCheckBody,
} from './twilio.mapping.js';
import {
  Challenge,
  ChallengeBody,
  ChallengeList,
  ChallengeParams,
  ChallengeUpdateBody,
  EntityParams,
  Factor,
  FactorBody,
  FactorList,
  FactorParams,
  FactorUpdateBody,
  NewFactor,
  PageQuery,
  Service,
  ServiceBody,
  ServiceList,
  ServiceParams,
  ServiceSidParams,
  TwilioError,
  Verification,
  VerificationBody,
  VerificationCheck,
  VerificationCheckBody,
  VerificationParams,
  VerificationUpdateBody,
} from './twilio.schemas.js';

const SECURITY = [{ accountSid_authToken: [] }];
const DEFAULT_PAGE_SIZE = 50;

/** Channels Twilio Verify names that no Tessera provider carries: refused with Twilio's 60223. */
const CARRIED_CHANNELS = new Set(['sms', 'email']);

function errors(...statuses: number[]) {
  return Object.fromEntries(statuses.map((status) => [status, TwilioError]));
}

function originOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

/** A field of Twilio's form Tessera refuses, with Twilio's invalid-parameter answer (60200). */
function invalidParameter(field: string, message: string): TesseraError {
  return new TesseraError('VALIDATION_FAILED', { message, meta: { field } });
}

async function registerServices(app: DialectApp, core: Core): Promise<void> {
  app.post(
    '/v2/Services',
    {
      schema: {
        operationId: 'CreateService',
        summary: 'Create a verification service',
        tags: ['services'],
        security: SECURITY,
        body: ServiceBody,
        response: { 201: Service, ...errors(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const service = await core.verifyServices.create(callerOf(request), serviceInput(request.body));
      return reply.status(201).send(serviceBody(service, originOf(request)));
    },
  );

  app.get(
    '/v2/Services',
    {
      schema: {
        operationId: 'ListService',
        summary: 'List the caller’s services',
        tags: ['services'],
        security: SECURITY,
        querystring: PageQuery,
        response: { 200: ServiceList, ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      const pageSize = request.query.PageSize ?? DEFAULT_PAGE_SIZE;
      const page = request.query.Page ?? 0;
      // One more than the page, to tell whether there is a next one.
      const found = await core.verifyServices.list(callerOf(request), {
        offset: page * pageSize,
        limit: pageSize + 1,
      });
      const origin = originOf(request);
      return listBody(
        'services',
        found.slice(0, pageSize).map((service) => serviceBody(service, origin)),
        { page, pageSize, hasMore: found.length > pageSize },
        `${origin}${VERIFY_BASE_PATH}/Services`,
      );
    },
  );

  app.get(
    '/v2/Services/:Sid',
    {
      schema: {
        operationId: 'FetchService',
        summary: 'Fetch a service',
        tags: ['services'],
        security: SECURITY,
        params: ServiceParams,
        response: { 200: Service, ...errors(401, 403, 404) },
      },
    },
    async (request) =>
      serviceBody(
        await core.verifyServices.get(callerOf(request), idOfSid('VA', request.params.Sid)),
        originOf(request),
      ),
  );

  app.post(
    '/v2/Services/:Sid',
    {
      schema: {
        operationId: 'UpdateService',
        summary: 'Update a service',
        tags: ['services'],
        security: SECURITY,
        params: ServiceParams,
        body: ServiceBody,
        response: { 200: Service, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) =>
      serviceBody(
        await core.verifyServices.update(
          callerOf(request),
          idOfSid('VA', request.params.Sid),
          serviceInput(request.body),
        ),
        originOf(request),
      ),
  );

  app.delete(
    '/v2/Services/:Sid',
    {
      schema: {
        operationId: 'DeleteService',
        summary: 'Delete a service',
        tags: ['services'],
        security: SECURITY,
        params: ServiceParams,
        response: { 204: { type: 'null', description: 'Deleted' }, ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await core.verifyServices.delete(callerOf(request), idOfSid('VA', request.params.Sid));
      return reply.status(204).send(null);
    },
  );
}

async function registerVerifications(app: DialectApp, core: Core): Promise<void> {
  app.post(
    '/v2/Services/:ServiceSid/Verifications',
    {
      schema: {
        operationId: 'CreateVerification',
        summary: 'Send a code to a phone number (sms) or e-mail address (email)',
        tags: ['verifications'],
        security: SECURITY,
        params: ServiceSidParams,
        body: VerificationBody,
        response: { 201: Verification, ...errors(400, 401, 403, 404, 429, 503) },
      },
    },
    async (request, reply) => {
      const { To, Channel, CustomFriendlyName, CustomCode } = request.body;
      if (!CARRIED_CHANNELS.has(Channel)) {
        throw invalidParameter(
          'Channel',
          `Delivery channel disabled: ${Channel.toUpperCase()} (Tessera sends sms and email).`,
        );
      }
      if (CustomCode !== undefined) {
        throw invalidParameter('CustomCode', 'Custom codes are not enabled: Tessera always makes the code.');
      }
      const verification = await core.destinationVerifications.start(
        callerOf(request),
        idOfSid('VA', request.params.ServiceSid),
        {
          channel: Channel as 'sms' | 'email',
          to: To,
          ...(CustomFriendlyName === undefined ? {} : { friendlyName: CustomFriendlyName }),
        },
      );
      return reply.status(201).send(verificationBody(verification, originOf(request)));
    },
  );

  app.get(
    '/v2/Services/:ServiceSid/Verifications/:Sid',
    {
      schema: {
        operationId: 'FetchVerification',
        summary: 'Fetch a verification',
        tags: ['verifications'],
        security: SECURITY,
        params: VerificationParams,
        response: { 200: Verification, ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const { ServiceSid, Sid } = request.params;
      const verification = await core.destinationVerifications.get(
        callerOf(request),
        idOfSid('VA', ServiceSid),
        idOfSid('VE', Sid),
      );
      return verificationBody(verification, originOf(request));
    },
  );

  app.post(
    '/v2/Services/:ServiceSid/Verifications/:Sid',
    {
      schema: {
        operationId: 'UpdateVerification',
        summary: 'Cancel or approve a pending verification',
        tags: ['verifications'],
        security: SECURITY,
        params: VerificationParams,
        body: VerificationUpdateBody,
        response: { 200: Verification, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { ServiceSid, Sid } = request.params;
      const verification = await core.destinationVerifications.settle(
        callerOf(request),
        idOfSid('VA', ServiceSid),
        idOfSid('VE', Sid),
        request.body.Status,
      );
      return verificationBody(verification, originOf(request));
    },
  );

  app.post(
    '/v2/Services/:ServiceSid/VerificationCheck',
    {
      schema: {
        operationId: 'CreateVerificationCheck',
        summary: 'Check a code against a pending verification',
        tags: ['verifications'],
        security: SECURITY,
        params: ServiceSidParams,
        body: VerificationCheckBody,
        response: { 200: VerificationCheck, ...errors(400, 401, 403, 404, 429) },
      },
    },
    async (request) => {
      const { To, VerificationSid, Code } = request.body;
      if (To === undefined && VerificationSid === undefined) {
        throw invalidParameter('To', 'Either a To or a VerificationSid must be specified.');
      }
      const target =
        VerificationSid !== undefined ? { verificationId: idOfSid('VE', VerificationSid) } : { to: To ?? '' };
      const verification = await core.destinationVerifications.check(
        callerOf(request),
        idOfSid('VA', request.params.ServiceSid),
        target,
        Code,
      );
      return verificationCheckBody(verification);
    },
  );
}

async function registerFactors(app: DialectApp, core: Core): Promise<void> {
  const factorsUrl = (request: FastifyRequest, serviceSid: string, identity: string) =>
    `${originOf(request)}${VERIFY_BASE_PATH}/Services/${serviceSid}/Entities/${encodeURIComponent(identity)}`;

  app.post(
    '/v2/Services/:ServiceSid/Entities/:Identity/Factors',
    {
      schema: {
        operationId: 'CreateNewFactor',
        summary: 'Enroll a TOTP factor for an entity',
        tags: ['factors'],
        security: SECURITY,
        params: EntityParams,
        body: FactorBody,
        response: { 201: NewFactor, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      if (body.FactorType !== 'totp') {
        throw invalidParameter('FactorType', 'Tessera serves TOTP factors only: FactorType must be totp.');
      }
      if (body['Binding.Secret'] !== undefined) {
        throw invalidParameter('Binding.Secret', 'Tessera makes the key: Binding.Secret cannot be given.');
      }
      const config = {
        digits: formInteger(body['Config.CodeLength']),
        period: formInteger(body['Config.TimeStep']),
        skew: formInteger(body['Config.Skew']),
        algorithm: body['Config.Alg'],
      };
      const { entity, factor, totp } = await core.verifyEntities.enrollTotp(
        callerOf(request),
        idOfSid('VA', request.params.ServiceSid),
        request.params.Identity,
        Object.fromEntries(Object.entries(config).filter(([, value]) => value !== undefined)),
      );
      return reply.status(201).send({
        ...factorBody(factor, entity, body.FriendlyName, originOf(request)),
        binding: { secret: totp.secret, uri: totp.otpauthUri },
        options: null,
      });
    },
  );

  app.get(
    '/v2/Services/:ServiceSid/Entities/:Identity/Factors',
    {
      schema: {
        operationId: 'ListFactor',
        summary: 'List an entity’s factors',
        tags: ['factors'],
        security: SECURITY,
        params: EntityParams,
        querystring: PageQuery,
        response: { 200: FactorList, ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const { ServiceSid, Identity } = request.params;
      const { entity, factors } = await core.verifyEntities.listTotp(
        callerOf(request),
        idOfSid('VA', ServiceSid),
        Identity,
      );
      const origin = originOf(request);
      const pageSize = request.query.PageSize ?? DEFAULT_PAGE_SIZE;
      const page = request.query.Page ?? 0;
      const slice = entity ? factors.slice(page * pageSize, (page + 1) * pageSize) : [];
      return listBody(
        'factors',
        entity ? slice.map((factor) => factorBody(factor, entity, entity.identity, origin)) : [],
        { page, pageSize, hasMore: factors.length > (page + 1) * pageSize },
        `${factorsUrl(request, ServiceSid, Identity)}/Factors`,
      );
    },
  );

  app.get(
    '/v2/Services/:ServiceSid/Entities/:Identity/Factors/:Sid',
    {
      schema: {
        operationId: 'FetchFactor',
        summary: 'Fetch a factor',
        tags: ['factors'],
        security: SECURITY,
        params: FactorParams,
        response: { 200: Factor, ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const { ServiceSid, Identity, Sid } = request.params;
      const { entity, factor } = await core.verifyEntities.getTotp(
        callerOf(request),
        idOfSid('VA', ServiceSid),
        Identity,
        idOfSid('YF', Sid),
      );
      return factorBody(factor, entity, entity.identity, originOf(request));
    },
  );

  app.post(
    '/v2/Services/:ServiceSid/Entities/:Identity/Factors/:Sid',
    {
      schema: {
        operationId: 'UpdateFactor',
        summary: 'Verify a TOTP factor with a code',
        description:
          'Verifies an unverified TOTP factor with a code from the app in `AuthPayload`. A wrong code answers the ' +
          'factor still `unverified` (as Twilio does; it counts as a try of the enrollment, five in all); a ' +
          'verified factor is answered as it is. Without `AuthPayload`, the factor as it stands.',
        tags: ['factors'],
        security: SECURITY,
        params: FactorParams,
        body: FactorUpdateBody,
        response: { 200: Factor, ...errors(400, 401, 403, 404, 429) },
      },
    },
    async (request) => {
      const { ServiceSid, Identity, Sid } = request.params;
      const { AuthPayload, FriendlyName } = request.body;
      const { entity, factor } =
        AuthPayload === undefined
          ? await core.verifyEntities.getTotp(
              callerOf(request),
              idOfSid('VA', ServiceSid),
              Identity,
              idOfSid('YF', Sid),
            )
          : await core.verifyEntities.verifyTotp(
              callerOf(request),
              idOfSid('VA', ServiceSid),
              Identity,
              idOfSid('YF', Sid),
              AuthPayload,
            );
      return factorBody(factor, entity, FriendlyName ?? entity.identity, originOf(request));
    },
  );

  app.delete(
    '/v2/Services/:ServiceSid/Entities/:Identity/Factors/:Sid',
    {
      schema: {
        operationId: 'DeleteFactor',
        summary: 'Delete a factor',
        tags: ['factors'],
        security: SECURITY,
        params: FactorParams,
        response: { 204: { type: 'null', description: 'Deleted' }, ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { ServiceSid, Identity, Sid } = request.params;
      await core.verifyEntities.removeTotp(callerOf(request), idOfSid('VA', ServiceSid), Identity, idOfSid('YF', Sid));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/v2/Services/:ServiceSid/Entities/:Identity/Challenges',
    {
      schema: {
        operationId: 'CreateChallenge',
        summary: 'Challenge a TOTP factor with a code',
        description:
          'A TOTP challenge answered with its creation: `AuthPayload` is checked against the factor `FactorSid` (each ' +
          'code once, across every API; wrong ones count in the account’s lockout). `approved` for a right code, ' +
          '`pending` otherwise, to be answered again within five minutes. Push challenges are not served.',
        tags: ['challenges'],
        security: SECURITY,
        params: EntityParams,
        body: ChallengeBody,
        response: { 201: Challenge, ...errors(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      const payload = request.body.AuthPayload;
      if (payload === undefined) throw invalidParameter('AuthPayload', 'AuthPayload is required for a TOTP challenge.');
      const { entity, challenge } = await core.entityChallenges.create(
        callerOf(request),
        idOfSid('VA', request.params.ServiceSid),
        request.params.Identity,
        idOfSid('YF', request.body.FactorSid),
        payload,
      );
      return reply.status(201).send(challengeBody(challenge, entity, originOf(request)));
    },
  );

  app.get(
    '/v2/Services/:ServiceSid/Entities/:Identity/Challenges',
    {
      schema: {
        operationId: 'ListChallenge',
        summary: 'List an entity’s challenges',
        tags: ['challenges'],
        security: SECURITY,
        params: EntityParams,
        querystring: PageQuery,
        response: { 200: ChallengeList, ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const { ServiceSid, Identity } = request.params;
      const pageSize = request.query.PageSize ?? DEFAULT_PAGE_SIZE;
      const page = request.query.Page ?? 0;
      const { entity, challenges } = await core.entityChallenges.list(
        callerOf(request),
        idOfSid('VA', ServiceSid),
        Identity,
        { offset: page * pageSize, limit: pageSize + 1 },
      );
      const origin = originOf(request);
      return listBody(
        'challenges',
        challenges.slice(0, pageSize).map((challenge) => challengeBody(challenge, entity, origin)),
        { page, pageSize, hasMore: challenges.length > pageSize },
        `${factorsUrl(request, ServiceSid, Identity)}/Challenges`,
      );
    },
  );

  app.get(
    '/v2/Services/:ServiceSid/Entities/:Identity/Challenges/:Sid',
    {
      schema: {
        operationId: 'FetchChallenge',
        summary: 'Fetch a challenge',
        tags: ['challenges'],
        security: SECURITY,
        params: ChallengeParams,
        response: { 200: Challenge, ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const { ServiceSid, Identity, Sid } = request.params;
      const { entity, challenge } = await core.entityChallenges.get(
        callerOf(request),
        idOfSid('VA', ServiceSid),
        Identity,
        idOfSid('YC', Sid),
      );
      return challengeBody(challenge, entity, originOf(request));
    },
  );

  app.post(
    '/v2/Services/:ServiceSid/Entities/:Identity/Challenges/:Sid',
    {
      schema: {
        operationId: 'UpdateChallenge',
        summary: 'Answer a pending challenge with a code',
        tags: ['challenges'],
        security: SECURITY,
        params: ChallengeParams,
        body: ChallengeUpdateBody,
        response: { 200: Challenge, ...errors(400, 401, 403, 404, 429) },
      },
    },
    async (request) => {
      const { ServiceSid, Identity, Sid } = request.params;
      const { entity, challenge } = await core.entityChallenges.respond(
        callerOf(request),
        idOfSid('VA', ServiceSid),
        Identity,
        idOfSid('YC', Sid),
        request.body.AuthPayload,
      );
      return challengeBody(challenge, entity, originOf(request));
    },
  );
}

/** Twilio's numeric code for a failure: the table's, or 60223 for a channel no provider carries. */
function twilioCode(failure: DialectFailure): number {
  if (failure.code === 'VALIDATION_FAILED' && failure.field === 'Channel') return 60223;
  return Number(failure.vendorCode ?? '20500');
}

export function twilioErrorBody(failure: Pick<DialectFailure, 'status' | 'message' | 'code' | 'vendorCode' | 'field'>) {
  const code = twilioCode(failure as DialectFailure);
  return {
    code,
    message: failure.message,
    more_info: `https://www.twilio.com/docs/errors/${code}`,
    status: failure.status,
  };
}

/**
 * No route here declares a per-address limit group: the caller is a platform's server, one
 * address for all its users, which the code-send and verify groups (sized for one person) would
 * stop within minutes. The general per-address limit applies, and the core's limits do the
 * work: per destination, per client account (SMS pumping), per code and per account lockout.
 */
async function register(app: DialectApp, core: Core): Promise<void> {
  app.decorateRequest('actor', null);
  acceptFormBodies(app);
  installDialectErrors(app, TWILIO_ERRORS, (failure) => twilioErrorBody(failure));
  // Every route of the dialect needs Twilio's credentials: an unknown path under /v2 too.
  requireCaller(app, core, ['twilio']);
  await registerServices(app, core);
  await registerVerifications(app, core);
  await registerFactors(app, core);
}

export const twilioDialect: Dialect = {
  name: 'twilio',
  title: 'Tessera: Twilio Verify v2 dialect',
  description:
    "Twilio Verify's v2 API (`/v2/Services/…`: Services, Verifications, VerificationCheck, TOTP Entities, Factors " +
    'and Challenges) served by Tessera, so that applications written against Twilio’s SDKs change only the base ' +
    'URL. HTTP Basic with an account SID (`AC…`) or API key SID (`SK…`) and an admin’s API token. Form-encoded ' +
    'requests, JSON answers; errors `{code, message, more_info, status}` with Twilio’s codes.',
  securitySchemes: { accountSid_authToken: { type: 'http', scheme: 'basic' } },
  prefixes: ['/v2'],
  errorExample: (status) =>
    status >= 400
      ? twilioErrorBody({
          status,
          code: 'INTERNAL',
          vendorCode: String(
            ({ 400: 60200, 401: 20003, 403: 20403, 404: 20404, 409: 20409, 429: 60203, 503: 20503 } as const)[
              status as 400
            ] ?? 20500,
          ),
          message: 'The requested resource was not found.',
        })
      : undefined,
  operationDocs: TWILIO_OPERATION_DOCS,
  register,
};
