"""The page a preview shows while the data has errors: every problem as ``showcase
validate`` prints it, grouped by file, each file with a link that opens it in the browser
editor — the form when the file can be read, its text when it cannot (a YAML syntax error,
a merge conflict) — so that a clerk can repair the data without a text editor."""

from __future__ import annotations

from collections import defaultdict
from pathlib import PurePosixPath
from urllib.parse import quote

import jinja2

from ..base.problems import Problem
from ..data.dataset import KINDS
from ..data.yamlsource import decode, parse
from .editor_backend import Backend, Refused

TEXT_SUFFIXES = (".yml", ".yaml", ".md")
_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("generator.engines", "templates"), autoescape=True,
    undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def explain(exc: BaseException) -> str:
    """A failure of a preview build that is not the data's, in Chinese."""
    text = str(exc).strip()
    if any("\u4e00" <= c <= "\u9fff" for c in text):
        return text
    return f"生成页面时出错（{type(exc).__name__}）。请把这条信息和 showcase serve -v 的输出发给技术人员。"


def editor_link(backend: Backend, shown: str) -> tuple[str, str] | None:
    """(label, address) of the editor page that opens the file ``shown`` (a path as
    problems name it, relative to the data folder's parent), or None."""
    parts = PurePosixPath(shown).parts
    if len(parts) < 2 or parts[0] != backend.prefix:
        return None
    inside = parts[1:]
    suffix = PurePosixPath(shown).suffix.lower()
    raw = ("修改原文", f"/admin/fix.html#{quote(shown)}")
    try:
        path = backend.resolve(shown)
    except Refused:
        return None
    if not path.is_file():
        return None
    if suffix == ".md":
        return raw
    if suffix not in (".yml", ".yaml"):
        return None
    text, problems = decode(path.read_bytes(), shown)
    doc = None
    if text is not None and not problems:
        doc, problems = parse(text, shown)
    if problems or doc is None or not isinstance(doc.data, dict):
        return raw  # the form cannot open what does not parse: the text can
    if len(inside) == 1 and inside[0] in ("program.yml", "taxonomy.yml"):
        name = inside[0].removesuffix(".yml")
        return ("在表单中修改", f"/admin/#/collections/{name}/entries/{name}")
    if inside[0] in KINDS and len(inside) >= 2:
        slug = PurePosixPath(*inside[1:]).with_suffix("").as_posix()
        return ("在表单中修改", f"/admin/#/collections/{inside[0]}/entries/{quote(slug)}")
    return raw


def page(problems: list[Problem], failure: str | None, backend: Backend) -> str:
    by_file: dict[str, list[Problem]] = defaultdict(list)
    for p in sorted(problems):
        by_file[p.path].append(p)
    files = [{"path": path, "problems": items, "link": editor_link(backend, path),
              "raw": f"/admin/fix.html#{quote(path)}"
              if PurePosixPath(path).suffix.lower() in TEXT_SUFFIXES else None}
             for path, items in by_file.items()]
    errors = [p for p in problems if p.is_error]
    return _ENV.get_template("preview-errors.html.j2").render(
        files=files, errors=len(errors), error_files=len({p.path for p in errors}),
        warnings=len(problems) - len(errors), failure=failure)


def building() -> str:
    """The page shown while a preview rebuilds after its data had errors."""
    return _ENV.get_template("preview-building.html.j2").render()
