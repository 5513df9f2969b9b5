"""The table `make bench` prints and the two pictures it draws into docs/."""

from pathlib import Path


def _f(v, nd=1):
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.{nd}f}"
    return str(v)


COLUMNS = ["scenario", "rate/s", "sent", "deliv", "lost", "dup", "p50", "p99", "p99.9", "max",
           "srv CPU%", "CPU ms/msg", "RSS MiB", "lg CPU%", "notes"]


def cpu_ms_per_msg(r: dict):
    """Server CPU time per measured message: robust to a shared machine, unlike latency."""
    if not r.get("server_cpu_pct") or not r.get("measured_sent") or not r.get("window_s"):
        return None
    return round(10 * r["server_cpu_pct"] * r["window_s"] / r["measured_sent"], 2)


def postgres_ms_per_msg(r: dict) -> float | None:
    """PostgreSQL's CPU per message in a step that used it (5% of a core or more), else None:
    an idle server's own ticks beside a SQLite run are not its cost."""
    return r.get("postgres_cpu_ms_per_msg") if (r.get("postgres_cpu_pct") or 0) >= 5 else None


def table(rows: list[dict]) -> str:
    lines = []
    for r in rows:
        if r.get("skipped"):
            lines.append([r["label"]] + ["-"] * 13 + [f"SKIPPED: {r['skipped']}"])
            continue
        if r["scenario"] == "c":
            note = (f"held {r['held']}/{r['asked']} sockets, {r['kib_per_conn']} KiB/conn, "
                    f"RSS {r['rss_before_mib']}->{r['rss_after_mib']} MiB, idle CPU {r['idle_server_cpu_pct']}%")
            lines.append([r["label"]] + ["-"] * 9 + ["-", "-", _f(r["rss_after_mib"]), "-", note])
            continue
        lat = r["latency_ms"]
        notes = []
        if r.get("errors"):
            notes.append(f"errors {r['errors']}")
        if r.get("achieved_rate") is not None and r["rate"] and r["achieved_rate"] < 0.95 * r["rate"]:
            notes.append(f"loadgen only reached {r['achieved_rate']}/s")
        if r.get("other_cpu_pct") is not None and r["other_cpu_pct"] > 20:
            notes.append(f"NOISY: other processes used {r['other_cpu_pct']}% CPU")
        if postgres_ms_per_msg(r) is not None:
            notes.append(f"PostgreSQL {r['postgres_cpu_pct']}% CPU, {r['postgres_cpu_ms_per_msg']} ms/msg")
        if r["scenario"] == "a" and r.get("idle_ws"):
            i = r["idle_ws"]
            notes.append(f"{r.get('connected')} sockets; idle CPU {i.get('server_cpu_pct')}%")
        if r["scenario"] == "peers" and r.get("socket_kib") and r["rate"] == min(
                x["rate"] for x in rows if x.get("label") == r["label"] and x.get("round") == r.get("round")):
            notes.append(f"round {r['round'] + 1}; {r['socket_kib'].get('kib_per_socket')} KiB/idle socket")
        if r["scenario"] in ("b", "peers") and lat.get("p99") is not None:
            notes.append("OK" if (lat["p99"] <= 50 and not r["lost"]) else "over p99 50 ms / lost")
        if r["scenario"] == "d" and r.get("redis_hop_p50_ms") is not None:
            notes.append(f"Redis hop +{r['redis_hop_p50_ms']} ms p50")
        if r["scenario"] == "d" and r.get("second_process_p50_ms") is not None:
            notes.append(f"second process +{r['second_process_p50_ms']} ms p50")
        if r["scenario"] == "e":
            notes.append(f"{r['poll_requests_per_user_s']} req/s per idle user vs WS {r['ws_frames_per_user_s']}; "
                         f"idle CPU/1000 users {r['poll_cpu_pct_per_1000_users']}% vs {r['ws_cpu_pct_per_1000_users']}%")
            if r.get("latency_ratio_p50"):
                notes.append(f"latency ratio p50 {r['latency_ratio_p50']}x, p99 {r['latency_ratio_p99']}x")
        lines.append([
            r["label"], _f(r["rate"], 0), _f(r["sent"]), _f(r["delivered"]),
            _f(r["lost"]), _f(r["duplicated"]), _f(lat["p50"]), _f(lat["p99"]), _f(lat["p999"]), _f(lat["max"]),
            _f(r["server_cpu_pct"]), _f(cpu_ms_per_msg(r), 2), _f(r["server_rss_mib"]), _f(r["loadgen_cpu_pct"]), "; ".join(notes),
        ])
    widths = [max(len(COLUMNS[i]), *(len(str(line[i])) for line in lines)) if lines else len(COLUMNS[i])
              for i in range(len(COLUMNS) - 1)]
    out = [" | ".join(c.ljust(w) for c, w in zip(COLUMNS, widths)) + " | notes"]
    out.append("-+-".join("-" * w for w in widths) + "-+------")
    for line in lines:
        out.append(" | ".join(str(c).ljust(w) for c, w in zip(line, widths)) + " | " + line[-1])
    return "\n".join(out)


def markdown(rows: list[dict]) -> str:
    """The same table as Markdown, for docs/benchmarks.md."""
    text = table(rows).splitlines()
    head = [c.strip() for c in text[0].split(" | ")]
    md = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for line in text[2:]:
        md.append("| " + " | ".join(c.strip() for c in line.split(" | ")) + " |")
    return "\n".join(md)


def plots(rows: list[dict], docs: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    docs.mkdir(parents=True, exist_ok=True)
    paths = []
    fig, ax = plt.subplots(figsize=(9, 5.5))
    for r in rows:
        if r.get("cdf") and r["scenario"] in ("a", "d", "e") or (r["scenario"] == "b" and r.get("cdf") and r["rate"] in (500, 1000, 2000)):
            xs = [max(p[0], 0.01) for p in r["cdf"]]
            ys = [p[1] for p in r["cdf"]]
            ax.plot(xs, ys, label=f"{r['label']} @ {r['rate']:g}/s")
    ax.set_xscale("log")
    ax.set_xlabel("delivery latency, send -> recipient (ms, log)")
    ax.set_ylabel("fraction of messages")
    ax.axvline(50, color="grey", lw=0.6, ls="--")
    ax.set_title("Parley delivery latency CDF per scenario (2-second polling for comparison)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, loc="lower right")
    p = docs / "bench-latency-cdf.png"
    fig.tight_layout()
    fig.savefig(p, dpi=110)
    plt.close(fig)
    paths.append(p)

    fig, ax = plt.subplots(figsize=(9, 5.5))
    series: dict[str, list] = {}
    for r in rows:
        if r["scenario"] in ("a", "b", "d") and not r.get("skipped") and r["latency_ms"]["p50"] is not None:
            series.setdefault(r["label"], []).append((r["rate"], r["latency_ms"]["p50"], r["latency_ms"]["p99"]))
    for label, pts in series.items():
        pts.sort()
        line = ax.plot([p[0] for p in pts], [p[2] for p in pts], marker="o", label=f"{label} p99")[0]
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker=".", ls=":", color=line.get_color(), label=f"{label} p50")
    for r in rows:
        if r["scenario"] == "e" and r["latency_ms"]["p50"] is not None:
            ax.axhline(r["latency_ms"]["p50"], color="red", ls=":", label="2-s polling p50")
            ax.axhline(r["latency_ms"]["p99"], color="red", ls="-", label="2-s polling p99")
    ax.axhline(50, color="grey", lw=0.6, ls="--", label="p99 target 50 ms")
    ax.set_yscale("log")
    ax.set_xlabel("send rate (messages/s, open loop)")
    ax.set_ylabel("delivery latency (ms, log)")
    ax.set_title("Latency against send rate, beside the 2-second polling baseline")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    p = docs / "bench-latency-vs-rate.png"
    fig.tight_layout()
    fig.savefig(p, dpi=110)
    plt.close(fig)
    paths.append(p)
    return paths
