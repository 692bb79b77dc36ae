// The review app: jobs, a job's results, unknown people, galleries — over the service's REST API
// on the same origin. Routes live in the URL's hash (#/jobs/<id>), so any page can be linked.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { apiKey, whenUnauthorized } from './api/client';
import { GalleriesPage, GalleryPage } from './pages/galleries';
import { JobPage } from './pages/job';
import { JobsPage } from './pages/jobs';
import { UnknownsPage } from './pages/unknowns';
import { href, useRoute } from './ui';
import './style.css';

function KeyPrompt({ reason, onKey }: { reason: string; onKey: () => void }) {
  return (
    <section class="card key" aria-labelledby="key-title">
      <h1 id="key-title">API key needed</h1>
      <p>This service asks for an API key: {reason}</p>
      <p class="muted">The key is kept in this browser tab only (session storage) and sent as “Authorization: Bearer …”.</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const key = String(new FormData(e.currentTarget).get('key') ?? '').trim();
          if (key) {
            apiKey.set(key);
            onKey();
          }
        }}
      >
        <label for="api-key">API key</label> <input id="api-key" name="key" type="password" autoComplete="off" required />{' '}
        <button type="submit">Use this key</button>
      </form>
    </section>
  );
}

function App() {
  const route = useRoute();
  const [needKey, setNeedKey] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => whenUnauthorized((message) => setNeedKey(message)), []);
  const [section = 'jobs', id] = route.parts;
  useEffect(() => {
    document.title = `${{ jobs: id ? 'Job' : 'Jobs', unknowns: 'Unknown people', galleries: id ? 'Gallery' : 'Galleries' }[section] ?? 'facerec'} · facerec`;
  }, [section, id]);

  let page;
  if (section === 'jobs' && id) page = <JobPage id={id} />;
  else if (section === 'unknowns') page = <UnknownsPage route={route} />;
  else if (section === 'galleries' && id) page = <GalleryPage id={id} route={route} />;
  else if (section === 'galleries') page = <GalleriesPage route={route} />;
  else page = <JobsPage route={route} />;

  const link = (to: string, label: string) => (
    <a href={href(to)} aria-current={section === to.slice(1) ? 'page' : undefined}>
      {label}
    </a>
  );
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <header>
        <span class="brand">facerec</span>
        <nav aria-label="Sections">
          {link('/jobs', 'Jobs')}
          {link('/unknowns', 'Unknown people')}
          {link('/galleries', 'Galleries')}
        </nav>
        {apiKey.get() && (
          <button
            type="button"
            class="small"
            onClick={() => {
              apiKey.clear();
              location.reload();
            }}
          >
            Forget the API key
          </button>
        )}
      </header>
      <main id="main" tabIndex={-1}>
        {needKey !== null ? (
          <KeyPrompt
            reason={needKey}
            onKey={() => {
              setNeedKey(null);
              setAttempt((a) => a + 1);
            }}
          />
        ) : (
          <div key={`${attempt}`}>{page}</div>
        )}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
