import { useState } from 'preact/hooks';
import { Notice } from '../../components/notice.js';
import { OneTimeCodeField } from '../../components/one-time-code-field.js';
import { TextField } from '../../components/text-field.js';
import { useI18n } from '../../i18n/i18n.js';
import { client } from '../../services/client.js';
import { errorText, isStartAgain } from '../../services/errors.js';

/**
 * Adding SMS or e-mail codes: SMS asks for the number, e-mail uses the account's address; the
 * code sent there confirms it, and can be sent again.
 */
export function DeliveredMethodSetup(props: {
  method: 'sms' | 'email';
  defaultPhone: string;
  onDone(): void;
  onCancel(): void;
}) {
  const i18n = useI18n();
  const [phone, setPhone] = useState(props.defaultPhone);
  const [flowId, setFlowId] = useState<string | null>(null);
  const [sentTo, setSentTo] = useState('');
  /** How many digits the sent code has, as the server said: the field submits on the last. */
  const [codeDigits, setCodeDigits] = useState<number | undefined>(undefined);
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
      if (isStartAgain(caught)) setFlowId(null);
      setError(errorText(i18n, caught));
    } finally {
      setBusy(false);
    }
  }

  const start = () =>
    run(async () => {
      const started = await client.twoFactor.enable(
        props.method === 'sms' ? { method: 'sms', phone } : { method: 'email' },
      );
      setFlowId(started.flowId);
      setSentTo(started.delivery?.destination ?? '');
      setCodeDigits(started.delivery?.digits);
    });

  const confirm = (value: string) =>
    run(async () => {
      if (!flowId) return;
      await client.twoFactor.confirmEnable(flowId, { code: value });
      props.onDone();
    }).finally(() => setCode(''));

  return (
    <section class="wizard" aria-label={i18n.t(`method.${props.method}.add`)}>
      {flowId === null ? (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            start();
          }}
        >
          <Notice kind="error">{error}</Notice>
          {props.method === 'sms' ? (
            <TextField
              label={i18n.t('sms.phone')}
              type="tel"
              autoComplete="tel"
              inputMode="tel"
              value={phone}
              onInput={setPhone}
              hint={i18n.t('sms.phoneHint')}
              required
              autoFocus
            />
          ) : (
            <p>{i18n.t('email.intro')}</p>
          )}
          <div class="actions">
            <button type="submit" disabled={busy}>
              {i18n.t('stepUp.send')}
            </button>
            <button type="button" class="secondary" onClick={props.onCancel}>
              {i18n.t('common.cancel')}
            </button>
          </div>
        </form>
      ) : (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            confirm(code);
          }}
        >
          <Notice kind="info">{sentTo ? i18n.t('signIn.sent', { destination: sentTo }) : ''}</Notice>
          <OneTimeCodeField
            label={i18n.t(`method.${props.method}.codeLabel`)}
            value={code}
            onInput={setCode}
            {...(codeDigits ? { submitAtLength: codeDigits } : {})}
            onComplete={confirm}
            error={error || undefined}
            disabled={busy}
          />
          <div class="actions">
            <button type="submit" disabled={busy}>
              {i18n.t('common.confirm')}
            </button>
            <button
              type="button"
              class="secondary"
              onClick={() =>
                run(async () => {
                  const sent = await client.twoFactor.resendEnable(flowId);
                  setSentTo(sent.destination);
                })
              }
            >
              {i18n.t('signIn.resend')}
            </button>
            <button type="button" class="secondary" onClick={props.onCancel}>
              {i18n.t('common.cancel')}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
