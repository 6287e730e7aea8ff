import { randomInt } from 'node:crypto';

/** A uniformly random string of decimal digits (leading zeros kept): delivered and backup codes. */
export function newNumericCode(digits: number): string {
  let code = '';
  for (let i = 0; i < digits; i++) code += String(randomInt(10));
  return code;
}
