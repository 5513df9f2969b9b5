"""Listing photos drawn locally with Pillow, so the demo needs no download."""

import io

from PIL import Image, ImageDraw, ImageFont


def _font(size: int):
    for name in ("DejaVuSans-Bold.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def draw_photo(title: str, colors: tuple[str, str], motif: str, size=(800, 600)) -> bytes:
    """Return a JPEG: a two-colour gradient, a simple motif and the title."""
    w, h = size
    top, bottom = Image.new("RGB", size, colors[0]), Image.new("RGB", size, colors[1])
    mask = Image.linear_gradient("L").resize(size)
    img = Image.composite(bottom, top, mask)
    d = ImageDraw.Draw(img)
    white = (255, 255, 255)
    cx, cy = w // 2, h // 2 - 30
    if motif == "bike":
        for x in (cx - 150, cx + 150):
            d.ellipse((x - 95, cy - 35, x + 95, cy + 155), outline=white, width=12)
        d.line((cx - 150, cy + 60, cx - 20, cy - 60, cx + 100, cy - 60, cx + 150, cy + 60), fill=white, width=12)
        d.line((cx - 20, cy - 60, cx + 20, cy + 60, cx - 150, cy + 60), fill=white, width=12)
        d.line((cx + 100, cy - 60, cx + 90, cy - 110, cx + 140, cy - 110), fill=white, width=10)
    elif motif == "lamp":
        d.polygon((cx - 120, cy - 40, cx + 120, cy - 40, cx + 70, cy - 150, cx - 70, cy - 150), fill=white)
        d.rectangle((cx - 10, cy - 40, cx + 10, cy + 120), fill=white)
        d.ellipse((cx - 90, cy + 110, cx + 90, cy + 150), fill=white)
    elif motif == "camera":
        d.rounded_rectangle((cx - 190, cy - 100, cx + 190, cy + 130), radius=30, outline=white, width=12)
        d.ellipse((cx - 85, cy - 70, cx + 85, cy + 100), outline=white, width=12)
        d.rectangle((cx - 150, cy - 135, cx - 70, cy - 100), fill=white)
    elif motif == "chair":
        d.rectangle((cx - 90, cy - 160, cx - 70, cy + 150), fill=white)
        d.rectangle((cx - 90, cy + 10, cx + 110, cy + 35), fill=white)
        d.rectangle((cx + 90, cy + 10, cx + 110, cy + 150), fill=white)
    else:  # guitar
        d.ellipse((cx - 130, cy - 10, cx + 70, cy + 170), outline=white, width=12)
        d.ellipse((cx - 90, cy - 90, cx + 40, cy + 40), outline=white, width=12)
        d.line((cx + 10, cy - 20, cx + 190, cy - 200), fill=white, width=14)
    font = _font(44)
    tw = d.textlength(title, font=font)
    d.text(((w - tw) / 2, h - 90), title, font=font, fill=white)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue()
