"""What the engines say, in Chinese, and only what a staff member needs.

By default a build or a preview prints our own Chinese lines only: MkDocs' INFO chatter is
hidden, and its warnings (which fail a strict build) are translated where we know them —
the usual ones come from links in the hand-written pages of ``content/`` — or shown with a
Chinese prefix. ``-v`` shows the engine's own log as it is.
"""

from __future__ import annotations

import logging
import re

# MkDocs' warnings that staff can cause, and what to do about them.
_TRANSLATIONS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"Doc file '(?P<file>[^']+)' contains a link '(?P<link>[^']+)', but the target "
                r"'?(?P<target>[^']*?)'? is not found among documentation files\.?"),
     "content/{file} 中的链接“{link}”指向的页面不存在，请改正链接。"),
    (re.compile(r"Doc file '(?P<file>[^']+)' contains a link '(?P<link>[^']+)', but the doc "
                r"'(?P<target>[^']+)' does not contain an anchor '#(?P<anchor>[^']+)'\.?"),
     "content/{file} 中的链接“{link}”指向的小标题不存在，请改正链接中“#”后面的部分。"),
    (re.compile(r"Doc file '(?P<file>[^']+)' contains an absolute link '(?P<link>[^']+)'.*"),
     "content/{file} 中的链接“{link}”是以“/”开头的绝对路径，请改用相对路径。"),
    (re.compile(r"Doc file '(?P<file>[^']+)' contains an unrecognized relative link "
                r"'(?P<link>[^']+)'.*"),
     "content/{file} 中的链接“{link}”无法识别，请检查。"),
    (re.compile(r"A reference to '(?P<target>[^']+)' is included in the 'nav' configuration, "
                r"which is not found in the documentation files\.?"),
     "mkdocs.yml 的菜单（nav）中的“{target}”不存在，请检查 content/ 中的文件名。"),
    (re.compile(r"Excluding '(?P<file>[^']+)' from the site because it conflicts with "
                r"'(?P<other>[^']+)'\.?"),
     "content/{file} 与 {other} 重名，已跳过，请改名。"),
]
# Said by MkDocs on purpose in every preview, or its server's log of a request that was not
# answered with 200 (a browser asking for a favicon): not a problem for the user.
_QUIET = (re.compile(r"A 'dirty' build is being performed"),
          re.compile(r'"[A-Z]+ \S+ HTTP/[\d.]+" code \d+'))


def translate(message: str) -> str | None:
    """The Chinese for one of MkDocs' messages; ``None`` for one to drop."""
    if any(p.search(message) for p in _QUIET):
        return None
    for pattern, chinese in _TRANSLATIONS:
        m = pattern.search(message)
        if m:
            return chinese.format(**m.groupdict())
    return f"MkDocs 报告：{message}"


class _Chinese(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        if record.name.startswith("showcase"):
            return record.getMessage()  # ours, in Chinese already
        message = translate(record.getMessage())
        word = "错误" if record.levelno >= logging.ERROR else "警告"
        return f"{word}：{message}"


class _DropQuiet(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.name.startswith("showcase") or translate(record.getMessage()) is not None


def configure(verbose: bool = False) -> None:
    """Route MkDocs' (and Material's) log: as is with ``verbose``, else warnings and errors
    only, in Chinese. (In strict mode each warning still fails the build: MkDocs counts them
    itself.)"""
    handler = logging.StreamHandler()
    if verbose:
        handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    else:
        handler.setFormatter(_Chinese())
        handler.addFilter(_DropQuiet())
    for name in ("mkdocs", "properdocs", "showcase"):
        log = logging.getLogger(name)
        log.handlers = [handler]
        log.setLevel(logging.INFO if verbose else logging.WARNING)
        log.propagate = False
    logging.getLogger("jieba").setLevel(logging.WARNING)  # its start-up chatter is noise
