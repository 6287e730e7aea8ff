import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';

/*
 * A WebAuthn authenticator in software, for the tests that run without a browser: a P-256 key per
 * credential (node:crypto), authenticator data and attestation objects built as WebAuthn §6.1 and
 * §6.5 lay them out, CBOR through the encoder @simplewebauthn/server ships (isoCBOR). It answers
 * the options the server hands out exactly as a browser would pass them on, and can be told to
 * answer wrongly (another origin, another RP ID, a bad signature, a counter set back).
 */

type Json = Record<string, unknown>;
type Cbor = Parameters<typeof isoCBOR.encode>[0];

interface StoredCredential {
  id: string;
  privateKey: KeyObject;
  rpId: string;
  userHandle: string;
  discoverable: boolean;
  counter: number;
}

export interface AuthenticatorOptions {
  origin: string;
  /** The model it says it is (all zeros: says nothing). */
  aaguid?: string;
  /** Whether it verifies the user (a PIN or biometric) when asked. */
  userVerification?: boolean;
  /** Whether it makes discoverable credentials (passkeys) when asked for a resident key. */
  residentKeys?: boolean;
  /** Whether its credentials may be synced (a multi-device passkey). */
  backupEligible?: boolean;
  /** Counter step per use; 0 for authenticators that keep no counter. */
  counterStep?: number;
}

export interface Tampering {
  origin?: string;
  rpId?: string;
  challenge?: string;
  /** Flip a bit of the signature. */
  badSignature?: boolean;
  /** Sign with this counter instead of the next one. */
  counter?: number;
  /** Leave out the user-verified flag even if asked for it. */
  withoutUserVerification?: boolean;
  /** Answer with this credential (by id) even if the options do not list it. */
  credentialId?: string;
}

const UP = 0x01;
const UV = 0x04;
const BE = 0x08;
const BS = 0x10;
const AT = 0x40;

export class SoftwareAuthenticator {
  private readonly credentials = new Map<string, StoredCredential>();
  private readonly aaguid: Uint8Array;

  constructor(private readonly options: AuthenticatorOptions) {
    this.aaguid = Buffer.from((options.aaguid ?? '00000000-0000-0000-0000-000000000000').replaceAll('-', ''), 'hex');
  }

  /** The ids of the credentials it holds, newest last. */
  get credentialIds(): string[] {
    return [...this.credentials.keys()];
  }

  /** Answers `navigator.credentials.create()` with these options. */
  register(creationOptions: Json, tampering: Tampering = {}): Json {
    const rp = creationOptions.rp as { id: string };
    const user = creationOptions.user as { id: string };
    const selection = (creationOptions.authenticatorSelection ?? {}) as {
      residentKey?: string;
      userVerification?: string;
    };
    const excluded = ((creationOptions.excludeCredentials ?? []) as { id: string }[]).map((c) => c.id);
    if (excluded.some((id) => this.credentials.has(id))) throw new Error('InvalidStateError: already registered');
    const rpId = tampering.rpId ?? rp.id;
    const discoverable = (this.options.residentKeys ?? true) && selection.residentKey !== 'discouraged';
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const id = randomBytes(16).toString('base64url');
    const stored: StoredCredential = { id, privateKey, rpId, userHandle: user.id, discoverable, counter: 0 };
    const jwk = publicKey.export({ format: 'jwk' });
    const coseKey = new Map<string | number, Cbor>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, Buffer.from(jwk.x ?? '', 'base64url')],
      [-3, Buffer.from(jwk.y ?? '', 'base64url')],
    ]);
    const credentialId = Buffer.from(id, 'base64url');
    const attested = Buffer.concat([
      this.aaguid,
      Buffer.from([credentialId.length >> 8, credentialId.length & 0xff]),
      credentialId,
      isoCBOR.encode(coseKey),
    ]);
    const verified = this.verifies(selection.userVerification, tampering);
    const authData = this.authData(rpId, AT | (verified ? UV : 0), stored.counter, attested);
    const clientDataJSON = this.clientData('webauthn.create', creationOptions.challenge as string, tampering);
    const attestationObject = isoCBOR.encode(
      new Map<string | number, Cbor>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    );
    this.credentials.set(id, stored);
    return {
      id,
      rawId: id,
      type: 'public-key',
      response: {
        clientDataJSON: clientDataJSON.toString('base64url'),
        attestationObject: Buffer.from(attestationObject).toString('base64url'),
        transports: ['usb'],
      },
      clientExtensionResults: { credProps: { rk: discoverable } },
      authenticatorAttachment: 'cross-platform',
    };
  }

  /** Answers `navigator.credentials.get()` with these options. */
  assert(requestOptions: Json, tampering: Tampering = {}): Json {
    const rpId = tampering.rpId ?? (requestOptions.rpId as string);
    const allowed = ((requestOptions.allowCredentials ?? []) as { id: string }[]).map((c) => c.id);
    const credential = this.pick(allowed, requestOptions.rpId as string, tampering.credentialId);
    credential.counter = tampering.counter ?? credential.counter + (this.options.counterStep ?? 1);
    const verified = this.verifies(requestOptions.userVerification as string | undefined, tampering);
    const authData = this.authData(rpId, verified ? UV : 0, credential.counter);
    const clientDataJSON = this.clientData('webauthn.get', requestOptions.challenge as string, tampering);
    const signed = Buffer.concat([authData, createHash('sha256').update(clientDataJSON).digest()]);
    const signature = sign('sha256', signed, credential.privateKey);
    if (tampering.badSignature) signature[signature.length - 1] = (signature[signature.length - 1] ?? 0) ^ 0x01;
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      response: {
        clientDataJSON: clientDataJSON.toString('base64url'),
        authenticatorData: authData.toString('base64url'),
        signature: signature.toString('base64url'),
        ...(credential.discoverable ? { userHandle: credential.userHandle } : {}),
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'cross-platform',
    };
  }

  private pick(allowed: string[], rpId: string, forced: string | undefined): StoredCredential {
    if (forced) {
      const credential = this.credentials.get(forced);
      if (!credential) throw new Error(`no credential ${forced}`);
      return credential;
    }
    const candidates = [...this.credentials.values()].filter((c) => c.rpId === rpId);
    const credential =
      allowed.length > 0
        ? candidates.find((c) => allowed.includes(c.id))
        : candidates.reverse().find((c) => c.discoverable);
    if (!credential) throw new Error('NotAllowedError: no credential for these options');
    return credential;
  }

  private verifies(requirement: string | undefined, tampering: Tampering): boolean {
    if (tampering.withoutUserVerification) return false;
    return (this.options.userVerification ?? true) && requirement !== 'discouraged';
  }

  private authData(rpId: string, flags: number, counter: number, attested?: Buffer): Buffer {
    const backup = this.options.backupEligible ? BE | BS : 0;
    const count = Buffer.alloc(4);
    count.writeUInt32BE(counter >>> 0);
    return Buffer.concat([
      createHash('sha256').update(rpId).digest(),
      Buffer.from([UP | flags | backup]),
      count,
      ...(attested ? [attested] : []),
    ]);
  }

  private clientData(type: string, challenge: string, tampering: Tampering): Buffer {
    return Buffer.from(
      JSON.stringify({
        type,
        challenge: tampering.challenge ?? challenge,
        origin: tampering.origin ?? this.options.origin,
        crossOrigin: false,
      }),
    );
  }
}
