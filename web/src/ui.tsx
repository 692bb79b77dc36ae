// Small shared pieces: hash routing, error notes, pagination, downloads, drop zones.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { describeError } from './api/client';

export interface Route {
  parts: string[];
  query: URLSearchParams;
}

export function currentRoute(): Route {
  const hash = location.hash.replace(/^#\/?/, '');
  const [path = '', qs = ''] = hash.split('?');
  return { parts: path.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(qs) };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const on = () => setRoute(currentRoute());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

/** `#/path?k=v`, leaving out empty values. */
export function href(path: string, query: Record<string, string | number | undefined | null> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '' && v !== 0) q.set(k, String(v));
  const qs = q.toString();
  return `#${path}${qs ? `?${qs}` : ''}`;
}

export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p class="error" role="alert">
      {describeError(error)}
    </p>
  );
}

export function Pager(props: { total: number; offset: number; limit: number; label: string; to: (offset: number) => string }) {
  const { total, offset, limit } = props;
  if (total <= limit && offset === 0) return <p class="muted">{total === 1 ? '1 item' : `${total} items`}</p>;
  const last = Math.min(total, offset + limit);
  return (
    <nav class="pager" aria-label={`${props.label} pages`}>
      {offset > 0 ? <a href={props.to(Math.max(0, offset - limit))}>‹ Previous</a> : <span aria-hidden="true" class="muted">‹ Previous</span>}
      <span>
        {total === 0 ? 0 : offset + 1}–{last} of {total}
      </span>
      {last < total ? <a href={props.to(offset + limit)}>Next ›</a> : <span aria-hidden="true" class="muted">Next ›</span>}
    </nav>
  );
}

export function download(name: string, text: string | Blob, type = 'application/json'): void {
  const blob = typeof text === 'string' ? new Blob([text], { type }) : text;
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A file with the folder path it came from (a dropped or picked folder), else its name. */
export interface PathFile {
  file: File;
  path: string;
}

async function entriesOf(entry: FileSystemEntry, prefix: string, out: PathFile[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    out.push({ file, path: `${prefix}${entry.name}` });
  } else if (entry.isDirectory) {
    const reader = (entry as FileSystemDirectoryEntry).createReader();
    for (;;) {
      const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
      if (batch.length === 0) break;
      for (const e of batch) await entriesOf(e, `${prefix}${entry.name}/`, out);
    }
  }
}

/** Files dropped, with their folder paths when folders were dropped. */
export async function droppedFiles(e: DragEvent): Promise<PathFile[]> {
  const out: PathFile[] = [];
  const items = [...(e.dataTransfer?.items ?? [])];
  const entries = items.map((i) => i.webkitGetAsEntry?.()).filter((x): x is FileSystemEntry => !!x);
  if (entries.length > 0) for (const entry of entries) await entriesOf(entry, '', out);
  else for (const file of e.dataTransfer?.files ?? []) out.push({ file, path: file.name });
  return out;
}

export function pickedFiles(input: HTMLInputElement): PathFile[] {
  return [...(input.files ?? [])].map((file) => ({ file, path: file.webkitRelativePath || file.name }));
}

/** A labelled file input that also takes files dropped on it. */
export function DropZone(props: {
  id: string;
  label: string;
  accept?: string;
  multiple?: boolean;
  directory?: boolean;
  onFiles: (files: PathFile[]) => void;
  children?: ComponentChildren;
}) {
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const dirProps = props.directory ? ({ webkitdirectory: true } as Record<string, boolean>) : {};
  return (
    <div
      class={`drop${over ? ' over' : ''}`}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        void droppedFiles(e).then((files) => files.length > 0 && props.onFiles(files));
      }}
    >
      <label for={props.id}>{props.label}</label>
      <input
        ref={input}
        id={props.id}
        type="file"
        accept={props.accept}
        multiple={props.multiple ?? true}
        {...dirProps}
        onChange={() => {
          if (input.current) {
            const files = pickedFiles(input.current);
            if (files.length > 0) props.onFiles(files);
            input.current.value = '';
          }
        }}
      />
      <span class="muted">or drop {props.directory ? 'a folder' : 'files'} here</span>
      {props.children}
    </div>
  );
}

/** Calls `fn` now and every `ms` while mounted (and while `active`). */
export function usePoll(fn: () => void, ms: number, active: boolean, deps: unknown[]): void {
  useEffect(() => {
    fn();
    if (!active) return;
    const t = setInterval(fn, ms);
    return () => clearInterval(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, active, ms]);
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso.includes('T') ? iso : `${iso.replace(' ', 'T')}Z`);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

export function short(id: string): string {
  return id.slice(0, 8);
}
