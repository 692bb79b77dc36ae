// Telling a source's kind from its first bytes (never from a name or a Content-Type, which lie).

/** Containers ffmpeg reads that are video, by their signatures. */
export function looksLikeVideo(head: Uint8Array): boolean {
  const ascii = (from: number, to: number) => String.fromCharCode(...head.subarray(from, to));
  if (head.length >= 12 && ascii(4, 8) === 'ftyp') return !/^(avif|avis|heic|heix|mif1|msf1)$/.test(ascii(8, 12)); // MP4/MOV, not HEIF/AVIF stills
  if (head.length >= 4 && head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3) return true; // Matroska/WebM
  if (head.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'AVI ') return true;
  if (head.length >= 3 && ascii(0, 3) === 'FLV') return true;
  if (head.length >= 4 && head[0] === 0x00 && head[1] === 0x00 && head[2] === 0x01 && head[3] === 0xba) return true; // MPEG-PS
  if (head.length >= 189 && head[0] === 0x47 && head[188] === 0x47) return true; // MPEG-TS
  return false;
}
