"""Import of a 100,000-row voice file (and the units it names) through run_import, against a naive peer.

Each run happens in its own fresh process on its own fresh database file, so its peak resident memory is its own:
    ours   run_import: every cell checked by the import rules, a preview decided by a rolled-back upsert, then one
           audited set-based upsert (an audit row per record)
    naive  csv.reader and row-by-row INSERTs through one cursor in one transaction: no checks, no audit, no preview
    bulk   pandas.read_csv and one INSERT ... SELECT from the registered frame: no checks, no audit (a floor, not a
           peer: what a loader that trusts its file costs)
    reimport  run_import of the same files again (every record unchanged, nothing written)

Usage: python -m benchmarks.bench_import [--rows 100000] [--units 60] [--naive-rows 100000]
Rates are rows of the voice file per second of wall time (reading the bytes to committing); memory is the process's
peak resident set (ru_maxrss) and its growth over the process's size before the run (after imports).
"""
from __future__ import annotations

import argparse
import csv
import io
import multiprocessing as mp
import random
import resource
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

KINDS = ("praise", "praise", "complaint", "assessment")
CHANNELS = ("email", "phone", "app", "survey", "social")
WORDS = ("quick", "friendly", "late", "helpful", "rude", "clear", "slow", "kind", "lost", "baggage", "crew",
         "booking", "refund", "lounge", "seat", "meal", "upgrade", "delay", "thanks", "again")


def units_csv(n_units: int) -> bytes:
    lines = ["unit,function,parent", "Organisation,leadership,"]
    functions = ("frontline", "internal")
    lines += [f"Unit {i:03d},{functions[i % 2]},Organisation" for i in range(1, n_units)]
    return ("\n".join(lines) + "\n").encode()


def voice_csv(n_rows: int, n_units: int, seed: int = 7) -> bytes:
    rng = random.Random(seed)
    start = date(2024, 1, 1)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["item_id", "date", "unit", "kind", "text", "channel"])
    units = ["Organisation"] + [f"Unit {i:03d}" for i in range(1, n_units)]
    for i in range(n_rows):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 14))).capitalize()
        if rng.random() < 0.2:
            text += ", and more"  # a comma inside a quoted cell
        writer.writerow([f"V{i:07d}", (start + timedelta(days=rng.randrange(600))).isoformat(),
                         "" if rng.random() < 0.05 else rng.choice(units), rng.choice(KINDS), text,
                         rng.choice(CHANNELS)])
    return out.getvalue().encode()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _current_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 1024 / 1024


def _ours(db: str, files: dict[str, bytes], reimport: bool) -> dict:
    from data.importer import run_import
    from data.store import Store

    store = Store(db, actor="bench")
    if reimport:
        first = run_import(store, files)
        assert not first.problems, first.problems[:3]
    before = _current_mb()
    start = time.perf_counter()
    plan = run_import(store, files)
    seconds = time.perf_counter() - start
    assert not plan.problems, plan.problems[:3]
    return {"seconds": seconds, "peak_mb": _peak_mb(), "base_mb": before,
            "rows": store.counts()["voice"], "audit": store.scalar("SELECT count(*) FROM audit"),
            "written": plan.written.get("voice", {})}


def _plain_tables(db: str):
    import duckdb

    con = duckdb.connect(db)
    con.execute("CREATE TABLE units (unit VARCHAR PRIMARY KEY, function VARCHAR, parent VARCHAR)")
    con.execute("CREATE TABLE voice (item_id VARCHAR PRIMARY KEY, date DATE, unit VARCHAR, kind VARCHAR, "
                "text VARCHAR, channel VARCHAR)")
    return con


def _bulk(db: str, files: dict[str, bytes]) -> dict:
    import pandas as pd

    con = _plain_tables(db)
    before = _current_mb()
    start = time.perf_counter()
    con.execute("BEGIN TRANSACTION")
    for name, table in (("units.csv", "units"), ("voice.csv", "voice")):
        frame = pd.read_csv(io.BytesIO(files[name]), dtype=str, keep_default_na=False)
        con.register("incoming", frame)
        con.execute(f"INSERT INTO {table} SELECT * FROM incoming")
        con.unregister("incoming")
    con.execute("COMMIT")
    seconds = time.perf_counter() - start
    rows = con.execute("SELECT count(*) FROM voice").fetchone()[0]
    con.close()
    return {"seconds": seconds, "peak_mb": _peak_mb(), "base_mb": before, "rows": rows}


def _naive(db: str, files: dict[str, bytes]) -> dict:
    con = _plain_tables(db)
    before = _current_mb()
    start = time.perf_counter()
    cur = con.cursor()
    cur.execute("BEGIN TRANSACTION")
    for name, table in (("units.csv", "units"), ("voice.csv", "voice")):
        reader = csv.reader(io.StringIO(files[name].decode("utf-8")))
        header = next(reader)
        sql = f"INSERT INTO {table} VALUES ({', '.join('?' * len(header))})"
        for row in reader:
            cur.execute(sql, [cell or None for cell in row])
    cur.execute("COMMIT")
    seconds = time.perf_counter() - start
    rows = con.execute("SELECT count(*) FROM voice").fetchone()[0]
    con.close()
    return {"seconds": seconds, "peak_mb": _peak_mb(), "base_mb": before, "rows": rows}


def _child(kind: str, db: str, files: dict[str, bytes], queue) -> None:
    if kind == "naive":
        queue.put(_naive(db, files))
    elif kind == "bulk":
        queue.put(_bulk(db, files))
    else:
        queue.put(_ours(db, files, reimport=kind == "reimport"))


def run(kind: str, files: dict[str, bytes]) -> dict:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    with tempfile.TemporaryDirectory() as tmp:
        proc = ctx.Process(target=_child, args=(kind, str(Path(tmp) / f"{kind}.duckdb"), files, queue))
        proc.start()
        result = queue.get()
        proc.join()
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--units", type=int, default=60)
    ap.add_argument("--naive-rows", type=int, default=None, help="rows for the naive peer (default: --rows)")
    args = ap.parse_args()
    files = {"units.csv": units_csv(args.units), "voice.csv": voice_csv(args.rows, args.units)}
    naive_files = files if not args.naive_rows else {"units.csv": files["units.csv"],
                                                     "voice.csv": voice_csv(args.naive_rows, args.units)}
    print(f"voice.csv: {args.rows:,} rows, {len(files['voice.csv']) / 1024 / 1024:.1f} MB; units.csv: {args.units}")
    results = {"ours": run("ours", files), "naive": run("naive", naive_files), "bulk": run("bulk", files),
               "reimport": run("reimport", files)}
    for kind, r in results.items():
        r["rate"] = r["rows"] / r["seconds"]
        r["growth_mb"] = r["peak_mb"] - r["base_mb"]
        print(f"{kind:<9} {r['rows']:>8,} rows in {r['seconds']:6.2f} s = {r['rate']:>9,.0f} rows/s; "
              f"peak RSS {r['peak_mb']:6.0f} MB (grew {r['growth_mb']:5.0f} MB over {r['base_mb']:4.0f} MB)")
    ours, naive, bulk = results["ours"], results["naive"], results["bulk"]
    print(f"ours / naive: speed {ours['rate'] / naive['rate']:.2f}x, "
          f"peak memory {ours['peak_mb'] / naive['peak_mb']:.2f}x, "
          f"memory growth {ours['growth_mb'] / max(naive['growth_mb'], 1):.2f}x")
    print(f"ours / bulk (unchecked floor): speed {ours['rate'] / bulk['rate']:.2f}x, "
          f"peak memory {ours['peak_mb'] / bulk['peak_mb']:.2f}x")
    print(f"ours wrote {ours['written']} and {ours['audit']:,} audit rows; re-import wrote nothing "
          f"({results['reimport']['rate']:,.0f} rows/s checked)")


if __name__ == "__main__":
    main()
