import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiError } from './api';
import type { Action } from './hooks';
import { highlight } from './highlight';

/** A server error in words, with its Polaris code; batch answers list each failed item. */
export function ErrorBox({ error, onClose }: { error: ApiError | undefined; onClose?: () => void }) {
  if (!error) return null;
  return (
    <div class="error" role="alert">
      <strong>{error.code ? `Error ${error.code}` : 'Error'}</strong>
      {error.status ? <span class="muted"> (HTTP {error.status})</span> : null}: {error.info}
      {error.details.length > 0 && (
        <ul>
          {error.details.map((d, i) => (
            <li key={i}>
              {d.code}: {d.info}
            </li>
          ))}
        </ul>
      )}
      {onClose && (
        <button type="button" class="link" onClick={onClose} aria-label="Dismiss error">
          ×
        </button>
      )}
    </div>
  );
}

export function Page({ title, actions, children }: { title: string; actions?: ComponentChildren; children: ComponentChildren }) {
  useEffect(() => {
    document.title = `${title} · Polaris console`;
  }, [title]);
  return (
    <section class="page" aria-labelledby="page-title">
      <header class="page-head">
        <h1 id="page-title">{title}</h1>
        <div class="actions">{actions}</div>
      </header>
      {children}
    </section>
  );
}

export function Pager({ offset, limit, total, onChange }: { offset: number; limit: number; total: number; onChange: (offset: number) => void }) {
  const page = Math.floor(offset / limit) + 1;
  const pages = Math.max(1, Math.ceil(total / limit));
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" disabled={offset === 0} onClick={() => onChange(Math.max(0, offset - limit))}>
        ‹ Previous
      </button>
      <span aria-live="polite">
        Page {page} of {pages} · {total} in all
      </span>
      <button type="button" disabled={offset + limit >= total} onClick={() => onChange(offset + limit)}>
        Next ›
      </button>
    </nav>
  );
}

export function Badge({ kind, children }: { kind: 'ok' | 'bad' | 'warn' | 'info'; children: ComponentChildren }) {
  return <span class={`badge ${kind}`}>{children}</span>;
}

export function Field({ label, children, hint }: { label: string; children: ComponentChildren; hint?: string }) {
  return (
    <label class="field">
      <span>{label}</span>
      {children}
      {hint && <small class="muted">{hint}</small>}
    </label>
  );
}

/** A modal dialog on the native <dialog>: focus trapped by the browser, Escape closes. */
export function Dialog({ title, open, onClose, children }: { title: string; open: boolean; onClose: () => void; children: ComponentChildren }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} onClose={onClose} aria-labelledby="dialog-title">
      <h2 id="dialog-title">{title}</h2>
      {open && children}
    </dialog>
  );
}

/**
 * A dialog holding a form: Cancel and submit buttons, the server's error in place (the form keeps
 * what was typed), closed once `onSubmit` succeeds.
 */
export function FormDialog({ title, open, onClose, onSubmit, action, submitLabel = 'Create', children }: {
  title: string;
  open: boolean;
  onClose: () => void;
  onSubmit: () => Promise<unknown>;
  action: Action;
  submitLabel?: string;
  children: ComponentChildren;
}) {
  return (
    <Dialog title={title} open={open} onClose={onClose}>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          if (await action.run(onSubmit)) onClose();
        }}
      >
        {children}
        <ErrorBox error={action.error} />
        <div class="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button class="primary" type="submit" disabled={action.busy}>
            {submitLabel}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/**
 * A code editor: a textarea over a highlighted copy of its text (JSON, YAML, properties, XML).
 * Plain text stays editable with every keyboard and screen-reader affordance of a textarea; Tab
 * is left alone so keyboard users can always move on (indent with spaces).
 */
export function CodeEditor({ value, onInput, format, label, readOnly, rows = 18 }: {
  value: string;
  onInput?: (v: string) => void;
  format: string;
  label: string;
  readOnly?: boolean;
  rows?: number;
}) {
  const pre = useRef<HTMLPreElement>(null);
  const sync = (e: Event) => {
    const t = e.currentTarget as HTMLTextAreaElement;
    if (pre.current) {
      pre.current.scrollTop = t.scrollTop;
      pre.current.scrollLeft = t.scrollLeft;
    }
  };
  return (
    <div class="code" style={{ '--rows': rows }}>
      <pre ref={pre} aria-hidden="true" dangerouslySetInnerHTML={{ __html: highlight(value, format) + '\n' }} />
      <textarea
        aria-label={label}
        spellcheck={false}
        readOnly={readOnly}
        value={value}
        onInput={(e) => {
          onInput?.((e.currentTarget as HTMLTextAreaElement).value);
          sync(e);
        }}
        onScroll={sync}
      />
    </div>
  );
}

/** Edits a JSON object; parse errors and server errors show in place and the text is kept. */
export function JsonEditor({ initial, label, onSave, error, busy, onCancel }: {
  initial: unknown;
  label: string;
  onSave: (value: unknown) => Promise<boolean>;
  error: ApiError | undefined;
  busy: boolean;
  onCancel?: () => void;
}) {
  const [text, setText] = useState(() => JSON.stringify(initial, null, 2));
  const [parseError, setParseError] = useState('');
  return (
    <form
      onSubmit={async (e) => {
        e.preventDefault();
        let v: unknown;
        try {
          v = JSON.parse(text);
        } catch (err) {
          setParseError((err as Error).message);
          return;
        }
        setParseError('');
        await onSave(v);
      }}
    >
      <CodeEditor value={text} onInput={setText} format="json" label={label} />
      {parseError && (
        <div class="error" role="alert">
          Not valid JSON: {parseError}
        </div>
      )}
      <ErrorBox error={error} />
      <div class="actions">
        {onCancel && (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save'}
        </button>
      </div>
    </form>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

export function when(ts: unknown): string {
  const s = String(ts ?? '');
  return s.replace('T', ' ').replace(/\.\d+Z?$/, '').replace(/Z$/, '');
}
