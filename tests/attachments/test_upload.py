"""Uploads through POST /api/v1/attachments: what is accepted, what is stored, and every refusal.

The security cases of the issue (a decompression bomb, a file renamed to .jpg, an SVG with
script, a polyglot, a path in the name, an empty file, an over-size one) each get a clear
error and leave nothing stored: no row, no file.
"""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from PIL import Image

from parley.attachments.models import Attachment
from tests import factories

from . import files
from .conftest import stored_files

pytestmark = pytest.mark.django_db


def upload(client, data: bytes, name: str, content_type="image/jpeg", headers=None, **extra):
    """POST the file; what the upload left to run after its commit (the variants task) runs too."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post("/api/v1/attachments", {"file": SimpleUploadedFile(name, data, content_type=content_type), **extra},
                           headers=headers)


@pytest.fixture
def bob():
    return factories.user("bob")


@pytest.fixture
def client(bob):
    return factories.client_for(bob)


def test_a_photo_is_stored_re_encoded_with_its_thumbnails(client, attachment_storage):
    response = upload(client, files.jpeg(1200, 900), "scratch.jpeg")
    assert response.status_code == 201, response.content
    data = response.json()["attachment"]
    assert data["kind"] == "image" and data["name"] == "scratch.jpg" and data["content_type"] == "image/jpeg"
    assert (data["width"], data["height"]) == (1200, 900)
    assert data["thumb_url"] == f"/api/v1/attachments/{data['id']}/thumb"
    attachment = Attachment.objects.get()
    assert attachment.thumb and attachment.large  # the task ran (the immediate backend in tests)
    assert len(stored_files(attachment_storage)) == 3
    thumb = Image.open(io.BytesIO(client.get(data["thumb_url"]).getvalue()))
    assert thumb.format == "WEBP" and max(thumb.size) == 400
    large = Image.open(io.BytesIO(client.get(data["large_url"]).getvalue()))
    assert large.size == (1200, 900)  # never enlarged


def test_gps_and_exif_survive_in_no_stored_or_served_variant(client, attachment_storage):
    original = files.jpeg(800, 600, gps=True)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the test photo has GPS tags
    data = upload(client, original, "holiday.jpg").json()["attachment"]
    for path in attachment_storage.rglob("*"):
        if path.is_file():
            blob = path.read_bytes()
            image = Image.open(io.BytesIO(blob))
            assert not image.getexif(), path.name
            assert "exif" not in image.info and "xmp" not in image.info and "icc_profile" not in image.info
            assert b"Exif" not in blob and b"PhoneCo" not in blob
    for variant in ("url", "thumb_url", "large_url"):
        blob = client.get(data[variant]).getvalue()
        assert b"Exif" not in blob and not Image.open(io.BytesIO(blob)).getexif()


def test_orientation_is_applied_before_the_tags_go(client):
    data = upload(client, files.jpeg(600, 400, orientation=6), "portrait.jpg").json()["attachment"]
    assert (data["width"], data["height"]) == (400, 600)  # rotated as the phone meant it


def test_png_and_pdf_and_voice(client):
    assert upload(client, files.png(), "a.png", "image/png").json()["attachment"]["content_type"] == "image/png"
    pdf = upload(client, files.pdf(), "invoice.PDF", "application/pdf").json()["attachment"]
    assert pdf["kind"] == "pdf" and pdf["name"] == "invoice.pdf" and "thumb_url" not in pdf
    voice = upload(client, files.webm(3.2), "blob", "audio/webm", voice="true").json()["attachment"]
    assert voice["kind"] == "voice" and voice["content_type"] == "audio/webm" and voice["duration_ms"] == 3000


def test_served_with_disposition_nosniff_and_no_script(client):
    pdf = upload(client, files.pdf(), "invoice.pdf", "application/pdf").json()["attachment"]
    response = client.get(pdf["url"])
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="invoice.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cache-Control"] == "private, max-age=3600"
    photo = upload(client, files.jpeg(), "p.jpg").json()["attachment"]
    assert client.get(photo["url"])["Content-Disposition"] == 'inline; filename="p.jpg"'


def test_production_hands_the_file_to_nginx(client, settings):
    photo = upload(client, files.jpeg(), "p.jpg").json()["attachment"]
    settings.PARLEY_ATTACHMENTS_ACCEL_PREFIX = "/_attachments/"
    response = client.get(photo["thumb_url"])
    stored = Attachment.objects.get().thumb
    assert response["X-Accel-Redirect"] == f"/_attachments/{stored}"
    assert response.content == b"" and response["X-Content-Type-Options"] == "nosniff"


BAD = [
    ("decompression bomb", files.bomb, "small.png", 422, "image_too_large"),
    ("text renamed to .jpg", lambda: b"just some text, not a photo at all", "photo.jpg", 422, "unsupported_file"),
    ("svg with script", lambda: files.SVG_WITH_SCRIPT, "logo.svg", 422, "unsupported_file"),
    ("svg renamed to .png", lambda: files.SVG_WITH_SCRIPT, "logo.png", 422, "unsupported_file"),
    ("jpeg + zip polyglot", lambda: files.jpeg() + b"PK\x03\x04zipdata" + b"PK\x05\x06" + b"\x00" * 18, "p.jpg", 422, "polyglot"),
    ("jpeg with html inside", lambda: files.jpeg()[:2] + b"\xff\xfe\x00\x1f<html><script>x()</script></html>" + files.jpeg()[2:],
     "p.jpg", 422, "polyglot"),
    ("truncated jpeg", lambda: files.jpeg(800, 600)[:3000], "p.jpg", 422, "undecodable"),
    ("empty file", lambda: b"", "empty.jpg", 422, "empty_file"),
    ("over-size", lambda: files.jpeg() + b"\x00" * (10 * 1024 * 1024), "big.jpg", 413, "file_too_large"),
    ("pdf with javascript", lambda: files.pdf().replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >>"),
     "x.pdf", 422, "pdf_active_content"),
    ("webm video as voice", lambda: files.webm(2, track_type=1), "v.webm", 422, "undecodable"),
    ("voice over two minutes", lambda: files.webm(125), "v.webm", 422, "voice_too_long"),
]


@pytest.mark.parametrize("label,make,name,status,code", BAD, ids=[b[0] for b in BAD])
def test_refused_with_a_clear_error_and_nothing_stored(client, attachment_storage, label, make, name, status, code):
    response = upload(client, make(), name)
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code and error["message"] and error["details"].get("field") == "file"
    assert Attachment.objects.count() == 0
    assert stored_files(attachment_storage) == []


def test_a_photo_cannot_be_sent_as_a_voice_message(client):
    response = upload(client, files.jpeg(), "p.jpg", voice="true")
    assert response.json()["error"]["code"] == "unsupported_file"


def test_french_error(client):
    response = upload(client, b"", "empty.jpg", headers={"Accept-Language": "fr"})
    assert response.json()["error"]["message"] == "Le fichier est vide."


def test_upload_rate_limit(client, settings, rate_clock):
    settings.PARLEY_UPLOAD_RATE = "2/60"
    assert upload(client, files.jpeg(), "a.jpg").status_code == 201
    assert upload(client, b"", "b.jpg").status_code == 422  # a refused attempt counts too
    response = upload(client, files.jpeg(), "c.jpg")
    assert response.status_code == 429
    error = response.json()["error"]
    assert error["code"] == "rate_limited" and "uploading too fast" in error["message"] and error["details"]["retry_after"] >= 1
    rate_clock.advance(61)
    assert upload(client, files.jpeg(), "d.jpg").status_code == 201


def test_daily_volume_limit(client, settings):
    first = upload(client, files.jpeg(), "a.jpg").json()["attachment"]
    settings.PARLEY_UPLOAD_DAILY_BYTES = first["size"] + 10
    response = upload(client, files.jpeg(), "b.jpg")
    assert response.status_code == 429
    error = response.json()["error"]
    assert error["code"] == "quota_exceeded" and "a day" in error["message"]
    assert Attachment.objects.count() == 1


def test_csrf_is_required_with_a_session(bob):
    client = factories.client_for(bob, enforce_csrf_checks=True)
    assert upload(client, files.jpeg(), "a.jpg").status_code == 403
    assert Attachment.objects.count() == 0


def test_logged_out_gets_401():
    from django.test import Client

    assert upload(Client(), files.jpeg(), "a.jpg").status_code == 401


@pytest.mark.parametrize("name", ["../../etc/cron.d/evil.jpg", "..\\..\\evil.jpg", "/etc/evil.jpg"])
def test_a_path_in_the_name_never_reaches_the_disk(client, attachment_storage, tmp_path, name):
    """Django's multipart parser keeps only the name's last part; the storage name is the server's."""
    data = upload(client, files.jpeg(), name).json()["attachment"]
    assert data["name"] == "evil.jpg"
    assert all(path.startswith(data["id"][:2] + "/" + data["id"]) for path in stored_files(attachment_storage))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["attachments"]


@pytest.mark.parametrize("name", ["../../etc/passwd.jpg", "..\\boot.jpg", "a/b.pdf", "..", "nul\x00.jpg"])
def test_the_service_refuses_a_path_in_the_name(bob, attachment_storage, name):
    """Another caller of the service (a command, a future endpoint) gets the clear error itself."""
    from parley.attachments.services import attachment_upload
    from parley.core.errors import Invalid

    with pytest.raises(Invalid) as raised:
        attachment_upload(owner=bob, data=files.jpeg(), name=name)
    assert raised.value.code == "invalid_name" and "path" in str(raised.value.message)
    assert Attachment.objects.count() == 0 and stored_files(attachment_storage) == []


def test_a_heic_photo_is_stored_as_jpeg(client):
    """iPhones' HEIC, read through pillow-heif, is re-encoded to a JPEG every browser shows."""
    from pillow_heif import register_heif_opener

    register_heif_opener()
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (10, 200, 30)).save(out, "HEIF")
    data = upload(client, out.getvalue(), "IMG_0001.HEIC", "image/heic").json()["attachment"]
    assert (data["content_type"], data["name"], data["width"]) == ("image/jpeg", "IMG_0001.jpg", 320)
    assert Image.open(io.BytesIO(client.get(data["url"]).getvalue())).format == "JPEG"
