"""The load generator: runs in its own process, `python -m bench.loadgen CONFIG RESULT`.

Modes (CONFIG["mode"]):
- "delivery": connect every user over WebSocket, then for each step send open-loop at a fixed
  rate (sends are scheduled, never waiting for acks). The body carries the scheduled send time
  (monotonic clock, ns); the recipient, in this process too, measures receive - scheduled. Users listed in "pollers" do
  not open a socket: they poll GET /api/v1/events?since=cursor every poll_interval seconds.
- "idle": open as many authenticated sockets as asked, measure the server's RSS before and
  after, hold them, and count how many are still open at the end.
"""

import asyncio
import gc
import os
import random
import resource
import sys
import time
from array import array

import orjson

from .procstat import PostgresSample, ProcSample, cpu_seconds, loadavg, machine_busy_seconds, postgres_pids, self_cpu_seconds
from .wsclient import HTTPClient, ws_connect

NS = 1_000_000_000
TICK_S = 0.001


def raise_nofile() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    for want in (1_048_576, 200_000, 65_536, hard):
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (max(want, soft), max(want, hard)))
            return want
        except (ValueError, OSError):
            continue
    return soft


def percentiles(values) -> dict:
    vals = sorted(values)
    n = len(vals)
    if not n:
        return {"p50": None, "p99": None, "p999": None, "max": None, "mean": None}

    def q(p):
        return vals[min(n - 1, int(p * n))]

    return {"p50": q(0.5), "p99": q(0.99), "p999": q(0.999), "max": vals[-1], "mean": sum(vals) / n}


def cdf_points(values, k: int = 400) -> list:
    vals = sorted(values)
    n = len(vals)
    if not n:
        return []
    idx = sorted({min(n - 1, int(n * i / k)) for i in range(k)} | {n - 1})
    return [[vals[i], (i + 1) / n] for i in idx]


def worst_seconds(intended, latency, measured: range, top: int = 3) -> list[list]:
    """[seconds into the measured window, slowest latency in ms, messages] of the `top` seconds
    (by intended send time) whose slowest message was slowest: where in a step its tail came
    from, a stall of a few hundred milliseconds or a slow climb (a message never delivered
    counts as slowest)."""
    if not measured:
        return []
    start, worst = intended[measured.start], {}
    for j in measured:
        second = (intended[j] - start) // 1_000_000_000
        ms = latency[j] / 1e6 if latency[j] >= 0 else float("inf")
        slowest, count = worst.get(second, (0.0, 0))
        worst[second] = (max(slowest, ms), count + 1)
    ranked = sorted(worst.items(), key=lambda kv: -kv[1][0])[:top]
    return [[int(sec), round(ms, 1) if ms != float("inf") else None, count] for sec, (ms, count) in ranked]


class Step:
    """One open-loop step: its messages are numbered 0..n-1 and indexed by the client_msg_id."""

    def __init__(self, number: int, run_id: int, rate: float, warmup_s: float, duration_s: float):
        self.number, self.rate = number, rate
        self.n_warm = int(rate * warmup_s)
        self.n = self.n_warm + int(rate * duration_s)
        self.prefix = f"{run_id:08x}-{number:04x}-4000-8000-"
        self.intended = array("q", [0]) * self.n
        self.lag = array("q", [0]) * self.n
        self.latency = array("q", [-1]) * self.n  # ns, first delivery to the recipient
        self.recv = bytearray(self.n)
        self.acked = bytearray(self.n)
        self.sent = 0
        self.errors: dict[str, int] = {}
        self.send_failed = 0


class Delivery:
    def __init__(self, cfg: dict):
        self.cfg = cfg
        self.loop = asyncio.get_running_loop()
        self.host = cfg.get("host", "127.0.0.1")
        self.users = {int(k): v for k, v in cfg["users"].items()}
        self.convs = cfg["conversations"]
        self.cookie_name = cfg.get("cookie_name", "sessionid")
        self.pollers = set(cfg.get("pollers", []))
        # Users whose sockets log in with an app token (a subprotocol) instead of the cookie.
        self.tokens = {int(k): v for k, v in cfg.get("tokens", {}).items() if int(k) in set(cfg.get("token_users", []))}
        self.one_way = cfg.get("one_way", False)  # buyers send, sellers receive
        self.clients: dict[int, object] = {}
        self.steps: dict[str, Step] = {}
        self.current: Step | None = None
        self.echo = 0
        self.other_frames = 0
        self.errors_total: dict[str, int] = {}
        self.poll_requests = 0
        self.poll_errors = 0
        self.poll_latency: list[int] = []  # ns, for messages received by pollers
        self.typing_sent = 0
        self.typing_signals = 0  # `typing` signals received
        # The wire protocol of the server under test: Parley's frames, Socket.IO 4 (the Node
        # peer), or the Channels peer (Parley's frame shapes on a tutorial-style consumer).
        self.protocol = cfg.get("protocol", "parley")
        if self.protocol == "socketio":
            self.on_text = self.on_text_socketio

    def port_for(self, uid: int) -> int:
        ports = self.cfg["ports"]
        return ports[self.side.get(uid, 0) % len(ports)]

    # --- receiving -----------------------------------------------------------------
    def on_text(self, client, payload: bytes) -> None:
        now = time.monotonic_ns()
        frame = orjson.loads(payload)
        kind = frame.get("type")
        if kind == "event":
            if frame.get("event") != "message.created":
                return
            self._delivered(client.uid, frame["data"]["message"], now, None)
        elif kind == "ack":
            step = self._step_of(frame.get("client_msg_id", ""))
            if step is not None:
                step[0].acked[step[1]] = 1
        elif kind == "signal":
            self.typing_signals += 1
        elif kind == "error":
            code = frame.get("code", "?")
            self.errors_total[code] = self.errors_total.get(code, 0) + 1
            if self.current is not None:
                self.current.errors[code] = self.current.errors.get(code, 0) + 1
        else:
            self.other_frames += 1

    def on_text_socketio(self, client, payload: bytes) -> None:
        """'42["message",{..}]' is a delivery, '43<n>[{..}]' the ack of send number n."""
        now = time.monotonic_ns()
        if payload[:2] == b"42":
            name, data = orjson.loads(payload[2:])[:2]
            if name == "message":
                self._delivered(client.uid, data, now, None)
            else:
                self.other_frames += 1
        elif payload[:2] == b"43":
            data = orjson.loads(payload[payload.index(b"["):])[0]
            if "error" in data:
                code = data["error"]
                self.errors_total[code] = self.errors_total.get(code, 0) + 1
                if self.current is not None:
                    self.current.errors[code] = self.current.errors.get(code, 0) + 1
                return
            step = self._step_of(data.get("client_msg_id", ""))
            if step is not None:
                step[0].acked[step[1]] = 1
        else:
            self.other_frames += 1

    def encode_send(self, i: int, conv: int, body: str, cmid: str) -> bytes:
        if self.protocol == "socketio":  # an emit with an ack callback: 42<ack id>["send", {..}]
            return b"42%d" % i + orjson.dumps(["send", {"conversation_id": conv, "body": body, "client_msg_id": cmid}])
        return orjson.dumps({"type": "send", "id": i, "conversation_id": conv, "body": body, "client_msg_id": cmid})

    def _step_of(self, cmid: str):
        step = self.steps.get(cmid[:23])
        if step is None:
            return None
        return step, int(cmid[24:], 16)

    def _delivered(self, uid: int, message: dict, now: int, poll_list) -> None:
        if message["sender_id"] == uid:
            self.echo += 1  # the sender's own copy of its message
            return
        found = self._step_of(message["client_msg_id"])
        if found is None:
            return
        step, i = found
        if i >= step.n:
            return
        # The timestamp travels in the body: "<scheduled ns> <index> ...".
        sent_ns = int(message["body"].split(" ", 1)[0])
        if step.recv[i] < 255:
            step.recv[i] += 1
        if step.recv[i] == 1:
            step.latency[i] = now - sent_ns
            if poll_list is not None:
                poll_list.append(now - sent_ns)

    # --- connecting ----------------------------------------------------------------
    async def connect_all(self) -> dict:
        ws_users = [u for u in self.users if u not in self.pollers]
        sem = asyncio.Semaphore(self.cfg.get("connect_concurrency", 32))
        failures: list[str] = []
        t0 = time.monotonic()

        async def one(uid):
            async with sem:
                port = self.port_for(uid)
                try:
                    self.clients[uid] = await ws_connect(
                        self.loop, self.host, port, uid, f"{self.cookie_name}={self.users[uid]}",
                        f"http://127.0.0.1:{port}", self.on_text, token=self.tokens.get(uid),
                        protocol=self.protocol,
                    )
                except Exception as exc:  # noqa: BLE001 - counted and reported
                    failures.append(repr(exc))

        socket_kib = None
        if self.cfg.get("measure_socket_kib") and len(ws_users) > 100:
            # Memory per idle authenticated socket: RSS after the rest connected and settled,
            # against RSS once the first 50 had warmed the server's connect path.
            pid = self.cfg["server_pids"][0]
            await asyncio.gather(*(one(u) for u in ws_users[:50]))
            await asyncio.sleep(1.0)
            rss0 = ProcSample(pid).rss_kib()
            await asyncio.gather(*(one(u) for u in ws_users[50:]))
            await asyncio.sleep(self.cfg.get("settle_s", 3))
            rss1 = ProcSample(pid).rss_kib()
            more = len(self.clients) - 50
            socket_kib = {"rss_before_mib": round(rss0 / 1024, 1), "rss_after_mib": round(rss1 / 1024, 1),
                          "sockets": more, "kib_per_socket": round((rss1 - rss0) / more, 2) if more > 0 else None}
        else:
            await asyncio.gather(*(one(u) for u in ws_users))
        return {"connected": len(self.clients), "socket_kib": socket_kib, "by_token": len(self.tokens), "connect_failures": len(failures),
                "connect_errors": failures[:5], "connect_s": round(time.monotonic() - t0, 2)}

    # --- sending -------------------------------------------------------------------
    def _message(self, i: int, rotate: int):
        conv, buyer, seller = self.convs[i % len(self.convs)]
        if self.one_way or (i // len(self.convs) + rotate) % 2 == 0:
            return conv, buyer, seller
        return conv, seller, buyer

    async def run_step(self, step: Step) -> dict:
        self.steps[step.prefix[:23]] = step
        self.current = step
        rate, n = step.rate, step.n
        # One clock for the whole measurement: the monotonic one. The sender and the recipient
        # are both in this process, and the wall clock can be slewed or stepped under a run
        # (it was, once: every latency of a step shifted by the same 5.8 s).
        start_ns = time.monotonic_ns() + int(0.05 * NS)
        t0 = start_ns / NS
        started_at = time.time() + 0.05  # wall clock, to line the worst seconds up with server logs
        srv = [ProcSample(pid) for pid in self.cfg.get("server_pids", [])]
        pg_pids = postgres_pids()  # found now: scanning /proc inside the sending loop would delay sends
        pg = PostgresSample(pg_pids)
        cpu0 = self_cpu_seconds()
        machine0 = machine_busy_seconds()
        measured_from = None
        i = 0
        while i < n:
            now = time.monotonic()
            due = min(n, int((now - t0) * rate) + 1)
            while i < due:
                if i == step.n_warm:  # warm-up over: the measured window starts here
                    srv = [ProcSample(pid) for pid in self.cfg.get("server_pids", [])]
                    pg = PostgresSample(pg_pids)
                    cpu0 = self_cpu_seconds()
                    machine0 = machine_busy_seconds()
                    measured_from = time.monotonic()
                intended = start_ns + int(i * NS / rate)
                conv, sender, _recipient = self._message(i, step.number)
                client = self.clients.get(sender)
                actual = time.monotonic_ns()
                step.intended[i] = intended
                step.lag[i] = actual - intended
                try:
                    client.send_text(self.encode_send(i, conv, f"{intended} {i} bench message",
                                                      f"{step.prefix}{i:012x}"))
                    step.sent += 1
                except Exception:  # noqa: BLE001
                    step.send_failed += 1
                i += 1
            if i < n:
                # Sleep at least TICK_S: the event loop's timers have millisecond resolution, and
                # shorter sleeps spin the client's CPU away from the server. Each message keeps
                # its own scheduled time, so the tick's lag counts against the server, not for it.
                delay = t0 + i / rate - time.monotonic()
                await asyncio.sleep(max(delay, TICK_S))
        if measured_from is None:
            measured_from = t0
        send_window = time.monotonic() - measured_from
        srv_stats = [s.stop() for s in srv]
        srv_cpu0 = [s.cpu0 for s in srv]
        pg_used = pg.stop()
        pg_pct = 100 * pg_used / send_window if pg_used is not None and send_window else None
        cpu_used = self_cpu_seconds() - cpu0
        machine1 = machine_busy_seconds()
        ncpu = os.cpu_count() or 1
        machine_pct = 100 * (machine1[0] - machine0[0]) / max(1e-9, (machine1[1] - machine0[1]) / ncpu)
        # Grace: wait until every message reached its recipient (and was acked), or time runs out.
        grace_end = time.monotonic() + self.cfg.get("grace_s", 5)
        while time.monotonic() < grace_end:
            if step.recv.count(0) == 0 and step.acked.count(0) == 0:
                break
            await asyncio.sleep(0.05)
        drained_s = time.monotonic() - measured_from - send_window
        # The servers' CPU from the measured window's start until every message was delivered
        # and acked (or grace ran out): on a loaded machine a server can fall behind in the
        # window and catch up after it, so CPU per message is steadier over both.
        srv_cpu_drained = sum(cpu_seconds(s.pid) - c0 for s, c0 in zip(srv, srv_cpu0))
        self.current = None
        measured = range(step.n_warm, n)
        lat = [step.latency[j] / 1e6 for j in measured if step.latency[j] >= 0]
        lags = [step.lag[j] / 1e6 for j in measured]
        lost = step.recv.count(0)
        lost_measured = sum(1 for j in measured if not step.recv[j])
        duplicated = sum(1 for c in step.recv if c > 1)
        result = {
            "rate": rate,
            "sent": step.sent,
            "measured_sent": len(measured),
            "send_failed": step.send_failed,
            "acked": n - step.acked.count(0),
            "delivered": n - lost,
            "lost": lost,
            "duplicated": duplicated,
            "errors": step.errors,
            "latency_ms": percentiles(lat),
            "send_lag_ms": percentiles(lags),
            "window_s": round(send_window, 3),
            "drain_s": round(drained_s, 3),
            "achieved_rate": round(len(measured) / send_window, 1) if send_window else None,
            "server": srv_stats,
            "server_cpu_pct": round(sum(s["cpu_pct"] for s in srv_stats), 1) if srv_stats else None,
            "server_cpu_ms_per_msg_drained": (round(1000 * srv_cpu_drained / (len(measured) - lost_measured), 3)
                                              if srv and len(measured) > lost_measured else None),
            "server_rss_mib": round(sum(s["rss_kib"] for s in srv_stats) / 1024, 1) if srv_stats else None,
            "loadgen_cpu_pct": round(100 * cpu_used / send_window, 1) if send_window else None,
            # PostgreSQL's processes (shared by every contender that writes to it; None without one here).
            "postgres_cpu_pct": round(pg_pct, 1) if pg_pct is not None else None,
            "postgres_cpu_ms_per_msg": (round(1000 * pg_used / len(measured), 3)
                                        if pg_used is not None and len(measured) else None),
            # Noise: CPU used by everything else on this shared machine (100% = one core).
            "machine_cpu_pct": round(machine_pct, 1),
            "other_cpu_pct": round(machine_pct - sum(s["cpu_pct"] for s in srv_stats)
                                   - (100 * cpu_used / send_window if send_window else 0)
                                   - (pg_pct or 0), 1),
            "loadavg": loadavg(),
            "cdf": cdf_points(lat),
            "worst_seconds": worst_seconds(step.intended, step.latency, measured),
            "measured_from_epoch": round(started_at + step.n_warm / rate, 3),
        }
        if self.poll_latency:
            result["poll_latency_ms"] = percentiles([x / 1e6 for x in self.poll_latency])
            result["poll_cdf"] = cdf_points([x / 1e6 for x in self.poll_latency])
        return result

    # --- polling (the old design's baseline) -----------------------------------------
    async def poller(self, uid: int, stop: asyncio.Event, interval: float) -> None:
        port = self.port_for(uid)
        http = HTTPClient(self.host, port, f"{self.cookie_name}={self.users[uid]}")
        try:
            status, body = await http.get("/api/v1/events?since=0&limit=1")
            cursor = orjson.loads(body).get("head", 0) if status == 200 else 0
            await asyncio.sleep(random.random() * interval)  # spread the pollers over the period
            next_at = time.monotonic()
            while not stop.is_set():
                status, body = await http.get(f"/api/v1/events?since={cursor}")
                now = time.monotonic_ns()
                self.poll_requests += 1
                if status != 200:
                    self.poll_errors += 1
                else:
                    data = orjson.loads(body)
                    for ev in data.get("events", ()):
                        if ev.get("event") == "message.created":
                            self._delivered(uid, ev["data"]["message"], now, self.poll_latency)
                    cursor = data.get("cursor", cursor)
                next_at += interval
                try:
                    await asyncio.wait_for(stop.wait(), max(0.0, next_at - time.monotonic()))
                except TimeoutError:
                    pass
        except (OSError, asyncio.IncompleteReadError) as exc:
            self.poll_errors += 1
            print(f"poller {uid}: {exc!r}", file=sys.stderr)
        finally:
            http.close()

    # --- typing (issue 11): live-only signals beside the messages -----------------------
    async def typing_load(self, stop: asyncio.Event) -> None:
        """The first `typing` conversations' buyers each send a `typing` frame every
        `typing_every_s` seconds (phases spread evenly), until stop."""
        typists = [(conv, buyer) for conv, buyer, _seller in self.convs[: self.cfg.get("typing", 0)]]
        if not typists:
            return
        rate = len(typists) / self.cfg.get("typing_every_s", 3.0)
        t0 = time.monotonic()
        i = 0
        while not stop.is_set():
            due = int((time.monotonic() - t0) * rate) + 1
            while i < due:
                conv, uid = typists[i % len(typists)]
                client = self.clients.get(uid)
                if client is not None:
                    try:
                        client.send_text(orjson.dumps({"type": "typing", "conversation_id": conv}))
                        self.typing_sent += 1
                    except Exception:  # noqa: BLE001 - a closed socket: counted as not sent
                        pass
                i += 1
            await asyncio.sleep(max(TICK_S, t0 + i / rate - time.monotonic()))

    async def idle_window(self, seconds: float) -> dict:
        """Measure the server while every socket (and poller) just sits there."""
        srv = [ProcSample(pid) for pid in self.cfg.get("server_pids", [])]
        req0, frames0 = self.poll_requests, self.other_frames
        cpu0 = self_cpu_seconds()
        await asyncio.sleep(seconds)
        stats = [s.stop() for s in srv]
        return {
            "seconds": seconds,
            "server_cpu_pct": round(sum(s["cpu_pct"] for s in stats), 2) if stats else None,
            "server_rss_mib": round(sum(s["rss_kib"] for s in stats) / 1024, 1) if stats else None,
            "poll_requests": self.poll_requests - req0,
            "frames_to_idle_clients": self.other_frames - frames0,
            "loadgen_cpu_pct": round(100 * (self_cpu_seconds() - cpu0) / seconds, 1),
        }

    async def run(self) -> dict:
        ports = self.cfg["ports"]
        # Scenario d: buyers on the first server, sellers on the second.
        self.side = {}
        for _conv, buyer, seller in self.convs:
            self.side[buyer], self.side[seller] = 0, (1 if len(ports) > 1 else 0)
        out = {"mode": "delivery"}
        out.update(await self.connect_all())
        stop = asyncio.Event()
        interval = self.cfg.get("poll_interval", 2.0)
        poll_tasks = [asyncio.create_task(self.poller(u, stop, interval)) for u in self.pollers]
        if poll_tasks:
            await asyncio.sleep(interval + 0.5)  # every poller has its cursor and its phase
        if self.cfg.get("idle_s"):
            out["idle"] = await self.idle_window(self.cfg["idle_s"])
            out["idle"]["ws_clients"] = len(self.clients)
            out["idle"]["pollers"] = len(self.pollers)
        gc.collect()
        gc.freeze()
        if self.cfg.get("ready_path"):  # the orchestrator may start a profiler now
            open(self.cfg["ready_path"], "w").close()
            await asyncio.sleep(self.cfg.get("ready_pause_s", 0))
        out["steps"] = []
        typing_task = asyncio.create_task(self.typing_load(stop)) if self.cfg.get("typing") else None
        if typing_task is not None:
            await asyncio.sleep(self.cfg.get("typing_every_s", 3.0))  # every typist has started
        for number, spec in enumerate(self.cfg.get("steps", [])):
            step = Step(number, self.cfg["run_id"], spec["rate"], spec.get("warmup_s", 2), spec["duration_s"])
            res = await self.run_step(step)
            res.update({k: v for k, v in spec.items() if k not in res})
            out["steps"].append(res)
            print(f"  step {res['rate']}/s: sent {res['sent']} lost {res['lost']} dup {res['duplicated']} "
                  f"p50 {res['latency_ms']['p50']} p99 {res['latency_ms']['p99']} "
                  f"server cpu {res['server_cpu_pct']}% loadgen {res['loadgen_cpu_pct']}% "
                  f"worst seconds {res['worst_seconds']} from {res['measured_from_epoch']}", file=sys.stderr)
            if spec.get("stop_if_p99_over") and (
                res["lost"] or res["latency_ms"]["p99"] is None or res["latency_ms"]["p99"] > spec["stop_if_p99_over"]
            ):
                break
        stop.set()
        if typing_task is not None:
            await typing_task
            out["typing"] = {"typists": self.cfg["typing"], "every_s": self.cfg.get("typing_every_s", 3.0),
                             "sent": self.typing_sent, "signals_received": self.typing_signals}
            print(f"  typing: {out['typing']}", file=sys.stderr)
        if poll_tasks:
            await asyncio.gather(*poll_tasks, return_exceptions=True)
            out["poll"] = {"pollers": len(self.pollers), "requests": self.poll_requests, "errors": self.poll_errors}
        out["echo_frames"] = self.echo
        out["errors"] = self.errors_total
        for c in self.clients.values():
            c.close()
        await asyncio.sleep(0.2)
        return out


async def run_idle(cfg: dict) -> dict:
    """Open N idle authenticated sockets; memory per socket = (RSS after - RSS before) / N."""
    loop = asyncio.get_running_loop()
    users = list(cfg["users"].items())
    port = cfg["ports"][0]
    pid = cfg["server_pids"][0]
    target = cfg["connections"]
    cookie_name = cfg.get("cookie_name", "sessionid")
    sem = asyncio.Semaphore(cfg.get("connect_concurrency", 64))
    clients = []
    failures: list[str] = []
    noop = lambda c, p: None  # noqa: E731

    async def one(k):
        uid, key = users[k % len(users)]
        async with sem:
            try:
                clients.append(await ws_connect(loop, "127.0.0.1", port, int(uid), f"{cookie_name}={key}",
                                                f"http://127.0.0.1:{port}", noop))
            except Exception as exc:  # noqa: BLE001
                failures.append(repr(exc))

    # Warm the server's connect path first, then take the baseline.
    await asyncio.gather(*(one(k) for k in range(50)))
    for c in clients:
        c.close()
    clients.clear()
    await asyncio.sleep(2)
    before = ProcSample(pid).rss_kib()
    t0 = time.monotonic()
    await asyncio.gather(*(one(k) for k in range(target)))
    connect_s = time.monotonic() - t0
    await asyncio.sleep(cfg.get("settle_s", 3))
    after = ProcSample(pid).rss_kib()
    sample = ProcSample(pid)
    await asyncio.sleep(cfg.get("hold_s", 10))
    idle = sample.stop()
    held = sum(1 for c in clients if c.open)
    for c in clients:
        c.close()
    await asyncio.sleep(0.5)
    opened = len(clients)
    return {
        "mode": "idle",
        "asked": target,
        "opened": opened,
        "held": held,
        "connect_failures": len(failures),
        "connect_errors": failures[:5],
        "connect_s": round(connect_s, 2),
        "rss_before_mib": round(before / 1024, 1),
        "rss_after_mib": round(after / 1024, 1),
        "kib_per_conn": round((after - before) / opened, 2) if opened else None,
        "idle_server_cpu_pct": idle["cpu_pct"],
    }


async def main_async(cfg: dict) -> dict:
    if cfg["mode"] == "idle":
        return await run_idle(cfg)
    return await Delivery(cfg).run()


def main(argv=None) -> None:
    argv = argv if argv is not None else sys.argv[1:]
    cfg_path, out_path = argv
    with open(cfg_path, "rb") as f:
        cfg = orjson.loads(f.read())
    raise_nofile()
    if cfg.get("cpus"):  # the side-by-side scenario keeps the load generator off the server's core
        os.sched_setaffinity(0, set(cfg["cpus"]))
    try:
        import uvloop

        runner = uvloop.run
    except ImportError:
        runner = asyncio.run
    t0 = time.monotonic()
    result = runner(main_async(cfg))
    result["loadgen_wall_s"] = round(time.monotonic() - t0, 2)
    result["loadgen_pid"] = os.getpid()
    with open(out_path, "wb") as f:
        f.write(orjson.dumps(result))


if __name__ == "__main__":
    main()
