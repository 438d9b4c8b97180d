import { useState } from 'preact/hooks';
import { api } from '../api';
import { Empty, ErrorBox, Field, FormDialog, Page, Pager, when } from '../components';
import { useAction, useLoad } from '../hooks';
import { href, navigate } from '../router';
import { FN, groupRef } from '../access';
import { notAllowed, ReadOnlyNote, refusedOf, useGrants, WriteButton } from '../grants';

const LIMIT = 20;
export const FORMATS = ['text', 'yaml', 'json', 'properties', 'xml', 'html', 'toml', 'ini'];

/**
 * A config group as the server's config guard names it: by id (a strategy may grant the group) and
 * by namespace. The id comes from the group list, filtered to exactly this group.
 */
export function useGroupRef(namespace: string, group: string) {
  const found = useLoad(() => api.get('/config/v1/configfilegroups', { namespace, group, limit: 1 }), [namespace, group]);
  const g = (found.data?.configFileGroups ?? []).find((x: any) => x.namespace === namespace && x.name === group);
  return groupRef(namespace, g ? String(g.id ?? '') : '');
}

export function ConfigGroupsPage({ params }: { params: Record<string, string> }) {
  const namespace = params.namespace ?? '';
  const offset = Number(params.offset ?? 0) || 0;
  const list = useLoad(() => api.get('/config/v1/configfilegroups', { namespace, offset, limit: LIMIT }), [namespace, offset]);
  const action = useAction();
  const create = useAction();
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState({ namespace: namespace || 'default', name: '', comment: '' });
  const [ns, setNs] = useState(namespace);
  const items: any[] = list.data?.configFileGroups ?? [];
  const grants = useGrants();
  // A new group has no id yet: only its namespace's grant (or one on every group) covers it.
  const canCreate = namespace
    ? grants.can(FN.createGroup, [groupRef(namespace, '')])
    : grants.somewhere(FN.createGroup, (ns) => [groupRef(ns, '')]);
  const canDelete = (g: any) => grants.can(FN.deleteGroup, [groupRef(g.namespace, String(g.id ?? ''))]);
  return (
    <Page title="Config groups" actions={<WriteButton allowed={canCreate} reason={notAllowed(namespace ? `create config groups in ${namespace}` : 'create config groups')} class="primary" onClick={() => setOpen(true)}>New group</WriteButton>}>
      <ReadOnlyNote refused={refusedOf([canCreate, ...items.map(canDelete)])} />
      <form class="filters" role="search" onSubmit={(e) => { e.preventDefault(); navigate('/config', { namespace: ns.trim() }); }}>
        <Field label="Namespace"><input value={ns} placeholder="any" onInput={(e) => setNs(e.currentTarget.value)} /></Field>
        <button type="submit">Filter</button>
      </form>
      <ErrorBox error={list.error} />
      <ErrorBox error={action.error} onClose={action.clear} />
      {items.length === 0 && !list.loading ? <Empty>No config groups.</Empty> : (
        <table>
          <thead><tr><th>Namespace</th><th>Group</th><th>Files</th><th>Comment</th><th>Modified</th><th><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {items.map((g) => (
              <tr key={`${g.namespace}/${g.name}`}>
                <td>{g.namespace}</td>
                <td><a href={href('/config/files', { namespace: g.namespace, group: g.name })}>{g.name}</a></td>
                <td>{g.fileCount ?? 0}</td>
                <td>{g.comment}</td>
                <td>{when(g.modifyTime)}</td>
                <td><button type="button" class="link danger" hidden={g.deleteable === false || !canDelete(g)} aria-label={`Delete group ${g.name}`} onClick={() => {
                  if (confirm(`Delete config group ${g.namespace}/${g.name}?`)) void action.run(() => api.del('/config/v1/configfilegroups', { namespace: g.namespace, group: g.name })).then((ok) => { if (ok) void list.reload(); });
                }}>Delete</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager offset={offset} limit={LIMIT} total={Number(list.data?.total ?? 0)} onChange={(o) => navigate('/config', { namespace, offset: o || undefined })} />
      <FormDialog title="New config group" open={open} onClose={() => setOpen(false)} action={create}
        onSubmit={async () => { await api.post('/config/v1/configfilegroups', draft); navigate('/config/files', { namespace: draft.namespace, group: draft.name }); }}>
        <Field label="Namespace"><input required value={draft.namespace} onInput={(e) => setDraft({ ...draft, namespace: e.currentTarget.value })} /></Field>
        <Field label="Group name"><input name="group" required value={draft.name} onInput={(e) => setDraft({ ...draft, name: e.currentTarget.value })} /></Field>
        <Field label="Comment"><input value={draft.comment} onInput={(e) => setDraft({ ...draft, comment: e.currentTarget.value })} /></Field>
      </FormDialog>
    </Page>
  );
}

export function ConfigFilesPage({ params }: { params: Record<string, string> }) {
  const { namespace = 'default', group = '' } = params;
  const list = useLoad(() => api.get('/config/v1/configfiles/search', { namespace, group, limit: 100 }), [namespace, group]);
  const action = useAction();
  const create = useAction();
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState({ name: '', format: 'yaml', comment: '' });
  const items: any[] = list.data?.configFiles ?? [];
  const ref = useGroupRef(namespace, group);
  const grants = useGrants();
  const canCreate = grants.can(FN.createFile, [ref]);
  const canDelete = grants.can(FN.deleteFile, [ref]);
  return (
    <Page title={`Files of ${namespace}/${group}`} actions={<WriteButton allowed={canCreate} reason={notAllowed(`create files in ${namespace}/${group}`)} class="primary" onClick={() => setOpen(true)}>New file</WriteButton>}>
      <ReadOnlyNote refused={refusedOf([canCreate, canDelete])} />
      <p class="muted small"><a href={href('/config', { namespace })}>← Config groups</a></p>
      <ErrorBox error={list.error} />
      <ErrorBox error={action.error} onClose={action.clear} />
      {items.length === 0 && !list.loading ? <Empty>No files in this group.</Empty> : (
        <table>
          <thead><tr><th>File</th><th>Format</th><th>Status</th><th>Released</th><th>Modified</th><th><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {items.map((f) => (
              <tr key={f.name}>
                <td><a href={href('/config/file', { namespace, group, name: f.name })}>{f.name}</a></td>
                <td>{f.format}</td>
                <td>{f.status}</td>
                <td>{when(f.releaseTime)} {f.releaseBy}</td>
                <td>{when(f.modifyTime)} {f.modifyBy}</td>
                <td><button type="button" class="link danger" hidden={!canDelete} aria-label={`Delete file ${f.name}`} onClick={() => {
                  if (confirm(`Delete ${f.name} and its releases?`)) void action.run(() => api.del('/config/v1/configfiles', { namespace, group, name: f.name })).then((ok) => { if (ok) void list.reload(); });
                }}>Delete</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <FormDialog title="New config file" open={open} onClose={() => setOpen(false)} action={create}
        onSubmit={async () => { const body = { namespace, group, name: draft.name.trim(), format: draft.format, comment: draft.comment, content: '' }; await api.post('/config/v1/configfiles', body); navigate('/config/file', { namespace, group, name: body.name }); }}>
        <Field label="File name" hint="May contain folders, e.g. app/db.yaml"><input name="file" required value={draft.name} onInput={(e) => setDraft({ ...draft, name: e.currentTarget.value })} /></Field>
        <Field label="Format"><select value={draft.format} onChange={(e) => setDraft({ ...draft, format: e.currentTarget.value })}>{FORMATS.map((f) => <option key={f}>{f}</option>)}</select></Field>
        <Field label="Comment"><input value={draft.comment} onInput={(e) => setDraft({ ...draft, comment: e.currentTarget.value })} /></Field>
      </FormDialog>
    </Page>
  );
}
