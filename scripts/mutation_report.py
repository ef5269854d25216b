"""Helper of scripts/mutation.sh.

``mutation_report.py --modules [ARG ...]``: the dotted names of the modules to mutate, one a
line (an ARG is a short name such as ``audience``, a dotted name or a path; none means every
module of ``[tool.mutmut] only_mutate``).

``mutation_report.py MODULE ...``: the score table of the last run (from ``mutmut results``)
as Markdown, then every mutant that was not killed, by module.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# Statuses that count as "the tests noticed the change".
KILLED = {"killed", "timeout", "segfault", "caught by type check"}


def configured_modules() -> list[str]:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    paths = config["tool"]["mutmut"]["only_mutate"]
    return [p.removesuffix(".py").replace("/", ".") for p in paths]


def resolve(args: list[str]) -> list[str]:
    known = configured_modules()
    if not args:
        return known
    chosen: list[str] = []
    for arg in args:
        dotted = arg.removesuffix(".py").replace("/", ".")
        matches = [m for m in known if m == dotted or m.endswith("." + dotted)]
        if len(matches) != 1:
            sys.exit(f"unknown module {arg!r}; one of: {', '.join(m.rsplit('.', 1)[1] for m in known)}")
        chosen += [m for m in matches if m not in chosen]
    return chosen


def results() -> dict[str, str]:
    mutmut = Path(sys.executable).parent / "mutmut"
    out = subprocess.run([str(mutmut), "results", "--all", "true"], cwd=REPO, check=True,
                         capture_output=True, text=True).stdout
    status: dict[str, str] = {}
    for line in out.splitlines():
        name, sep, value = line.strip().rpartition(": ")
        if sep and "__mutmut_" in name:
            status[name] = value
    return status


def module_of(mutant: str) -> str:
    return mutant.split(".x_", 1)[0].split(".xǁ", 1)[0]


def report(modules: list[str]) -> None:
    status = results()
    by_module: dict[str, Counter[str]] = defaultdict(Counter)
    left: dict[str, list[str]] = defaultdict(list)
    for name, value in sorted(status.items()):
        module = module_of(name)
        if module not in modules:
            continue
        by_module[module][value] += 1
        if value not in KILLED and value != "not checked":
            left[module].append(f"{name}: {value}")
    print("| module | mutants | killed | survived | score |")
    print("|---|---:|---:|---:|---:|")
    total = Counter[str]()
    for module in modules:
        counts = by_module[module]
        total.update(counts)
        _row(module.removeprefix("generator."), counts)
    _row("**all**", total)
    for module in modules:
        if left[module]:
            print(f"\n{module}: not killed")
            for line in left[module]:
                print(f"  {line}")


def _row(label: str, counts: Counter[str]) -> None:
    checked = sum(n for s, n in counts.items() if s != "not checked")
    killed = sum(n for s, n in counts.items() if s in KILLED)
    score = f"{100 * killed / checked:.1f} %" if checked else "–"
    unchecked = counts.get("not checked", 0)
    note = f" ({unchecked} not run)" if unchecked else ""
    print(f"| {label} | {checked}{note} | {killed} | {checked - killed} | {score} |")


def main() -> None:
    args = sys.argv[1:]
    if args[:1] == ["--modules"]:
        print("\n".join(resolve(args[1:])))
    else:
        report(resolve(args))


if __name__ == "__main__":
    main()
