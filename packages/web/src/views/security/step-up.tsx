import { type PublicKeyCredentialRequestOptionsJSON, startAuthentication } from '@simplewebauthn/browser';
import type { Method, SuccessTokenOperation } from '@tessera/client';
import { useState } from 'preact/hooks';
import { Notice } from '../../components/notice.js';
import { OneTimeCodeField } from '../../components/one-time-code-field.js';
import { useI18n } from '../../i18n/i18n.js';
import { client } from '../../services/client.js';
import { errorText } from '../../services/errors.js';
import { byResistance, isSent } from '../sign-in/method-order.js';
import { asResponseBody } from './webauthn-panel.js';

interface StepUpProps {
  operation: SuccessTokenOperation;
  /** The account's active methods; a challenge is answered with one of them. */
  methods: readonly Method[];
  onToken(successToken: string): void;
  onCancel(): void;
}

/**
 * The step-up the API asks for before a change that could take the account over: a challenge
 * for this one operation, answered with a current code, yields a short-lived success token. So
 * a stolen session alone cannot quietly add or remove a factor or change a password. A security
 * key or passkey answers it through the browser's prompt instead of a code, so an account whose
 * only factor is a key can confirm too.
 */
export function StepUp(props: StepUpProps) {
  const i18n = useI18n();
  // A key resists phishing best: first, when the account has one.
  const methods: Method[] = [
    ...(props.methods.includes('webauthn') ? (['webauthn'] as const) : []),
    ...byResistance(props.methods),
  ];
  const [method, setMethod] = useState<Method | undefined>(methods[0]);
  const [challengeId, setChallengeId] = useState<string | null>(null);
  const [sentTo, setSentTo] = useState('');
  /** How many digits the challenge's code has, as the server said: the field submits on the last. */
  const [codeDigits, setCodeDigits] = useState<number | undefined>(undefined);
  const [code, setCode] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function start(chosen: Method): Promise<void> {
    setBusy(true);
    setError('');
    try {
      const challenge = await client.challenges.start({ operation: props.operation, method: chosen });
      if (challenge.webauthn) {
        await answerWithKey(challenge.challengeId, challenge.webauthn.options);
        return;
      }
      setChallengeId(challenge.challengeId);
      setCodeDigits(challenge.codeDigits);
      setSentTo(challenge.delivery?.destination ?? '');
    } catch (caught) {
      setError(errorText(i18n, caught));
    } finally {
      setBusy(false);
    }
  }

  /** The key's prompt, then its assertion as the challenge's answer; a closed prompt changes nothing. */
  async function answerWithKey(id: string, options: object): Promise<void> {
    let assertion: Awaited<ReturnType<typeof startAuthentication>>;
    try {
      assertion = await startAuthentication({
        optionsJSON: options as unknown as PublicKeyCredentialRequestOptionsJSON,
      });
    } catch {
      setError(i18n.t('webauthn.cancelled'));
      return;
    }
    const token = await client.challenges.confirm(id, { credential: asResponseBody(assertion) });
    props.onToken(token.successToken);
  }

  async function confirm(value: string): Promise<void> {
    if (!challengeId || busy) return;
    setBusy(true);
    setError('');
    try {
      const token = await client.challenges.confirm(challengeId, { code: value });
      props.onToken(token.successToken);
    } catch (caught) {
      setError(errorText(i18n, caught));
    } finally {
      setBusy(false);
      setCode('');
    }
  }

  return (
    <section class="step-up" aria-label={i18n.t('stepUp.title')}>
      <p>{i18n.t('stepUp.intro')}</p>
      {challengeId === null ? (
        <>
          <Notice kind="error">{error}</Notice>
          <div class="field">
            <label for="step-up-method">{i18n.t('stepUp.method')}</label>
            <select
              id="step-up-method"
              value={method}
              onChange={(event) => setMethod(event.currentTarget.value as Method)}
            >
              {methods.map((m) => (
                <option key={m} value={m}>
                  {i18n.t(`method.${m}.name`)}
                </option>
              ))}
            </select>
          </div>
          <div class="actions">
            <button type="button" disabled={busy || !method} onClick={() => method && start(method)}>
              {method && isSent(method) ? i18n.t('stepUp.send') : i18n.t('common.continue')}
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
          {sentTo ? <Notice kind="info">{i18n.t('signIn.sent', { destination: sentTo })}</Notice> : null}
          <OneTimeCodeField
            label={i18n.t(`method.${method ?? 'totp'}.codeLabel`)}
            value={code}
            onInput={setCode}
            {...(codeDigits ? { submitAtLength: codeDigits } : {})}
            onComplete={confirm}
            error={error || undefined}
            disabled={busy}
          />
          <div class="actions">
            <button type="submit" disabled={busy}>
              {i18n.t('stepUp.confirm')}
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
