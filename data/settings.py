"""Programme settings a lead may change (the Settings page and `python -m data setting`), validated and audited."""
from __future__ import annotations

from data import roster
from data.store import Store, StoreError

# Settings a programme lead may change, with what each means; the rest (data version, demo flags) are the tracker's.
EDITABLE_SETTINGS = {
    "all_staff_course": "the course whose coverage the Overview shows when no course is chosen; empty = the course "
                        "with the most completions",
    roster.HASH_SETTING: "on: person ids in the roster and in completions by person are stored hashed (the same id "
                         "always gives the same hash); empty: stored as given. Only while no person ids are stored",
    "rule_set": "the process-behaviour rules every XmR chart and card applies: wheeler (Wheeler, xmrit: 8 in a "
                "row, 3 of 4 near a limit) or nhs (Making Data Count as NHSRplotthedots: screening, 7 in a row, "
                "trends of 7, 2 of 3 beyond 2 sigma); empty = wheeler",
}
# Settings whose value is one of a few words (empty keeps the default); the words are the metrics' rule set names.
SETTING_CHOICES = {"rule_set": ("wheeler", "nhs")}
# Settings whose value is checked (and may be normalised) before it is stored.
_CHECKS = {roster.HASH_SETTING: roster.check_hash_setting}


def change_setting(store: Store, key: str, value: str) -> bool:
    """Store `value` for `key` in one audited write; False when it already held that value. Raises StoreError for a
    setting that is not a lead's to change."""
    if key not in EDITABLE_SETTINGS:
        raise StoreError(f"'{key}' is not a setting you can change; these are: {', '.join(EDITABLE_SETTINGS)}.")
    value = value.strip()
    if check := _CHECKS.get(key):
        value = check(store, value)
    if key in SETTING_CHOICES and value and value not in SETTING_CHOICES[key]:
        raise StoreError(f"'{value}' is not a {key}; choose {' or '.join(SETTING_CHOICES[key])} (or empty for the "
                         "default). Nothing was changed.")
    if store.setting(key, "") == value:
        return False
    with store.transaction("setting", f"{key} = {value or '(automatic)'}") as tx:
        tx.set_setting(key, value)
        if key == roster.HASH_SETTING and value:
            roster.ensure_salt(tx)
    return True
