"""The performance benchmark: ``.venv/bin/python -m tests.benchmark`` prints every figure of
BENCHMARKS.md, each next to its target.

It builds the workshops through the app's own models (tests/benchmark/generate.py), then
measures every page's rerun with AppTest, an empty Streamlit page in the same run for the
ratio, SQL statements per rerun, peak memory, the growth from 10 to 1,000 topics, the pre-work
save, the PDF export, and 40 partner sessions saving at once against one running server.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from models import mission, prework
from models.db import make_engine, reading, writing
from models.export_pdf import summary_pdf
from models.links import resolve_link
from models.schema import LinkPurpose
from models.summary import build_summary
from tests.benchmark import generate
from tests.benchmark.generate import Built, Size
from tests.benchmark.pages import (
    SAVES,
    PageRun,
    built_from_nothing,
    empty_page,
    measure,
    measure_side_by_side,
    navigation_as_served,
    open_page,
    saved_elsewhere,
    screens,
)
from tests.pages.conftest import as_role

TARGET_MEDIAN_MS, TARGET_RATIO, TARGET_STATEMENTS = 250, 50, 15
TARGET_GROWTH, TARGET_SAVE_MS, TARGET_PDF_S = 4, 50, 5
GROWTH_ROUNDS = 2  # rounds per topic for the growth curve, so 1,000 topics build in minutes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmark")
    parser.add_argument("--reruns", type=int, default=20)
    parser.add_argument("--quick", action="store_true",
                        help="small sizes only, to try the benchmark itself (not the targets)")
    parser.add_argument("--no-load", action="store_true", help="skip the 40-session load test")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="concord-bench-"))
    reference = Size(topics=15, rounds=3) if args.quick else generate.REFERENCE
    growth = (10, 30, 60) if args.quick else (10, 100, 1000)

    print(machine())
    print(f"\nBuilding the reference workshop: {reference.label} …", flush=True)
    start = time.perf_counter()
    engine, built = generate.database(folder / "reference", reference)
    print(f"  built in {time.perf_counter() - start:.0f} s")

    empty = empty_page(args.reruns)
    print(f"\nEvery page at the reference size, {args.reruns} reruns each "
          f"(empty Streamlit page: median {empty.median_ms:.1f} ms, p95 {empty.p95_ms:.1f} ms)")
    runs = every_page(engine.url.database, built, args.reruns)
    print_pages(runs, empty)

    print(f"\nGrowth: each facilitator page at {', '.join(map(str, growth))} topics "
          f"({GROWTH_ROUNDS} rounds each), median of {args.reruns} reruns")
    print_growth(folder, growth, args.reruns)

    print("\nWrites and exports at the reference size")
    saves = prework_saves(engine, built)
    print(f"  pre-work save (mission section, one transaction): median "
          f"{statistics.median(saves):.1f} ms, p95 {sorted(saves)[int(0.95 * len(saves))]:.1f}"
          f" ms over {len(saves)} saves  [target ≤ {TARGET_SAVE_MS} ms: "
          f"{ok(statistics.median(saves) <= TARGET_SAVE_MS)}]")
    seconds, size = pdf_export(engine, built)
    print(f"  PDF export (summary with charts): {seconds:.2f} s, {size / 1024:.0f} KiB  "
          f"[target ≤ {TARGET_PDF_S} s: {ok(seconds <= TARGET_PDF_S)}]")

    if not args.no_load:
        from tests.benchmark.load import run_load

        print("\nLoad: 40 partner sessions saving pre-work at once against one server")
        for line in run_load().lines():
            print(f"  {line}")
    print(f"\nThis process's peak memory: {peak_rss_mib():.0f} MiB")
    return 0


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = next((int(line.split()[1]) / 2**20 for line in
                   Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), 0.0)
    return (f"Machine: {os.cpu_count()} cores ({cpu}), {memory:.0f} GiB memory, "
            f"{platform.system()} {platform.release()}\n"
            f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
            f"run on {date.today().isoformat()}")


def ok(passed: bool) -> str:
    return "met" if passed else "NOT MET"


def roles(db_path: str, built: Built) -> dict[str, Callable]:
    os.environ["CONCORD_DB_PATH"] = db_path
    engine = make_engine(f"sqlite:///{db_path}")
    return {kind: as_role(engine, kind, built.workshop_id)
            for kind in ("facilitator", "partner", "leadership")}


@dataclass(frozen=True)
class PageRuns:
    """One page's three kinds of rerun (see tests/benchmark/pages.py)."""

    unchanged: PageRun  # after a click that saved nothing
    saved: PageRun  # after the save (of SAVES) that makes this page read the most
    save: str  # which save that is
    cold: PageRun  # every view built, as on a newly started server
    statements_by_save: dict[str, int]


def page_runs(app, path: str, kind: str, engine, reruns: int, *, memory: bool = True,
              saves: dict[str, tuple[str, ...]] = SAVES) -> PageRuns:
    memory_reruns = 3 if memory else 0
    unchanged = measure(app, path, kind, reruns, memory_reruns=memory_reruns)
    by_save = {name: measure(app, path, kind, 1, change=saved_elsewhere(engine, tables),
                             memory_reruns=0).statements
               for name, tables in saves.items()}
    heaviest = max(by_save, key=by_save.__getitem__)
    saved = measure(app, path, kind, reruns, memory_reruns=memory_reruns,
                    change=saved_elsewhere(engine, saves[heaviest]))
    cold = measure(app, path, kind, reruns, change=built_from_nothing,
                   memory_reruns=memory_reruns)
    return PageRuns(unchanged, saved, heaviest, cold, by_save)


def every_page(db_path: str, built: Built, reruns: int) -> list[PageRuns]:
    """Each page three ways: reruns after clicks that changed nothing, after the save that
    makes it read the most, and with every view built again."""
    setters = roles(db_path, built)
    engine = make_engine(f"sqlite:///{db_path}")
    runs = []
    with navigation_as_served():
        for kind, setter in setters.items():
            for screen in screens(kind):
                app = open_page(screen.path, setter, screen.opened)
                runs.append(page_runs(app, screen.label, kind, engine, reruns))
                print(f"  measured {screen.label}", file=sys.stderr, flush=True)
    return runs


def fast(run: PageRun, empty: PageRun) -> bool:
    return (run.median_ms <= TARGET_MEDIAN_MS and run.ratio(empty) <= TARGET_RATIO
            and not run.exception)


def meets(run: PageRun, empty: PageRun) -> bool:
    return fast(run, empty) and run.statements <= TARGET_STATEMENTS


def print_pages(runs: list[PageRuns], empty: PageRun) -> None:
    print(f"  {'':43} {'nothing changed':^36} | {'after the heaviest save':^23} | "
          f"{'every view built':^22}")
    print(f"  {'page':30} {'role':12} {'median':>8} {'p95':>8} {'× empty':>8} {'SQL':>4} "
          f"{'peak MiB':>9} | {'median':>8} {'× empty':>8} {'SQL':>4} | {'median':>8} "
          f"{'× empty':>8} {'SQL':>4}  targets; the heaviest save")
    for page in runs:
        run, saved, cold = page.unchanged, page.saved, page.cold
        print(f"  {run.page:30} {run.role:12} {run.median_ms:6.0f}ms {run.p95_ms:6.0f}ms "
              f"{run.ratio(empty):8.1f} {run.statements:4d} {run.peak_mib:9.1f} | "
              f"{saved.median_ms:6.0f}ms {saved.ratio(empty):8.1f} {saved.statements:4d} | "
              f"{cold.median_ms:6.0f}ms {cold.ratio(empty):8.1f} {cold.statements:4d}  "
              f"{ok(meets(run, empty))} / {ok(meets(saved, empty))} / "
              f"{'fast' if fast(cold, empty) else 'SLOW'}; {page.save}"
              f"{'  (exception!)' if run.exception or saved.exception or cold.exception else ''}")
    print(f"  targets: median ≤ {TARGET_MEDIAN_MS} ms, ≤ {TARGET_RATIO} × the empty page, "
          f"≤ {TARGET_STATEMENTS} SQL statements per rerun (nothing changed / after a save); "
          f"every view built: the time targets, its statements shown")
    print(f"  the saves tried on every page ({len(SAVES)}): " + "; ".join(SAVES))


GROWTH_SAVE = "a rating"  # the save the room makes most often


def print_growth(folder: Path, sizes: tuple[int, ...], reruns: int) -> None:
    """Each facilitator page on the three workshops, their reruns taking turns
    (``measure_side_by_side``), three kinds of rerun."""
    workshops: dict[int, tuple[str, Built]] = {}
    for topics in sizes:
        start = time.perf_counter()
        engine, built = generate.database(folder / f"growth-{topics}",
                                          Size(topics=topics, rounds=GROWTH_ROUNDS))
        workshops[topics] = (engine.url.database, built)
        print(f"  built {topics} topics in {time.perf_counter() - start:.0f} s",
              file=sys.stderr, flush=True)
    engines = {n: make_engine(f"sqlite:///{db}") for n, (db, _) in workshops.items()}

    def on(topics: int, change: Callable[[], None] = lambda: None) -> Callable[[], None]:
        def before() -> None:  # the app opens the database CONCORD_DB_PATH names
            os.environ["CONCORD_DB_PATH"] = workshops[topics][0]
            change()
        return before

    results: dict[str, dict[str, dict[int, PageRun]]] = {}
    with navigation_as_served():
        for screen in screens("facilitator"):
            apps = {n: open_page(screen.path, roles(db, built)["facilitator"], screen.opened)
                    for n, (db, built) in workshops.items()}
            changes = {"unchanged": {n: on(n) for n in sizes},
                       "saved": {n: on(n, saved_elsewhere(engines[n], SAVES[GROWTH_SAVE]))
                                 for n in sizes},
                       "cold": {n: on(n, built_from_nothing) for n in sizes}}
            for which, before in changes.items():
                results.setdefault(which, {})[screen.label] = measure_side_by_side(
                    apps, screen.label, "facilitator", reruns, before)
    small, middle, large = sizes
    kinds = (("unchanged", "nothing changed"), ("saved", f"after {GROWTH_SAVE}"),
             ("cold", "every view built"))
    for which, title in kinds:
        print(f"  {title}:")
        print(f"  {'page':30} " + " ".join(f"{n:>7} t" for n in sizes)
              + f" {'ratio':>7} {'SQL':>12}  targets")
        for page, by_size in results[which].items():
            times = [by_size[n].median_ms for n in sizes]
            counts = [by_size[n].statements for n in sizes]
            ratio = times[2] / times[1]
            passed = ratio <= TARGET_GROWTH and counts[0] == counts[2]
            print(f"  {page:30} " + " ".join(f"{t:7.0f}ms" for t in times)
                  + f" {ratio:7.2f} {counts[0]:>5} → {counts[2]:<5}  {ok(passed)}")
    print(f"  ratio: median at {large} topics over median at {middle}, their reruns taking "
          f"turns; target ≤ {TARGET_GROWTH}, and the same SQL statements at {small} and "
          f"{large} topics")


def prework_saves(engine, built: Built, count: int = 50) -> list[float]:
    with writing(engine) as session:
        token = prework.issue_link(session, workshop_id=built.workshop_id, actor="benchmark",
                                   purpose=LinkPurpose.PREWORK, partner_id=built.partner_ids[0])
    with reading(engine) as session:
        access = resolve_link(session, token)
        version = mission.partner_mission(session, built.partner_ids[0]).version
    times = []
    for number in range(count):
        data = {"mission": f"Our mission, draft {number}", "values": "", "brings": "",
                "needs": ""}
        start = time.perf_counter()
        with writing(engine) as session:  # what the pre-work page's save does, link checks too
            prework.partner_write(session, access, lambda partner, s=session, v=version, d=data:
                                  mission.save_partner_mission(s, partner_id=partner.id,
                                                               expected_version=v,
                                                               actor="partner", data=d))
        times.append((time.perf_counter() - start) * 1000)
        version += 1
    return times


def pdf_export(engine, built: Built) -> tuple[float, int]:
    start = time.perf_counter()
    with reading(engine) as session:
        summary = build_summary(session, built.workshop_id)
    data = summary_pdf(summary)
    return time.perf_counter() - start, len(data)


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    raise SystemExit(main())
