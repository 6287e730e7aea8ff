import {
  type HashedTable,
  type KeyCount,
  SEALED_KIND_LABELS,
  type SealedKind,
  type SecretKeyStatus,
} from '@tessera/core';
import { type CliIo, withRuntime } from '../cli-context.js';
import { type ParsedFlags, UsageError } from '../flags.js';

const HASHED_LABELS: Record<HashedTable, string> = {
  api_tokens: 'API tokens',
  refresh_tokens: 'refresh tokens (sessions)',
  backup_codes: 'unused backup codes',
  trusted_devices: 'remembered devices',
  success_tokens: 'step-up success tokens',
  delivered_codes: 'SMS and e-mail codes in flight',
};

/** What each key still holds; `--json` prints the counts as they are, for scripts. */
export async function secretStatusCommand(io: CliIo, flags: ParsedFlags): Promise<number> {
  return withRuntime(io, async ({ core }) => {
    const status = await core.secretKeys.status();
    if (flags.json) io.out(JSON.stringify(status, null, 2));
    else for (const line of describeStatus(status)) io.out(line);
    return 0;
  });
}

/** Re-seals every sealed value under the current key; progress on stderr, the outcome on stdout. */
export async function secretRotateCommand(io: CliIo, flags: ParsedFlags): Promise<number> {
  const batchSize = batchSizeOf(flags['batch-size']);
  return withRuntime(io, async ({ core }) => {
    const report = await core.secretKeys.rotate({
      batchSize,
      onProgress: ({ kind, resealed }) => io.err(`re-sealed ${resealed} ${SEALED_KIND_LABELS[kind]} so far`),
    });
    const moved = Object.entries(report.resealed) as [SealedKind, number][];
    io.out(
      moved.length === 0
        ? 'nothing to re-seal: every sealed value is under the current key'
        : `re-sealed under key id ${(await core.secretKeys.status()).currentKeyId}: ${moved
            .map(([kind, count]) => `${count} ${SEALED_KIND_LABELS[kind]}`)
            .join(', ')}`,
    );
    if (report.changedMeanwhile > 0) {
      io.out(`${report.changedMeanwhile} values changed while the run read them; run it again to check them`);
    }
    for (const { kind, id } of report.unopenable) io.out(`could not open (damaged): ${SEALED_KIND_LABELS[kind]} ${id}`);
    for (const line of describeStatus(await core.secretKeys.status())) io.out(line);
    return report.unopenable.length > 0 ? 1 : 0;
  });
}

function batchSizeOf(value: string | undefined): number {
  if (value === undefined) return 500;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > 10_000) {
    throw new UsageError('--batch-size is a whole number from 1 to 10000');
  }
  return parsed;
}

/** One paragraph per key that is not the current one and still holds something. */
export function describeStatus(status: SecretKeyStatus): string[] {
  const lines = [`current key id: ${status.currentKeyId}`];
  lines.push(`previous key ids: ${status.previousKeyIds.length > 0 ? status.previousKeyIds.join(', ') : 'none'}`);
  const otherKeys = new Set<string>(status.previousKeyIds);
  for (const { keyId } of [...status.sealed, ...status.hashed]) {
    if (keyId !== null && keyId !== status.currentKeyId) otherKeys.add(keyId);
  }
  for (const keyId of otherKeys) {
    const sealed = status.sealed.filter((count) => count.keyId === keyId);
    const hashed = status.hashed.filter((count) => count.keyId === keyId);
    const where = status.previousKeyIds.includes(keyId) ? 'previous' : 'not configured';
    if (sealed.length === 0 && hashed.length === 0) {
      lines.push(`key id ${keyId} (${where}): nothing depends on it; it may be dropped`);
      continue;
    }
    lines.push(`key id ${keyId} (${where}) is still needed by:`);
    if (sealed.length > 0) {
      lines.push(`  sealed: ${listed(sealed, SEALED_KIND_LABELS)} (run \`tessera secret rotate\`)`);
    }
    if (hashed.length > 0) {
      lines.push(
        `  hashed: ${listed(hashed, HASHED_LABELS)} (move to the current key when used or replaced; dropping the key ends them)`,
      );
    }
  }
  const untagged = status.hashed.filter((count) => count.keyId === null);
  if (untagged.length > 0) {
    lines.push(`hashed before key ids were recorded (matched under every key): ${listed(untagged, HASHED_LABELS)}`);
  }
  return lines;
}

function listed<C extends string>(counts: KeyCount<C>[], labels: Record<C, string>): string {
  const totals = new Map<C, number>();
  for (const { column, count } of counts) totals.set(column, (totals.get(column) ?? 0) + count);
  return [...totals].map(([column, count]) => `${count} ${labels[column]}`).join(', ');
}
