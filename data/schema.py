"""The shape of each stored table (columns, SQL types, key) as data, shared by the Store, importer and exports."""
from __future__ import annotations

from dataclasses import dataclass

# Words DuckDB reserves that the import formats use as column names; they are quoted wherever SQL names them.
_RESERVED = {"by", "end", "start", "date", "month", "function", "key"}


def quote(name: str) -> str:
    return f'"{name}"' if name in _RESERVED else name


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: dict[str, str]  # column -> DuckDB type, in table order
    key: tuple[str, ...]

    @property
    def quoted_name(self) -> str:
        return quote(self.name)

    @property
    def quoted_key(self) -> list[str]:
        return [quote(k) for k in self.key]

    @property
    def key_list(self) -> str:
        return ", ".join(self.quoted_key)

    @property
    def column_list(self) -> str:
        return ", ".join(quote(c) for c in self.columns)

    def quoted_columns_types(self) -> list[tuple[str, str]]:
        return [(quote(c), t) for c, t in self.columns.items()]

    def key_json(self) -> str:
        """SQL for a JSON object of the record's key, e.g. {"month": ..., "unit": ...}, for the audit log."""
        return "to_json({" + ", ".join(f"'{k}': {quote(k)}" for k in self.key) + "})"

    def key_match(self, left: str, right: str) -> str:
        return " AND ".join(f"{left}.{k} = {right}.{k}" for k in self.quoted_key)


def _spec(table: str, key_columns: tuple[str, ...], /, **columns: str) -> TableSpec:
    return TableSpec(table, columns, key_columns)


# Recorded by live workshops (data/workshops.py), not by import files: exported with the rest, never imported.
WORKSHOP_TABLES = ("workshops", "participants", "submissions", "votes", "promotions")
# Written by people editing the board's narrative (data/narratives.py): exported with the rest, never imported.
NARRATIVE_TABLES = ("narratives",)

TABLES: dict[str, TableSpec] = {s.name: s for s in [
    _spec("units", ("unit",), unit="VARCHAR", function="VARCHAR", parent="VARCHAR"),
    _spec("headcount", ("month", "unit"), month="DATE", unit="VARCHAR", headcount="INTEGER", leavers="INTEGER"),
    _spec("roster", ("person_id", "unit", "start"), person_id="VARCHAR", unit="VARCHAR", start="DATE", end="DATE",
          end_reason="VARCHAR"),
    _spec("training_people", ("date", "person_id", "course"), date="DATE", person_id="VARCHAR", course="VARCHAR"),
    _spec("promise_hours", ("priority",), priority="VARCHAR", hours="DOUBLE"),
    _spec("mappings", ("name",), name="VARCHAR", target="VARCHAR", signature="VARCHAR", spec="JSON"),
    _spec("training", ("date", "unit", "course"), date="DATE", unit="VARCHAR", course="VARCHAR", completed="INTEGER"),
    _spec("plan", ("month", "course", "unit"), month="DATE", course="VARCHAR", unit="VARCHAR",
          planned_coverage="DOUBLE"),
    _spec("ideas", ("idea_id",), idea_id="VARCHAR", title="VARCHAR", unit="VARCHAR", submitted_on="DATE",
          status="VARCHAR", implemented_on="DATE", source="VARCHAR", source_ref="VARCHAR", submitter="VARCHAR",
          feedback="VARCHAR", status_changed_on="DATE"),
    _spec("voice", ("item_id",), item_id="VARCHAR", date="DATE", unit="VARCHAR", kind="VARCHAR", text="VARCHAR",
          channel="VARCHAR", thanked_on="DATE", info_gathered_on="DATE", apologised_on="DATE",
          help_committed_on="DATE", resolved_on="DATE"),
    _spec("tickets", ("ticket_id",), ticket_id="VARCHAR", unit="VARCHAR", opened_at="TIMESTAMP",
          promised_by="TIMESTAMP", closed_at="TIMESTAMP"),
    _spec("survey", ("response_id",), response_id="VARCHAR", date="DATE", unit="VARCHAR", score="INTEGER"),
    _spec("readings", ("month", "metric", "unit"), month="DATE", metric="VARCHAR", unit="VARCHAR", value="DOUBLE"),
    _spec("targets", ("metric", "by", "unit"), metric="VARCHAR", by="DATE", unit="VARCHAR", value="DOUBLE"),
    _spec("initiatives", ("name",), name="VARCHAR", owner="VARCHAR", start="DATE", end="DATE", status="VARCHAR",
          unit="VARCHAR", metric="VARCHAR", expected_effect="VARCHAR", expected_lag_months="INTEGER"),
    _spec("process_changes", ("metric", "month", "unit"), metric="VARCHAR", month="DATE", unit="VARCHAR",
          reason="VARCHAR"),
    _spec("desired_actions", ("action_id",), action_id="VARCHAR", month="DATE", customer="VARCHAR", unit="VARCHAR",
          action="VARCHAR", due="DATE", status="VARCHAR", done_on="DATE"),
    _spec("metric_registry", ("key",), key="VARCHAR", label="VARCHAR", kind="VARCHAR", unit="VARCHAR",
          direction="VARCHAR", aggregation="VARCHAR", description="VARCHAR", measure="VARCHAR"),
    # Live workshops (migration 003): written by facilitators and participants through data/workshops.py.
    _spec("workshops", ("id",), id="INTEGER", title="VARCHAR", question="VARCHAR", units="VARCHAR[]",
          course="VARCHAR", date="DATE", join_code="VARCHAR", token="VARCHAR", status="VARCHAR",
          hold_for_approval="BOOLEAN", created_at="TIMESTAMP", created_by="VARCHAR"),
    _spec("participants", ("token",), token="VARCHAR", workshop_id="INTEGER", seat="INTEGER",
          display_name="VARCHAR", joined_at="TIMESTAMP"),
    _spec("submissions", ("id",), id="BIGINT", workshop_id="INTEGER", participant_token="VARCHAR", text="VARCHAR",
          status="VARCHAR", pinned="BOOLEAN", merged_into="BIGINT", created_at="TIMESTAMP", edited="BOOLEAN",
          rev="BIGINT"),
    _spec("votes", ("submission_id", "participant_token"), submission_id="BIGINT", participant_token="VARCHAR",
          created_at="TIMESTAMP"),
    _spec("promotions", ("submission_id",), submission_id="BIGINT", idea_id="VARCHAR", workshop_id="INTEGER",
          promoted_at="TIMESTAMP", promoted_by="VARCHAR"),
    # The board's narrative as edited (migration 009), through data/narratives.py.
    _spec("narratives", ("month", "scope", "line"), month="DATE", scope="VARCHAR", line="INTEGER",
          sentence_id="VARCHAR", section="VARCHAR", text="VARCHAR", figures="VARCHAR", link="VARCHAR",
          removed="BOOLEAN", edited_by="VARCHAR", edited_at="TIMESTAMP"),
]}
