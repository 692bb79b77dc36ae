// Galleries ("models"): list, create, import an export file or a server folder, export; a gallery's
// people: add one (or a folder of people) from photos, add photos to a person by dropping them,
// rename, delete.
import { useState } from 'preact/hooks';
import { call, type Identity, type Model } from '../api/client';
import { peopleFromPaths } from '../lib/results';
import { DropZone, ErrorNote, Pager, download, formatTime, href, usePoll, type PathFile, type Route } from '../ui';

const PAGE = 25;

export function GalleriesPage({ route }: { route: Route }) {
  const offset = Number(route.query.get('offset') ?? 0) || 0;
  const [page, setPage] = useState<{ total: number; data: Model[] } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [note, setNote] = useState('');
  const [version, setVersion] = useState(0);
  usePoll(() => void call('get', '/api/v1/models/', { query: { limit: PAGE, offset } }).then(setPage).catch(setError), 0, false, [offset, version]);
  const done = (message: string) => {
    setError(null);
    setNote(message);
    setVersion((v) => v + 1);
  };

  return (
    <>
      <h1>Galleries</h1>
      <div class="grid2">
        <form
          class="card"
          aria-labelledby="create-title"
          onSubmit={(e) => {
            e.preventDefault();
            const form = e.currentTarget;
            const f = new FormData(form);
            call('post', '/api/v1/models/', { json: { name: String(f.get('name')).trim(), description: String(f.get('description') ?? '') } })
              .then((m) => {
                form.reset();
                location.hash = href(`/galleries/${m.id}`);
              })
              .catch(setError);
          }}
        >
          <h2 id="create-title">New gallery</h2>
          <label class="block">
            Name <input name="name" required maxLength={200} />
          </label>
          <label class="block">
            Description <input name="description" maxLength={1000} />
          </label>
          <button type="submit">Create</button>
        </form>
        <div class="card">
          <h2 id="import-title">Import an export file</h2>
          <DropZone
            id="import-file"
            label="Export file (.json)"
            accept=".json,application/json"
            multiple={false}
            onFiles={([f]) =>
              f &&
              void f.file
                .text()
                .then((text) => call('post', '/api/v1/models/import/', { rawJson: text }))
                .then((m) => done(`Imported gallery ${m.name}: ${m.identity_count} people.`))
                .catch(setError)
            }
          />
        </div>
      </div>
      <ErrorNote error={error} />
      {note && (
        <p class="note" role="status">
          {note}
        </p>
      )}
      {page && (
        <>
          <div class="scroll">
            <table>
              <caption class="sr-only">Galleries</caption>
              <thead>
                <tr>
                  <th scope="col">Gallery</th>
                  <th scope="col">People</th>
                  <th scope="col">Faces</th>
                  <th scope="col">Created</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {page.data.map((m) => (
                  <tr key={m.id}>
                    <td>
                      <a href={href(`/galleries/${m.id}`)}>{m.name}</a>
                      {m.description && <div class="muted">{m.description}</div>}
                    </td>
                    <td>{m.identity_count}</td>
                    <td>{m.sample_count}</td>
                    <td>{formatTime(m.created)}</td>
                    <td>
                      <button type="button" class="small" onClick={() => void exportModel(m).catch(setError)}>
                        Export
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager total={page.total} offset={offset} limit={PAGE} label="Galleries" to={(o) => href('/galleries', { offset: o })} />
        </>
      )}
    </>
  );
}

async function exportModel(m: Model): Promise<void> {
  const file = await call('get', '/api/v1/models/{model}/export/', { path: { model: m.id } });
  download(`${m.name}.facerec-model.json`, JSON.stringify(file));
}

/** POSTs one person's photos (multipart): creates the person or adds to the one of that name. */
async function addPhotos(model: string, name: string, files: File[]) {
  const form = new FormData();
  form.append('name', name);
  for (const f of files) form.append('images', f, f.name);
  return call('post', '/api/v1/models/{model}/identities/', { path: { model }, form });
}

export function GalleryPage({ id, route }: { id: string; route: Route }) {
  const offset = Number(route.query.get('offset') ?? 0) || 0;
  const [model, setModel] = useState<Model | null>(null);
  const [page, setPage] = useState<{ total: number; data: Identity[] } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [version, setVersion] = useState(0);
  const readOnly = model?.read_only ?? false;
  usePoll(
    () => {
      call('get', '/api/v1/models/{model}/', { path: { model: id } }).then(setModel).catch(setError);
      call('get', '/api/v1/models/{model}/identities/', { path: { model: id }, query: { limit: PAGE, offset } }).then(setPage).catch(setError);
    },
    0,
    false,
    [id, offset, version],
  );
  const refresh = (message: string) => {
    setNote(message);
    setVersion((v) => v + 1);
  };
  const run = (work: () => Promise<string>) => {
    setBusy(true);
    setError(null);
    work()
      .then(refresh)
      .catch(setError)
      .finally(() => setBusy(false));
  };

  async function addFolder(files: PathFile[]): Promise<string> {
    const people = peopleFromPaths(files);
    if (people.size === 0) throw new Error('Pick a folder laid out <person>/<photo>: no photos in person folders were found.');
    const rejected: string[] = [];
    let added = 0;
    let k = 0;
    for (const [name, photos] of people) {
      setNote(`Adding ${name} (${++k} of ${people.size})…`);
      const r = await addPhotos(id, name, photos.map((p) => p.file));
      added += r.added;
      rejected.push(...r.rejected.map((x) => `${name}/${x.image}: ${x.message}`));
    }
    return `Added ${people.size} people, ${added} faces.${rejected.length ? ` Not used: ${rejected.join('; ')}` : ''}`;
  }

  if (!model) return error ? <ErrorNote error={error} /> : <p>Loading…</p>;
  return (
    <>
      <h1>Gallery {model.name}</h1>
      <p class="muted">
        {model.identity_count} people, {model.sample_count} faces · {model.embedding_model}
        {model.description && ` · ${model.description}`}
      </p>
      <p class="actions">
        <button type="button" onClick={() => void exportModel(model).catch(setError)}>
          Export
        </button>
        {!readOnly && (
          <button
            type="button"
            class="danger"
            onClick={() => {
              if (confirm(`Delete the gallery ${model.name} and its ${model.identity_count} people?`))
                call('delete', '/api/v1/models/{model}/', { path: { model: id } })
                  .then(() => (location.hash = href('/galleries')))
                  .catch(setError);
            }}
          >
            Delete gallery
          </button>
        )}
      </p>
      <ErrorNote error={error} />
      {note && (
        <p class="note" role="status">
          {note}
        </p>
      )}
      {!readOnly && (
        <div class="grid2">
          <form
            class="card"
            aria-labelledby="person-title"
            onSubmit={(e) => {
              e.preventDefault();
              const form = e.currentTarget;
              const f = new FormData(form);
              const photos = (f.getAll('images') as File[]).filter((x) => x.size > 0);
              run(async () => {
                const r = await addPhotos(id, String(f.get('name')).trim(), photos);
                form.reset();
                return `${r.identity.name}: ${r.added} faces added${r.rejected.length ? `; not used: ${r.rejected.map((x) => `${x.image} (${x.message})`).join(', ')}` : ''}.`;
              });
            }}
          >
            <h2 id="person-title">Add a person</h2>
            <label class="block">
              Name <input name="name" required maxLength={200} />
            </label>
            <label class="block">
              Photos <input name="images" type="file" accept="image/*" multiple required />
            </label>
            <button type="submit" disabled={busy}>
              Add
            </button>
          </form>
          <div class="card">
            <h2>Add people from a folder</h2>
            <p class="muted">A folder with one folder of photos per person, named after the person.</p>
            <DropZone id="people-folder" label="Folder of people" directory onFiles={(files) => run(() => addFolder(files))} />
            <ServerFolderImport model={id} onDone={refresh} />
          </div>
        </div>
      )}
      <h2>People</h2>
      {page && (
        <>
          <ul class="people">
            {page.data.map((p) => (
              <PersonRow key={p.id} model={id} person={p} readOnly={readOnly} onChange={refresh} onError={setError} />
            ))}
          </ul>
          {page.data.length === 0 && <p>No people yet.</p>}
          <Pager total={page.total} offset={offset} limit={PAGE} label="People" to={(o) => href(`/galleries/${id}`, { offset: o })} />
        </>
      )}
    </>
  );
}

function ServerFolderImport({ model, onDone }: { model: string; onDone: (m: string) => void }) {
  const [error, setError] = useState<unknown>(null);
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        const f = new FormData(e.currentTarget);
        call('post', '/api/v1/models/{model}/import-folder/', { path: { model }, json: { path: String(f.get('path')) } })
          .then((r) => onDone(`Imported ${r.identities.length} people, ${r.added} faces from the server's folder.`))
          .catch(setError);
      }}
    >
      <label class="block">
        or a folder on the server <input name="path" required placeholder="people/gallery" />
      </label>
      <button type="submit">Import from the server</button>
      <ErrorNote error={error} />
    </form>
  );
}

function PersonRow(props: { model: string; person: Identity; readOnly: boolean; onChange: (m: string) => void; onError: (e: unknown) => void }) {
  const { person, model } = props;
  const [renaming, setRenaming] = useState(false);
  const path = { model, identity: person.id };
  return (
    <li class="person-row" data-person={person.name}>
      {renaming ? (
        <form
          class="inline"
          onSubmit={(e) => {
            e.preventDefault();
            const name = String(new FormData(e.currentTarget).get('name')).trim();
            call('patch', '/api/v1/models/{model}/identities/{identity}/', { path, json: { name } })
              .then(() => {
                setRenaming(false);
                props.onChange(`Renamed ${person.name} to ${name}.`);
              })
              .catch(props.onError);
          }}
        >
          <label for={`rename-${person.id}`} class="sr-only">
            New name for {person.name}
          </label>
          <input id={`rename-${person.id}`} name="name" defaultValue={person.name} required maxLength={200} />
          <button type="submit">Save</button>
          <button type="button" onClick={() => setRenaming(false)}>
            Cancel
          </button>
        </form>
      ) : (
        <span class="name">{person.name}</span>
      )}
      <span class="muted">{person.sample_count} faces</span>
      {!props.readOnly && (
        <span class="actions">
          <DropZone
            id={`photos-${person.id}`}
            label={`Add photos of ${person.name}`}
            accept="image/*"
            onFiles={(files) =>
              void addPhotos(model, person.name, files.map((f) => f.file))
                .then((r) => props.onChange(`${person.name}: ${r.added} faces added${r.rejected.length ? `, ${r.rejected.length} photos not used (${r.rejected.map((x) => x.message).join(', ')})` : ''}.`))
                .catch(props.onError)
            }
          />
          <button type="button" class="small" onClick={() => setRenaming(true)}>
            Rename
          </button>
          <button
            type="button"
            class="small danger"
            aria-label={`Delete ${person.name}`}
            onClick={() => {
              if (confirm(`Delete ${person.name} and their ${person.sample_count} faces from this gallery?`))
                call('delete', '/api/v1/models/{model}/identities/{identity}/', { path })
                  .then(() => props.onChange(`Deleted ${person.name}.`))
                  .catch(props.onError);
            }}
          >
            Delete
          </button>
        </span>
      )}
    </li>
  );
}
