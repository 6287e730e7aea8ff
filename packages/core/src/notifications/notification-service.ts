import type { EmailSender } from '../delivery/delivery-ports.js';
import type { Logger } from '../logger.js';
import type { UserRecord } from '../storage/records.js';

export type SecurityEvent =
  | { type: 'factor_enabled'; method: string }
  | { type: 'factor_disabled'; method: string }
  | { type: 'factors_reset_by_admin' }
  | { type: 'backup_codes_regenerated' }
  | { type: 'last_backup_code_used' }
  | { type: 'replayed_code_refused' }
  /** `afterPassword`: the attempt that locked the account came with its right password. */
  | { type: 'second_factor_failures'; failures: number; afterPassword: boolean }
  | { type: 'recovery_failures'; failures: number }
  | { type: 'second_factor_suspended'; failures: number }
  | { type: 'second_factor_unlocked' }
  | {
      type: 'password_changed';
      sessionsEnded: number;
      devicesForgotten: number;
      keptCurrentSession: boolean;
      /** An admin set it (`POST /admin/users/{id}/password`), not the owner. */
      byAdmin?: boolean;
    }
  | { type: 'sign_up_with_your_address' }
  /** `what`: "e-mail address" or "phone number"; `to`: the new one, masked. */
  | { type: 'contact_changed'; what: string; to: string }
  | { type: 'totp_key_exported' }
  /** To the address the account had. `to`: the new value, masked, or null when it was removed. */
  | { type: 'contact_changed_by_admin'; what: string; to: string | null }
  /** To the new address, which its owner did not confirm: they learn that notices now come there. */
  | { type: 'email_address_set_by_admin' }
  | { type: 'account_disabled_by_admin' }
  | { type: 'account_enabled_by_admin' }
  /** A security key answered with a signature counter not above the last one: it may have been copied. */
  | { type: 'webauthn_clone_suspected'; name: string };

/**
 * Security notices by e-mail (OWASP ASVS 2.8.5, 6.3.5). A notice never holds up or fails the
 * request that caused it: it is sent in the background, and a failure is logged, not lost.
 */
export class NotificationService {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly deps: {
      email: EmailSender;
      logger: Logger;
      issuer: () => Promise<string>;
      findUser: (userId: string) => Promise<UserRecord | undefined>;
    },
  ) {}

  notify(user: UserRecord, event: SecurityEvent): void {
    this.track(user.id, event, async () => user);
  }

  /** As notify, for a caller that has only the account id. */
  notifyById(userId: string, event: SecurityEvent): void {
    this.track(userId, event, () => this.deps.findUser(userId));
  }

  private track(userId: string, event: SecurityEvent, load: () => Promise<UserRecord | undefined>): void {
    const task = load()
      .then((user) => (user?.email ? this.send(user.email, user, event) : undefined))
      .catch((error: unknown) => {
        this.deps.logger.error(
          { userId, event: event.type, err: error instanceof Error ? error.message : String(error) },
          'security notification failed',
        );
      })
      .finally(() => this.inFlight.delete(task));
    this.inFlight.add(task);
  }

  /** Resolves when every notice sent so far has been delivered or has failed (tests, shutdown). */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private async send(to: string, user: UserRecord, event: SecurityEvent): Promise<void> {
    const issuer = await this.deps.issuer();
    const { subject, text } = describe(event);
    await this.deps.email.send({
      to,
      subject: `${issuer}: ${subject}`,
      text: `Hello ${user.username},\n\n${text}\n\nIf this was not you, change your password and review your two-factor settings.`,
    });
    this.deps.logger.info({ userId: user.id, event: event.type }, 'security notification sent');
  }
}

function describe(event: SecurityEvent): { subject: string; text: string } {
  switch (event.type) {
    case 'factor_enabled':
      return { subject: 'two-factor method enabled', text: `The ${methodName(event.method)} was enabled.` };
    case 'factor_disabled':
      return { subject: 'two-factor method disabled', text: `The ${methodName(event.method)} was disabled.` };
    case 'factors_reset_by_admin':
      return { subject: 'two-factor authentication reset', text: 'An administrator removed your second factors.' };
    case 'backup_codes_regenerated':
      return { subject: 'new backup codes', text: 'New backup codes were generated; the old ones no longer work.' };
    case 'last_backup_code_used':
      return { subject: 'last backup code used', text: 'Your last backup code was used. Generate new ones.' };
    case 'replayed_code_refused':
      return {
        subject: 'a used code was tried again',
        text: 'An authenticator code that had already been used was presented again and refused.',
      };
    case 'second_factor_failures':
      // Only a sign-in with the password may say the password is known: an account locked through
      // /verify, a session or a passkey may have no password at all.
      return event.afterPassword
        ? {
            subject: 'failed sign-in attempts',
            text: `Your password was entered correctly, but the second factor failed ${event.failures} times in a row.`,
          }
        : {
            subject: 'failed second-factor attempts',
            text:
              `A second-factor code for your account was wrong ${event.failures} times in a row. No password came ` +
              'with these attempts: they came from a signed-in session or from a service that checks codes for your account.',
          };
    case 'recovery_failures':
      return {
        subject: 'failed password recovery',
        text:
          `Someone asked to reset your password and entered a wrong code ${event.failures} times in a row. ` +
          'Password recovery of your account is paused for a while; your sign-in is not affected.',
      };
    case 'second_factor_suspended':
      return {
        subject: 'second factor suspended',
        text:
          `The second factor of your account failed ${event.failures} times in a row, so Tessera has stopped ` +
          'checking codes for it. Ask an administrator to unlock it; until then you cannot sign in with a second factor.',
      };
    case 'second_factor_unlocked':
      return {
        subject: 'second factor unlocked',
        text: 'An administrator cleared the failed attempts and locks of your second factor.',
      };
    case 'password_changed':
      return { subject: 'password changed', text: passwordChangedText(event) };
    case 'sign_up_with_your_address':
      return {
        subject: 'someone tried to sign up with your address',
        text: 'Someone tried to create a new account with your e-mail address. No account was created; you can sign in to your existing one or reset its password.',
      };
    case 'contact_changed':
      return {
        subject: `${event.what} changed`,
        text: `The ${event.what} of your account was changed to ${event.to}. Codes and notices now go there.`,
      };
    case 'totp_key_exported':
      return {
        subject: 'authenticator key exported',
        text: 'An administrator exported the key of your authenticator app, to move it to another system.',
      };
    case 'contact_changed_by_admin':
      return {
        subject: `${event.what} changed by an administrator`,
        text:
          event.to === null
            ? `An administrator removed the ${event.what} of your account.`
            : `An administrator changed the ${event.what} of your account to ${event.to}. Codes and notices now go there.`,
      };
    case 'email_address_set_by_admin':
      return {
        subject: 'e-mail address set by an administrator',
        text: 'An administrator made this the e-mail address of your account. Codes and notices now come here.',
      };
    case 'account_disabled_by_admin':
      return {
        subject: 'account disabled',
        text: 'An administrator disabled your account: it cannot sign in, and its sessions were ended.',
      };
    case 'account_enabled_by_admin':
      return {
        subject: 'account enabled',
        text: 'An administrator enabled your account again: it can sign in.',
      };
    case 'webauthn_clone_suspected':
      return {
        subject: 'security key refused',
        text: `Your security key "${event.name}" signed in with a counter lower than before, which a copied key would do. The attempt was refused. If you did not expect this, remove the key and register it again.`,
      };
  }
}

function passwordChangedText(event: Extract<SecurityEvent, { type: 'password_changed' }>): string {
  const sessions = event.keptCurrentSession
    ? `Every other session of your account was signed out (${count(event.sessionsEnded, 'session')} ended); the one that changed it stays signed in.`
    : `Every session of your account was signed out (${count(event.sessionsEnded, 'session')} ended).`;
  return (
    `${event.byAdmin ? 'An administrator set a new password for your account.' : 'Your password was changed.'} ${sessions} Remembered devices must pass the second factor again ` +
    `(${count(event.devicesForgotten, 'device')} forgotten).`
  );
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function methodName(method: string): string {
  const names: Record<string, string> = {
    totp: 'authenticator app',
    sms: 'SMS code method',
    email: 'e-mail code method',
    backup_codes: 'backup code set',
  };
  return names[method] ?? method;
}
