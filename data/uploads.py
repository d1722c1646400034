"""What the Import page needs beyond the importer, without Streamlit: the upload limit, and plans as tables."""
from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from data.formats import FORMATS
from data.importer import CSV_SUFFIX, ImportPlan

CONFIG = Path(__file__).resolve().parent.parent / ".streamlit" / "config.toml"
DEFAULT_MAX_UPLOAD_MB = 50
MB = 1024 * 1024
PREVIEW_COLUMNS = ["table", "new", "updated", "unchanged"]


def max_upload_mb(config: Path = CONFIG) -> int:
    """server.maxUploadSize from the app's config (what Streamlit itself enforces per file), in MB."""
    try:
        with config.open("rb") as f:
            return int(tomllib.load(f).get("server", {}).get("maxUploadSize", DEFAULT_MAX_UPLOAD_MB))
    except (OSError, ValueError, tomllib.TOMLDecodeError):
        return DEFAULT_MAX_UPLOAD_MB


def _size(n: int) -> str:
    return f"{n / MB:.1f} MB" if n >= MB / 10 else f"{max(n // 1024, 1)} KB"


def upload_problems(files: Mapping[str, bytes], limit_mb: int | None = None) -> list[str]:
    """Why these uploads cannot be checked at all: too large, each file or all together (Streamlit refuses a file
    over the limit itself; the total is ours). Empty when they can go to the importer."""
    limit_mb = limit_mb or max_upload_mb()
    limit = limit_mb * MB
    problems = [f"{name} is {_size(len(data))}, over the upload limit of {limit_mb} MB; split it into smaller files "
                "(one per table) or import it with the command line (python -m data import PATH)"
                for name, data in files.items() if len(data) > limit]
    total = sum(len(data) for data in files.values())
    if not problems and total > limit:
        problems.append(f"The files add up to {_size(total)}, over the upload limit of {limit_mb} MB; import them in "
                        "several parts (units first), or with the command line (python -m data import PATH)")
    return problems


def digest(files: Mapping[str, bytes]) -> str:
    """Identifies an upload, so a page checks the same files once however often it reruns."""
    h = hashlib.sha256()
    for name in sorted(files):
        h.update(name.encode("utf-8") + b"\0" + hashlib.sha256(files[name]).digest())
    return h.hexdigest()


def preview_frame(counts: Mapping[str, Mapping[str, int]]) -> pd.DataFrame:
    """new / updated / unchanged per table, in import order, for a preview or a summary."""
    rows = [{"table": t, **{k: int(counts[t].get(k, 0)) for k in PREVIEW_COLUMNS[1:]}} for t in FORMATS if t in counts]
    return pd.DataFrame(rows, columns=PREVIEW_COLUMNS)


def would_change(plan: ImportPlan) -> int:
    return sum(c.get("new", 0) + c.get("updated", 0) for c in plan.preview.values())


def formats_frame() -> pd.DataFrame:
    """Each import table with its key and columns, for a reminder on screen."""
    return pd.DataFrame([{"table": f.stem, "file": f"{f.stem}{CSV_SUFFIX} or sheet {f.stem}",
                          "key": ", ".join(f.key), "columns": ", ".join(c.name for c in f.columns if not c.kept)}
                         for f in FORMATS.values()])
