"""The new-message sound, made here rather than downloaded: two short sine tones, as a WAV.

`python -m parley.notifications.sound` writes static/parley/sounds/message.wav; a test
checks that the shipped file is what this makes.
"""

import io
import math
import struct
import wave
from pathlib import Path

RATE = 22050
PATH = Path(__file__).parent / "static" / "parley" / "sounds" / "message.wav"


def render() -> bytes:
    """A soft two-note chime (E6 then A6), 0.32 s, mono 16-bit, with a quick fade in and out."""
    frames = bytearray()
    for freq, seconds in ((1318.5, 0.12), (1760.0, 0.2)):
        n = int(RATE * seconds)
        for i in range(n):
            envelope = min(1.0, i / 200) * (1 - i / n) ** 2
            sample = 0.35 * envelope * math.sin(2 * math.pi * freq * i / RATE)
            frames += struct.pack("<h", int(sample * 32767))
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(bytes(frames))
    return buf.getvalue()


if __name__ == "__main__":
    PATH.write_bytes(render())
    print(f"wrote {PATH} ({PATH.stat().st_size} bytes)")
