"""The staff guide as its readers meet it (issue 25, item 3).

* **The reader test.** No chapter but 给技术人员 (``content/guide/tech/``) and the generated
  format reference asks for a terminal, git, pip, Python or YAML: clerks do everything in the
  browser.
* **Every example runs.** Each ``showcase …`` line in the guide's code blocks runs against a
  copy of the sample (in the order the pages give them, as a reader would type them) and does
  what the text next to it says; every command and option the guide, the README and the
  project's messages name exists.
* **The parts are there.** A quick start first, a glossary, an FAQ, 遇到问题找谁, the date
  and version, every page in the internal menu; chapter names quoted in messages exist.
"""

from __future__ import annotations

import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

import click
import openpyxl
import pytest
import yaml
from conftest import REPO
from test_site_support import cli_env, free_port

from generator.cli.main import main as cli
from generator.data import loader

GUIDE = REPO / "content" / "guide"
TECH = GUIDE / "tech"
FORMAT = GUIDE / "format.md"
HELP_TEMPLATE = REPO / "generator" / "site" / "templates" / "guide_help.md.j2"
SAMPLE = REPO / "sites_data"


def clerk_pages() -> list[Path]:
    pages = [p for p in sorted(GUIDE.rglob("*.md")) if TECH not in p.parents and p != FORMAT]
    return [*pages, HELP_TEMPLATE]


def code_blocks(text: str) -> list[tuple[str, list[str]]]:
    """(language, lines) of every fenced code block."""
    blocks, lang, lines, inside = [], "", [], False
    for line in text.splitlines():
        fence = re.match(r"^\s*```(\w*)", line)
        if fence and not inside:
            inside, lang, lines = True, fence[1], []
        elif fence and inside:
            inside = False
            blocks.append((lang, lines))
        elif inside:
            lines.append(line.strip())
    return blocks


def examples(text: str) -> list[str]:
    """The ``showcase`` command lines of the code blocks (continuations joined, trailing
    comments cut)."""
    out = []
    for _lang, lines in code_blocks(text):
        joined: list[str] = []
        for line in lines:
            if joined and joined[-1].endswith("\\"):
                joined[-1] = joined[-1][:-1].rstrip() + " " + line
            else:
                joined.append(line)
        for line in joined:
            if line.startswith("showcase "):
                out.append(re.sub(r"\s+#.*$", "", line).strip())
    return out


# ---------------------------------------------------------------- the reader test

FORBIDDEN = [(re.compile(pattern, re.I), why) for pattern, why in [
    (r"终端|命令行|命令提示符|命令", "a terminal or commands"),
    (r"powershell|\bcmd\.exe", "a shell"),
    (r"激活|虚拟环境", "a virtual environment"),
    (r"(?<![a-z.])git(?![a-z])", "git"),
    (r"\bcommit\b|\bpush\b|\bpull\b|推送|分支|合并请求|流水线", "git's words"),
    (r"(?<![a-z])python(?![a-z])|(?<![a-z])pip(?![a-z])", "Python or pip"),
    (r"(?<![a-z])yaml(?![a-z])", "YAML"),
    (r"^\s*```\s*(ya?ml|sh|bash|console|powershell)\b", "a code block to type"),
    (r"`showcase[ `]|^\s*showcase ", "a showcase command"),
    (r"scripts/|\.venv", "the project's scripts"),
    (r"ctrl\+c", "stopping a program in a terminal"),
]]


@pytest.mark.parametrize("page", clerk_pages(), ids=lambda p: p.relative_to(REPO).as_posix())
def test_no_chapter_but_the_technicians_asks_for_a_terminal_git_python_or_yaml(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    # Links into the technicians' part may name what is there (…](tech/setup.md)).
    found = [f"{why}: “{m.group(0)}” in {line!r}"
             for pattern, why in FORBIDDEN for line in text.splitlines()
             for m in [pattern.search(_without_links_to_tech(line))] if m]
    assert not found, "\n".join(found)


def _without_links_to_tech(line: str) -> str:
    return re.sub(r"\]\((\.\./)?tech/[^)]*\)", "]()", line)


def test_the_technicians_part_is_where_the_terminal_is() -> None:
    """The commands moved out of the clerks' chapters are in tech/, not lost."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in TECH.glob("*.md"))
    for needed in ("showcase validate", "showcase import evaluations", "--apply",
                   "showcase export --template", "showcase compile", "showcase new site",
                   "git config core.hooksPath scripts/git-hooks", "WEASYPRINT_DLL_DIRECTORIES",
                   "scripts/launch.py --dry-run", "fetch-depth: 0"):
        assert needed in text, needed


# ---------------------------------------------------------------- its parts

def internal_nav() -> Any:
    return yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8")
                          .replace("!!python/object/apply:pymdownx.slugs.slugify", ""))[
        "extra"]["internal_nav"]


def nav_pages(entry: Any) -> list[tuple[str, str]]:
    if isinstance(entry, list):
        return [p for item in entry for p in nav_pages(item)]
    if isinstance(entry, dict):
        return [(label, value) if isinstance(value, str) else p
                for label, value in entry.items()
                for p in ([(label, value)] if isinstance(value, str) else nav_pages(value))]
    return []


def test_the_guide_has_its_parts_in_its_menu() -> None:
    pages = dict((path, label) for label, path in nav_pages(internal_nav()))
    files = {f"guide/{p.relative_to(GUIDE).as_posix()}" for p in GUIDE.rglob("*.md")}
    generated = {"guide/help/index.md"}
    assert set(pages) == files | generated, set(pages) ^ (files | generated)
    first = next(iter(pages))
    assert first == "guide/index.md"
    for needed in ("guide/glossary.md", "guide/faq.md", "guide/help/index.md",
                   "guide/tech/index.md"):
        assert needed in pages
    index = (GUIDE / "index.md").read_text(encoding="utf-8")
    headings = re.findall(r"(?m)^## (.+)$", index)
    assert headings[0] == "快速开始", headings  # the quick start comes first
    assert "双击" in index.split("## 快速开始")[1].split("##")[0]
    version = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))[
        "project"]["version"]
    meta = re.search(r"适用于展示平台 (\S+) 版 · (\d{4}) 年 (\d{1,2}) 月 (\d{1,2}) 日修订", index)
    assert meta, "the guide's first page states its version and date"
    assert meta[1] == version, f"the guide says version {meta[1]}, the package is {version}"
    import datetime as dt

    dt.date(int(meta[2]), int(meta[3]), int(meta[4]))
    assert 'href="bianji-zhinan.pdf"' in index
    glossary = (GUIDE / "glossary.md").read_text(encoding="utf-8")
    for word in ("版本库", "标识", "键", "本机", "127.0.0.1", "撤销", "保存到版本库", "网页编辑器"):
        assert re.search(rf"^\| [^|]*{re.escape(word)}[^|]* \|", glossary, re.M), word


def test_every_image_the_guide_shows_exists_and_every_link_between_pages_resolves() -> None:
    for page in GUIDE.rglob("*.md"):
        text = re.sub(r"`[^`\n]*`", "", page.read_text(encoding="utf-8"))  # examples in code
        for target in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text):
            assert (page.parent / target).is_file(), (page, target)
        for target in re.findall(r"(?<!!)\[[^\]]*\]\(([^)#:]+\.md)(?:#[^)]*)?\)", text):
            resolved = (page.parent / target).resolve()
            generated = resolved == (GUIDE / "help" / "index.md").resolve()
            assert resolved.is_file() or generated, (page, target)


def test_chapter_names_quoted_in_messages_exist() -> None:
    """“见编辑指南“预览与发布”” pointed to a chapter that did not exist."""
    labels = {label for label, _path in nav_pages(internal_nav())} | {"编辑指南"}
    titles = {re.search(r"(?m)^# (.+)$", p.read_text(encoding="utf-8"))[1]  # type: ignore[index]
              for p in GUIDE.rglob("*.md")}
    names = labels | titles | {"给技术人员"}
    sources = [*(REPO / "generator").rglob("*.py"), *(REPO / "generator").rglob("*.html"),
               *(REPO / "generator").rglob("*.js"), *(REPO / "scripts").iterdir()]
    quoted = []
    for path in sources:
        if path.is_file():
            for m in re.finditer(r"编辑指南“([^”]+)”", path.read_text(encoding="utf-8",
                                                                    errors="replace")):
                quoted.append((path.name, m[1]))
    assert quoted
    for where, name in quoted:
        for part in name.split(" › "):
            assert part in names, f"{where} names the chapter “{name}”: no “{part}”"


# ---------------------------------------------------------------- commands and options

def _command(tokens: list[str]) -> tuple[click.Command, list[str]]:
    command: click.Command = cli
    rest = tokens[1:]
    while isinstance(command, click.Group) and rest and rest[0] in command.commands:
        command = command.commands[rest[0]]
        rest = rest[1:]
    return command, rest


def named_commands() -> list[tuple[str, str]]:
    """(where, command line) of every ``showcase …`` the guide, the README and the project's
    messages show, in code blocks or inline code."""
    found = []
    texts = {p: p.read_text(encoding="utf-8") for p in GUIDE.rglob("*.md")}
    texts[REPO / "README.md"] = (REPO / "README.md").read_text(encoding="utf-8")
    texts[REPO / "templates" / "README.md"] = (REPO / "templates" / "README.md").read_text(
        encoding="utf-8")
    for path, text in texts.items():
        for line in examples(text):
            if not re.match(r"showcase \S+:\s", line):  # the README's diagram, not a command
                found.append((path.name, line))
        for span in re.findall(r"`(showcase [a-z][^`]*)`", text):
            found.append((path.name, span))
    return found


def test_every_command_and_option_named_exists() -> None:
    bad = []
    for where, line in named_commands():
        tokens = shlex.split(line.replace("…", "x").replace("\\|", "|"), posix=True)
        command, rest = _command(tokens)
        if isinstance(command, click.Group) and rest and not rest[0].startswith("-"):
            bad.append(f"{where}: no command “{rest[0]}” in “{line}”")
            continue
        options = {o for p in command.params for o in (*p.opts, *p.secondary_opts)}
        options |= {"-h", "--help"}
        for token in rest:
            name = token.split("=")[0].strip("[]")
            if name.startswith("-") and name not in options and not re.fullmatch(r"-+", name):
                bad.append(f"{where}: “{' '.join(tokens[:2])}” has no option {name} (“{line}”)")
    assert not bad, "\n".join(bad)


def test_the_readme_table_lists_every_command_and_option() -> None:
    rows = [line for line in (REPO / "README.md").read_text(encoding="utf-8").splitlines()
            if line.startswith("| `showcase ")]
    general = {"--data", "--help", "-h"}

    def walk(command: click.Command, path: list[str]) -> Any:
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                yield from walk(sub, [*path, name])
        else:
            yield path, command

    missing = []
    for path, command in walk(cli, []):
        name = "showcase " + " ".join(path)
        mine = [r for r in rows if f"`{name}" in r]
        if not mine:
            missing.append(f"no row for {name}")
            continue
        for param in command.params:
            long = [o for o in param.opts if o.startswith("--")]
            if isinstance(param, click.Option) and long and long[0] not in general \
                    and not any(o in r for r in mine for o in param.opts):
                missing.append(f"{name}: {long[0]}")
    assert not missing, "\n".join(missing)


# ---------------------------------------------------------------- every example runs

REMOTE = re.compile(r"\S+@\S+:")
# Chapters whose examples need what the sample is not: an aggregator with members in their
# own repositories (tests/test_federation.py runs those commands).
NOT_THE_SAMPLE = {"federation.md"}
SERVE_WORDS = ("serve",)


def _project(tmp: Path) -> Path:
    root = tmp / "项目"
    root.mkdir()
    shutil.copy2(REPO / "mkdocs.yml", root / "mkdocs.yml")
    for folder in ("content", "theme", "sites_data", "templates"):
        shutil.copytree(REPO / folder, root / folder)
    return root


def _fill_template(path: Path) -> None:
    """What a clerk does in Excel between the template and the import: two results."""
    book = openpyxl.load_workbook(path)
    listed = [row for row in book["示范点名单"].iter_rows(min_row=2, values_only=True)
              if row[4] == 2026 and row[5] == "创建单位"][:2]
    for n, row in enumerate(listed):
        book["考评结果"].append([row[0], None, 2026, "2026-11-20", "合格" if n == 0 else "不合格"])
    book.save(path)


def _ctrl_c_stops() -> None:
    """Ctrl+C (SIGINT) as in a terminal: a test run started in the background (``cmd &``)
    passes SIGINT on ignored, and Python then never turns it into KeyboardInterrupt."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _serve(args: list[str], root: Path) -> subprocess.CompletedProcess[str]:
    """A preview, started and stopped once it answers (on a free port)."""
    port = free_port()
    if "--dev-addr" in args:
        at = args.index("--dev-addr") + 1
        args[at] = re.sub(r":\d+$", f":{port}", args[at])
    else:
        args += ["--dev-addr", f"127.0.0.1:{port}"]
    proc = subprocess.Popen([sys.executable, "-m", "generator", *args], cwd=root,
                            env=cli_env(PYTHONPATH=str(REPO)), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, encoding="utf-8",
                            preexec_fn=_ctrl_c_stops)
    out = ""
    deadline = time.monotonic() + 240
    assert proc.stdout is not None
    while "网页编辑器：" not in out:
        line = proc.stdout.readline()
        if not line and proc.poll() is not None:
            break
        out += line
        assert time.monotonic() < deadline, out
    proc.send_signal(signal.SIGINT)
    rest, _ = proc.communicate(timeout=60)
    return subprocess.CompletedProcess(args, 0 if "网页编辑器：" in out else 1, out + rest, "")


def expectations(root: Path) -> dict[str, Any]:
    """What the text beside an example says it does (checked after it ran)."""
    def exists(*parts: str) -> Any:
        return lambda r: all((root / p).exists() for p in parts)

    return {
        "showcase validate": lambda r: "检查通过" in r.stdout,
        "showcase report --json": lambda r: r.stdout.lstrip().startswith("{"),
        "showcase new site": lambda r: re.search(r"sites_data/sites/2026/[a-z0-9-]+\.yml",
                                                 r.stdout),
        "showcase new experience": lambda r: "sites_data/experiences/2026/" in r.stdout,
        "showcase export --template 考评结果.xlsx": exists("考评结果.xlsx"),
        "showcase import evaluations 考评结果.xlsx --apply": lambda r: "数据检查通过" in r.stdout,
        "showcase import evaluations 考评结果.xlsx": lambda r: "以上是预览" in r.stdout,
        "showcase export 示范点统计.xlsx": exists("示范点统计.xlsx"),
        "showcase compile 2025-jingyan-huibian":
            exists("build/compilations/2025-jingyan-huibian.pdf"),
        "showcase build --no-pdf --out 网站": lambda r: exists(
            "网站/index.html", "网站/sites/index.html")(r) and not (root / "网站" / "guide").exists(),
        "showcase build --audience internal --out 内部版": lambda r: exists(
            "内部版/guide/index.html", "内部版/internal/index.html")(r)
        and printable_guide_problems(root / "内部版") == []
        and 'href="bianji-zhinan.pdf"' in (root / "内部版" / "guide" / "index.html").read_text(
            encoding="utf-8"),
        "showcase generate --out build/project": exists("build/project/mkdocs.yml"),
        "showcase schema": exists("schemas"),
        "showcase annual 2025 --format docx --out 材料": exists("材料/annual-2025.docx"),
        "showcase annual 2025": exists("build/annual/annual-2025.pdf",
                                       "build/annual/annual-2025.docx"),
        "showcase package --out 示范点展示平台.zip": exists("示范点展示平台.zip"),
        "showcase server-config nginx": lambda r: "server {" in r.stdout
        or (root / "showcase.conf").exists(),
    }


def printable_guide_problems(site: Path) -> list[str]:
    """What the printable guide of an internal build lacks (“打印版 guide/bianji-zhinan.pdf”,
    says the guide): every page of the guide's menu as a chapter — a bookmark with its title,
    in the menu's order, on a page that shows that title."""
    from pypdf import PdfReader

    pdf = site / "guide" / "bianji-zhinan.pdf"
    if not pdf.is_file():
        return [f"no {pdf}"]
    reader = PdfReader(str(pdf))
    marks: list[tuple[str, int]] = []

    def walk(outline: Any) -> None:
        for item in outline:
            if isinstance(item, list):
                walk(item)
            else:
                marks.append((item.title, reader.get_destination_page_number(item)))

    walk(reader.outline)
    # The chapters follow the cover and the contents (目录).
    at = next((n + 1 for n, (title, _page) in enumerate(marks) if title == "目录"), 0)
    problems: list[str] = []
    for label, page in nav_pages(internal_nav()):
        source = REPO / "content" / page
        if not page.startswith("guide/"):
            continue
        title = label if not source.is_file() else re.search(  # generated: its label
            r"(?m)^# (.+)$", source.read_text(encoding="utf-8"))[1]  # type: ignore[index]
        found = next((n for n in range(at, len(marks)) if marks[n][0] == title), None)
        if found is None:
            problems.append(f"no chapter “{title}” after “{marks[at - 1][0] if at else ''}”")
            continue
        shown = re.sub(r"\s+", "", reader.pages[marks[found][1]].extract_text() or "")
        if title not in shown:
            problems.append(f"the page of “{title}” does not show it")
        at = found + 1
    return problems


def test_every_example_in_the_guide_runs_against_the_sample(tmp_path: Path) -> None:
    root = _project(tmp_path)
    expected = expectations(root)
    ran, checked_only, failures = [], [], []
    for page in sorted(GUIDE.rglob("*.md")):
        for line in examples(page.read_text(encoding="utf-8")):
            if page.name in NOT_THE_SAMPLE:
                continue  # parsed above; run by the tests of that feature
            if "…" in line or REMOTE.search(line) or "/etc/" in line:
                checked_only.append(line)  # placeholders, a server elsewhere: parsed above
                continue
            args = shlex.split(line.replace(" /srv/", f" {tmp_path}/srv/"))[1:]
            if args[0] in SERVE_WORDS:
                result = _serve(args, root)
            else:
                result = subprocess.run([sys.executable, "-m", "generator", *args], cwd=root,
                                        env=cli_env(PYTHONPATH=str(REPO)), capture_output=True,
                                        text=True, encoding="utf-8", timeout=900, check=False)
            ran.append(line)
            if result.returncode != 0 or "Traceback" in result.stdout + result.stderr:
                failures.append(f"{page.name}: {line}\n{result.stdout[-800:]}{result.stderr[-800:]}")
                continue
            check = next((f for key, f in sorted(expected.items(), key=lambda kv: -len(kv[0]))
                          if line.startswith(key)), None)
            if check is not None and not check(result):
                failures.append(f"{page.name}: {line} did not do what the guide says:\n"
                                f"{result.stdout[-800:]}")
            if line.startswith("showcase export --template"):
                _fill_template(root / line.split()[-1])
    assert not failures, "\n\n".join(failures)
    assert len(ran) >= 20 and len(checked_only) <= 6, (len(ran), checked_only)
    # The import example imported what the filled template held.
    data = loader.load(root / "sites_data")
    assert data.ok and sum(1 for s in data.sites.values()
                           for e in s.evaluations if e.year == 2026 and e.date is not None
                           and e.date.isoformat() == "2026-11-20") >= 2


def test_the_ids_the_guide_names_are_the_samples() -> None:
    """The compilation example named an id the sample does not have. Every id-like word in
    the guide's code is the sample's, or one of the new ids its steps ask the reader to type."""
    data = loader.load(SAMPLE)
    assert data.taxonomy is not None
    known = set(data.sites) | set(data.experiences) | set(data.compilations) \
        | set(data.taxonomy.categories) | set(data.taxonomy.units) | set(data.taxonomy.themes)
    typed_new = {"wuling-xincun", "wuling-furong-shequ", "wuling-hongse-wuye", "huibian-2026",
                 "wu-ling-qu-fu-rong-jie-dao-liu-shu-she-qu", "shanbei-wangjia-cun"}
    for page in [*sorted(GUIDE.glob("*.md")), TECH / "commands.md"]:
        if page == FORMAT or page.name == "errors.md":
            continue  # the format's examples; the checker's messages, quoted as printed
        text = page.read_text(encoding="utf-8")
        words = set(re.findall(r"`([a-z0-9]+(?:-[a-z0-9]+)+)`", text))
        for line in examples(text):
            words |= {t for t in shlex.split(line)
                      if re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)+", t) and not re.fullmatch(
                          r"\d{4}-\d{2}-\d{2}", t)}
        unknown = words - known - typed_new
        assert not unknown, f"{page.name} names ids the sample does not have: {sorted(unknown)}"
