"""Is a media reference a real photo inside ``media/``? (SPEC §5 "Photos")

A photo must be a regular file below ``media/`` with no symbolic link anywhere on its
path, a photo extension, contents of that format (magic bytes, not just a name) and pixels
that Pillow can decode within a size cap. Anything else — a page, a script, an SVG, a
truncated upload, a decompression bomb — would be published as if it were a photo, or break
the build later; here it becomes one Chinese message for ``validate``.
"""

from __future__ import annotations

import os
import warnings
from functools import lru_cache
from pathlib import Path, PurePosixPath

EXTENSIONS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP", ".gif": "GIF"}
MAGIC = {
    "JPEG": (b"\xff\xd8\xff",),
    "PNG": (b"\x89PNG\r\n\x1a\n",),
    "GIF": (b"GIF87a", b"GIF89a"),
    "WEBP": (b"RIFF",),  # and "WEBP" at offset 8
}
FORMAT_NAMES = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP", "GIF": "GIF"}
# 120 megapixels: every phone photo up to 108 MP fits; a decompression bomb does not.
MAX_PIXELS = 120_000_000
# A file name may have 255 bytes (ext4, XFS, Btrfs; NTFS 255 UTF-16 units). The build adds
# to a photo's name: its longest derived name is the print variant,
# "<name>-<8 hex digits>-0.print.jpg" (generator/media/variants.py; a test ties the two).
MAX_NAME_BYTES = 255
PRINT_SUFFIX_BYTES = len("-01234567-0.print.jpg")
# Characters Windows cannot have in a file name (the data is edited on Windows too).
_WINDOWS_FORBIDDEN = set('<>:"|?*')


def _sniff(head: bytes) -> str | None:
    for fmt, signatures in MAGIC.items():
        if head.startswith(signatures) and (fmt != "WEBP" or head[8:12] == b"WEBP"):
            return fmt
    return None


def media_name(reference: str) -> str:
    """A reference as written (``photos/x.jpg``, ``media/photos/x.jpg``) → ``photos/x.jpg``."""
    name = reference.strip()
    return name[len("media/"):] if name.startswith("media/") else name


def check_name(name: str) -> str | None:
    """What is wrong with the way the reference is written (None: nothing)."""
    if not name:
        return "没有写文件名。"
    if "\\" in name:
        return f"路径“{name}”中请用“/”分隔文件夹，不要用“\\”。"
    rel = PurePosixPath(name)
    if rel.is_absolute() or ".." in rel.parts or name.startswith("~"):
        return f"路径“{name}”必须是 media/ 目录中的相对路径，例如 photos/dangri.jpg。"
    bad = sorted({c for c in name if c in _WINDOWS_FORBIDDEN})
    if bad:
        return (f"文件名“{name}”中有 Windows 不允许的字符（{' '.join(bad)}），"
                "请给文件改名（只用汉字、字母、数字、“-”和“_”最稳妥）。")
    if any(part != part.strip() or part.endswith(".") for part in rel.parts):
        return f"文件名“{name}”的开头或结尾有空格或句点，请给文件改名。"
    stem = len(rel.stem.encode("utf-8"))
    longest = max([stem + PRINT_SUFFIX_BYTES, *(len(p.encode("utf-8")) for p in rel.parts)])
    if longest > MAX_NAME_BYTES:
        room = MAX_NAME_BYTES - PRINT_SUFFIX_BYTES
        return (f"照片文件名“{name}”太长：网站发布时会在文件名后加上尺寸等信息（最长 {PRINT_SUFFIX_BYTES} 个字符），"
                f"加上后超过系统允许的 {MAX_NAME_BYTES} 字节，网站无法生成。"
                f"请把文件名（不含扩展名）缩短到 {room // 3} 个汉字或 {room} 个字母以内，并同时修改这里的写法。")
    if rel.suffix.lower() not in EXTENSIONS:
        return (f"“{name}”不是照片：只能使用 .jpg、.jpeg、.png、.webp 或 .gif 格式的图片。"
                "其他文件（网页、文档、SVG 等）不能作为照片发布。")
    return None


def symlink_on_path(media: Path, name: str) -> str | None:
    """The first part of ``media/name`` (``media`` itself included) that is a symlink."""
    current = media
    if current.is_symlink():
        return "media"
    for part in PurePosixPath(name).parts:
        current = current / part
        if current.is_symlink():
            return f"media/{PurePosixPath(*current.relative_to(media).parts)}"
    return None


def check_file(media: Path, name: str) -> str | None:
    """What is wrong with the file ``media/name`` as a photo (None: a good photo)."""
    problem = check_name(name)
    if problem:
        return problem
    link = symlink_on_path(media, name)
    if link:
        return (f"{link} 是符号链接（快捷方式）。照片必须是真实存放在 media/ 目录中的文件，"
                "请把文件本身复制进来。")
    path = media / name
    if not path.exists():
        return (f"找不到照片文件 media/{name}。请检查文件名（区分大小写）"
                "并确认文件已放入 media/ 目录。")
    if not path.is_file():
        return f"media/{name} 不是普通文件。照片必须是一个图片文件。"
    return content_problem(path, f"media/{name}")


def content_problem(path: Path, shown: str) -> str | None:
    """Whether the file ``path`` (shown to the user as ``shown``, whose extension counts) is
    an image of the format its extension names that decodes — the check of a photo file's
    bytes, for ``validate`` and for the editor's uploads alike."""
    suffix = PurePosixPath(shown).suffix
    expected = EXTENSIONS.get(suffix.lower())
    try:
        with open(path, "rb") as f:
            head = f.read(16)
    except OSError as exc:
        return f"无法读取 {shown}（{exc.strerror}）。"
    actual = _sniff(head)
    if actual is None:
        return (f"{shown} 的内容不是图片（扩展名是 {suffix}，"
                "但文件内容不是 JPEG、PNG、WebP 或 GIF）。请用看图软件打开确认，重新导出为 JPEG。")
    if actual != expected:
        return (f"{shown} 的扩展名与内容不符：文件实际是 {FORMAT_NAMES[actual]} 格式。"
                f"请把扩展名改为 .{FORMAT_NAMES[actual].lower().replace('jpeg', 'jpg')}。")
    return decode_problem(path, shown)


def decode_problem(path: Path, shown: str) -> str | None:
    """Whether Pillow can decode the whole image within :data:`MAX_PIXELS` (decoded once
    per file version, however many records show the photo)."""
    info = path.stat()
    return _decode_problem(path, shown, info.st_size, info.st_mtime_ns)


@lru_cache(maxsize=8192)
def _decode_problem(path: Path, shown: str, size: int, mtime_ns: int) -> str | None:
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                width, height = img.size
                if width * height > MAX_PIXELS:
                    return (f"{shown} 太大（{width}×{height} 像素）。请先把照片缩小到 "
                            f"{MAX_PIXELS // 1_000_000} 百万像素以内（例如长边 8000 像素）。")
                if img.format == "JPEG":
                    # Decoding at 1/8 scale still reads every byte of the compressed data:
                    # a truncated or corrupt file fails here, ten times faster than a full decode.
                    img.draft("RGB", (max(1, width // 8), max(1, height // 8)))
                img.load()
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        return (f"{shown} 太大：像素数远超上限（{MAX_PIXELS // 1_000_000} 百万像素），"
                "可能是损坏或恶意构造的文件，不能作为照片。")
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError) as exc:
        detail = "文件不完整" if "truncated" in str(exc).lower() else "文件已损坏或无法解码"
        return f"{shown} 无法作为图片打开（{detail}）。请用看图软件打开确认，重新导出或重新拷贝该照片。"
    return None


def symlinks_below(root: Path) -> list[Path]:
    """Every symbolic link inside ``root`` (files and folders; links are not followed)."""
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        for name in sorted(dirnames + filenames):
            path = Path(dirpath) / name
            if path.is_symlink():
                found.append(path)
        dirnames[:] = sorted(d for d in dirnames if not (Path(dirpath) / d).is_symlink())
    return found
