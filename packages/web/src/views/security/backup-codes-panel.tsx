import type { Method } from '@tessera/client';
import { useEffect, useRef, useState } from 'preact/hooks';
import { CopyButton } from '../../components/copy-button.js';
import { Notice } from '../../components/notice.js';
import { useI18n } from '../../i18n/i18n.js';
import { client } from '../../services/client.js';
import { errorText } from '../../services/errors.js';
import { StepUp } from './step-up.js';

/** A backup code as printed: two groups, easier to read out and to type (any grouping is accepted). */
export function groupedCode(code: string): string {
  return code.length > 4
    ? `${code.slice(0, Math.ceil(code.length / 2))}-${code.slice(Math.ceil(code.length / 2))}`
    : code;
}

/** The file people save: one code a line, named after the issuer so it can be found again. */
export function backupCodesFile(issuer: string, codes: readonly string[]): { name: string; text: string } {
  const safe = issuer.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'tessera';
  return { name: `${safe}-backup-codes.txt`, text: `${codes.map(groupedCode).join('\n')}\n` };
}

interface BackupCodesPanelProps {
  remaining: number;
  active: boolean;
  issuer: string;
  methods: readonly Method[];
  onChanged(): Promise<unknown>;
}

/**
 * Backup codes: how many are left; a first set, or a new one behind a step-up; a set shown
 * once, with copy, download as a .txt, print, and an "I have saved them" confirmation before it
 * goes away.
 */
export function BackupCodesPanel(props: BackupCodesPanelProps) {
  const i18n = useI18n();
  const [codes, setCodes] = useState<string[] | null>(null);
  const [stepUp, setStepUp] = useState(false);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState('');
  const [download, setDownload] = useState<{ name: string; url: string } | null>(null);
  const shown = useRef<HTMLElement>(null);

  useEffect(() => {
    if (!codes) return;
    const file = backupCodesFile(props.issuer, codes);
    const url = URL.createObjectURL(new Blob([file.text], { type: 'text/plain' }));
    setDownload({ name: file.name, url });
    shown.current?.focus();
    return () => URL.revokeObjectURL(url);
  }, [codes, props.issuer]);

  async function firstSet(): Promise<void> {
    setError('');
    try {
      const started = await client.twoFactor.enable({ method: 'backup_codes' });
      setCodes(started.backupCodes?.codes ?? []);
    } catch (caught) {
      setError(errorText(i18n, caught));
    }
  }

  async function newSet(successToken: string): Promise<void> {
    setStepUp(false);
    setError('');
    try {
      const set = await client.backupCodes.regenerate({ successToken });
      setCodes(set.codes);
    } catch (caught) {
      setError(errorText(i18n, caught));
    }
  }

  if (codes) {
    return (
      <section class="backup-codes" ref={shown} tabIndex={-1} aria-labelledby="backup-codes-shown">
        <h3 id="backup-codes-shown">{i18n.t('backup.shownTitle')}</h3>
        <p>{i18n.t('backup.shownBody')}</p>
        <ol class="code-list" data-testid="backup-codes">
          {codes.map((code) => (
            <li key={code}>
              <code>{groupedCode(code)}</code>
            </li>
          ))}
        </ol>
        <div class="actions no-print">
          <CopyButton text={codes.map(groupedCode).join('\n')} label={i18n.t('backup.copy')} />
          {download ? (
            <a class="button secondary" href={download.url} download={download.name}>
              {i18n.t('backup.download')}
            </a>
          ) : null}
          <button type="button" class="secondary" onClick={() => print()}>
            {i18n.t('backup.print')}
          </button>
        </div>
        <div class="field checkbox no-print">
          <input
            id="backup-saved"
            type="checkbox"
            checked={saved}
            onChange={(event) => setSaved(event.currentTarget.checked)}
          />
          <label for="backup-saved">{i18n.t('backup.saved')}</label>
        </div>
        <div class="actions no-print">
          <button
            type="button"
            disabled={!saved}
            onClick={async () => {
              setCodes(null);
              setSaved(false);
              await props.onChanged();
            }}
          >
            {i18n.t('backup.done')}
          </button>
        </div>
      </section>
    );
  }

  return (
    <div>
      <Notice kind="error">{error}</Notice>
      {props.active ? (
        <p data-testid="backup-remaining">{i18n.t('backup.remaining', { remaining: props.remaining })}</p>
      ) : (
        <p>{i18n.t('backup.none')}</p>
      )}
      {stepUp ? (
        <StepUp
          operation="regenerate_backup_codes"
          methods={props.methods}
          onToken={newSet}
          onCancel={() => setStepUp(false)}
        />
      ) : (
        <div class="actions">
          {props.active ? (
            <button type="button" onClick={() => setStepUp(true)}>
              {i18n.t('backup.regenerate')}
            </button>
          ) : (
            <button type="button" onClick={firstSet}>
              {i18n.t('backup.create')}
            </button>
          )}
        </div>
      )}
    </div>
  );
}
