"""The Import page's mapping step: a foreign export's columns and values matched to one of the tracker's tables, with
the usual preview of every problem and of what would change, imported through the ordinary import and saved by name
for the next file with the same columns (which then gets the mapping unasked)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from data import mapping as mp
from data.presets import preset_for
from data.propose import date_form, propose, propose_values
from data.store import StoreError
from data.uploads import preview_frame, would_change
from ui.filters import md
from ui.grid import problem_report

NONE = "— not in this file —"
PROMISE = "computed: opened + the promised hours for its priority"
NOT_MAPPED = "— not mapped —"
AS_WRITTEN = "(as written)"
MAX_VALUES = 40  # values offered one by one; more are taken as written (and any the import refuses are problems)
SCORES = [str(n) for n in range(11)]
COLUMNS_PER_ROW = 3
VALUES_PER_ROW = 4


def _start(store, export: mp.Export, target: str | None) -> tuple[mp.ExportMapping, str]:
    """The mapping to begin with, and where it came from."""
    if target is None:
        if saved := mp.mapping_for(store, export.header):
            return saved, f"The saved mapping “{saved.name}” is applied: it was saved for a file with these columns."
        if preset := preset_for(export.header):
            return preset, f"The preset “{preset.name}” is applied: the file has that tool's columns."
    proposed = propose(store, export, target)
    return proposed, ("Proposed from the columns' names and contents: check each field and each value, and "
                      "correct what is wrong.")


def _base(store, export: mp.Export, key: str) -> tuple[mp.ExportMapping, str]:
    """The starting mapping for this file and the chosen table, kept while the lead corrects it."""
    starts = st.session_state.setdefault(f"mapstart_{key}", {})
    chosen = st.session_state.get(f"map_{key}_target")
    if chosen is None:
        mapping, origin = _start(store, export, None)
        starts[mapping.target] = (mapping, origin)
        return mapping, origin
    if chosen not in starts:
        starts[chosen] = _start(store, export, chosen)
    return starts[chosen]


def _field_label(column) -> str:
    needed = not (column.optional or column.whole_org)
    return f"{column.name} ({'required' if needed else 'optional'})"


def _source_widget(export: mp.Export, base: mp.ExportMapping, column, prefix: str) -> str:
    options = [NONE, *[h for h in export.header if h.strip()]]
    if base.target == "tickets" and column.name == "promised_by":
        options.insert(1, PROMISE)
    default = PROMISE if mp.computed(base, column.name) else base.fields.get(column.name, mp.Field()).source or NONE
    return st.selectbox(_field_label(column), options, index=options.index(default) if default in options else 0,
                        key=f"{prefix}_src_{column.name}")


def _date_widget(export: mp.Export, base: mp.ExportMapping, column, source: str, prefix: str, skip: int) -> str:
    spec = base.fields.get(column.name, mp.Field())
    guess = spec.date_format if spec.source == source else (date_form(export.column(source, skip)) or "")
    return st.text_input(f"Date form of {column.name}", value=guess, key=f"{prefix}_fmt_{column.name}_{source}",
                         help="As Python's strptime writes it, e.g. %d/%m/%Y %H:%M; empty for YYYY-MM-DD "
                              "(with or without a time)").strip()


def _fields(store, export: mp.Export, base: mp.ExportMapping, prefix: str, skip: int) -> mp.ExportMapping:
    """Every field's column (or fixed value) and date form as the lead has set them."""
    mapping = mp.ExportMapping(base.name, base.target, extra_header_rows=skip)
    columns = mp.target_fields(base.target)
    for start in range(0, len(columns), COLUMNS_PER_ROW):
        for slot, column in zip(st.columns(COLUMNS_PER_ROW), columns[start:start + COLUMNS_PER_ROW], strict=False):
            with slot:
                _one_field(store, export, base, mapping, column, prefix, skip)
    return mapping


def _one_field(store, export, base, mapping, column, prefix: str, skip: int) -> None:
    source = _source_widget(export, base, column, prefix)
    if source == PROMISE:
        options = [h for h in export.header if h.strip()]
        default = base.promise_from if base.promise_from in options else options[0]
        mapping.promise_from = st.selectbox("Priority column", options, index=options.index(default),
                                            key=f"{prefix}_priority")
        return
    if source == NONE:
        constant = st.text_input(f"Fixed value for {column.name}", value=base.fields.get(column.name,
                                                                                          mp.Field()).constant,
                                 key=f"{prefix}_const_{column.name}", help="The same value for every row")
        if constant.strip():
            mapping.fields[column.name] = mp.Field(constant=constant.strip())
        return
    spec = mp.Field(source)
    if mp.date_kind(column):
        spec.date_format = _date_widget(export, base, column, source, prefix, skip)
    mapping.fields[column.name] = spec


def _value_options(column, units: list[str]) -> tuple[list[str], str] | None:
    """The choices a value may be mapped to and the one that leaves it unmapped, or None for free values."""
    if (allowed := mp.choices_of(column)) is not None:
        return [NOT_MAPPED, *allowed], NOT_MAPPED
    if column.rule.names_unit:
        return [AS_WRITTEN, *units], AS_WRITTEN
    if column.name == "score":
        return [AS_WRITTEN, *SCORES], AS_WRITTEN
    return None


def _values(store, export: mp.Export, base: mp.ExportMapping, mapping: mp.ExportMapping, prefix: str) -> None:
    """A value mapping for each field of choices, units or scores: one choice per value of its column."""
    units = [r[0] for r in store.rows("SELECT unit FROM units ORDER BY unit")]
    columns = {c.name: c for c in mp.target_fields(mapping.target)}
    for name, spec in mapping.fields.items():
        offered = _value_options(columns[name], units) if spec.source else None
        if offered is None:
            continue
        options, unmapped = offered
        values = mp.distinct_values(export, spec.source, mapping.extra_header_rows)
        known = base.fields.get(name, mp.Field())
        proposed = known.values if known.source == spec.source else propose_values(
            columns[name], values, units)
        with st.expander(f"Values of {md(spec.source)} → {name}", expanded=True):
            slots = st.columns(VALUES_PER_ROW)
            for i, value in enumerate(values[:MAX_VALUES]):
                default = proposed.get(value) or (value.lower() if value.lower() in options else unmapped)
                with slots[i % VALUES_PER_ROW]:
                    chosen = st.selectbox(md(value), options, key=f"{prefix}_val_{name}_{spec.source}_{i}",
                                          index=options.index(default) if default in options else 0)
                if chosen != unmapped and chosen != value:
                    spec.values[value] = chosen
            if len(values) > MAX_VALUES:
                st.caption(f"{len(values) - MAX_VALUES} more values are taken as written.")


def _promise_table(store) -> None:
    hours = mp.promise_hours(store)
    with st.expander("Promised hours per priority", expanded=not hours):
        frame = pd.DataFrame({"priority": list(hours), "hours": list(hours.values())})
        edited = st.data_editor(frame, num_rows="dynamic", hide_index=True, key="map_promise_editor")
        if st.button("Save the promised hours", key="map_promise_save"):
            try:
                rows = edited.dropna(how="all")
                mp.set_promise_hours(store, dict(zip(rows["priority"].fillna("").astype(str), rows["hours"],
                                                     strict=True)))
            except StoreError as exc:
                st.error(md(str(exc)))
            else:
                st.rerun()


def _promise_values(store, export: mp.Export, base: mp.ExportMapping, mapping: mp.ExportMapping, prefix: str):
    if not mapping.promise_from:
        return
    _promise_table(store)
    priorities = list(mp.promise_hours(store))
    options = [NOT_MAPPED, *priorities]
    values = mp.distinct_values(export, mapping.promise_from, mapping.extra_header_rows)
    with st.expander(f"Values of {md(mapping.promise_from)} → priority", expanded=True):
        slots = st.columns(VALUES_PER_ROW)
        for i, value in enumerate(values[:MAX_VALUES]):
            default = base.promise_values.get(value, value)
            with slots[i % VALUES_PER_ROW]:
                chosen = st.selectbox(md(value), options, index=options.index(default) if default in options else 0,
                                      key=f"{prefix}_prio_{mapping.promise_from}_{i}")
            if chosen != NOT_MAPPED:
                mapping.promise_values[value] = chosen


def _report(plan, applied: mp.Applied) -> None:
    if applied.left_out:
        st.caption("Not imported (no field reads them): " + ", ".join(md(c) for c in applied.left_out) + ".")
    problem_report(plan.problems, "correct the mapping above (or the file); nothing is imported until each one is "
                                  "fixed.", f"No problems: {applied.records} rows of {md(applied.table)}.",
                   key="mapping_problems")
    if plan.preview:
        st.dataframe(preview_frame(plan.preview), hide_index=True, width="content", key="mapping_preview")


def mapping_step(store, export: mp.Export, key: str) -> dict | None:
    """Draw the mapping step for one export; returns what the import wrote (table -> counts) once it has run."""
    st.header("Match the file's columns to the tracker")
    base, origin = _base(store, export, key)
    st.caption(md(origin))
    for note in mp.set_aside(export):
        st.caption(md(note))
    prefix = f"map_{key}_{base.target}"
    with st.container(horizontal=True):
        st.selectbox("The file holds", list(mp.TARGETS), index=list(mp.TARGETS).index(base.target),
                     format_func=mp.TARGETS.get, key=f"map_{key}_target")
        skip = st.number_input("Rows under the header that hold no records", 0, 10, base.extra_header_rows,
                               key=f"{prefix}_skip", help="A survey tool's question text or import ids")
    mapping = _fields(store, export, base, prefix, int(skip))
    _values(store, export, base, mapping, prefix)
    _promise_values(store, export, base, mapping, prefix)
    mapping.name = st.text_input("Save this mapping as", value=base.name, key=f"{prefix}_name",
                                 help="The next file with the same columns gets this mapping unasked").strip()
    plan, applied = mp.import_mapped(store, export, mapping, dry_run=True)
    _report(plan, applied)
    changes = would_change(plan)
    label = f"Import {changes} new or changed record{'s' if changes != 1 else ''} and save the mapping"
    if not st.button(label, type="primary", disabled=bool(plan.problems) or not changes or not mapping.name,
                     key="mapping_confirm", icon=":material/upload:"):
        return None
    result, _ = mp.import_mapped(store, export, mapping)
    if result.problems:
        st.rerun()  # the database changed since the check: the next run shows the new problems
    mp.save_mapping(store, mapping, export.header)
    return result.written


def foreign_upload(files: dict[str, bytes]) -> mp.Export | None:
    """The one uploaded file, read, when it is not in the tracker's own format (so it needs the mapping step)."""
    if len(files) != 1:
        return None
    [(name, data)] = files.items()
    if mp.is_tracker_file(name, data):
        return None
    export, _problems = mp.read_export(name, data)
    return export
