"""Import: upload the programme's CSV files or one XLSX workbook, see every problem and what would change, confirm."""
import streamlit as st

from data.importer import DEMO_REFUSAL, run_import
from data.template import template_xlsx
from data.uploads import digest, formats_frame, max_upload_mb, preview_frame, upload_problems, would_change
from ui.access import require
from ui.filters import md
from ui.grid import problem_report
from ui.mapping_step import foreign_upload, mapping_step
from ui.page import header
from ui.session import get_store

CHECKED = "import_checked"  # (digest, plan) of the files last checked
RESULT = "import_result"  # what the last confirmed import wrote, shown once after the rerun
UPLOADER_ROUND = "import_uploader_round"  # a new uploader (empty) after each import
TEMPLATE_NAME = "programme-workbook-template.xlsx"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

require("lead")
store = get_store()
header(store, "Import")
limit_mb = max_upload_mb()
st.caption("Upload the programme's CSV files (one per table, named after it) or one Excel workbook with a sheet per "
           f"table, up to {limit_mb} MB; or one export of another system (a service desk, a survey tool, an HR "
           "system, a learning system), whose columns you match to the tracker's once. Every file is checked first: "
           "nothing is written until there are no problems and you confirm, and then everything is written at once.")


@st.cache_data(show_spinner=False)
def _template() -> bytes:
    return template_xlsx()


with st.container(horizontal=True, vertical_alignment="center"):
    st.download_button("Download the workbook template", _template(), file_name=TEMPLATE_NAME, mime=XLSX_MIME,
                       icon=":material/download:", key="import_template",
                       help="Every table as a sheet with its columns and an example row, and a notes sheet "
                            "explaining each column")
    with st.popover("Tables and columns", icon=":material/table_view:"):
        st.dataframe(formats_frame(), hide_index=True, width="stretch")

if (written := st.session_state.pop(RESULT, None)) is not None:
    changed = sum(c["new"] + c["updated"] for c in written["counts"].values())
    st.success(f"Imported {md(written['files'])}: {changed} record{'s' if changed != 1 else ''} added or changed.",
               icon=":material/check_circle:")
    st.dataframe(preview_frame(written["counts"]), hide_index=True, width="content")
    st.page_link("pages/overview.py", label="See the Overview", icon=":material/dashboard:")

if store.is_demo():
    st.warning(f"Import is not possible yet: {DEMO_REFUSAL}.", icon=":material/science:")
    st.page_link("pages/data.py", label="Open the Data page to remove the demo programme", icon=":material/database:")
    st.stop()

uploads = st.file_uploader("Programme files (.csv or .xlsx)", type=["csv", "xlsx"], accept_multiple_files=True,
                           key=f"import_files_{st.session_state.get(UPLOADER_ROUND, 0)}",
                           help=f"Several CSV files, or one .xlsx workbook; up to {limit_mb} MB")
if not uploads:
    st.session_state.pop(CHECKED, None)
    st.stop()

files = {u.name: u.getvalue() for u in uploads}
if trouble := upload_problems(files, limit_mb):
    for message in trouble:
        st.error(md(message), icon=":material/block:")
    st.stop()


def _imported(names: str, counts: dict) -> None:
    st.session_state[RESULT] = {"files": names, "counts": counts}
    st.session_state.pop(CHECKED, None)
    st.session_state[UPLOADER_ROUND] = st.session_state.get(UPLOADER_ROUND, 0) + 1
    st.rerun()


if (export := foreign_upload(files)) is not None:
    if (written := mapping_step(store, export, digest(files))) is not None:
        _imported(export.name, written)
    st.stop()


def _checked(files: dict[str, bytes]):
    """The plan for these files, checked once per upload (a large file takes a while) with a progress bar."""
    key = digest(files)
    cached = st.session_state.get(CHECKED)
    if cached and cached[0] == key and cached[1] == store.data_version():
        return cached[2]
    bar = st.progress(0.0, text="Reading the files…")
    plan = run_import(store, files, dry_run=True, progress=lambda done, what: bar.progress(min(done, 1.0), text=what))
    bar.empty()
    st.session_state[CHECKED] = (key, store.data_version(), plan)
    return plan


plan = _checked(files)
names = ", ".join(files)
problem_report(plan.problems, "nothing is imported until each one is fixed. Correct the files and upload them again.",
               f"No problems in {md(names)}.", key="import_problems")

if plan.preview:
    st.header("What the import would change")
    if plan.problems:
        st.caption("Only for the tables without problems so far.")
    st.dataframe(preview_frame(plan.preview), hide_index=True, width="content", key="import_preview")

changes = would_change(plan)
if not plan.problems and not changes:
    st.info("Every record in these files is already stored as it is: importing them would change nothing.",
            icon=":material/info:")
label = f"Import {changes} new or changed record{'s' if changes != 1 else ''}" if changes else "Import"
if st.button(label, type="primary", disabled=bool(plan.problems) or not changes, key="import_confirm",
             icon=":material/upload:"):
    bar = st.progress(0.0, text="Checking again and writing…")
    result = run_import(store, files, progress=lambda done, what: bar.progress(min(done, 1.0), text=what))
    bar.empty()
    if result.problems:  # the database changed since the check (someone else saved): show the new problems
        st.session_state[CHECKED] = (digest(files), store.data_version(), result)
        st.rerun()
    _imported(names, result.written)
