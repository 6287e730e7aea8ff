import type { EntityChallengeView, FactorView, VerificationView, VerifyServiceView } from '@tessera/core';
import type { OperationExamples } from '../openapi-document.js';
import {
  challengeBody,
  type EntityRef,
  factorBody,
  listBody,
  serviceBody,
  VERIFY_BASE_PATH,
  verificationBody,
  verificationCheckBody,
} from './twilio.mapping.js';

/* Examples built by the mapping itself from fixed views, so that they are the answers' shapes. */

const ORIGIN = 'https://tessera.example.com';
const OWNER = '0193a8e0-5b1c-7c3e-9d2f-4a6b8c0d1e2f';
const SERVICE_ID = '0193a8e0-6c2d-7d4f-8e30-5b7c9d1e2f30';
const AT = '2026-12-05T10:00:00.000Z';

const service: VerifyServiceView = {
  id: SERVICE_ID,
  ownerId: OWNER,
  friendlyName: 'My App',
  codeLength: 6,
  settings: {
    ttsName: null,
    doNotShareWarningEnabled: false,
    totpIssuer: 'My App',
    totpTimeStep: 30,
    totpCodeLength: 6,
    totpSkew: 1,
  },
  createdAt: AT,
  updatedAt: AT,
};

const pending: VerificationView = {
  id: '0193a8e0-7d3e-7e50-9f41-6c8d0e2f3a41',
  serviceId: SERVICE_ID,
  ownerId: OWNER,
  channel: 'sms',
  to: '+359888123456',
  status: 'pending',
  valid: false,
  sendAttempts: [{ channel: 'sms', sentAt: AT }],
  createdAt: AT,
  updatedAt: AT,
  expiresAt: '2026-12-05T10:10:00.000Z',
};
const approved: VerificationView = { ...pending, status: 'approved', valid: true };

const entity: EntityRef = {
  service: { id: SERVICE_ID, ownerId: OWNER },
  identity: 'user-4711',
  userId: '0193a8e0-8e4f-7f61-a052-7d9e1f3a4b52',
};
const factor: FactorView = {
  id: '0193a8e0-9f50-7072-b163-8eaf2a4b5c63',
  method: 'totp',
  status: 'pending',
  createdAt: AT,
  activatedAt: null,
  expiresAt: '2026-12-05T10:10:00.000Z',
  details: { algorithm: 'SHA1', digits: 6, period: 30 },
};
const verifiedFactor: FactorView = { ...factor, status: 'active', activatedAt: AT, expiresAt: null };

const serviceExample = serviceBody(service, ORIGIN);
const factorExample = factorBody(verifiedFactor, entity, 'user-4711', ORIGIN);
const serviceForm = { FriendlyName: 'My App', CodeLength: '6', 'Totp.Issuer': 'My App' };

const challenge: EntityChallengeView = {
  id: '0193a8e0-af61-7083-8274-af9b3b5c6d74',
  serviceId: SERVICE_ID,
  userId: entity.userId,
  factorId: factor.id,
  status: 'approved',
  createdAt: AT,
  updatedAt: AT,
  respondedAt: AT,
  expiresAt: '2026-12-05T10:05:00.000Z',
};
const challengeExample = challengeBody(challenge, entity, ORIGIN);

type Docs = Record<string, { description: string } & OperationExamples>;

export const TWILIO_OPERATION_DOCS: Docs = {
  CreateService: {
    description:
      'A verify service: a namespace of verifications with its own code length and name in messages, and the TOTP ' +
      'defaults (`Totp.Issuer`, `Totp.TimeStep` 20-60, `Totp.CodeLength` 6 or 8, `Totp.Skew` 1) of factors made under ' +
      'it. Refused with 60200 rather than ignored: `LookupEnabled=true` (no carrier lookup), other TOTP values.',
    request: serviceForm,
    responses: { 201: serviceExample },
  },
  ListService: {
    description: "The caller's services, oldest first, in Twilio's `meta` pages (`PageSize`, `Page`).",
    query: { PageSize: 50, Page: 0 },
    responses: {
      200: listBody('services', [serviceExample], { page: 0, pageSize: 50, hasMore: false }, `${ORIGIN}/v2/Services`),
    },
  },
  FetchService: {
    description: 'One of the caller’s services; another account’s is 20404.',
    responses: { 200: serviceExample },
  },
  UpdateService: {
    description: 'Changes the fields sent, each checked as at creation.',
    request: { CodeLength: '8' },
    responses: { 200: { ...serviceExample, code_length: 8 } },
  },
  DeleteService: { description: 'Removes the service and its verifications.', responses: {} },
  CreateVerification: {
    description:
      'Sends a code to `To` by `Channel` (`sms` or `email`; `call`, `whatsapp` and `sna` are refused with 60223, as ' +
      'Twilio refuses a channel that is off). Another to the same destination while one is pending resends: a new ' +
      'code (the old one stops working), one more `send_code_attempts` entry. The destination’s cooldown answers ' +
      '60212, its hourly limit 60203, and the SMS-pumping limits 60410. `CustomCode` is refused (60200).',
    request: { To: '+359888123456', Channel: 'sms' },
    responses: { 201: verificationBody(pending, ORIGIN) },
  },
  FetchVerification: {
    description: 'A verification of the service, with its status (pending turns expired after ten minutes).',
    responses: { 200: verificationBody(pending, ORIGIN) },
  },
  UpdateVerification: {
    description:
      '`Status=canceled` ends a pending verification (its code stops working); `approved` approves it without a code.',
    request: { Status: 'canceled' },
    responses: { 200: verificationBody({ ...pending, status: 'canceled' }, ORIGIN) },
  },
  CreateVerificationCheck: {
    description:
      'Checks `Code` against the pending verification of `To` (or `VerificationSid`). A wrong code answers 200 with ' +
      '`status: pending` and `valid: false`; the fifth wrong one, and any after it, 60202; an approved, canceled or ' +
      'expired verification is 20404.',
    request: { To: '+359888123456', Code: '123456' },
    responses: { 200: verificationCheckBody(approved) },
  },
  CreateNewFactor: {
    description:
      'Enrolls an authenticator app (`FactorType=totp`) for the entity `Identity`: the Tessera account with that ' +
      '`externalId`, made without a password if there is none. The factor is `unverified` until verified with a code, ' +
      'and is the account’s TOTP factor for every API. `binding` has the key and its otpauth URI, shown once. One ' +
      'TOTP factor per entity (a second is 20409); `Binding.Secret` is refused (Tessera makes the key).',
    request: { FriendlyName: 'Alice’s phone', FactorType: 'totp' },
    responses: {
      201: {
        ...factorBody(factor, entity, 'Alice’s phone', ORIGIN),
        binding: {
          secret: 'QLLIU5WTY3UTJGNG5QNMHRLFNNCGTSMZ',
          uri: 'otpauth://totp/My%20App:user-4711?secret=QLLIU5WTY3UTJGNG5QNMHRLFNNCGTSMZ&issuer=My%20App',
        },
        options: null,
      },
    },
  },
  ListFactor: {
    description: 'The entity’s TOTP factor (verified, or unverified while its enrollment lasts).',
    query: { PageSize: 50, Page: 0 },
    responses: {
      200: listBody(
        'factors',
        [factorExample],
        { page: 0, pageSize: 50, hasMore: false },
        `${ORIGIN}${VERIFY_BASE_PATH}/Services/VA0193a8e06c2d7d4f8e305b7c9d1e2f30/Entities/user-4711/Factors`,
      ),
    },
  },
  FetchFactor: { description: 'One factor of the entity.', responses: { 200: factorExample } },
  UpdateFactor: {
    description: 'Verifies the factor with a code in `AuthPayload`.',
    request: { AuthPayload: '123456' },
    responses: { 200: factorExample },
  },
  DeleteFactor: { description: 'Removes the factor (recorded in the account’s history).', responses: {} },
  CreateChallenge: {
    description: 'Checks a code of the factor.',
    request: { FactorSid: factorExample.sid, AuthPayload: '123456' },
    responses: { 201: challengeExample },
  },
  ListChallenge: {
    description: 'The entity’s challenges under the service, newest first, in `meta` pages.',
    query: { PageSize: 50, Page: 0 },
    responses: {
      200: listBody(
        'challenges',
        [challengeExample],
        { page: 0, pageSize: 50, hasMore: false },
        `${ORIGIN}${VERIFY_BASE_PATH}/Services/${serviceExample.sid}/Entities/user-4711/Challenges`,
      ),
    },
  },
  FetchChallenge: {
    description: 'One challenge; a pending one past its expiration is `expired`.',
    responses: { 200: challengeExample },
  },
  UpdateChallenge: {
    description:
      'Answers a pending challenge with a code in `AuthPayload`: `approved` for a right one, still `pending` ' +
      'otherwise; a challenge no longer pending is 20404.',
    request: { AuthPayload: '123456' },
    responses: { 200: challengeExample },
  },
};
