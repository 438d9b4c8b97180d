import { useState } from 'preact/hooks';
import { api } from '../api';
import { Empty, ErrorBox, Field, FormDialog, Page, when } from '../components';
import { useAction, useLoad } from '../hooks';
import { href } from '../router';
import { FN, newServiceRef } from '../access';
import { notAllowed, ReadOnlyNote, refusedOf, useGrants, WriteButton } from '../grants';

export function AliasesPage({ params }: { params: Record<string, string> }) {
  const { namespace = '', service = '' } = params;
  const list = useLoad(() => api.get('/naming/v1/service/aliases', { namespace, service, limit: 100 }), [namespace, service]);
  const action = useAction();
  const create = useAction();
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState({ alias: '', alias_namespace: namespace || 'default', service, namespace: namespace || 'default' });
  const items: any[] = list.data?.aliases ?? [];
  const grants = useGrants();
  // An alias is a new service in its own namespace pointing at the source: both are touched.
  const canCreate = grants.somewhere(FN.createAlias, (ns) => (service ? [newServiceRef(ns), grants.service(namespace, service)] : [newServiceRef(ns)]));
  const canDelete = (a: any) => grants.can(FN.deleteAliases, [grants.service(a.alias_namespace, a.alias, a.id)]);
  const set = (k: keyof typeof draft) => (e: Event) => setDraft({ ...draft, [k]: (e.currentTarget as HTMLInputElement).value });
  return (
    <Page title={service ? `Aliases of ${namespace}/${service}` : 'Service aliases'} actions={<WriteButton allowed={canCreate} reason={notAllowed('create aliases')} class="primary" onClick={() => setOpen(true)}>New alias</WriteButton>}>
      <ReadOnlyNote refused={refusedOf([canCreate, ...items.map(canDelete)])} />
      <ErrorBox error={list.error} />
      <ErrorBox error={action.error} onClose={action.clear} />
      {items.length === 0 && !list.loading ? <Empty>No aliases.</Empty> : (
        <table>
          <thead><tr><th>Alias</th><th>Points to</th><th>Comment</th><th>Modified</th><th><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {items.map((a) => (
              <tr key={`${a.alias_namespace}/${a.alias}`}>
                <td>{a.alias_namespace}/{a.alias}</td>
                <td><a href={href('/instances', { namespace: a.namespace, service: a.service })}>{a.namespace}/{a.service}</a></td>
                <td>{a.comment}</td>
                <td>{when(a.mtime)}</td>
                <td><button type="button" class="link danger" hidden={a.deleteable === false || !canDelete(a)} aria-label={`Delete alias ${a.alias}`} onClick={() => {
                  if (confirm(`Delete alias ${a.alias}?`)) void action.run(() => api.post('/naming/v1/service/aliases/delete', [{ alias: a.alias, alias_namespace: a.alias_namespace }])).then((ok) => { if (ok) void list.reload(); });
                }}>Delete</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <FormDialog title="New alias" open={open} onClose={() => setOpen(false)} action={create}
        onSubmit={async () => { await api.post('/naming/v1/service/alias', { ...draft, type: 'DEFAULT' }); void list.reload(); }}>
        <Field label="Alias namespace"><input required value={draft.alias_namespace} onInput={set('alias_namespace')} /></Field>
        <Field label="Alias"><input required value={draft.alias} onInput={set('alias')} /></Field>
        <Field label="Service namespace"><input required value={draft.namespace} onInput={set('namespace')} /></Field>
        <Field label="Service"><input required value={draft.service} onInput={set('service')} /></Field>
      </FormDialog>
    </Page>
  );
}
