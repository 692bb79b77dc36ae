// Jobs: the list (state and progress, live; filter by state and tag; paged) and a form to start a
// job from uploaded files or URLs with the module's parameters.
import { useState } from 'preact/hooks';
import { call, uploadFile, type FaceRecognitionParams, type Job, type Model } from '../api/client';
import { DropZone, ErrorNote, Pager, formatTime, href, short, usePoll, type PathFile, type Route } from '../ui';

export const JOB_STATES = ['waiting', 'processing', 'completed', 'failed', 'stopped'] as const;
const PAGE = 25;

export function JobsPage({ route }: { route: Route }) {
  const state = route.query.get('state') ?? '';
  const tag = route.query.get('tag') ?? '';
  const offset = Number(route.query.get('offset') ?? 0) || 0;
  const [page, setPage] = useState<{ total: number; data: Job[] } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const active = !page || page.data.some((j) => j.state === 'waiting' || j.state === 'processing');
  const load = () =>
    void call('get', '/api/v1/jobs/', { query: { limit: PAGE, offset, state: (state || undefined) as Job['state'] | undefined, tag: tag || undefined } })
      .then((p) => {
        setPage(p);
        setError(null);
      })
      .catch(setError);
  usePoll(load, active ? 1500 : 5000, true, [state, tag, offset]);
  const to = (q: Record<string, string | number>) => href('/jobs', { state, tag, offset: 0, ...q });

  return (
    <>
      <h1>Jobs</h1>
      <NewJob />
      <section aria-labelledby="list-title">
        <h2 id="list-title">All jobs</h2>
        <form
          class="filters"
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            const f = new FormData(e.currentTarget);
            location.hash = to({ state: String(f.get('state') ?? ''), tag: String(f.get('tag') ?? '') });
          }}
        >
          <label>
            State{' '}
            <select name="state" value={state} onChange={(e) => (location.hash = to({ state: e.currentTarget.value }))}>
              <option value="">any</option>
              {JOB_STATES.map((s) => (
                <option value={s}>{s}</option>
              ))}
            </select>
          </label>
          <label>
            Tag <input name="tag" defaultValue={tag} />
          </label>
          <button type="submit">Filter</button>
        </form>
        <ErrorNote error={error} />
        {page && (
          <>
            <div class="scroll">
              <table class="jobs">
                <caption class="sr-only">Jobs, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">Job</th>
                    <th scope="col">Tag</th>
                    <th scope="col">State</th>
                    <th scope="col">Progress</th>
                    <th scope="col">Created</th>
                    <th scope="col">Sources</th>
                  </tr>
                </thead>
                <tbody>
                  {page.data.map((j) => (
                    <tr key={j.id} data-state={j.state}>
                      <td>
                        <a href={href(`/jobs/${j.id}`)}>{short(j.id)}</a>
                      </td>
                      <td>{j.tag}</td>
                      <td>
                        <span class={`state ${j.state}`}>{j.state}</span>
                      </td>
                      <td>
                        <progress max={1} value={j.progress} aria-label={`progress of job ${short(j.id)}`} /> {Math.round(j.progress * 100)} %
                      </td>
                      <td>{formatTime(j.time_created)}</td>
                      <td>{j.sources.length}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {page.data.length === 0 && <p>No jobs{state || tag ? ' match these filters' : ' yet'}.</p>}
            <Pager total={page.total} offset={offset} limit={PAGE} label="Jobs" to={(o) => href('/jobs', { state, tag, offset: o })} />
          </>
        )}
      </section>
    </>
  );
}

interface Upload {
  name: string;
  file: File;
  progress: number;
}

function NewJob() {
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [models, setModels] = useState<Model[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  usePoll(() => void call('get', '/api/v1/models/', { query: { limit: 1000 } }).then((p) => setModels(p.data)).catch(setError), 0, false, []);

  // An own gallery when there is one, else the default.
  const preferred = models.find((m) => !m.read_only) ?? models[0];
  const addFiles = (files: PathFile[]) => setUploads((u) => [...u, ...files.map((f) => ({ name: f.path, file: f.file, progress: 0 }))]);

  async function submit(form: HTMLFormElement) {
    const f = new FormData(form);
    const urls = String(f.get('urls') ?? '')
      .split(/\s+/)
      .filter(Boolean);
    if (uploads.length === 0 && urls.length === 0) {
      setError(new Error('Add at least one file or URL.'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const sources: string[] = [];
      for (const [k, u] of uploads.entries()) {
        const stored = await uploadFile(u.file, (p) => setUploads((all) => all.map((x, i) => (i === k ? { ...x, progress: p } : x))));
        sources.push(stored.source);
      }
      sources.push(...urls);
      const chosen = f.getAll('models').map(String);
      const params: FaceRecognitionParams = {
        max_distance: Number(f.get('max_distance')),
        face_detection_scale: Number(f.get('face_detection_scale')),
        cluster_unknowns: f.get('cluster_unknowns') === 'on',
        index_unknowns: f.get('index_unknowns') === 'on',
        enable_top_k: f.get('enable_top_k') === 'on',
        top_k: Number(f.get('top_k')),
      };
      if (chosen.length === 1) params.model = chosen[0]!;
      else if (chosen.length > 1) params.models = chosen;
      const job = await call('post', '/api/v1/jobs/', { json: { sources, tag: String(f.get('tag') ?? ''), modules: { face_recognition: params } } });
      location.hash = href(`/jobs/${job.id}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="new-title" class="card">
      <h2 id="new-title">Start a job</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit(e.currentTarget);
        }}
      >
        <DropZone id="job-files" label="Photos or videos" accept="image/*,video/*" onFiles={addFiles} />
        {uploads.length > 0 && (
          <ul class="uploads">
            {uploads.map((u, i) => (
              <li key={i}>
                {u.name} <progress max={1} value={u.progress} aria-label={`upload of ${u.name}`} />{' '}
                <button type="button" class="link" disabled={busy} onClick={() => setUploads((all) => all.filter((_, k) => k !== i))}>
                  remove
                </button>
              </li>
            ))}
          </ul>
        )}
        <label class="block">
          URLs (one per line)
          <textarea name="urls" rows={2} placeholder="https://example.org/clip.mp4" />
        </label>
        <div class="grid">
          <label>
            Tag <input name="tag" maxLength={200} />
          </label>
          <label>
            Galleries
            <select name="models" multiple size={Math.min(4, Math.max(2, models.length))}>
              {models.map((m) => (
                <option value={m.id} selected={m === preferred}>
                  {m.name} ({m.identity_count})
                </option>
              ))}
            </select>
          </label>
          <label>
            Max distance <input name="max_distance" type="number" min={0} max={2} step={0.01} defaultValue="1" />
          </label>
          <label>
            Detection scale (px) <input name="face_detection_scale" type="number" min={100} max={2000} step={1} defaultValue="600" />
          </label>
          <label>
            Top k <input name="top_k" type="number" min={1} max={10} defaultValue="3" />
          </label>
        </div>
        <fieldset>
          <legend>Options</legend>
          <label>
            <input type="checkbox" name="cluster_unknowns" defaultChecked /> Tell unknown people apart (Unknown #n)
          </label>
          <label>
            <input type="checkbox" name="index_unknowns" defaultChecked /> Remember unknown people across jobs (to name them later)
          </label>
          <label>
            <input type="checkbox" name="enable_top_k" defaultChecked /> Nearest candidates per face
          </label>
        </fieldset>
        <ErrorNote error={error} />
        <button type="submit" disabled={busy}>
          {busy ? 'Starting…' : 'Start job'}
        </button>
      </form>
    </section>
  );
}
