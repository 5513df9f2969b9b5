"""What a file is, decided by its content alone: never by its name or the declared type.

`inspect(data, name)` returns a `Checked` (the kind, the bytes to store, a clean name …) or
raises an AppError that says what is wrong. Images: their header is read here (the pixel
limit refuses a decompression bomb before any decoding), then `pixels.clean` decodes and
re-encodes them (orientation applied, every metadata chunk dropped) in an image process
(`imagepool`), never in this one; PDFs are checked by their structure and refused with
active content; voice messages are WebM or Ogg audio whose length is read from the container
(audio.py).
"""

import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from parley.conf import settings
from parley.core.errors import AppError, Invalid, lazy_format

from . import audio, imagepool, pixels

MIB = 1024 * 1024


class FileTooLarge(AppError):
    code = "file_too_large"
    status = 413


class Unsupported(Invalid):
    code = "unsupported_file"
    message = _("Only photos (JPEG, PNG, WebP, HEIC), PDF files and voice messages can be sent.")


def _fail(code: str, message, **details) -> Invalid:
    return Invalid(message, code=code, field="file", **details)


@dataclass
class Checked:
    kind: str  # "image" | "pdf" | "voice"
    content_type: str
    ext: str
    data: bytes  # what to store: for an image, its re-encoding
    name: str
    width: int | None = None
    height: int | None = None
    duration_ms: int | None = None


_PDF_ACTIVE = re.compile(rb"/(?:JavaScript|JS|Launch|EmbeddedFile|RichMedia|XFA)\b")


_CHUNK, _OVERLAP = 32 * 1024, 64


def _contains(pattern: re.Pattern, data: bytes) -> bool:
    """Search in slices: one regex call holds the GIL until it returns, and a 10 MiB file in one
    call would stall the server's event loop for tens of milliseconds (docs/benchmarks.md)."""
    view = memoryview(data)
    for start in range(0, len(data), _CHUNK):
        if pattern.search(view[max(0, start - _OVERLAP): start + _CHUNK]):
            return True
    return False


def clean_name(name: str, ext: str, default: str) -> str:
    """The name shown to people: refused if it tries a path; the extension the content's own."""
    name = unicodedata.normalize("NFC", str(name or ""))
    if "/" in name or "\\" in name or "\x00" in name or name.strip() in (".", ".."):
        raise _fail("invalid_name", _("The file name may not contain a path (/ or \\)."))
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().lstrip(".")
    stem = name.rsplit(".", 1)[0].strip() if "." in name else name
    stem = stem[:80].strip() or default
    return f"{stem}.{ext}"


def _sniff(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff") or head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"heim", b"heis", b"hevc"):
        return "image" if pixels.HEIC else None
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x1a\x45\xdf\xa3") or head.startswith(b"OggS"):
        return "voice"
    return None


def inspect(data: bytes, name: str, *, voice: bool = False) -> Checked:
    """Check `data` by its content; return what to store, or raise an AppError.

    `voice`: the client recorded it (the voice button), so audio is what it must be.
    """
    limit = settings.PARLEY_ATTACHMENT_MAX_BYTES
    if not data:
        raise _fail("empty_file", _("The file is empty."))
    if len(data) > limit:
        raise FileTooLarge(lazy_format(_("The file is %(size).1f MiB; the limit is %(limit).0f MiB."),
                                       size=len(data) / MIB, limit=limit / MIB), field="file", limit=limit)
    kind = _sniff(data[:32])
    if kind is None or (voice and kind != "voice"):
        raise Unsupported(field="file")
    if kind == "image":
        return _image(data, name)
    if kind == "pdf":
        return _pdf(data, name)
    return _voice(data, name)


def _image(data: bytes, name: str) -> Checked:
    max_pixels = settings.PARLEY_ATTACHMENT_MAX_PIXELS
    try:
        pixels.open_header(data, max_pixels)  # cheap, here: a bomb never reaches a decoder
        stored, fmt, width, height = imagepool.run(pixels.clean, data, max_pixels)
    except pixels.Refused as refused:
        raise _refused(refused, max_pixels) from None
    except imagepool.Crashed:
        raise _undecodable() from None
    _fmt, content_type, ext = pixels.IMAGE_OUT[fmt]
    return Checked(kind="image", content_type=content_type, ext=ext, data=stored,
                   name=clean_name(name, ext, str(_("photo"))), width=width, height=height)


def _refused(refused: pixels.Refused, max_pixels: int) -> AppError:
    if refused.code == "image_too_large":
        return _fail("image_too_large", lazy_format(
            _("The image is too large to open (more than %(limit)d megapixels). Send a smaller photo."),
            limit=max_pixels // 1_000_000), width=refused.details.get("width"), height=refused.details.get("height"),
            max_pixels=max_pixels)
    if refused.code == "polyglot":
        return _fail("polyglot", _("The photo also contains another kind of file, so it was refused. "
                                   "Export it again from your photo app."))
    if refused.code == "unsupported_file":
        return Unsupported(field="file")
    return _undecodable()


def _undecodable() -> Invalid:
    return _fail("undecodable", _("The file could not be read as a photo: it is damaged or not an image."))


def _pdf(data: bytes, name: str) -> Checked:
    if not re.match(rb"%PDF-[12]\.\d", data) or b"%%EOF" not in data[-1024:] or b"startxref" not in data[-2048:]:
        raise _fail("undecodable", _("The file is not a complete PDF document."))
    if _contains(_PDF_ACTIVE, data):
        raise _fail("pdf_active_content", _("The PDF contains scripts or embedded files, so it was refused. "
                                            "Print it to a new PDF and send that."))
    return Checked(kind="pdf", content_type="application/pdf", ext="pdf", data=data,
                   name=clean_name(name, "pdf", str(_("document"))))


def _voice(data: bytes, name: str) -> Checked:
    try:
        found = audio.probe(data)
    except audio.NotAudio:
        raise _fail("undecodable", _("The voice message could not be read: it is damaged or not WebM or Ogg audio.")) from None
    max_ms = settings.PARLEY_VOICE_MAX_SECONDS * 1000
    if found.duration_ms > max_ms + 1000:  # a second of slack for the recorder's last block
        raise _fail("voice_too_long", lazy_format(_("Voice messages can be up to %(seconds)d seconds long."),
                                                  seconds=settings.PARLEY_VOICE_MAX_SECONDS))
    return Checked(kind="voice", content_type=found.content_type, ext=found.ext, data=data,
                   name=clean_name(name, found.ext, str(_("voice message"))), duration_ms=found.duration_ms)
