"""Settings for programme leads: the all-staff course the Overview's coverage is measured on, the rule set of the
process-behaviour charts, and whether person ids are stored hashed."""
import streamlit as st

from data import roster
from data.settings import change_setting
from data.store import StoreError
from metrics.calc import chosen_course, course_completions, default_course, known_courses, rule_set
from metrics.xmr import RULE_SET_NAMES
from ui.access import require
from ui.flash import flash
from ui.programme import page_head
from ui.session import get_store

AUTOMATIC = ""  # the choice that leaves the course to the data: the one with the most completions

require("lead")
store = get_store()
page_head(store, "Settings", "How the tracker reads the programme. Every change is recorded on the History page.")

st.header("All-staff course")
completions = course_completions(store)
chosen = chosen_course(store)
if chosen:  # the automatic choice names the course it would pick, not the one chosen now
    automatic = next(iter(completions), None)
else:
    automatic = default_course(store) or None


def _label(course: str) -> str:
    if course == AUTOMATIC:
        picked = f"now {automatic}" if automatic else "no course has completions yet"
        return f"Automatic: the course with the most completions ({picked})"
    n = completions.get(course, 0)
    return f"{course} · {n:,} completion{'s' if n != 1 else ''}" if n else f"{course} · no completions recorded yet"


options = [AUTOMATIC, *known_courses(store)]
with st.form("settings_course_form", border=False):
    course = st.selectbox("Training coverage on the Overview, the heat map and the plan measure this course",
                          options, index=options.index(chosen or AUTOMATIC), format_func=_label,
                          help="The course every member of staff takes (the all-staff service course). Other "
                               "courses' coverage is on the Training page.")
    if st.form_submit_button("Save", type="primary", icon=":material/save:"):
        if change_setting(store, "all_staff_course", course):
            flash(f"All-staff course set to {course}." if course else
                  "All-staff course set to automatic: the course with the most completions.")
        else:
            flash("Nothing changed: that is the course already in use.", "info")
        st.rerun()
if not completions:
    st.caption("No training completions are recorded yet: import the training sheet, or add sessions on the "
               "Training page.")

st.header("Process behaviour rules")
RULE_HELP = {"wheeler": "a point outside the limits; 8 in a row on one side of the centre; 3 of 4 nearer a limit than "
                        "the centre. No screening of the moving ranges.",
             "nhs": "moving ranges of 3.267 times their mean or more are left out of the limits; a point outside the "
                    "limits; 7 in a row on one side of the centre; 7 in a row rising or falling; 2 of 3 beyond two "
                    "sigma on one side."}
with st.form("settings_rules_form", border=False):
    rules = st.radio("Every process-behaviour chart, card and board pack applies these rules", list(RULE_SET_NAMES),
                     index=list(RULE_SET_NAMES).index(rule_set(store)), format_func=RULE_SET_NAMES.get,
                     captions=[RULE_HELP[name] for name in RULE_SET_NAMES],
                     help="NHS organisations use Making Data Count's rules; others usually Wheeler's. The charts name "
                          "the rule set they apply.")
    if st.form_submit_button("Save rules", type="primary", icon=":material/save:"):
        if change_setting(store, "rule_set", rules):
            flash(f"Process behaviour rules set to {RULE_SET_NAMES[rules]}.")
        else:
            flash("Nothing changed: those are the rules already in use.", "info")
        st.rerun()

st.header("Person ids")
hashed = store.setting(roster.HASH_SETTING, "") == roster.HASH_ON
with st.form("settings_hash_form", border=False):
    want = st.checkbox("Store person ids hashed", value=hashed,
                       help="The roster and completions by person name people by their HR id only, never by name. "
                            "Hashed, the tracker keeps a code that the same id always gives, and cannot be read back. "
                            "Switch it before the first roster import: ids already stored would no longer match.")
    if st.form_submit_button("Save person ids", icon=":material/save:"):
        try:
            changed = change_setting(store, roster.HASH_SETTING, roster.HASH_ON if want else "")
        except StoreError as exc:
            st.error(str(exc))
        else:
            flash("Person ids will be stored hashed." if want and changed else
                  "Person ids will be stored as given." if changed else "Nothing changed.", "success" if changed
                  else "info")
            st.rerun()
