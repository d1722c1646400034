"""Metric registry: the built-in metrics, and custom metrics a programme lead registers so their readings chart well."""
import pandas as pd
import streamlit as st

from data.formats import AGGREGATIONS
from data.records import delete_records, metric_problems, save_metric
from data.store import StoreError
from metrics import registry
from ui.access import require
from ui.filters import md
from ui.page import header
from ui.session import get_store

NEW = "New metric"
ROW_PX = 35  # a dataframe row's height: the list is drawn tall enough to show every metric without scrolling
DONE = "metric_registry_done"
PICK, NEXT_PICK = "metric_registry_pick", "metric_registry_next_pick"  # a widget's value is set before it is drawn
UNIT_LABELS = {"count": "count (a number of things)", "share": "share (0 to 1, shown as per cent)",
               "ratio": "ratio (shown as x : 1)", "per_100": "per 100 staff", "points": "points (signed, like NPS)",
               "value": "value (any number)"}
KIND_LABELS = {"leading": "Leading (the programme moves it now)", "lagging": "Lagging (a result that follows)"}
DIRECTION_LABELS = {"up": "Higher is better", "down": "Lower is better"}
AGGREGATION_LABELS = {"mean": "mean of the units", "sum": "sum of the units",
                      "none": "not combined: only figures given for the group itself"}

require("lead")
store = get_store()
header(store, "Metric registry")
st.caption("What each metric means and how it reads. Built-in metrics are computed by the tracker; any other metric "
           "comes from readings (Readings & targets page, or an import). Register a custom metric to say whether it "
           "is leading or lagging, which way is better and how it is shown, so its readings chart like the "
           "built-in ones.")

if done := st.session_state.pop(DONE, None):
    st.success(md(done), icon=":material/check_circle:")

custom = registry.custom_metrics(store)
readings = set(registry.reading_keys(store))


def _source(defn) -> str:
    if defn.key in registry.BUILTIN_KEYS:
        return "built-in"
    if defn.key in custom:
        return "custom" + ("" if defn.key in readings else " (no readings yet)")
    return "from readings (default)"


defs = list(registry.BUILTIN) + list(custom.values()) + [registry.reading_metric(k) for k in sorted(readings)
                                                         if k not in custom]
listing = pd.DataFrame([{"key": d.key, "label": d.label, "kind": d.kind, "unit": d.unit, "measure": d.measure_text,
                         "better": "higher" if d.direction == "up" else "lower",
                         "aggregation": d.aggregation if d.key in custom else "", "source": _source(d),
                         "description": d.description} for d in defs])
st.dataframe(listing, hide_index=True, width="stretch", height=ROW_PX * (len(listing) + 1) + 3,
             key="metric_registry_list",
             column_config={"better": st.column_config.TextColumn("better when", width="small"),
                            "measure": st.column_config.TextColumn("measured in"),
                            "description": st.column_config.TextColumn("description", width="large")})

st.header("Register or edit a custom metric")
if (pending := st.session_state.pop(NEXT_PICK, None)) is not None:
    st.session_state[PICK] = pending
choice = st.selectbox("Metric", [NEW, *custom], key=PICK, width=480,
                      format_func=lambda k: k if k == NEW else f"{k} ({custom[k].label})")
is_new = choice == NEW
current = {} if is_new else {"key": choice, "label": custom[choice].label, "kind": custom[choice].kind,
                             "unit": custom[choice].unit, "direction": custom[choice].direction,
                             "aggregation": custom[choice].aggregation, "description": custom[choice].description,
                             "measure": custom[choice].measure}
suffix = "new" if is_new else choice  # each metric's form keeps its own widget values


def _index(options, value, default=0) -> int:
    return list(options).index(value) if value in options else default


with st.form(f"metric_registry_form_{suffix}", border=True):
    left, right = st.columns(2)
    with left:
        key = st.text_input("Key", value=current.get("key", ""), disabled=not is_new,
                            key=f"metric_registry_key_{suffix}",
                            placeholder="e.g. first_call_resolution",
                            help="Lower-case words joined by underscores; readings and targets name the metric by it")
        label = st.text_input("Label", value=current.get("label", ""), key=f"metric_registry_label_{suffix}",
                              placeholder="e.g. First-call resolution")
        kind = st.radio("Kind", list(KIND_LABELS), format_func=KIND_LABELS.get, key=f"metric_registry_kind_{suffix}",
                        index=_index(KIND_LABELS, current.get("kind"), 1))
        direction = st.radio("Better when", list(DIRECTION_LABELS), format_func=DIRECTION_LABELS.get,
                             index=_index(DIRECTION_LABELS, current.get("direction")),
                             key=f"metric_registry_direction_{suffix}", horizontal=True)
    with right:
        unit = st.selectbox("Unit of measure", list(registry.UNITS), format_func=UNIT_LABELS.get,
                            index=_index(registry.UNITS, current.get("unit"), len(registry.UNITS) - 1),
                            key=f"metric_registry_unit_{suffix}")
        measure = st.text_input("Measured in", value=current.get("measure", ""),
                                key=f"metric_registry_measure_{suffix}",
                                placeholder="e.g. EUR millions, points out of 10, stars out of 5",
                                help="What one unit of the value is, with its scale: shown beside every figure, "
                                     "on the chart axes and in the board pack")
        aggregation = st.selectbox("Several units combine as", list(AGGREGATIONS), format_func=AGGREGATION_LABELS.get,
                                   index=_index(AGGREGATIONS, current.get("aggregation")),
                                   key=f"metric_registry_aggregation_{suffix}")
        description = st.text_area("Description", value=current.get("description", ""), height=108,
                                   key=f"metric_registry_description_{suffix}",
                                   placeholder="One sentence: what the metric measures and where it comes from")
    submitted = st.form_submit_button("Register metric" if is_new else "Save changes", type="primary",
                                      icon=":material/save:")

if submitted:
    row = {"key": choice if not is_new else key.strip(), "label": label.strip(), "kind": kind, "unit": unit,
           "direction": direction, "aggregation": aggregation, "description": description.strip() or None,
           "measure": measure.strip() or None}
    problems = metric_problems(store, row, is_new)
    if problems:
        n = len(problems)
        st.error(f"{n} problem{'s' if n != 1 else ''}; nothing was saved.\n\n"
                 + "\n".join(f"- **{md(p.column or 'metric')}**: {md(p.reason)}" for p in problems),
                 icon=":material/error:")
    else:
        result = save_metric(store, row, is_new)
        if result.problems:
            st.error("\n".join(f"- {md(str(p))}" for p in result.problems), icon=":material/error:")
        else:
            st.session_state[DONE] = (f"Registered {row['key']}." if is_new else
                                      f"Saved {row['key']}." if result.summary.changed else
                                      f"{row['key']} was already saved like this; nothing changed.")
            if is_new:
                st.session_state[NEXT_PICK] = row["key"]
            st.rerun()

if not is_new:
    with st.expander(f"Remove {choice} from the registry"):
        st.write("Its readings and targets stay; without a registration its readings chart as a lagging value where "
                 "higher is better. The removal is recorded in History and can be undone there.")
        sure = st.checkbox(f"Remove the registration of {choice}", key="metric_registry_confirm_remove")
        if st.button("Remove", disabled=not sure, key="metric_registry_remove", icon=":material/delete:"):
            try:
                delete_records(store, "metric_registry", [{"key": choice}])
            except StoreError as exc:
                st.error(md(str(exc)), icon=":material/error:")
            else:
                st.session_state[DONE] = f"Removed the registration of {choice}."
                st.session_state[NEXT_PICK] = NEW
                st.rerun()
