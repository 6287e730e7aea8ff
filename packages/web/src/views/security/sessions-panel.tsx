import type { MySessions } from '@tessera/client';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { Notice } from '../../components/notice.js';
import { useI18n } from '../../i18n/i18n.js';
import { client } from '../../services/client.js';
import { errorText } from '../../services/errors.js';

/** The account's sessions and remembered devices, each with a way to end it, and all at once. */
export function SessionsPanel() {
  const i18n = useI18n();
  const [data, setData] = useState<MySessions | null>(null);
  const [error, setError] = useState('');
  const load = useCallback(async () => {
    try {
      setData(await client.sessions.list());
    } catch (caught) {
      setError(errorText(i18n, caught));
    }
  }, [i18n]);
  useEffect(() => {
    load();
  }, [load]);
  const act = async (task: () => Promise<unknown>) => {
    setError('');
    try {
      await task();
      await load();
    } catch (caught) {
      setError(errorText(i18n, caught));
    }
  };
  if (!data) return <Notice kind="error">{error}</Notice>;
  return (
    <div>
      <Notice kind="error">{error}</Notice>
      <div class="table-wrap">
        <table>
          <caption>{i18n.t('sessions.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{i18n.t('sessions.started')}</th>
              <th scope="col">{i18n.t('sessions.lastUsed')}</th>
              <th scope="col">{i18n.t('sessions.from')}</th>
              <th scope="col">
                <span class="visually-hidden">{i18n.t('common.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {data.sessions.map((session) => (
              <tr key={session.id}>
                <td>{i18n.dateTime(session.createdAt)}</td>
                <td>{session.lastUsedAt ? i18n.dateTime(session.lastUsedAt) : '—'}</td>
                <td>{[session.clientIp, session.userAgent].filter(Boolean).join(' · ') || '—'}</td>
                <td>
                  {session.current ? (
                    <span class="badge">{i18n.t('sessions.current')}</span>
                  ) : (
                    <button type="button" class="link" onClick={() => act(() => client.sessions.revoke(session.id))}>
                      {i18n.t('sessions.revoke')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div class="actions">
        <button
          type="button"
          class="secondary"
          onClick={() => act(() => client.sessions.revokeAll({ keepCurrent: true }))}
        >
          {i18n.t('sessions.revokeOthers')}
        </button>
      </div>
      <h3>{i18n.t('devices.title')}</h3>
      {data.devices.length === 0 ? (
        <p>{i18n.t('devices.none')}</p>
      ) : (
        <ul class="plain">
          {data.devices.map((device) => (
            <li key={device.id}>
              {device.label} — {i18n.t('devices.until', { date: i18n.dateTime(device.expiresAt) })}{' '}
              <button type="button" class="link" onClick={() => act(() => client.devices.forget(device.id))}>
                {i18n.t('devices.forget')}
              </button>
            </li>
          ))}
        </ul>
      )}
      {data.devices.length > 0 ? (
        <div class="actions">
          <button
            type="button"
            class="secondary"
            onClick={() => act(() => client.sessions.revokeAll({ keepCurrent: true, forgetDevices: true }))}
          >
            {i18n.t('devices.forgetAll')}
          </button>
        </div>
      ) : null}
    </div>
  );
}
