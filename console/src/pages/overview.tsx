import { api, ApiError } from '../api';
import { Badge, ErrorBox, Page } from '../components';
import { asApiError, useLoad } from '../hooks';
import { href } from '../router';

interface Metric {
  labels: string;
  value: number;
}

/** Reads `name{labels} value` samples from the Prometheus text of /metrics. */
export function samples(text: string, name: string): Metric[] {
  const out: Metric[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (m && m[1] === name) out.push({ labels: m[2] ?? '', value: Number(m[3]) });
  }
  return out;
}

async function settle<T>(p: Promise<T>): Promise<T | ApiError> {
  try {
    return await p;
  } catch (err) {
    return asApiError(err);
  }
}

async function metricsText(): Promise<string> {
  const res = await fetch('/metrics');
  if (!res.ok) throw new ApiError(res.status, 0, `/metrics answered HTTP ${res.status}`);
  return res.text();
}

function Count({ label, value, link }: { label: string; value: unknown; link?: string }) {
  const shown = value instanceof ApiError ? '—' : String(value ?? 0);
  return (
    <div class="card">
      <div class="big">{link ? <a href={link}>{shown}</a> : shown}</div>
      <div class="muted">{label}</div>
    </div>
  );
}

export function OverviewPage() {
  const data = useLoad(async () => {
    const [ns, svc, inst, groups, nodes, metrics] = await Promise.all([
      settle(api.get('/core/v1/namespaces', { limit: 100 })),
      settle(api.get('/naming/v1/services/count')),
      settle(api.get('/naming/v1/instances/count')),
      settle(api.get('/config/v1/configfilegroups', { limit: 1 })),
      settle(api.get('/naming/v1/instances', { namespace: 'Polaris', service: 'polaris.checker', limit: 100 })),
      settle(metricsText()),
    ]);
    return { ns, svc, inst, groups, nodes, metrics };
  }, [], 10000);
  const d = data.data;
  const errors = d ? [d.ns, d.svc, d.inst, d.groups, d.nodes].filter((x): x is ApiError => x instanceof ApiError) : [];
  const nsList: any[] = d && !(d.ns instanceof ApiError) ? d.ns.namespaces ?? [] : [];
  const healthy = nsList.reduce((a, n) => a + Number(n.total_health_instance_count ?? 0), 0);
  const total = nsList.reduce((a, n) => a + Number(n.total_instance_count ?? 0), 0);
  const nodes: any[] = d && !(d.nodes instanceof ApiError) ? d.nodes.instances ?? [] : [];
  const lag = d && typeof d.metrics === 'string' ? samples(d.metrics, 'polaris_cache_sync_lag_seconds') : [];
  return (
    <Page title="Overview">
      <ErrorBox error={data.error} />
      {errors.map((e, i) => <ErrorBox key={i} error={e} />)}
      <div class="cards">
        <Count label="Namespaces" value={d?.ns instanceof ApiError ? d.ns : d?.ns.amount ?? nsList.length} link={href('/namespaces')} />
        <Count label="Services" value={d?.svc instanceof ApiError ? d.svc : d?.svc.amount} link={href('/services')} />
        <Count label="Instances" value={d?.inst instanceof ApiError ? d.inst : d?.inst.amount} />
        <Count label="Healthy instances" value={`${healthy} / ${total}`} />
        <Count label="Config groups" value={d?.groups instanceof ApiError ? d.groups : d?.groups.total} link={href('/config')} />
      </div>
      <h2>Cluster nodes</h2>
      {nodes.length === 0 ? <p class="muted">No server registered itself in Polaris/polaris.checker (or you may not read it).</p> : (
        <table>
          <thead><tr><th>Node</th><th>Health</th><th>Version</th></tr></thead>
          <tbody>
            {nodes.map((n) => (
              <tr key={n.id}><td><code>{n.host}:{n.port}</code></td><td>{n.healthy ? <Badge kind="ok">healthy</Badge> : <Badge kind="bad">unhealthy</Badge>}</td><td>{n.version}</td></tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Cache sync lag on this node</h2>
      {d?.metrics instanceof ApiError ? <ErrorBox error={d.metrics} /> : lag.length === 0 ? <p class="muted">No cache metrics.</p> : (
        <table>
          <thead><tr><th>Cache</th><th>Seconds since last store read</th></tr></thead>
          <tbody>
            {lag.map((m) => (
              <tr key={m.labels}><td>{m.labels.replace(/[{}"]/g, '').replace(/cache=/, '') || '—'}</td><td>{m.value < 5 ? <Badge kind="ok">{m.value.toFixed(1)}</Badge> : <Badge kind="warn">{m.value.toFixed(1)}</Badge>}</td></tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}
