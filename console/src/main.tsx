import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { loadSession, saveSession, whenSessionEnds, type Session } from './api';
import { LoginPage } from './pages/login';
import { Layout } from './layout';
import './style.css';

function App() {
  const [session, setSession] = useState<Session | null>(() => loadSession());
  const [notice, setNotice] = useState('');
  useEffect(() => {
    // The first screen is on and usable: measured by bench/console.bench.ts.
    performance.mark('polaris-console-ready');
    whenSessionEnds((err) => {
      saveSession(null);
      setSession(null);
      setNotice(`Your session ended: ${err.info} (code ${err.code}). Sign in again.`);
    });
  }, []);
  if (!session) {
    return (
      <LoginPage
        notice={notice}
        onLogin={(s) => {
          setNotice('');
          setSession(s);
        }}
      />
    );
  }
  return (
    <Layout
      session={session}
      onLogout={() => {
        saveSession(null);
        setSession(null);
        setNotice('You signed out.');
      }}
    />
  );
}

const root = document.getElementById('app')!;
root.textContent = ''; // drop the "Loading…" placeholder of index.html
render(<App />, root);
