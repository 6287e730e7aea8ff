import type { Policy } from '@tessera/client';
import { useEffect, useState } from 'preact/hooks';
import { Notice } from '../../components/notice.js';
import { TextField } from '../../components/text-field.js';
import { useI18n } from '../../i18n/i18n.js';
import { client } from '../../services/client.js';
import { errorText } from '../../services/errors.js';

/** The methods the policy allows or not, as the API names them. */
const METHODS: readonly (keyof Policy['methods'])[] = ['totp', 'sms', 'email', 'backup_codes'];

/** The system-wide issuer and the 2FA policy (required, grace days, allowed methods). */
export function AdminSettingsView() {
  const i18n = useI18n();
  const [issuer, setIssuer] = useState('');
  const [policy, setPolicy] = useState<Policy | null>(null);
  const [error, setError] = useState('');
  const [done, setDone] = useState('');
  useEffect(() => {
    Promise.all([client.admin.settings.getIssuer(), client.admin.policy.get()])
      .then(([current, currentPolicy]) => {
        setIssuer(current.issuer);
        setPolicy(currentPolicy);
      })
      .catch((caught: unknown) => setError(errorText(i18n, caught)));
  }, [i18n]);

  const save = async (task: () => Promise<unknown>) => {
    setError('');
    setDone('');
    try {
      await task();
      setDone(i18n.t('admin.settings.saved'));
    } catch (caught) {
      setError(errorText(i18n, caught));
    }
  };

  return (
    <div class="page">
      <h1>{i18n.t('admin.settings.title')}</h1>
      <Notice kind="error">{error}</Notice>
      <Notice kind="success">{done}</Notice>
      <section class="card" aria-labelledby="issuer-title">
        <h2 id="issuer-title">{i18n.t('admin.settings.issuer')}</h2>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            save(() => client.admin.settings.setIssuer({ issuer }));
          }}
        >
          <TextField
            label={i18n.t('admin.settings.issuerLabel')}
            value={issuer}
            onInput={setIssuer}
            hint={i18n.t('admin.settings.issuerHint')}
            required
          />
          <div class="actions">
            <button type="submit">{i18n.t('common.save')}</button>
          </div>
        </form>
      </section>
      {policy ? (
        <section class="card" aria-labelledby="policy-title">
          <h2 id="policy-title">{i18n.t('admin.settings.policy')}</h2>
          <form
            onSubmit={(event) => {
              event.preventDefault();
              save(async () => {
                const { required, gracePeriodDays, methods, rememberDeviceForAdmins } = policy;
                setPolicy(
                  await client.admin.policy.update({ required, gracePeriodDays, methods, rememberDeviceForAdmins }),
                );
              });
            }}
          >
            <div class="field checkbox">
              <input
                id="policy-required"
                type="checkbox"
                checked={policy.required}
                onChange={(e) => setPolicy({ ...policy, required: e.currentTarget.checked })}
              />
              <label for="policy-required">{i18n.t('admin.settings.required')}</label>
            </div>
            <TextField
              label={i18n.t('admin.settings.graceDays')}
              type="number"
              inputMode="numeric"
              value={String(policy.gracePeriodDays)}
              onInput={(value) => setPolicy({ ...policy, gracePeriodDays: Number(value) || 0 })}
            />
            <fieldset>
              <legend>{i18n.t('admin.settings.methods')}</legend>
              {METHODS.map((method) => (
                <div class="field checkbox" key={method}>
                  <input
                    id={`policy-${method}`}
                    type="checkbox"
                    checked={policy.methods[method]}
                    onChange={(e) =>
                      setPolicy({ ...policy, methods: { ...policy.methods, [method]: e.currentTarget.checked } })
                    }
                  />
                  <label for={`policy-${method}`}>{i18n.t(`method.${method}.name`)}</label>
                </div>
              ))}
            </fieldset>
            <div class="field checkbox">
              <input
                id="policy-remember-admins"
                type="checkbox"
                checked={policy.rememberDeviceForAdmins}
                onChange={(e) => setPolicy({ ...policy, rememberDeviceForAdmins: e.currentTarget.checked })}
              />
              <label for="policy-remember-admins">{i18n.t('admin.settings.rememberAdmins')}</label>
            </div>
            <div class="actions">
              <button type="submit">{i18n.t('common.save')}</button>
            </div>
          </form>
        </section>
      ) : null}
    </div>
  );
}
