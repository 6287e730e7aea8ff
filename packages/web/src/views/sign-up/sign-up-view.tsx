import { useState } from 'preact/hooks';
import { Notice } from '../../components/notice.js';
import { TextField } from '../../components/text-field.js';
import { useI18n } from '../../i18n/i18n.js';
import { client } from '../../services/client.js';
import { errorText } from '../../services/errors.js';
import { navigate, pathOf } from '../../services/router.js';
import { useSession } from '../../services/session.js';

/** A new account (when the server's sign-up is open), signed in at once. */
export function SignUpView() {
  const i18n = useI18n();
  const { reload } = useSession();
  const [username, setUsername] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function submit(): Promise<void> {
    setBusy(true);
    setError('');
    try {
      await client.auth.signUp({ username, password, ...(email ? { email } : {}) });
      const answer = await client.auth.signIn({ username, password });
      if (answer.status === 'signed_in') {
        await reload();
        navigate({ page: 'security' });
      } else {
        navigate({ page: 'sign-in' });
      }
    } catch (caught) {
      setError(errorText(i18n, caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="card narrow" aria-labelledby="sign-up-title">
      <h1 id="sign-up-title">{i18n.t('signUp.title')}</h1>
      <Notice kind="error">{error}</Notice>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          submit();
        }}
      >
        <TextField
          label={i18n.t('signUp.username')}
          autoComplete="username"
          value={username}
          onInput={setUsername}
          required
          autoFocus
        />
        <TextField
          label={i18n.t('signUp.email')}
          type="email"
          autoComplete="email"
          value={email}
          onInput={setEmail}
          hint={i18n.t('signUp.emailHint')}
        />
        <TextField
          label={i18n.t('signUp.password')}
          type="password"
          autoComplete="new-password"
          value={password}
          onInput={setPassword}
          hint={i18n.t('signUp.passwordHint')}
          required
        />
        <div class="actions">
          <button type="submit" disabled={busy}>
            {i18n.t('signUp.submit')}
          </button>
        </div>
      </form>
      <p class="links">
        <a
          href={pathOf({ page: 'sign-in' })}
          onClick={(event) => {
            event.preventDefault();
            navigate({ page: 'sign-in' });
          }}
        >
          {i18n.t('signUp.haveAccount')}
        </a>
      </p>
    </section>
  );
}
