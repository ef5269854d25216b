#!/usr/bin/env bash
# Mutation testing of the core rules and safety modules (tests/README.md has the latest
# scores and the surviving mutants with their reasons).
#
#   scripts/mutation.sh                      every module of [tool.mutmut] only_mutate (the
#                                            mutants without a result yet)
#   scripts/mutation.sh audience outputs     these modules again, in full (short name,
#                                            dotted name or path)
#
# mutmut (pinned in pyproject.toml's dev extra) copies the tree into mutants/ (git-ignored),
# changes one small thing at a time in the listed modules and runs, for each change, only
# the in-process tests of [tool.mutmut] that reached the changed function. A change no test
# notices is a "survivor". Results are kept in mutants/: a second run only tests what
# changed; MUTATION_FRESH=1 starts again from a clean copy. MUTATION_JOBS (default 2) is the
# number of test processes; the run is niced so it shares the machine.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-.venv/bin/python}
MUTMUT=${MUTMUT:-$(dirname "$PY")/mutmut}
JOBS=${MUTATION_JOBS:-2}
[ -x "$MUTMUT" ] || { echo "mutmut is not installed: run scripts/setup.sh (dev extra)" >&2; exit 2; }

# Module arguments -> mutmut name patterns (generator.rules.audience.*).
mapfile -t MODULES < <("$PY" scripts/mutation_report.py --modules "$@")
[ ${#MODULES[@]} -gt 0 ] || exit 2
# Named modules are tested again in full; without arguments mutmut tests only the mutants
# that have no result yet (all of them after MUTATION_FRESH=1 or a change of [tool.mutmut]).
PATTERNS=()
if [ $# -gt 0 ]; then
  for m in "${MODULES[@]}"; do PATTERNS+=("$m.*"); done
fi

[ "${MUTATION_FRESH:-0}" = "1" ] && rm -rf mutants
# mutants/ must exist before Python starts: a PYTHONPATH folder that is missing at start-up
# is remembered as empty, and the tests would then import the unmutated package.
mkdir -p mutants

# Tests that run the real command in a subprocess import the package from PYTHONPATH: point
# it at the mutated copy so that they never test the unmutated tree by accident.
started=$(date +%s)
PYTHONPATH="$PWD/mutants" nice -n 10 "$MUTMUT" run --max-children "$JOBS" ${PATTERNS[@]+"${PATTERNS[@]}"} \
  | tr '\r' '\n' | grep -v -E '^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]' || true
echo "mutation run took $(( ($(date +%s) - started) / 60 )) min"
"$PY" scripts/mutation_report.py "${MODULES[@]}"
