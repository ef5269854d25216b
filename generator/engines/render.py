"""The engines: each turns a generated project (``mkdocs.yml`` + ``docs/`` + ``theme/``)
into HTML in a given folder, strictly (a warning fails the build).

* MkDocs runs in this process (no second start-up, and its warnings reach our Chinese log).
* ProperDocs (a maintained fork of MkDocs 1.6) and Zensical (Material's successor, Rust
  core) run as their own command: ProperDocs redirects every ``mkdocs`` import of the
  process it runs in, and Zensical is a separate program. Their output is shown only when
  they fail, or with ``-v``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from ..base.blobcache import BlobCache
from .config import Engine


class EngineFailed(Exception):
    """The engine could not build the site (Chinese message)."""


def _environment(epoch: int) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("SOURCE_DATE_EPOCH", str(epoch))  # reproducible dates in the output
    env["NO_MKDOCS_2_WARNING"] = "1"
    env["PYTHONUTF8"] = "1"
    return env


def _mkdocs(config_file: Path, site_dir: Path, epoch: int, shards: int,
            docs: dict[str, bytes | Path] | None, cache: BlobCache | None,
            audience: str) -> None:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    from .memory import MemoryDocs
    from .pagecache import PageCache
    from .shards import ShardPlugin

    saved = {k: os.environ.get(k) for k in ("SOURCE_DATE_EPOCH", "NO_MKDOCS_2_WARNING")}
    os.environ.update({k: v for k, v in _environment(epoch).items() if k in saved})
    shard: ShardPlugin | None = None
    try:
        config = load_config(str(config_file), site_dir=str(site_dir), strict=True)
        if docs is not None:
            config.plugins["showcase-memory"] = MemoryDocs(docs)
        if shards > 1:
            shard = ShardPlugin(shards)
        if docs is not None and cache is not None:
            config.plugins["showcase-pagecache"] = PageCache(cache, docs, audience=audience,
                                                             epoch=epoch, shard=shard)
        if shard is not None:
            config.plugins["showcase-shards"] = shard  # registers its events
        failure: str | None = None
        try:
            build(config)
        except MkDocsException as exc:
            failure = _explain(str(exc))
        except BaseException as exc:  # a shard must never return into the parent's code
            if shard is None or not shard.is_child:
                if shard is not None:
                    shard.stop()  # interrupted, or failed: the other shards go too
                raise
            failure = f"{type(exc).__name__}: {exc}"
        if shard is not None and shard.is_child:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(1 if failure else 0)
        statuses = shard.wait() if shard is not None else []
        if failure:
            raise EngineFailed(failure)
        if any(statuses):
            raise EngineFailed("生成页面时出错（见上方“警告”或“错误”行），已中止。")
    finally:
        if shard is not None and not shard.is_child:
            shard.wait()
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


def _explain(text: str) -> str:
    """MkDocs' closing messages, in Chinese."""
    if m := re.search(r"Aborted with (\d+) warnings? in strict mode", text):
        return f"严格模式下出现 {m[1]} 个警告（见上方“警告”行），已中止。"
    if "Aborted with a BuildError" in text:
        return "生成页面时出错（见上方“错误”行）。"
    return f"MkDocs 报告：{text}"


def _command(engine: Engine, config_file: Path, site_dir: Path) -> list[str]:
    if engine == "properdocs":
        return [sys.executable, "-m", "properdocs", "build", "--strict", "-f", str(config_file),
                "-d", str(site_dir)]
    zensical = Path(sys.executable).with_name("zensical")
    program = str(zensical) if zensical.exists() else (shutil.which("zensical") or "zensical")
    return [program, "build", "--strict", "-f", str(config_file)]


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _external(engine: Engine, config_file: Path, site_dir: Path, epoch: int,
              verbose: bool) -> None:
    command = _command(engine, config_file, site_dir)
    try:
        proc = subprocess.run(command, cwd=config_file.parent, env=_environment(epoch),
                              capture_output=not verbose, text=True, encoding="utf-8",
                              errors="replace", check=False)
    except FileNotFoundError:
        raise EngineFailed(f"找不到 {engine}：请先安装（scripts/setup.sh 会安装它），"
                           "或改用 --engine mkdocs。") from None
    if proc.returncode < 0:  # killed by a signal: the system's out-of-memory killer, mostly
        memory = "（很可能是内存不足）" if proc.returncode == -9 else ""
        raise EngineFailed(f"{engine} 被系统终止{memory}，网站没有生成。请改用 --engine mkdocs。")
    if proc.returncode != 0:
        output = _ANSI.sub("", (proc.stdout or "") + (proc.stderr or ""))
        if "No module named properdocs" in output:
            raise EngineFailed("找不到 properdocs：请先安装（scripts/setup.sh 会安装它），"
                               "或改用 --engine mkdocs。")
        tail = "\n".join(line for line in output.splitlines() if line.strip())[-2000:]
        raise EngineFailed(f"{engine} 生成网站失败（它的输出如下，加 -v 可看完整过程）：\n{tail}")
    if engine == "zensical":
        # Zensical writes only inside its project: move the result where it was asked for.
        built = config_file.parent / "site"
        site_dir.mkdir(parents=True, exist_ok=True)
        for entry in built.iterdir():
            entry.rename(site_dir / entry.name)


def render(engine: Engine, config_file: Path, site_dir: Path, *, epoch: int,
           verbose: bool = False, shards: int | None = None,
           docs: dict[str, bytes | Path] | None = None, cache: BlobCache | None = None,
           audience: str = "public") -> None:
    """Build the project of ``config_file`` with ``engine`` into ``site_dir``. MkDocs uses
    ``shards`` processes (default: two where ``fork`` exists and there are two cores),
    takes the pages from ``docs`` (path in docs/ → content or source file) when given, and
    then serves unchanged pages from ``cache`` (engines/pagecache.py); the other engines
    read the project's ``docs/`` folder, which must then be written, and render it all."""
    if engine == "mkdocs":
        from .shards import available

        _mkdocs(config_file, site_dir, epoch, shards if shards is not None else
                (2 if available() else 1), docs, cache, audience)
    else:
        if docs is not None:
            raise ValueError(f"{engine} reads its pages from the project folder")
        _external(engine, config_file, site_dir, epoch, verbose)
