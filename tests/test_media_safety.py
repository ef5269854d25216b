"""Only real images are media, and nothing in the data folder is a symbolic link (SPEC §5).

Every case is caught by ``validate`` with the file and line of the reference, before any
build; the counterpart (a good photo with an awkward name) is published with a working link.
"""

from __future__ import annotations

import io
import os
import struct
import zlib
from pathlib import Path
from urllib.parse import unquote

import pytest
from conftest import copy_minimal, run_showcase
from PIL import Image
from test_site_support import build_ok

from generator.data import loader, mediacheck
from generator.data.mediacheck import MAX_PIXELS

SITE = "sites/2024/chengnan-taohua-cun.yml"
PHOTO_LINE = 81  # "  - file: photos/taohua-dangri.jpg"
EXPERIENCE = "experiences/2024/taohua-jifen-guanli"


def refer_to(data: Path, name: str) -> None:
    site = data / SITE
    text = site.read_text(encoding="utf-8")
    assert "file: photos/taohua-dangri.jpg" in text
    site.write_text(text.replace("file: photos/taohua-dangri.jpg", f'file: "{name}"'),
                    encoding="utf-8")


def errors_of(data: Path) -> list[str]:
    return [str(p) for p in loader.load(data).errors]


def jpeg_bytes(size: tuple[int, int] = (64, 48)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, "JPEG")
    return buf.getvalue()


def png_bytes(size: tuple[int, int] = (64, 48)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (30, 30, 200)).save(buf, "PNG")
    return buf.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width``×``height`` pixels (a decompression bomb's
    calling card: Pillow reads the size before any pixel)."""
    raw = png_bytes((1, 1))
    ihdr_at = raw.index(b"IHDR")
    body = struct.pack(">II", width, height) + raw[ihdr_at + 12: ihdr_at + 17]
    chunk = b"IHDR" + body
    crc = struct.pack(">I", zlib.crc32(chunk) & 0xFFFFFFFF)
    return raw[:ihdr_at] + chunk + crc + raw[ihdr_at + 21:]


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("photos/page.md", b"<script>alert(1)</script>\n", "不是照片"),
    ("photos/page.html", b"<html><script>alert(1)</script></html>", "不是照片"),
    ("photos/logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "不是照片"),
    ("photos/notes.jpg", b"just some text, renamed to .jpg\n", "内容不是图片"),
    ("photos/really-png.jpg", None, "扩展名与内容不符"),
    ("photos/truncated.jpg", None, "无法作为图片打开"),
    ("photos/bomb.png", None, "太大"),
    ("photos/a?b.jpg", None, "Windows 不允许的字符"),
    ("photos/missing.jpg", False, "找不到照片文件"),
], ids=["markdown", "html", "svg", "text-as-jpg", "png-as-jpg", "truncated", "bomb",
        "windows-name", "missing"])
def test_a_photo_must_be_a_real_image(tmp_path: Path, name: str, content: bytes | bool | None,
                                      expected: str) -> None:
    data = bad_photo_data(tmp_path, name, content)
    errors = errors_of(data)
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"minimal/{SITE}:{PHOTO_LINE}:"), errors[0]
    assert expected in errors[0], errors[0]


@pytest.mark.parametrize("name", ["photos/page.html", "photos/truncated.jpg", "photos/missing.jpg"])
def test_a_build_with_a_bad_photo_stops_and_writes_nothing(tmp_path: Path, name: str) -> None:
    data = bad_photo_data(tmp_path, name, {"photos/page.html": b"<html></html>",
                                           "photos/missing.jpg": False}.get(name))
    result = run_showcase("build", "--data", str(data), "--out", str(tmp_path / "site"),
                          "--no-pdf")
    assert result.returncode == 1 and not (tmp_path / "site").exists()
    assert "Traceback" not in result.stderr


def bad_photo_data(tmp_path: Path, name: str, content: bytes | bool | None) -> Path:
    data = copy_minimal(tmp_path)
    if content is None:
        content = {"photos/really-png.jpg": png_bytes(),
                   "photos/truncated.jpg": jpeg_bytes((400, 300))[:600],
                   "photos/bomb.png": png_claiming(40_000, 40_000),
                   "photos/a?b.jpg": jpeg_bytes()}[name]
    if content is not False:
        assert isinstance(content, bytes)
        (data / "media" / name).write_bytes(content)
    refer_to(data, name)
    return data


def test_the_bomb_would_really_exceed_the_cap() -> None:
    raw = png_claiming(40_000, 40_000)
    width, height = struct.unpack(">II", raw[16:24])
    assert width * height > MAX_PIXELS and len(raw) < 200


def _link(link: Path, target: Path) -> None:
    link.symlink_to(target, target_is_directory=target.is_dir())


@pytest.mark.parametrize("position", ["media folder", "sub-folder", "photo file"])
def test_a_symlink_anywhere_on_a_photo_path_is_refused(tmp_path: Path, position: str) -> None:
    data = copy_minimal(tmp_path)
    outside = tmp_path / "outside"
    (outside / "photos").mkdir(parents=True)
    (outside / "photos" / "taohua-dangri.jpg").write_bytes(jpeg_bytes())
    media = data / "media"
    if position == "media folder":
        os.rename(media, tmp_path / "old-media")
        _link(media, outside)
    elif position == "sub-folder":
        os.rename(media / "photos", tmp_path / "old-photos")
        _link(media / "photos", outside / "photos")
    else:
        (media / "photos" / "taohua-dangri.jpg").unlink()
        _link(media / "photos" / "taohua-dangri.jpg", outside / "photos" / "taohua-dangri.jpg")
    errors = errors_of(data)
    assert any(e.startswith(f"minimal/{SITE}:{PHOTO_LINE}:") and "符号链接" in e
               for e in errors), errors
    assert any("符号链接" in e and not e.startswith(f"minimal/{SITE}") for e in errors), errors


@pytest.mark.parametrize("position", ["site file", "site folder", "experience body",
                                      "program.yml", "sites folder", "unused media file"])
def test_a_symlink_in_the_data_folder_is_a_located_error(tmp_path: Path, position: str) -> None:
    data = copy_minimal(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    if position == "site file":
        target = outside / "linked-site.yml"
        target.write_text((data / SITE).read_text(encoding="utf-8"), encoding="utf-8")
        link, shown = data / "sites" / "2024" / "linked-site.yml", "sites/2024/linked-site.yml"
    elif position == "site folder":
        (outside / "more").mkdir()
        target, link, shown = outside / "more", data / "sites" / "more", "sites/more"
    elif position == "experience body":
        md = data / f"{EXPERIENCE}.md"
        target = outside / "body.md"
        target.write_text("# 正文\n\n在数据目录之外的正文。\n", encoding="utf-8")
        md.unlink()
        link, shown = md, f"{EXPERIENCE}.md"
    elif position == "program.yml":
        target = outside / "program.yml"
        target.write_bytes((data / "program.yml").read_bytes())
        (data / "program.yml").unlink()
        link, shown = data / "program.yml", "program.yml"
    elif position == "sites folder":
        os.rename(data / "sites", outside / "sites")
        target, link, shown = outside / "sites", data / "sites", "sites"
    else:
        target = outside / "secret.jpg"
        target.write_bytes(jpeg_bytes())
        link, shown = data / "media" / "secret.jpg", "media/secret.jpg"
    _link(link, target)
    errors = errors_of(data)
    assert f"minimal/{shown}:1:1: error: " in "\n".join(errors), errors
    assert any(e.startswith(f"minimal/{shown}:1:1:") and "符号链接" in e for e in errors), errors


def test_a_photo_name_with_spaces_and_hash_gets_a_working_link(tmp_path: Path) -> None:
    data = copy_minimal(tmp_path)
    name = "photos/党日 活动 #1 100%.jpg"
    (data / "media" / name).write_bytes(jpeg_bytes())
    refer_to(data, name)
    assert errors_of(data) == []
    site = build_ok(data, tmp_path / "site")
    page = (site / "sites" / "chengnan-taohua-cun" / "index.html").read_text(encoding="utf-8")
    srcs = [part.split('"', 1)[0] for part in page.split('src="')[1:]]
    photos = [s for s in srcs if "media/" in s]
    assert photos, srcs
    for src in photos:
        assert " " not in src and "#" not in src, src
        target = (site / "sites" / "chengnan-taohua-cun" / unquote(src)).resolve()
        assert target.is_file(), src


@pytest.mark.parametrize(("reference", "name"), [
    ("photos/x.jpg", "photos/x.jpg"),
    ("media/photos/x.jpg", "photos/x.jpg"),
    ("  media/x.jpg ", "x.jpg"),
    ("photos/media/x.jpg", "photos/media/x.jpg"),
    ("Media/x.jpg", "Media/x.jpg"),
    ("media", "media"),
])
def test_a_photo_reference_may_start_with_media(reference: str, name: str) -> None:
    assert mediacheck.media_name(reference) == name


# ---------------------------------------------------------------- the checks, word for word

@pytest.mark.parametrize(("name", "message"), [
    ("", "没有写文件名。"),
    ("photos\\x.jpg", "路径“photos\\x.jpg”中请用“/”分隔文件夹，不要用“\\”。"),
    ("/etc/x.jpg", "路径“/etc/x.jpg”必须是 media/ 目录中的相对路径，例如 photos/dangri.jpg。"),
    ("../x.jpg", "路径“../x.jpg”必须是 media/ 目录中的相对路径，例如 photos/dangri.jpg。"),
    ("~x.jpg", "路径“~x.jpg”必须是 media/ 目录中的相对路径，例如 photos/dangri.jpg。"),
    ("a?b*.jpg", "文件名“a?b*.jpg”中有 Windows 不允许的字符（* ?），"
                 "请给文件改名（只用汉字、字母、数字、“-”和“_”最稳妥）。"),
    ("photos/x.jpg ", "文件名“photos/x.jpg ”的开头或结尾有空格或句点，请给文件改名。"),
    ("photos./x.jpg", "文件名“photos./x.jpg”的开头或结尾有空格或句点，请给文件改名。"),
    ("x.svg", "“x.svg”不是照片：只能使用 .jpg、.jpeg、.png、.webp 或 .gif 格式的图片。"
              "其他文件（网页、文档、SVG 等）不能作为照片发布。"),
    ("x.", "文件名“x.”的开头或结尾有空格或句点，请给文件改名。"),
    ("photos/a~b.JPG", None),
    ("a.b/x.jpeg", None),
])
def test_check_name(name: str, message: str | None) -> None:
    assert mediacheck.check_name(name) == message


def webp_head(kind: bytes = b"WEBP") -> bytes:
    return b"RIFF\x00\x00\x00\x00" + kind + b"VP8 "


@pytest.mark.parametrize(("head", "fmt"), [
    (b"\xff\xd8\xff\xe0", "JPEG"), (b"\x89PNG\r\n\x1a\n\x00", "PNG"), (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"), (webp_head(), "WEBP"), (webp_head(b"WAVE"), None),
    (b"RIFF", None), (b"<svg", None), (b"", None)])
def test_sniff(head: bytes, fmt: str | None) -> None:
    assert mediacheck._sniff(head) == fmt


def test_check_file_messages(tmp_path: Path) -> None:
    media = tmp_path / "media"
    (media / "photos").mkdir(parents=True)
    (media / "photos" / "real.png").write_bytes(png_bytes())
    assert mediacheck.check_file(media, "photos/real.png") is None
    (media / "photos" / "png.jpg").write_bytes(png_bytes())
    assert mediacheck.check_file(media, "photos/png.jpg") == (
        "media/photos/png.jpg 的扩展名与内容不符：文件实际是 PNG 格式。请把扩展名改为 .png。")
    (media / "photos" / "jpeg.webp").write_bytes(jpeg_bytes())
    assert mediacheck.check_file(media, "photos/jpeg.webp") == (
        "media/photos/jpeg.webp 的扩展名与内容不符：文件实际是 JPEG 格式。请把扩展名改为 .jpg。")
    (media / "photos" / "riff.webp").write_bytes(webp_head() + b"\x00" * 64)
    assert mediacheck.check_file(media, "photos/riff.webp") == (
        "media/photos/riff.webp 无法作为图片打开（文件已损坏或无法解码）。"
        "请用看图软件打开确认，重新导出或重新拷贝该照片。")
    (media / "photos" / "dir.jpg").mkdir()
    assert mediacheck.check_file(media, "photos/dir.jpg") == (
        "media/photos/dir.jpg 不是普通文件。照片必须是一个图片文件。")
    assert mediacheck.check_file(media, "photos/none.jpg") == (
        "找不到照片文件 media/photos/none.jpg。请检查文件名（区分大小写）并确认文件已放入 media/ 目录。")
    (media / "linked.png").symlink_to(media / "photos" / "real.png")
    assert mediacheck.check_file(media, "linked.png") == (
        "media/linked.png 是符号链接（快捷方式）。照片必须是真实存放在 media/ 目录中的文件，"
        "请把文件本身复制进来。")
    assert mediacheck.check_file(media, "x.svg") == mediacheck.check_name("x.svg")


def test_a_linked_media_folder_is_named_as_media(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "media").symlink_to(real)
    assert mediacheck.symlink_on_path(tmp_path / "media", "x.jpg") == "media"
    assert mediacheck.symlink_on_path(real, "x.jpg") is None
