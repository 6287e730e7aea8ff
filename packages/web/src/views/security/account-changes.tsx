import type { Method } from '@tessera/client';
import { useState } from 'preact/hooks';
import { Notice } from '../../components/notice.js';
import { OneTimeCodeField } from '../../components/one-time-code-field.js';
import { TextField } from '../../components/text-field.js';
import { useI18n } from '../../i18n/i18n.js';
import { client } from '../../services/client.js';
import { errorText } from '../../services/errors.js';
import { StepUp } from './step-up.js';

/**
 * What the API takes to confirm a change that could take the account over: with 2FA, a success
 * token from a step-up; without, the current password.
 */
type Proof = { successToken: string } | { currentPassword: string };

function ProofStep(props: {
  operation: 'change_password' | 'change_email' | 'change_phone';
  methods: readonly Method[];
  onProof(proof: Proof): void;
  onCancel(): void;
}) {
  const i18n = useI18n();
  const [password, setPassword] = useState('');
  if (props.methods.length > 0) {
    return (
      <StepUp
        operation={props.operation}
        methods={props.methods}
        onToken={(successToken) => props.onProof({ successToken })}
        onCancel={props.onCancel}
      />
    );
  }
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        props.onProof({ currentPassword: password });
      }}
    >
      <TextField
        label={i18n.t('password.current')}
        type="password"
        autoComplete="current-password"
        value={password}
        onInput={setPassword}
        required
        autoFocus
      />
      <div class="actions">
        <button type="submit">{i18n.t('common.continue')}</button>
        <button type="button" class="secondary" onClick={props.onCancel}>
          {i18n.t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

/** A new password, behind the step-up; the API then ends every other session. */
export function ChangePassword(props: { methods: readonly Method[] }) {
  const i18n = useI18n();
  const [open, setOpen] = useState(false);
  const [proof, setProof] = useState<Proof | null>(null);
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [done, setDone] = useState('');

  if (!open) {
    return (
      <div>
        <Notice kind="success">{done}</Notice>
        <button type="button" class="secondary" onClick={() => setOpen(true)}>
          {i18n.t('password.change')}
        </button>
      </div>
    );
  }
  const close = () => {
    setOpen(false);
    setProof(null);
    setPassword('');
  };
  if (!proof)
    return <ProofStep operation="change_password" methods={props.methods} onProof={setProof} onCancel={close} />;
  return (
    <form
      onSubmit={async (event) => {
        event.preventDefault();
        setError('');
        try {
          await client.me.changePassword({ newPassword: password, ...proof });
          close();
          setDone(i18n.t('password.changed'));
        } catch (caught) {
          setError(errorText(i18n, caught));
        }
      }}
    >
      <TextField
        label={i18n.t('password.new')}
        type="password"
        autoComplete="new-password"
        value={password}
        onInput={setPassword}
        hint={i18n.t('signUp.passwordHint')}
        error={error || undefined}
        required
        autoFocus
      />
      <div class="actions">
        <button type="submit">{i18n.t('password.change')}</button>
        <button type="button" class="secondary" onClick={close}>
          {i18n.t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

/** A new e-mail address or phone number: behind the step-up, then the code sent to it. */
export function ChangeContact(props: {
  field: 'email' | 'phone';
  current: string | null;
  methods: readonly Method[];
  onChanged(): Promise<unknown>;
}) {
  const i18n = useI18n();
  const [open, setOpen] = useState(false);
  const [proof, setProof] = useState<Proof | null>(null);
  const [value, setValue] = useState('');
  const [changeId, setChangeId] = useState<string | null>(null);
  /** How many digits the sent code has, as the server said: the field submits on the last. */
  const [codeDigits, setCodeDigits] = useState<number | undefined>(undefined);
  const [code, setCode] = useState('');
  const [error, setError] = useState('');
  const close = () => {
    setOpen(false);
    setProof(null);
    setChangeId(null);
    setValue('');
  };

  if (!open) {
    return (
      <p>
        <span>
          {i18n.t(`contact.${props.field}.label`)}: {props.current ?? i18n.t('contact.none')}
        </span>{' '}
        <button type="button" class="link" onClick={() => setOpen(true)}>
          {i18n.t(`contact.${props.field}.change`)}
        </button>
      </p>
    );
  }
  if (!proof) {
    return (
      <ProofStep
        operation={props.field === 'email' ? 'change_email' : 'change_phone'}
        methods={props.methods}
        onProof={setProof}
        onCancel={close}
      />
    );
  }
  const confirm = async (typed: string) => {
    if (!changeId) return;
    setError('');
    try {
      await client.me.confirmContactChange(changeId, { code: typed });
      close();
      await props.onChanged();
    } catch (caught) {
      setError(errorText(i18n, caught));
      setCode('');
    }
  };
  if (changeId) {
    return (
      <form
        onSubmit={(event) => {
          event.preventDefault();
          confirm(code);
        }}
      >
        <OneTimeCodeField
          label={i18n.t(`contact.${props.field}.codeLabel`)}
          value={code}
          onInput={setCode}
          {...(codeDigits ? { submitAtLength: codeDigits } : {})}
          onComplete={confirm}
          error={error || undefined}
        />
        <div class="actions">
          <button type="submit">{i18n.t('common.confirm')}</button>
          <button type="button" class="secondary" onClick={close}>
            {i18n.t('common.cancel')}
          </button>
        </div>
      </form>
    );
  }
  return (
    <form
      onSubmit={async (event) => {
        event.preventDefault();
        setError('');
        try {
          const started =
            props.field === 'email'
              ? await client.me.changeEmail({ email: value, ...proof })
              : await client.me.changePhone({ phone: value, ...proof });
          setChangeId(started.changeId);
          setCodeDigits(started.delivery?.digits);
        } catch (caught) {
          setError(errorText(i18n, caught));
        }
      }}
    >
      <TextField
        label={i18n.t(`contact.${props.field}.new`)}
        type={props.field === 'email' ? 'email' : 'tel'}
        autoComplete={props.field === 'email' ? 'email' : 'tel'}
        value={value}
        onInput={setValue}
        error={error || undefined}
        required
        autoFocus
      />
      <div class="actions">
        <button type="submit">{i18n.t('stepUp.send')}</button>
        <button type="button" class="secondary" onClick={close}>
          {i18n.t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
