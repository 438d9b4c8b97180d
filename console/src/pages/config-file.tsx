import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { Badge, CodeEditor, ErrorBox, Field, Page, when } from '../components';
import { useAction, useLoad } from '../hooks';
import { href } from '../router';
import { FORMATS, useGroupRef } from './config-groups';
import { FN } from '../access';
import { notAllowed, ReadOnlyNote, refusedOf, useGrants, WriteButton } from '../grants';
import { DiffView, ReleasesPanel, WatchersPanel } from './config-history';

/** One config file: edit the draft, publish (full or gray), releases, history, diff, watchers. */
export function ConfigFilePage({ params }: { params: Record<string, string> }) {
  const { namespace = 'default', group = '', name = '' } = params;
  const file = useLoad(() => api.get('/config/v1/configfiles', { namespace, group, name }), [namespace, group, name]);
  const active = useLoad(() => api.get('/config/v1/configfiles/release', { namespace, group, file_name: name }), [namespace, group, name]);
  const save = useAction();
  const publish = useAction();
  const [content, setContent] = useState<string | undefined>(undefined);
  const [format, setFormat] = useState('text');
  const [comment, setComment] = useState('');
  const [releaseDesc, setReleaseDesc] = useState('');
  const [grayIps, setGrayIps] = useState('');
  const [showDiff, setShowDiff] = useState(false);
  const [saved, setSaved] = useState('');
  const [tick, setTick] = useState(0);
  const f = file.data?.configFile;
  const grants = useGrants();
  const ref = useGroupRef(namespace, group);
  const canSave = grants.can(FN.updateFile, [ref]);
  const canPublish = grants.can(FN.publish, [ref]);
  const canStop = grants.can(FN.stopBeta, [ref]);
  const canRollback = grants.can(FN.rollbackReleases, [ref]);
  useEffect(() => {
    // Take the server's copy only when nothing was typed yet: a failed save never loses edits.
    if (f && content === undefined) {
      setContent(f.content ?? '');
      setFormat(f.format || 'text');
      setComment(f.comment ?? '');
    }
  }, [f]);
  const text = content ?? '';
  const dirty = f !== undefined && text !== (f.content ?? '');
  const activeRelease = active.data?.configFileRelease;
  const refresh = () => {
    void file.reload();
    void active.reload();
    setTick((t) => t + 1);
  };
  const doSave = () =>
    save.run(async () => {
      await api.put('/config/v1/configfiles', { namespace, group, name, content: text, format, comment });
      setSaved(`Saved at ${new Date().toLocaleTimeString()}`);
      void file.reload();
    });
  const doPublish = (gray: boolean) =>
    publish.run(async () => {
      if (dirty && !(await doSave())) throw new Error('the draft could not be saved; nothing was published');
      const body: Record<string, unknown> = { namespace, group, fileName: name, releaseDescription: releaseDesc, comment: releaseDesc };
      if (gray) {
        const ips = grayIps.split(/[\s,]+/).filter(Boolean).join(',');
        body.releaseType = 'gray';
        body.betaLabels = [{ key: 'CLIENT_IP', value: { type: 'IN', value: ips, value_type: 'TEXT' } }];
      }
      const res = await api.post('/config/v1/configfiles/release', body);
      setSaved(`Published ${gray ? 'gray ' : ''}release ${res.configFileRelease?.name ?? ''}`);
      setReleaseDesc('');
      refresh();
    });
  return (
    <Page title={`${group} / ${name}`} actions={<a class="button" href={href('/config/files', { namespace, group })}>← Files of {group}</a>}>
      <p class="muted small">
        Namespace {namespace} · status {f?.status ?? '…'} · modified {when(f?.modifyTime)} {f?.modifyBy}
        {activeRelease ? <> · active release <strong>{activeRelease.name}</strong> (version {activeRelease.version})</> : ' · never published'}
      </p>
      <ReadOnlyNote refused={refusedOf([canSave, canPublish, canStop, canRollback])} />
      <ErrorBox error={file.error} />
      <div class="split">
        <form class="editor" onSubmit={(e) => { e.preventDefault(); if (canSave) void doSave(); }}>
          <div class="row">
            <Field label="Format"><select value={format} disabled={!canSave} onChange={(e) => setFormat(e.currentTarget.value)}>{FORMATS.map((x) => <option key={x}>{x}</option>)}</select></Field>
            <Field label="Comment"><input value={comment} readOnly={!canSave} onInput={(e) => setComment(e.currentTarget.value)} /></Field>
          </div>
          <CodeEditor value={text} onInput={setContent} readOnly={!canSave} format={format} label={`Content of ${name}`} rows={20} />
          <ErrorBox error={save.error} onClose={save.clear} />
          <div class="actions">
            {dirty ? <Badge kind="warn">unsaved changes</Badge> : null}
            <span role="status" class="muted small">{saved}</span>
            <button type="button" onClick={() => setShowDiff(!showDiff)} aria-expanded={showDiff}>
              {showDiff ? 'Hide' : 'Show'} changes since the active release
            </button>
            <WriteButton allowed={canSave} reason={notAllowed(`edit files of ${namespace}/${group}`)} type="submit" disabled={save.busy}>{save.busy ? 'Saving…' : 'Save draft'}</WriteButton>
          </div>
          {showDiff && <DiffView from={activeRelease?.content ?? ''} to={text} fromLabel="active release" toLabel="editor" />}
        </form>
        <aside class="panel" aria-labelledby="publish-title">
          <h2 id="publish-title">Publish</h2>
          <Field label="Release description"><input name="release-description" value={releaseDesc} onInput={(e) => setReleaseDesc(e.currentTarget.value)} /></Field>
          <WriteButton allowed={canPublish && (!dirty || canSave)} reason={notAllowed(`publish files of ${namespace}/${group}`)} class="primary" disabled={publish.busy} onClick={() => void doPublish(false)}>
            {publish.busy ? 'Publishing…' : dirty ? 'Save and publish' : 'Publish'}
          </WriteButton>
          <h3>Gray release</h3>
          <Field label="Client IPs" hint="Comma or space separated; only these clients get the new content.">
            <input name="gray-ips" value={grayIps} onInput={(e) => setGrayIps(e.currentTarget.value)} />
          </Field>
          <div class="actions">
            <WriteButton allowed={canPublish && (!dirty || canSave)} reason={notAllowed(`publish files of ${namespace}/${group}`)} disabled={publish.busy || !grayIps.trim()} onClick={() => void doPublish(true)}>Publish to these clients</WriteButton>
            <WriteButton allowed={canStop} reason={notAllowed(`stop gray releases in ${namespace}/${group}`)} disabled={publish.busy} onClick={() => void publish.run(async () => {
              await api.post('/config/v1/configfiles/releases/stopbeta', [{ namespace, group, fileName: name }]);
              refresh();
            })}>Stop gray release</WriteButton>
          </div>
          <ErrorBox error={publish.error} onClose={publish.clear} />
        </aside>
      </div>
      <ReleasesPanel namespace={namespace} group={group} name={name} tick={tick} onChange={refresh} canRollback={canRollback} />
      <WatchersPanel namespace={namespace} group={group} name={name} />
    </Page>
  );
}
