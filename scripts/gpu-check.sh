#!/usr/bin/env bash
# GPU check: on a machine with an NVIDIA GPU and onnxruntime-node's CUDA provider installed
# (deploy/README.md, "The GPU check"), runs the detector and embedder benchmarks on CUDA —
# frames/s and chips/s at batch 1/4/16/64 — and a video job's realtime factor, and FAILS LOUDLY
# when any ONNX Runtime session silently fell back to the CPU (libs/engine/session.ts appends the
# CPU to every provider list and logs the provider each session got: that log is checked, and
# `facerec bench batch --require-provider` checks the sessions it made itself).
#
#   scripts/gpu-check.sh                     # CUDA (needs the GPU and the provider library)
#   scripts/gpu-check.sh --provider cpu      # dry run of the same steps on the CPU
#   scripts/gpu-check.sh --provider cpu --quick   # shorter: batches 1,4, a 640x360 video (the test runs this)
#
# Finishes in well under 8 minutes (each step has its own time limit; the dry run on a loaded
# 2-core CPU takes about 4). Exit status 0 only when every step ran on the requested provider.
set -euo pipefail

provider=cuda
quick=0
while [ $# -gt 0 ]; do
  case "$1" in
    --provider) provider="${2:-}"; shift 2 ;;
    --provider=*) provider="${1#--provider=}"; shift ;;
    --quick) quick=1; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "gpu-check: unknown argument '$1' (--provider cuda|cpu, --quick)" >&2; exit 64 ;;
  esac
done
case "$provider" in cuda|cpu) ;; *) echo "gpu-check: --provider must be cuda or cpu, got '$provider'" >&2; exit 64 ;; esac

cd "$(dirname "$0")/.."
fail() {
  echo >&2
  echo "######## GPU CHECK FAILED ($provider) ########" >&2
  echo "$*" >&2
  echo "##############################################" >&2
  exit 1
}
started=$(date +%s)
work=$(mktemp -d "${TMPDIR:-/tmp}/facerec-gpu-check.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Only the requested provider: session.ts still falls back to the CPU, which the checks below catch.
export FACEREC_EXECUTION_PROVIDERS="$provider"
export LOG_LEVEL=info
facerec() { node --import tsx services/cli/main.ts "$@"; }

echo "# facerec GPU check — provider $provider$([ "$quick" = 1 ] && echo ', quick')"
if [ "$provider" = cuda ] && [ "${GPU_CHECK_SKIP_PRECHECK:-}" != 1 ]; then
  lib=node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so
  [ -f "$lib" ] || fail "onnxruntime-node's CUDA provider is not installed: $lib is missing.
Install it (internet access needed): ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js
(the GPU image does this at build time: deploy/docker/Dockerfile.gpu)."
  if command -v nvidia-smi >/dev/null 2>&1; then
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | sed 's/^/GPU: /' || fail "nvidia-smi found no usable GPU"
  else
    fail "nvidia-smi is not on PATH: no NVIDIA driver visible here (in a container: run it with --gpus all / the NVIDIA runtime)."
  fi
fi

# Every "inference session ready" line of a log must name the requested provider; none may say a
# provider was unavailable. At least `least` sessions must have been seen (else nothing was checked).
check_sessions() {
  local log="$1" least="$2" step="$3"
  local ready wrong unavailable
  ready=$(grep -c '"msg":"inference session ready"' "$log" || true)
  wrong=$(grep '"msg":"inference session ready"' "$log" | grep -v "\"provider\":\"$provider\"" || true)
  unavailable=$(grep -E '"msg":"execution provider (unavailable|not installed)' "$log" || true)
  if [ -n "$unavailable" ] || [ -n "$wrong" ]; then
    fail "$step: a session did not get $provider (silent fallback):
$(printf '%s\n%s\n' "$unavailable" "$wrong" | grep -v '^$' | cut -c1-400)"
  fi
  [ "$ready" -ge "$least" ] || fail "$step: found $ready 'inference session ready' log lines, expected at least $least: cannot tell which provider ran."
  echo "$step: $ready sessions, every one on $provider"
}

# 1. Detector and embedder throughput per batch size, on the sessions the services would make.
batches=1,4,16,64
seconds=1.5
[ "$quick" = 1 ] && { batches=1,4; seconds=0.2; }
echo
echo "## 1. facerec bench batch --batches $batches"
rc=0
timeout 300 node --import tsx services/cli/main.ts bench batch --batches "$batches" --seconds "$seconds" --require-provider "$provider" >"$work/batch.out" 2>"$work/batch.log" || rc=$?
grep -v '^{' "$work/batch.out" || true
if [ "$rc" -ne 0 ]; then
  grep -q 'PROVIDER CHECK FAILED' "$work/batch.out" && fail "$(grep 'PROVIDER CHECK FAILED' "$work/batch.out")"
  tail -20 "$work/batch.log" >&2
  [ "$rc" -eq 124 ] && fail "bench batch ran past its 300 s limit"
  fail "bench batch failed (exit $rc)"
fi
check_sessions "$work/batch.log" 2 "bench batch"

# 2. A video job through the REST API of the embedded product (decoder → detector → embedder → matcher).
size=960x540
[ "$quick" = 1 ] && size=640x360
echo
echo "## 2. facerec bench video --sizes $size --loops 1"
rc=0
timeout 240 node --import tsx services/cli/main.ts bench video --sizes "$size" --loops 1 >"$work/video.out" 2>"$work/video.log" || rc=$?
grep -v '^{' "$work/video.out" || true
if [ "$rc" -ne 0 ]; then
  grep -v '"level":30' "$work/video.log" | tail -20 >&2
  [ "$rc" -eq 124 ] && fail "bench video ran past its 240 s limit"
  fail "bench video failed (exit $rc)"
fi
# The product starts twice (selective embedding, every face embedded): a detector and an embedder each time.
check_sessions "$work/video.log" 4 "bench video"

echo
echo "## Summary ($provider)"
node -e '
  const batch = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").filter((l) => l.startsWith("{")).at(-1));
  const video = JSON.parse(require("fs").readFileSync(process.argv[2], "utf8").trim().split("\n").filter((l) => l.startsWith("{")).at(-1));
  console.log(`sessions: detector ${batch.providers.detector}, embedder ${batch.providers.embedder}; ${batch.threads} intra-op thread(s)`);
  for (const r of batch.rows) console.log(`batch ${String(r.batch).padStart(2)}: detector ${r.detector_fps} frames/s (${r.detector_parallel_fps} with batches side by side), embedder ${r.embedder_chips_per_s} chips/s (${r.embedder_faces_per_s_mirrored} faces/s with the mirror image)`);
  for (const r of video.rows) console.log(`video ${r.size}: ${r.selective.toFixed(2)}x realtime (selective embedding), ${r.all.toFixed(2)}x (every face), ffmpeg decode only ${r.decodeOnly.toFixed(1)}x`);
' "$work/batch.out" "$work/video.out"
echo "GPU CHECK PASSED: every session ran on $provider ($(( $(date +%s) - started )) s)"
