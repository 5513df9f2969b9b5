"""The pixel work of attachments: decode, check, re-encode, shrink. Pillow only, no Django.

These functions run in the image processes (`imagepool.run`), never in the server's or the
worker's own process: they take bytes and plain values and return bytes and plain values, and
a refusal is a `Refused` with a code that `validate` turns into the user's error. Keeping
Django out of here keeps those processes small and quick to start, and their work off the
event loop's GIL.
"""

import io
import os
import select
import tempfile
import threading
import time
import warnings

from PIL import Image, ImageOps

try:  # HEIC photos (iPhones): only where the plugin is installed
    from pillow_heif import register_heif_opener

    register_heif_opener()
    HEIC = True
except ImportError:  # pragma: no cover - pillow-heif is a dependency
    HEIC = False

# Pillow's format -> how the re-encoding is stored. HEIC becomes JPEG (every browser shows it).
IMAGE_OUT = {"JPEG": ("JPEG", "image/jpeg", "jpg"), "MPO": ("JPEG", "image/jpeg", "jpg"),
             "PNG": ("PNG", "image/png", "png"), "WEBP": ("WEBP", "image/webp", "webp"),
             "HEIF": ("JPEG", "image/jpeg", "jpg")}

# Another format's signature inside an image makes it a polyglot: a file that a browser, an
# interpreter or an archive tool would read as something else. Plain byte searches in a
# lowercased copy: a regex over megabytes holds the GIL for far longer (docs/benchmarks.md).
_FOREIGN = (b"<script", b"<html", b"<svg", b"<body", b"<iframe", b"<?php", b"<!doctype", b"<?xml", b"%pdf-", b"pk\x05\x06")


def init_process(owner_pid: int) -> None:
    """The image processes' initializer: lowest priority, and gone when their owner is."""
    _lowest_priority()
    threading.Thread(target=_exit_with, args=(owner_pid,), name="parley-owner-watch", daemon=True).start()


def _lowest_priority() -> None:
    """The last to get a CPU: SCHED_IDLE (Linux), else nice 19."""
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        return
    except (AttributeError, OSError):  # not Linux, or not permitted here
        pass
    try:
        os.nice(19 - os.nice(0))
    except OSError:  # pragma: no cover - lowering one's own priority is always allowed
        pass


def _exit_with(owner_pid: int) -> None:
    """Exit when the owner dies without shutting the pool down (SIGKILL, the worker's
    PDEATHSIG): a pool process waits for work on a pipe it also holds, so it would never
    notice, and it keeps the forkserver alive too."""
    try:
        pidfd = os.pidfd_open(owner_pid)  # Linux: readable once the owner has exited
    except (AttributeError, OSError):
        pidfd = None
    if pidfd is not None:
        select.select([pidfd], [], [])
    else:  # pragma: no cover - other systems: look every 2 s
        while _alive(owner_pid):
            time.sleep(2)
    os._exit(0)


def _alive(pid: int) -> bool:  # pragma: no cover - the fallback of _exit_with
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, and another user's
        pass
    return True


class Refused(Exception):
    """Why an image was refused: `code` is one of validate's error codes, `details` its details."""

    def __init__(self, code: str, **details):
        super().__init__(code)
        self.code, self.details = code, details


def open_header(data: bytes, max_pixels: int) -> Image.Image:
    """Open the image lazily (its header only) and refuse it if it has too many pixels."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Refused("image_too_large") from None
    except Exception:
        raise Refused("undecodable") from None
    if width * height > max_pixels:
        raise Refused("image_too_large", width=width, height=height)
    if image.format not in IMAGE_OUT:
        raise Refused("unsupported_file")
    return image


def clean(data: bytes, max_pixels: int) -> tuple[bytes, str, int, int]:
    """Decode the whole image, refuse a polyglot, and re-encode it without any metadata.

    Returns (the stored bytes, Pillow's format of the upload, width, height).
    """
    image = open_header(data, max_pixels)
    try:
        image.load()  # decode it all: a truncated or corrupt file fails here
    except Exception:
        raise Refused("undecodable") from None
    if _foreign(data) or _trailing(data, image.format):
        raise Refused("polyglot")
    out = reencode(image, IMAGE_OUT[image.format][0])
    return out.getvalue(), image.format, out.width, out.height


def variants(data: bytes, sizes: tuple[int, ...]) -> dict[int, bytes]:
    """WebP copies of a stored (already clean) image, each fitting in `size` px, largest first."""
    with Image.open(io.BytesIO(data)) as image:
        image.draft("RGB", (max(sizes), max(sizes)))  # JPEG: decode at a reduced scale, much cheaper
        image.load()
        return {px: reencode(image.copy(), "WEBP", fit=px).getvalue() for px in sizes}


def _foreign(data: bytes) -> bool:
    lowered = data.lower()
    return any(lowered.find(marker) >= 0 for marker in _FOREIGN)


def _trailing(data: bytes, fmt: str) -> bool:
    """Whether bytes follow the image's end (an archive or a script glued after it)."""
    tail = data.rstrip(b"\x00\r\n ")
    if fmt == "PNG":
        return not tail.endswith(b"IEND\xaeB`\x82")
    if fmt == "JPEG":
        return not tail.endswith(b"\xff\xd9")
    return False


class _Encoded(io.BytesIO):
    width = height = 0


def reencode(image: Image.Image, fmt: str, *, fit: int | None = None) -> _Encoded:
    """Draw the image again: orientation applied, no EXIF, GPS, XMP, ICC or text chunk kept."""
    ImageOps.exif_transpose(image, in_place=True)  # the caller's image: no copy of 12 megapixels
    if fit:
        image.thumbnail((fit, fit), Image.Resampling.LANCZOS)
    if fmt == "JPEG":
        image = image.convert("RGB") if image.mode not in ("RGB", "L") else image
        options = {"quality": 88}  # optimize=True costs 3 times the CPU for 10% fewer bytes
    elif fmt == "WEBP":
        image = image.convert("RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB")
        options = {"quality": 82, "method": 4}
    else:  # PNG
        if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
            image = image.convert("RGBA")
        options = {"optimize": True}
    clean_image = Image.new(image.mode, image.size)  # a fresh image carries no info of the old one
    if image.mode == "P":
        clean_image.putpalette(image.getpalette())
        if "transparency" in image.info:
            options["transparency"] = image.info["transparency"]
    clean_image.paste(image)
    # Into a real file, not a BytesIO: Pillow then encodes with the GIL released, should this
    # ever run beside other threads (a BytesIO held it 0.35 s a photo; docs/benchmarks.md).
    with tempfile.TemporaryFile() as handle:
        clean_image.save(handle, fmt, **options)
        handle.seek(0)
        out = _Encoded(handle.read())
    out.width, out.height = clean_image.size
    return out
