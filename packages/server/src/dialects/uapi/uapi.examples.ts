/**
 * What the UAPI dialect's OpenAPI document says of each function beyond its summary: a
 * description (with Tessera's departures from cPanel, docs/dialects.md) and examples of its query
 * parameters and its `data`. The document's test validates every example against its schema.
 */
export interface UapiFunctionDoc {
  description: string;
  query?: Record<string, string>;
  data: unknown;
}

const SECRET = 'QLLIU5WTY3UTJGNG5QNMHRLFNNCGTSMZ';

export const UAPI_DOCS: Record<string, UapiFunctionDoc> = {
  generate_user_configuration: {
    description:
      'Issues a new authenticator key for the caller, pending (sealed at rest) for 10 minutes until ' +
      'set_user_configuration confirms it. Departure: 160-bit keys unless TESSERA_CPANEL_SECRET_BITS=80; fails ' +
      'while the security policy is off (no new setups).',
    data: { otpauth_str: `otpauth://totp/Tessera:alice?secret=${SECRET}&issuer=Tessera`, secret: SECRET },
  },
  set_user_configuration: {
    description:
      'Confirms the pending key with a current code (`tfa_token`, an integer or a string: leading zeros an ' +
      'integer lost are restored) and turns 2FA on. Departure: only the secret Tessera issued to this caller is ' +
      'taken; codes are single-use across every API.',
    query: { secret: SECRET, tfa_token: '123456' },
    data: { tfa_configured: 1 },
  },
  get_user_configuration: {
    description:
      'Whether the caller has an active authenticator, and the issuer it shows; `issuer` is left out while 2FA is off.',
    data: { is_enabled: 1, issuer: 'Tessera' },
  },
  remove_user_configuration: {
    description:
      'Turns the caller’s authenticator off (and the backup codes with the last factor). Departure: Tessera asks ' +
      'for a current code in `tfa_token` while 2FA is on, since the caller may be an API token rather than a ' +
      'session that passed the second factor; with 2FA already off it answers tfa_removed 1 without one.',
    query: { tfa_token: '123456' },
    data: { tfa_removed: 1 },
  },
  get_team_user_configuration: {
    description:
      'The 2FA state of one of the caller’s own team users. Another owner’s team user, an e-mail account or no ' +
      'account at all get the same "does not exist" answer, so a caller learns nothing of accounts not theirs.',
    query: { team_user: 'jane@alice' },
    data: { is_enabled: 0 },
  },
};

export const UAPI_UNAUTHENTICATED_ERROR =
  'Authentication is required. Use "Authorization: Basic <base64 of user:password>" or "Authorization: cpanel USER:TOKEN".';
export const UAPI_LIMITED_ERROR = 'Too many requests: retry after 30 seconds.';

export const IN_SESSION_NOTE =
  ' Served again under the /cpsess<10 digits> prefix of a /login session, authenticated by its cookie (or, ' +
  'without a cookie, by the request’s own credentials).';
