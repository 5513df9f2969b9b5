import pytest


@pytest.fixture(autouse=True)
def attachment_storage(settings, tmp_path):
    """Each test stores its files in a directory of its own, and can look at what is there."""
    root = tmp_path / "attachments"
    root.mkdir()
    settings.STORAGES = {**settings.STORAGES, "parley_attachments": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(root)}}}
    settings.PARLEY_UPLOAD_RATE = "1000/60"
    return root


def stored_files(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
