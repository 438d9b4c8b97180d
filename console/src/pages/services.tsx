import { useState } from 'preact/hooks';
import { api } from '../api';
import { Dialog, Empty, ErrorBox, Field, FormDialog, JsonEditor, Page, Pager, when } from '../components';
import { useAction, useLoad } from '../hooks';
import { href, navigate } from '../router';
import { FN, newServiceRef } from '../access';
import { notAllowed, ReadOnlyNote, refusedOf, useGrants, WriteButton } from '../grants';

const LIMIT = 20;

export function ServicesPage({ params }: { params: Record<string, string> }) {
  const namespace = params.namespace ?? '';
  const name = params.name ?? '';
  const meta = params.meta ?? '';
  const healthy = params.healthy === '1';
  const offset = Number(params.offset ?? 0) || 0;
  const [q, setQ] = useState({ namespace, name, meta, healthy });
  const [metaKey, metaValue] = meta.includes('=') ? [meta.slice(0, meta.indexOf('=')), meta.slice(meta.indexOf('=') + 1)] : ['', ''];
  const list = useLoad(
    () => api.get('/naming/v1/services', {
      namespace: namespace || undefined,
      name: name ? (name.includes('*') ? name : `*${name}*`) : undefined,
      keys: metaKey || undefined,
      values: metaKey ? metaValue : undefined,
      only_exist_health_instance: healthy ? 'true' : undefined,
      offset,
      limit: LIMIT,
    }),
    [namespace, name, meta, healthy, offset],
    5000,
  );
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<any>(undefined);
  const edit = useAction();
  const [draft, setDraft] = useState({ namespace: namespace || 'default', name: '', comment: '' });
  const action = useAction();
  const create = useAction();
  const items: any[] = list.data?.services ?? [];
  const grants = useGrants();
  const canCreate = namespace
    ? grants.can(FN.createServices, [newServiceRef(namespace)])
    : grants.somewhere(FN.createServices, (ns) => [newServiceRef(ns)]);
  const canEdit = (s: any) => grants.can(FN.updateServices, [grants.service(s.namespace, s.name, s.id)]);
  const canDelete = (s: any) => grants.can(FN.deleteServices, [grants.service(s.namespace, s.name, s.id)]);
  const refused = refusedOf([canCreate, ...items.flatMap((s) => [canEdit(s), canDelete(s)])]);
  const go = (o: number) => navigate('/services', { namespace, name, meta, healthy: healthy ? '1' : undefined, offset: o || undefined });
  return (
    <Page title="Services" actions={<WriteButton allowed={canCreate} reason={notAllowed(namespace ? `create services in ${namespace}` : 'create services')} class="primary" onClick={() => setCreating(true)}>New service</WriteButton>}>
      <ReadOnlyNote refused={refused} />
      <form class="filters" role="search" onSubmit={(e) => { e.preventDefault(); navigate('/services', { namespace: q.namespace.trim(), name: q.name.trim(), meta: q.meta.trim(), healthy: q.healthy ? '1' : undefined }); }}>
        <Field label="Namespace"><input name="namespace" value={q.namespace} placeholder="any" onInput={(e) => setQ({ ...q, namespace: e.currentTarget.value })} /></Field>
        <Field label="Name contains"><input name="name" value={q.name} placeholder="any" onInput={(e) => setQ({ ...q, name: e.currentTarget.value })} /></Field>
        <Field label="Metadata key=value"><input name="meta" value={q.meta} placeholder="e.g. team=pay" onInput={(e) => setQ({ ...q, meta: e.currentTarget.value })} /></Field>
        <label class="check"><input type="checkbox" checked={q.healthy} onChange={(e) => setQ({ ...q, healthy: e.currentTarget.checked })} /> with healthy instances only</label>
        <button type="submit">Search</button>
      </form>
      <ErrorBox error={list.error} />
      <ErrorBox error={action.error} onClose={action.clear} />
      {items.length === 0 && !list.loading ? <Empty>No services match.</Empty> : (
        <table>
          <thead><tr><th>Namespace</th><th>Service</th><th>Instances (healthy/all)</th><th>Business</th><th>Modified</th><th><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {items.map((s) => (
              <tr key={`${s.namespace}/${s.name}`}>
                <td>{s.namespace}</td>
                <td><a href={href('/instances', { namespace: s.namespace, service: s.name })}>{s.name}</a></td>
                <td>{s.healthy_instance_count ?? 0}/{s.total_instance_count ?? 0}</td>
                <td>{s.business}</td>
                <td>{when(s.mtime)}</td>
                <td><button type="button" class="link" hidden={s.editable === false || !canEdit(s)} aria-label={`Edit service ${s.name}`} onClick={() => { edit.clear(); setEditing(s); }}>Edit</button>{' '}
                  <button type="button" class="link danger" hidden={s.deleteable === false || !canDelete(s)} aria-label={`Delete service ${s.name}`} onClick={() => {
                  if (confirm(`Delete service ${s.namespace}/${s.name}?`)) void action.run(() => api.post('/naming/v1/services/delete', [{ namespace: s.namespace, name: s.name }])).then((ok) => { if (ok) void list.reload(); });
                }}>Delete</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager offset={offset} limit={LIMIT} total={Number(list.data?.amount ?? 0)} onChange={go} />
      <Dialog title={`Edit ${editing?.namespace}/${editing?.name}`} open={!!editing} onClose={() => setEditing(undefined)}>
        {editing && (
          <JsonEditor label="Service as JSON (name and namespace identify it)" busy={edit.busy} error={edit.error} onCancel={() => setEditing(undefined)}
            initial={{ namespace: editing.namespace, name: editing.name, comment: editing.comment, business: editing.business, department: editing.department, owners: editing.owners, metadata: editing.metadata ?? {} }}
            onSave={async (v) => { const ok = await edit.run(() => api.put('/naming/v1/services', [v])); if (ok) { setEditing(undefined); void list.reload(); } return ok; }} />
        )}
      </Dialog>
      <FormDialog title="New service" open={creating} onClose={() => setCreating(false)} action={create}
        onSubmit={async () => { const body = [{ namespace: draft.namespace.trim(), name: draft.name.trim(), comment: draft.comment }]; await api.post('/naming/v1/services', body); navigate('/instances', { namespace: body[0].namespace, service: body[0].name }); }}>
        <Field label="Namespace"><input name="new-namespace" required value={draft.namespace} onInput={(e) => setDraft({ ...draft, namespace: e.currentTarget.value })} /></Field>
        <Field label="Service name"><input name="new-name" required value={draft.name} onInput={(e) => setDraft({ ...draft, name: e.currentTarget.value })} /></Field>
        <Field label="Comment"><input value={draft.comment} onInput={(e) => setDraft({ ...draft, comment: e.currentTarget.value })} /></Field>
      </FormDialog>
    </Page>
  );
}
