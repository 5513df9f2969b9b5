"""Photos uploaded beside scenario a (issue 13): `--uploads N` in bench/__main__.py.

One process of its own, like the load generator: it draws one 4000×3000 photo (gradients and
noise, about 3 MB as JPEG) and POSTs it N times to /api/v1/attachments, one after another as a
person would (one every `--upload-interval` seconds at most), with a bench user's session cookie and a CSRF cookie/header pair. It writes
each upload's status and time; the orchestrator counts the thumbnails the worker made.
"""

import http.client
import io
import json
import sys
import time
import uuid


def photo(width: int = 4000, height: int = 3000) -> bytes:
    from PIL import Image

    grad = Image.linear_gradient("L").resize((width, height))
    noise = Image.effect_noise((width, height), 24)
    channels = (Image.blend(grad, noise, 0.35),
                Image.blend(grad.transpose(Image.Transpose.ROTATE_180), noise, 0.25),
                Image.blend(grad.transpose(Image.Transpose.FLIP_LEFT_RIGHT), noise.transpose(Image.Transpose.ROTATE_180), 0.3))
    out = io.BytesIO()
    Image.merge("RGB", channels).save(out, "JPEG", quality=88)
    return out.getvalue()


def multipart(data: bytes, name: str) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            "Content-Type: image/jpeg\r\n\r\n").encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def main(cfg_path: str, out_path: str) -> None:
    cfg = json.loads(open(cfg_path).read())
    data = photo()
    csrf = uuid.uuid4().hex  # 32 characters: Django takes a client-chosen cookie/header pair
    cookie = f"{cfg['cookie_name']}={cfg['session']}; csrftoken={csrf}"
    open(cfg["ready_path"], "w").write("ready")
    results, t0 = [], time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", cfg["port"], timeout=60)
    for i in range(cfg["count"]):
        # Paced as people upload (one photo every `interval` s, or slower if the server is), not a flood.
        if (wait := t0 + i * cfg.get("interval", 0) - time.monotonic()) > 0:
            time.sleep(wait)
        body, content_type = multipart(data, f"photo-{i}.jpg")
        start = time.monotonic()
        try:
            conn.request("POST", "/api/v1/attachments", body=body, headers={
                "Cookie": cookie, "X-CSRFToken": csrf, "Content-Type": content_type, "Accept": "application/json",
                "Host": f"127.0.0.1:{cfg['port']}"})
            response = conn.getresponse()
            response.read()
            status = response.status
        except OSError as exc:
            status = f"error: {exc}"
            conn = http.client.HTTPConnection("127.0.0.1", cfg["port"], timeout=60)
        results.append({"status": status, "ms": round((time.monotonic() - start) * 1000, 1)})
    json.dump({"bytes": len(data), "seconds": round(time.monotonic() - t0, 1), "uploads": results}, open(out_path, "w"))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
