import { FACTOR_KINDS, type FactorKind, type PolicyUpdate, type TwoFactorPolicy } from '@tessera/core';
import { defineCommand, required, UsageError } from '../command.js';
import { record } from '../output.js';
import { OPERATOR } from './lookup.js';

export const issuerShow = defineCommand({
  name: 'issuer show',
  summary: 'the system-wide issuer of new otpauth URIs',
  flags: {},
  async run({ withRuntime }) {
    return withRuntime(async ({ core }) => {
      const issuer = await core.issuers.read(OPERATOR);
      return { data: { issuer }, text: issuer };
    });
  },
});

export const issuerSet = defineCommand({
  name: 'issuer set',
  summary: 'change the system-wide issuer (new enrollments show it)',
  flags: { issuer: { type: 'string', value: 'NAME', description: 'the new issuer' } },
  async run({ withRuntime }, flags) {
    const name = required(flags.issuer, 'issuer');
    return withRuntime(async ({ core }) => {
      const issuer = await core.issuers.change(OPERATOR, name);
      return { data: { issuer }, text: issuer };
    });
  },
});

function policyText(policy: TwoFactorPolicy): string {
  const methods = Object.entries(policy.methods).map(
    ([method, allowed]) => `${method} ${allowed ? 'allowed' : 'forbidden'}`,
  );
  return record([
    ['required', policy.required],
    ['grace days', policy.gracePeriodDays],
    ['methods', methods.join(', ')],
  ]);
}

export const policyShow = defineCommand({
  name: 'policy show',
  summary: 'the 2FA policy',
  flags: {},
  async run({ withRuntime }) {
    return withRuntime(async ({ core }) => {
      const policy = await core.policy.read(OPERATOR);
      return { data: policy, text: policyText(policy) };
    });
  },
});

export const policySet = defineCommand({
  name: 'policy set',
  summary: 'change the 2FA policy (recorded in the history)',
  synopsis: '[--required true|false] [--grace-days N] [--allow M,M] [--forbid M,M]',
  details: `Methods: ${FACTOR_KINDS.join(', ')}.`,
  flags: {
    required: { type: 'string', value: 'true|false', description: 'whether every account needs a second factor' },
    'grace-days': { type: 'string', value: 'N', description: 'days an account has to enroll one (0-365)' },
    allow: { type: 'string', value: 'M,M', description: 'methods to allow' },
    forbid: { type: 'string', value: 'M,M', description: 'methods to forbid' },
  },
  async run({ withRuntime }, flags) {
    const update: PolicyUpdate = {};
    if (flags.required !== undefined) {
      if (flags.required !== 'true' && flags.required !== 'false') throw new UsageError('--required is true or false');
      update.required = flags.required === 'true';
    }
    if (flags['grace-days'] !== undefined) {
      const days = Number(flags['grace-days']);
      if (!/^\d+$/.test(flags['grace-days']) || days > 365) throw new UsageError('--grace-days is 0 to 365');
      update.gracePeriodDays = days;
    }
    const methods: Partial<Record<FactorKind, boolean>> = {};
    for (const [flag, allowed] of [
      ['allow', true],
      ['forbid', false],
    ] as const) {
      for (const method of flags[flag]?.split(',').filter(Boolean) ?? []) {
        if (!(FACTOR_KINDS as readonly string[]).includes(method)) {
          throw new UsageError(`--${flag} takes methods among ${FACTOR_KINDS.join(', ')}`);
        }
        methods[method as FactorKind] = allowed;
      }
    }
    if (Object.keys(methods).length > 0) update.methods = methods;
    if (Object.keys(update).length === 0)
      throw new UsageError('policy set needs --required, --grace-days, --allow or --forbid');
    return withRuntime(async ({ core }) => {
      const policy = await core.policy.update(OPERATOR, update);
      return { data: policy, text: policyText(policy) };
    });
  },
});

export const keysRotate = defineCommand({
  name: 'keys rotate',
  summary: 'sign new access tokens with a new key (tokens signed with the old one stay valid)',
  details: 'Prints the id (kid) of the new key.',
  flags: {},
  async run({ withRuntime }) {
    return withRuntime(async ({ core }) => {
      const { kid } = await core.signingKeys.rotate(OPERATOR);
      return { data: { kid }, text: kid };
    });
  },
});
