import { parseArgs } from 'node:util';

export interface ParsedFlags {
  username?: string | undefined;
  password?: string | undefined;
  email?: string | undefined;
  phone?: string | undefined;
  name?: string | undefined;
  admin?: boolean | undefined;
  domain?: string | undefined;
  owner?: string | undefined;
  kind?: string | undefined;
  'read-only'?: boolean | undefined;
  issuer?: string | undefined;
  required?: string | undefined;
  'grace-days'?: string | undefined;
  allow?: string | undefined;
  forbid?: string | undefined;
  'external-id'?: string | undefined;
  'no-password'?: boolean | undefined;
  limit?: string | undefined;
  offset?: string | undefined;
  out?: string | undefined;
  from?: string | undefined;
  'data-dir'?: string | undefined;
  'secret-key-file'?: string | undefined;
  json?: boolean | undefined;
  'batch-size'?: string | undefined;
  help?: boolean | undefined;
}

export class UsageError extends Error {}

export function parseFlags(args: string[]): { positionals: string[]; flags: ParsedFlags } {
  try {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        username: { type: 'string' },
        password: { type: 'string' },
        email: { type: 'string' },
        phone: { type: 'string' },
        'read-only': { type: 'boolean' },
        name: { type: 'string' },
        admin: { type: 'boolean' },
        domain: { type: 'string' },
        owner: { type: 'string' },
        kind: { type: 'string' },
        issuer: { type: 'string' },
        required: { type: 'string' },
        'grace-days': { type: 'string' },
        allow: { type: 'string' },
        forbid: { type: 'string' },
        'external-id': { type: 'string' },
        'no-password': { type: 'boolean' },
        limit: { type: 'string' },
        offset: { type: 'string' },
        out: { type: 'string' },
        from: { type: 'string' },
        'data-dir': { type: 'string' },
        'secret-key-file': { type: 'string' },
        json: { type: 'boolean' },
        'batch-size': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    return { positionals, flags: values };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function requireFlag(flags: ParsedFlags, name: 'username' | 'password' | 'issuer' | 'out' | 'from'): string {
  const value = flags[name];
  if (value === undefined || value === '') throw new UsageError(`--${name} is required`);
  return value;
}
