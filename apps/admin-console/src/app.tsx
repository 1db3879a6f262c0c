import { useEffect, useMemo, useState } from 'preact/hooks';
import { AdminApi } from './api/admin-api';
import { AdminContext, ApiContext } from './api/context';
import type { AuthResponse } from './api/types';
import { Link } from './components/link';
import { useLocation } from './lib/navigation';
import { href, parseRoute, titleOf, type Route } from './lib/routes';
import { AuditLog } from './screens/audit-log';
import { KycQueue } from './screens/kyc-queue';
import { NotFound } from './screens/not-found';
import { Overview } from './screens/overview';
import { SignIn } from './screens/sign-in';
import { UserDetail } from './screens/user-detail';
import { Users } from './screens/users';

type Admin = AuthResponse['user'];

const NAVIGATION: Array<{ label: string; to: string; active: (route: Route) => boolean }> = [
  { label: 'Overview', to: href.overview(), active: (route) => route.name === 'overview' },
  { label: 'Users', to: href.users(), active: (route) => route.name === 'users' || route.name === 'user' },
  { label: 'KYC queue', to: href.kyc(), active: (route) => route.name === 'kyc' },
  { label: 'Audit log', to: href.audit(), active: (route) => route.name === 'audit' },
];

function sessionEndedNotice(code: string, message: string): string {
  if (code === 'TOKEN_EXPIRED') return 'Your session expired. Sign in again to continue.';
  return `You were signed out: ${message}`;
}

export function App() {
  const [admin, setAdmin] = useState<Admin | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const api = useMemo(
    () =>
      new AdminApi({
        onSessionEnded: (error) => {
          setAdmin(null);
          setNotice(sessionEndedNotice(error.code, error.message));
        },
      }),
    [],
  );
  const location = useLocation();
  const route = parseRoute(location.pathname);

  useEffect(() => {
    document.title = `${admin ? titleOf(route) : 'Sign in'} · Pandora admin console`;
  }, [admin, route.name]);

  if (!admin) {
    return (
      <SignIn
        api={api}
        notice={notice}
        onSignedIn={(auth) => {
          setNotice(null);
          setAdmin(auth.user);
        }}
      />
    );
  }

  return (
    <ApiContext.Provider value={api}>
      <AdminContext.Provider value={admin}>
        <a class="skip-link" href="#main">
          Skip to content
        </a>
        <header class="top">
          <Link href={href.overview()} class="brand">
            Pandora admin
          </Link>
          <nav aria-label="Main">
            <ul>
              {NAVIGATION.map((item) => (
                <li key={item.to}>
                  <Link href={item.to} current={item.active(route)}>
                    {item.label}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
          <div class="who">
            <span>{admin.email}</span>
            <button
              type="button"
              onClick={() => {
                api.signOut();
                setNotice('Signed out.');
                setAdmin(null);
              }}
            >
              Sign out
            </button>
          </div>
        </header>
        <main id="main" tabIndex={-1}>
          <Screen route={route} search={location.search} />
        </main>
      </AdminContext.Provider>
    </ApiContext.Provider>
  );
}

function Screen({ route, search }: { route: Route; search: string }) {
  switch (route.name) {
    case 'overview':
      return <Overview />;
    case 'users':
      return <Users search={search} />;
    case 'user':
      return <UserDetail key={route.id} id={route.id} />;
    case 'kyc':
      return <KycQueue search={search} />;
    case 'audit':
      return <AuditLog search={search} />;
    case 'not-found':
      return <NotFound />;
  }
}
