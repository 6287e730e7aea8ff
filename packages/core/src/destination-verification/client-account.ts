import type { Actor } from '../auth/actor.js';
import type { Authorizer } from '../auth/authorizer.js';
import { TesseraError } from '../errors/tessera-error.js';

/**
 * The client account of a Verify-style call: an admin's (a platform verifies its users' numbers
 * and manages their authenticators, as integration way 2 does). Its services are its own, and
 * its sends count toward its own limits. The command line is no client account.
 */
export async function clientAccountOf(
  authorizer: Authorizer,
  actor: Actor,
  operation: 'admin.read' | 'admin.manage' | 'admin.verify',
): Promise<string> {
  const admin = await authorizer.admin(actor, operation);
  if (admin.kind !== 'user') throw new TesseraError('FORBIDDEN', { message: 'This needs an admin API token.' });
  return admin.userId;
}
