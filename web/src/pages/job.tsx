// One job: its state, then per source a review — for a video the player with a timeline (a row per
// person, segments as bars with thumbnails; a click seeks and the faces are boxed as it plays), for
// a photo the photo with boxes and names — candidates on hover, naming of indexed unknowns, exports.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { all, call, playableUrl, type Job, type Model, type ResultItem } from '../api/client';
import { boxesAt, labelOf, timelineRows, toCsv, toWebVtt, type Box, type Item, type Row } from '../lib/results';
import { ErrorNote, download, formatTime, href, short, usePoll } from '../ui';

const FINAL = ['completed', 'failed', 'stopped'];

export function JobPage({ id }: { id: string }) {
  const [job, setJob] = useState<Job | null>(null);
  const [items, setItems] = useState<ResultItem[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [version, setVersion] = useState(0);
  const done = job !== null && FINAL.includes(job.state);
  usePoll(
    () =>
      void call('get', '/api/v1/jobs/{id}/', { path: { id } })
        .then((j) => {
          setJob(j);
          setError(null);
        })
        .catch(setError),
    1000,
    !done,
    [id, version],
  );
  useEffect(() => {
    if (!done) return;
    all((offset) => call('get', '/api/v1/jobs/{id}/detailed-results/', { path: { id }, query: { limit: 1000, offset } }))
      .then(setItems)
      .catch(setError);
  }, [id, done, version]);
  const [allModels, setAllModels] = useState<Model[]>([]);
  useEffect(() => void call('get', '/api/v1/models/', { query: { limit: 1000 } }).then((p) => setAllModels(p.data)).catch(() => {}), []);
  const models = allModels.filter((m) => !m.read_only);
  const modelName = (ref: string) => allModels.find((m) => m.id === ref || m.name === ref)?.name ?? ref;

  if (!job) return error ? <ErrorNote error={error} /> : <p aria-live="polite">Loading the job…</p>;
  const sources = job.result?.summary ?? [];
  const reload = () => setVersion((v) => v + 1);
  return (
    <>
      <h1>
        Job <span class="mono">{short(job.id)}</span>
        {job.tag && <span class="tag">{job.tag}</span>}
      </h1>
      <ErrorNote error={error} />
      <dl class="facts">
        <dt>State</dt>
        <dd>
          <span class={`state ${job.state}`} data-testid="job-state">
            {job.state}
          </span>{' '}
          {!done && <progress max={1} value={job.progress} aria-label="progress" />}
        </dd>
        <dt>Created</dt>
        <dd>{formatTime(job.time_created)}</dd>
        <dt>Duration</dt>
        <dd>{job.duration === null ? '—' : `${job.duration.toFixed(1)} s`}</dd>
        <dt>Galleries</dt>
        <dd>{(job.modules.face_recognition.models ?? [job.modules.face_recognition.model ?? 'celebrities']).map(modelName).join(', ')}</dd>
      </dl>
      {job.errors.length > 0 && (
        <div class="error" role="alert">
          <p>Sources that failed:</p>
          <ul>
            {job.errors.map((e) => (
              <li>
                {e.source}: {e.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      {(job.warnings ?? []).map((w) => (
        <p class="warning">{w}</p>
      ))}
      {!done && (
        <p>
          <button
            type="button"
            onClick={() =>
              void call('delete', '/api/v1/jobs/{id}/', { path: { id } })
                .then(reload)
                .catch(setError)
            }
          >
            Cancel the job
          </button>
        </p>
      )}
      {items && (
        <section aria-labelledby="export-title" class="exports">
          <h2 id="export-title">Export</h2>
          <button type="button" onClick={() => download(`job-${short(job.id)}.json`, JSON.stringify({ job, results: items }, null, 2))}>
            JSON
          </button>
          <button type="button" onClick={() => download(`job-${short(job.id)}.csv`, toCsv(items), 'text/csv')}>
            CSV
          </button>
          {sources
            .filter((s) => s.media_type === 'video')
            .map((s, k) => (
              <button type="button" onClick={() => download(`job-${short(job.id)}-${k + 1}.vtt`, toWebVtt(items.filter((i) => i.source === s.source)), 'text/vtt')}>
                WebVTT{sources.length > 1 ? ` (video ${k + 1})` : ''}
              </button>
            ))}
        </section>
      )}
      {items &&
        sources.map((s) => {
          const mine = items.filter((i) => i.source === s.source);
          return s.media_type === 'video' ? (
            <VideoReview key={s.source} source={s.source} info={s.info} items={mine} models={models} onNamed={reload} />
          ) : (
            <PhotoReview key={s.source} source={s.source} info={s.info} items={mine} models={models} onNamed={reload} />
          );
        })}
      {items && items.length === 0 && <p>No faces were found.</p>}
      <p>
        <a href={href('/jobs')}>← All jobs</a>
      </p>
    </>
  );
}

interface SourceInfo {
  fps?: number;
  resolution: number[];
  duration?: number;
}

function useMedia(source: string): [string | null, unknown] {
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let created: string | null = null;
    playableUrl(source)
      .then((u) => {
        if (u?.startsWith('blob:')) created = u;
        setUrl(u);
      })
      .catch(setError);
    return () => {
      if (created) URL.revokeObjectURL(created);
    };
  }, [source]);
  return [url, error];
}

function Candidates({ item }: { item: Item }) {
  const m = item.meta;
  return (
    <span class="tip" role="tooltip">
      <strong>{labelOf(item)}</strong>
      {m.mean_distance !== null && (
        <>
          {' '}
          distance {m.mean_distance.toFixed(3)}, similarity {m.mean_similarity?.toFixed(3)}
        </>
      )}
      {m.closest_person && m.person === null && <> · nearest: {m.closest_person}</>}
      {m.unidentified_reason && <> · {m.unidentified_reason}</>}
      {m.closest_k_persons && m.closest_k_persons.length > 0 && (
        <span class="cands">
          {m.closest_k_persons.map((c) => (
            <span>
              {c.person}: similarity {c.similarity.toFixed(3)}
            </span>
          ))}
        </span>
      )}
    </span>
  );
}

function Boxes({ boxes }: { boxes: Box[] }) {
  return (
    <div class="boxes" aria-hidden="true">
      {boxes.map((b) => (
        <div key={b.itemId} class="box" data-testid="face-box" style={{ left: `${b.x * 100}%`, top: `${b.y * 100}%`, width: `${b.w * 100}%`, height: `${b.h * 100}%` }}>
          <span>{b.label}</span>
        </div>
      ))}
    </div>
  );
}

function VideoReview(props: { source: string; info: SourceInfo; items: Item[]; models: Model[]; onNamed: () => void }) {
  const { info, items } = props;
  const [url, mediaError] = useMedia(props.source);
  const video = useRef<HTMLVideoElement>(null);
  const [time, setTime] = useState(0);
  // Where frame 0 lies on the player's clock: a stream may start late in its container (the
  // service counts frames from the first decoded one). Read from the first frame presented.
  const [start, setStart] = useState<number | null>(null);
  const fps = info.fps ?? 25;
  const duration = info.duration ?? Math.max(1, ...items.map((i) => i.time_end));
  const rows = useMemo(() => timelineRows(items), [items]);
  // Detections exist for sampled frames (about every half second): a box holds until the next one.
  const tolerance = Math.ceil(fps * 0.5);
  const offset = start ?? 0;
  const frame = Math.max(0, Math.round((time - offset) * fps));
  const boxes = useMemo(() => (start === null ? [] : boxesAt(items, frame, tolerance)), [items, frame, tolerance, start]);

  useEffect(() => {
    const v = video.current;
    if (!v) return;
    let handle = 0;
    let stopped = false;
    const tick = (_now: number, meta: VideoFrameCallbackMetadata) => {
      setTime(meta.mediaTime);
      if (!stopped) handle = v.requestVideoFrameCallback(tick);
    };
    const onTime = () => setTime(v.currentTime);
    const onLoaded = () => {
      if (!('requestVideoFrameCallback' in v)) {
        setStart(0);
        return;
      }
      v.requestVideoFrameCallback((_now, meta) => {
        setStart(meta.mediaTime);
        if (!stopped) handle = v.requestVideoFrameCallback(tick);
      });
      v.currentTime = 0; // presents the first frame
    };
    v.addEventListener('seeked', onTime);
    v.addEventListener('timeupdate', onTime);
    if (v.readyState >= 2) onLoaded();
    else v.addEventListener('loadeddata', onLoaded, { once: true });
    return () => {
      stopped = true;
      v.removeEventListener('seeked', onTime);
      v.removeEventListener('timeupdate', onTime);
      v.removeEventListener('loadeddata', onLoaded);
      if (handle) v.cancelVideoFrameCallback(handle);
    };
  }, [url]);

  const seek = (item: Item) => {
    const v = video.current;
    if (!v) return;
    // Half a frame in, so that the frame shown is the segment's first.
    v.currentTime = offset + item.time_start + 0.5 / fps;
    setTime(v.currentTime);
    void v.play().catch(() => {});
  };

  const [w, h] = info.resolution;
  return (
    <section class="review" aria-label={`Video ${props.source}`}>
      <h2 class="source">{props.source}</h2>
      <ErrorNote error={mediaError} />
      <div class="player" style={{ aspectRatio: `${w} / ${h}` }} data-start={start ?? undefined} data-frame={frame}>
        {url ? <video ref={video} src={url} controls muted playsInline preload="auto" aria-label="the video" /> : <p>The video cannot be shown here (not an upload nor a URL).</p>}
        <Boxes boxes={boxes} />
      </div>
      <p class="muted" aria-live="off">
        {Math.max(0, time - offset).toFixed(2)} s · frame {frame}
      </p>
      <div class="timeline" role="list" aria-label="Who is on screen when">
        {rows.map((row) => (
          <TimelineRow key={row.label + (row.indexed ?? '')} row={row} duration={duration} time={time - offset} onSeek={seek} models={props.models} onNamed={props.onNamed} />
        ))}
      </div>
    </section>
  );
}

function TimelineRow(props: { row: Row; duration: number; time: number; onSeek: (item: Item) => void; models: Model[]; onNamed: () => void }) {
  const { row, duration } = props;
  const first = row.segments[0]!;
  return (
    <div class="row" role="listitem" data-person={row.label}>
      <div class="who">
        {first.thumbnail.image && <img src={`data:image/jpeg;base64,${first.thumbnail.image}`} alt="" width={40} height={40} />}
        <span class="name">{row.label}</span>
        {row.indexed && <span class="muted mono">id {short(row.indexed)}</span>}
        {row.indexed && !row.named && <NameForm indexedId={row.indexed} models={props.models} onNamed={props.onNamed} compact />}
      </div>
      <div class="track">
        <div class="playhead" style={{ left: `${(props.time / duration) * 100}%` }} aria-hidden="true" />
        {row.segments.map((s) => (
          <button
            type="button"
            key={s.id}
            class="segment"
            data-start={s.time_start}
            data-end={s.time_end}
            style={{ left: `${(s.time_start / duration) * 100}%`, width: `${(Math.max(s.time_end - s.time_start, 0.05) / duration) * 100}%` }}
            aria-label={`${row.label} from ${s.tc_start} to ${s.tc_end}`}
            onClick={() => props.onSeek(s)}
          >
            {s.thumbnail.image && <img src={`data:image/jpeg;base64,${s.thumbnail.image}`} alt="" />}
            <Candidates item={s} />
          </button>
        ))}
      </div>
    </div>
  );
}

function PhotoReview(props: { source: string; info: SourceInfo; items: Item[]; models: Model[]; onNamed: () => void }) {
  const [url, mediaError] = useMedia(props.source);
  const [w, h] = props.info.resolution;
  const boxes = props.items.map((i) => ({ itemId: i.id, label: labelOf(i), ...(i.detections[0]?.data ?? { x: 0, y: 0, w: 0, h: 0 }) }));
  return (
    <section class="review" aria-label={`Photo ${props.source}`}>
      <h2 class="source">{props.source}</h2>
      <ErrorNote error={mediaError} />
      <div class="player" style={{ aspectRatio: `${w} / ${h}` }}>
        {url && <img src={url} alt={`the photo, with ${props.items.length} faces`} />}
        <Boxes boxes={boxes} />
      </div>
      <ul class="faces">
        {props.items.map((i) => (
          <li key={i.id} tabIndex={0}>
            {i.thumbnail.image && <img src={`data:image/jpeg;base64,${i.thumbnail.image}`} alt="" width={64} height={64} />}
            <span class="name">{labelOf(i)}</span>
            <Candidates item={i} />
            {i.meta.indexed_identity && (i.meta.person === null || /^Unknown( #\d+)?$/.test(i.meta.person)) && (
              <NameForm indexedId={i.meta.indexed_identity} models={props.models} onNamed={props.onNamed} compact />
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Names an indexed unknown person into a gallery (PATCH /api/v1/identities/{id}/). */
export function NameForm(props: { indexedId: string; models: Model[]; onNamed: () => void; compact?: boolean; ids?: string[] }) {
  const [open, setOpen] = useState(!props.compact);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const fid = `name-${props.indexedId}`;
  if (!open)
    return (
      <button type="button" class="small" onClick={() => setOpen(true)}>
        Name…
      </button>
    );
  if (props.models.length === 0) return <p class="muted">Create a gallery first (Galleries) to name people into it.</p>;
  return (
    <form
      class="name-form"
      onSubmit={(e) => {
        e.preventDefault();
        const f = new FormData(e.currentTarget);
        const name = String(f.get('name') ?? '').trim();
        const model = String(f.get('model') ?? '');
        setBusy(true);
        (async () => {
          for (const id of props.ids ?? [props.indexedId]) await call('patch', '/api/v1/identities/{id}/', { path: { id }, json: { name, model } });
        })()
          .then(() => {
            setError(null);
            props.onNamed();
          })
          .catch(setError)
          .finally(() => setBusy(false));
      }}
    >
      <label for={`${fid}-name`}>Name</label>
      <input id={`${fid}-name`} name="name" required maxLength={200} />
      <label for={`${fid}-model`}>into gallery</label>
      <select id={`${fid}-model`} name="model">
        {props.models.map((m) => (
          <option value={m.id}>{m.name}</option>
        ))}
      </select>
      <button type="submit" disabled={busy}>
        Save name
      </button>
      <ErrorNote error={error} />
    </form>
  );
}
