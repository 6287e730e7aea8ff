import { useState } from 'preact/hooks';
import { Notice } from '../../components/notice.js';
import { OneTimeCodeField } from '../../components/one-time-code-field.js';
import { TextField } from '../../components/text-field.js';
import { useI18n } from '../../i18n/i18n.js';
import { client } from '../../services/client.js';
import { errorText, isStartAgain } from '../../services/errors.js';
import { navigate, pathOf } from '../../services/router.js';

type Step =
  | { name: 'login' }
  /** `digits`: the code's length, as the server said: the field submits on the last one. */
  | { name: 'code'; challengeId: string; digits: number }
  | { name: 'password'; successToken: string }
  | { name: 'done' };

/** Password recovery through the code e-mailed to the account's address. */
export function RecoverView() {
  const i18n = useI18n();
  const [step, setStep] = useState<Step>({ name: 'login' });
  const [login, setLogin] = useState('');
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function run(task: () => Promise<void>): Promise<void> {
    if (busy) return;
    setBusy(true);
    setError('');
    try {
      await task();
    } catch (caught) {
      if (isStartAgain(caught)) setStep({ name: 'login' });
      setError(errorText(i18n, caught));
    } finally {
      setBusy(false);
    }
  }

  const confirm = (value: string) =>
    run(async () => {
      if (step.name !== 'code') return;
      const token = await client.auth.confirmRecovery(step.challengeId, { code: value });
      setStep({ name: 'password', successToken: token.successToken });
    }).finally(() => setCode(''));

  return (
    <section class="card narrow" aria-labelledby="recover-title">
      <h1 id="recover-title">{i18n.t('recover.title')}</h1>
      {step.name === 'code' ? null : <Notice kind="error">{error}</Notice>}
      {step.name === 'login' ? (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            run(async () => {
              const started = await client.auth.startRecovery({ login });
              setStep({ name: 'code', challengeId: started.challengeId, digits: started.digits });
            });
          }}
        >
          <p>{i18n.t('recover.intro')}</p>
          <TextField
            label={i18n.t('recover.login')}
            autoComplete="username"
            value={login}
            onInput={setLogin}
            required
            autoFocus
          />
          <div class="actions">
            <button type="submit" disabled={busy}>
              {i18n.t('recover.send')}
            </button>
          </div>
        </form>
      ) : null}
      {step.name === 'code' ? (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            confirm(code);
          }}
        >
          <Notice kind="info">{i18n.t('recover.sent')}</Notice>
          <OneTimeCodeField
            label={i18n.t('method.email.codeLabel')}
            value={code}
            onInput={setCode}
            submitAtLength={step.digits}
            onComplete={confirm}
            error={error || undefined}
            disabled={busy}
          />
          <div class="actions">
            <button type="submit" disabled={busy}>
              {i18n.t('common.continue')}
            </button>
          </div>
        </form>
      ) : null}
      {step.name === 'password' ? (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            run(async () => {
              await client.auth.resetPassword({ successToken: step.successToken, newPassword: password });
              setPassword('');
              setStep({ name: 'done' });
            });
          }}
        >
          <TextField
            label={i18n.t('recover.newPassword')}
            type="password"
            autoComplete="new-password"
            value={password}
            onInput={setPassword}
            hint={i18n.t('signUp.passwordHint')}
            required
            autoFocus
          />
          <div class="actions">
            <button type="submit" disabled={busy}>
              {i18n.t('recover.setPassword')}
            </button>
          </div>
        </form>
      ) : null}
      {step.name === 'done' ? <Notice kind="success">{i18n.t('recover.done')}</Notice> : null}
      <p class="links">
        <a
          href={pathOf({ page: 'sign-in' })}
          onClick={(event) => {
            event.preventDefault();
            navigate({ page: 'sign-in' });
          }}
        >
          {i18n.t('recover.backToSignIn')}
        </a>
      </p>
    </section>
  );
}
