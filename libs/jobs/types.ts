// The job's data as every service sees it: the record the job store keeps, the result items of
// SPEC §2, and the messages that carry a job between services. Video fits the same shapes:
// frames have an index, faces belong to a frame, results are segments.

export const JOB_STATES = ['waiting', 'processing', 'completed', 'failed', 'stopped'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** States a job never leaves. */
export const FINAL_STATES: readonly JobState[] = ['completed', 'failed', 'stopped'];

export type MediaType = 'image' | 'video';

/** `modules.face_recognition` after validation, every default filled in (SPEC §1). */
export interface FaceRecognitionParams {
  /** Gallery names or ids as the client gave them (`models`, or `[model]`). */
  models: string[];
  max_distance: number;
  cluster_unknowns: boolean;
  index_unknowns: boolean;
  face_detection_scale: number;
  enable_top_k: boolean;
  top_k: number;
}

/** What the client sent for the module, echoed back in the job object. */
export type FaceRecognitionRequest = Partial<FaceRecognitionParams & { model: string }>;

export interface SourceError {
  source: string;
  message: string;
}

export interface MediaInfo {
  /** Image: [width, height]. */
  resolution: [number, number];
  fps?: number;
  total_frames?: number;
  duration?: number;
}

export interface SummaryItem {
  type: 'face';
  label: string;
  module: 'face_recognition';
}

export interface SourceSummary {
  source: string;
  media_type: MediaType;
  info: MediaInfo;
  items: SummaryItem[];
}

export interface JobRecord {
  id: string;
  tag: string;
  state: JobState;
  errors: SourceError[];
  warnings: string[];
  /** 0..1 */
  progress: number;
  sources: string[];
  /** The module request as sent (for the job object). */
  request: FaceRecognitionRequest;
  /** The module parameters with defaults, and gallery names resolved to ids at submission. */
  params: FaceRecognitionParams & { modelIds: string[] };
  /** ISO-8601 UTC. */
  timeCreated: string;
  timeStarted: string | null;
  timeCompleted: string | null;
  mediaType: MediaType | 'mixed' | null;
  summary: SourceSummary[] | null;
  /** The webhook (`callback_url`) called when the job completes or fails; absent: none. */
  callbackUrl?: string | null;
  /** Its deliveries so far. */
  webhook?: WebhookStatus | null;
}

export interface WebhookAttempt {
  attempt: number;
  /** ISO time the request was sent. */
  time: string;
  /** HTTP status answered, null when none came (refused, network error, timeout). */
  status: number | null;
  ok: boolean;
  error: string | null;
  duration_ms: number;
}

export interface WebhookStatus {
  /** pending: not yet answered with 2xx; delivered; failed: given up (24 h of retries). */
  state: 'pending' | 'delivered' | 'failed';
  attempts: WebhookAttempt[];
  /** ISO time before which no new attempt is made. */
  nextAttemptAt: string | null;
}

/** Box normalised to 0..1 of the frame, x/y top-left (SPEC §2). */
export interface NormalisedBox {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface ResultMeta {
  person: string | null;
  class_id: null;
  closest_person: string | null;
  closest_k_persons?: { person: string; similarity: number }[];
  mean_distance: number | null;
  mean_similarity: number | null;
  indexed_identity: string | null;
  /**
   * Why the face has no identity when none of its faces could be embedded (too small, blurred,
   * profile), else null. Absent from results stored before it existed.
   */
  unidentified_reason?: string | null;
}

/** One detailed result (SPEC §2): one person on screen without interruption. */
export interface ResultItem {
  id: string;
  media_type: MediaType;
  source: string;
  module: 'face_recognition';
  frame_start: number;
  frame_end: number;
  time_start: number;
  time_end: number;
  tc_start: string;
  tc_end: string;
  meta: ResultMeta;
  thumbnail: { image: string; meta: Record<string, unknown> };
  detections: { frame_index: number; type: 'face_bbox'; data: NormalisedBox }[];
}

// ---- Messages between services (small, JSON; frames never travel on the bus) ----

/** Work item of the `decode` queue: decode every source of the job and observe faces. */
export interface DecodeWork {
  jobId: string;
}

/** Work item of the `aggregate` queue: every source of the job has been observed. */
export interface AggregateWork {
  jobId: string;
}

/** Work item of the `webhook` queue: POST the finished job to its callback_url. */
export interface WebhookWork {
  jobId: string;
}

export interface QueueMessages {
  decode: DecodeWork;
  aggregate: AggregateWork;
  webhook: WebhookWork;
}
export type QueueName = keyof QueueMessages;
export const QUEUE_NAMES: readonly QueueName[] = ['decode', 'aggregate', 'webhook'];

/** A face seen in one frame. Pixel coordinates of the source frame (not normalised). */
export interface FaceObservation {
  box: { x: number; y: number; w: number; h: number };
  score: number;
  /** FaceMesh confidence (low for profiles): a quality signal. */
  landmarkScore: number;
  /** dlib-ordered five points [x, y] in source pixels. */
  landmarks: [number, number][];
  /** Raw embedding of the job's embedding model, or null when the face was not embedded. */
  embedding: number[] | null;
  /** Base64 JPEG crop around the face, or null. */
  thumbnail: string | null;
  /**
   * Video: the id the decoder's online tracker gave this face (stable across the frames of one
   * appearance, unique within the source). Images: null.
   */
  trackId: number | null;
}

export interface FrameObservation {
  /** 0-based index of the decoded frame (images: 0). */
  index: number;
  faces: FaceObservation[];
  /** Video: this sampled frame begins a new shot (tracks end before it). */
  cut?: true;
}

/** Observations of one job, appended in order by the decoder, read back by the aggregator. */
export type ObservationChunk =
  | { kind: 'source-start'; sourceIndex: number; source: string; mediaType: MediaType; info: MediaInfo; embeddingModel: string }
  | { kind: 'frames'; sourceIndex: number; frames: FrameObservation[] }
  | { kind: 'source-end'; sourceIndex: number }
  | { kind: 'source-failed'; sourceIndex: number; source: string; message: string };

/** Fan-out events (every subscriber sees every event). */
export type JobEvent =
  | { type: 'job.submitted'; jobId: string }
  | { type: 'job.cancelled'; jobId: string }
  | { type: 'job.finished'; jobId: string; state: JobState };
export type JobEventType = JobEvent['type'];
