"""A large organisation for scale checks: the demo programme copied once per region, with its own units and ids."""
from __future__ import annotations

import argparse
import time
from datetime import date

import pandas as pd

from data.demo import demo_frames
from data.store import Store

# Columns holding a record's own id, made unique per region by a prefix.
ID_COLUMNS = {"ideas": "idea_id", "voice": "item_id", "tickets": "ticket_id", "survey": "response_id",
              "initiatives": "name"}
# Tables about the whole organisation (unit ''): kept once, not per region.
ORG_TABLES = ("plan", "readings", "targets")
# 30 regions x 14 units = 420 units and about 60,000 people: a large airline or telecoms group.
DEFAULT_REGIONS = 30


def _region_copy(frames: dict[str, pd.DataFrame], region: int) -> dict[str, pd.DataFrame]:
    tag = f"R{region:02d}"
    copy = {}
    for name, frame in frames.items():
        if name in ORG_TABLES:
            continue
        frame = frame.copy()
        if "unit" in frame.columns:
            frame["unit"] = frame["unit"].map(lambda u, t=tag: f"{u} {t}" if isinstance(u, str) and u else u)
        if name == "units":
            # Each region's top unit reports to the region, so the hierarchy stays one tree per region.
            frame["parent"] = frame["parent"].map(lambda p, t=tag: f"{p} {t}" if isinstance(p, str) else f"Region {t}")
        if name in ID_COLUMNS:
            frame[ID_COLUMNS[name]] = tag + "-" + frame[ID_COLUMNS[name]].astype(str)
        copy[name] = frame
    copy["units"] = pd.concat([pd.DataFrame({"unit": [f"Region {tag}"], "function": ["leadership"],
                                             "parent": [None]}), copy["units"]], ignore_index=True)
    return copy


def large_org_frames(regions: int = DEFAULT_REGIONS, end_month: date | None = None) -> dict[str, pd.DataFrame]:
    base = demo_frames(end_month or date.today().replace(day=1))
    copies = [_region_copy(base, r) for r in range(1, regions + 1)]
    frames = {name: pd.concat([c[name] for c in copies], ignore_index=True)
              for name in base if name not in ORG_TABLES}
    frames.update({name: base[name] for name in ORG_TABLES})
    return frames


def load_large_org(store: Store, regions: int = DEFAULT_REGIONS) -> dict[str, int]:
    frames = large_org_frames(regions)
    with store.transaction("scale", f"large organisation, {regions} regions") as tx:
        for name, frame in frames.items():
            tx.upsert(name, frame)
        tx.set_setting("all_staff_course", "service-excellence")
    return {name: len(frame) for name, frame in frames.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("db")
    ap.add_argument("--regions", type=int, default=DEFAULT_REGIONS)
    args = ap.parse_args()
    start = time.perf_counter()
    counts = load_large_org(Store(args.db, actor="benchmark"), args.regions)
    print(f"{sum(counts.values()):,} records in {time.perf_counter() - start:.1f} s: {counts}")


if __name__ == "__main__":
    main()
