"""`parley serve`: migrate, load the demo data when asked, and serve with uvicorn."""

import argparse
import os
import sys


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parley.settings")
    import django

    django.setup()


def serve(args) -> None:
    _setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    if settings.PARLEY_DEMO:
        call_command("parley_demo", verbosity=1)
    url = f"http://{args.host}:{args.port}"
    print(f"\nParley is serving {url}  (database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}, "
          f"broker: {settings.PARLEY_BROKER}, workers: {args.workers})")
    if settings.PARLEY_DEMO:
        from parley.accounts.demo import DEMO_PASSWORD, DEMO_USERS

        names = ", ".join(u["username"] for u in DEMO_USERS)
        print(f"Demo accounts: {names}  (password: {DEMO_PASSWORD})")
        print(f"Try: log in as bob in one browser, alice in another, open {url}/marketplace\n")
    if "PARLEY_SITE_URL" not in os.environ:  # links in emails point here (the worker inherits it)
        os.environ["PARLEY_SITE_URL"] = settings.PARLEY_SITE_URL = url
    _say_where_mail_goes(settings)
    _vapid_keys_once(settings)
    worker = _start_task_worker(settings) if args.task_worker else None
    sys.stdout.flush()
    import uvicorn

    try:
        _run_uvicorn(uvicorn, args)
    finally:
        if worker is not None and worker.poll() is None:
            worker.terminate()
            worker.wait(10)


def _say_where_mail_goes(settings) -> None:
    if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
        print(f"Email: no EMAIL_HOST, so emails are written as files under {settings.EMAIL_FILE_PATH}/")
    elif settings.EMAIL_BACKEND.endswith("smtp.EmailBackend"):
        print(f"Email: SMTP via {settings.EMAIL_HOST}:{settings.EMAIL_PORT}")


def _vapid_keys_once(settings) -> None:
    """Web Push needs a VAPID key pair: without one in the environment, make it once into var/."""
    from django.apps import apps

    if not apps.is_installed("parley.notifications") or settings.PARLEY_VAPID_PRIVATE_KEY:
        return
    import json

    from parley.notifications.services.push import generate_vapid_keys

    path = settings.VAR_DIR / "vapid.json"
    keys = generate_vapid_keys()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # never overwrite a pair in use
    with os.fdopen(fd, "w") as fp:
        json.dump(keys, fp)
    settings.PARLEY_VAPID_PRIVATE_KEY, settings.PARLEY_VAPID_PUBLIC_KEY = keys["private"], keys["public"]
    print(f"Web Push: made a VAPID key pair in {path} (kept for the next runs)")


def _die_with_parent() -> None:
    """Linux: have the kernel stop the worker when `parley serve` dies, even by SIGKILL."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _start_task_worker(settings):
    """Start the django.tasks database worker beside the server, when tasks are queued."""
    if settings.PARLEY_TASKS != "database":
        return None
    import subprocess

    from parley.conversations.tasks import purge_deleted
    from parley.stream.tasks import prune_streams

    prune_streams.enqueue()  # once per start; docs/deploy.md adds a daily timer
    purge_deleted.enqueue()
    from django.apps import apps

    if apps.is_installed("parley.webhooks"):
        from parley.webhooks.tasks import deliver_due

        deliver_due.enqueue()  # webhook deliveries left pending by the last run (docs/webhooks.md)
    if apps.is_installed("parley.notifications"):
        from parley.notifications.tasks import prune_notices, send_due

        send_due.enqueue()  # notifications that fell due while nothing ran
        prune_notices.enqueue()  # the admin's records past PARLEY_NOTICE_KEEP_DAYS
    if apps.is_installed("parley.deals"):
        from parley.deals.tasks import expire_offers, remind_meetups

        expire_offers.enqueue()  # offers that expired while stopped; docs/deploy.md adds a 5-minute timer
        remind_meetups.enqueue()
    print("Background worker: parley manage db_worker")
    return subprocess.Popen(
        [sys.executable, "-m", "parley", "manage", "db_worker", "--no-startup-delay"],
        preexec_fn=_background_worker if sys.platform.startswith("linux") else None,
    )


def _background_worker() -> None:
    """The worker dies with the server, and yields the CPU to it: thumbnails can wait, sockets cannot."""
    _die_with_parent()
    os.nice(10)


def _run_uvicorn(uvicorn, args) -> None:
    from parley.realtime.lean_ws import LeanWebSocketProtocol
    from parley.realtime.server import HeaderTimeoutH11Protocol

    # Without nginx in front, these bound what a slow or idle client can hold (docs/deploy.md).
    uvicorn.run(
        "parley.asgi:application",
        host=args.host,
        port=args.port,
        workers=args.workers,
        http=HeaderTimeoutH11Protocol,
        timeout_keep_alive=5,  # seconds an idle keep-alive connection stays open after a response
        h11_max_incomplete_event_size=16 * 1024,  # request line and headers, in bytes
        ws=LeanWebSocketProtocol,  # uvicorn's websockets-sansio, lighter per idle socket
        ws_max_size=1024 * 1024,
        # Browsers offer permessage-deflate; accepted, its zlib state is 36 KiB more per socket
        # (58 against 22 KiB idle, docs/benchmarks.md) and each frame is compressed per socket.
        # Declined, as Socket.IO and Node's ws do by default: chat frames are small.
        ws_per_message_deflate=False,
        loop="uvloop" if sys.platform != "win32" else "auto",
        lifespan="on",
        log_level=args.log_level,
        access_log=args.access_log,
        proxy_headers=True,
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="parley", description="Parley: real-time buyer-seller messaging.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("serve", help="migrate and serve over HTTP and WebSocket")
    p.add_argument("--host", default=os.environ.get("PARLEY_HOST", "127.0.0.1"))
    p.add_argument("--port", type=int, default=int(os.environ.get("PARLEY_PORT", "8000")))
    p.add_argument("--workers", type=int, default=int(os.environ.get("PARLEY_WORKERS", "1")))
    p.add_argument("--log-level", default="info")
    p.add_argument("--access-log", action="store_true")
    p.add_argument("--no-task-worker", dest="task_worker", action="store_false",
                   help="do not start the background task worker (run `parley manage db_worker` yourself)")
    m = sub.add_parser("manage", help="run a Django management command (check --deploy, db_worker, ...)")
    m.add_argument("arguments", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.command == "serve":
        serve(args)
    elif args.command == "manage":
        _setup()
        from django.core.management import execute_from_command_line

        execute_from_command_line(["parley manage", *args.arguments])


if __name__ == "__main__":
    main()
