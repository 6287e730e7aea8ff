import { Type } from 'typebox';

/** VPSBG's error body: the vendor documents none; Tessera answers `{"message": …}` (docs/dialects.md). */
export const VpsbgError = Type.Object({ message: Type.String() });

export const VpsbgSecret = Type.Object({
  secret_key: Type.String({ description: 'Base32 key, pending until confirmed with POST /v1/user/2fa.' }),
  otp_auth_url: Type.String({ description: 'otpauth:// URI with issuer, algorithm=SHA1, digits=6, period=30.' }),
});

/** A code from the app: VPSBG types it as an integer; a string of digits is taken too. */
const Otp = Type.Union([Type.Integer({ minimum: 0 }), Type.String({ pattern: '^[0-9]{1,10}$' })], {
  description: 'One-time password from the authenticator app (leading zeros lost by an integer are restored).',
});

export const VpsbgEnableBody = Type.Object({
  otp: Otp,
  secret_key: Type.String({ minLength: 1, maxLength: 128, description: 'The secret from GET /v1/user/2fa.' }),
});

export const VpsbgDisableBody = Type.Object({ otp: Otp });
