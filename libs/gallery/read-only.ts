// Galleries the API reads but never changes: the pre-built default gallery (SPEC §3), which its
// loader fills from a committed artefact through the GalleryStore at start. The matcher refuses
// every change to it (Galleries, ReadOnlyModelError); the gateway answers 409 `read_only`.
// Own people go into an own gallery, combined with it in the job: "models": ["celebrities", "staff"].

/** Names of the read-only galleries. */
export const READ_ONLY_GALLERIES: ReadonlySet<string> = new Set(['celebrities']);

export function isReadOnlyGallery(name: string): boolean {
  return READ_ONLY_GALLERIES.has(name);
}

/** Why a change to the read-only gallery `name` is refused, and what to do instead. */
export function readOnlyMessage(name: string): string {
  return (
    `the "${name}" model is read-only: it is the pre-built gallery loaded at start. ` +
    `Create your own gallery (POST /api/v1/models/) for your people and combine the two in the job: "models": ["${name}", "<your gallery>"]`
  );
}
