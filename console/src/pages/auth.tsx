import { useState } from 'preact/hooks';
import { api, type Session } from '../api';
import { Badge, Dialog, Empty, ErrorBox, Field, FormDialog, JsonEditor, Page, when } from '../components';
import { useAction, useLoad } from '../hooks';
import { loadHeldStrategies } from '../grants';

function TokenCell({ kind, id }: { kind: 'user' | 'usergroup'; id: string }) {
  const [token, setToken] = useState<string | undefined>(undefined);
  const action = useAction();
  const path = `/core/v1/${kind}/token`;
  return (
    <span>
      {token ? <code class="token">{token}</code> : (
        <button type="button" class="link" onClick={() => void action.run(async () => {
          const res = await api.get(path, { id });
          setToken(String((kind === 'user' ? res.user : res.userGroup)?.auth_token ?? ''));
        })}>Show token</button>
      )}{' '}
      <button type="button" class="link" onClick={() => {
        if (confirm('Reset this token? The old one stops working at once.')) void action.run(async () => { await api.put(`${path}/refresh`, { id }); setToken(undefined); });
      }}>Reset</button>
      <ErrorBox error={action.error} onClose={action.clear} />
    </span>
  );
}

function TokenSwitch({ kind, item, onDone }: { kind: 'user' | 'usergroup'; item: any; onDone: () => void }) {
  const action = useAction();
  const on = item.token_enable !== false;
  return (
    <>
      <button type="button" class={`toggle ${on ? 'enabled' : ''}`} aria-pressed={on} aria-label={`Token of ${item.name} enabled`} disabled={action.busy}
        onClick={() => void action.run(() => api.put(`/core/v1/${kind}/token/status`, { id: item.id, token_enable: !on })).then((ok) => ok && onDone())}>
        {on ? 'Enabled' : 'Disabled'}
      </button>
      <ErrorBox error={action.error} onClose={action.clear} />
    </>
  );
}

export function UsersPage({ session }: { session: Session }) {
  const list = useLoad(() => api.get('/core/v1/users', { limit: 100 }), []);
  const action = useAction();
  const create = useAction();
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState({ name: '', password: '', comment: '' });
  const items: any[] = list.data?.users ?? [];
  return (
    <Page title="Users" actions={<button type="button" class="primary" onClick={() => setOpen(true)}>New sub-account</button>}>
      <ErrorBox error={list.error} />
      <ErrorBox error={action.error} onClose={action.clear} />
      {items.length === 0 && !list.loading ? <Empty>No users.</Empty> : (
        <table>
          <thead><tr><th>Name</th><th>Type</th><th>Comment</th><th>Token</th><th>Token on</th><th>Created</th><th><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {items.map((u) => (
              <tr key={u.id}>
                <td>{u.name}</td>
                <td>{u.id === session.userId ? <Badge kind="info">you</Badge> : null} {String(u.user_type ?? '')}</td>
                <td>{u.comment}</td>
                <td><TokenCell kind="user" id={u.id} /></td>
                <td><TokenSwitch kind="user" item={u} onDone={() => void list.reload()} /></td>
                <td>{when(u.ctime)}</td>
                <td>{u.id !== session.userId && (
                  <button type="button" class="link danger" aria-label={`Delete user ${u.name}`} onClick={() => {
                    if (confirm(`Delete user ${u.name}?`)) void action.run(() => api.post('/core/v1/users/delete', [{ id: u.id }])).then((ok) => { if (ok) void list.reload(); });
                  }}>Delete</button>
                )}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <FormDialog title="New sub-account" open={open} onClose={() => setOpen(false)} action={create}
        onSubmit={async () => { await api.post('/core/v1/users', [draft]); setDraft({ name: '', password: '', comment: '' }); void list.reload(); }}>
        <Field label="Name"><input required value={draft.name} onInput={(e) => setDraft({ ...draft, name: e.currentTarget.value })} /></Field>
        <Field label="Password"><input required type="password" autocomplete="new-password" value={draft.password} onInput={(e) => setDraft({ ...draft, password: e.currentTarget.value })} /></Field>
        <Field label="Comment"><input value={draft.comment} onInput={(e) => setDraft({ ...draft, comment: e.currentTarget.value })} /></Field>
      </FormDialog>
    </Page>
  );
}

export function GroupsPage() {
  const list = useLoad(() => api.get('/core/v1/usergroups', { limit: 100 }), []);
  const action = useAction();
  const create = useAction();
  const [open, setOpen] = useState(false);
  const items: any[] = list.data?.userGroups ?? [];
  return (
    <Page title="User groups" actions={<button type="button" class="primary" onClick={() => setOpen(true)}>New group</button>}>
      <ErrorBox error={list.error} />
      <ErrorBox error={action.error} onClose={action.clear} />
      {items.length === 0 && !list.loading ? <Empty>No user groups.</Empty> : (
        <table>
          <thead><tr><th>Name</th><th>Members</th><th>Comment</th><th>Token</th><th>Token on</th><th><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {items.map((g) => (
              <tr key={g.id}>
                <td>{g.name}</td><td>{g.user_count ?? 0}</td><td>{g.comment}</td>
                <td><TokenCell kind="usergroup" id={g.id} /></td>
                <td><TokenSwitch kind="usergroup" item={g} onDone={() => void list.reload()} /></td>
                <td><button type="button" class="link danger" aria-label={`Delete group ${g.name}`} onClick={() => {
                  if (confirm(`Delete group ${g.name}?`)) void action.run(() => api.post('/core/v1/usergroups/delete', [{ id: g.id }])).then((ok) => { if (ok) void list.reload(); });
                }}>Delete</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Dialog title="New user group" open={open} onClose={() => setOpen(false)}>
        <JsonEditor label="User group as JSON" initial={{ name: 'new-group', comment: '', relation: { users: [] } }} busy={create.busy} error={create.error} onCancel={() => setOpen(false)}
          onSave={async (v) => { const ok = await create.run(() => api.post('/core/v1/usergroup', v)); if (ok) { setOpen(false); void list.reload(); } return ok; }} />
      </Dialog>
    </Page>
  );
}

export function StrategiesPage() {
  const list = useLoad(() => api.get('/core/v1/auth/strategies', { limit: 100 }), []);
  const action = useAction();
  const create = useAction();
  const [open, setOpen] = useState(false);
  const [detail, setDetail] = useState<any>(undefined);
  const items: any[] = list.data?.authStrategies ?? [];
  const template = { name: 'new-strategy', action: 'ALLOW', comment: '', principals: { users: [], groups: [] }, resources: { namespaces: [], services: [], config_groups: [] }, functions: ['Describe*', 'List*', 'Get*'] };
  return (
    <Page title="Strategies" actions={<button type="button" class="primary" onClick={() => setOpen(true)}>New strategy</button>}>
      <ErrorBox error={list.error} />
      <ErrorBox error={action.error} onClose={action.clear} />
      {items.length === 0 && !list.loading ? <Empty>No strategies.</Empty> : (
        <table>
          <thead><tr><th>Name</th><th>Action</th><th>Default</th><th>Comment</th><th>Modified</th><th><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {items.map((s) => (
              <tr key={s.id}>
                <td><button type="button" class="link" onClick={() => void action.run(async () => setDetail((await api.get('/core/v1/auth/strategy/detail', { id: s.id })).authStrategy))}>{s.name}</button></td>
                <td>{s.action}</td><td>{s.default_strategy ? 'yes' : ''}</td><td>{s.comment}</td><td>{when(s.mtime)}</td>
                <td>{!s.default_strategy && (
                  <button type="button" class="link danger" aria-label={`Delete strategy ${s.name}`} onClick={() => {
                    if (confirm(`Delete strategy ${s.name}?`)) void action.run(() => api.post('/core/v1/auth/strategies/delete', [{ id: s.id }])).then((ok) => { if (ok) void list.reload(); });
                  }}>Delete</button>
                )}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Dialog title={detail ? `Strategy ${detail.name}` : 'Strategy'} open={!!detail} onClose={() => setDetail(undefined)}>
        <pre class="json">{JSON.stringify(detail, null, 2)}</pre>
        <div class="actions"><button type="button" onClick={() => setDetail(undefined)}>Close</button></div>
      </Dialog>
      <Dialog title="New strategy" open={open} onClose={() => setOpen(false)}>
        <JsonEditor label="Strategy as JSON" initial={template} busy={create.busy} error={create.error} onCancel={() => setOpen(false)}
          onSave={async (v) => { const ok = await create.run(() => api.post('/core/v1/auth/strategy', v)); if (ok) { setOpen(false); void list.reload(); } return ok; }} />
      </Dialog>
    </Page>
  );
}

const RESOURCE_KINDS: Array<[string, string]> = [
  ['namespaces', 'Namespaces'], ['services', 'Services'], ['config_groups', 'Config groups'], ['route_rules', 'Routing rules'],
  ['ratelimit_rules', 'Rate limits'], ['circuitbreaker_rules', 'Circuit breakers'], ['faultdetect_rules', 'Fault detection'],
  ['lane_rules', 'Lanes'], ['users', 'Users'], ['user_groups', 'User groups'], ['auth_policies', 'Strategies'],
];

function resourceLabel(kind: string, r: any): string {
  if (r.id === '*') return 'all';
  const name = r.name || r.id;
  return kind === 'namespaces' || !r.namespace ? name : `${r.namespace}/${name}`;
}

/**
 * What a sub-account may do: the strategies naming it and those naming its groups, read-only (the
 * same list the console decides its read-only views from). Writes outside them are refused by the
 * server, and the refusal is shown in place.
 */
export function MyAccessPage({ session }: { session: Session }) {
  const list = useLoad(() => loadHeldStrategies(session), [session.token]);
  const items = list.data ?? [];
  return (
    <Page title="My access">
      <p class="muted">
        The strategies that grant you access, yours and your groups'. Pages show write controls only where these allow them; the server
        checks every call, and a refusal is shown with its code where you tried.
      </p>
      <ErrorBox error={list.error} />
      {items.length === 0 && !list.loading ? <Empty>No strategy names you yet: ask your main account for one.</Empty> : items.map(({ strategy: s, via }) => (
        <section key={s.id} class="panel" aria-label={`Strategy ${s.name}`}>
          <h2>{s.name} <Badge kind={s.action === 'DENY' ? 'bad' : 'ok'}>{s.action ?? 'READ_WRITE'}</Badge></h2>
          {via && <p class="muted small">Through your group {via}</p>}
          {s.comment && <p class="muted">{s.comment}</p>}
          {Array.isArray(s.functions) && <p><strong>Operations:</strong> {s.functions.length ? s.functions.join(', ') : 'all'}</p>}
          <ul>
            {RESOURCE_KINDS.filter(([k]) => (s.resources?.[k] ?? []).length > 0).map(([k, label]) => (
              <li key={k}>
                <strong>{label}:</strong>{' '}
                {s.resources[k].map((r: any) => resourceLabel(k, r)).join(', ')}
              </li>
            ))}
          </ul>
        </section>
      ))}
    </Page>
  );
}
