import {
  type HashedTable,
  type KeyCount,
  SEALED_KIND_LABELS,
  type SealedKind,
  type SecretKeyStatus,
} from '@tessera/core';
import { defineCommand, wholeNumber } from '../command.js';

const HASHED_LABELS: Record<HashedTable, string> = {
  api_tokens: 'API tokens',
  refresh_tokens: 'refresh tokens (sessions)',
  backup_codes: 'unused backup codes',
  trusted_devices: 'remembered devices',
  success_tokens: 'step-up success tokens',
  delivered_codes: 'SMS and e-mail codes in flight',
};

/** What each key still holds; `--json` prints the counts as they are, for scripts. */
export const secretStatus = defineCommand({
  name: 'secret status',
  summary: 'how many values still depend on each previous secret key',
  flags: {},
  async run({ withRuntime }) {
    return withRuntime(async ({ core }) => {
      const status = await core.secretKeys.status();
      return { data: status, text: describeStatus(status).join('\n') };
    });
  },
});

/** Re-seals every sealed value under the current key; progress on stderr, the outcome on stdout. */
export const secretRotate = defineCommand({
  name: 'secret rotate',
  summary: 're-seal every sealed value under TESSERA_SECRET_KEY (safe while serving; run again to resume)',
  details: 'See docs/operations.md, "Rotating the secret key".',
  flags: { 'batch-size': { type: 'string', value: 'N', description: 'values re-sealed per batch (1-10000, 500)' } },
  async run({ io, withRuntime }, flags) {
    const batchSize = wholeNumber(flags['batch-size'], 'batch-size', 500, 1, 10_000);
    return withRuntime(async ({ core }) => {
      const report = await core.secretKeys.rotate({
        batchSize,
        onProgress: ({ kind, resealed }) => io.err(`re-sealed ${resealed} ${SEALED_KIND_LABELS[kind]} so far`),
      });
      const status = await core.secretKeys.status();
      const moved = Object.entries(report.resealed) as [SealedKind, number][];
      const lines = [
        moved.length === 0
          ? 'nothing to re-seal: every sealed value is under the current key'
          : `re-sealed under key id ${status.currentKeyId}: ${moved
              .map(([kind, count]) => `${count} ${SEALED_KIND_LABELS[kind]}`)
              .join(', ')}`,
      ];
      if (report.changedMeanwhile > 0) {
        lines.push(`${report.changedMeanwhile} values changed while the run read them; run it again to check them`);
      }
      for (const { kind, id } of report.unopenable)
        lines.push(`could not open (damaged): ${SEALED_KIND_LABELS[kind]} ${id}`);
      lines.push(...describeStatus(status));
      return {
        data: { ...report, status },
        text: lines.join('\n'),
        exitCode: report.unopenable.length > 0 ? 1 : 0,
      };
    });
  },
});

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
