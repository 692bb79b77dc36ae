// Unknowns: the identity index — unknown persons remembered across jobs, with a face and where
// they appeared; name one into a gallery, or merge two (both named alike in one gallery: their
// faces become one person there).
import { useEffect, useState } from 'preact/hooks';
import { call, type IndexedIdentity, type Model } from '../api/client';
import { ErrorNote, Pager, formatTime, href, short, usePoll, type Route } from '../ui';
import { NameForm } from './job';

const PAGE = 24;

export function UnknownsPage({ route }: { route: Route }) {
  const offset = Number(route.query.get('offset') ?? 0) || 0;
  const show = route.query.get('show') ?? 'unnamed';
  const [page, setPage] = useState<{ total: number; data: IndexedIdentity[] } | null>(null);
  const [models, setModels] = useState<Model[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [picked, setPicked] = useState<string[]>([]);
  const [version, setVersion] = useState(0);
  const named = show === 'all' ? undefined : show === 'named' ? 'true' : 'false';
  usePoll(
    () =>
      void call('get', '/api/v1/identities/', { query: { limit: PAGE, offset, named } })
        .then((p) => {
          setPage(p);
          setError(null);
        })
        .catch(setError),
    0,
    false,
    [offset, show, version],
  );
  useEffect(() => void call('get', '/api/v1/models/', { query: { limit: 1000 } }).then((p) => setModels(p.data.filter((m) => !m.read_only))).catch(setError), []);
  const refresh = () => {
    setPicked([]);
    setVersion((v) => v + 1);
  };

  return (
    <>
      <h1>Unknown people</h1>
      <p class="muted">People that jobs with “remember unknown people” could not name. Give one a name and every job it appeared in shows the name.</p>
      <nav class="filters" aria-label="Which people">
        {(['unnamed', 'named', 'all'] as const).map((s) => (
          <a href={href('/unknowns', { show: s === 'unnamed' ? '' : s })} aria-current={s === show ? 'page' : undefined}>
            {s}
          </a>
        ))}
      </nav>
      <ErrorNote error={error} />
      {picked.length === 2 && (
        <section class="card" aria-labelledby="merge-title">
          <h2 id="merge-title">Merge the two selected people</h2>
          <p>Both get this name in one gallery; their faces then make one person there.</p>
          <NameForm indexedId={picked[0]!} ids={picked} models={models} onNamed={refresh} />
        </section>
      )}
      {page && (
        <>
          <ul class="cards">
            {page.data.map((p) => (
              <li key={p.id} class="card person" data-indexed={p.id}>
                {p.thumbnail ? <img src={`data:image/jpeg;base64,${p.thumbnail}`} alt={`face of ${p.name ?? `unknown ${short(p.id)}`}`} width={96} height={96} /> : null}
                <h2 class="name">{p.name ?? `Unknown ${short(p.id)}`}</h2>
                <p class="muted">
                  {p.name ? `in ${p.model ?? '?'} · ` : ''}
                  {p.sample_count} faces · seen {p.appearance_count}× · since {formatTime(p.created)}
                </p>
                <ul class="appearances">
                  {p.appearances.slice(0, 3).map((a) => (
                    <li>
                      <a href={href(`/jobs/${a.job_id}`)}>
                        job {short(a.job_id)}, frames {a.frame_start}–{a.frame_end}
                      </a>
                    </li>
                  ))}
                </ul>
                {!p.name && (
                  <>
                    <label>
                      <input
                        type="checkbox"
                        checked={picked.includes(p.id)}
                        disabled={!picked.includes(p.id) && picked.length >= 2}
                        onChange={(e) => setPicked((all) => (e.currentTarget.checked ? [...all, p.id] : all.filter((x) => x !== p.id)))}
                      />{' '}
                      select to merge
                    </label>
                    <NameForm indexedId={p.id} models={models} onNamed={refresh} compact />
                  </>
                )}
              </li>
            ))}
          </ul>
          {page.data.length === 0 && <p>Nobody here.</p>}
          <Pager total={page.total} offset={offset} limit={PAGE} label="People" to={(o) => href('/unknowns', { show: show === 'unnamed' ? '' : show, offset: o })} />
        </>
      )}
    </>
  );
}
