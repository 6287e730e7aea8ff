/**
 * How an API token is presented to Tessera's Twilio Verify dialect: HTTP Basic with an account
 * SID and the token as its auth token, or an API key SID and the token as its secret. Twilio's
 * SIDs are two letters and 32 hex digits; these carry Tessera's UUIDs, so no table maps them.
 */
export interface TwilioCredentials {
  /** `AC` and the owner's id: with any of the owner's tokens as the auth token. */
  accountSid: string;
  /** `SK` and the token's id: with this token as the secret only. */
  apiKeySid: string;
}

export function twilioSid(prefix: string, uuid: string): string {
  return `${prefix}${uuid.replaceAll('-', '')}`;
}

export function twilioCredentials(userId: string, tokenId: string): TwilioCredentials {
  return { accountSid: twilioSid('AC', userId), apiKeySid: twilioSid('SK', tokenId) };
}
