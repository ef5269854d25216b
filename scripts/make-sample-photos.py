#!/usr/bin/env python3
"""Make the sample data's photos: synthetic, photo-sized, with the metadata real phone
photos carry (GPS position, time, device, owner, an XMP packet, a comment).

The sample must show what the photo pipeline does — resize a 4000×3000 original of a few
megabytes, turn it upright, strip everything that says where, when and by whom — without
shipping anyone's real photo. Deterministic: the same files every run (fixed seeds).

    .venv/bin/python scripts/make-sample-photos.py            # into sites_data/media/photos
    .venv/bin/python scripts/make-sample-photos.py --out DIR --count 6   # for benchmarks
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

ROOT = Path(__file__).resolve().parents[1]

# (file, palette: sky, ground, accent) — one per sample photo, named as the records use them.
SAMPLE = [
    ("binjiang-dangqun.jpg", ((150, 190, 225), (120, 118, 110), (190, 30, 35))),
    ("binjiang-yishitang.jpg", ((230, 225, 215), (150, 110, 80), (200, 40, 40))),
    ("kuaidi-xiaoge-yizhan.jpg", ((170, 200, 230), (90, 95, 100), (230, 120, 30))),
    ("deshan-chuangxin-gongzuoshi.jpg", ((205, 210, 215), (70, 80, 90), (30, 110, 180))),
    ("xiufeng-wangge.jpg", ((160, 195, 230), (110, 125, 95), (200, 35, 40))),
    ("ziling-hongse-wuye.jpg", ((175, 205, 235), (140, 130, 120), (205, 30, 30))),
    ("daoyuan-daotian.jpg", ((140, 185, 235), (110, 150, 60), (230, 200, 60))),
    ("qinglonggang-shucai-jidi.jpg", ((150, 190, 230), (80, 140, 70), (200, 60, 50))),
    ("jinxia-zhangzhe-shitang.jpg", ((225, 215, 200), (160, 120, 90), (210, 90, 40))),
    ("chayuanping-chayuan.jpg", ((165, 200, 225), (60, 120, 60), (120, 170, 80))),
    ("yibao-xianfenggang.jpg", ((220, 225, 230), (120, 120, 125), (190, 30, 40))),
    ("ziling-yishi-huodong.jpg", ((230, 220, 205), (130, 100, 80), (200, 40, 40))),
]
# Fictional owner and a place in the sample's city (Changde): what must never be published.
OWNER = "示例拍摄人 王某某"
OWNER_ASCII = "Wang Moumou (sample photographer)"  # EXIF text is ASCII only
GPS_CITY = (29.0316, 111.6985)
# One photo is stored sideways with EXIF orientation 6 (as phones do when held upright).
SIDEWAYS = {"xiufeng-wangge.jpg"}


def _dms(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes_full = (value - degrees) * 60
    minutes = int(minutes_full)
    return (float(degrees), float(minutes), round((minutes_full - minutes) * 60, 2))


def scene(size: tuple[int, int], palette: tuple[tuple[int, int, int], ...], seed: int) -> Image.Image:
    """A street or field scene of sorts: sky, ground, buildings or rows, a red banner,
    people-sized shapes, grain. Enough texture to compress like a photo."""
    rng = random.Random(seed)
    width, height = size
    sky, ground, accent = palette
    img = Image.new("RGB", size, sky)
    draw = ImageDraw.Draw(img)
    horizon = int(height * rng.uniform(0.42, 0.58))
    for y in range(horizon):  # sky: lighter towards the horizon
        t = y / max(1, horizon)
        draw.line([(0, y), (width, y)], fill=tuple(int(c + (255 - c) * 0.35 * t) for c in sky))
    for y in range(horizon, height):  # ground: darker towards the viewer
        t = (y - horizon) / max(1, height - horizon)
        draw.line([(0, y), (width, y)], fill=tuple(int(c * (1 - 0.35 * t)) for c in ground))
    for _ in range(rng.randint(5, 9)):  # buildings or tree lines on the horizon
        w = rng.randint(width // 12, width // 4)
        x = rng.randint(-w // 2, width)
        h = rng.randint(height // 10, height // 3)
        shade = tuple(max(0, min(255, c + rng.randint(-40, 40))) for c in ground)
        draw.rectangle([x, horizon - h, x + w, horizon + 4], fill=shade)
        for wy in range(horizon - h + 40, horizon - 20, 90):  # windows
            for wx in range(x + 30, x + w - 30, 110):
                draw.rectangle([wx, wy, wx + 45, wy + 50], fill=(235, 230, 200))
    bx = rng.randint(width // 8, width // 2)
    draw.rectangle([bx, horizon - height // 5, bx + width // 3, horizon - height // 5 + height // 18],
                   fill=accent)  # a banner
    for _ in range(rng.randint(8, 16)):  # people
        px = rng.randint(0, width)
        py = rng.randint(horizon + 40, height - 200)
        scale = 0.5 + (py - horizon) / (height - horizon)
        body = tuple(rng.randint(30, 220) for _ in range(3))
        draw.ellipse([px, py, px + 60 * scale, py + 60 * scale], fill=(225, 190, 160))
        draw.rectangle([px - 20 * scale, py + 60 * scale, px + 80 * scale, py + 260 * scale], fill=body)
    img = img.filter(ImageFilter.GaussianBlur(0.8))
    # Texture at every scale (leaves, brickwork, fabric) survives resizing as real detail
    # does; the finest layer is sensor grain. Without it a resized variant would be far
    # smaller than a real photo's and the byte figures of benchmarks/photos.py too rosy.
    for divisor, weight in ((48, 0.10), (12, 0.10), (3, 0.10), (1, 0.08)):
        small = (max(1, width // divisor), max(1, height // divisor))
        layer = Image.effect_noise(small, 60).convert("RGB").resize(size, Image.Resampling.BICUBIC)
        img = Image.blend(img, layer, weight)
    return img


def exif_for(index: int, sideways: bool) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "ExampleMaker"          # Make
    exif[0x0110] = "Phone 12 Pro"           # Model
    exif[0x013B] = OWNER_ASCII              # Artist
    exif[0x8298] = f"(c) {OWNER_ASCII}"     # Copyright
    exif[0x0132] = f"2026:0{1 + index % 9}:1{index % 10} 09:3{index % 10}:00"  # DateTime
    if sideways:
        exif[0x0112] = 6                    # Orientation: rotate 90° clockwise to view
    lat, lng = GPS_CITY[0] + index * 0.003, GPS_CITY[1] + index * 0.004
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", _dms(lat)
    gps[3], gps[4] = "E", _dms(lng)
    return exif


XMP = ('<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
       '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
       '<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:exif="http://ns.adobe.com/exif/1.0/">'
       f'<dc:creator><rdf:Seq><rdf:li>{OWNER}</rdf:li></rdf:Seq></dc:creator>'
       '<exif:GPSLatitude>29,1.896N</exif:GPSLatitude><exif:GPSLongitude>111,41.91E</exif:GPSLongitude>'
       '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>')


def make(path: Path, palette: tuple[tuple[int, int, int], ...], index: int,
         size: tuple[int, int] = (4000, 3000)) -> None:
    sideways = path.name in SIDEWAYS
    img = scene(size, palette, seed=1000 + index)
    if sideways:  # stored turned left, as the sensor saw it; EXIF says how to turn it back
        img = img.transpose(Image.Transpose.ROTATE_90)
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, "JPEG", quality=85, exif=exif_for(index, sideways), xmp=XMP.encode("utf-8"),
             comment=f"拍摄人：{OWNER}".encode())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "sites_data" / "media" / "photos")
    parser.add_argument("--count", type=int, default=len(SAMPLE),
                        help="how many photos (names repeat the sample's with a number)")
    args = parser.parse_args(argv)
    for i in range(args.count):
        name, palette = SAMPLE[i % len(SAMPLE)]
        if i >= len(SAMPLE):
            name = name.replace(".jpg", f"-{i}.jpg")
        make(args.out / name, palette, i)
        print(f"{args.out / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
