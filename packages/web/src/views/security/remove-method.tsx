import type { Method } from '@tessera/client';
import { useState } from 'preact/hooks';
import { OneTimeCodeField } from '../../components/one-time-code-field.js';
import { useI18n } from '../../i18n/i18n.js';
import { client } from '../../services/client.js';
import { errorText } from '../../services/errors.js';
import { isSent } from '../sign-in/method-order.js';

/**
 * Turning a method off takes a current code of that method (SMS and e-mail send one): the
 * API's disable procedure, so a stolen session cannot quietly remove a factor.
 */
export function RemoveMethod(props: { method: Method; onDone(): void; onCancel(): void }) {
  const i18n = useI18n();
  const [flowId, setFlowId] = useState<string | null>(null);
  const [sentTo, setSentTo] = useState('');
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
      setError(errorText(i18n, caught));
    } finally {
      setBusy(false);
    }
  }

  const start = () =>
    run(async () => {
      const started = await client.twoFactor.disable({ method: props.method });
      setFlowId(started.flowId);
      setSentTo(started.delivery?.destination ?? '');
    });

  const confirm = (value: string) =>
    run(async () => {
      if (!flowId) return;
      await client.twoFactor.confirmDisable(flowId, { code: value });
      props.onDone();
    }).finally(() => setCode(''));

  return (
    <section class="step-up" aria-label={i18n.t(`method.${props.method}.remove`)}>
      {flowId === null ? (
        <>
          <p>{i18n.t('remove.intro', { method: i18n.t(`method.${props.method}.name`) })}</p>
          {error ? (
            <p class="field-error" role="alert">
              {error}
            </p>
          ) : null}
          <div class="actions">
            <button type="button" class="danger" onClick={start} disabled={busy}>
              {isSent(props.method) ? i18n.t('stepUp.send') : i18n.t('common.continue')}
            </button>
            <button type="button" class="secondary" onClick={props.onCancel}>
              {i18n.t('common.cancel')}
            </button>
          </div>
        </>
      ) : (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            confirm(code);
          }}
        >
          {sentTo ? <p role="status">{i18n.t('signIn.sent', { destination: sentTo })}</p> : null}
          <OneTimeCodeField
            label={i18n.t(`method.${props.method}.codeLabel`)}
            value={code}
            onInput={setCode}
            error={error || undefined}
            disabled={busy}
          />
          <div class="actions">
            <button type="submit" class="danger" disabled={busy}>
              {i18n.t(`method.${props.method}.remove`)}
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
