/**
 * What the OpenAPI document says of each native operation beyond its schemas: what its success
 * means, and an example request and answer. Keyed by operationId; test/api/openapi.test.ts
 * checks every operation has an entry and every example matches its schema.
 */
export interface OperationDoc {
  /** The description of the success response. */
  ok: string;
  /** An example body, for an operation that takes one. */
  request?: unknown;
  /** An example success body, unless the success is 204 No Content. */
  response?: unknown;
  /** Example error bodies by status, where the operation's differ from the usual error body. */
  errors?: Readonly<Record<number, unknown>>;
}

const USER_ID = '0b6f3c52-4d0e-4a8a-9a57-2f1c7f3b9d21';
const FLOW_ID = '6f1d2c3b-8a4e-4f5b-9c6d-7e8f9a0b1c2d';
const FACTOR_ID = '3c9e1a7b-2d4f-4e6a-8b0c-1d2e3f4a5b6c';
const CHALLENGE_ID = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const ENTRY_ID = '4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8';
const TOKEN_ID = '7d6c5b4a-3f2e-4d1c-8b0a-9f8e7d6c5b4a';
const DEVICE_ID = '2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d';
const SENT_ID = '5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e';
const SESSION_ID = '8c7b6a5f-4e3d-4c2b-9a1f-0e9d8c7b6a5f';
const CHANGE_ID = '1f2e3d4c-5b6a-4978-8a6b-5c4d3e2f1a0b';
const ADMIN_ID = 'c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f';
const PLATFORM_USER_ID = '0b8f3c2e-6a1d-4f5e-9c7b-2d4a6e8f1a3c';
const NOW = '2026-06-30T12:00:00.000Z';
const IN_10_MIN = '2026-06-30T12:10:00.000Z';
const IN_5_MIN = '2026-06-30T12:05:00.000Z';
const IN_30_DAYS = '2026-07-30T12:00:00.000Z';

const WEBHOOK_ID = 'd4c3b2a1-9f8e-4d7c-8b6a-5f4e3d2c1b0a';
const DELIVERY_ID = 'e5f6a7b8-c9d0-4e1f-9a2b-3c4d5e6f7a8b';
const WEBHOOK = {
  id: WEBHOOK_ID,
  url: 'https://platform.example.com/hooks/tessera',
  description: 'Platform security feed',
  events: ['factor.added', 'factor.removed', 'lockout.started'],
  enabled: true,
  disabledReason: null,
  createdAt: NOW,
  updatedAt: NOW,
};
const WEBHOOK_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw1Yf3EgOfgtU=';
const WEBHOOK_DELIVERY = {
  id: DELIVERY_ID,
  eventId: 'msg_2b7d1f0c9a4e4f6b8d3c5a7e9f1b2c4d',
  eventType: 'factor.added',
  userId: USER_ID,
  status: 'pending',
  attemptCount: 1,
  nextAttemptAt: IN_5_MIN,
  lastStatusCode: 500,
  lastError: null,
  deliveredAt: null,
  createdAt: NOW,
  attempts: [
    {
      id: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
      attemptedAt: NOW,
      statusCode: 500,
      durationMs: 84,
      error: null,
    },
  ],
};

const ACCESS_TOKEN = 'eyJhbGciOiJFZERTQSIsImtpZCI6Ims3In0.eyJzdWIiOiIwYjZmM2M1MiJ9.c2lnbmF0dXJl';
const TOKENS = {
  accessToken: ACCESS_TOKEN,
  refreshToken: 'rt_Qm9vdHN0cmFwcGVkIHJlZnJlc2ggdG9rZW4',
  tokenType: 'Bearer',
  expiresIn: 900,
};
const ACCOUNT = {
  id: USER_ID,
  username: 'alice',
  email: 'alice@example.com',
  phone: null,
  role: 'user',
  createdAt: NOW,
};
const TOTP_FACTOR = {
  id: FACTOR_ID,
  method: 'totp',
  status: 'active',
  createdAt: NOW,
  activatedAt: NOW,
  expiresAt: null,
  details: { algorithm: 'SHA1', digits: 6, period: 30 },
};
const PENDING_TOTP = { ...TOTP_FACTOR, status: 'pending', activatedAt: null, expiresAt: IN_10_MIN };
const SMS_SENT = {
  id: SENT_ID,
  channel: 'sms',
  sentAt: NOW,
  expiresAt: IN_10_MIN,
  destination: '+359*****456',
  digits: 6,
};
const TOTP_KEY = {
  secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
  otpauthUri: 'otpauth://totp/Tessera:alice?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Tessera',
  qrPngDataUrl: 'data:image/png;base64,iVBORw0KGgo…',
  qrSvg: '<svg xmlns="http://www.w3.org/2000/svg" …</svg>',
  params: { algorithm: 'SHA1', digits: 6, period: 30 },
};
const SUCCESS_TOKEN = {
  successToken: 'st_9fK2mQ7xL4pR8vN1cT6wY3zB5hJ0dG',
  operation: 'change_password',
  target: null,
  expiresAt: IN_5_MIN,
};
const CHALLENGE = {
  challengeId: CHALLENGE_ID,
  operation: 'change_password',
  method: 'sms',
  state: 'awaiting_code',
  attempts: 0,
  expiresAt: IN_10_MIN,
  delivery: SMS_SENT,
  codeDigits: 6,
};
const HISTORY_ENTRY = {
  id: ENTRY_ID,
  userId: USER_ID,
  userPseudonym: null,
  method: 'totp',
  action: 'enable',
  enabled: true,
  actor: 'self',
  actorId: USER_ID,
  clientIp: '203.0.113.7',
  details: {},
  createdAt: NOW,
};
const AUDIT_ENTRY = {
  seq: 42,
  createdAt: NOW,
  actorKind: 'user',
  actorId: USER_ID,
  action: 'sign_in.second_factor_ok',
  targetUserId: USER_ID,
  clientIp: '203.0.113.7',
  details: { method: 'totp' },
  prevHash: '9f2c1e4b7a8d6c5b3e2f1a0d9c8b7a6e5f4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b',
  hash: '3a1f5e7c9b2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a1c3e5b7d9f2a4c6e8b0d1f3a',
};
const AUDIT_CHECKPOINT = {
  seq: 42,
  hash: AUDIT_ENTRY.hash,
  createdAt: NOW,
  kid: '6b7c8d9e-0f1a-4b2c-9d3e-4f5a6b7c8d9e',
  signature: 'eyJhbGciOiJFZERTQSIsImtpZCI6IjZiN2M4ZDllIn0.eyJjcmVhdGVkQXQiOiIyMDI2LTA2LTMwIn0.c2lnbmF0dXJl',
};
/** An admin's account change, as the admin history shows it: `account`, with the fields changed. */
const ACCOUNT_HISTORY_ENTRY = {
  ...HISTORY_ENTRY,
  id: '0e1f2a3b-4c5d-4e6f-8a7b-9c0d1e2f3a4b',
  userId: PLATFORM_USER_ID,
  method: 'account',
  action: 'update',
  actor: 'admin',
  actorId: ADMIN_ID,
  details: { changed: ['email'] },
};
/** The account's own phone number change, as its history shows it: masked numbers only. */
const PHONE_CHANGE_ENTRY = {
  ...HISTORY_ENTRY,
  id: '5d6e7f8a-9b0c-4d1e-8f2a-3b4c5d6e7f8a',
  method: 'phone',
  action: 'contact_change',
  details: { from: null, to: '+359*****456' },
};
const UNLOCKED = { locked: false, lockedUntil: null, suspended: false };
/** An account a platform manages: made without a password, named by the platform's id. */
const ADMIN_USER = {
  id: PLATFORM_USER_ID,
  username: 'platform-4711',
  email: 'ada@example.com',
  phone: null,
  role: 'user',
  externalId: '4711',
  domain: null,
  ownerId: null,
  subAccountType: null,
  hasPassword: false,
  disabled: false,
  disabledAt: null,
  createdAt: NOW,
  twoFactorEnabled: true,
  methods: ['totp'],
  secondFactorLock: UNLOCKED,
};
const NEW_ADMIN_USER = { ...ADMIN_USER, twoFactorEnabled: false, methods: [] };
const CONTACT_CHANGE = {
  changeId: CHANGE_ID,
  field: 'email',
  state: 'awaiting_code',
  attempts: 0,
  expiresAt: IN_10_MIN,
  delivery: { ...SMS_SENT, channel: 'email', destination: 'a***@new.example' },
};
const API_TOKEN = {
  id: TOKEN_ID,
  name: 'billing-service',
  scope: 'read',
  createdAt: NOW,
  lastUsedAt: null,
  revokedAt: null,
};
const POLICY = {
  required: true,
  gracePeriodDays: 7,
  requiredSince: NOW,
  methods: { totp: true, sms: false, email: true, backup_codes: true, webauthn: true },
  rememberDeviceForAdmins: false,
  phishingResistantForAdmins: true,
  restrictedMethods: ['sms', 'email'],
};
const BACKUP_CODES = {
  codes: ['3985-7367', '1204-5583', '7731-0926', '4410-8857', '6092-3318'],
  remaining: 10,
  createdAt: NOW,
};

const CREDENTIAL_ID = 'e4d3c2b1-a0f9-4e8d-9c7b-6a5f4e3d2c1b';
const WEBAUTHN_CHALLENGE = 'cTJzZ0JxV3ZkVlY5bE1wU1lxT2hrZ2Zva3FlN3R6Q2U';
const KEY_ID = 'kX7cE0m1qY2bZ3vN4wL5pR6s';
const REGISTRATION_OPTIONS = {
  challengeId: CHALLENGE_ID,
  options: {
    challenge: WEBAUTHN_CHALLENGE,
    rp: { name: 'Tessera', id: 'example.com' },
    user: { id: 'MGI2ZjNjNTI', name: 'alice', displayName: 'alice' },
    pubKeyCredParams: [{ alg: -7, type: 'public-key' }],
    timeout: 300000,
    attestation: 'none',
    excludeCredentials: [],
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred', requireResidentKey: false },
    extensions: { credProps: true },
  },
};
const ASSERTION_OPTIONS = {
  challengeId: CHALLENGE_ID,
  options: {
    challenge: WEBAUTHN_CHALLENGE,
    rpId: 'example.com',
    timeout: 300000,
    userVerification: 'preferred',
    allowCredentials: [{ id: KEY_ID, type: 'public-key', transports: ['usb', 'nfc'] }],
  },
};
const ATTESTATION = {
  id: KEY_ID,
  rawId: KEY_ID,
  type: 'public-key',
  response: {
    clientDataJSON: 'eyJ0eXBlIjoid2ViYXV0aG4uY3JlYXRlIn0',
    attestationObject: 'o2NmbXRkbm9uZWdhdHRTdG10oGhhdXRoRGF0YVg',
    transports: ['usb', 'nfc'],
  },
  clientExtensionResults: { credProps: { rk: true } },
  authenticatorAttachment: 'cross-platform',
};
const ASSERTION = {
  id: KEY_ID,
  rawId: KEY_ID,
  type: 'public-key',
  response: {
    clientDataJSON: 'eyJ0eXBlIjoid2ViYXV0aG4uZ2V0In0',
    authenticatorData: 'SZYN5YgOjGh0NBcPZHZgW4_krrmihjLHmVzzuoMdl2MFAAAAAQ',
    signature: 'MEUCIQDx7k2mQ9vB3nL8pR4sT6wY1zC5hJ0dGfA2eK7uV9iXjAIgMz',
    userHandle: 'MGI2ZjNjNTI',
  },
  clientExtensionResults: {},
  authenticatorAttachment: 'cross-platform',
};
const WEBAUTHN_CREDENTIAL = {
  id: CREDENTIAL_ID,
  name: 'YubiKey 5 Series with NFC',
  passkey: true,
  aaguid: 'fa2b99dc-9e39-4257-8f92-4a30d23c4118',
  model: 'YubiKey 5 Series with NFC',
  transports: ['usb', 'nfc'],
  backupEligible: false,
  backedUp: false,
  createdAt: NOW,
  lastUsedAt: null,
};

export const OPERATION_DOCS: Readonly<Record<string, OperationDoc>> = {
  getHealth: { ok: 'The process is up.', response: { status: 'ok' } },
  getReadiness: {
    ok: 'The database answers and every migration is applied.',
    response: { status: 'ready', checks: { database: { status: 'up', latencyMs: 2 } } },
    errors: {
      503: {
        status: 'not_ready',
        checks: { database: { status: 'down', message: 'the database does not answer' } },
        error: { code: 'NOT_READY', message: 'Not ready: database: the database does not answer.' },
      },
    },
  },
  getJwks: {
    ok: 'The public keys that verify access tokens.',
    response: {
      keys: [
        {
          kid: 'k7',
          kty: 'OKP',
          crv: 'Ed25519',
          x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
          alg: 'EdDSA',
          use: 'sig',
        },
      ],
    },
  },
  signUp: {
    ok: 'The account was created (or the address already had one: see the description).',
    request: { username: 'alice', password: 'correct horse battery', email: 'alice@example.com' },
    response: ACCOUNT,
  },
  signIn: {
    ok: 'Signed in (`status: signed_in`, with the tokens), or a second factor is needed (`second_factor_required`).',
    request: { username: 'alice', password: 'correct horse battery' },
    response: {
      status: 'second_factor_required',
      flowId: FLOW_ID,
      state: 'awaiting_code',
      expiresAt: IN_5_MIN,
      methods: ['totp', 'backup_codes'],
      codeDigits: { totp: 6 },
    },
  },
  selectSignInMethod: {
    ok: 'The method is chosen; SMS and e-mail say where the code went.',
    request: { method: 'sms' },
    response: { method: 'sms', delivery: SMS_SENT },
  },
  completeSignIn: {
    ok: 'Signed in: the tokens (and a device token when asked to remember this device).',
    request: { code: '492039', rememberDevice: true, deviceLabel: 'Firefox on a laptop' },
    response: { ...TOKENS, device: { deviceToken: 'dt_Wm9vbSBkZXZpY2UgdG9rZW4', expiresAt: IN_30_DAYS } },
  },
  startRecovery: {
    ok: 'Accepted: if the login names an account with an e-mail address, a code was sent there.',
    request: { login: 'alice@example.com' },
    response: {
      challengeId: CHALLENGE_ID,
      state: 'awaiting_code',
      channel: 'email',
      sentAt: NOW,
      expiresAt: IN_10_MIN,
      digits: 6,
    },
  },
  confirmRecovery: {
    ok: 'The code was right: a success token for one password reset.',
    request: { code: '48213967' },
    response: { ...SUCCESS_TOKEN, operation: 'reset_password' },
  },
  resetPassword: {
    ok: 'The password was changed.',
    request: { successToken: SUCCESS_TOKEN.successToken, newPassword: 'a new long passphrase' },
  },
  refreshTokens: {
    ok: 'New tokens; the refresh token sent is used up.',
    request: { refreshToken: TOKENS.refreshToken },
    response: TOKENS,
  },
  introspectToken: {
    ok: 'Whether the token is live, and whose.',
    request: { token: ACCESS_TOKEN },
    response: {
      active: true,
      token_type: 'access_token',
      sub: USER_ID,
      username: 'alice',
      role: 'user',
      iat: 1782820800,
      exp: 1782821700,
    },
  },
  adminRotateSigningKey: { ok: 'A new signing key is current.', response: { kid: 'k8' } },
  signOut: { ok: 'Signed out.' },
  getAccount: { ok: 'The account and its factors.', response: { account: ACCOUNT, factors: [TOTP_FACTOR] } },
  listFactors: { ok: 'The factors.', response: { factors: [TOTP_FACTOR] } },
  beginTotpEnrollment: {
    ok: 'The enrollment began: the key, its URI and QR code, and the pending factor.',
    request: {},
    response: { factor: PENDING_TOTP, ...TOTP_KEY },
  },
  confirmFactor: { ok: 'The factor is active.', request: { code: '492039' }, response: TOTP_FACTOR },
  useDefaultTotpSettings: {
    ok: 'The enrollment now asks for SHA1, 6 digits and 30 s, with the same key: its URI and QR code.',
    request: {},
    response: { factor: PENDING_TOTP, ...TOTP_KEY },
  },
  deleteFactor: { ok: 'The factor was removed.', request: { code: '492039' } },
  verifyCode: { ok: 'Whether the code was right.', request: { code: '492039' }, response: { valid: true } },
  listApiTokens: { ok: 'Your API tokens, revoked ones included.', response: { apiTokens: [API_TOKEN] } },
  createApiToken: {
    ok: 'The token, shown only now, and its record.',
    request: { name: 'billing-service', scope: 'read' },
    response: { token: 'tsa_3xAmPlEtOkEnV4lU3', apiToken: API_TOKEN },
  },
  revokeApiToken: { ok: 'The token was revoked.' },
  verifyUserCode: {
    ok: "Whether the code is right for that user's second factor.",
    request: { username: 'alice', code: '492039' },
    response: { valid: true },
  },
  adminCreateUser: {
    ok: 'The account was created.',
    request: { username: 'platform-4711', email: 'ada@example.com', externalId: '4711' },
    response: NEW_ADMIN_USER,
  },
  adminLookUpUser: {
    ok: 'The account and its factors.',
    response: { user: ADMIN_USER, factors: [TOTP_FACTOR] },
  },
  adminGetUser: { ok: 'The account.', response: ADMIN_USER },
  adminUpdateUser: {
    ok: 'The account as it is now.',
    request: { email: 'ada@new.example', phone: null, role: 'admin' },
    response: { ...ADMIN_USER, email: 'ada@new.example', role: 'admin' },
  },
  adminSetUserPassword: {
    ok: 'The password is set; the account was signed out everywhere.',
    request: { password: 'a long new passphrase' },
  },
  adminDisableUser: {
    ok: 'The account, now disabled.',
    response: { ...ADMIN_USER, disabled: true, disabledAt: NOW },
  },
  adminEnableUser: { ok: 'The account, enabled again.', response: ADMIN_USER },
  adminDeleteUser: {
    ok: 'The account is gone; the pseudonym stands for it in its history.',
    response: { deleted: true, pseudonym: 'deleted-3q2-7wQm1XbY0cA4kPz9Lg' },
  },
  getTwoFactorStatus: {
    ok: 'Your active methods, backup codes left, and where you stand against the policy.',
    response: {
      methods: ['totp', 'backup_codes'],
      backupCodesRemaining: 9,
      requirement: { status: 'satisfied' },
      issuer: 'Acme Hosting',
    },
  },
  startEnable: {
    ok: 'The procedure started: what to confirm it with.',
    request: { method: 'sms', phone: '+359888123456' },
    response: {
      flowId: FLOW_ID,
      method: 'sms',
      state: 'awaiting_code',
      attempts: 0,
      expiresAt: IN_10_MIN,
      factorId: FACTOR_ID,
      delivery: SMS_SENT,
    },
  },
  getEnable: {
    ok: 'The procedure.',
    response: { flowId: FLOW_ID, method: 'totp', state: 'awaiting_code', attempts: 1, expiresAt: IN_10_MIN },
  },
  confirmEnable: {
    ok: 'The method is active.',
    request: { code: '492039' },
    response: {
      flowId: FLOW_ID,
      method: 'totp',
      state: 'enabled',
      attempts: 0,
      expiresAt: IN_10_MIN,
      factor: TOTP_FACTOR,
    },
  },
  resendEnableCode: { ok: 'A new code was sent.', response: SMS_SENT },
  startDisable: {
    ok: 'The procedure started; SMS and e-mail say where the code went.',
    request: { method: 'sms' },
    response: {
      flowId: FLOW_ID,
      method: 'sms',
      state: 'awaiting_code',
      attempts: 0,
      expiresAt: IN_10_MIN,
      delivery: SMS_SENT,
    },
  },
  confirmDisable: {
    ok: 'The method is disabled.',
    request: { code: '492039' },
    response: { flowId: FLOW_ID, method: 'sms', state: 'disabled', attempts: 0, expiresAt: IN_10_MIN },
  },
  resendDisableCode: { ok: 'A new code was sent.', response: SMS_SENT },
  startChallenge: {
    ok: 'The challenge started; SMS and e-mail say where the code went.',
    request: { operation: 'change_password', method: 'sms' },
    response: CHALLENGE,
  },
  getChallenge: { ok: 'The challenge.', response: { ...CHALLENGE, attempts: 1 } },
  confirmChallenge: {
    ok: 'The code was right: a success token for that operation only.',
    request: { code: '492039' },
    response: SUCCESS_TOKEN,
  },
  getBackupCodeStatus: {
    ok: 'Whether backup codes are active, and how many are left.',
    response: { active: true, remaining: 9 },
  },
  regenerateBackupCodes: {
    ok: 'A new set; the old codes no longer work. Shown only now.',
    request: { successToken: SUCCESS_TOKEN.successToken },
    response: BACKUP_CODES,
  },
  listHistory: {
    ok: 'A page of your history: your 2FA, and changes of your contact details.',
    response: { items: [PHONE_CHANGE_ENTRY, HISTORY_ENTRY], total: 2, limit: 20, offset: 0 },
  },
  getHistoryEntry: { ok: 'The entry.', response: HISTORY_ENTRY },
  listTrustedDevices: {
    ok: 'Your remembered devices.',
    response: {
      devices: [
        { id: DEVICE_ID, label: 'Firefox on a laptop', createdAt: NOW, expiresAt: IN_30_DAYS, lastUsedAt: NOW },
      ],
    },
  },
  forgetTrustedDevice: { ok: 'The device must pass the second factor again.' },
  changePassword: {
    ok: 'The password was changed; every other session ended and remembered devices were forgotten.',
    request: { newPassword: 'a new long passphrase', currentPassword: 'correct horse battery', code: '492039' },
  },
  listMySessions: {
    ok: 'Your sessions, newest first, and your remembered devices.',
    response: {
      sessions: [
        {
          id: SESSION_ID,
          createdAt: NOW,
          lastUsedAt: IN_5_MIN,
          clientIp: '203.0.113.7',
          userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0',
          current: true,
        },
      ],
      devices: [
        { id: DEVICE_ID, label: 'Firefox on a laptop', createdAt: NOW, expiresAt: IN_30_DAYS, lastUsedAt: NOW },
      ],
    },
  },
  revokeMySession: { ok: 'The session ended: its refresh token no longer works.' },
  revokeAllMySessions: {
    ok: 'How many sessions ended and devices were forgotten.',
    request: { keepCurrent: true, forgetDevices: true },
    response: { sessionsRevoked: 3, devicesForgotten: 1 },
  },
  startEmailChange: {
    ok: 'Accepted: a code went to the new address; the address changes once it is confirmed.',
    request: { email: 'alice@new.example', currentPassword: 'correct horse battery', code: '492039' },
    response: CONTACT_CHANGE,
  },
  startPhoneChange: {
    ok: 'Accepted: a code went to the new number by SMS; the number changes once it is confirmed.',
    request: { phone: '+359888123456', successToken: SUCCESS_TOKEN.successToken },
    response: { ...CONTACT_CHANGE, field: 'phone', delivery: SMS_SENT },
  },
  getContactChange: { ok: 'The change.', response: { ...CONTACT_CHANGE, attempts: 1 } },
  confirmContactChange: {
    ok: 'The code was right: the account with its new address or number.',
    request: { code: '48213967' },
    response: { ...ACCOUNT, email: 'alice@new.example' },
  },
  setIssuer: {
    ok: 'Your issuer, and the one your authenticator entries will show.',
    request: { issuer: 'Acme' },
    response: { issuer: 'Acme', effectiveIssuer: 'Acme' },
  },
  adminListUsers: {
    ok: 'A page of users with their 2FA state.',
    response: {
      items: [
        {
          id: USER_ID,
          username: 'alice',
          email: 'alice@example.com',
          role: 'user',
          twoFactorEnabled: true,
          methods: ['totp', 'backup_codes'],
          externalId: null,
          disabled: false,
          secondFactorLock: UNLOCKED,
          domain: 'alice.example',
          ownerId: null,
          subAccountType: null,
        },
      ],
      total: 1,
    },
  },
  adminListUserFactors: { ok: "The user's factors.", response: { factors: [TOTP_FACTOR] } },
  adminResetTwoFactor: {
    ok: 'Every second factor of the user is removed and their sessions end; the methods that were removed.',
    response: { removed: ['backup_codes', 'totp'] },
  },
  adminUnlockSecondFactor: { ok: "The user's second factor is unlocked." },
  adminExportTotp: {
    ok: "The user's authenticator key, to move it to another system.",
    response: { secret: TOTP_KEY.secret, otpauthUri: TOTP_KEY.otpauthUri, algorithm: 'SHA1', digits: 6, period: 30 },
  },
  adminImportTotp: { ok: 'The key is the user’s active authenticator.', request: { secret: TOTP_KEY.secret } },
  adminSetUserIssuer: {
    ok: "The user's issuer, and the one their authenticator entries will show.",
    request: { issuer: null },
    response: { issuer: null, effectiveIssuer: 'Tessera' },
  },
  adminGetSystemIssuer: { ok: 'The system-wide issuer.', response: { issuer: 'Tessera' } },
  adminSetSystemIssuer: { ok: 'The system-wide issuer.', request: { issuer: 'Acme' }, response: { issuer: 'Acme' } },
  adminGetPolicy: { ok: 'The 2FA policy.', response: POLICY },
  adminUpdatePolicy: {
    ok: 'The 2FA policy as it is now.',
    request: { required: true, gracePeriodDays: 7, methods: { sms: false } },
    response: POLICY,
  },
  adminListHistory: {
    ok: 'A page of the history of every user: their 2FA, and the account changes admins made.',
    response: { items: [ACCOUNT_HISTORY_ENTRY, HISTORY_ENTRY], total: 2, limit: 20, offset: 0 },
  },
  adminGetHistoryEntry: { ok: 'The entry.', response: HISTORY_ENTRY },
  adminListAudit: {
    ok: 'A page of the audit trail, newest first; `next` continues it.',
    response: { items: [AUDIT_ENTRY], next: 41 },
  },
  listAuditCheckpoints: {
    ok: 'The public keys and the newest checkpoints.',
    response: {
      keys: [
        {
          kty: 'OKP',
          crv: 'Ed25519',
          x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
          kid: AUDIT_CHECKPOINT.kid,
          alg: 'EdDSA',
          use: 'sig',
        },
      ],
      checkpoints: [AUDIT_CHECKPOINT],
    },
  },
  startWebAuthnRegistration: {
    ok: 'Options for navigator.credentials.create(); answer within the ceremony timeout.',
    response: { flowId: FLOW_ID, factorId: FACTOR_ID, expiresAt: IN_10_MIN, webauthn: REGISTRATION_OPTIONS },
  },
  finishWebAuthnRegistration: {
    ok: 'The key is registered: your keys, the new one with its default name.',
    request: { credential: ATTESTATION },
    response: { credentials: [WEBAUTHN_CREDENTIAL] },
  },
  listWebAuthnCredentials: { ok: 'Your keys and passkeys.', response: { credentials: [WEBAUTHN_CREDENTIAL] } },
  renameWebAuthnCredential: {
    ok: 'The key with its new name.',
    request: { name: 'Blue key' },
    response: { ...WEBAUTHN_CREDENTIAL, name: 'Blue key' },
  },
  removeWebAuthnCredential: {
    ok: 'The key is removed; whether the method is still on.',
    request: { successToken: SUCCESS_TOKEN.successToken },
    response: { methodActive: true },
  },
  startWebAuthnSignInStep: {
    ok: "Options for navigator.credentials.get() listing the account's keys.",
    response: ASSERTION_OPTIONS,
  },
  completeWebAuthnSignInStep: { ok: 'Signed in.', request: { credential: ASSERTION }, response: TOKENS },
  startPasskeySignIn: {
    ok: 'Options without a username, requiring user verification.',
    response: {
      challengeId: CHALLENGE_ID,
      options: { challenge: WEBAUTHN_CHALLENGE, rpId: 'example.com', timeout: 300000, userVerification: 'required' },
    },
  },
  completePasskeySignIn: {
    ok: 'Signed in with the passkey alone.',
    request: { challengeId: CHALLENGE_ID, credential: ASSERTION },
    response: TOKENS,
  },
  getPasskeyAvailability: {
    ok: 'Whether passkeys sign in here.',
    response: { available: true },
  },
  startWebAuthnChallenge: {
    ok: 'The challenge started: options for navigator.credentials.get().',
    request: { operation: 'remove_webauthn_credential', target: CREDENTIAL_ID },
    response: {
      challengeId: CHALLENGE_ID,
      operation: 'remove_webauthn_credential',
      expiresAt: IN_10_MIN,
      webauthn: ASSERTION_OPTIONS,
    },
  },
  confirmWebAuthnChallenge: {
    ok: 'The key answered: a success token for that operation only.',
    request: { credential: ASSERTION },
    response: { ...SUCCESS_TOKEN, operation: 'remove_webauthn_credential', target: CREDENTIAL_ID },
  },
  adminListWebAuthnCredentials: {
    ok: "The user's keys and passkeys.",
    response: { credentials: [WEBAUTHN_CREDENTIAL] },
  },
  adminRemoveWebAuthnCredential: {
    ok: 'The key is removed; whether the user has keys left.',
    response: { methodActive: false },
  },
  adminCreateWebhook: {
    ok: 'The endpoint, and its signing secret, shown only now.',
    request: { url: WEBHOOK.url, description: WEBHOOK.description, events: WEBHOOK.events },
    response: { endpoint: WEBHOOK, secret: WEBHOOK_SECRET },
  },
  adminListWebhooks: { ok: 'Every webhook endpoint.', response: { endpoints: [WEBHOOK] } },
  adminGetWebhook: { ok: 'The endpoint.', response: WEBHOOK },
  adminUpdateWebhook: {
    ok: 'The endpoint as it now is.',
    request: { enabled: false },
    response: { ...WEBHOOK, enabled: false },
  },
  adminDeleteWebhook: { ok: 'The endpoint and its deliveries are removed.' },
  adminRotateWebhookSecret: {
    ok: 'The new secret, shown only now; the old one signs beside it until the time given.',
    response: { secret: WEBHOOK_SECRET, previousSecretsExpireAt: '2026-07-01T12:00:00.000Z' },
  },
  adminListWebhookDeliveries: {
    ok: 'A page of deliveries, newest first, with their attempts.',
    response: { items: [WEBHOOK_DELIVERY], total: 1, limit: 20, offset: 0 },
  },
  adminRedeliverWebhook: {
    ok: 'The delivery, due again at once.',
    response: { ...WEBHOOK_DELIVERY, attemptCount: 0, nextAttemptAt: NOW },
  },
};
