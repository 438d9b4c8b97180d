import { useState } from 'preact/hooks';
import { api } from '../api';
import { Badge, Dialog, Empty, ErrorBox, Field, JsonEditor, Page, Pager, when } from '../components';
import { useAction, useLoad } from '../hooks';
import { navigate } from '../router';
import { RULE_FN, ruleRef } from '../access';
import { notAllowed, ReadOnlyNote, refusedOf, useGrants, WriteButton } from '../grants';

interface RuleKind {
  key: string;
  title: string;
  base: string;
  /** Where the list endpoint puts the rules. */
  listKey: string;
  /** Enable/disable: the endpoint and the body item for a switch. */
  enable?: { url: string; item: (rule: any, on: boolean) => Record<string, unknown> };
  isOn?: (rule: any) => boolean;
  /** Skeleton for a new rule. */
  template: Record<string, unknown>;
  describe: (rule: any) => string;
}

const LIMIT = 50;
const target = (r: any) => [r.namespace, r.service].filter(Boolean).join('/');
const svcOf = (s: any) => (s ? target(s) : '');

export const RULE_KINDS: RuleKind[] = [
  {
    key: 'routing', title: 'Routing rules', base: '/naming/v2/routings', listKey: 'data',
    enable: { url: '/naming/v2/routings/enable', item: (r, on) => ({ id: r.id, enable: on }) },
    isOn: (r) => !!r.enable,
    template: { name: 'new-route', enable: false, routing_policy: 'RulePolicy', description: '', routing_config: { '@type': 'type.googleapis.com/v1.RuleRoutingConfig', rules: [] } },
    describe: (r) => r.description || r.routing_policy,
  },
  {
    key: 'ratelimit', title: 'Rate limits', base: '/naming/v1/ratelimits', listKey: 'rateLimits',
    enable: { url: '/naming/v1/ratelimits/enable', item: (r, on) => ({ id: r.id, disable: !on }) },
    isOn: (r) => !r.disable,
    template: { name: 'new-limit', namespace: 'default', service: '', type: 'LOCAL', disable: true, amounts: [{ maxAmount: 100, validDuration: '1s' }] },
    describe: (r) => `${target(r)} ${r.type ?? ''}`,
  },
  {
    key: 'circuitbreaker', title: 'Circuit breakers', base: '/naming/v1/circuitbreaker/rules', listKey: 'data',
    enable: { url: '/naming/v1/circuitbreaker/rules/enable', item: (r, on) => ({ id: r.id, enable: on }) },
    isOn: (r) => !!r.enable,
    template: { name: 'new-breaker', enable: false, level: 'SERVICE', ruleMatcher: { source: { namespace: '*', service: '*' }, destination: { namespace: 'default', service: 'my-service' } } },
    describe: (r) => `${r.level ?? ''} ${svcOf((r.ruleMatcher ?? r.rule_matcher)?.destination)}`,
  },
  {
    key: 'faultdetect', title: 'Fault detection', base: '/naming/v1/faultdetectors', listKey: 'data',
    template: { name: 'new-probe', targetService: { namespace: 'default', service: 'my-service' }, protocol: 'HTTP', interval: 30, timeout: 1000 },
    describe: (r) => `${r.protocol ?? ''} ${svcOf(r.targetService ?? r.target_service)}`,
  },
  {
    key: 'lane', title: 'Lanes', base: '/naming/v1/lane/groups', listKey: 'data',
    template: { name: 'new-lane-group', description: '', entries: [], destinations: [], rules: [] },
    describe: (r) => `${(r.rules ?? []).length} lanes: ${(r.rules ?? []).map((l: any) => `${l.name}${l.enable ? '' : ' (off)'}`).join(', ')}`,
  },
];

/** A rule as the list returns it, made fit to send back (the Any type tag is not a rule field). */
function editable(rule: any): any {
  const { ['@type']: _t, ...rest } = rule ?? {};
  return rest;
}

export function RulesPage({ kind, params }: { kind: string; params: Record<string, string> }) {
  const k = RULE_KINDS.find((x) => x.key === kind);
  if (!k) return <p role="alert">Unknown rule kind {kind}.</p>;
  return <RuleList k={k} key={k.key} params={params} />;
}

function RuleList({ k, params }: { k: RuleKind; params: Record<string, string> }) {
  const name = params.name ?? '';
  const offset = Number(params.offset ?? 0) || 0;
  const list = useLoad(() => api.get(k.base, { name: name ? `*${name}*` : undefined, offset, limit: LIMIT }), [k.key, name, offset]);
  const toggle = useAction();
  const save = useAction();
  const [editing, setEditing] = useState<{ rule: any; isNew: boolean } | undefined>(undefined);
  const [q, setQ] = useState(name);
  const items: any[] = list.data?.[k.listKey] ?? [];
  const grants = useGrants();
  const fn = RULE_FN[k.key];
  const canCreate = grants.somewhere(fn.create, (ns, sid) => [{ type: fn.type, id: '', namespace: ns, serviceId: fn.byService ? sid : undefined }]);
  const canEdit = (r: any) => grants.can(fn.update, [ruleRef(grants, k.key, r, true)]);
  const canDelete = (r: any) => grants.can(fn.delete, [ruleRef(grants, k.key, r, false)]);
  const canSwitch = (r: any) => !!fn.enable && grants.can(fn.enable, [ruleRef(grants, k.key, r, false)]);
  const refused = refusedOf([canCreate, ...items.flatMap((r) => [canEdit(r), canDelete(r), ...(k.enable ? [canSwitch(r)] : [])])]);
  return (
    <Page title={k.title} actions={<WriteButton allowed={canCreate} reason={notAllowed(`create ${k.title.toLowerCase()}`)} class="primary" onClick={() => { save.clear(); setEditing({ rule: k.template, isNew: true }); }}>New rule</WriteButton>}>
      <ReadOnlyNote refused={refused} />
      <form class="filters" role="search" onSubmit={(e) => { e.preventDefault(); navigate(`/rules/${k.key}`, { name: q.trim() }); }}>
        <Field label="Name contains"><input value={q} onInput={(e) => setQ(e.currentTarget.value)} /></Field>
        <button type="submit">Search</button>
      </form>
      <ErrorBox error={list.error} />
      <ErrorBox error={toggle.error} onClose={toggle.clear} />
      {items.length === 0 && !list.loading ? <Empty>No rules.</Empty> : (
        <table>
          <thead><tr><th>Name</th><th>About</th>{k.enable && <th>Enabled</th>}<th>Modified</th><th><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {items.map((r) => (
              <tr key={r.id}>
                <td>{r.name}</td>
                <td>{k.describe(r)}</td>
                {k.enable && (
                  <td>
                    {canSwitch(r) ? (
                      <button type="button" class={`toggle ${k.isOn!(r) ? 'enabled' : ''}`} aria-pressed={k.isOn!(r)} aria-label={`Enable ${r.name}`} disabled={toggle.busy}
                        onClick={() => void toggle.run(() => api.put(k.enable!.url, [k.enable!.item(r, !k.isOn!(r))])).then((ok) => { if (ok) void list.reload(); })}>
                        {k.isOn!(r) ? 'Enabled' : 'Disabled'}
                      </button>
                    ) : <Badge kind={k.isOn!(r) ? 'ok' : 'info'}>{k.isOn!(r) ? 'Enabled' : 'Disabled'}</Badge>}
                  </td>
                )}
                <td>{when(r.mtime ?? r.modifyTime)}</td>
                <td>
                  <button type="button" class="link" onClick={() => { save.clear(); setEditing({ rule: editable(r), isNew: false }); }} hidden={r.editable === false || !canEdit(r)} aria-label={`Edit ${r.name}`}>Edit</button>{' '}
                  <button type="button" class="link danger" hidden={r.deleteable === false || !canDelete(r)} aria-label={`Delete ${r.name}`} onClick={() => {
                    if (confirm(`Delete rule ${r.name}?`)) void toggle.run(() => api.post(`${k.base}/delete`, [{ id: r.id, name: r.name }])).then((ok) => { if (ok) void list.reload(); });
                  }}>Delete</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager offset={offset} limit={LIMIT} total={Number(list.data?.amount ?? 0)} onChange={(o) => navigate(`/rules/${k.key}`, { name, offset: o || undefined })} />
      <Dialog title={editing?.isNew ? `New rule: ${k.title}` : `Edit ${editing?.rule?.name ?? ''}`} open={!!editing} onClose={() => setEditing(undefined)}>
        {editing && (
          <>
            <JsonEditor label="Rule as JSON" initial={editing.rule} busy={save.busy} error={save.error} onCancel={() => setEditing(undefined)}
              onSave={async (v) => {
                const ok = await save.run(() => (editing.isNew ? api.post(k.base, [v]) : api.put(k.base, [v])));
                if (ok) { setEditing(undefined); void list.reload(); }
                return ok;
              }} />
            <p class="muted small">The server checks the rule; its errors show above the Save button and your text stays as typed.</p>
            {!editing.isNew && editing.rule.ctime && <p class="muted small">Created {when(editing.rule.ctime)}</p>}
            {k.enable && !editing.isNew && <p class="muted small">State: {k.isOn!(editing.rule) ? <Badge kind="ok">enabled</Badge> : <Badge kind="info">disabled</Badge>}</p>}
          </>
        )}
      </Dialog>
    </Page>
  );
}
