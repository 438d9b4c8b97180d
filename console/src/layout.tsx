import type { Session } from './api';
import { href, useRoute } from './router';
import { OverviewPage } from './pages/overview';
import { NamespacesPage } from './pages/namespaces';
import { ServicesPage } from './pages/services';
import { InstancesPage } from './pages/instances';
import { AliasesPage } from './pages/aliases';
import { RulesPage, RULE_KINDS } from './pages/rules';
import { ConfigGroupsPage, ConfigFilesPage } from './pages/config-groups';
import { ConfigFilePage } from './pages/config-file';
import { MyAccessPage, UsersPage, GroupsPage, StrategiesPage } from './pages/auth';
import { GrantsContext, useLoadGrants } from './grants';

interface NavItem {
  path: string;
  label: string;
  mainOnly?: boolean;
  subOnly?: boolean;
}

const NAV: Array<{ title: string; items: NavItem[] }> = [
  { title: 'Registry', items: [
    { path: '/', label: 'Overview' },
    { path: '/namespaces', label: 'Namespaces' },
    { path: '/services', label: 'Services' },
    { path: '/aliases', label: 'Aliases' },
  ] },
  { title: 'Governance', items: RULE_KINDS.map((k) => ({ path: `/rules/${k.key}`, label: k.title })) },
  { title: 'Configuration', items: [{ path: '/config', label: 'Config groups' }] },
  { title: 'Access', items: [
    { path: '/auth/users', label: 'Users', mainOnly: true },
    { path: '/auth/groups', label: 'User groups', mainOnly: true },
    { path: '/auth/strategies', label: 'Strategies', mainOnly: true },
    { path: '/auth/mine', label: 'My access', subOnly: true },
  ] },
];

export function isMain(s: Session): boolean {
  return s.role === 'main' || s.role === 'admin';
}

function current(path: string, item: string): boolean {
  if (item === '/') return path === '/';
  return path === item || path.startsWith(item + '/') || (item === '/services' && path === '/instances') || (item === '/config' && path.startsWith('/config'));
}

function Content({ session }: { session: Session }) {
  const { path, params } = useRoute();
  if (path === '/') return <OverviewPage />;
  if (path === '/namespaces') return <NamespacesPage />;
  if (path === '/services') return <ServicesPage params={params} />;
  if (path === '/instances') return <InstancesPage key={`${params.namespace}/${params.service}`} params={params} />;
  if (path === '/aliases') return <AliasesPage params={params} />;
  if (path.startsWith('/rules/')) return <RulesPage kind={path.slice(7)} params={params} />;
  if (path === '/config') return <ConfigGroupsPage params={params} />;
  if (path === '/config/files') return <ConfigFilesPage params={params} />;
  // Keyed by the file: its editor state must never carry over to another file.
  if (path === '/config/file') return <ConfigFilePage key={`${params.namespace}/${params.group}/${params.name}`} params={params} />;
  if (path.startsWith('/auth/') && path !== '/auth/mine' && !isMain(session)) {
    return (
      <p role="alert">
        Users, user groups and strategies are managed by a main account. <a href="#/auth/mine">See your own access</a>.
      </p>
    );
  }
  if (path === '/auth/users') return <UsersPage session={session} />;
  if (path === '/auth/groups') return <GroupsPage />;
  if (path === '/auth/strategies') return <StrategiesPage />;
  if (path === '/auth/mine') return <MyAccessPage session={session} />;
  return <p role="alert">No page at {path}. <a href="#/">Go to the overview</a>.</p>;
}

export function Layout({ session, onLogout }: { session: Session; onLogout: () => void }) {
  const { path } = useRoute();
  const main = isMain(session);
  const grants = useLoadGrants(session, path);
  return (
    <div class="shell">
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Polaris</span>
        <span class="who">
          Signed in as <strong>{session.name}</strong> <span class="muted">({session.role || 'user'})</span>
        </span>
        <button type="button" onClick={onLogout}>
          Sign out
        </button>
      </header>
      <nav class="side" aria-label="Main">
        {NAV.map((g) => {
          const items = g.items.filter((i) => (!i.mainOnly || main) && (!i.subOnly || !main));
          if (items.length === 0) return null;
          return (
            <div key={g.title}>
              <h2>{g.title}</h2>
              <ul>
                {items.map((i) => (
                  <li key={i.path}>
                    <a href={href(i.path)} aria-current={current(path, i.path) ? 'page' : undefined}>
                      {i.label}
                    </a>
                  </li>
                ))}
              </ul>
            </div>
          );
        })}
      </nav>
      {/* data-grants: whether the write rights are known yet ("pending" until the first answer). */}
      <main id="main" tabIndex={-1} data-grants={grants.mode}>
        <GrantsContext.Provider value={grants}>
          <Content session={session} />
        </GrantsContext.Provider>
      </main>
    </div>
  );
}
