import type { FastifyInstance } from 'fastify';
import { bearer, type EnrolledTotp, enrollTotp, signUpAndSignIn } from './harness.js';
import type { MutableClock } from './mutable-clock.js';

export interface TotpUser extends EnrolledTotp {
  username: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

/**
 * A signed-in user with a confirmed authenticator; the clock is then moved one step on, so the
 * confirming code is spent and the current code is fresh.
 */
export async function createTotpUser(app: FastifyInstance, clock: MutableClock): Promise<TotpUser> {
  const session = await signUpAndSignIn(app);
  const totp = await enrollTotp(app, session.accessToken, clock.now());
  clock.advanceSeconds(30);
  return { ...session, ...totp };
}

export async function verifyCode(app: FastifyInstance, accessToken: string, code: string) {
  return app.inject({ method: 'POST', url: '/api/v1/me/verify', headers: bearer(accessToken), payload: { code } });
}

/** A six-digit code that is not `code`. */
export function wrongCode(code: string): string {
  return String((Number(code) + 500_000) % 1_000_000).padStart(6, '0');
}
