"""MkDocs in this process reads the generated pages from memory, not from disk.

``showcase build`` with MkDocs has every page in memory already: writing thousands of files
into the project only for MkDocs to read them back costs a file system round trip per page.
This plugin hands them to MkDocs as generated files instead (hand-written pages and photos
included, as their source paths). Other engines, and ``showcase generate``, get the same
files written out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files


class MemoryDocs(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
    def __init__(self, docs: dict[str, bytes | Path]) -> None:
        self.docs = docs

    def on_files(self, files: Files, *, config: Any) -> Files:
        for rel, source in self.docs.items():
            if isinstance(source, Path):
                files.append(File.generated(config, rel, abs_src_path=str(source)))
            else:
                files.append(File.generated(config, rel, content=source))
        return files
