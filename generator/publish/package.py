"""``showcase package``: the site as a zip that works from the file system, for intranets
without a server, a laptop at a meeting and the touch screen of an exhibition hall.

The site is built as ``showcase build`` builds it (into a temporary folder), rewritten for
file:// (:mod:`.offline`) and zipped deterministically: entries sorted, every timestamp the
build's reference date, fixed permissions — two packages of the same data are
byte-identical. ``index.html`` is at the zip's root.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..base.outputs import FILE_TAG, os_failure, remove_leftovers
from ..engines.pipeline import BuildSettings, build_site, find_config
from ..rules.audience import Audience
from .offline import offline_files

MAKER = "showcase package"


@dataclass(frozen=True)
class PackageOptions:
    data_dir: Path
    out: Path                 # after the output guard
    audience: Audience = "public"
    as_of: dt.date | None = None
    kiosk: bool = False
    idle: int = 120           # seconds without a touch before a kiosk returns home
    pdf: bool = True


@dataclass(frozen=True)
class PackageResult:
    out: Path
    files: list[str]
    warnings: list[str]


def write_zip(target: Path, entries: list[tuple[str, bytes]], day: dt.date) -> None:
    """``entries`` as a deflated zip at ``target``, written beside it and renamed over it."""
    stamp = (max(day.year, 1980), day.month, day.day, 0, 0, 0)
    tmp = target.parent / f".{target.name}.building-{os.getpid()}"
    try:
        remove_leftovers(target)
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
            for name, content in entries:
                info = zipfile.ZipInfo(name, date_time=stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o100644 << 16
                info.create_system = 3  # Unix, whichever system wrote it
                z.writestr(info, content)
            z.comment = f"{FILE_TAG} {MAKER}".encode()
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise os_failure(exc, target) from None


def write_package(options: PackageOptions) -> PackageResult:
    """Build the site, rewrite it for file:// and write the zip."""
    as_of = options.as_of or dt.date.today()
    try:  # a folder that cannot be made fails now, not after the build
        options.out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise os_failure(exc, options.out.parent) from None
    with tempfile.TemporaryDirectory(prefix="showcase-package-") as tmp:
        site = Path(tmp) / "site"
        result = build_site(BuildSettings(
            config_file=find_config(options.data_dir), data_dir=options.data_dir, out=site,
            audience=options.audience, as_of=as_of, pdf=options.pdf))
        entries = list(offline_files(site, kiosk=options.kiosk, idle=options.idle))
    write_zip(options.out, entries, as_of)
    warnings = [f"{p.path}:{p.line}:{p.col}: {p.message}" for p in result.problems] + result.warnings
    return PackageResult(options.out, [name for name, _ in entries], warnings)
