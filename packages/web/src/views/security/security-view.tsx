import type { Factor, Method } from '@tessera/client';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { type HistoryQuery, HistoryTable } from '../../components/history-table.js';
import { Notice } from '../../components/notice.js';
import { useI18n } from '../../i18n/i18n.js';
import { client } from '../../services/client.js';
import { errorText } from '../../services/errors.js';
import { type Session, useSession } from '../../services/session.js';
import { ChangeContact, ChangePassword } from './account-changes.js';
import { BackupCodesPanel } from './backup-codes-panel.js';
import { DeliveredMethodSetup } from './delivered-method-panel.js';
import { RemoveMethod } from './remove-method.js';
import { SessionsPanel } from './sessions-panel.js';
import { TotpWizard } from './totp-wizard.js';
import { WebAuthnPanel } from './webauthn-panel.js';

const DAY_MS = 24 * 60 * 60 * 1000;

type Open = { kind: 'setup'; method: 'totp' | 'sms' | 'email' } | { kind: 'remove'; method: Method } | null;

/** The account's own security page. */
export function SecurityView(props: { session: Session }) {
  const i18n = useI18n();
  const { reload } = useSession();
  const { account, status } = props.session;
  const [factors, setFactors] = useState<Factor[]>([]);
  const [open, setOpen] = useState<Open>(null);
  const [error, setError] = useState('');
  const [done, setDone] = useState('');

  const load = useCallback(async () => {
    try {
      const [me] = await Promise.all([client.me.get(), reload()]);
      setFactors(me.factors);
    } catch (caught) {
      setError(errorText(i18n, caught));
    }
  }, [reload, i18n]);
  useEffect(() => {
    load();
  }, [load]);
  useEffect(() => {
    if (location.hash) document.getElementById(location.hash.slice(1))?.scrollIntoView();
  }, []);

  const finished = (message: string) => async () => {
    setOpen(null);
    setDone(message);
    await load();
  };
  const active = (method: Method) => status.methods.includes(method);
  const historyLoad = useCallback((query: HistoryQuery) => client.history.list(query), []);
  const requirement = status.requirement;
  const daysLeft =
    requirement.status === 'grace' && requirement.enforcedFrom
      ? Math.max(0, Math.ceil((Date.parse(requirement.enforcedFrom) - Date.now()) / DAY_MS))
      : null;

  return (
    <div class="page">
      <h1>{i18n.t('security.title', { username: account.username })}</h1>
      {daysLeft !== null ? (
        <div class="banner" role="status">
          {i18n.t('security.grace', { days: daysLeft })}
        </div>
      ) : null}
      {requirement.status === 'enforced' ? (
        <div class="banner banner-strong" role="alert">
          {i18n.t('security.enforced')}
        </div>
      ) : null}
      <Notice kind="error">{error}</Notice>
      <Notice kind="success">{done}</Notice>

      <section class="card" aria-labelledby="factors-title">
        <h2 id="factors-title">{i18n.t('security.factors')}</h2>
        {factors.length === 0 ? (
          <p>{i18n.t('security.noFactors')}</p>
        ) : (
          <div class="table-wrap">
            <table data-testid="factors">
              <caption class="visually-hidden">{i18n.t('security.factors')}</caption>
              <thead>
                <tr>
                  <th scope="col">{i18n.t('security.method')}</th>
                  <th scope="col">{i18n.t('security.state')}</th>
                  <th scope="col">{i18n.t('security.added')}</th>
                  <th scope="col">{i18n.t('security.activated')}</th>
                  <th scope="col">
                    <span class="visually-hidden">{i18n.t('common.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {factors.map((factor) => (
                  <tr key={factor.id}>
                    <td>{i18n.t(`method.${factor.method}.name`)}</td>
                    <td>{i18n.t(`factor.status.${factor.status}`)}</td>
                    <td>{i18n.dateTime(factor.createdAt)}</td>
                    <td>{factor.activatedAt ? i18n.dateTime(factor.activatedAt) : '—'}</td>
                    <td>
                      {factor.method === 'webauthn' ? null : factor.status === 'active' ? (
                        <button
                          type="button"
                          class="link"
                          onClick={() => setOpen({ kind: 'remove', method: factor.method })}
                        >
                          {i18n.t(`method.${factor.method}.remove`)}
                        </button>
                      ) : (
                        <button
                          type="button"
                          class="link"
                          onClick={async () => {
                            await client.factors.delete(factor.id).catch(() => undefined);
                            await load();
                          }}
                        >
                          {i18n.t('security.discard')}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {open?.kind === 'remove' ? (
          <RemoveMethod
            method={open.method}
            onDone={finished(i18n.t('security.removed', { method: i18n.t(`method.${open.method}.name`) }))}
            onCancel={() => setOpen(null)}
          />
        ) : null}
      </section>

      <section class="card" aria-labelledby="totp-title">
        <h2 id="totp-title">{i18n.t('totp.title')}</h2>
        {active('totp') ? (
          <p>{i18n.t('totp.active')}</p>
        ) : open?.kind === 'setup' && open.method === 'totp' ? (
          <TotpWizard onDone={finished(i18n.t('totp.done'))} onCancel={() => setOpen(null)} />
        ) : (
          <button type="button" onClick={() => setOpen({ kind: 'setup', method: 'totp' })}>
            {i18n.t('totp.setUp')}
          </button>
        )}
      </section>

      {(['sms', 'email'] as const).map((method) => (
        <section class="card" aria-labelledby={`${method}-title`} key={method}>
          <h2 id={`${method}-title`}>{i18n.t(`method.${method}.name`)}</h2>
          {active(method) ? (
            <p>{i18n.t(`method.${method}.active`)}</p>
          ) : open?.kind === 'setup' && open.method === method ? (
            <DeliveredMethodSetup
              method={method}
              defaultPhone={account.phone ?? ''}
              onDone={finished(i18n.t(`method.${method}.done`))}
              onCancel={() => setOpen(null)}
            />
          ) : (
            <button type="button" class="secondary" onClick={() => setOpen({ kind: 'setup', method })}>
              {i18n.t(`method.${method}.add`)}
            </button>
          )}
        </section>
      ))}

      <section class="card" id="security-keys" aria-labelledby="webauthn-title">
        <h2 id="webauthn-title">{i18n.t('webauthn.title')}</h2>
        <WebAuthnPanel onChanged={load} />
      </section>

      <section class="card" id="backup-codes" aria-labelledby="backup-title">
        <h2 id="backup-title">{i18n.t('backup.title')}</h2>
        <BackupCodesPanel
          active={active('backup_codes')}
          remaining={status.backupCodesRemaining}
          issuer={status.issuer}
          methods={status.methods}
          onChanged={load}
        />
      </section>

      <section class="card" aria-labelledby="account-title">
        <h2 id="account-title">{i18n.t('security.account')}</h2>
        <ChangeContact field="email" current={account.email} methods={status.methods} onChanged={load} />
        <ChangeContact field="phone" current={account.phone} methods={status.methods} onChanged={load} />
        <ChangePassword methods={status.methods} />
      </section>

      <section class="card" aria-labelledby="sessions-title">
        <h2 id="sessions-title">{i18n.t('sessions.title')}</h2>
        <SessionsPanel />
      </section>

      <section class="card" aria-labelledby="history-title">
        <h2 id="history-title">{i18n.t('history.title')}</h2>
        <HistoryTable load={historyLoad} caption={i18n.t('history.caption')} />
      </section>
    </div>
  );
}
