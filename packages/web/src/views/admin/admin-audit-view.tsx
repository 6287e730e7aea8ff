import type { AuditAction, AuditPage, QueryOf } from '@tessera/client';
import { useEffect, useState } from 'preact/hooks';
import { Notice } from '../../components/notice.js';
import { useI18n } from '../../i18n/i18n.js';
import { client } from '../../services/client.js';
import { errorText } from '../../services/errors.js';

const PAGE_SIZE = 20;

/** Every action the trail records, in the order the filter offers them. */
const ACTIONS: readonly AuditAction[] = [
  'sign_in.password_ok',
  'sign_in.password_failed',
  'sign_in.second_factor_ok',
  'sign_in.second_factor_failed',
  'lockout.started',
  'lockout.cleared',
  'password.changed',
  'password.reset',
  'api_token.created',
  'api_token.first_used',
  'api_token.revoked',
  'sessions.revoked',
  'admin.account',
  'factor.changed',
  'settings.changed',
  'key.rotated',
  'webauthn.clone_warning',
  'destination_verification.started',
  'destination_verification.finished',
  'audit.pruned',
];

interface Filters {
  action: AuditAction | '';
  userId: string;
  actorId: string;
  since: string;
  until: string;
}

const NO_FILTERS: Filters = { action: '', userId: '', actorId: '', since: '', until: '' };

/** A day typed in a date field, as the instant it starts (UTC), or nothing. */
function dayStart(day: string): string | undefined {
  return /^\d{4}-\d{2}-\d{2}$/.test(day) ? `${day}T00:00:00Z` : undefined;
}

/** The audit trail, newest first: filter by action, account, actor and days; page back by seq. */
export function AdminAuditView() {
  const i18n = useI18n();
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  // The `before` of each page shown so far: the last one is the current page's.
  const [pages, setPages] = useState<(number | undefined)[]>([undefined]);
  const [page, setPage] = useState<AuditPage | null>(null);
  const [error, setError] = useState('');
  const before = pages[pages.length - 1];

  useEffect(() => {
    const since = dayStart(filters.since);
    const until = dayStart(filters.until);
    const query: QueryOf<'adminListAudit'> = {
      limit: PAGE_SIZE,
      ...(before === undefined ? {} : { before }),
      ...(filters.action ? { action: filters.action } : {}),
      ...(filters.userId.trim() ? { userId: filters.userId.trim() } : {}),
      ...(filters.actorId.trim() ? { actorId: filters.actorId.trim() } : {}),
      ...(since ? { since } : {}),
      ...(until ? { until } : {}),
    };
    setError('');
    client.admin.audit
      .list(query)
      .then(setPage)
      .catch((caught: unknown) => setError(errorText(i18n, caught)));
  }, [filters, before, i18n]);

  const field = (name: keyof Filters) => ({
    id: `audit-${name}`,
    value: draft[name],
    onInput: (event: Event) => setDraft({ ...draft, [name]: (event.currentTarget as HTMLInputElement).value }),
  });

  return (
    <div class="page">
      <h1>{i18n.t('admin.audit.title')}</h1>
      <p>{i18n.t('admin.audit.intro')}</p>
      <section class="card">
        <Notice kind="error">{error}</Notice>
        <form
          class="filters"
          onSubmit={(event) => {
            event.preventDefault();
            setFilters(draft);
            setPages([undefined]);
          }}
        >
          <div class="field">
            <label for="audit-action">{i18n.t('admin.audit.action')}</label>
            <select
              id="audit-action"
              value={draft.action}
              onChange={(event) => setDraft({ ...draft, action: event.currentTarget.value as AuditAction | '' })}
            >
              <option value="">{i18n.t('history.any')}</option>
              {ACTIONS.map((action) => (
                <option key={action} value={action}>
                  {i18n.t(`audit.action.${action}`)}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="audit-userId">{i18n.t('admin.audit.user')}</label>
            <input type="text" autocomplete="off" {...field('userId')} />
          </div>
          <div class="field">
            <label for="audit-actorId">{i18n.t('admin.audit.actor')}</label>
            <input type="text" autocomplete="off" {...field('actorId')} />
          </div>
          <div class="field">
            <label for="audit-since">{i18n.t('admin.audit.since')}</label>
            <input type="date" {...field('since')} />
          </div>
          <div class="field">
            <label for="audit-until">{i18n.t('admin.audit.until')}</label>
            <input type="date" {...field('until')} />
          </div>
          <div class="field">
            <button type="submit">{i18n.t('admin.audit.apply')}</button>
          </div>
        </form>
        {/* Wider than the page on a small screen: a region the keyboard can scroll too. */}
        {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must take focus to be scrolled by keys. */}
        <section class="table-wrap" aria-label={i18n.t('admin.audit.title')} tabIndex={0}>
          <table data-testid="audit">
            <caption>{i18n.t('admin.audit.title')}</caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">{i18n.t('history.when')}</th>
                <th scope="col">{i18n.t('admin.audit.action')}</th>
                <th scope="col">{i18n.t('history.user')}</th>
                <th scope="col">{i18n.t('history.by')}</th>
                <th scope="col">{i18n.t('history.from')}</th>
                <th scope="col">{i18n.t('admin.audit.details')}</th>
              </tr>
            </thead>
            <tbody>
              {page?.items.map((entry) => (
                <tr key={entry.seq} data-action={entry.action}>
                  <td>{entry.seq}</td>
                  <td>{i18n.dateTime(entry.createdAt)}</td>
                  <td>{i18n.t(`audit.action.${entry.action}`)}</td>
                  <td>{entry.targetUserId ?? '—'}</td>
                  <td>{entry.actorId ?? i18n.t(`audit.actor.${entry.actorKind}`)}</td>
                  <td>{entry.clientIp ?? '—'}</td>
                  <td>
                    <code>{Object.keys(entry.details).length > 0 ? JSON.stringify(entry.details) : ''}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        {page && page.items.length === 0 ? <p>{i18n.t('admin.audit.empty')}</p> : null}
        {page ? (
          <nav class="pager" aria-label={i18n.t('history.pages')}>
            <button
              type="button"
              class="secondary"
              disabled={pages.length === 1}
              onClick={() => setPages(pages.slice(0, -1))}
            >
              {i18n.t('admin.audit.newer')}
            </button>
            <button
              type="button"
              class="secondary"
              disabled={page.next === null}
              onClick={() => {
                if (page.next !== null) setPages([...pages, page.next]);
              }}
            >
              {i18n.t('admin.audit.older')}
            </button>
          </nav>
        ) : null}
      </section>
    </div>
  );
}
