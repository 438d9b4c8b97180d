import { useState } from 'preact/hooks';
import { api } from '../api';
import { Badge, Dialog, Empty, ErrorBox, Field, FormDialog, JsonEditor, Page, Pager } from '../components';
import { useAction, useLoad } from '../hooks';
import { href, navigate } from '../router';
import { FN } from '../access';
import { notAllowed, ReadOnlyNote, refusedOf, useGrants, WriteButton } from '../grants';

const POLL_MS = 2000;
const LIMIT = 50;

function keyOf(i: any) {
  return { id: i.id, namespace: i.namespace, service: i.service, host: i.host, port: i.port };
}

function Weight({ inst, onSave }: { inst: any; onSave: (w: number) => void }) {
  const [w, setW] = useState<string | undefined>(undefined);
  const shown = w ?? String(inst.weight ?? 100);
  return (
    <form class="inline" onSubmit={(e) => { e.preventDefault(); onSave(Number(shown)); setW(undefined); }}>
      <input type="number" min={0} max={10000} value={shown} aria-label={`Weight of ${inst.host}:${inst.port}`} onInput={(e) => setW(e.currentTarget.value)} />
      {w !== undefined && <button type="submit">Set</button>}
    </form>
  );
}

export function InstancesPage({ params }: { params: Record<string, string> }) {
  const { namespace = 'default', service = '' } = params;
  const offset = Number(params.offset ?? 0) || 0;
  const list = useLoad(() => api.get('/naming/v1/instances', { namespace, service, offset, limit: LIMIT }), [namespace, service, offset], POLL_MS);
  const action = useAction();
  const create = useAction();
  const [editing, setEditing] = useState<any>(undefined);
  const [adding, setAdding] = useState(false);
  const [draft, setDraft] = useState({ host: '', port: '8080' });
  const items: any[] = list.data?.instances ?? [];
  // The service's id: a strategy may grant the service by id (the server resolves it the same way).
  const svc = useLoad(() => api.get('/naming/v1/services', { namespace, name: service, limit: 1 }), [namespace, service]);
  const grants = useGrants();
  const found = (svc.data?.services ?? []).find((x: any) => x.namespace === namespace && x.name === service);
  const ref = grants.service(namespace, service, found?.id);
  const canAdd = grants.can(FN.createInstances, [ref]);
  const canUpdate = grants.can(FN.updateInstances, [ref]);
  const canRemove = grants.can(FN.deleteInstances, [ref]);
  const update = (inst: any, patch: Record<string, unknown>) =>
    action.run(() => api.put('/naming/v1/instances', [{ ...keyOf(inst), ...patch }])).then((ok) => {
      if (ok) void list.reload();
      return ok;
    });
  return (
    <Page
      title={`Instances of ${namespace}/${service}`}
      actions={<>
        <a class="button" href={href('/aliases', { namespace, service })}>Aliases</a>
        <WriteButton allowed={canAdd} reason={notAllowed(`add instances to ${namespace}/${service}`)} class="primary" onClick={() => setAdding(true)}>Add instance</WriteButton>
      </>}
    >
      <ReadOnlyNote refused={refusedOf([canAdd, canUpdate, canRemove])} />
      <p class="muted small">
        <a href={href('/services', { namespace })}>← Services of {namespace}</a> · Live: refreshed every {POLL_MS / 1000} s
        {list.loading ? ' (refreshing…)' : ''}
      </p>
      <ErrorBox error={list.error} />
      <ErrorBox error={action.error} onClose={action.clear} />
      {items.length === 0 && !list.loading ? <Empty>No instances registered yet. They appear here as soon as they register.</Empty> : (
        <table aria-live="polite" aria-relevant="additions removals">
          <thead><tr><th>Address</th><th>Protocol / version</th><th>Health</th><th>Isolated</th><th>Weight</th><th>Metadata</th><th><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {items.map((i) => (
              <tr key={i.id} data-instance={`${i.host}:${i.port}`}>
                <td><code>{i.host}:{i.port}</code></td>
                <td>{i.protocol || '—'} {i.version ? `/ ${i.version}` : ''}</td>
                <td>
                  {i.healthy ? <Badge kind="ok">healthy</Badge> : <Badge kind="bad">unhealthy</Badge>}{' '}
                  {i.enableHealthCheck ? <span class="muted small"> by heartbeat</span> : canUpdate && (
                    // Without a health check the health is set by hand.
                    <button type="button" class="link" disabled={action.busy} aria-label={`Mark ${i.host}:${i.port} ${i.healthy ? 'unhealthy' : 'healthy'}`} onClick={() => update(i, { healthy: !i.healthy })}>
                      mark {i.healthy ? 'unhealthy' : 'healthy'}
                    </button>
                  )}
                </td>
                <td>
                  {canUpdate ? (
                    <button type="button" class={`toggle ${i.isolate ? 'on' : ''}`} aria-pressed={!!i.isolate} aria-label={`Isolate ${i.host}:${i.port}`} disabled={action.busy} onClick={() => update(i, { isolate: !i.isolate })}>
                      {i.isolate ? 'Isolated' : 'Serving'}
                    </button>
                  ) : <Badge kind={i.isolate ? 'warn' : 'info'}>{i.isolate ? 'Isolated' : 'Serving'}</Badge>}
                </td>
                <td>{canUpdate ? <Weight inst={i} onSave={(w) => update(i, { weight: w })} /> : (i.weight ?? 100)}</td>
                <td class="meta">{Object.entries(i.metadata ?? {}).map(([k, v]) => <span key={k} class="chip">{k}={String(v)}</span>)}</td>
                <td>
                  <button type="button" class="link" hidden={!canUpdate} onClick={() => setEditing(i)} aria-label={`Edit metadata of ${i.host}:${i.port}`}>Metadata</button>{' '}
                  <button type="button" class="link danger" hidden={!canRemove} aria-label={`Remove ${i.host}:${i.port}`} onClick={() => {
                    if (confirm(`Remove instance ${i.host}:${i.port}?`)) void action.run(() => api.post('/naming/v1/instances/delete', [keyOf(i)])).then(() => list.reload());
                  }}>Remove</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {Number(list.data?.amount ?? 0) > LIMIT && (
        <Pager offset={offset} limit={LIMIT} total={Number(list.data?.amount ?? 0)} onChange={(o) => navigate('/instances', { namespace, service, offset: o || undefined })} />
      )}
      <Dialog title="Instance metadata" open={!!editing} onClose={() => setEditing(undefined)}>
        {editing && (
          <JsonEditor label="Metadata (JSON object of strings)" initial={editing.metadata ?? {}} busy={action.busy} error={action.error} onCancel={() => setEditing(undefined)}
            onSave={async (v) => { const ok = await update(editing, { metadata: v }); if (ok) setEditing(undefined); return ok; }} />
        )}
      </Dialog>
      <FormDialog title="Add instance" open={adding} onClose={() => setAdding(false)} action={create} submitLabel="Add"
        onSubmit={async () => { await api.post('/naming/v1/instances', [{ namespace, service, host: draft.host.trim(), port: Number(draft.port) }]); void list.reload(); }}>
        <Field label="Host"><input required value={draft.host} onInput={(e) => setDraft({ ...draft, host: e.currentTarget.value })} /></Field>
        <Field label="Port"><input required type="number" min={1} max={65535} value={draft.port} onInput={(e) => setDraft({ ...draft, port: e.currentTarget.value })} /></Field>
      </FormDialog>
    </Page>
  );
}
