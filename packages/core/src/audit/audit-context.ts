import type { Actor } from '../auth/actor.js';
import type { ChangeContext } from '../history/history-service.js';
import type { AuditActorKind } from './events.js';

/** Who an audit entry names as its actor, and from where. */
export interface AuditContext {
  actorKind: AuditActorKind;
  actorId: string | null;
  clientIp: string | null;
}

export const SYSTEM_AUDIT_CONTEXT: AuditContext = { actorKind: 'system', actorId: null, clientIp: null };

export function auditContextOf(actor: Actor): AuditContext {
  if (actor.kind === 'user') return { actorKind: 'user', actorId: actor.userId, clientIp: actor.clientIp };
  if (actor.kind === 'anonymous') return { actorKind: 'anonymous', actorId: null, clientIp: actor.clientIp };
  return SYSTEM_AUDIT_CONTEXT;
}

/** The history's way of naming who made a change, as the audit trail names it. */
export function auditContextOfChange(context: ChangeContext): AuditContext {
  if (context.actor === 'system') return { actorKind: 'system', actorId: null, clientIp: context.clientIp };
  return { actorKind: 'user', actorId: context.actorId, clientIp: context.clientIp };
}

/** An actor who signs in names the account as its actor once the password proved who they are. */
export function signingInContext(actor: Actor, userId: string): AuditContext {
  const context = auditContextOf(actor);
  return context.actorKind === 'anonymous' ? { ...context, actorKind: 'user', actorId: userId } : context;
}
