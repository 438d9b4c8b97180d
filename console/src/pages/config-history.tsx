import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { Badge, Empty, ErrorBox, when } from '../components';
import { diffLines } from '../diff';
import { useAction, useLoad } from '../hooks';

export function DiffView({ from, to, fromLabel, toLabel }: { from: string; to: string; fromLabel: string; toLabel: string }) {
  const lines = diffLines(from, to);
  const changed = lines.some((l) => l.op !== ' ');
  return (
    <figure class="diff">
      <figcaption>
        Changes from <strong>{fromLabel}</strong> to <strong>{toLabel}</strong>
        {changed ? '' : ': none'}
      </figcaption>
      {changed && (
        <pre>
          {lines.map((l, i) => (
            <div key={i} class={l.op === '+' ? 'add' : l.op === '-' ? 'del' : ''}>
              <span aria-label={l.op === '+' ? 'added' : l.op === '-' ? 'removed' : undefined}>{l.op}</span> {l.text}
            </div>
          ))}
        </pre>
      )}
    </figure>
  );
}

/** Releases (with rollback) and the release history (with a diff between any two entries). */
export function ReleasesPanel({ namespace, group, name, tick, onChange, canRollback = true }: {
  namespace: string; group: string; name: string; tick: number; onChange: () => void;
  /** False when the user's strategies do not allow a rollback here: the buttons are left out. */
  canRollback?: boolean;
}) {
  const history = useLoad(() => api.get('/config/v1/configfiles/releasehistory', { namespace, group, name, limit: 50 }), [namespace, group, name]);
  const releases = useLoad(() => api.get('/config/v1/configfiles/releases', { namespace, group, file_name: name, limit: 50 }), [namespace, group, name]);
  useEffect(() => {
    // After a publish, rollback or stop: refresh in place (the tables stay on screen meanwhile).
    if (tick === 0) return;
    void history.reload();
    void releases.reload();
  }, [tick]);
  const action = useAction();
  const [pair, setPair] = useState<{ from?: string; to?: string }>({});
  const items: any[] = (history.data?.configFileReleaseHistories ?? []).filter((h: any) => h.fileName === name);
  const rels: any[] = releases.data?.configFileReleases ?? [];
  const byId = (id?: string) => items.find((h) => String(h.id) === id);
  const a = byId(pair.from);
  const b = byId(pair.to);
  return (
    <section aria-labelledby="history-title">
      <h2 id="releases-title">Releases</h2>
      <ErrorBox error={releases.error} />
      <ErrorBox error={action.error} onClose={action.clear} />
      {rels.length === 0 ? <Empty>No releases yet.</Empty> : (
        <table aria-labelledby="releases-title">
          <thead><tr><th>Release</th><th>Version</th><th>Type</th><th>State</th><th>Created</th><th><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {rels.map((r) => (
              <tr key={r.name}>
                <td>{r.name}</td><td>{r.version}</td><td>{r.releaseType || 'full'}</td>
                <td>{r.active ? <Badge kind="ok">active</Badge> : <span class="muted">inactive</span>}</td>
                <td>{when(r.createTime)} {r.createBy}</td>
                <td>{canRollback && !r.active && r.releaseType !== 'gray' && (
                  <button type="button" class="link" aria-label={`Roll back to ${r.name}`} disabled={action.busy} onClick={() => {
                    if (confirm(`Make ${r.name} the active release again?`)) void action.run(() => api.put('/config/v1/configfiles/releases/rollback', [{ namespace, group, fileName: name, name: r.name }])).then((ok) => ok && onChange());
                  }}>Roll back to this</button>
                )}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2 id="history-title">Release history</h2>
      <ErrorBox error={history.error} />
      {items.length === 0 ? <Empty>No history yet.</Empty> : (
        <table class="history">
          <thead><tr><th>Compare from</th><th>to</th><th>Release</th><th>Type</th><th>Status</th><th>When</th><th>Description</th></tr></thead>
          <tbody>
            {items.map((h, i) => (
              <tr key={h.id} data-release={h.name}>
                <td><input type="radio" name="diff-from" aria-label={`Compare from ${h.name} (${h.id})`} checked={pair.from === String(h.id)} onChange={() => setPair({ ...pair, from: String(h.id) })} /></td>
                <td><input type="radio" name="diff-to" aria-label={`Compare to ${h.name} (${h.id})`} checked={pair.to === String(h.id)} onChange={() => setPair({ ...pair, to: String(h.id) })} /></td>
                <td>{h.name}</td><td>{h.type}</td><td>{h.status}</td><td>{when(h.createTime)} {h.createBy}</td>
                <td>{h.releaseDescription || h.reason}
                  {i + 1 < items.length && (
                    <button type="button" class="link" onClick={() => setPair({ from: String(items[i + 1].id), to: String(h.id) })}>diff with previous</button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {a && b && <DiffView from={a.content ?? ''} to={b.content ?? ''} fromLabel={`${a.name} (#${a.id})`} toLabel={`${b.name} (#${b.id})`} />}
    </section>
  );
}

/** Which clients hold which version of this file (GET /config/v1/configfiles/watchers). */
export function WatchersPanel({ namespace, group, name }: { namespace: string; group: string; name: string }) {
  const list = useLoad(() => api.get('/config/v1/configfiles/watchers', { namespace, group, fileName: name, limit: 100 }), [namespace, group, name], 5000);
  const items: any[] = list.data?.watchers ?? [];
  return (
    <section aria-labelledby="watchers-title">
      <h2 id="watchers-title">Clients of this file</h2>
      <ErrorBox error={list.error} />
      {items.length === 0 ? <Empty>No client has fetched or watched this file on this node.</Empty> : (
        <table>
          <thead><tr><th>Client</th><th>IP</th><th>Protocol</th><th>Holds version</th><th>Server version</th><th>Watching</th><th>Last seen</th></tr></thead>
          <tbody>
            {items.map((w) => (
              <tr key={`${w.client}/${w.ip}`}>
                <td>{w.client}</td><td>{w.ip}</td><td>{w.protocol}</td>
                <td>{w.version === w.serverVersion ? <Badge kind="ok">{w.version}</Badge> : <Badge kind="warn">{w.version}</Badge>}</td>
                <td>{w.serverVersion}</td><td>{w.watching}</td><td>{w.lastSeen}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
