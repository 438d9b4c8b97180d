import { useState } from 'preact/hooks';
import { api } from '../api';
import { Empty, ErrorBox, Field, FormDialog, Page, when } from '../components';
import { useAction, useLoad } from '../hooks';
import { href } from '../router';
import { FN, namespaceRef, UNNAMED } from '../access';
import { notAllowed, ReadOnlyNote, refusedOf, useGrants, WriteButton } from '../grants';

export function NamespacesPage() {
  const list = useLoad(() => api.get('/core/v1/namespaces', { limit: 100 }), []);
  const [creating, setCreating] = useState(false);
  const [name, setName] = useState('');
  const [comment, setComment] = useState('');
  const action = useAction();
  const create = useAction();
  const edit = useAction();
  const [editing, setEditing] = useState<{ name: string; comment: string } | undefined>(undefined);
  const items: any[] = list.data?.namespaces ?? [];
  const grants = useGrants();
  // A new namespace is named by its own name, which only a grant on every namespace covers.
  const canCreate = grants.can(FN.createNamespaces, [namespaceRef(UNNAMED)]);
  const canEdit = (n: string) => grants.can(FN.updateNamespaces, [namespaceRef(n)]);
  const canDelete = (n: string) => grants.can(FN.deleteNamespaces, [namespaceRef(n)]);
  const refused = refusedOf([canCreate, ...items.flatMap((n) => [canEdit(n.name), canDelete(n.name)])]);
  const remove = (n: string) => {
    if (confirm(`Delete namespace ${n}?`)) void action.run(() => api.post('/core/v1/namespaces/delete', [{ name: n }])).then((ok) => { if (ok) void list.reload(); });
  };
  return (
    <Page title="Namespaces" actions={<WriteButton allowed={canCreate} reason={notAllowed('create namespaces')} class="primary" onClick={() => setCreating(true)}>New namespace</WriteButton>}>
      <ReadOnlyNote refused={refused} />
      <ErrorBox error={list.error} />
      <ErrorBox error={action.error} onClose={action.clear} />
      {items.length === 0 && !list.loading ? <Empty>No namespaces.</Empty> : (
        <table>
          <thead><tr><th>Name</th><th>Comment</th><th>Services</th><th>Instances (healthy/all)</th><th>Modified</th><th><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {items.map((n) => (
              <tr key={n.name}>
                <td><a href={href('/services', { namespace: n.name })}>{n.name}</a></td>
                <td>{n.comment}</td>
                <td>{n.total_service_count ?? 0}</td>
                <td>{n.total_health_instance_count ?? 0}/{n.total_instance_count ?? 0}</td>
                <td>{when(n.mtime)}</td>
                <td><button type="button" class="link" hidden={n.editable === false || !canEdit(n.name)} aria-label={`Edit namespace ${n.name}`} onClick={() => { edit.clear(); setEditing({ name: n.name, comment: n.comment ?? '' }); }}>Edit</button>{' '}
                  <button type="button" class="link danger" hidden={n.deleteable === false || !canDelete(n.name)} onClick={() => remove(n.name)} aria-label={`Delete namespace ${n.name}`}>Delete</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <FormDialog title={`Edit namespace ${editing?.name ?? ''}`} open={!!editing} onClose={() => setEditing(undefined)} action={edit} submitLabel="Save"
        onSubmit={async () => { await api.put('/core/v1/namespaces', [editing]); void list.reload(); }}>
        <Field label="Comment"><input value={editing?.comment ?? ''} onInput={(e) => setEditing({ ...editing!, comment: e.currentTarget.value })} /></Field>
      </FormDialog>
      <FormDialog title="New namespace" open={creating} onClose={() => setCreating(false)} action={create}
        onSubmit={async () => { await api.post('/core/v1/namespaces', [{ name: name.trim(), comment }]); setName(''); setComment(''); void list.reload(); }}>
        <Field label="Name"><input required value={name} onInput={(e) => setName(e.currentTarget.value)} /></Field>
        <Field label="Comment"><input value={comment} onInput={(e) => setComment(e.currentTarget.value)} /></Field>
      </FormDialog>
    </Page>
  );
}
