import type { SentCode } from '../delivery/delivered-code-service.js';
import type { SecurityEvent } from '../notifications/notification-service.js';
import type { TotpParams, TotpSecretBits } from '../otp/index.js';
import type { DeliveryChannel, FactorDetailsByKind, FactorKind, FactorOf, UserRecord } from '../storage/records.js';
import type { Repositories } from '../storage/repositories.js';
import type { BackupCodeSet } from './backup-codes/backup-code-service.js';
import type { TotpEnrollmentDisplay } from './totp/totp.method.js';
import type { EnrolledCredential, IssuedWebAuthnChallenge } from './webauthn/webauthn-ceremonies.js';

/**
 * What a person offers as a second factor: a code typed in (as a string of digits, or as a number
 * where a vendor API types codes as integers and so drops leading zeros), or (for WebAuthn) an
 * assertion object signed by an authenticator, or the registration response of a new one. A method
 * refuses a proof of a type it does not take.
 */
export type Proof =
  | { type: 'code'; code: string }
  | { type: 'number'; value: number }
  | { type: 'assertion'; assertion: Readonly<Record<string, unknown>> }
  | { type: 'registration'; registration: Readonly<Record<string, unknown>> };

/** A WebAuthn assertion (the browser's `PublicKeyCredential` as JSON) offered as a proof. */
export function assertionProof(assertion: Readonly<Record<string, unknown>>): Proof {
  return { type: 'assertion', assertion };
}

/** The browser's answer to a registration ceremony, confirming a new security key. */
export function registrationProof(registration: Readonly<Record<string, unknown>>): Proof {
  return { type: 'registration', registration };
}

export function codeProof(code: string): Proof {
  return { type: 'code', code };
}

/** A code sent as a JSON number (VPSBG `otp`, UAPI `tfa_token`). */
export function numericCodeProof(value: number): Proof {
  return { type: 'number', value };
}

/** What a check needs beyond the factor and the proof. */
export interface VerifyContext {
  now: Date;
  /** Methods whose codes are sent: the sent code this answer belongs to. */
  deliveredCodeId?: string;
  /** Methods whose codes are sent: which purposes count (a code sent to enable SMS cannot sign in). */
  purposes: readonly string[];
  /** Methods that answer a challenge (WebAuthn): the challenge issued, and the flow it was issued for. */
  challengeId?: string;
  flowId?: string | null;
  /** WebAuthn: the authenticator must have verified the user (a passkey sign-in without a password). */
  requireUserVerification?: boolean;
}

/** `cloned`: a security key answered with a signature counter not above the last one seen. */
export type RefusalReason = 'wrong_code' | 'replayed' | 'expired' | 'exhausted' | 'used' | 'cloned';

/**
 * The outcome of checking a proof. A wrong code is a value, not an exception: six API shapes call
 * a method and each turns the outcome into its own answer. `notice` is what the owner should be
 * told (a replayed code, the last backup code used).
 */
export type Verification =
  | {
      ok: true;
      usedStep?: number;
      backupCodesRemaining?: number;
      notice?: SecurityEvent;
      /** WebAuthn registration: the new credential, written when the enrollment is confirmed. */
      enrolled?: EnrolledCredential;
      /** WebAuthn: whether the authenticator verified the user (PIN, biometrics) this time. */
      userVerified?: boolean;
    }
  | { ok: false; reason: RefusalReason; notice?: SecurityEvent };

/** What enrollment needs to know, whatever the method. */
export interface EnrollmentRequest<K extends FactorKind = FactorKind> {
  factorId: string;
  user: UserRecord;
  issuer: string;
  /** SMS: the number to enroll (E.164); the account's number when absent. */
  phone?: string;
  /** SMS: a success token for `change_phone`, needed to move codes to a number other than the account's. */
  successToken?: string;
  /** TOTP: parameters other than the SHA1/6/30 default. */
  totp?: Partial<TotpParams>;
  /** TOTP: the size of the secret, when not 160 bits (the cPanel dialects, when configured). */
  totpSecretBits?: TotpSecretBits;
  /** WebAuthn: the active factor a new credential is added to, when the method is on already. */
  addingTo?: FactorOf<K>;
}

/**
 * How an enrollment goes on. `confirm`: a pending factor with these details waits for a proof
 * (`sendTo` set: a code must be sent there first). `immediate`: the method is active already
 * (backup codes) and `backupCodes` is shown once.
 */
export type EnrollmentStart<K extends FactorKind> =
  | {
      activation: 'confirm';
      details: FactorDetailsByKind[K];
      totp?: TotpEnrollmentDisplay;
      sendTo?: string;
      /** WebAuthn: the options for `navigator.credentials.create()`, with their challenge. */
      webauthn?: IssuedWebAuthnChallenge;
    }
  | { activation: 'immediate'; backupCodes: BackupCodeSet };

/** What enrollment shows the user, whichever method: a key and QR code, a sent code, a code set. */
export interface EnrollmentDisplay {
  totp?: TotpEnrollmentDisplay;
  delivery?: SentCode;
  backupCodes?: BackupCodeSet;
}

/**
 * The one interface every second-factor method implements, each in its own folder. Flows and the
 * verifier find methods through the MethodRegistry and never branch on the kind.
 */
export interface SecondFactorMethod<K extends FactorKind> {
  readonly kind: K;
  /** Where this method's codes are sent, or null when the user's device makes them. */
  readonly channel: DeliveryChannel | null;
  /**
   * Whether beginning an enrollment only sets aside a pending secret: it sends nothing and
   * activates nothing, so a read-only credential may begin one.
   */
  readonly quietBegin: boolean;
  /** Starts enrollment: the details of a pending factor, or (backup codes) the method active at once. */
  begin(request: EnrollmentRequest<K>): Promise<EnrollmentStart<K>>;
  /** Throws CODE_MALFORMED for a proof that cannot be right, before any attempt is counted. */
  assertWellFormed(factor: FactorOf<K>, proof: Proof): void;
  /** Checks a proof; whatever makes it single-use happens here. */
  verify(factor: FactorOf<K>, proof: Proof, context: VerifyContext): Promise<Verification>;
  /** Public, non-secret facts about the factor for listing. */
  describe(factor: FactorOf<K>): Record<string, string | number>;
  /**
   * How many digits every code of the factor has, so a form can submit on the last one (and not
   * early, for an 8-digit code). Absent where it varies or there is no code to type.
   */
  codeDigits?(factor: FactorOf<K>): number;
  /** Where a code for this factor goes (SMS and e-mail). */
  destination?(factor: FactorOf<K>, user: UserRecord): string;
  /** Writes that belong with activation, in its transaction (SMS: the account's phone number). */
  onActivate?(factor: FactorOf<K>, repositories: Repositories): Promise<void>;
  /** Removes the method's own data with the factor, in its transaction (backup codes: the set). */
  onRemove?(factor: FactorOf<K>, repositories: Repositories): Promise<void>;
  /**
   * The method holds several credentials under one factor (WebAuthn): enabling it again while it is
   * active adds one instead of being refused as already active.
   */
  readonly addsToActive?: boolean;
  /** Writes what a confirmed enrollment brought (WebAuthn: the new credential), in its transaction. */
  onEnrolled?(factor: FactorOf<K>, enrolled: EnrolledCredential, repositories: Repositories): Promise<void>;
  /**
   * Methods whose proof answers a challenge the server issues (WebAuthn): issues one for `factor`
   * and `purpose`, bound to the flow; the options go to the browser.
   */
  issueChallenge?(
    factor: FactorOf<K>,
    request: { purpose: string; flowId: string; userVerification?: 'required' },
  ): Promise<IssuedWebAuthnChallenge>;
}

/**
 * The code of a proof as the digits typed, for the methods that take codes of `digits` digits. A
 * number gets back the leading zeros it lost; a number longer than `digits` stays longer, and so is
 * simply a wrong code.
 */
export function proofCode(proof: Proof, digits: number): string | undefined {
  if (proof.type === 'code') return proof.code;
  if (proof.type === 'number' && Number.isSafeInteger(proof.value) && proof.value >= 0) {
    return String(proof.value).padStart(digits, '0');
  }
  return undefined;
}

/**
 * Whether a proof can be a code of `digits` digits at all (checked before an attempt is counted):
 * a string of exactly that many digits, or a whole number (of any length: a longer one is a wrong
 * code, not a malformed one, as it would be from an app).
 */
export function isCodeShaped(proof: Proof, digits: number): boolean {
  if (proof.type === 'number') return proofCode(proof, digits) !== undefined;
  return proof.type === 'code' && /^\d+$/.test(proof.code) && proof.code.length === digits;
}
