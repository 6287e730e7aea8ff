import { useCallback, useEffect, useState } from 'preact/hooks';
import { Notice } from '../../components/notice.js';
import { useI18n } from '../../i18n/i18n.js';
import { client } from '../../services/client.js';
import { errorText } from '../../services/errors.js';

type WebAuthnCredential = Awaited<ReturnType<typeof client.webauthn.listFor>>['credentials'][number];

/**
 * A user's security keys and passkeys as an admin sees them (name, model, added, last used), and
 * the removal of one, for a key the user has lost: confirmed first, since the user cannot sign in
 * with it any more. The server records it as this admin's change and tells the user.
 */
export function AdminWebAuthnKeys(props: { userId: string; username: string; onRemoved(name: string): void }) {
  const i18n = useI18n();
  const [credentials, setCredentials] = useState<WebAuthnCredential[]>([]);
  const [confirming, setConfirming] = useState<WebAuthnCredential | null>(null);
  const [error, setError] = useState('');

  const load = useCallback(async () => {
    setCredentials((await client.webauthn.listFor(props.userId)).credentials);
  }, [props.userId]);
  useEffect(() => {
    load().catch((caught) => setError(errorText(i18n, caught)));
  }, [load, i18n]);

  const remove = async (key: WebAuthnCredential) => {
    setError('');
    setConfirming(null);
    try {
      await client.webauthn.removeFor(props.userId, key.id);
      await load();
      // The user's page says so: with the last key gone, this section goes too.
      props.onRemoved(key.name);
    } catch (caught) {
      setError(errorText(i18n, caught));
    }
  };

  return (
    <section class="card" aria-labelledby="admin-keys-title" data-testid="admin-webauthn">
      <h2 id="admin-keys-title">{i18n.t('webauthn.title')}</h2>
      <Notice kind="error">{error}</Notice>
      {credentials.length === 0 ? (
        <p>{i18n.t('webauthn.none')}</p>
      ) : (
        <div class="table-wrap">
          <table data-testid="admin-webauthn-keys">
            <caption class="visually-hidden">{i18n.t('webauthn.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{i18n.t('webauthn.name')}</th>
                <th scope="col">{i18n.t('webauthn.model')}</th>
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
                    {key.name}
                    {key.passkey ? ` (${i18n.t('webauthn.passkey')})` : ''}
                  </td>
                  <td title={key.aaguid}>{key.model ?? i18n.t('webauthn.unknownModel')}</td>
                  <td>{i18n.dateTime(key.createdAt)}</td>
                  <td>{key.lastUsedAt ? i18n.dateTime(key.lastUsedAt) : i18n.t('webauthn.never')}</td>
                  <td>
                    <button
                      type="button"
                      class="link"
                      aria-label={i18n.t('webauthn.removeOne', { name: key.name })}
                      onClick={() => setConfirming(key)}
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
      {confirming ? (
        <div class="callout" role="alertdialog" aria-labelledby="confirm-key-title" aria-describedby="confirm-key-body">
          <h3 id="confirm-key-title">{i18n.t('admin.user.keys.confirm.title', { name: confirming.name })}</h3>
          <p id="confirm-key-body">{i18n.t('admin.user.keys.confirm.body', { username: props.username })}</p>
          <div class="actions">
            <button type="button" class="danger" onClick={() => remove(confirming)}>
              {i18n.t('webauthn.remove')}
            </button>
            <button type="button" class="secondary" onClick={() => setConfirming(null)}>
              {i18n.t('common.cancel')}
            </button>
          </div>
        </div>
      ) : null}
    </section>
  );
}
