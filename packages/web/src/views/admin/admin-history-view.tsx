import { useCallback } from 'preact/hooks';
import { type HistoryQuery, HistoryTable } from '../../components/history-table.js';
import { useI18n } from '../../i18n/i18n.js';
import { client } from '../../services/client.js';

/** Every account's 2FA changes, admins' and the command line's included. */
export function AdminHistoryView() {
  const i18n = useI18n();
  const load = useCallback((query: HistoryQuery) => client.admin.history.list(query), []);
  return (
    <div class="page">
      <h1>{i18n.t('admin.history.title')}</h1>
      <section class="card">
        <HistoryTable load={load} showUser caption={i18n.t('admin.history.title')} />
      </section>
    </div>
  );
}
