"""The app icons of the web app manifest, drawn here with Pillow (nothing downloaded).

`python -m parley.notifications.icons` writes static/parley/icons/icon-{192,512}.png; a test
checks that the shipped files are what this draws.
"""

import io
from pathlib import Path

from PIL import Image, ImageDraw

SIZES = (192, 512)
DIR = Path(__file__).parent / "static" / "parley" / "icons"
BLUE = (13, 110, 253, 255)
WHITE = (255, 255, 255, 255)


def render(size: int) -> bytes:
    """A speech bubble on Parley's blue, inside the maskable safe zone (the middle 80%)."""
    scale = 4  # draw large, then shrink: smooth edges without anti-aliasing support
    big = size * scale
    img = Image.new("RGBA", (big, big), BLUE)
    draw = ImageDraw.Draw(img)
    m = big * 0.26
    draw.rounded_rectangle((m, m, big - m, big - m * 1.25), radius=big * 0.09, fill=WHITE)
    tail = [(big * 0.36, big - m * 1.3), (big * 0.33, big - m * 0.85), (big * 0.48, big - m * 1.3)]
    draw.polygon(tail, fill=WHITE)
    r = big * 0.035
    for cx in (0.38, 0.5, 0.62):
        cy = big * 0.455
        draw.ellipse((big * cx - r, cy - r, big * cx + r, cy + r), fill=BLUE)
    out = io.BytesIO()
    img.resize((size, size), Image.LANCZOS).save(out, "PNG", optimize=True)
    return out.getvalue()


if __name__ == "__main__":
    for size in SIZES:
        path = DIR / f"icon-{size}.png"
        path.write_bytes(render(size))
        print(f"wrote {path} ({path.stat().st_size} bytes)")
