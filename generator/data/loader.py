"""Load a data directory (SPEC §2) into typed records, collecting every problem.

``load(data_dir)`` reads every file once, types each record, then runs the cross-record
checks. It never raises for anything a user wrote: the result carries the records that
could be read and the list of problems (empty when the data is valid).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from ..base import gcpause
from ..base.problems import Problem, Severity
from ..base.textcheck import nesting_problem
from ..model.fieldtypes import ID_RE
from ..model.records import Compilation, Experience, Plan, Program, Site, Sources, Taxonomy
from .crosscheck import check_dataset
from .dataset import KIND_LABELS, KINDS, YAML_SUFFIXES, Dataset, Source
from .mediacheck import symlinks_below
from .schemacheck import check_document
from .yamlsource import decode, parse, raw_character_problems

R = TypeVar("R", bound=BaseModel)


class _Reader:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.base = root.parent
        self.problems: list[Problem] = []
        self.incomplete: set[str] = set()  # display paths of partially valid records

    def display(self, path: Path) -> str:
        try:
            return path.relative_to(self.base).as_posix()
        except ValueError:
            return path.as_posix()

    def read_doc(self, path: Path) -> Source | None:
        shown = self.display(path)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            self.problems.append(Problem(shown, 1, 1, f"无法读取文件（{exc.strerror}）。"))
            return None
        text, problems = decode(raw, shown)
        if text is None:
            self.problems.extend(problems)
            return None
        doc, problems = parse(text, shown)
        self.problems.extend(problems)
        return Source(shown, doc) if doc is not None else None

    def read(self, path: Path, model: type[R]) -> tuple[R | None, Source | None]:
        src = self.read_doc(path)
        if src is None:
            return None, None
        record, problems = check_document(model, src.doc, src.path)
        self.problems.extend(problems)
        if problems:
            self.incomplete.add(src.path)
        return record, src

    def required(self, name: str, model: type[R]) -> tuple[R | None, Source | None]:
        path = self.root / name
        if path.is_symlink():
            return None, None  # reported by _check_symlinks; never followed
        if not path.is_file():
            self.problems.append(Problem(self.display(path), 1, 1,
                                         f"缺少文件 {name}：它是必需的，请参照编辑指南创建。"))
            return None, None
        return self.read(path, model)

    def walk(self, folder: Path) -> list[Path]:
        """Every non-hidden file below ``folder``, in a stable order."""
        found: list[Path] = []
        if folder.is_symlink():
            return found  # reported by _check_symlinks; never followed
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            found.extend(Path(dirpath) / f for f in sorted(filenames)
                         if not f.startswith(".") and not os.path.islink(os.path.join(dirpath, f)))
        return found


def _is_yaml(path: Path) -> bool:
    return path.suffix.lower() in YAML_SUFFIXES


def load(data_dir: Path | str) -> Dataset:
    """Read and check a whole data directory."""
    with gcpause.paused():
        return _load(data_dir)


def _load(data_dir: Path | str) -> Dataset:
    root = Path(data_dir).resolve()
    data = Dataset(root=root)
    reader = _Reader(root)
    if not root.is_dir():
        data.problems.append(Problem(reader.display(root), 1, 1,
                                     "数据目录不存在。请用 --data 指定 sites_data 目录。"))
        return data
    data.program, src = reader.required("program.yml", Program)
    if src:
        data.sources[("program", "program")] = src
    data.taxonomy, src = reader.required("taxonomy.yml", Taxonomy)
    if src:
        data.sources[("taxonomy", "taxonomy")] = src

    if (root / SOURCES_FILE).is_file() and not (root / SOURCES_FILE).is_symlink():
        data.members, src = reader.read(root / SOURCES_FILE, Sources)
        if src:
            data.sources[("sources", "sources")] = src

    _load_kind(reader, data, "sites", Site, data.sites)
    _load_kind(reader, data, "experiences", Experience, data.experiences)
    _load_plans(reader, data)
    _load_kind(reader, data, "compilations", Compilation, data.compilations)
    _check_root_entries(reader, root)
    _check_symlinks(reader, root)

    data.problems.extend(reader.problems)
    data.problems.extend(check_dataset(data))
    data.problems.sort()
    return data


def _load_kind(reader: _Reader, data: Dataset, kind: str, model: type[R],
               into: dict[str, Any]) -> None:
    folder = reader.root / kind
    first_seen: dict[str, str] = {}
    bodies: set[Path] = set()
    for path in reader.walk(folder):
        shown = reader.display(path)
        if kind == "experiences" and path.suffix.lower() == ".md":
            bodies.add(path)
            continue
        if not _is_yaml(path):
            reader.problems.append(Problem(
                shown, 1, 1, f"{KIND_LABELS[kind]}目录中不应有这个文件：记录文件的扩展名应为 .yml。"
                "照片和附件请放在 media/ 目录下。"))
            continue
        ident = path.stem
        if not ID_RE.match(ident):
            reader.problems.append(Problem(
                shown, 1, 1, f"文件名“{ident}”不能作为 id：只能使用小写字母、数字和连字符“-”，"
                "以字母或数字开头，长度 2–64，例如 wuling-furong-shequ.yml。"))
            continue
        if ident in first_seen:
            reader.problems.append(Problem(
                shown, 1, 1, f"id “{ident}”重复：{first_seen[ident]} 已经使用了这个文件名。"
                f"同一类记录的文件名不能相同（即使在不同文件夹中），请给其中一个改名。"))
            continue
        first_seen[ident] = shown
        record, src = reader.read(path, model)
        if src is not None:
            data.sources[(kind, ident)] = src
            if src.path in reader.incomplete:
                data.incomplete.add((kind, ident))
        if record is None:
            data.unreadable.add((kind, ident))
            continue
        if isinstance(record, Experience):
            inline = getattr(record, "body", None) is not None
            record = _attach_body(reader, path, record, src)  # type: ignore[assignment]
            if not inline and getattr(record, "body", None) is not None:
                data.body_files[ident] = reader.display(path.with_suffix(".md"))
        into[ident] = record
    for md in sorted(bodies):
        yml = [md.with_suffix(s) for s in YAML_SUFFIXES]
        if not any(p.is_file() for p in yml):
            reader.problems.append(Problem(
                reader.display(md), 1, 1, f"找不到与之对应的 {md.stem}.yml：正文文件必须与同名的经验记录放在一起。"))


def _attach_body(reader: _Reader, path: Path, record: Experience,
                 src: Source | None) -> Experience | None:
    md = path.with_suffix(".md")
    has_md = md.is_file() and not md.is_symlink()  # a symlink is reported, never read
    body = getattr(record, "body", None)
    if body is not None and has_md:
        assert src is not None
        reader.problems.append(src.problem(
            ("body",), f"正文写了两处：既有 body 字段，又有 {md.name}。请只保留一处，"
            "否则其中一处会被忽略。", key=True))
        return record
    if body is not None:
        return record
    if not has_md:
        shown = src.path if src else reader.display(path)
        reader.problems.append(Problem(
            shown, 1, 1, f"缺少正文：请添加 body 字段，或在同一文件夹中放一个 {md.name}。"))
        return record
    try:
        raw = md.read_bytes()
    except OSError as exc:
        reader.problems.append(Problem(reader.display(md), 1, 1, f"无法读取文件（{exc.strerror}）。"))
        return record
    shown = reader.display(md)
    text, problems = decode(raw, shown)
    reader.problems.extend(problems)
    if text is None:
        return record
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    reader.problems.extend(raw_character_problems(text, shown))
    nesting = nesting_problem(text)
    if nesting is not None:
        reader.problems.append(Problem(shown, nesting[0], 1, f"正文中的{nesting[1]}"))
    return record.model_copy(update={"body": text})


def _load_plans(reader: _Reader, data: Dataset) -> None:
    for path in reader.walk(reader.root / "plans"):
        shown = reader.display(path)
        if not _is_yaml(path) or path.parent != reader.root / "plans":
            reader.problems.append(Problem(shown, 1, 1, "plans 目录中只能放 <年份>.yml 文件，例如 plans/2026.yml。"))
            continue
        if not (path.stem.isdigit() and len(path.stem) == 4):
            reader.problems.append(Problem(
                shown, 1, 1, f"年度规划的文件名应为四位年份，例如 2026.yml，而不是“{path.name}”。"))
            continue
        year = int(path.stem)
        if year in data.plans or ("plans", str(year)) in data.sources:
            reader.problems.append(Problem(shown, 1, 1, f"{year} 年的规划重复了，请只保留一个文件。"))
            continue
        plan, src = reader.read(path, Plan)
        if src is not None:
            data.sources[("plans", str(year))] = src
        if plan is None or src is None:
            continue
        if src.path in reader.incomplete:
            data.incomplete.add(("plans", str(year)))
        if getattr(plan, "year", year) != year:
            reader.problems.append(src.problem(
                ("year",), f"year 是 {plan.year}，但文件名是 {path.name}：两者必须一致。"))
        data.plans[year] = plan


SOURCES_FILE = "sources.yml"
_KNOWN_ROOT = {"program.yml", "taxonomy.yml", SOURCES_FILE, "media", *KINDS}


def _check_root_entries(reader: _Reader, root: Path) -> None:
    for entry in sorted(root.iterdir()):
        if entry.name.startswith(".") or entry.name in _KNOWN_ROOT:
            continue
        if entry.suffix.lower() in (".md", ".txt"):
            continue  # notes for editors are fine next to the data
        reader.problems.append(Problem(
            reader.display(entry), 1, 1, "这个文件或文件夹不会被使用。数据目录中只能有 program.yml、"
            "taxonomy.yml、sources.yml 以及 sites、experiences、plans、compilations、media 文件夹。",
            Severity.WARNING))


def _check_symlinks(reader: _Reader, root: Path) -> None:
    """No symbolic links anywhere in the data folder: a link would publish whatever it
    points at (files outside the data, other users' folders) as if it were data."""
    for link in symlinks_below(root):
        what = "文件夹" if link.is_dir() else "文件"
        reader.problems.append(Problem(
            reader.display(link), 1, 1, f"这个{what}是符号链接（快捷方式），不会被读取。数据目录中只能放真实的"
            f"文件和文件夹：请把它指向的{what}本身复制到这里，再删除这个链接。"))
