import { auditContextOfChange } from '../audit/audit-context.js';
import type { AuditTrail } from '../audit/audit-trail.js';
import type { SecurityEvent } from '../audit/events.js';
import { type Actor, clientIpOf } from '../auth/actor.js';
import type { Authorizer } from '../auth/authorizer.js';
import type { Clock } from '../clock.js';
import { newId } from '../crypto/random.js';
import { TesseraError } from '../errors/tessera-error.js';
import type {
  HistoryAction,
  HistoryActor,
  HistoryFilter,
  HistoryRecord,
  StoredHistoryRecord,
} from '../storage/records.js';
import type { HistoryRepository, Repositories, UnitOfWork } from '../storage/repositories.js';

/** Where an entry is written: the history and the audit trail of one unit of work. */
export type HistoryUnit = Pick<Repositories, 'history' | 'audit'>;

/** Who did it and from where: every change names its actor and client IP. */
export interface ChangeContext {
  actor: HistoryActor;
  actorId: string | null;
  clientIp: string | null;
}

/** How a change by `actor` to `subjectUserId`'s 2FA is recorded: by the owner, an admin, or the system. */
export function changeContextFor(actor: Actor, subjectUserId: string | null): ChangeContext {
  if (actor.kind !== 'user') return { actor: 'system', actorId: null, clientIp: clientIpOf(actor) };
  const self = actor.userId === subjectUserId;
  return { actor: self ? 'self' : 'admin', actorId: actor.userId, clientIp: actor.clientIp };
}

export interface HistoryEntryView {
  id: string;
  /** The entry's number (1, 2, 3, … in the order written): the integer id B2Core's clients expect. */
  number: number;
  userId: string | null;
  userPseudonym: string | null;
  method: string;
  action: HistoryAction;
  enabled: boolean;
  actor: HistoryActor;
  actorId: string | null;
  clientIp: string | null;
  details: Record<string, unknown>;
  createdAt: string;
}

export interface HistoryQuery extends HistoryFilter {
  order?: 'asc' | 'desc';
  limit?: number;
  offset?: number;
}

export const HISTORY_MAX_LIMIT = 100;

export interface HistoryListing {
  items: HistoryEntryView[];
  total: number;
  limit: number;
  offset: number;
}

/** The 2FA change history: who enabled, disabled, reset or regenerated what, when and from where. */
export class HistoryService {
  constructor(
    private readonly deps: {
      history: HistoryRepository;
      clock: Clock;
      authorizer: Authorizer;
      /** Every change recorded here is a security event of the audit trail too, in the same transaction. */
      audit: AuditTrail;
      storage: UnitOfWork;
    },
  ) {}

  /** The caller's own entries. */
  async listOwn(actor: Actor, query: Omit<HistoryQuery, 'userId'>): Promise<HistoryListing> {
    const userId = await this.deps.authorizer.own(actor, 'own.read');
    return this.list({ ...query, userId });
  }

  async getOwn(actor: Actor, id: string): Promise<HistoryEntryView> {
    const userId = await this.deps.authorizer.own(actor, 'own.read');
    return this.get(id, userId);
  }

  /** Every account's entries and the system's (admins). */
  async listAll(actor: Actor, query: HistoryQuery): Promise<HistoryListing> {
    await this.deps.authorizer.admin(actor, 'admin.read');
    return this.list(query);
  }

  /** One of the caller's entries by its number (B2Core's integer change id). */
  async getOwnByNumber(actor: Actor, number: number): Promise<HistoryEntryView> {
    const userId = await this.deps.authorizer.own(actor, 'own.read');
    const record = Number.isSafeInteger(number) ? await this.deps.history.findByNumber(number) : undefined;
    return this.ownView(record, userId);
  }

  async getAny(actor: Actor, id: string): Promise<HistoryEntryView> {
    await this.deps.authorizer.admin(actor, 'admin.read');
    return this.get(id);
  }

  async record(
    entry: {
      userId: string | null;
      method: string;
      action: HistoryAction;
      enabled: boolean;
      details?: object;
      /** The audit trail's event for the entry, when it is not the one its method and action name. */
      auditEvent?: SecurityEvent;
    },
    context: ChangeContext,
    /** The repositories of a unit of work, when the entry belongs with the change's other writes. */
    unit?: HistoryUnit,
  ): Promise<HistoryEntryView> {
    if (!unit) return this.deps.storage.transaction((tx) => this.record(entry, context, tx));
    const record: HistoryRecord = {
      id: newId(),
      userId: entry.userId,
      userPseudonym: null,
      method: entry.method,
      action: entry.action,
      enabled: entry.enabled,
      actor: context.actor,
      actorId: context.actorId,
      clientIp: context.clientIp,
      details: JSON.stringify(entry.details ?? {}),
      createdAt: this.deps.clock.now(),
    };
    const number = await unit.history.insert(record);
    await this.deps.audit.record(
      entry.auditEvent ?? auditEventOfChange(entry),
      auditContextOfChange(context),
      unit.audit,
    );
    return toHistoryView({ ...record, number });
  }

  private async list(query: HistoryQuery): Promise<HistoryListing> {
    const limit = Math.min(query.limit ?? 20, HISTORY_MAX_LIMIT);
    const offset = query.offset ?? 0;
    const { order, limit: _limit, offset: _offset, ...filter } = query;
    const page = await this.deps.history.list(filter, order ?? 'desc', limit, offset);
    return { items: page.items.map(toHistoryView), total: page.total, limit, offset };
  }

  /** One entry; `userId` restricts it to that account's entries (a user's own view). */
  private async get(id: string, userId?: string): Promise<HistoryEntryView> {
    return this.ownView(await this.deps.history.findById(id), userId);
  }

  /** The entry's view, when there is one and (with `userId`) it is that account's: else not found. */
  private ownView(record: StoredHistoryRecord | undefined, userId?: string): HistoryEntryView {
    if (!record || (userId !== undefined && record.userId !== userId))
      throw new TesseraError('HISTORY_ENTRY_NOT_FOUND');
    return toHistoryView(record);
  }
}

/** The audit trail's name for a change the history records. */
function auditEventOfChange(entry: {
  userId: string | null;
  method: string;
  action: HistoryAction;
  enabled: boolean;
  details?: object;
}): SecurityEvent {
  const { userId, method, action, enabled } = entry;
  if (method === 'policy') return { action: 'settings.changed', userId: null, details: { setting: 'policy' } };
  if (action === 'unlock') return { action: 'lockout.cleared', userId, details: {} };
  if (method === 'account') return { action: 'admin.account', userId, details: { change: action } };
  const details = (entry.details ?? {}) as { event?: unknown; credential?: unknown; name?: unknown };
  if (method === 'webauthn' && details.event === 'sign_count_regressed') {
    return {
      action: 'webauthn.clone_warning',
      userId,
      details: { credentialId: String(details.credential), name: String(details.name) },
    };
  }
  return { action: 'factor.changed', userId, details: { method, change: action, enabled } };
}

export function toHistoryView(record: StoredHistoryRecord): HistoryEntryView {
  return {
    id: record.id,
    number: record.number,
    userId: record.userId,
    userPseudonym: record.userPseudonym,
    method: record.method,
    action: record.action,
    enabled: record.enabled,
    actor: record.actor,
    actorId: record.actorId,
    clientIp: record.clientIp,
    details: JSON.parse(record.details) as Record<string, unknown>,
    createdAt: record.createdAt.toISOString(),
  };
}
