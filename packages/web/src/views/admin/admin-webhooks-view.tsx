import type { WebhookDelivery, WebhookEndpoint } from '@tessera/client';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { CopyButton } from '../../components/copy-button.js';
import { Notice } from '../../components/notice.js';
import { TextField } from '../../components/text-field.js';
import { useI18n } from '../../i18n/i18n.js';
import { client } from '../../services/client.js';
import { errorText } from '../../services/errors.js';

/** The event types an endpoint may take, in the order the catalogue lists them. */
const EVENT_TYPES = [
  'factor.added',
  'factor.removed',
  'admin.reset',
  'backup_codes.regenerated',
  'backup_codes.low',
  'lockout.started',
  'user.unlocked',
  'signin.new_device',
  'webauthn.clone_warning',
] as const;
type EventType = (typeof EVENT_TYPES)[number];

/** Webhook endpoints: register one (its secret shown once), rotate, switch off, remove; see deliveries and send one again. */
export function AdminWebhooksView() {
  const i18n = useI18n();
  const [endpoints, setEndpoints] = useState<WebhookEndpoint[]>([]);
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<EventType[]>([]);
  const [secret, setSecret] = useState<{ url: string; secret: string } | null>(null);
  const [selected, setSelected] = useState<WebhookEndpoint | null>(null);
  const [deliveries, setDeliveries] = useState<WebhookDelivery[]>([]);
  const [error, setError] = useState('');
  const [done, setDone] = useState('');

  const reload = useCallback(async () => {
    setEndpoints((await client.admin.webhooks.list()).endpoints);
  }, []);
  useEffect(() => {
    reload().catch((caught: unknown) => setError(errorText(i18n, caught)));
  }, [reload, i18n]);

  const act = async (task: () => Promise<string | undefined>) => {
    setError('');
    setDone('');
    try {
      const message = await task();
      if (message) setDone(message);
    } catch (caught) {
      setError(errorText(i18n, caught));
    }
  };

  const showDeliveries = async (endpoint: WebhookEndpoint) => {
    setSelected(endpoint);
    setDeliveries((await client.admin.webhooks.deliveries(endpoint.id, { limit: 50 })).items);
  };

  return (
    <div class="page">
      <h1>{i18n.t('admin.webhooks.title')}</h1>
      <Notice kind="error">{error}</Notice>
      <Notice kind="success">{done}</Notice>
      {secret ? (
        <section class="card" aria-labelledby="webhook-secret-title">
          <h2 id="webhook-secret-title">{i18n.t('admin.webhooks.secretTitle')}</h2>
          <p>{i18n.t('admin.webhooks.secretOnce', { url: secret.url })}</p>
          <p>
            <code data-testid="webhook-secret">{secret.secret}</code>
          </p>
          <div class="actions">
            <CopyButton text={secret.secret} label={i18n.t('admin.webhooks.copySecret')} />
            <button type="button" class="secondary" onClick={() => setSecret(null)}>
              {i18n.t('admin.webhooks.secretSaved')}
            </button>
          </div>
        </section>
      ) : null}
      <section class="card" aria-labelledby="webhook-new-title">
        <h2 id="webhook-new-title">{i18n.t('admin.webhooks.new')}</h2>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            act(async () => {
              const created = await client.admin.webhooks.create({ url, events });
              setSecret({ url: created.endpoint.url, secret: created.secret });
              setUrl('');
              setEvents([]);
              await reload();
              return i18n.t('admin.webhooks.createdNotice');
            });
          }}
        >
          <TextField
            label={i18n.t('admin.webhooks.url')}
            value={url}
            onInput={setUrl}
            hint={i18n.t('admin.webhooks.urlHint')}
            required
          />
          <fieldset>
            <legend>{i18n.t('admin.webhooks.events')}</legend>
            <p class="hint">{i18n.t('admin.webhooks.eventsHint')}</p>
            {EVENT_TYPES.map((type) => (
              <div class="field checkbox" key={type}>
                <input
                  id={`webhook-event-${type}`}
                  type="checkbox"
                  checked={events.includes(type)}
                  onChange={(e) =>
                    setEvents(e.currentTarget.checked ? [...events, type] : events.filter((t) => t !== type))
                  }
                />
                <label for={`webhook-event-${type}`}>
                  <code>{type}</code>
                </label>
              </div>
            ))}
          </fieldset>
          <div class="actions">
            <button type="submit">{i18n.t('admin.webhooks.create')}</button>
          </div>
        </form>
      </section>
      <section class="card" aria-labelledby="webhook-list-title">
        <h2 id="webhook-list-title">{i18n.t('admin.webhooks.endpoints')}</h2>
        {endpoints.length === 0 ? (
          <p>{i18n.t('admin.webhooks.none')}</p>
        ) : (
          <div class="table-wrap">
            <table data-testid="webhooks">
              <caption class="visually-hidden">{i18n.t('admin.webhooks.endpoints')}</caption>
              <thead>
                <tr>
                  <th scope="col">{i18n.t('admin.webhooks.url')}</th>
                  <th scope="col">{i18n.t('admin.webhooks.events')}</th>
                  <th scope="col">{i18n.t('admin.webhooks.state')}</th>
                  <th scope="col">{i18n.t('common.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {endpoints.map((endpoint) => (
                  <tr key={endpoint.id}>
                    <td>{endpoint.url}</td>
                    <td>
                      {endpoint.events.length === 0 ? i18n.t('admin.webhooks.allEvents') : endpoint.events.join(', ')}
                    </td>
                    <td>
                      {endpoint.enabled
                        ? i18n.t('admin.webhooks.enabled')
                        : endpoint.disabledReason
                          ? i18n.t('admin.webhooks.disabledGone')
                          : i18n.t('admin.webhooks.disabled')}
                    </td>
                    <td class="actions">
                      <button
                        type="button"
                        class="secondary"
                        onClick={() =>
                          act(async () => {
                            await showDeliveries(endpoint);
                            return undefined;
                          })
                        }
                      >
                        {i18n.t('admin.webhooks.showDeliveries')}
                      </button>
                      <button
                        type="button"
                        class="secondary"
                        onClick={() =>
                          act(async () => {
                            const rotated = await client.admin.webhooks.rotateSecret(endpoint.id);
                            setSecret({ url: endpoint.url, secret: rotated.secret });
                            return i18n.t('admin.webhooks.rotated', {
                              until: i18n.dateTime(rotated.previousSecretsExpireAt),
                            });
                          })
                        }
                      >
                        {i18n.t('admin.webhooks.rotate')}
                      </button>
                      <button
                        type="button"
                        class="secondary"
                        onClick={() =>
                          act(async () => {
                            await client.admin.webhooks.update(endpoint.id, { enabled: !endpoint.enabled });
                            await reload();
                            return undefined;
                          })
                        }
                      >
                        {endpoint.enabled ? i18n.t('admin.webhooks.disable') : i18n.t('admin.webhooks.enable')}
                      </button>
                      <button
                        type="button"
                        class="danger"
                        onClick={() =>
                          act(async () => {
                            await client.admin.webhooks.delete(endpoint.id);
                            if (selected?.id === endpoint.id) setSelected(null);
                            await reload();
                            return i18n.t('admin.webhooks.deleted');
                          })
                        }
                      >
                        {i18n.t('admin.webhooks.delete')}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {selected ? (
        <section class="card" aria-labelledby="webhook-deliveries-title">
          <h2 id="webhook-deliveries-title">{i18n.t('admin.webhooks.deliveriesOf', { url: selected.url })}</h2>
          {deliveries.length === 0 ? (
            <p>{i18n.t('admin.webhooks.noDeliveries')}</p>
          ) : (
            <div class="table-wrap">
              <table data-testid="webhook-deliveries">
                <caption class="visually-hidden">
                  {i18n.t('admin.webhooks.deliveriesOf', { url: selected.url })}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">{i18n.t('admin.webhooks.event')}</th>
                    <th scope="col">{i18n.t('admin.webhooks.status')}</th>
                    <th scope="col">{i18n.t('admin.webhooks.attempts')}</th>
                    <th scope="col">{i18n.t('admin.webhooks.lastAnswer')}</th>
                    <th scope="col">{i18n.t('admin.webhooks.createdAt')}</th>
                    <th scope="col">{i18n.t('common.actions')}</th>
                  </tr>
                </thead>
                <tbody>
                  {deliveries.map((delivery) => (
                    <tr key={delivery.id}>
                      <td>
                        <code>{delivery.eventType}</code>
                      </td>
                      <td>{i18n.t(`admin.webhooks.status.${delivery.status}`)}</td>
                      <td>{delivery.attemptCount}</td>
                      <td>{delivery.lastStatusCode ?? delivery.lastError ?? '—'}</td>
                      <td>{i18n.dateTime(delivery.createdAt)}</td>
                      <td>
                        <button
                          type="button"
                          class="secondary"
                          onClick={() =>
                            act(async () => {
                              await client.admin.webhooks.redeliver(selected.id, delivery.id);
                              await showDeliveries(selected);
                              return i18n.t('admin.webhooks.redelivered');
                            })
                          }
                        >
                          {i18n.t('admin.webhooks.redeliver')}
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      ) : null}
    </div>
  );
}
