import { useState } from 'preact/hooks';
import { login, saveSession, type Session } from '../api';
import { ErrorBox, Field } from '../components';
import { useAction } from '../hooks';

/** Servers whose auth module is off answer every call without a token. */
function continueWithoutLogin(): Session {
  const s: Session = { token: '', name: 'anonymous', userId: '', role: 'none', ownerId: '' };
  saveSession(s);
  return s;
}

export function LoginPage({ onLogin, notice }: { onLogin: (s: Session) => void; notice: string }) {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [owner, setOwner] = useState('');
  const action = useAction();
  return (
    <main class="login">
      <form
        aria-labelledby="login-title"
        onSubmit={async (e) => {
          e.preventDefault();
          let s: Session | undefined;
          if (await action.run(async () => (s = await login(name.trim(), password, owner.trim())))) onLogin(s!);
        }}
      >
        <h1 id="login-title">Polaris console</h1>
        {notice && (
          <p class="notice" role="status">
            {notice}
          </p>
        )}
        <Field label="User name">
          <input name="name" autocomplete="username" required autofocus value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </Field>
        <Field label="Password">
          <input name="password" type="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </Field>
        <Field label="Main account" hint="Sub-accounts only: the name of the main account they belong to.">
          <input name="owner" value={owner} onInput={(e) => setOwner(e.currentTarget.value)} />
        </Field>
        <ErrorBox error={action.error} />
        {action.error?.status === 404 && (
          <p class="notice">
            This server has no login (its auth module is off).{' '}
            <button type="button" class="link" onClick={() => onLogin(continueWithoutLogin())}>
              Continue without signing in
            </button>
          </p>
        )}
        <button type="submit" class="primary" disabled={action.busy}>
          {action.busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p class="muted small">The token is kept for this browser tab only (session storage).</p>
      </form>
    </main>
  );
}
