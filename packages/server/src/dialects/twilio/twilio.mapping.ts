import { twilioSid } from '@tessera/contract';
import type {
  EntityChallengeView,
  FactorView,
  VerificationView,
  VerifyServiceInput,
  VerifyServiceView,
} from '@tessera/core';
import { TesseraError } from '@tessera/core';
import { uuidOfHex } from '../../http/authenticate.js';

/** Where Twilio's SDKs send Verify calls; the links in answers keep its shape with this server's origin. */
export const VERIFY_BASE_PATH = '/v2';

/**
 * Twilio's SIDs for Tessera's ids: the two-letter prefix of the resource and the UUID's 32 hex
 * digits (as the credentials' SIDs are made). No table maps them; the SID is the id.
 */
export const sidOf = twilioSid;

/** The id a SID carries; a SID of another kind, or no SID, is "not found". */
export function idOfSid(prefix: string, sid: string): string {
  const hex = new RegExp(`^${prefix}([0-9a-f]{32})$`).exec(sid)?.[1];
  if (!hex) throw new TesseraError('FLOW_NOT_FOUND', { message: `No resource ${sid}.` });
  return uuidOfHex(hex);
}

/** A form value Twilio's SDKs send for a boolean: `true`/`false` (Python sends `True`). */
export function formBoolean(value: string | undefined): boolean | undefined {
  return value === undefined ? undefined : value.toLowerCase() === 'true';
}

export function formInteger(value: string | undefined): number | undefined {
  return value === undefined ? undefined : Number(value);
}

export interface ServiceForm {
  FriendlyName?: string;
  CodeLength?: string;
  LookupEnabled?: string;
  TtsName?: string;
  DoNotShareWarningEnabled?: string;
  'Totp.Issuer'?: string;
  'Totp.TimeStep'?: string;
  'Totp.CodeLength'?: string;
  'Totp.Skew'?: string;
}

/** A form's fields, as the core's service input: only those sent. */
export function serviceInput(form: ServiceForm): VerifyServiceInput {
  const input: VerifyServiceInput = {};
  const set = <K extends keyof VerifyServiceInput>(key: K, value: VerifyServiceInput[K] | undefined) => {
    if (value !== undefined) input[key] = value;
  };
  set('friendlyName', form.FriendlyName);
  set('codeLength', formInteger(form.CodeLength));
  set('lookupEnabled', formBoolean(form.LookupEnabled));
  set('ttsName', form.TtsName);
  set('doNotShareWarningEnabled', formBoolean(form.DoNotShareWarningEnabled));
  set('totpIssuer', form['Totp.Issuer']);
  set('totpTimeStep', formInteger(form['Totp.TimeStep']));
  set('totpCodeLength', formInteger(form['Totp.CodeLength']));
  set('totpSkew', formInteger(form['Totp.Skew']));
  return input;
}

export function accountSid(ownerId: string): string {
  return sidOf('AC', ownerId);
}

export function serviceBody(service: VerifyServiceView, origin: string) {
  const sid = sidOf('VA', service.id);
  const url = `${origin}${VERIFY_BASE_PATH}/Services/${sid}`;
  const { settings } = service;
  return {
    sid,
    account_sid: accountSid(service.ownerId),
    friendly_name: service.friendlyName,
    code_length: service.codeLength,
    lookup_enabled: false,
    psd2_enabled: false,
    skip_sms_to_landlines: false,
    dtmf_input_required: false,
    tts_name: settings.ttsName,
    do_not_share_warning_enabled: settings.doNotShareWarningEnabled,
    custom_code_enabled: false,
    push: { include_date: false, apn_credential_sid: null, fcm_credential_sid: null },
    totp: {
      issuer: settings.totpIssuer,
      time_step: settings.totpTimeStep,
      code_length: settings.totpCodeLength,
      skew: settings.totpSkew,
    },
    default_template_sid: null,
    whatsapp: { msg_service_sid: null, from: null },
    passkeys: null,
    verify_event_subscription_enabled: false,
    date_created: service.createdAt,
    date_updated: service.updatedAt,
    url,
    links: {
      verifications: `${url}/Verifications`,
      verification_checks: `${url}/VerificationCheck`,
      entities: `${url}/Entities`,
    },
  };
}

function verificationCommon(verification: VerificationView) {
  return {
    sid: sidOf('VE', verification.id),
    service_sid: sidOf('VA', verification.serviceId),
    account_sid: accountSid(verification.ownerId),
    to: verification.to,
    channel: verification.channel,
    status: verification.status,
    valid: verification.valid,
    amount: null,
    payee: null,
    date_created: verification.createdAt,
    date_updated: verification.updatedAt,
  };
}

export function verificationBody(verification: VerificationView, origin: string) {
  const common = verificationCommon(verification);
  return {
    ...common,
    lookup: {},
    send_code_attempts: verification.sendAttempts.map((attempt, index) => ({
      attempt_sid: sidOf('VL', `${verification.id.slice(0, -4)}${index.toString(16).padStart(4, '0')}`),
      channel: attempt.channel,
      time: attempt.sentAt,
    })),
    sna: null,
    url: `${origin}${VERIFY_BASE_PATH}/Services/${common.service_sid}/Verifications/${common.sid}`,
  };
}

export function verificationCheckBody(verification: VerificationView) {
  return { ...verificationCommon(verification), sna_attempts_error_codes: [] };
}

/** The entity an answer is about: its service, the platform's id for it, its account. */
export interface EntityRef {
  service: { id: string; ownerId: string };
  identity: string;
  userId: string;
}

export function factorBody(factor: FactorView, entity: EntityRef, friendlyName: string, origin: string) {
  const serviceSid = sidOf('VA', entity.service.id);
  const sid = sidOf('YF', factor.id);
  return {
    sid,
    account_sid: accountSid(entity.service.ownerId),
    service_sid: serviceSid,
    entity_sid: sidOf('YE', entity.userId),
    identity: entity.identity,
    date_created: factor.createdAt,
    date_updated: factor.activatedAt ?? factor.createdAt,
    friendly_name: friendlyName,
    status: factor.status === 'active' ? ('verified' as const) : ('unverified' as const),
    factor_type: 'totp' as const,
    config: {
      alg: String(factor.details.algorithm ?? 'SHA1').toLowerCase(),
      skew: 1,
      code_length: Number(factor.details.digits ?? 6),
      time_step: Number(factor.details.period ?? 30),
    },
    metadata: null,
    url: `${origin}${VERIFY_BASE_PATH}/Services/${serviceSid}/Entities/${encodeURIComponent(entity.identity)}/Factors/${sid}`,
  };
}

export function challengeBody(challenge: EntityChallengeView, entity: EntityRef, origin: string) {
  const serviceSid = sidOf('VA', entity.service.id);
  const sid = sidOf('YC', challenge.id);
  const url = `${origin}${VERIFY_BASE_PATH}/Services/${serviceSid}/Entities/${encodeURIComponent(entity.identity)}/Challenges/${sid}`;
  return {
    sid,
    account_sid: accountSid(entity.service.ownerId),
    service_sid: serviceSid,
    entity_sid: sidOf('YE', entity.userId),
    identity: entity.identity,
    factor_sid: sidOf('YF', challenge.factorId),
    date_created: challenge.createdAt,
    date_updated: challenge.updatedAt,
    date_responded: challenge.respondedAt,
    expiration_date: challenge.expiresAt,
    status: challenge.status,
    responded_reason: 'none' as const,
    details: null,
    hidden_details: null,
    metadata: null,
    factor_type: 'totp' as const,
    url,
    links: { notifications: `${url}/Notifications` },
  };
}

/** A list in Twilio's shape: the page, and the URLs of this page, the first, the previous and the next. */
export function listBody<K extends string, T>(
  key: K,
  items: T[],
  page: { page: number; pageSize: number; hasMore: boolean },
  url: string,
): Record<K, T[]> & { meta: ReturnType<typeof meta> } {
  return { [key]: items, meta: meta(key, page, url) } as Record<K, T[]> & { meta: ReturnType<typeof meta> };
}

function meta(key: string, page: { page: number; pageSize: number; hasMore: boolean }, url: string) {
  const at = (n: number) => `${url}?PageSize=${page.pageSize}&Page=${n}`;
  return {
    page: page.page,
    page_size: page.pageSize,
    first_page_url: at(0),
    previous_page_url: page.page > 0 ? at(page.page - 1) : null,
    next_page_url: page.hasMore ? at(page.page + 1) : null,
    key,
    url: at(page.page),
  };
}
