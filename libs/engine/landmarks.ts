// FaceMesh: 468 landmarks per face from an upright square crop around the detector's box.
import * as ort from 'onnxruntime-node';
import { boundingBox } from '../geometry/box.js';
import { applySimilarity, invertSimilarity, type Point } from '../geometry/similarity.js';
import { warpToChip } from '../geometry/warp.js';
import type { RgbImage } from '../image/image.js';
import { onnxPath } from '../../models/catalog.js';
import { FACEMESH_DLIB_POINTS, squareCropTransform } from './alignment.js';
import type { DetectedFace } from './detector.js';
import { createSession, type LoadedSession, type SessionConfig } from './session.js';

export interface FaceLandmarks {
  /** 468 points (x, y) in image pixels. */
  mesh: Point[];
  /** FaceMesh's own probability that the crop holds a face. */
  score: number;
  /** The five points dlib's chip is defined by, in its order. */
  fivePoints: Point[];
}

const SIZE = 192;
/** MediaPipe crops 1.5x the detector box for the mesh model. */
const CROP_ENLARGE = 1.5;
const POINTS = 468;
// FaceMesh eye corners, used to level the second, mesh-based crop.
const MESH_RIGHT_EYE_OUTER = 33;
const MESH_LEFT_EYE_OUTER = 263;

interface Crop {
  centre: Point;
  side: number;
  angle: number;
}

export class LandmarkModel {
  private constructor(private readonly loaded: LoadedSession) {}

  static async load(config?: SessionConfig): Promise<LandmarkModel> {
    return new LandmarkModel(await createSession(onnxPath('facemesh'), config));
  }

  /**
   * Landmarks for each detected face, batched. Each pass after the first re-crops around the
   * previous mesh (levelled by its eye corners), as MediaPipe does when tracking: tighter, better
   * centred crops give more precise points.
   */
  async landmarks(img: RgbImage, faces: readonly DetectedFace[], opts: { passes?: number; minScore?: number } = {}): Promise<FaceLandmarks[]> {
    return (await this.landmarkPasses(img, faces, opts.passes ?? 3, opts.minScore)).at(-1) ?? [];
  }

  /**
   * The landmarks of every pass, first to last. Faces whose first-pass score is under `minScore`
   * (false detections) are not refined: later passes repeat their first result.
   */
  async landmarkPasses(img: RgbImage, faces: readonly DetectedFace[], passes: number, minScore = 0): Promise<FaceLandmarks[][]> {
    if (faces.length === 0) return [];
    const results = [await this.run(img, faces.map(detectorCrop))];
    const refined = results[0]!.flatMap((r, i) => (r.score >= minScore ? [i] : []));
    while (results.length < passes) {
      const previous = results.at(-1)!;
      const next = [...previous];
      const out = refined.length ? await this.run(img, refined.map((i) => meshCrop(previous[i]!.mesh))) : [];
      refined.forEach((i, k) => (next[i] = out[k]!));
      results.push(next);
    }
    return results;
  }

  private async run(img: RgbImage, crops: Crop[]): Promise<FaceLandmarks[]> {
    const batch = new Float32Array(crops.length * SIZE * SIZE * 3);
    const transforms = crops.map((c, i) => {
      const t = squareCropTransform(c.centre, c.side, c.angle, SIZE);
      warpToChip(img, t, SIZE, SIZE, batch, i * SIZE * SIZE * 3);
      return t;
    });
    const out = await this.loaded.session.run({ input: new ort.Tensor('float32', batch, [crops.length, SIZE, SIZE, 3]) });
    const mesh = out.mesh!.data as Float32Array;
    const flags = out.face_flag!.data as Float32Array;
    return transforms.map((t, i) => {
      const back = invertSimilarity(t);
      const points: Point[] = [];
      for (let p = 0; p < POINTS; p++) {
        const o = (i * POINTS + p) * 3;
        points.push(applySimilarity(back, [mesh[o]!, mesh[o + 1]!]));
      }
      return { mesh: points, score: flags[i]!, fivePoints: FACEMESH_DLIB_POINTS.map((k) => points[k]!) };
    });
  }
}

function detectorCrop(face: DetectedFace): Crop {
  const { box, keypoints } = face;
  const [rightEye, leftEye] = [keypoints[0]!, keypoints[1]!];
  return {
    centre: [box.x + box.w / 2, box.y + box.h / 2],
    side: Math.max(box.w, box.h) * CROP_ENLARGE,
    angle: Math.atan2(leftEye[1] - rightEye[1], leftEye[0] - rightEye[0]),
  };
}

function meshCrop(mesh: Point[]): Crop {
  const box = boundingBox(mesh);
  const r = mesh[MESH_RIGHT_EYE_OUTER]!;
  const l = mesh[MESH_LEFT_EYE_OUTER]!;
  return {
    centre: [box.x + box.w / 2, box.y + box.h / 2],
    side: Math.max(box.w, box.h) * CROP_ENLARGE,
    angle: Math.atan2(l[1] - r[1], l[0] - r[0]),
  };
}
