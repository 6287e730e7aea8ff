import type { UserList } from '@tessera/client';
import { useEffect, useState } from 'preact/hooks';
import { Notice } from '../../components/notice.js';
import { useI18n } from '../../i18n/i18n.js';
import { client } from '../../services/client.js';
import { errorText } from '../../services/errors.js';
import { navigate, pathOf } from '../../services/router.js';

const PAGE_SIZE = 50;

/**
 * Every account with its 2FA, lock and disabled state. The search narrows the page shown by
 * name, e-mail or platform id, and looks up an exact username or platform id beyond it.
 */
export function AdminUsersView() {
  const i18n = useI18n();
  const [list, setList] = useState<UserList | null>(null);
  const [offset, setOffset] = useState(0);
  const [search, setSearch] = useState('');
  const [error, setError] = useState('');
  useEffect(() => {
    client.admin.users
      .list({ limit: PAGE_SIZE, offset })
      .then(setList)
      .catch((caught: unknown) => setError(errorText(i18n, caught)));
  }, [offset, i18n]);

  const needle = search.trim().toLowerCase();
  const shown =
    list?.items.filter(
      (user) =>
        !needle ||
        user.username.toLowerCase().includes(needle) ||
        (user.email ?? '').toLowerCase().includes(needle) ||
        (user.externalId ?? '').toLowerCase().includes(needle),
    ) ?? [];

  return (
    <div class="page">
      <h1>{i18n.t('admin.users.title')}</h1>
      <Notice kind="error">{error}</Notice>
      <form
        class="filters"
        onSubmit={async (event) => {
          event.preventDefault();
          if (!needle || shown.length > 0) return;
          setError('');
          try {
            const found = await client.admin.users.lookup({ username: search.trim() });
            navigate({ page: 'admin-user', userId: found.user.id });
          } catch (caught) {
            setError(errorText(i18n, caught));
          }
        }}
      >
        <div class="field">
          <label for="user-search">{i18n.t('admin.users.search')}</label>
          <input
            id="user-search"
            type="search"
            value={search}
            onInput={(event) => setSearch(event.currentTarget.value)}
          />
        </div>
      </form>
      <div class="table-wrap">
        <table data-testid="users">
          <caption class="visually-hidden">{i18n.t('admin.users.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{i18n.t('admin.users.username')}</th>
              <th scope="col">{i18n.t('admin.users.email')}</th>
              <th scope="col">{i18n.t('admin.users.twoFactor')}</th>
              <th scope="col">{i18n.t('admin.users.lock')}</th>
              <th scope="col">{i18n.t('admin.users.account')}</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((user) => (
              <tr key={user.id}>
                <td>
                  <a
                    href={pathOf({ page: 'admin-user', userId: user.id })}
                    onClick={(event) => {
                      event.preventDefault();
                      navigate({ page: 'admin-user', userId: user.id });
                    }}
                  >
                    {user.username}
                  </a>
                </td>
                <td>{user.email ?? '—'}</td>
                <td>
                  {user.twoFactorEnabled
                    ? user.methods.map((m) => i18n.t(`method.${m}.name`)).join(', ')
                    : i18n.t('admin.users.noTwoFactor')}
                </td>
                <td>
                  {user.secondFactorLock.suspended
                    ? i18n.t('admin.users.suspended')
                    : user.secondFactorLock.locked
                      ? i18n.t('admin.users.lockedUntil', {
                          until: user.secondFactorLock.lockedUntil
                            ? i18n.dateTime(user.secondFactorLock.lockedUntil)
                            : '',
                        })
                      : i18n.t('admin.users.unlocked')}
                </td>
                <td>{user.disabled ? i18n.t('admin.users.disabled') : i18n.t('admin.users.enabled')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {list ? (
        <nav class="pager" aria-label={i18n.t('history.pages')}>
          <button
            type="button"
            class="secondary"
            disabled={offset === 0}
            onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}
          >
            {i18n.t('history.previous')}
          </button>
          <span>
            {i18n.t('history.range', {
              from: list.total === 0 ? 0 : offset + 1,
              to: Math.min(offset + PAGE_SIZE, list.total),
              total: list.total,
            })}
          </span>
          <button
            type="button"
            class="secondary"
            disabled={offset + PAGE_SIZE >= list.total}
            onClick={() => setOffset(offset + PAGE_SIZE)}
          >
            {i18n.t('history.next')}
          </button>
        </nav>
      ) : null}
    </div>
  );
}
