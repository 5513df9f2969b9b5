"""Voice messages: WebM (Chromium, Firefox) or Ogg (Opus, Vorbis) audio, read from the container.

`probe(data)` walks the container's structure and returns its length, or raises NotAudio:
the file must be the container it claims from its first byte to its last, hold audio tracks
only, and have at least one block of sound. MediaRecorder's WebM has no Duration element
(it is written live, with clusters of unknown size), so the length is the last block's time.
"""

import struct
from dataclasses import dataclass


class NotAudio(Exception):
    pass


@dataclass
class Probed:
    content_type: str
    ext: str
    duration_ms: int


def probe(data: bytes) -> Probed:
    if data.startswith(b"\x1a\x45\xdf\xa3"):
        return Probed("audio/webm", "webm", _webm_duration_ms(data))
    if data.startswith(b"OggS"):
        return Probed("audio/ogg", "ogg", _ogg_duration_ms(data))
    raise NotAudio()


# --- WebM (EBML) ---

EBML, DOCTYPE = 0x1A45DFA3, 0x4282
SEGMENT, CLUSTER, TRACKS, TRACK_ENTRY, INFO, BLOCK_GROUP = 0x18538067, 0x1F43B675, 0x1654AE6B, 0xAE, 0x1549A966, 0xA0
TRACK_TYPE, TIMECODE_SCALE, DURATION, CLUSTER_TIME, SIMPLE_BLOCK, BLOCK = 0x83, 0x2AD7B1, 0x4489, 0xE7, 0xA3, 0xA1
_MASTERS = {SEGMENT, CLUSTER, TRACKS, TRACK_ENTRY, INFO, BLOCK_GROUP}
_AUDIO = 2


def _vint(data: bytes, pos: int, *, keep_marker: bool) -> tuple[int, int, bool]:
    """Read an EBML variable-length integer: (value, next position, all ones = unknown size)."""
    if pos >= len(data):
        raise NotAudio()
    first = data[pos]
    length = 1
    while length <= 8 and not first & (0x80 >> (length - 1)):
        length += 1
    if length > 8 or pos + length > len(data):
        raise NotAudio()
    value = first if keep_marker else first & (0xFF >> length)
    for byte in data[pos + 1: pos + length]:
        value = (value << 8) | byte
    unknown = not keep_marker and value == (1 << (7 * length)) - 1
    return value, pos + length, unknown


def _uint(raw: bytes) -> int:
    return int.from_bytes(raw, "big") if raw else 0


def _webm_duration_ms(data: bytes) -> int:
    pos, doctype, scale = 0, b"", 1_000_000
    track_types, cluster_time, last_time, blocks, declared = [], 0, 0, 0, None
    while pos < len(data):
        element, pos, _ = _vint(data, pos, keep_marker=True)
        size, pos, unknown = _vint(data, pos, keep_marker=False)
        if element in _MASTERS:
            continue  # step into it: its children follow
        if unknown or pos + size > len(data):
            raise NotAudio()
        body = data[pos: pos + size]
        pos += size
        if element == EBML:  # the header's own children
            doctype = _ebml_doctype(body)
        elif element == TRACK_TYPE:
            track_types.append(_uint(body))
        elif element == TIMECODE_SCALE:
            scale = _uint(body) or scale
        elif element == DURATION and size in (4, 8):
            declared = struct.unpack(">f" if size == 4 else ">d", body)[0]
        elif element == CLUSTER_TIME:
            cluster_time = _uint(body)
        elif element in (SIMPLE_BLOCK, BLOCK):
            _track, at, _ = _vint(body, 0, keep_marker=False)
            if at + 2 > len(body):
                raise NotAudio()
            relative = struct.unpack(">h", body[at: at + 2])[0]
            last_time = max(last_time, cluster_time + relative)
            blocks += 1
    if doctype != b"webm" or not track_types or any(t != _AUDIO for t in track_types) or not blocks:
        raise NotAudio()
    units = max(last_time, declared or 0)
    return int(units * scale / 1_000_000)


def _ebml_doctype(header: bytes) -> bytes:
    pos = 0
    while pos < len(header):
        element, pos, _ = _vint(header, pos, keep_marker=True)
        size, pos, unknown = _vint(header, pos, keep_marker=False)
        if unknown or pos + size > len(header):
            raise NotAudio()
        if element == DOCTYPE:
            return header[pos: pos + size].rstrip(b"\x00")
        pos += size
    return b""


# --- Ogg ---

def _ogg_duration_ms(data: bytes) -> int:
    pos, rate, pre_skip, granule, pages = 0, 0, 0, 0, 0
    while pos < len(data):
        if data[pos: pos + 4] != b"OggS" or pos + 27 > len(data) or data[pos + 4] != 0:
            raise NotAudio()
        page_granule = struct.unpack("<q", data[pos + 6: pos + 14])[0]
        segments = data[pos + 26]
        body_at = pos + 27 + segments
        if body_at > len(data):
            raise NotAudio()
        length = sum(data[pos + 27: body_at])
        body = data[body_at: body_at + length]
        if len(body) != length:
            raise NotAudio()
        if pages == 0:
            if body.startswith(b"OpusHead") and len(body) >= 19:
                rate, pre_skip = 48_000, struct.unpack("<H", body[10:12])[0]
            elif body.startswith(b"\x01vorbis") and len(body) >= 16:
                rate = struct.unpack("<I", body[12:16])[0]
            else:
                raise NotAudio()  # Ogg, but not audio we know (Theora video, say)
        if page_granule > 0:
            granule = page_granule
        pages += 1
        pos = body_at + length
    if not rate or pages < 3:  # the two header pages and at least one of sound
        raise NotAudio()
    return max(granule - pre_skip, 0) * 1000 // rate
