import { startAuthentication, startRegistration } from '@simplewebauthn/browser';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { Notice } from '../../components/notice.js';
import { useI18n } from '../../i18n/i18n.js';
import { client } from '../../services/client.js';
import { errorText } from '../../services/errors.js';

type WebAuthnCredential = Awaited<ReturnType<typeof client.webauthn.list>>['credentials'][number];
type Options = Parameters<typeof startRegistration>[0]['optionsJSON'];
type AssertionOptions = Parameters<typeof startAuthentication>[0]['optionsJSON'];

type ResponseBody = Parameters<typeof client.webauthn.finishRegistration>[1]['credential'];

/**
 * The browser's answer as the API's body. It is JSON already; the library's interfaces lack the
 * open index signature the API's schema has, so the value goes through as the plain JSON it is.
 */
export function asResponseBody(answer: object): ResponseBody {
  return JSON.parse(JSON.stringify(answer)) as ResponseBody;
}

/**
 * The account's security keys and passkeys: the list (name, added, last used), adding one
 * through the browser's own prompt, renaming, and removing. Removing takes a step-up answered
 * by a key (the API wants a success token for that one credential), so a stolen session alone
 * cannot take a key off the account.
 */
export function WebAuthnPanel(props: { onChanged(): void }) {
  const i18n = useI18n();
  const [credentials, setCredentials] = useState<WebAuthnCredential[]>([]);
  const [renaming, setRenaming] = useState<{ id: string; name: string } | null>(null);
  const [error, setError] = useState('');
  const [done, setDone] = useState('');
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    const list = await client.webauthn.list();
    setCredentials(list.credentials);
  }, []);
  useEffect(() => {
    load().catch((caught) => setError(errorText(i18n, caught)));
  }, [load, i18n]);

  async function run(task: () => Promise<string>): Promise<void> {
    if (busy) return;
    setBusy(true);
    setError('');
    setDone('');
    try {
      setDone(await task());
      await load();
      props.onChanged();
    } catch (caught) {
      setError(ceremonyError(caught) ?? errorText(i18n, caught));
    } finally {
      setBusy(false);
    }
  }

  /** A prompt the person dismissed or that timed out is not a server error: say it plainly. */
  function ceremonyError(caught: unknown): string | null {
    return caught instanceof Error && (caught.name === 'NotAllowedError' || caught.name === 'AbortError')
      ? i18n.t('webauthn.cancelled')
      : null;
  }

  const add = () =>
    run(async () => {
      const started = await client.webauthn.startRegistration();
      const credential = await startRegistration({ optionsJSON: started.webauthn.options as unknown as Options });
      await client.webauthn.finishRegistration(started.flowId, { credential: asResponseBody(credential) });
      return i18n.t('method.webauthn.done');
    });

  const rename = (id: string, name: string) =>
    run(async () => {
      await client.webauthn.rename(id, { name });
      setRenaming(null);
      return i18n.t('webauthn.renamed', { name });
    });

  const remove = (key: WebAuthnCredential) =>
    run(async () => {
      const challenge = await client.webauthn.startChallenge({
        operation: 'remove_webauthn_credential',
        target: key.id,
      });
      const assertion = await startAuthentication({
        optionsJSON: challenge.webauthn.options as unknown as AssertionOptions,
      });
      const token = await client.webauthn.confirmChallenge(challenge.challengeId, {
        credential: asResponseBody(assertion),
      });
      await client.webauthn.remove(key.id, { successToken: token.successToken });
      return i18n.t('webauthn.removed', { name: key.name });
    });

  return (
    <div data-testid="webauthn">
      <p>{i18n.t('webauthn.intro')}</p>
      <Notice kind="error">{error}</Notice>
      <Notice kind="success">{done}</Notice>
      {credentials.length === 0 ? (
        <p>{i18n.t('webauthn.none')}</p>
      ) : (
        <div class="table-wrap">
          <table data-testid="webauthn-keys">
            <caption class="visually-hidden">{i18n.t('method.webauthn.name')}</caption>
            <thead>
              <tr>
                <th scope="col">{i18n.t('webauthn.name')}</th>
                <th scope="col">{i18n.t('security.added')}</th>
                <th scope="col">{i18n.t('webauthn.lastUsed')}</th>
                <th scope="col">
                  <span class="visually-hidden">{i18n.t('common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {credentials.map((key) => (
                <tr key={key.id}>
                  <td>
                    {renaming?.id === key.id ? (
                      <form
                        class="inline-form"
                        onSubmit={(event) => {
                          event.preventDefault();
                          rename(key.id, renaming.name.trim());
                        }}
                      >
                        <label class="visually-hidden" for={`rename-${key.id}`}>
                          {i18n.t('webauthn.newName')}
                        </label>
                        <input
                          id={`rename-${key.id}`}
                          value={renaming.name}
                          maxLength={64}
                          required
                          onInput={(event) => setRenaming({ id: key.id, name: event.currentTarget.value })}
                        />
                        <button type="submit" disabled={busy}>
                          {i18n.t('webauthn.save')}
                        </button>
                        <button type="button" class="secondary" onClick={() => setRenaming(null)}>
                          {i18n.t('common.cancel')}
                        </button>
                      </form>
                    ) : (
                      <>
                        {key.name}
                        {key.passkey ? ` (${i18n.t('webauthn.passkey')})` : ''}
                      </>
                    )}
                  </td>
                  <td>{i18n.dateTime(key.createdAt)}</td>
                  <td>{key.lastUsedAt ? i18n.dateTime(key.lastUsedAt) : i18n.t('webauthn.never')}</td>
                  <td>
                    <button
                      type="button"
                      class="link"
                      aria-label={i18n.t('webauthn.renameOne', { name: key.name })}
                      onClick={() => setRenaming({ id: key.id, name: key.name })}
                    >
                      {i18n.t('webauthn.rename')}
                    </button>{' '}
                    <button
                      type="button"
                      class="link"
                      aria-label={i18n.t('webauthn.removeOne', { name: key.name })}
                      disabled={busy}
                      onClick={() => remove(key)}
                    >
                      {i18n.t('webauthn.remove')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <button type="button" class="secondary" onClick={add} disabled={busy}>
        {i18n.t('method.webauthn.add')}
      </button>
    </div>
  );
}
