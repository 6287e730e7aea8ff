import type { HistoryEntry, HistoryPage, Method } from '@tessera/client';
import { useEffect, useState } from 'preact/hooks';
import { useI18n } from '../i18n/i18n.js';
import { errorText } from '../services/errors.js';
import { Notice } from './notice.js';

const PAGE_SIZE = 10;
const METHODS: readonly Method[] = ['totp', 'sms', 'email', 'backup_codes'];

export interface HistoryQuery {
  method?: Method;
  enabled?: boolean;
  order: 'asc' | 'desc';
  limit: number;
  offset: number;
}

/** The 2FA change history as a table: filter by method and on/off, newest or oldest first, paged. */
export function HistoryTable(props: {
  load(query: HistoryQuery): Promise<HistoryPage>;
  showUser?: boolean;
  caption: string;
}) {
  const i18n = useI18n();
  const [method, setMethod] = useState<Method | ''>('');
  const [enabled, setEnabled] = useState<'' | 'true' | 'false'>('');
  const [order, setOrder] = useState<'asc' | 'desc'>('desc');
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<HistoryPage | null>(null);
  const [error, setError] = useState('');
  const { load } = props;
  useEffect(() => {
    const query: HistoryQuery = {
      order,
      limit: PAGE_SIZE,
      offset,
      ...(method ? { method } : {}),
      ...(enabled ? { enabled: enabled === 'true' } : {}),
    };
    load(query)
      .then(setPage)
      .catch((caught: unknown) => setError(errorText(i18n, caught)));
  }, [load, method, enabled, order, offset, i18n]);

  const describe = (entry: HistoryEntry) =>
    i18n.t(`history.action.${entry.action}`, {
      method: METHODS.includes(entry.method as Method) ? i18n.t(`method.${entry.method as Method}.name`) : entry.method,
    });
  return (
    <div>
      <Notice kind="error">{error}</Notice>
      <div class="filters">
        <div class="field">
          <label for="history-method">{i18n.t('history.method')}</label>
          <select
            id="history-method"
            value={method}
            onChange={(e) => {
              setMethod(e.currentTarget.value as Method | '');
              setOffset(0);
            }}
          >
            <option value="">{i18n.t('history.any')}</option>
            {METHODS.map((m) => (
              <option key={m} value={m}>
                {i18n.t(`method.${m}.name`)}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="history-enabled">{i18n.t('history.state')}</label>
          <select
            id="history-enabled"
            value={enabled}
            onChange={(e) => {
              setEnabled(e.currentTarget.value as '' | 'true' | 'false');
              setOffset(0);
            }}
          >
            <option value="">{i18n.t('history.any')}</option>
            <option value="true">{i18n.t('history.on')}</option>
            <option value="false">{i18n.t('history.off')}</option>
          </select>
        </div>
        <div class="field">
          <label for="history-order">{i18n.t('history.order')}</label>
          <select id="history-order" value={order} onChange={(e) => setOrder(e.currentTarget.value as 'asc' | 'desc')}>
            <option value="desc">{i18n.t('history.newest')}</option>
            <option value="asc">{i18n.t('history.oldest')}</option>
          </select>
        </div>
      </div>
      <div class="table-wrap">
        <table data-testid="history">
          <caption>{props.caption}</caption>
          <thead>
            <tr>
              <th scope="col">{i18n.t('history.when')}</th>
              {props.showUser ? <th scope="col">{i18n.t('history.user')}</th> : null}
              <th scope="col">{i18n.t('history.what')}</th>
              <th scope="col">{i18n.t('history.by')}</th>
              <th scope="col">{i18n.t('history.from')}</th>
            </tr>
          </thead>
          <tbody>
            {page?.items.map((entry) => (
              <tr key={entry.id}>
                <td>{i18n.dateTime(entry.createdAt)}</td>
                {props.showUser ? <td>{entry.userPseudonym ?? entry.userId ?? '—'}</td> : null}
                <td>{describe(entry)}</td>
                <td>{i18n.t(`history.actor.${entry.actor}`)}</td>
                <td>{entry.clientIp ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {page && page.items.length === 0 ? <p>{i18n.t('history.empty')}</p> : null}
      {page ? (
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
              from: page.total === 0 ? 0 : offset + 1,
              to: Math.min(offset + PAGE_SIZE, page.total),
              total: page.total,
            })}
          </span>
          <button
            type="button"
            class="secondary"
            disabled={offset + PAGE_SIZE >= page.total}
            onClick={() => setOffset(offset + PAGE_SIZE)}
          >
            {i18n.t('history.next')}
          </button>
        </nav>
      ) : null}
    </div>
  );
}
