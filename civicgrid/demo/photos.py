"""Generated scene photos for the demo's cases: a street-like picture of coloured shapes with the problem
named on it and the place in its EXIF GPS block, as a phone would send it. No people, nothing real. They
go through the same intake and attachment actions as a phone's photos (cases/uploads/photos.py checks the type from
the bytes, reads the position and strips the metadata from the stored copy)."""

from __future__ import annotations

import io
import random
from fractions import Fraction
from functools import cache

from django.conf import settings
from PIL import Image, ImageDraw, ImageFont

SIZE = (480, 360)  # a stand-in: every photo is drawn, then decoded and re-encoded by the intake checks
SKIES = [(176, 204, 227), (200, 210, 218), (222, 226, 230), (150, 180, 210)]
GROUNDS = [(120, 120, 118), (96, 104, 96), (140, 132, 120), (110, 116, 124)]
WALLS = [(196, 170, 140), (210, 205, 196), (170, 150, 130), (180, 190, 200), (226, 214, 190)]
THINGS = [(200, 60, 50), (60, 120, 190), (230, 180, 40), (70, 150, 80), (90, 90, 90), (240, 240, 240)]


@cache
def _font(size: int):
    try:
        return ImageFont.truetype(settings.PDF_FONT_PATH, size)
    except OSError:  # no CJK font installed: the picture still works, the label falls back
        return ImageFont.load_default()


def _dms(value: float) -> tuple[Fraction, Fraction, Fraction]:
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round((value - degrees - minutes / 60) * 3600, 2)
    return Fraction(degrees), Fraction(minutes), Fraction(seconds).limit_denominator(100)


def scene(rng: random.Random, label: str, *, stamp: str = "", lat: float | None = None,
          lng: float | None = None) -> bytes:
    """A 480×360 JPEG: sky, buildings, ground, a few objects, `label` (and `stamp`, e.g. 处置后) written on it;
    the position, when given, in the EXIF GPS block."""
    width, height = SIZE
    image = Image.new("RGB", SIZE, rng.choice(SKIES))
    draw = ImageDraw.Draw(image)
    horizon = rng.randint(height // 3, height // 2)
    x = -rng.randint(0, 30)
    while x < width:
        w = rng.randint(60, 135)
        top = rng.randint(30, horizon - 15)
        wall = rng.choice(WALLS)
        draw.rectangle((x, top, x + w, horizon), fill=wall, outline=(120, 110, 100))
        for wy in range(top + 9, horizon - 12, 21):
            for wx in range(x + 8, x + w - 12, 20):
                draw.rectangle((wx, wy, wx + 9, wy + 11), fill=(120, 150, 170))
        x += w + rng.randint(0, 15)
    draw.rectangle((0, horizon, width, height), fill=rng.choice(GROUNDS))
    for _ in range(rng.randint(2, 5)):
        cx, cy = rng.randint(30, width - 30), rng.randint(horizon + 22, height - 45)
        r = rng.randint(10, 38)
        shape = rng.choice(("ellipse", "rectangle"))
        getattr(draw, shape)((cx - r, cy - r // 2, cx + r, cy + r // 2), fill=rng.choice(THINGS), outline=(40, 40, 40))
    font = _font(24)
    text = f"{label} {stamp}".strip()
    box = draw.textbbox((0, 0), text, font=font)
    draw.rectangle((9, height - 48, 23 + box[2] - box[0], height - 10), fill=(0, 0, 0))
    draw.text((16, height - 45), text, fill=(255, 255, 255), font=font)
    exif = Image.Exif()
    if lat is not None and lng is not None:
        gps = exif.get_ifd(0x8825)
        gps[1], gps[2] = "N" if lat >= 0 else "S", _dms(lat)
        gps[3], gps[4] = "E" if lng >= 0 else "W", _dms(lng)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=72, exif=exif)
    return out.getvalue()
