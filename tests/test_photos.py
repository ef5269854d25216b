"""Photos (issue 13): light on phones, private by default, sharp in print.

* every image a public build publishes is read back with Pillow and scanned as raw bytes:
  no EXIF, XMP, IPTC, GPS, comment or owner name survives; no original is published;
* orientation is applied; every ``<img>`` has alt text, width and height, photos a srcset;
* a wrong, remote or undescribed photo reference is a located ``validate`` error;
* a warm build does no image work; ``serve`` makes variants when they are asked for;
* the compilation PDF embeds print variants and warns about photos too small to print.
"""

from __future__ import annotations

import hashlib
import io
import re
import shutil
from pathlib import Path
from urllib.parse import unquote

import pytest
from conftest import copy_minimal, run_showcase
from PIL import Image
from test_site_support import SAMPLE, cached_build, html_files, parse_html

from generator.base.images import Target, render, upright_size
from generator.media.cache import PhotoCache
from generator.media.variants import PRINT_BOX, WEB_WIDTHS, plan

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".gif", ".avif"}
# What the sample photos carry (scripts/make-sample-photos.py) and must never be published.
SECRETS = [b"Exif\x00\x00", b"http://ns.adobe.com/xap/", b"adobe:ns:meta", b"Photoshop 3.0",
           b"Wang Moumou", "王某某".encode(), b"ExampleMaker", b"Phone 12 Pro"]
# (The GPS block lives inside the EXIF segment, whose signature is the first entry.)


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return cached_build(tmp_path_factory, SAMPLE)


def _images(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)


def test_the_sample_photos_are_photo_sized_and_carry_what_phones_write() -> None:
    """(So that the tests below check something: the sample's originals are 4000×3000
    JPEGs of megabytes with GPS, owner and device in EXIF, an XMP packet and a comment.)"""
    photos = sorted((SAMPLE / "media" / "photos").glob("*.jpg"))
    assert len(photos) >= 10
    for path in photos:
        with Image.open(path) as img:
            assert sorted(img.size) == [3000, 4000], path
            exif = img.getexif()
            assert exif.get_ifd(0x8825), f"{path.name}: no GPS block"
            assert "Wang Moumou" in str(exif.get(0x013B)), path.name
            assert "xmp" in img.info and "comment" in img.info, path.name
        assert path.stat().st_size > 1_000_000, path.name


def test_no_published_image_carries_metadata(sample_site: Path) -> None:
    images = _images(sample_site)
    photos = [p for p in images if "media/photos" in p.as_posix()]
    assert len(photos) >= 10 * 2 * len(WEB_WIDTHS) // 2, "the sample's variants were published"
    for path in images:
        raw = path.read_bytes()
        for secret in SECRETS:
            assert secret not in raw, f"{path.relative_to(sample_site)} contains {secret!r}"
        with Image.open(path) as img:
            img.load()
            assert not img.getexif(), f"{path.name}: EXIF"
            leaked = {"exif", "xmp", "XML:com.adobe.xmp", "comment", "icc_profile", "photoshop"}
            assert not (leaked & set(img.info)), f"{path.name}: {set(img.info) & leaked}"


def test_no_original_photo_is_published(sample_site: Path) -> None:
    originals = {hashlib.sha256(p.read_bytes()).hexdigest(): p.name
                 for p in (SAMPLE / "media").rglob("*") if p.is_file()
                 and p.suffix.lower() in {".jpg", ".jpeg"}}
    published = {hashlib.sha256(p.read_bytes()).hexdigest()
                 for p in sample_site.rglob("*") if p.is_file()}
    assert not set(originals) & published, [originals[h] for h in set(originals) & published]
    # nor under its own name
    for name in originals.values():
        assert not list(sample_site.rglob(name)), name
    # and the variants are far smaller than the originals
    sizes = [p.stat().st_size for p in (sample_site / "media" / "photos").iterdir()]
    assert max(sizes) < 400_000, max(sizes)


def test_orientation_is_applied() -> None:
    """A photo stored sideways with EXIF orientation 6 (as phones store it) comes out
    upright: its top (red in the scene) is at the top."""
    scene = Image.new("RGB", (400, 300), (0, 0, 255))
    scene.paste((255, 0, 0), (0, 0, 400, 100))  # red sky
    stored = scene.transpose(Image.Transpose.ROTATE_90)  # what the sensor saw
    exif = Image.Exif()
    exif[0x0112] = 6
    buf = io.BytesIO()
    stored.save(buf, "JPEG", exif=exif, quality=95)
    path = Path(__file__).parent / ".orientation-test.jpg"
    try:
        path.write_bytes(buf.getvalue())
        assert (upright_size(path).width, upright_size(path).height) == (400, 300)
        ((size, data),) = render(path, [Target(200, 10_000, "JPEG", 90)])
    finally:
        path.unlink(missing_ok=True)
    assert (size.width, size.height) == (200, 150)
    with Image.open(io.BytesIO(data)) as out:
        assert out.size == (200, 150)
        rgb = out.convert("RGB")
        top, bottom = rgb.getpixel((100, 10)), rgb.getpixel((100, 140))
    assert top[0] > 200 and top[2] < 60, top        # red at the top
    assert bottom[2] > 200 and bottom[0] < 60, bottom


def test_the_sideways_sample_photo_is_published_upright(sample_site: Path) -> None:
    variants = sorted((sample_site / "media" / "photos").glob("xiufeng-wangge-*-640.webp"))
    assert variants, "the sideways sample photo was published"
    with Image.open(variants[0]) as img:
        assert img.size == (640, 480)


def test_every_img_has_alt_size_and_photos_a_srcset(sample_site: Path) -> None:
    photos_seen = 0
    for page in html_files(sample_site):
        for img in parse_html(page).find_all("img"):
            where = f"{page.relative_to(sample_site)}: {img.attrs.get('src')}"
            assert "alt" in img.attrs, where
            src = img.attrs.get("src") or ""
            if "media/photos/" in src:
                photos_seen += 1
                assert img.attrs.get("width") and img.attrs.get("height"), where
                assert img.attrs.get("srcset") and img.attrs.get("sizes"), where
                assert img.attrs.get("decoding") == "async", where
                # every file the srcset names exists
                for part in img.attrs["srcset"].split(", "):
                    assert (page.parent / unquote(part.split(" ")[0])).resolve().is_file(), where
    assert photos_seen >= 11, photos_seen


def test_site_page_gallery_figures_with_caption_alt_and_a_larger_view(sample_site: Path) -> None:
    page = sample_site / "sites" / "wuling-dongjiang-binjiang-shequ" / "index.html"
    figures = [f for f in parse_html(page).find_all("figure") if "sc-photo" in f.classes()]
    assert len(figures) == 2
    first = figures[0]
    img = first.find("img")
    assert img.attrs["alt"] == "滨江社区党群服务中心外景，门前挂着红色横幅，居民正在进出"
    assert first.find("figcaption").text() == "滨江社区党群服务中心"
    assert img.attrs["loading"] == "lazy"
    assert first.find("source").attrs["type"] == "image/webp"
    zoom = first.find("a", "sc-zoom")
    assert zoom.attrs["href"].endswith("-1600.jpg")
    assert (page.parent / zoom.attrs["href"]).resolve().is_file()
    # width/height say the real shape of the file the img names
    with Image.open((page.parent / img.attrs["src"]).resolve()) as shown:
        assert shown.size == (int(img.attrs["width"]), int(img.attrs["height"]))


def test_cards_show_a_cover_photo_where_one_exists(sample_site: Path) -> None:
    cards = [a for a in parse_html(sample_site / "sites" / "index.html").find_all("article")
             if "sc-card" in a.classes()]
    with_cover = [c for c in cards if c.find_all("img")]
    assert 10 <= len(with_cover) < len(cards)
    for card in with_cover:
        img = card.find("img")
        assert img.attrs["alt"] == ""  # decorative: the card's title says what it is
        assert "sc-card__cover" in img.classes() and img.attrs["sizes"] == "6rem"


def test_an_experience_body_places_a_photo(sample_site: Path) -> None:
    page = sample_site / "experiences" / "ziling-hongse-wuye-sanfang-liandong" / "index.html"
    html = page.read_text(encoding="utf-8")
    assert "ziling-yishi-huodong-" in html
    assert 'src="photos/' not in html  # the Markdown path was resolved, never left broken
    figure = next(f for f in parse_html(page).find_all("figure") if "ziling-yishi-huodong" in str(f.find("img").attrs))
    assert figure.find("img").attrs["alt"].startswith("紫菱社区“党员议事日”上")


# ---------------------------------------------------------------- validation

def _validate(data: Path) -> str:
    result = run_showcase("validate", "--data", str(data), cwd=data.parent)
    return result.stdout + result.stderr


def _jpeg(path: Path, size: tuple[int, int] = (800, 600)) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, (120, 90, 60)).save(path, "JPEG")


def test_a_published_photo_needs_alt_text_a_draft_does_not(tmp_path: Path) -> None:
    data = copy_minimal(tmp_path)
    site = data / "sites" / "2024" / "chengnan-taohua-cun.yml"
    text = site.read_text(encoding="utf-8")
    line = text.splitlines().index("  - file: photos/taohua-dangri.jpg") + 1
    site.write_text(re.sub(r"\n    alt: [^\n]*", "", text), encoding="utf-8")
    out = _validate(data)
    assert f"chengnan-taohua-cun.yml:{line}:" in out and "缺少替代文字（alt）" in out, out
    # the same photo on a draft experience is not published: no error
    shutil.copy(data.parent / "minimal" / "media" / "photos" / "taohua-dangri.jpg",
                data / "media" / "photos" / "draft.jpg")
    draft = next((data / "experiences").rglob("shiyan-hongse-ketang.yml"))
    draft.write_text(draft.read_text(encoding="utf-8") + "photos:\n  - file: photos/draft.jpg\n",
                     encoding="utf-8")
    assert "draft.jpg" not in _validate(data)


@pytest.mark.parametrize("reference, expected", [
    ("![议事会](photos/none.jpg)", "找不到照片文件 media/photos/none.jpg"),
    ("![议事会](https://example.com/a.jpg)", "网站不会加载其他网站的图片"),
    ("![](photos/body.jpg)", "没有说明"),
    ("![议事会](photos/../../secret.jpg)", "必须是 media/ 目录中的相对路径"),
    ("![议事会](photos/page.md)", "不是照片"),
])
def test_a_photo_in_a_body_file_is_checked_with_its_line(tmp_path: Path, reference: str,
                                                         expected: str) -> None:
    data = copy_minimal(tmp_path)
    _jpeg(data / "media" / "photos" / "body.jpg")
    yml = next((data / "experiences").rglob("taohua-jifen-guanli.yml"))
    body = yml.with_suffix(".md")
    assert body.is_file(), "the minimal fixture's experience has its body in a .md file"
    lines = body.read_text(encoding="utf-8").splitlines()
    lines[3:3] = ["", reference, ""]
    body.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = _validate(data)
    shown = body.relative_to(tmp_path).as_posix()
    assert re.search(rf"{re.escape(shown)}:5:1: error: .*{re.escape(expected)}", out), out


def test_a_photo_in_an_inline_body_is_checked_with_its_line(tmp_path: Path) -> None:
    data = copy_minimal(tmp_path)
    yml = next(p for p in (data / "experiences").rglob("*.yml")
               if "body: |" in p.read_text(encoding="utf-8"))
    lines = yml.read_text(encoding="utf-8").splitlines()
    at = lines.index("body: |")
    lines[at + 1:at + 1] = ["  ![活动现场](photos/missing.jpg)", ""]
    yml.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = _validate(data)
    assert f"{yml.name}:{at + 2}:1: error: " in out and "missing.jpg" in out, out


def test_a_good_body_photo_validates_and_is_published(tmp_path: Path) -> None:
    data = copy_minimal(tmp_path)
    _jpeg(data / "media" / "photos" / "body photo.jpg", (1200, 900))
    yml = next((data / "experiences").rglob("taohua-jifen-guanli.yml"))
    body = yml.with_suffix(".md")
    body.write_text(body.read_text(encoding="utf-8")
                    + "\n![积分超市里村民兑换物品](photos/body%20photo.jpg)\n", encoding="utf-8")
    assert "error" not in _validate(data)
    site = tmp_path / "site"
    result = run_showcase("build", "--data", str(data), "--out", str(site), "--no-pdf",
                          "--as-of", "2026-11-28", timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    page = site / "experiences" / "taohua-jifen-guanli" / "index.html"
    imgs = [i for i in parse_html(page).find_all("img") if "body" in i.attrs.get("src", "")]
    assert imgs and imgs[0].attrs["alt"] == "积分超市里村民兑换物品"
    assert (page.parent / unquote(imgs[0].attrs["src"])).resolve().is_file()


# ---------------------------------------------------------------- cache and serve

def _photo_set(tmp_path: Path, count: int = 3) -> tuple[Path, list[str]]:
    media = tmp_path / "media"
    names = []
    for i in range(count):
        name = f"photos/p{i}.jpg"
        _jpeg(media / name, (2000 + i * 10, 1500))
        names.append(name)
    return media, names


def test_a_warm_build_does_no_image_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    media, names = _photo_set(tmp_path)
    cache = PhotoCache(tmp_path / "cache")
    first = plan(names, cache, media)
    assert cache.make(first.web_jobs()) == 3
    files = first.web_files()
    assert all(p.is_file() for p in files.values())

    def no_work(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("image work in a warm build")

    monkeypatch.setattr("generator.media.cache.render", no_work)
    monkeypatch.setattr("generator.media.cache.upright_size", no_work)
    again = PhotoCache(tmp_path / "cache")  # a new build: a new process would read the index
    second = plan(names, again, media)
    assert again.make(second.web_jobs()) == 0
    assert second.web_files() == files


def test_a_changed_photo_or_setting_gets_new_files(tmp_path: Path) -> None:
    media, names = _photo_set(tmp_path, 1)
    cache = PhotoCache(tmp_path / "cache")
    before = plan(names, cache, media).photos[names[0]]
    _jpeg(media / names[0], (2400, 1800))
    after = plan(names, cache, media).photos[names[0]]
    assert before.digest != after.digest
    assert {v.path for v in before.web}.isdisjoint(v.path for v in after.web)
    target = before.web[0].target
    assert cache.file(before.digest, target) != cache.file(
        before.digest, Target(target.width, target.height, target.format, target.quality + 1))


def test_widths_never_exceed_the_original(tmp_path: Path) -> None:
    media = tmp_path / "media"
    _jpeg(media / "photos/small.jpg", (500, 400))
    photo = plan(["photos/small.jpg"], PhotoCache(tmp_path / "c"), media).photos["photos/small.jpg"]
    assert sorted({v.width for v in photo.web}) == [320, 500]


def test_serve_makes_a_variant_when_it_is_asked_for(tmp_path: Path) -> None:
    from generator.engines.serve import photo_server

    media, names = _photo_set(tmp_path, 1)
    photos = plan(names, PhotoCache(tmp_path / "cache"), media)
    variant = photos.photos[names[0]].web[1]
    cached = photos.cache.file(photos.photos[names[0]].digest, variant.target)
    assert not cached.exists()
    fallthrough: list[str] = []

    def static(environ: dict[str, str], start_response: object) -> list[bytes]:
        fallthrough.append(environ["PATH_INFO"])
        return [b"static"]

    handler = photo_server(static, "/", lambda: photos)
    status: list[str] = []
    body = handler({"PATH_INFO": "/" + variant.path}, lambda s, h: status.append(s))
    assert status == ["200 OK"] and cached.is_file()
    with Image.open(io.BytesIO(b"".join(body))) as img:
        assert img.size == (variant.width, variant.height)
    assert handler({"PATH_INFO": "/sites/"}, lambda s, h: None) == [b"static"]
    assert fallthrough == ["/sites/"]


def test_originals_are_published_only_when_program_yml_says_so(tmp_path: Path) -> None:
    data = copy_minimal(tmp_path)
    program = data / "program.yml"
    program.write_text(program.read_text(encoding="utf-8") + "publish_original_photos: true\n",
                       encoding="utf-8")
    site = tmp_path / "site"
    result = run_showcase("build", "--data", str(data), "--out", str(site), "--no-pdf",
                          "--as-of", "2026-11-28", timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    original = data / "media" / "photos" / "taohua-dangri.jpg"
    assert (site / "media" / "photos" / "taohua-dangri.jpg").read_bytes() == original.read_bytes()
    page = (site / "sites" / "chengnan-taohua-cun" / "index.html").read_text(encoding="utf-8")
    assert 'data-original="../../media/photos/taohua-dangri.jpg"' in page


# ---------------------------------------------------------------- print

def test_print_variants_fit_300_dpi_and_small_photos_are_reported(tmp_path: Path) -> None:
    """The PDF embeds each photo with enough pixels for 300 dpi at its printed size and no
    more; the fixture's 800×500 placeholders would print at ~120 dpi: the editors are told."""
    import pypdf

    from generator.data.loader import load
    from generator.pdf import render_compilation
    from generator.rules.audience import view

    data = tmp_path / "pdf"
    shutil.copytree(Path(__file__).parent / "fixtures" / "pdf", data)
    big = data / "media" / "photos" / "daoyuan-daotian.jpg"
    shutil.copy(SAMPLE / "media" / "photos" / "daoyuan-daotian.jpg", big)  # 4000×3000
    public = view(load(data), "public")
    result = render_compilation(public, "2025-jingyan-huibian", tmp_path / "c.pdf")
    sizes = sorted({img.image.size for page in pypdf.PdfReader(result.path).pages
                    for img in page.images})
    # the big photo, reduced to the print box (166 × 120 mm at 300 dpi): 1893 × 1420
    assert (round(4000 * PRINT_BOX[1] / 3000), PRINT_BOX[1]) in sizes, sizes
    assert all(w <= PRINT_BOX[0] and h <= PRINT_BOX[1] for w, h in sizes), sizes
    assert (4000, 3000) not in sizes
    small = [w for w in result.warnings if "印出来会发虚" in w]
    assert any("ziling-hongse-wuye.jpg 只有 800×500 像素" in w for w in small), result.warnings
    assert not any("daoyuan-daotian.jpg" in w for w in small), small


def test_a_variant_has_the_same_bytes_however_it_was_made(tmp_path: Path) -> None:
    """Builds are reproducible: a variant first asked for by the preview, or remade after
    one file of the cache was lost, is byte for byte what a build from an empty cache makes
    (each width is made from the next larger one, so a photo's widths are made together)."""
    from generator.engines.serve import photo_server

    media, names = tmp_path / "media", ["photos/daoyuan-daotian.jpg"]  # a textured photo
    (media / "photos").mkdir(parents=True)
    shutil.copy(SAMPLE / "media" / names[0], media / names[0])
    built = plan(names, PhotoCache(tmp_path / "built"), media)
    built.cache.make(built.web_jobs())
    reference = {path: file.read_bytes() for path, file in built.web_files().items()}

    served = plan(names, PhotoCache(tmp_path / "served"), media)
    variant = served.photos[names[0]].web[1]
    body = photo_server(lambda e, s: [], "/", lambda: served)(
        {"PATH_INFO": "/" + variant.path}, lambda s, h: None)
    assert b"".join(body) == reference[variant.path]
    served.cache.make(served.web_jobs())
    assert {p: f.read_bytes() for p, f in served.web_files().items()} == reference

    lost = built.web_files()[variant.path]
    lost.unlink()
    again = plan(names, PhotoCache(tmp_path / "built"), media)
    again.cache.make(again.web_jobs())
    assert lost.read_bytes() == reference[variant.path]
