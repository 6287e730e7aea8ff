import { text } from 'node:stream/consumers';
import { UsageError } from './command.js';

/**
 * The password a command was given: `--password P`, or with `--password-stdin` the whole of
 * standard input, so that it shows neither in the process list nor in the shell's history
 * (`printf '%s' "$PW" | tessera users set-password … --password-stdin`). One line ending
 * (`\n` or `\r\n`, as `echo` or a file adds) is taken off; nothing else is.
 */
export async function passwordOf(
  flags: { password?: string | undefined; 'password-stdin'?: boolean | undefined },
  stdin: NodeJS.ReadableStream | undefined,
): Promise<string | undefined> {
  if (!flags['password-stdin']) return flags.password;
  if (flags.password !== undefined) throw new UsageError('--password and --password-stdin exclude each other');
  if (stdin === undefined) throw new UsageError('--password-stdin: there is no standard input to read');
  const password = (await text(stdin)).replace(/\r?\n$/, '');
  if (password === '') throw new UsageError('--password-stdin: standard input held no password');
  return password;
}

export const PASSWORD_STDIN_FLAG = {
  'password-stdin': {
    type: 'boolean',
    description: 'read the password from standard input (it stays out of the process list)',
  },
} as const;
