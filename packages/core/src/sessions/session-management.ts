import { auditContextOf } from '../audit/audit-context.js';
import type { AuditTrail } from '../audit/audit-trail.js';
import type { Actor } from '../auth/actor.js';
import type { Authorizer } from '../auth/authorizer.js';
import type { Clock } from '../clock.js';
import type { TrustedDeviceService, TrustedDeviceView } from '../devices/trusted-device-service.js';
import { TesseraError } from '../errors/tessera-error.js';
import type { SessionFamilyRecord } from '../storage/records.js';
import type { SessionRepository } from '../storage/repositories.js';

export interface SessionView {
  id: string;
  createdAt: string;
  /** The last sign-in or refresh (an access token lives 15 minutes between refreshes). */
  lastUsedAt: string | null;
  clientIp: string | null;
  userAgent: string | null;
  /** The session the request was made with. */
  current: boolean;
}

export interface SessionsOverview {
  sessions: SessionView[];
  /** Devices remembered at sign-in: each skips the second factor until it is forgotten. */
  devices: TrustedDeviceView[];
}

export interface RevokeAllInput {
  /** Keep the session of this request (default): "sign out everywhere else". */
  keepCurrent?: boolean;
  /** Forget the remembered devices too. */
  forgetDevices?: boolean;
}

/**
 * A signed-in user's view of where they are signed in, and the way to end it: one session, or
 * all of them (but the current one), with the remembered devices if asked. Ending a session
 * ends its refresh token and, at their next request, its access tokens.
 */
export class SessionManagement {
  constructor(
    private readonly deps: {
      sessions: SessionRepository;
      devices: TrustedDeviceService;
      authorizer: Authorizer;
      clock: Clock;
      audit: AuditTrail;
    },
  ) {}

  async list(actor: Actor): Promise<SessionsOverview> {
    const userId = await this.deps.authorizer.own(actor, 'own.read');
    const current = currentSessionOf(actor);
    const families = await this.deps.sessions.listActive(userId, this.deps.clock.now());
    return {
      sessions: families.map((family) => toView(family, current)),
      devices: await this.deps.devices.list(actor),
    };
  }

  async revoke(actor: Actor, sessionId: string): Promise<void> {
    const userId = await this.deps.authorizer.own(actor, 'own.manage');
    if (!(await this.deps.sessions.revokeOwned(sessionId, userId, this.deps.clock.now()))) {
      throw new TesseraError('SESSION_NOT_FOUND');
    }
    await this.deps.audit.record(
      { action: 'sessions.revoked', userId, details: { count: 1, sessionId } },
      auditContextOf(actor),
    );
  }

  async revokeAll(
    actor: Actor,
    input: RevokeAllInput = {},
  ): Promise<{ sessionsRevoked: number; devicesForgotten: number }> {
    const userId = await this.deps.authorizer.own(actor, 'own.manage');
    const keep = (input.keepCurrent ?? true) ? currentSessionOf(actor) : undefined;
    const now = this.deps.clock.now();
    // The answer counts the sessions that were usable, as the list shows them.
    const live = await this.deps.sessions.listActive(userId, now);
    await this.deps.sessions.revokeAllForUser(userId, now, keep);
    const sessionsRevoked = live.filter((session) => session.id !== keep).length;
    const devicesForgotten = input.forgetDevices ? await this.deps.devices.revokeAll(userId) : 0;
    await this.deps.audit.record(
      { action: 'sessions.revoked', userId, details: { count: sessionsRevoked } },
      auditContextOf(actor),
    );
    return { sessionsRevoked, devicesForgotten };
  }
}

/** The session family of the request, when it was made with an access token or a cPanel session. */
function currentSessionOf(actor: Actor): string | undefined {
  return actor.kind === 'user' && actor.authentication.method === 'session'
    ? actor.authentication.sessionId
    : undefined;
}

function toView(family: SessionFamilyRecord, current: string | undefined): SessionView {
  return {
    id: family.id,
    createdAt: family.createdAt.toISOString(),
    lastUsedAt: family.lastUsedAt?.toISOString() ?? null,
    clientIp: family.clientIp,
    userAgent: family.userAgent,
    current: family.id === current,
  };
}
