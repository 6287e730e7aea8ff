import { useState } from 'preact/hooks';
import { useI18n } from '../i18n/i18n.js';

/** Copies `text` to the clipboard and says so. */
export function CopyButton(props: { text: string; label: string }) {
  const i18n = useI18n();
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  return (
    <button
      type="button"
      class="secondary"
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(props.text);
          setState('copied');
        } catch {
          // No clipboard permission: the text is on the page to select by hand.
          setState('failed');
        }
      }}
    >
      {state === 'copied' ? i18n.t('common.copied') : state === 'failed' ? i18n.t('common.copyFailed') : props.label}
    </button>
  );
}
