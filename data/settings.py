"""Programme settings a lead may change (the Settings page and `python -m data setting`), validated and audited."""
from __future__ import annotations

from data.store import Store, StoreError

# Settings a programme lead may change, with what each means; the rest (data version, demo flags) are the tracker's.
EDITABLE_SETTINGS = {
    "all_staff_course": "the course whose coverage the Overview shows when no course is chosen; empty = the course "
                        "with the most completions",
}


def change_setting(store: Store, key: str, value: str) -> bool:
    """Store `value` for `key` in one audited write; False when it already held that value. Raises StoreError for a
    setting that is not a lead's to change."""
    if key not in EDITABLE_SETTINGS:
        raise StoreError(f"'{key}' is not a setting you can change; these are: {', '.join(EDITABLE_SETTINGS)}.")
    value = value.strip()
    if store.setting(key, "") == value:
        return False
    with store.transaction("setting", f"{key} = {value or '(automatic)'}") as tx:
        tx.set_setting(key, value)
    return True
