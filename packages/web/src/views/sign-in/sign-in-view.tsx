import {
  type AuthenticationResponseJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  startAuthentication,
} from '@simplewebauthn/browser';
import type { Method, SentCode } from '@tessera/client';
import { useState } from 'preact/hooks';
import { Notice } from '../../components/notice.js';
import { OneTimeCodeField } from '../../components/one-time-code-field.js';
import { TextField } from '../../components/text-field.js';
import { useI18n } from '../../i18n/i18n.js';
import { client } from '../../services/client.js';
import { errorText, isStartAgain } from '../../services/errors.js';
import { navigate, pathOf } from '../../services/router.js';
import { useSession } from '../../services/session.js';
import { deviceTokenFor, rememberDeviceToken } from '../../services/token-storage.js';
import { asResponseBody } from '../security/webauthn-panel.js';
import { byResistance, isSent } from './method-order.js';
import { cancelAutofill, type PickedPasskey, usePasskeyAutofill } from './passkey-autofill.js';

/** At or below this many unused backup codes, a sign-in ends by offering a new set. */
export const LOW_BACKUP_CODES = 2;

type Step =
  | { name: 'password' }
  | {
      name: 'second-factor';
      flowId: string;
      methods: Method[];
      method: Method;
      delivery?: SentCode;
      choosing: boolean;
      /** How many digits each method's codes have, as the server said: the field submits on the last. */
      codeDigits: CodeDigits;
    }
  | { name: 'low-codes'; remaining: number };

type Action = 'idle' | 'busy';
type CodeDigits = Partial<Record<Method, number>>;

export function SignInView() {
  const i18n = useI18n();
  const { reload } = useSession();
  const [step, setStep] = useState<Step>({ name: 'password' });
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [remember, setRemember] = useState(false);
  const [error, setError] = useState('');
  const [info, setInfo] = useState('');
  const [action, setAction] = useState<Action>('idle');
  /** The account has a security key or passkey: "Use a security key or passkey" tops the step. */
  const [hasKey, setHasKey] = useState(false);
  /** Bumped to open a fresh autofill ceremony after one was spent or cancelled. */
  const [autofillRound, setAutofillRound] = useState(0);
  const { available: passkeysAvailable } = usePasskeyAutofill(step.name === 'password', autofillRound, (picked) =>
    signInWithPickedPasskey(picked),
  );

  async function finish(): Promise<void> {
    const session = await reload();
    const remaining = session?.status.backupCodesRemaining ?? 0;
    if (session?.status.methods.includes('backup_codes') && remaining <= LOW_BACKUP_CODES) {
      setStep({ name: 'low-codes', remaining });
      return;
    }
    navigate({ page: 'security' });
  }

  async function choose(flowId: string, methods: Method[], method: Method, codeDigits: CodeDigits): Promise<void> {
    setCode('');
    setError('');
    if (!isSent(method)) {
      setStep({ name: 'second-factor', flowId, methods, method, choosing: false, codeDigits });
      return;
    }
    const selected = await client.auth.selectMethod(flowId, { method });
    setStep({
      name: 'second-factor',
      flowId,
      methods,
      method,
      choosing: false,
      codeDigits,
      ...(selected.delivery ? { delivery: selected.delivery } : {}),
    });
    if (selected.delivery) setInfo(i18n.t('signIn.sent', { destination: selected.delivery.destination }));
  }

  async function run(task: () => Promise<void>): Promise<void> {
    if (action === 'busy') return;
    setAction('busy');
    setError('');
    try {
      await task();
    } catch (caught) {
      if (isStartAgain(caught)) {
        setStep({ name: 'password' });
        setError(i18n.t('signIn.startAgain'));
      } else {
        setError(errorText(i18n, caught));
      }
    } finally {
      setAction('idle');
    }
  }

  const signIn = () =>
    run(async () => {
      // Signing in with the password: the passkey autofill is not wanted any more.
      cancelAutofill();
      setInfo('');
      const deviceToken = deviceTokenFor(username);
      const answer = await client.auth.signIn({ username, password, ...(deviceToken ? { deviceToken } : {}) });
      setPassword('');
      if (answer.status === 'signed_in') return finish();
      const methods = byResistance(answer.methods);
      setHasKey(answer.methods.includes('webauthn'));
      const first = methods[0];
      const codeDigits: CodeDigits = answer.codeDigits ?? {};
      // A key is the only second factor: its button is the whole step, with no code to type.
      if (!first && answer.methods.includes('webauthn')) {
        setStep({
          name: 'second-factor',
          flowId: answer.flowId,
          methods,
          method: 'webauthn',
          choosing: false,
          codeDigits,
        });
        return;
      }
      if (!first) throw new Error('no method');
      await choose(answer.flowId, methods, first, codeDigits);
    }).finally(() => setAutofillRound((round) => round + 1));

  /** The second factor with a security key or passkey: the browser's prompt, then the assertion. */
  const useKey = () =>
    run(async () => {
      if (step.name !== 'second-factor') return;
      setInfo('');
      const ceremony = await client.webauthn.signInOptions(step.flowId);
      let assertion: AuthenticationResponseJSON;
      try {
        assertion = await startAuthentication({
          optionsJSON: ceremony.options as unknown as PublicKeyCredentialRequestOptionsJSON,
        });
      } catch {
        // Closed, timed out or no matching key: nothing was sent, the step stays as it was.
        setError(i18n.t('webauthn.cancelled'));
        return;
      }
      const tokens = await client.webauthn.signIn(step.flowId, {
        credential: asResponseBody(assertion),
        ...(remember ? { rememberDevice: true, deviceLabel: navigator.userAgent.slice(0, 200) } : {}),
      });
      if (tokens.device) rememberDeviceToken(username, tokens.device.deviceToken);
      await finish();
    });

  /** A passkey alone, without a username or password: the browser offers the site's passkeys. */
  const signInWithPasskey = () =>
    run(async () => {
      setInfo('');
      const ceremony = await client.webauthn.passkeyOptions();
      let assertion: AuthenticationResponseJSON;
      try {
        assertion = await startAuthentication({
          optionsJSON: ceremony.options as unknown as PublicKeyCredentialRequestOptionsJSON,
        });
      } catch {
        setError(i18n.t('webauthn.cancelled'));
        return;
      }
      await client.webauthn.passkeySignIn({ challengeId: ceremony.challengeId, credential: asResponseBody(assertion) });
      setPassword('');
      await finish();
    }).finally(() => setAutofillRound((round) => round + 1));

  /** A passkey the browser offered in the username field's autofill and the person picked. */
  const signInWithPickedPasskey = (picked: PickedPasskey) =>
    run(async () => {
      setInfo('');
      await client.webauthn.passkeySignIn({
        challengeId: picked.challengeId,
        credential: asResponseBody(picked.assertion),
      });
      setPassword('');
      await finish();
    }).finally(() => setAutofillRound((round) => round + 1));

  const submitCode = (value: string) =>
    run(async () => {
      if (step.name !== 'second-factor') return;
      const tokens = await client.auth.secondFactor(step.flowId, {
        code: value,
        method: step.method,
        ...(remember ? { rememberDevice: true, deviceLabel: navigator.userAgent.slice(0, 200) } : {}),
      });
      if (tokens.device) rememberDeviceToken(username, tokens.device.deviceToken);
      setCode('');
      await finish();
    }).finally(() => setCode(''));

  if (step.name === 'low-codes') {
    return (
      <section class="card narrow" aria-labelledby="low-codes-title">
        <h1 id="low-codes-title">{i18n.t('lowCodes.title')}</h1>
        <p>{i18n.t('lowCodes.body', { remaining: step.remaining })}</p>
        <div class="actions">
          <a
            class="button"
            href={`${pathOf({ page: 'security' })}#backup-codes`}
            onClick={(event) => {
              event.preventDefault();
              navigate({ page: 'security' }, { hash: 'backup-codes' });
            }}
          >
            {i18n.t('lowCodes.makeNew')}
          </a>
          <button type="button" class="secondary" onClick={() => navigate({ page: 'security' })}>
            {i18n.t('lowCodes.later')}
          </button>
        </div>
      </section>
    );
  }

  if (step.name === 'second-factor') {
    return (
      <section class="card narrow" aria-labelledby="second-factor-title">
        <h1 id="second-factor-title">{i18n.t('signIn.secondFactorTitle')}</h1>
        {step.choosing ? <Notice kind="error">{error}</Notice> : null}
        <Notice kind="info">{info}</Notice>
        {hasKey ? (
          <div class="actions">
            <button type="button" onClick={useKey} disabled={action === 'busy'}>
              {i18n.t('method.webauthn.use')}
            </button>
          </div>
        ) : null}
        {step.method === 'webauthn' ? (
          <Notice kind="error">{error}</Notice>
        ) : step.choosing ? (
          <fieldset class="method-chooser">
            <legend>{i18n.t('signIn.chooseMethod')}</legend>
            <ul>
              {step.methods.map((method) => (
                <li key={method}>
                  <button
                    type="button"
                    class="method"
                    aria-pressed={method === step.method ? 'true' : 'false'}
                    onClick={() => run(() => choose(step.flowId, step.methods, method, step.codeDigits))}
                  >
                    {i18n.t(`method.${method}.use`)}
                  </button>
                </li>
              ))}
            </ul>
          </fieldset>
        ) : (
          <form
            onSubmit={(event) => {
              event.preventDefault();
              submitCode(code);
            }}
          >
            <OneTimeCodeField
              key={step.method}
              label={i18n.t(`method.${step.method}.codeLabel`)}
              hint={i18n.t(`method.${step.method}.codeHint`)}
              value={code}
              onInput={setCode}
              {...(step.codeDigits[step.method] ? { submitAtLength: step.codeDigits[step.method] } : {})}
              onComplete={submitCode}
              error={error || undefined}
              disabled={action === 'busy'}
            />
            <div class="field checkbox">
              <input
                id="remember-device"
                type="checkbox"
                checked={remember}
                onChange={(event) => setRemember(event.currentTarget.checked)}
              />
              <label for="remember-device">{i18n.t('signIn.rememberDevice')}</label>
            </div>
            <div class="actions">
              <button type="submit" disabled={action === 'busy'}>
                {i18n.t('signIn.verify')}
              </button>
              {isSent(step.method) ? (
                <button
                  type="button"
                  class="secondary"
                  onClick={() => run(() => choose(step.flowId, step.methods, step.method, step.codeDigits))}
                >
                  {i18n.t('signIn.resend')}
                </button>
              ) : null}
            </div>
          </form>
        )}
        {step.methods.length > 1 ? (
          <button
            type="button"
            class="link"
            aria-expanded={step.choosing ? 'true' : 'false'}
            onClick={() => setStep({ ...step, choosing: !step.choosing })}
          >
            {i18n.t('signIn.tryAnother')}
          </button>
        ) : null}
      </section>
    );
  }

  return (
    <section class="card narrow" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">{i18n.t('signIn.title')}</h1>
      <Notice kind="error">{error}</Notice>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          signIn();
        }}
      >
        <TextField
          label={i18n.t('signIn.username')}
          name="username"
          autoComplete="username webauthn"
          value={username}
          onInput={setUsername}
          required
          autoFocus
        />
        <TextField
          label={i18n.t('signIn.password')}
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onInput={setPassword}
          required
        />
        <div class="actions">
          <button type="submit" disabled={action === 'busy'}>
            {i18n.t('signIn.submit')}
          </button>
          {passkeysAvailable ? (
            <button type="button" class="secondary" onClick={signInWithPasskey} disabled={action === 'busy'}>
              {i18n.t('signIn.passkey')}
            </button>
          ) : null}
        </div>
      </form>
      <p class="links">
        <a
          href={pathOf({ page: 'recover' })}
          onClick={(event) => {
            event.preventDefault();
            navigate({ page: 'recover' });
          }}
        >
          {i18n.t('signIn.forgot')}
        </a>
        <a
          href={pathOf({ page: 'sign-up' })}
          onClick={(event) => {
            event.preventDefault();
            navigate({ page: 'sign-up' });
          }}
        >
          {i18n.t('signIn.createAccount')}
        </a>
      </p>
    </section>
  );
}
