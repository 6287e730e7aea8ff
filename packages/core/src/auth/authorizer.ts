import { TesseraError } from '../errors/tessera-error.js';
import type { PolicyService } from '../policy/policy-service.js';
import { type Actor, isHeldToTwoFactorPolicy, isPersonSignedIn, type SystemActor, type UserActor } from './actor.js';
import { OPERATIONS, type Operation } from './operations.js';

/**
 * Who may do what, for every API shape. Services call this first, with the actor the adapter
 * built from its credentials; adapters decide nothing.
 */
export class Authorizer {
  constructor(private readonly policy: Pick<PolicyService, 'assertSatisfiedBy'>) {}

  /**
   * For operations on the caller's own account: returns the caller's user id. Refuses anyone not
   * signed in, a read-only token asked to write, and a person the policy holds to enrollment.
   */
  async own(actor: Actor, operation: Operation): Promise<string> {
    const rule = OPERATIONS[operation];
    if (rule.audience !== 'own') throw new Error(`${operation} is not an operation on one's own account`);
    const user = this.signedIn(actor);
    await this.check(user, operation);
    return user.userId;
  }

  /**
   * For operations on other accounts or on the whole system: admins and the command-line
   * operator only. Returns the actor, narrowed.
   */
  async admin(actor: Actor, operation: Operation): Promise<UserActor | SystemActor> {
    const rule = OPERATIONS[operation];
    if (rule.audience !== 'admin') throw new Error(`${operation} is not an admin operation`);
    if (actor.kind === 'system') return actor;
    const user = this.signedIn(actor);
    if (user.role !== 'admin') throw new TesseraError('FORBIDDEN', { message: 'This needs an admin.' });
    await this.check(user, operation);
    return user;
  }

  private signedIn(actor: Actor): UserActor {
    if (actor.kind === 'user') return actor;
    if (actor.kind === 'anonymous') throw new TesseraError('UNAUTHENTICATED');
    // The command line acts as the system, never as one user.
    throw new TesseraError('FORBIDDEN', { message: 'This operation needs a user account.' });
  }

  private async check(user: UserActor, operation: Operation): Promise<void> {
    const rule = OPERATIONS[operation];
    const auth = user.authentication;
    if (rule.writes && auth.method === 'api_token' && auth.scope === 'read') {
      throw new TesseraError('FORBIDDEN', { message: 'This API token is read-only.' });
    }
    if ('personOnly' in rule && rule.personOnly && !isPersonSignedIn(user)) {
      throw new TesseraError('FORBIDDEN', { message: 'An API token cannot do this; sign in as a person.' });
    }
    // The policy binds people, and the tokens a password alone made (see isHeldToTwoFactorPolicy).
    if (!rule.enrollment && isHeldToTwoFactorPolicy(user)) await this.policy.assertSatisfiedBy(user.userId);
  }
}
