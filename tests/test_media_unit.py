"""The photo plan and the variant cache in this process (media/variants.py, media/cache.py),
on small photos made here: which files a photo gets (widths, formats, names, sizes), the
plan's look-ups, and the cache's keys, index and files. Expected names and sizes are worked
out by hand from the photos' sizes; whole builds with photos are in test_photos.py."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

import pytest
from PIL import Image

from generator.base.images import Size, Target
from generator.media.cache import PhotoCache, default_root
from generator.media.variants import PhotoPlan, PlannedPhoto, Variant, plan, referenced
from generator.model.records import Photo


def photo(path: Path, width: int, height: int, *, orientation: int | None = None,
          fmt: str = "JPEG", colour: tuple[int, int, int] = (200, 40, 40)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    img = Image.new("RGB", (width, height), colour)
    if orientation is not None:
        exif = Image.Exif()
        exif[0x0112] = orientation
        img.save(path, fmt, exif=exif)
    else:
        img.save(path, fmt)
    return path


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------- the plan

def test_plan_of_a_wide_photo(tmp_path: Path) -> None:
    media = tmp_path / "media"
    source = photo(media / "photos" / "a b.jpg", 1700, 900)
    digest = sha(source)
    result = plan(["photos/a b.jpg", "media/photos/a b.jpg", " photos/a b.jpg "],
                  PhotoCache(tmp_path / "cache"), media)
    assert list(result.photos) == ["photos/a b.jpg"]
    planned = result.photos["photos/a b.jpg"]
    assert (planned.file, planned.source, planned.digest, planned.size) == (
        "photos/a b.jpg", source, digest, Size(1700, 900))
    stem = f"media/photos/a b-{digest[:8]}"
    heights = {320: 169, 640: 339, 1024: 542, 1600: 847}  # 900 × width / 1700, rounded
    assert planned.web == tuple(
        [Variant(f"{stem}-{w}.webp", w, h, "image/webp", Target(w, 100_000, "WEBP", 78))
         for w, h in heights.items()]
        + [Variant(f"{stem}-{w}.jpg", w, h, "image/jpeg", Target(w, 100_000, "JPEG", 80))
           for w, h in heights.items()])
    assert planned.printed == Variant(f"{stem}-0.print.jpg", 1700, 900, "image/jpeg",
                                      Target(1960, 1420, "JPEG", 80))
    assert planned.original is None
    assert [v.width for v in planned.of("image/webp")] == [320, 640, 1024, 1600]
    assert [v.path for v in planned.of("image/jpeg")] == [f"{stem}-{w}.jpg" for w in heights]
    assert planned.of("image/png") == []
    assert planned.fallback.width == 1024 and planned.large.width == 1600
    # 166 mm across 1700 pixels (the height leaves room): 1700 / 166 × 25.4 dpi
    assert planned.print_dpi() == pytest.approx(260.120, abs=0.001)


@pytest.mark.parametrize(("size", "widths", "printed"), [
    ((320, 200), [320], (320, 200)),
    ((321, 200), [320, 321], (321, 200)),
    ((1024, 500), [320, 640, 1024], (1024, 500)),
    ((1600, 500), [320, 640, 1024, 1600], (1600, 500)),
    ((4000, 3000), [320, 640, 1024, 1600], (1893, 1420)),
    ((3000, 1000), [320, 640, 1024, 1600], (1960, 653)),
    ((100, 400), [100], (100, 400)),
])
def test_plan_widths_and_print_size(tmp_path: Path, size: tuple[int, int], widths: list[int],
                                    printed: tuple[int, int]) -> None:
    photo(tmp_path / "m" / "p.jpg", *size)
    planned = plan(["p.jpg"], PhotoCache(tmp_path / "c"), tmp_path / "m").photos["p.jpg"]
    assert [v.width for v in planned.of("image/jpeg")] == widths
    assert [v.width for v in planned.of("image/webp")] == widths
    assert (planned.printed.width, planned.printed.height) == printed


def test_plan_of_a_turned_photo_uses_its_upright_size(tmp_path: Path) -> None:
    photo(tmp_path / "m" / "p.jpg", 900, 500, orientation=6)
    planned = plan(["p.jpg"], PhotoCache(tmp_path / "c"), tmp_path / "m").photos["p.jpg"]
    assert planned.size == Size(500, 900)
    assert [(v.width, v.height) for v in planned.of("image/jpeg")] == [(320, 576), (500, 900)]
    # 120 mm down 900 pixels is the limit here
    assert planned.print_dpi() == pytest.approx(900 / 120 * 25.4)


def test_plan_originals_and_plain_images(tmp_path: Path) -> None:
    media = tmp_path / "media"
    photo(media / "photos" / "x.jpeg", 400, 300)
    photo(media / "marks" / "gov.png", 110, 55, fmt="PNG")
    photo(media / "marks" / "gov.gif", 20, 10, fmt="GIF")
    photo(media / "marks" / "gov.webp", 30, 10, fmt="WEBP")
    photo(media / "marks" / "gov.JPG", 40, 10)
    result = plan(["photos/x.jpeg"], PhotoCache(tmp_path / "c"), media, originals=True,
                  plain=["media/marks/gov.png", "marks/gov.gif", "marks/gov.webp", "marks/gov.JPG"])
    planned = result.photos["photos/x.jpeg"]
    assert planned.original == "media/photos/x.jpeg"
    assert planned.of("image/jpeg")[0].path.startswith("media/photos/x-")
    assert planned.printed.path.endswith("-0.print.jpg")
    assert {k: (v.variant.path, v.variant.width, v.variant.height, v.variant.mime, v.variant.target)
            for k, v in result.plain.items()} == {
        "marks/gov.JPG": ("media/marks/gov.JPG", 40, 10, "image/jpeg", Target(40, 10, "JPEG", 90)),
        "marks/gov.gif": ("media/marks/gov.gif", 20, 10, "image/png", Target(20, 10, "PNG", 90)),
        "marks/gov.png": ("media/marks/gov.png", 110, 55, "image/png", Target(110, 55, "PNG", 90)),
        "marks/gov.webp": ("media/marks/gov.webp", 30, 10, "image/webp", Target(30, 10, "WEBP", 90)),
    }
    mark = result.plain["marks/gov.png"]
    assert (mark.source, mark.digest) == (media / "marks" / "gov.png", sha(media / "marks" / "gov.png"))


def test_plan_finds_photos_through_a_function(tmp_path: Path) -> None:
    photo(tmp_path / "member" / "p.jpg", 50, 40)
    asked: list[str] = []

    def locate(name: str) -> Path:
        asked.append(name)
        return tmp_path / "member" / Path(name).name

    result = plan(["media/members/a/p.jpg"], PhotoCache(tmp_path / "c"), locate,
                  plain=["members/a/p.jpg"])
    assert asked == ["members/a/p.jpg", "members/a/p.jpg"]
    assert result.photos["members/a/p.jpg"].source == tmp_path / "member" / "p.jpg"
    assert result.plain["members/a/p.jpg"].source == tmp_path / "member" / "p.jpg"


def _two_photo_plan(tmp_path: Path) -> tuple[PhotoCache, PhotoPlan]:
    media = tmp_path / "media"
    photo(media / "a.jpg", 700, 350)
    photo(media / "b.jpg", 300, 300, colour=(0, 0, 255))
    photo(media / "g.png", 10, 10, fmt="PNG")
    cache = PhotoCache(tmp_path / "cache")
    return cache, plan(["b.jpg", "a.jpg"], cache, media, plain=["g.png"])


def test_plan_look_ups(tmp_path: Path) -> None:
    cache, result = _two_photo_plan(tmp_path)
    a, b = result.photos["a.jpg"], result.photos["b.jpg"]
    g = result.plain["g.png"]
    assert result.get("media/a.jpg") is a and result.get(" b.jpg") is b
    assert result.get("c.jpg") is None
    assert result.web_jobs() == [
        (a.source, a.digest, tuple(v.target for v in a.web)),
        (b.source, b.digest, tuple(v.target for v in b.web)),
        (g.source, g.digest, (g.variant.target,))]
    assert result.print_jobs(["b.jpg", "media/b.jpg", "x.jpg"]) == [
        (b.source, b.digest, (b.printed.target,))]
    assert result.print_jobs(["a.jpg", "b.jpg"]) == [
        (a.source, a.digest, (a.printed.target,)), (b.source, b.digest, (b.printed.target,))]
    files = result.web_files()
    assert files == {
        **{v.path: cache.file(a.digest, v.target) for v in a.web},
        **{v.path: cache.file(b.digest, v.target) for v in b.web},
        "media/g.png": cache.file(g.digest, g.variant.target)}
    assert len(files) == 6 + 2 + 1  # a: 320, 640, 700; b: 300; each WebP and JPEG
    assert result.originals() == {}
    web = a.of("image/webp")[1]
    assert result.variant_at(web.path) == (
        (a.source, a.digest, tuple(v.target for v in a.web)), web.target)
    assert result.variant_at("media/g.png") == (
        (g.source, g.digest, (g.variant.target,)), g.variant.target)
    assert result.variant_at(a.printed.path) is None
    assert result.variant_at("media/a.jpg") is None


def test_plan_originals_are_published_beside_the_variants(tmp_path: Path) -> None:
    photo(tmp_path / "m" / "a.jpg", 500, 400)
    cache = PhotoCache(tmp_path / "c")
    result = plan(["a.jpg"], cache, tmp_path / "m", originals=True)
    a = result.photos["a.jpg"]
    assert result.originals() == {"media/a.jpg": tmp_path / "m" / "a.jpg"}
    assert result.web_files() == {**{v.path: cache.file(a.digest, v.target) for v in a.web},
                                  "media/a.jpg": tmp_path / "m" / "a.jpg"}


def test_referenced_photos_and_markdown_images() -> None:
    photos = [Photo(file="photos/a.jpg", alt="甲"), Photo(file="photos/b.jpg", alt="乙")]
    texts = [None, "", "正文\n\n![说明](photos/c%20d.jpg)\n\n![](photos/e.jpg \"题\")", "无图"]
    assert referenced(photos, texts) == ["photos/a.jpg", "photos/b.jpg", "photos/c d.jpg",
                                         "photos/e.jpg"]
    assert referenced([], []) == []


def test_print_dpi_of_a_tall_photo() -> None:
    variant = Variant("x", 1, 1, "image/jpeg", Target(1, 1, "JPEG"))
    tall = PlannedPhoto("x", Path("x"), "d", Size(1000, 2000), (variant,), variant, None)
    assert tall.print_dpi() == pytest.approx(2000 / 120 * 25.4)
    wide = PlannedPhoto("x", Path("x"), "d", Size(2000, 1000), (variant,), variant, None)
    assert wide.print_dpi() == pytest.approx(2000 / 166 * 25.4)


# ---------------------------------------------------------------- the cache

def test_default_root(tmp_path: Path) -> None:
    assert default_root(tmp_path) == tmp_path / ".cache" / "photos"
    assert default_root(None) == Path(tempfile.gettempdir()) / "showcase-cache" / "photos"


def test_cache_file_names() -> None:
    cache = PhotoCache(Path("/nowhere"))
    digest = "ab" + "0" * 62
    assert cache.file(digest, Target(640, 100_000, "WEBP", 78)) == Path(
        f"/nowhere/ab/{digest}-p2/webp-640x100000-q78.webp")
    assert cache.file(digest, Target(1960, 1420, "JPEG", 80)).name == "jpeg-1960x1420-q80.jpg"
    assert cache.file(digest, Target(10, 10, "PNG", 90)).name == "png-10x10-q90.png"
    assert cache.file(digest, Target(10, 10, "AVIF", 60)).name == "avif-10x10-q60.avif"


def test_probe_remembers_each_file_version(tmp_path: Path) -> None:
    source = photo(tmp_path / "p.jpg", 60, 30, orientation=8)
    cache = PhotoCache(tmp_path / "cache")
    digest, size = cache.probe(source)
    assert (digest, size) == (sha(source), Size(30, 60))
    info = source.stat()
    key = f"{source.resolve()}|{info.st_size}|{info.st_mtime_ns}"
    cache.save()
    index = json.loads((tmp_path / "cache" / "index-v1.json").read_text(encoding="utf-8"))
    assert index == {key: [digest, 30, 60]}
    # same path, size and time: taken from the index, the file is not read again
    content = source.read_bytes()
    source.write_bytes(content[:-2] + b"\x00\x00")
    os.utime(source, ns=(info.st_atime_ns, info.st_mtime_ns))
    again = PhotoCache(tmp_path / "cache")
    assert again.probe(source) == (digest, Size(30, 60))
    # a new modification time is a new version
    os.utime(source, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))
    assert again.probe(source)[0] == sha(source) != digest


@pytest.mark.parametrize("entry", [
    ["d", 1], ["d", 1, 2, 3], [5, 1, 2], ["d", "1", 2], ["d", 1, 2.0], "d|1|2", None])
def test_probe_ignores_a_damaged_index_entry(tmp_path: Path, entry: object) -> None:
    source = photo(tmp_path / "p.jpg", 20, 10)
    info = source.stat()
    key = f"{source.resolve()}|{info.st_size}|{info.st_mtime_ns}"
    root = tmp_path / "cache"
    root.mkdir()
    (root / "index-v1.json").write_text(json.dumps({key: entry}), encoding="utf-8")
    cache = PhotoCache(root)
    assert cache.probe(source) == (sha(source), Size(20, 10))
    cache.save()
    assert json.loads((root / "index-v1.json").read_text(encoding="utf-8")) == {
        key: [sha(source), 20, 10]}


@pytest.mark.parametrize("index", ["{not json", "[1, 2]", "\udcff"])
def test_a_damaged_index_is_probed_again(tmp_path: Path, index: str) -> None:
    root = tmp_path / "cache"
    root.mkdir()
    (root / "index-v1.json").write_bytes(index.encode("utf-8", "surrogateescape"))
    source = photo(tmp_path / "p.jpg", 20, 10)
    cache = PhotoCache(root)
    assert cache.probe(source) == (sha(source), Size(20, 10))


def test_save_writes_only_a_changed_index(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    cache = PhotoCache(root)
    cache.save()
    assert not root.exists()
    source = photo(tmp_path / "p.jpg", 20, 10)
    cache.probe(source)
    cache.save()
    index = root / "index-v1.json"
    first = index.read_bytes()
    assert json.loads(first) and sorted(p.name for p in root.iterdir()) == ["index-v1.json"]
    index.write_text("{}", encoding="utf-8")
    cache.save()  # saved already: nothing to write
    assert index.read_text(encoding="utf-8") == "{}"
    cache.probe(source)  # known: still nothing to write
    cache.save()
    assert index.read_text(encoding="utf-8") == "{}"
    # sorted keys: the same entries give the same bytes
    other = PhotoCache(tmp_path / "other")
    other.probe(photo(tmp_path / "q.jpg", 20, 10))
    other.probe(source)
    other.save()
    keys = list(json.loads((tmp_path / "other" / "index-v1.json").read_text(encoding="utf-8")))
    assert keys == sorted(keys)


def test_a_read_only_cache_still_serves(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    cache = PhotoCache(blocker / "cache")  # cannot be made: a file is in the way
    source = photo(tmp_path / "p.jpg", 20, 10)
    assert cache.probe(source)[1] == Size(20, 10)
    cache.save()  # no error
    assert cache._dirty  # and still to be saved


def test_make_writes_every_missing_variant_once(tmp_path: Path) -> None:
    media = tmp_path / "m"
    photo(media / "a.jpg", 700, 350)
    photo(media / "b.jpg", 300, 300, colour=(0, 0, 255))
    cache = PhotoCache(tmp_path / "cache")
    result = plan(["a.jpg", "b.jpg"], cache, media)
    jobs = result.web_jobs()
    assert cache.missing(jobs) == jobs
    assert cache.make(jobs) == 2
    assert cache.missing(jobs) == []
    for path in result.web_files().values():
        with Image.open(path) as img:
            assert img.format in ("JPEG", "WEBP")
    a = result.photos["a.jpg"]
    for v in a.web:
        with Image.open(cache.file(a.digest, v.target)) as img:
            assert img.size == (v.width, v.height)
    assert (tmp_path / "cache" / "index-v1.json").is_file()
    assert not list((tmp_path / "cache").rglob(".part-*"))
    assert cache.make(jobs) == 0
    # one missing file: its photo is made again, with all of its widths
    lost = cache.file(a.digest, a.web[0].target)
    before = cache.file(a.digest, a.web[-1].target).read_bytes()
    lost.unlink()
    assert cache.missing(jobs) == [jobs[0]]
    assert cache.make(jobs) == 1
    assert lost.is_file() and cache.file(a.digest, a.web[-1].target).read_bytes() == before


def test_make_and_save_create_a_cache_folder_several_levels_deep(tmp_path: Path) -> None:
    photo(tmp_path / "m" / "a.jpg", 300, 200)
    cache = PhotoCache(tmp_path / "new" / "cache" / "photos")
    jobs = plan(["a.jpg"], cache, tmp_path / "m").web_jobs()
    cache.save()
    assert (tmp_path / "new" / "cache" / "photos" / "index-v1.json").is_file()
    cache = PhotoCache(tmp_path / "other" / "cache" / "photos")
    assert cache.make(jobs) == 1 and cache.missing(jobs) == []


def test_make_nothing(tmp_path: Path) -> None:
    cache = PhotoCache(tmp_path / "cache")
    assert cache.make([]) == 0
    assert not (tmp_path / "cache").exists()


def test_ensure_makes_one_photo_on_request(tmp_path: Path) -> None:
    photo(tmp_path / "m" / "a.jpg", 700, 350)
    photo(tmp_path / "m" / "b.jpg", 500, 350)
    cache = PhotoCache(tmp_path / "cache")
    result = plan(["a.jpg", "b.jpg"], cache, tmp_path / "m")
    a, b = result.photos["a.jpg"], result.photos["b.jpg"]
    web = a.of("image/webp")[0]
    found = result.variant_at(web.path)
    assert found is not None
    path = cache.ensure(*found)
    assert path == cache.file(a.digest, web.target) and path.is_file()
    assert all(cache.file(a.digest, v.target).is_file() for v in a.web)
    assert not any(cache.file(b.digest, v.target).exists() for v in b.web)
    stamp = path.stat().st_mtime_ns
    assert cache.ensure(*found) == path and path.stat().st_mtime_ns == stamp


def test_write_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "a" / "b" / "x.webp"
    PhotoCache._write(target, b"data")
    assert target.read_bytes() == b"data"
    assert sorted(p.name for p in target.parent.iterdir()) == ["x.webp"]

    # the partial file is hidden beside its target: same file system, so the rename is atomic
    renamed: list[tuple[Path, Path]] = []
    real_replace = os.replace

    def replace(src: str, dst: str) -> None:
        renamed.append((Path(src), Path(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    PhotoCache._write(target, b"new")
    [(part, final)] = renamed
    assert part.parent == target.parent and part.name.startswith(".part-") and final == target
    assert target.read_bytes() == b"new"

    def fail(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        PhotoCache._write(target, b"other")
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in target.parent.iterdir()) == ["x.webp"]
