import { codeProof, numericCodeProof, type Proof } from '@tessera/core';

/** VPSBG's `otp`: an integer (leading zeros restored by the core) or a string of digits. */
export function otpProof(otp: number | string): Proof {
  return typeof otp === 'number' ? numericCodeProof(otp) : codeProof(otp);
}

/** GET /v1/user/2fa: the new pending key and its URI, as VPSBG names them. */
export function secretBody(totp: { secret: string; otpauthUri: string }): { secret_key: string; otp_auth_url: string } {
  return { secret_key: totp.secret, otp_auth_url: totp.otpauthUri };
}
