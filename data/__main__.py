"""Command line for analysts and automation: init, demo, import, export, backup, restore (see design.md)."""
from __future__ import annotations

import argparse
import functools
import sys
from pathlib import Path

from data import demo, export, importer
from data.settings import EDITABLE_SETTINGS, change_setting
from data.store import Store, StoreError, default_db_path


def _store(args, create: bool = False) -> Store:
    """Only init, demo and a real import may create a database: a mistyped --db must not quietly make an empty one."""
    path = Path(args.db or default_db_path())
    if not create and not path.exists():
        raise StoreError(f"{path}: no such database. Create it with `python -m data init --db {path}`.")
    return Store(path, actor="cli")


def cmd_init(args) -> int:
    store = _store(args, create=True)
    print(f"{store.path}: ready (migrations: {', '.join(store.migrations())}).")
    return 0


def cmd_demo(args) -> int:
    store = _store(args, create=True)
    if not store.is_empty() and not store.is_demo():
        print(f"{store.path} already holds programme data; the demo is only loaded into an empty database.",
              file=sys.stderr)
        return 1
    summary = demo.load_demo(store)
    print(f"{store.path}: {demo.DEMO_LABEL} loaded ({summary.changed} records written).")
    return 0


def cmd_clear_demo(args) -> int:
    store = _store(args)
    if not store.is_demo():
        print(f"{store.path} does not hold the demo programme; nothing was cleared.", file=sys.stderr)
        return 1
    summary = demo.clear_demo(store)
    print(f"{store.path}: demo programme cleared ({summary.changed} records removed).")
    return 0


def _mapping_named(store: Store, name: str):
    from data import mapping, presets

    found = mapping.saved_mapping(store, name) or presets.preset_mapping(name)
    if found is None:
        known = [*mapping.saved_names(store), *presets.PRESETS]
        raise StoreError(f"No mapping called '{name}'; saved mappings and presets: {', '.join(known)}.")
    return found


def _mapping_hint(store: Store, path: Path) -> str:
    """For one file of another system: the saved mapping or preset whose columns it has, as the command to use."""
    from data import mapping, presets

    if not path.is_file() or mapping.is_tracker_file(path.name, path.read_bytes()):
        return ""
    export, _problems = mapping.export_from_path(path)
    if export is None:
        return ""
    found = mapping.mapping_for(store, export.header) or presets.preset_for(export.header)
    if found is None:
        return ""
    return f'{path.name} has the columns of the mapping "{found.name}": python -m data import {path} --mapping ' \
           f'"{found.name}"'


def cmd_import_mapped(args) -> int:
    """One export through a saved mapping (or a preset): a one-line summary for a scheduled job, or every problem."""
    from data import mapping

    store = _store(args, create=not args.dry_run)
    chosen = _mapping_named(store, args.mapping)
    export, problems = mapping.export_from_path(Path(args.path))
    plan, applied = (None, None) if export is None else mapping.import_mapped(store, export, chosen, args.dry_run)
    problems = problems or plan.problems
    if problems:
        print(importer.format_problems(problems), file=sys.stderr)
        print(f"{len(problems)} problem(s); nothing was written.", file=sys.stderr)
        return 1
    counts = plan.preview.get(applied.table, {"new": 0, "updated": 0, "unchanged": 0})
    verb = "would import" if args.dry_run else "imported"
    print(f"{args.path} via {chosen.name}: {applied.records} rows {verb} into {applied.table} "
          f"({counts['new']} new, {counts['updated']} updated, {counts['unchanged']} unchanged)")
    if args.dry_run:
        if applied.left_out:
            print(f"Columns not imported: {', '.join(applied.left_out)}")
        for note in mapping.set_aside(export):
            print(note)
    return 0


def cmd_import(args) -> int:
    if args.mapping:
        return cmd_import_mapped(args)
    store = _store(args, create=not args.dry_run)
    plan = importer.run_import(store, importer.load_path(Path(args.path)), dry_run=args.dry_run)
    if plan.problems:
        print(importer.format_problems(plan.problems), file=sys.stderr)
        print(f"{len(plan.problems)} problem(s); nothing was written.", file=sys.stderr)
        if hint := _mapping_hint(store, Path(args.path)):
            print(hint, file=sys.stderr)
        return 1
    print(importer.format_preview(plan))
    if args.dry_run:
        print("Dry run: nothing was written.")
    else:
        changed = sum(c["new"] + c["updated"] for c in plan.written.values())
        print(f"Imported: {changed} records added or updated." if changed
              else "Nothing changed: every row is already stored as it is.")
    return 0


def cmd_setting(args) -> int:
    store = _store(args)
    if args.key is None:
        for key, meaning in EDITABLE_SETTINGS.items():
            print(f"{key} = {store.setting(key, '')}    ({meaning})")
        return 0
    if args.value is None:
        if args.key not in EDITABLE_SETTINGS:
            raise StoreError(f"'{args.key}' is not a setting you can change; these are: "
                             f"{', '.join(EDITABLE_SETTINGS)}.")
        print(store.setting(args.key, ""))
        return 0
    change_setting(store, args.key, args.value)
    print(f"{args.key} = {args.value}")
    return 0


def cmd_export(args) -> int:
    written = export.export_tables(_store(args), Path(args.dir))
    print(f"Wrote {len(written)} files to {args.dir}.")
    return 0


def cmd_backup(args) -> int:
    target = export.backup(_store(args), Path(args.file))
    print(f"Backed up to {target}.")
    return 0


def cmd_restore(args) -> int:
    db = Path(args.db or default_db_path())
    kept = export.restore(db, Path(args.file), actor="cli")
    print(f"Restored {db} from {args.file}" + (f"; the replaced database was kept as {kept}." if kept else "."))
    return 0


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m data", description=__doc__)
    ap.add_argument("--db", default=None, help="database file (default: $TRACKER_DB or data/tracker.duckdb)")
    # --db is accepted after the subcommand too (`import PATH --db x.duckdb`); SUPPRESS keeps the earlier value.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    sub = ap.add_subparsers(dest="command", required=True)
    sub.add_parser = functools.partial(sub.add_parser, parents=[common])
    sub.add_parser("init", help="create or migrate the database; adds no demo data").set_defaults(run=cmd_init)
    sub.add_parser("demo", help="load the demo programme into an empty database").set_defaults(run=cmd_demo)
    sub.add_parser("clear-demo", help="remove the demo programme").set_defaults(run=cmd_clear_demo)
    p = sub.add_parser("import", help="import a folder of CSV files or an .xlsx workbook")
    p.add_argument("path")
    p.add_argument("--dry-run", action="store_true", help="check and preview only; write nothing")
    p.add_argument("--mapping", default=None, metavar="NAME",
                   help="read PATH (one export of another system) through a mapping saved on the Import page, or a "
                        "preset (servicenow-incidents, qualtrics-nps, bamboohr-job-history, moodle-completions)")
    p.set_defaults(run=cmd_import)
    p = sub.add_parser("setting", help="show or change a programme setting (e.g. all_staff_course)")
    p.add_argument("key", nargs="?")
    p.add_argument("value", nargs="?")
    p.set_defaults(run=cmd_setting)
    p = sub.add_parser("export", help="write every table as formula-safe CSV and Parquet")
    p.add_argument("dir")
    p.set_defaults(run=cmd_export)
    p = sub.add_parser("backup", help="copy the whole database to FILE")
    p.add_argument("file")
    p.set_defaults(run=cmd_backup)
    p = sub.add_parser("restore", help="replace the database with a backup FILE (the old one is kept)")
    p.add_argument("file")
    p.set_defaults(run=cmd_restore)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except (StoreError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
