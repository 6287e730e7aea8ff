import type { Actor } from '../auth/actor.js';
import type { Authorizer } from '../auth/authorizer.js';
import type { Clock } from '../clock.js';
import { ISSUER_PATTERN } from '../config/server-settings.js';
import { newId } from '../crypto/random.js';
import { TesseraError } from '../errors/tessera-error.js';
import type { VerifyServiceRecord, VerifyServiceSettings } from '../storage/records.js';
import type { VerifyServiceRepository } from '../storage/repositories.js';
import { clientAccountOf } from './client-account.js';

/** What a caller may set on a service; left out: unchanged (or the default, at creation). */
export interface VerifyServiceInput {
  friendlyName?: string;
  codeLength?: number;
  ttsName?: string | null;
  doNotShareWarningEnabled?: boolean;
  /** Tessera performs no carrier lookup: true is refused. */
  lookupEnabled?: boolean;
  totpIssuer?: string | null;
  totpTimeStep?: number | null;
  totpCodeLength?: number | null;
  totpSkew?: number | null;
}

export interface VerifyServiceView {
  id: string;
  ownerId: string;
  friendlyName: string;
  codeLength: number;
  settings: VerifyServiceSettings;
  createdAt: string;
  updatedAt: string;
}

const DEFAULT_CODE_LENGTH = 6;
const NAME_MAX = 32;
/** The TOTP time steps Tessera's authenticator enrollment accepts (RFC 6238 keys with these periods). */
const TOTP_TIME_STEPS = { min: 20, max: 60 };
/** Tessera checks one step either way (RFC 6238 §5.2): the one skew it can honour. */
const TOTP_SKEW = 1;

/**
 * Verify services: each a namespace of destination verifications and the TOTP defaults of the
 * authenticators enrolled under it, belonging to the client account that made it. A setting
 * Tessera cannot honour is refused (VALIDATION_FAILED naming the field), never stored and ignored.
 */
export class VerifyServices {
  constructor(private readonly deps: { services: VerifyServiceRepository; authorizer: Authorizer; clock: Clock }) {}

  async create(actor: Actor, input: VerifyServiceInput): Promise<VerifyServiceView> {
    const ownerId = await clientAccountOf(this.deps.authorizer, actor, 'admin.manage');
    if (input.friendlyName === undefined) {
      throw new TesseraError('VALIDATION_FAILED', {
        message: 'FriendlyName is required.',
        meta: { field: 'FriendlyName' },
      });
    }
    const now = this.deps.clock.now();
    const record = applied(
      {
        id: newId(),
        ownerId,
        friendlyName: '',
        codeLength: DEFAULT_CODE_LENGTH,
        settings: {
          ttsName: null,
          doNotShareWarningEnabled: false,
          totpIssuer: null,
          totpTimeStep: null,
          totpCodeLength: null,
          totpSkew: null,
        },
        createdAt: now,
        updatedAt: now,
      },
      input,
    );
    await this.deps.services.insert(record);
    return toView(record);
  }

  async get(actor: Actor, id: string): Promise<VerifyServiceView> {
    return toView(await this.find(actor, id, 'admin.read'));
  }

  /** The service as the core uses it (destination verifications, TOTP enrollments under it). */
  async find(actor: Actor, id: string, operation: 'admin.read' | 'admin.manage'): Promise<VerifyServiceRecord> {
    const ownerId = await clientAccountOf(this.deps.authorizer, actor, operation);
    const found = await this.deps.services.findById(id, ownerId);
    if (!found) throw new TesseraError('FLOW_NOT_FOUND', { message: `No service ${id}.` });
    return found;
  }

  async list(actor: Actor, page: { offset: number; limit: number }): Promise<VerifyServiceView[]> {
    const ownerId = await clientAccountOf(this.deps.authorizer, actor, 'admin.read');
    return (await this.deps.services.list(ownerId, page.offset, page.limit)).map(toView);
  }

  async update(actor: Actor, id: string, input: VerifyServiceInput): Promise<VerifyServiceView> {
    const current = await this.find(actor, id, 'admin.manage');
    const record = { ...applied(current, input), updatedAt: this.deps.clock.now() };
    if (!(await this.deps.services.update(record))) {
      throw new TesseraError('FLOW_NOT_FOUND', { message: `No service ${id}.` });
    }
    return toView(record);
  }

  async delete(actor: Actor, id: string): Promise<void> {
    const ownerId = await clientAccountOf(this.deps.authorizer, actor, 'admin.manage');
    if (!(await this.deps.services.delete(id, ownerId))) {
      throw new TesseraError('FLOW_NOT_FOUND', { message: `No service ${id}.` });
    }
  }
}

function refuse(field: string, message: string): never {
  throw new TesseraError('VALIDATION_FAILED', { message, meta: { field } });
}

/** The record with the input's settings applied, each checked. */
function applied(record: VerifyServiceRecord, input: VerifyServiceInput): VerifyServiceRecord {
  const settings = { ...record.settings };
  let { friendlyName, codeLength } = record;
  if (input.friendlyName !== undefined) {
    const name = input.friendlyName.trim();
    if (name.length === 0 || name.length > NAME_MAX) refuse('FriendlyName', 'FriendlyName must be 1-32 characters.');
    friendlyName = name;
  }
  if (input.codeLength !== undefined) {
    if (!Number.isInteger(input.codeLength) || input.codeLength < 4 || input.codeLength > 10) {
      refuse('CodeLength', 'CodeLength must be an integer from 4 to 10.');
    }
    codeLength = input.codeLength;
  }
  if (input.lookupEnabled === true) {
    refuse('LookupEnabled', 'Tessera performs no carrier lookup: LookupEnabled must be false.');
  }
  if (input.ttsName !== undefined) settings.ttsName = input.ttsName;
  if (input.doNotShareWarningEnabled !== undefined) settings.doNotShareWarningEnabled = input.doNotShareWarningEnabled;
  if (input.totpIssuer !== undefined) {
    if (input.totpIssuer !== null && !ISSUER_PATTERN.test(input.totpIssuer)) {
      refuse('Totp.Issuer', 'Totp.Issuer must be 1-32 letters, digits, spaces, ".", "_" or "-".');
    }
    settings.totpIssuer = input.totpIssuer;
  }
  if (input.totpTimeStep !== undefined && input.totpTimeStep !== null) {
    const step = input.totpTimeStep;
    if (!Number.isInteger(step) || step < TOTP_TIME_STEPS.min || step > TOTP_TIME_STEPS.max) {
      refuse(
        'Totp.TimeStep',
        `Totp.TimeStep must be an integer from ${TOTP_TIME_STEPS.min} to ${TOTP_TIME_STEPS.max}.`,
      );
    }
  }
  if (input.totpTimeStep !== undefined) settings.totpTimeStep = input.totpTimeStep;
  if (input.totpCodeLength !== undefined && input.totpCodeLength !== null && ![6, 8].includes(input.totpCodeLength)) {
    refuse('Totp.CodeLength', 'Tessera’s authenticators make 6 or 8 digits: Totp.CodeLength must be 6 or 8.');
  }
  if (input.totpCodeLength !== undefined) settings.totpCodeLength = input.totpCodeLength;
  if (input.totpSkew !== undefined && input.totpSkew !== null && input.totpSkew !== TOTP_SKEW) {
    refuse('Totp.Skew', 'Tessera accepts one time step either way: Totp.Skew must be 1.');
  }
  if (input.totpSkew !== undefined) settings.totpSkew = input.totpSkew;
  return { ...record, friendlyName, codeLength, settings };
}

function toView(record: VerifyServiceRecord): VerifyServiceView {
  return {
    id: record.id,
    ownerId: record.ownerId,
    friendlyName: record.friendlyName,
    codeLength: record.codeLength,
    settings: record.settings,
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
  };
}
