import type { CommandSpec, FlagSpec } from './command.js';

/** The flags every command takes, besides its own. */
export const GLOBAL_FLAGS = {
  json: { type: 'boolean', description: 'print one JSON document on stdout instead of text' },
  create: { type: 'boolean', description: 'make a new database if there is none yet (refused otherwise)' },
  help: { type: 'boolean', description: "print this command's usage" },
} as const satisfies Record<string, FlagSpec>;

export const EXIT_CODES = [
  [0, 'done'],
  [1, 'refused or failed: the reason is on stderr (with --json, also {"error": …} on stdout)'],
  [2, 'wrong usage: an unknown command or flag, a missing or malformed value'],
  [3, 'configuration or database: a bad setting, an unreachable database, or none yet without --create'],
] as const;

function flagUsage(name: string, flag: FlagSpec): string {
  return flag.type === 'string' ? `--${name} ${flag.value}` : `--${name}`;
}

/** `--username U [--email E] …`, unless the command spells its own. */
export function synopsisOf(command: CommandSpec): string {
  if (command.synopsis !== undefined) return command.synopsis;
  return Object.entries(command.flags)
    .map(([name, flag]) => `[${flagUsage(name, flag)}]`)
    .join(' ');
}

export function commandHelp(command: CommandSpec): string {
  const flags = [...Object.entries(command.flags), ...Object.entries(GLOBAL_FLAGS)];
  const width = Math.max(...flags.map(([name, flag]) => flagUsage(name, flag).length));
  const lines = [
    `Usage: tessera ${command.name} ${synopsisOf(command)}`.trimEnd(),
    '',
    `${command.summary[0]?.toUpperCase()}${command.summary.slice(1)}.`,
  ];
  if (command.details) lines.push('', command.details);
  lines.push('', 'Options:');
  for (const [name, flag] of flags) lines.push(`  ${flagUsage(name, flag).padEnd(width)}  ${flag.description}`);
  return lines.join('\n');
}

export function overallHelp(commands: readonly CommandSpec[]): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  return [
    'Usage: tessera <command> [options]',
    '',
    'Commands:',
    ...commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
    "Every command takes --json (one JSON document on stdout) and --help (its own usage: 'tessera users create --help').",
    'Configuration comes from the environment, as for the server (see docs/configuration.md).',
    '',
    'Exit codes:',
    ...EXIT_CODES.map(([code, meaning]) => `  ${code}  ${meaning}`),
  ].join('\n');
}
