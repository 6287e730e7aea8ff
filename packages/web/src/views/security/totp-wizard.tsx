import type { TotpAlgorithm, TotpEnrollment } from '@tessera/client';
import { isTesseraError } from '@tessera/client';
import { useState } from 'preact/hooks';
import { CopyButton } from '../../components/copy-button.js';
import { Notice } from '../../components/notice.js';
import { OneTimeCodeField } from '../../components/one-time-code-field.js';
import { QrCode } from '../../components/qr-code.js';
import { useI18n } from '../../i18n/i18n.js';
import { client } from '../../services/client.js';
import { errorText, isStartAgain } from '../../services/errors.js';

type Step =
  | { name: 'settings' }
  | { name: 'scan'; enrollment: TotpEnrollment }
  | { name: 'settings-ignored'; enrollment: TotpEnrollment; code: string };

/** A key as apps and people read it: groups of four. */
export function groupedSecret(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, '$1 ');
}

const ALGORITHMS: readonly TotpAlgorithm[] = ['SHA1', 'SHA256', 'SHA512'];

/**
 * Setting up an authenticator app: the QR code, and beside it the key in groups of four with a
 * copy button and the otpauth:// link (for an app on this same device), then a code to confirm.
 * When the app ignored the settings asked for (the API says TOTP_SETTINGS_IGNORED), the wizard
 * says so and offers to switch the enrollment to the standard settings, then confirms with the
 * same code.
 */
export function TotpWizard(props: { onDone(): void; onCancel(): void }) {
  const i18n = useI18n();
  const [step, setStep] = useState<Step>({ name: 'settings' });
  const [algorithm, setAlgorithm] = useState<TotpAlgorithm>('SHA1');
  const [digits, setDigits] = useState<6 | 8>(6);
  const [period, setPeriod] = useState(30);
  const [code, setCode] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function run(task: () => Promise<void>): Promise<void> {
    if (busy) return;
    setBusy(true);
    setError('');
    try {
      await task();
    } catch (caught) {
      if (isStartAgain(caught)) setStep({ name: 'settings' });
      setError(errorText(i18n, caught));
    } finally {
      setBusy(false);
    }
  }

  const begin = () =>
    run(async () => {
      const enrollment = await client.factors.enrollTotp(
        algorithm === 'SHA1' && digits === 6 && period === 30 ? {} : { algorithm, digits, period },
      );
      setStep({ name: 'scan', enrollment });
    });

  const confirm = (value: string) =>
    run(async () => {
      if (step.name !== 'scan') return;
      try {
        await client.factors.confirm(step.enrollment.factor.id, { code: value });
        props.onDone();
      } catch (caught) {
        if (isTesseraError(caught, 'TOTP_SETTINGS_IGNORED')) {
          setStep({ name: 'settings-ignored', enrollment: step.enrollment, code: value });
          return;
        }
        throw caught;
      }
    }).finally(() => setCode(''));

  const useDefaults = () =>
    run(async () => {
      if (step.name !== 'settings-ignored') return;
      const moved = await client.factors.useDefaultSettings(step.enrollment.factor.id);
      try {
        await client.factors.confirm(moved.factor.id, { code: step.code });
        props.onDone();
      } catch (caught) {
        // The code's 30 seconds may have passed meanwhile: the next one will do.
        setStep({ name: 'scan', enrollment: moved });
        throw caught;
      }
    });

  const cancel = async () => {
    if (step.name !== 'settings') await client.factors.delete(step.enrollment.factor.id).catch(() => undefined);
    props.onCancel();
  };

  if (step.name === 'settings') {
    return (
      <section class="wizard" aria-label={i18n.t('totp.title')}>
        <Notice kind="error">{error}</Notice>
        <p>{i18n.t('totp.intro')}</p>
        <details class="advanced">
          <summary>{i18n.t('totp.advanced')}</summary>
          <p class="hint">{i18n.t('totp.advancedHint')}</p>
          <div class="field">
            <label for="totp-algorithm">{i18n.t('totp.algorithm')}</label>
            <select
              id="totp-algorithm"
              value={algorithm}
              onChange={(e) => setAlgorithm(e.currentTarget.value as TotpAlgorithm)}
            >
              {ALGORITHMS.map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="totp-digits">{i18n.t('totp.digits')}</label>
            <select
              id="totp-digits"
              value={String(digits)}
              onChange={(e) => setDigits(e.currentTarget.value === '8' ? 8 : 6)}
            >
              <option value="6">6</option>
              <option value="8">8</option>
            </select>
          </div>
          <div class="field">
            <label for="totp-period">{i18n.t('totp.period')}</label>
            <select id="totp-period" value={String(period)} onChange={(e) => setPeriod(Number(e.currentTarget.value))}>
              <option value="30">30</option>
              <option value="60">60</option>
            </select>
          </div>
        </details>
        <div class="actions">
          <button type="button" onClick={begin} disabled={busy}>
            {i18n.t('totp.begin')}
          </button>
          <button type="button" class="secondary" onClick={cancel}>
            {i18n.t('common.cancel')}
          </button>
        </div>
      </section>
    );
  }

  const { enrollment } = step;
  return (
    <section class="wizard" aria-label={i18n.t('totp.title')}>
      <ol class="wizard-steps">
        <li>{i18n.t('totp.stepScan')}</li>
        <li>{i18n.t('totp.stepConfirm')}</li>
      </ol>
      <div class="enrollment">
        <QrCode dataUrl={enrollment.qrPngDataUrl} label={i18n.t('totp.qrAlt')} />
        <div class="secret">
          <p>{i18n.t('totp.orType')}</p>
          <p class="secret-value" data-testid="totp-secret">
            <code>{groupedSecret(enrollment.secret)}</code>
          </p>
          <div class="actions">
            <CopyButton text={enrollment.secret} label={i18n.t('totp.copySecret')} />
            <a class="button secondary" href={enrollment.otpauthUri}>
              {i18n.t('totp.openInApp')}
            </a>
          </div>
          <p class="hint">
            {i18n.t('totp.params', {
              algorithm: enrollment.params.algorithm,
              digits: enrollment.params.digits,
              period: enrollment.params.period,
            })}
          </p>
        </div>
      </div>
      {step.name === 'settings-ignored' ? (
        <div class="callout" role="alert">
          <h3>{i18n.t('totp.ignoredTitle')}</h3>
          <p>
            {i18n.t('totp.ignoredBody', {
              algorithm: enrollment.params.algorithm,
              digits: enrollment.params.digits,
              period: enrollment.params.period,
            })}
          </p>
          <Notice kind="error">{error}</Notice>
          <div class="actions">
            <button type="button" onClick={useDefaults} disabled={busy}>
              {i18n.t('totp.useDefaults')}
            </button>
            <button type="button" class="secondary" onClick={cancel}>
              {i18n.t('common.cancel')}
            </button>
          </div>
        </div>
      ) : (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            confirm(code);
          }}
        >
          <OneTimeCodeField
            label={i18n.t('totp.confirmLabel')}
            value={code}
            onInput={setCode}
            submitAtLength={enrollment.params.digits}
            onComplete={confirm}
            error={error || undefined}
            disabled={busy}
            autoFocus={false}
          />
          <div class="actions">
            <button type="submit" disabled={busy}>
              {i18n.t('totp.confirm')}
            </button>
            <button type="button" class="secondary" onClick={cancel}>
              {i18n.t('common.cancel')}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
