/**
 * What the WHM dialect's OpenAPI document says of each function beyond its summary: a
 * description (with Tessera's departures from cPanel, docs/dialects.md) and examples of its query
 * parameters and its `data`. The document's test validates every example against its schema.
 */
export interface WhmFunctionDoc {
  description: string;
  query?: Record<string, string>;
  /** The success answer's `data`; undefined for a function that returns none. */
  data?: unknown;
}

const SECRET = 'QLLIU5WTY3UTJGNG5QNMHRLFNNCGTSMZ';

export const WHM_DOCS: Record<string, WhmFunctionDoc> = {
  twofactorauth_generate_tfa_config: {
    description:
      'Issues a new authenticator key for the caller, kept pending (sealed at rest) for 10 minutes until ' +
      'twofactorauth_set_tfa_config confirms it with a code. Departure: the key is 160 bits (32 base32 ' +
      'characters) unless TESSERA_CPANEL_SECRET_BITS=80; `otpauth_str` has cPanel’s shape (no algorithm, digits ' +
      'or period). Fails while the security policy is off (no new setups).',
    data: {
      otpauth_str: `otpauth://totp/Tessera:alice?secret=${SECRET}&issuer=Tessera`,
      secret: SECRET,
    },
  },
  twofactorauth_set_tfa_config: {
    description:
      'Confirms the pending key with a current code and turns 2FA on. Departure: only the secret Tessera issued ' +
      'to this caller is taken (any other is "Missing or Invalid: secret"), so a script cannot plant a key; a ' +
      'code is single-use across every API, and wrong codes count toward the account’s lockout.',
    query: { secret: SECRET, tfa_token: '123456' },
    data: { success: 1 },
  },
  twofactorauth_get_issuer: {
    description: 'The issuer in effect for the caller (their own if set, else the system’s) and the system-wide one.',
    data: { issuer: 'Tessera', system_wide_issuer: 'Tessera' },
  },
  twofactorauth_set_issuer: {
    description:
      'Sets the caller’s own issuer; empty clears it. Surrounding quotes are stripped. The system-wide issuer is ' +
      'changed through the native admin API, not here.',
    query: { issuer: 'Example Hosting' },
  },
  twofactorauth_get_user_configs: {
    description:
      'For an admin, every top-level account (e-mail accounts and team users belong to theirs), read in pages of ' +
      '500 and streamed out; for anyone else, their own. `is_enabled` means an active authenticator. With `user`, ' +
      'that account only.',
    query: { user: 'alice' },
    data: { alice: { is_enabled: 1, primary_domain: 'alice.example' } },
  },
  twofactorauth_remove_user_config: {
    description:
      'An admin’s reset of each account named (`user`, `user-1`, `user-2`, …): every factor, trusted device, ' +
      'session and pending enrollment goes, recorded and e-mailed to the owner. An account without 2FA is still ' +
      'listed as modified; an unknown one fails on its own in `failed`.',
    query: { user: 'alice' },
    data: { failed: {}, users_modified: ['alice'] },
  },
  twofactorauth_policy_status: {
    description:
      'Whether cPanel’s two-factor security policy is on. Tessera maps it onto whether the authenticator method ' +
      'may be set up (the core policy’s methods.totp), so it reads 1 unless an admin forbade it.',
    data: { is_enabled: 1 },
  },
  twofactorauth_enable_policy: {
    description:
      'Makes 2FA available, as in cPanel: users may set up an authenticator, and those who did must use it. ' +
      'It forces no one to enroll (the core’s "2FA required" rule is not touched), so it cannot lock out anyone, ' +
      'its caller included.',
  },
  twofactorauth_disable_policy: {
    description:
      'Departure: in cPanel, off also stops asking for the codes of those who have one. In a server that several ' +
      'APIs share Tessera takes the safe reading: off stops new authenticator setups only, through every API; ' +
      'factors already enrolled are still checked.',
  },
  twofactorauth_get_tfa_config_for_user: {
    description:
      'The authenticator keys of a top-level account and of its e-mail accounts and team users, in plaintext, for ' +
      'a migration; each section only where there is 2FA. Every key read is recorded in its account’s history and ' +
      'its owner e-mailed.',
    query: { user: 'alice' },
    data: { alice: { primary_account: { secret: SECRET } } },
  },
  twofactorauth_set_tfa_config_for_user: {
    description:
      'Replaces the authenticator keys of an account and of its e-mail accounts and team users in one ' +
      'transaction, without a code (a migration). The body is JSON on POST: `{"<user>": {"primary_account": ' +
      '{"secret": "…"}, "email": {"<address>": {"secret": "…"}}, "team": {"<team user>": {"secret": "…"}}}}`. ' +
      'Each key must be at least 80 bits; each change is recorded and e-mailed.',
  },
};

/** The reason of a refused call, for the 401 and 429 examples. */
export const WHM_UNAUTHENTICATED_REASON =
  'Authentication is required. Use "Authorization: Basic <base64 of user:password>" or "Authorization: whm USER:TOKEN".';
export const WHM_LIMITED_REASON = 'Too many requests: retry after 30 seconds.';

/** What the session variant of each function adds to its description. */
export const IN_SESSION_NOTE =
  ' Served again under the /cpsess<10 digits> prefix of a /login session, authenticated by its cookie (or, ' +
  'without a cookie, by the request’s own credentials).';
