"""A photo's name is checked for what the build makes of it (issue 20, item 4): the
longest file name a build derives from it (the print variant: ``<name>-<hash>-0.print.jpg``)
must fit the file system's 255 bytes, and ``validate`` says so at the record's line —
not the build, later, blaming the output folder. A build whose ``--out`` is so deep that a
photo's published path would pass the system's path limit says which photo, before it
starts."""

from __future__ import annotations

import shutil
from pathlib import Path, PurePosixPath

from test_site_support import MINIMAL, build, run_cli

from generator.data.mediacheck import MAX_NAME_BYTES, PRINT_SUFFIX_BYTES
from generator.media.cache import PhotoCache
from generator.media.variants import plan

PHOTO = "photos/taohua-dangri.jpg"
SITE = "sites/2024/chengnan-taohua-cun.yml"


def with_photo_named(tmp_path: Path, stem: str) -> tuple[Path, str]:
    data = tmp_path / "data"
    shutil.copytree(MINIMAL, data)
    name = f"photos/{stem}.jpg"
    shutil.copy2(data / "media" / PHOTO, data / "media" / name)
    site = data / SITE
    site.write_text(site.read_text(encoding="utf-8").replace(PHOTO, name), encoding="utf-8")
    return data, name


def longest_stem() -> str:
    """The longest Chinese stem (3 bytes a character) whose derived names all fit."""
    return "党" * ((MAX_NAME_BYTES - PRINT_SUFFIX_BYTES) // 3)


def test_the_longest_allowed_name_gives_variant_names_that_fit(tmp_path: Path) -> None:
    data, name = with_photo_named(tmp_path, longest_stem())
    planned = plan([name], PhotoCache(tmp_path / "cache"), data / "media").get(name)
    assert planned is not None
    names = [v.path for v in planned.web] + [planned.printed.path]
    assert max(len(PurePosixPath(n).name.encode()) for n in names) <= MAX_NAME_BYTES
    assert any(len(PurePosixPath(n).name.encode()) > MAX_NAME_BYTES - 3 for n in names)


def test_validate_refuses_a_photo_name_the_build_could_not_write(tmp_path: Path) -> None:
    data, name = with_photo_named(tmp_path, longest_stem() + "党")
    result = run_cli("validate", "--data", str(data))
    assert result.returncode == 1, result.stdout
    line = [ln for ln in result.stdout.splitlines() if ": error: " in ln]
    assert len(line) == 1, result.stdout
    site_text = (data / SITE).read_text(encoding="utf-8").splitlines()
    number = next(i for i, text in enumerate(site_text, 1) if name in text)
    assert line[0].startswith(f"data/{SITE}:{number}:"), line
    assert "太长" in line[0] and "255" in line[0] and name in line[0], line


def test_a_photo_name_that_fits_builds(tmp_path: Path) -> None:
    data, _name = with_photo_named(tmp_path, longest_stem())
    result = build(data, tmp_path / "site", pdf=True)
    assert result.returncode == 0, result.stderr


def test_an_output_folder_too_deep_for_a_photo_names_the_photo(tmp_path: Path) -> None:
    data, name = with_photo_named(tmp_path, longest_stem())
    level = "很深的输出文件夹" * 5  # 120 bytes, 121 with its "/"
    # The output folder, its staging folder and every page fit the system's 4096 bytes;
    # the photo's published path (about 270 bytes below the output folder) does not.
    depth = (4096 - 150 - len(str(tmp_path).encode())) // (len(level.encode()) + 1)
    out = tmp_path.joinpath(*[level] * depth) / "site"
    result = build(data, out)
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert name in result.stderr and "输出文件夹" in result.stderr, result.stderr
    assert not out.exists()
