"""Files for the attachment tests, drawn here: photos (with GPS tags), bombs, polyglots, PDFs, audio."""

import io
import struct

from PIL import ExifTags, Image


def jpeg(width=640, height=480, *, gps=False, color=(200, 40, 40), orientation=None) -> bytes:
    image = Image.new("RGB", (width, height), color)
    exif = Image.Exif()
    if gps:
        exif[ExifTags.Base.Make] = "PhoneCo"
        exif[ExifTags.Base.GPSInfo] = {
            ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (48.0, 51.0, 24.0),
            ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: (2.0, 21.0, 3.0),
        }
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), quality=85)
    return out.getvalue()


def png(width=64, height=48) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (0, 128, 255, 128)).save(out, "PNG")
    return out.getvalue()


def bomb() -> bytes:
    """A small PNG (tens of KiB) that decodes to 64 megapixels."""
    out = io.BytesIO()
    Image.new("1", (8000, 8000), 0).save(out, "PNG", optimize=True)
    return out.getvalue()


def pdf() -> bytes:
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"]
    body, offsets = b"%PDF-1.4\n", []
    for n, obj in enumerate(objects, 1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % n + obj + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return body


SVG_WITH_SCRIPT = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'


# --- WebM audio, as MediaRecorder writes it (unknown-size segment and clusters) ---

def _vint_size(n: int) -> bytes:
    return b"\x01" + n.to_bytes(7, "big")  # an 8-byte size: simple and always valid


def _el(element_id: bytes, body: bytes) -> bytes:
    return element_id + _vint_size(len(body)) + body


UNKNOWN = b"\x01\xff\xff\xff\xff\xff\xff\xff"


def webm(seconds: float, *, track_type: int = 2, doctype: bytes = b"webm") -> bytes:
    header = _el(b"\x1a\x45\xdf\xa3", _el(b"\x42\x82", doctype))
    info = _el(b"\x15\x49\xa9\x66", _el(b"\x2a\xd7\xb1", (1_000_000).to_bytes(3, "big")))
    tracks = _el(b"\x16\x54\xae\x6b", _el(b"\xae", _el(b"\xd7", b"\x01") + _el(b"\x83", bytes([track_type]))
                                                  + _el(b"\x86", b"A_OPUS")))
    clusters = b""
    total_ms = int(seconds * 1000)
    for start in range(0, total_ms + 1, 1000):
        blocks = b""
        for rel in range(0, min(1000, total_ms - start + 1), 500):
            blocks += _el(b"\xa3", b"\x81" + struct.pack(">h", rel) + b"\x80" + b"\xfc\xff\xfe")
        clusters += b"\x1f\x43\xb6\x75" + UNKNOWN + _el(b"\xe7", start.to_bytes(4, "big")) + blocks
    return header + b"\x18\x53\x80\x67" + UNKNOWN + info + tracks + clusters
