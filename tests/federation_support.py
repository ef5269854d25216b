"""Shared by the federation tests and benchmark: real git repositories for members (each a
copy of a data set, committed), and an aggregator whose sources.yml pins them."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

GIT = ["git", "-c", "user.name=测试", "-c", "user.email=test@example.cn",
       "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false"]


def git(repo: Path, *args: str) -> str:
    return subprocess.run([*GIT, "-C", str(repo), *args], check=True, capture_output=True,
                          text=True).stdout.strip()


@dataclass
class MemberRepo:
    key: str
    name: str
    code: str
    repo: Path

    @property
    def data(self) -> Path:
        return self.repo / "sites_data"

    def commit(self, message: str) -> str:
        git(self.repo, "add", "-A")
        git(self.repo, "commit", "-q", "-m", message)
        return git(self.repo, "rev-parse", "HEAD")

    @property
    def head(self) -> str:
        return git(self.repo, "rev-parse", "HEAD")


def member_repo(root: Path, source: Path, key: str, name: str, code: str) -> MemberRepo:
    """A member's repository: ``source`` (a data folder) as its sites_data, committed."""
    repo = root / f"{key}-repo"
    repo.mkdir(parents=True)
    subprocess.run([*GIT, "init", "-q", str(repo)], check=True)
    shutil.copytree(source, repo / "sites_data")
    program = repo / "sites_data" / "program.yml"
    text = program.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.startswith(("name:", "city:"))]
    program.write_text("\n".join([f"name: {name}基层党建示范点展示平台", f"city: {name}", *lines])
                       + "\n", encoding="utf-8")
    made = MemberRepo(key, name, code, repo)
    made.commit(f"{name}的数据")
    return made


def write_sources(data: Path, members: list[MemberRepo], pins: dict[str, str] | None = None) -> Path:
    """sources.yml naming ``members`` by file:// URL, pinned to their heads (or ``pins``)."""
    pins = pins or {}
    lines = ["# 测试：汇总的成员", "members:"]
    for m in members:
        lines += [f"  - key: {m.key}", f"    name: {m.name}", f'    code: "{m.code}"',
                  f"    repo: {m.repo.as_uri()}", f"    ref: {pins.get(m.key, m.head)}"]
    path = data / "sources.yml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def set_program(data: Path, **values: object) -> None:
    """Add or replace top-level settings in program.yml (values as JSON, which is YAML)."""
    program = data / "program.yml"
    keep = [line for line in program.read_text(encoding="utf-8").splitlines()
            if not any(line.startswith(f"{k}:") for k in values)]
    keep += [f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in values.items()]
    program.write_text("\n".join(keep) + "\n", encoding="utf-8")
