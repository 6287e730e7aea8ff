import type { AdminUser } from '@tessera/client';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { Notice } from '../../components/notice.js';
import { useI18n } from '../../i18n/i18n.js';
import { client } from '../../services/client.js';
import { errorText } from '../../services/errors.js';
import { navigate } from '../../services/router.js';
import { AdminWebAuthnKeys } from './admin-webauthn-keys.js';

type Pending = 'reset' | 'delete' | null;

/** One account: its state, its security keys, and what an admin may do to it (reset 2FA, unlock, disable, delete). */
export function AdminUserView(props: { userId: string }) {
  const i18n = useI18n();
  const [user, setUser] = useState<AdminUser | null>(null);
  const [error, setError] = useState('');
  const [done, setDone] = useState('');
  const [confirming, setConfirming] = useState<Pending>(null);
  const load = useCallback(async () => {
    try {
      setUser(await client.admin.users.get(props.userId));
    } catch (caught) {
      setError(errorText(i18n, caught));
    }
  }, [props.userId, i18n]);
  useEffect(() => {
    load();
  }, [load]);

  const act = async (task: () => Promise<unknown>, message: string) => {
    setError('');
    setDone('');
    setConfirming(null);
    try {
      await task();
      await load();
      setDone(message);
    } catch (caught) {
      setError(errorText(i18n, caught));
    }
  };

  if (!user) return <Notice kind="error">{error}</Notice>;
  const lock = user.secondFactorLock;
  return (
    <div class="page">
      <h1>{i18n.t('admin.user.title', { username: user.username })}</h1>
      <Notice kind="error">{error}</Notice>
      <Notice kind="success">{done}</Notice>
      <section class="card">
        <dl class="facts">
          <dt>{i18n.t('admin.users.email')}</dt>
          <dd>{user.email ?? '—'}</dd>
          <dt>{i18n.t('admin.user.role')}</dt>
          <dd>{i18n.t(`admin.user.role.${user.role}`)}</dd>
          <dt>{i18n.t('admin.users.twoFactor')}</dt>
          <dd data-testid="user-methods">
            {user.twoFactorEnabled
              ? user.methods.map((m) => i18n.t(`method.${m}.name`)).join(', ')
              : i18n.t('admin.users.noTwoFactor')}
          </dd>
          <dt>{i18n.t('admin.users.lock')}</dt>
          <dd data-testid="user-lock">
            {lock.suspended
              ? i18n.t('admin.users.suspended')
              : lock.locked
                ? i18n.t('admin.users.lockedUntil', { until: lock.lockedUntil ? i18n.dateTime(lock.lockedUntil) : '' })
                : i18n.t('admin.users.unlocked')}
          </dd>
          <dt>{i18n.t('admin.users.account')}</dt>
          <dd data-testid="user-disabled">
            {user.disabled ? i18n.t('admin.users.disabled') : i18n.t('admin.users.enabled')}
          </dd>
          <dt>{i18n.t('security.added')}</dt>
          <dd>{i18n.dateTime(user.createdAt)}</dd>
        </dl>
        <div class="actions">
          {lock.locked || lock.suspended ? (
            <button
              type="button"
              onClick={() => act(() => client.admin.users.unlock(user.id), i18n.t('admin.user.unlocked'))}
            >
              {i18n.t('admin.user.unlock')}
            </button>
          ) : null}
          {user.twoFactorEnabled ? (
            <button type="button" class="danger" onClick={() => setConfirming('reset')}>
              {i18n.t('admin.user.reset')}
            </button>
          ) : null}
          {user.disabled ? (
            <button
              type="button"
              class="secondary"
              onClick={() => act(() => client.admin.users.enable(user.id), i18n.t('admin.user.enabledDone'))}
            >
              {i18n.t('admin.user.enable')}
            </button>
          ) : (
            <button
              type="button"
              class="secondary"
              onClick={() => act(() => client.admin.users.disable(user.id), i18n.t('admin.user.disabledDone'))}
            >
              {i18n.t('admin.user.disable')}
            </button>
          )}
          <button type="button" class="danger" onClick={() => setConfirming('delete')}>
            {i18n.t('admin.user.delete')}
          </button>
        </div>
        {confirming ? (
          <div class="callout" role="alertdialog" aria-labelledby="confirm-title" aria-describedby="confirm-body">
            <h2 id="confirm-title">{i18n.t(`admin.user.confirm.${confirming}.title`)}</h2>
            <p id="confirm-body">{i18n.t(`admin.user.confirm.${confirming}.body`, { username: user.username })}</p>
            <div class="actions">
              <button
                type="button"
                class="danger"
                onClick={() =>
                  confirming === 'reset'
                    ? act(() => client.admin.users.reset(user.id), i18n.t('admin.user.resetDone'))
                    : act(async () => {
                        await client.admin.users.delete(user.id);
                        navigate({ page: 'admin-users' });
                      }, i18n.t('admin.user.deletedDone'))
                }
              >
                {i18n.t(`admin.user.confirm.${confirming}.yes`)}
              </button>
              <button type="button" class="secondary" onClick={() => setConfirming(null)}>
                {i18n.t('common.cancel')}
              </button>
            </div>
          </div>
        ) : null}
      </section>
      {user.methods.includes('webauthn') ? (
        <AdminWebAuthnKeys
          userId={user.id}
          username={user.username}
          onRemoved={(name) => act(async () => undefined, i18n.t('webauthn.removed', { name }))}
        />
      ) : null}
    </div>
  );
}
