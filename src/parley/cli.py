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
    sys.stdout.flush()
    import uvicorn

    uvicorn.run(
        "parley.asgi:application",
        host=args.host,
        port=args.port,
        workers=args.workers,
        ws="websockets-sansio",
        ws_max_size=1024 * 1024,
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
    args = parser.parse_args(argv)
    if args.command == "serve":
        serve(args)


if __name__ == "__main__":
    main()
