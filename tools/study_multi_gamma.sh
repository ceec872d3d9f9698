#!/usr/bin/env bash
# The two-task multi-gamma study (issue 13) from a results store, into
# results/studies/multi_gamma_two_task/: the comparison of A0-A4 over cheetah-run and
# pendulum-swingup (with pendulum's six extra seeds of A0 and A1) as text and Markdown, its
# learning curves and rliable figures, and the representation diagnostics (diag/*) per variant
# as curves and a table each. The sweeps it reads:
#   orch sweep sweeps/multi_gamma_ablations.yaml env=cheetah-run --jobs 2
#   orch sweep sweeps/multi_gamma_ablations.yaml env=pendulum-swingup \
#     --name multi_gamma_ablations_pendulum --jobs 2
#   orch sweep sweeps/multi_gamma_pendulum_seeds.yaml --jobs 2
# Usage: tools/study_multi_gamma.sh [--store PATH] [--orch PATH] [--out DIR] [--sweeps A,B]
set -euo pipefail
cd "$(dirname "$0")/.."

store="${ORCH_RESULTS_DB:-results/orch.db}"
orch=build/src/app/orch
out=results/studies/multi_gamma_two_task
sweeps=multi_gamma_ablations,multi_gamma_ablations_pendulum,multi_gamma_pendulum_seeds
while [[ $# -gt 0 ]]; do
  case "$1" in
    --store) store="$2"; shift 2 ;;
    --orch) orch="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --sweeps) sweeps="$2"; shift 2 ;;
    *) echo "usage: tools/study_multi_gamma.sh [--store PATH] [--orch PATH] [--out DIR]" \
         "[--sweeps A,B]" >&2
       exit 2 ;;
  esac
done
compare=("$orch" compare --sweep "$sweeps" --store "$store")
mkdir -p "$out/diag"

"${compare[@]}" > "$out/compare_eval_episode_return.txt"
"${compare[@]}" --format markdown > "$out/compare_eval_episode_return.md"
"${compare[@]}" --plot "$out" > /dev/null
# the diagnostics: curves per variant and a table each (their verdict rows mean nothing: a
# diagnostic is no score)
for key in effective_rank distinct_codes simnorm_saturation latent_spread action_sensitivity; do
  "${compare[@]}" --metric "diag/$key" --format markdown > "$out/diag/compare_diag_$key.md"
  "${compare[@]}" --metric "diag/$key" --plot "$out/diag" > /dev/null
done
# of a diagnostic only the curves say something, not its score's profile or intervals
rm -f "$out"/diag/profile_diag_*.png "$out"/diag/intervals_diag_*.png
echo "wrote $out"
