"""The shipped sound and icons are made here (nothing downloaded) and are what the code makes."""

import io
import wave

from PIL import Image

from parley.notifications import icons, sound


def test_the_sound_is_the_locally_made_chime():
    assert sound.PATH.read_bytes() == sound.render()
    with wave.open(io.BytesIO(sound.render())) as w:
        assert (w.getnchannels(), w.getframerate()) == (1, sound.RATE)
        assert 0.2 < w.getnframes() / w.getframerate() < 0.5  # short


def test_the_icons_are_square_pngs_of_their_size():
    for size in icons.SIZES:
        path = icons.DIR / f"icon-{size}.png"
        with Image.open(path) as img:
            assert img.format == "PNG" and img.size == (size, size)
        with Image.open(io.BytesIO(icons.render(size))) as drawn, Image.open(path) as shipped:
            assert drawn.size == shipped.size
