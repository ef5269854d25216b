"""Build adapters: the whole site through MkDocs, and the plain docs tree for other engines.

``build_site`` builds into a fresh folder next to ``--out`` and swaps it in only when the
build succeeded, so a failed build (bad data, a template error, a strict-mode warning)
leaves the published folder exactly as it was.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..base import gcpause, outputs
from ..base.problems import ProblemsFound
from ..base.reference import epoch_of, reference_date
from ..data import loader
from ..rules.audience import Audience
from ..rules.facts import derive
from ..site import urls
from ..site.sitegen import GeneratedSite, Options, TemplateFailed, generate

GENERATED_MARKER = outputs.MARKER


class BuildFailed(Exception):
    """The site could not be built; the message is Chinese and says why."""


@dataclass(frozen=True)
class BuildSettings:
    config_file: Path
    data_dir: Path
    out: Path
    audience: Audience = "public"
    as_of: dt.date | None = None
    pdf: bool = True


def find_config(data_dir: Path) -> Path:
    """mkdocs.yml of the project: in the working folder, else next to the data folder, else
    the one of the checkout this package runs from (so a data folder anywhere can be built)."""
    checkout = Path(__file__).resolve().parents[2]
    for folder in (Path.cwd(), data_dir.resolve().parent, checkout):
        candidate = folder / "mkdocs.yml"
        if candidate.is_file():
            return candidate
    raise BuildFailed("找不到 mkdocs.yml：请在项目根目录（含 mkdocs.yml 的目录）中运行此命令。")


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """Settings for the MkDocs plugin, set for the duration of one build only."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


def plugin_environment(s: BuildSettings) -> dict[str, str]:
    as_of = s.as_of or reference_date()
    env = {
        "SHOWCASE_DATA_DIR": str(s.data_dir.resolve()),
        "SHOWCASE_AUDIENCE": s.audience,
        "SHOWCASE_AS_OF": as_of.isoformat(),
        "SHOWCASE_PDF": "1" if s.pdf else "0",
        "NO_MKDOCS_2_WARNING": "1",
    }
    # Reproducible output: the sitemap, gzip headers and PDFs take their dates from here.
    if "SOURCE_DATE_EPOCH" not in os.environ:
        env["SOURCE_DATE_EPOCH"] = str(epoch_of(as_of))
    return env


def build_site(s: BuildSettings) -> Path:
    """Validate, generate and build; replace ``s.out`` only on success."""
    out = outputs.guard(s.out, data_dir=s.data_dir, project_root=s.config_file.parent)
    data = loader.load(s.data_dir)
    if not data.ok:
        raise ProblemsFound(data.problems)

    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    with outputs.staged_dir(out, "showcase build") as staging:
        try:
            with _environment(plugin_environment(s)):
                config = load_config(str(s.config_file), site_dir=str(staging), strict=True)
                build(config)
        except MkDocsException as exc:
            raise BuildFailed(f"网站生成失败，原网站保持不变：{_explain(exc)}") from exc
    return out


def _explain(exc: Exception) -> str:
    """MkDocs' closing messages, in Chinese."""
    text = str(exc)
    if m := re.search(r"Aborted with (\d+) warnings? in strict mode", text):
        return f"严格模式下出现 {m[1]} 个警告（见上方 WARNING 行），已中止。"
    if "Aborted with a BuildError" in text:
        return "生成页面时出错（见上方 ERROR 行）。"
    return text


def tree_files(site: GeneratedSite, content_dir: Path) -> dict[str, bytes]:
    """Every file of a docs tree: the generated pages and media plus the hand-written pages."""
    wanted: dict[str, bytes] = {path: text.encode("utf-8") for path, text in site.pages.items()}
    for path, source in site.media.items():
        wanted[path] = source.read_bytes()
    if content_dir.is_dir():
        for f in sorted(content_dir.rglob("*")):
            if f.is_file():
                rel = f.relative_to(content_dir).as_posix()
                if rel in wanted or urls.is_reserved(rel):
                    raise BuildFailed(f"content/{rel} 与自动生成的页面路径冲突，请改名或移动。")
                wanted[rel] = f.read_bytes()
    return wanted


def sync_tree(wanted: dict[str, bytes], out: Path, data_dir: Path | None = None) -> tuple[int, int]:
    """Make ``out`` (a folder showcase made, or a new one) hold exactly ``wanted``, in place.
    Only files whose content changed are rewritten, so that ``showcase serve``'s watcher and
    MkDocs' dirty build see real changes only; files left from an earlier generation are
    removed. Returns (written, removed)."""
    if out.exists() and any(out.iterdir()) and not (out / GENERATED_MARKER).exists():
        raise outputs.UnsafeOutput(f"{out} 不是空目录，也不是 showcase 生成的目录；为避免覆盖，没有改动任何内容。")
    out.mkdir(parents=True, exist_ok=True)
    outputs.write_marker(out, "showcase serve", _tree_marker(data_dir))
    written = removed = 0
    for rel, content in wanted.items():
        target = out / rel
        if target.is_file() and target.read_bytes() == content:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        written += 1
    for f in sorted(out.rglob("*"), reverse=True):
        rel = f.relative_to(out).as_posix()
        if f.is_file() and rel != GENERATED_MARKER and rel not in wanted:
            f.unlink()
            removed += 1
        elif f.is_dir() and not any(f.iterdir()):
            f.rmdir()
    return written, removed


def _tree_marker(data_dir: Path | None) -> dict[str, object]:
    # The marker also names the data the tree was made from: a plain `mkdocs build` of the
    # tree then takes the site's name, footer and notices from that program.yml.
    return {"data": str(data_dir.resolve()) if data_dir is not None else None}


def generated_tree(data_dir: Path, content_dir: Path, *, audience: Audience, as_of: dt.date,
                   template_dirs: tuple[Path, ...] = (), preview: bool = False) -> dict[str, bytes]:
    """Every file of the Markdown tree: hand-written pages plus the generated ones."""
    with gcpause.paused():
        data = loader.load(data_dir)
        if not data.ok:
            raise ProblemsFound(data.problems)
        assert data.program is not None
        facts = derive(data, as_of)
        try:
            site = generate(data, facts, Options(audience=audience,
                                                 base_url=data.program.site_url or "",
                                                 template_dirs=template_dirs,
                                                 preview=preview))
        except TemplateFailed as exc:
            raise BuildFailed(str(exc)) from exc
    return tree_files(site, content_dir)


def write_tree(data_dir: Path, content_dir: Path, out: Path, *, audience: Audience,
               as_of: dt.date, template_dirs: tuple[Path, ...] = ()) -> tuple[int, int]:
    """``showcase generate``: the whole tree into ``out``, swapped in at once. A file whose
    content did not change is carried over (hard link: same file, same modification time),
    so that a watcher or a dirty rebuild of the tree sees real changes only. Returns
    (written, unchanged)."""
    target = outputs.guard(out, data_dir=data_dir, project_root=content_dir.parent)
    wanted = generated_tree(data_dir, content_dir, audience=audience, as_of=as_of,
                            template_dirs=template_dirs)
    unchanged = 0
    with outputs.staged_dir(target, "showcase generate", _tree_marker(data_dir)) as staging:
        for rel, content in wanted.items():
            path, old = staging / rel, target / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if old.is_file() and not old.is_symlink() and old.stat().st_size == len(content) \
                    and old.read_bytes() == content:
                with contextlib.suppress(OSError):
                    os.link(old, path)
                    unchanged += 1
                    continue
            path.write_bytes(content)
    return len(wanted) - unchanged, unchanged


def tree_source(docs_dir: Path) -> Path | None:
    """The data folder a generated tree was made from (None for a hand-written docs_dir)."""
    marker = docs_dir / GENERATED_MARKER
    try:
        data = json.loads(marker.read_text("utf-8")).get("data")
    except (OSError, ValueError, AttributeError):
        return None
    return Path(data) if data else None


def configure_logging(verbose: bool = False) -> None:
    """MkDocs reports through logging; show its warnings and errors (in strict mode each
    warning fails the build, so the user must see them)."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    for name in ("mkdocs", "showcase"):  # "showcase": data warnings (never fail a build)
        log = logging.getLogger(name)
        log.handlers = [handler]
        log.setLevel(logging.INFO if verbose else logging.WARNING)
        log.propagate = False
    logging.getLogger("jieba").setLevel(logging.WARNING)  # its start-up chatter is noise here
