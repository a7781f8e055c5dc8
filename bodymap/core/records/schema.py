"""The tables of a bodymap database (SQLAlchemy Core), in portable SQL: SQLite by default, PostgreSQL too.

Changing a table means a new Alembic revision in migrations/versions/ and a new REVISION here; a test
checks that the migrations build exactly these tables.

Nothing is ever deleted: records carry `deleted_at` (soft delete), so undo restores them and history
stays. Range CHECKs repeat the model's rules so that another client cannot write an impossible value.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

# The newest migration. The store compares the database's revision with it on open, which spares
# loading Alembic at all when the schema is current (most opens).
REVISION = "0006"

# Our own name for Alembic's version table: a foreign database that happens to use Alembic is still
# recognised as foreign.
VERSION_TABLE = "bodymap_version"

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _score(name: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(f"{name} IS NULL OR ({name} >= 0 AND {name} <= 10)", name=name)


def _one_of(name: str, values: Iterable[str]) -> sa.CheckConstraint:
    listed = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{name} IS NULL OR {name} IN ({listed})", name=name)


def _timestamps(updated: bool = True) -> list[sa.Column[Any]]:
    cols: list[sa.Column[Any]] = [sa.Column("created_at", sa.DateTime(), nullable=False)]
    if updated:
        cols.append(sa.Column("updated_at", sa.DateTime(), nullable=False))
    cols.append(sa.Column("deleted_at", sa.DateTime(), nullable=True))
    # The row's version (0006): 1 when added, one more with each change, delete and restore. A change
    # names the version it was made on, so that no one's edit is silently overwritten (store.py).
    cols.append(sa.Column("version", sa.Integer, nullable=False, server_default="1"))
    return cols


patients = sa.Table(
    "patients",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("uid", sa.String(32), nullable=False, unique=True),
    sa.Column("given_name", sa.String(200), nullable=False),
    sa.Column("family_name", sa.String(200), nullable=False),
    # Normalised words of both names (" ann marie o brien "): find-as-you-type matches word prefixes
    # case- and accent-insensitively in any database, without collations or extensions.
    sa.Column("name_key", sa.String(420), nullable=False),
    sa.Column("sort_key", sa.String(420), nullable=False),  # family then given, normalised
    sa.Column("date_of_birth", sa.Date, nullable=False),
    sa.Column("sex", sa.String(16), nullable=False),
    sa.Column("contact", sa.Text, nullable=False),
    sa.Column("notes", sa.Text, nullable=False),
    *_timestamps(),
    _one_of("sex", ("female", "male", "other", "unknown")),
    sa.Index(None, "sort_key"),
)

screens = sa.Table(
    "screens",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("patient_id", sa.Integer, sa.ForeignKey("patients.id"), nullable=False),
    sa.Column("screened_on", sa.Date, nullable=False),
    sa.Column("bleeding_disorder", sa.Boolean, nullable=False),
    sa.Column("anticoagulant", sa.Boolean, nullable=False),
    sa.Column("pregnancy", sa.Boolean, nullable=False),
    sa.Column("needle_phobia", sa.Boolean, nullable=False),
    sa.Column("immunosuppression", sa.Boolean, nullable=False),
    sa.Column("lymphoedema", sa.Boolean, nullable=False),
    sa.Column("implanted_device", sa.Boolean, nullable=False),
    sa.Column("metal_allergy", sa.Boolean, nullable=False),
    sa.Column("recent_surgery", sa.Boolean, nullable=False),
    # Added in 0002; NULL: not asked (a screen recorded before they were).
    sa.Column("diabetes", sa.Boolean, nullable=True),
    sa.Column("epilepsy", sa.Boolean, nullable=True),
    sa.Column("malignancy", sa.Boolean, nullable=True),
    sa.Column("vascular_disease", sa.Boolean, nullable=True),
    sa.Column("skin_lesion", sa.Boolean, nullable=True),
    sa.Column("cannot_consent", sa.Boolean, nullable=True),
    sa.Column("other", sa.Text, nullable=False),
    *_timestamps(updated=False),
    sa.Index(None, "patient_id", "screened_on"),
)

consents = sa.Table(
    "consents",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("patient_id", sa.Integer, sa.ForeignKey("patients.id"), nullable=False),
    sa.Column("consented_on", sa.Date, nullable=False),
    sa.Column("given", sa.Boolean, nullable=False),
    sa.Column("notes", sa.Text, nullable=False),
    *_timestamps(updated=False),
    sa.Index(None, "patient_id", "consented_on"),
)

visits = sa.Table(
    "visits",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("patient_id", sa.Integer, sa.ForeignKey("patients.id"), nullable=False),
    sa.Column("visited_on", sa.Date, nullable=False),
    sa.Column("therapist", sa.String(200), nullable=False),
    sa.Column("complaint", sa.Text, nullable=False),
    sa.Column("pain_before", sa.Integer, nullable=True),
    sa.Column("pain_after", sa.Integer, nullable=True),
    sa.Column("notes", sa.Text, nullable=False),
    # After-effects of the last visit; after_recorded = False means "not asked" (the first visit).
    sa.Column("after_recorded", sa.Boolean, nullable=False),
    sa.Column("after_soreness", sa.Boolean, nullable=True),
    sa.Column("after_soreness_hours", sa.Float, nullable=True),
    sa.Column("after_bruising", sa.Boolean, nullable=True),
    sa.Column("after_bleeding", sa.Boolean, nullable=True),
    sa.Column("after_fatigue", sa.Boolean, nullable=True),
    sa.Column("after_infection", sa.Boolean, nullable=True),
    sa.Column("after_pneumothorax", sa.Boolean, nullable=True),
    sa.Column("after_other", sa.Text, nullable=True),
    # Added in 0003: the session's preparation and post-treatment steps.
    sa.Column("positioned", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("skin_prepared", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("needle_gauge_mm", sa.Float, nullable=True),
    sa.Column("needle_length_mm", sa.Float, nullable=True),
    sa.Column("reactions", sa.Text, nullable=False, server_default=""),
    sa.Column("advice_given", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("next_visit", sa.Date, nullable=True),
    *_timestamps(),
    _score("pain_before"),
    _score("pain_after"),
    sa.CheckConstraint(
        "after_soreness_hours IS NULL OR after_soreness_hours >= 0", name="after_soreness_hours"
    ),
    sa.Index(None, "patient_id", "visited_on"),
)

marks = sa.Table(
    "marks",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("visit_id", sa.Integer, sa.ForeignKey("visits.id"), nullable=False),
    sa.Column("view", sa.String(16), nullable=False),
    sa.Column("x", sa.Float, nullable=False),
    sa.Column("y", sa.Float, nullable=False),
    sa.Column("side", sa.String(8), nullable=False),  # the patient's
    sa.Column("region_id", sa.String(80), nullable=False),
    sa.Column("trp_muscle", sa.String(80), nullable=True),
    sa.Column("trp_id", sa.String(40), nullable=True),
    sa.Column("trp_side", sa.String(8), nullable=True),
    sa.Column("trp_distance", sa.Float, nullable=True),  # body units (stature 1.0)
    sa.Column("status", sa.String(8), nullable=True),
    sa.Column("twitch", sa.Boolean, nullable=True),
    sa.Column("familiar_pain", sa.Boolean, nullable=True),
    sa.Column("referral", sa.Boolean, nullable=True),
    sa.Column("tenderness", sa.Integer, nullable=True),
    sa.Column("ppt_kpa", sa.Float, nullable=True),
    sa.Column("notes", sa.Text, nullable=False),
    # The treated point (0003): `needled` says the mark was needled; the rest is how, NULL = not recorded
    # (a mark needled before 0003 has every one NULL).
    sa.Column("needled", sa.Boolean, nullable=False),
    sa.Column("treated_muscle", sa.String(80), nullable=True),
    sa.Column("needle_gauge_mm", sa.Float, nullable=True),
    sa.Column("needle_length_mm", sa.Float, nullable=True),
    sa.Column("depth_mm", sa.Float, nullable=True),
    sa.Column("technique", sa.String(16), nullable=True),
    sa.Column("passes", sa.Integer, nullable=True),
    sa.Column("twitches", sa.Integer, nullable=True),
    sa.Column("treated_familiar_pain", sa.Boolean, nullable=True),
    sa.Column("responses", sa.String(200), nullable=True),  # RESPONSES keys, comma-separated
    sa.Column("minutes", sa.Float, nullable=True),
    sa.Column("treatment_notes", sa.Text, nullable=True),
    *_timestamps(),
    _one_of("view", ("front", "back", "plantar", "head")),
    _one_of("side", ("right", "left", "midline")),
    _one_of("status", ("active", "latent")),
    _score("tenderness"),
    sa.CheckConstraint("ppt_kpa IS NULL OR ppt_kpa > 0", name="ppt_kpa"),
    _one_of("technique", ("static", "pistoning", "other")),
    sa.CheckConstraint("depth_mm IS NULL OR depth_mm > 0", name="depth_mm"),
    sa.CheckConstraint("passes IS NULL OR passes >= 1", name="passes"),
    sa.CheckConstraint("twitches IS NULL OR twitches >= 0", name="twitches"),
    sa.CheckConstraint("minutes IS NULL OR minutes >= 0", name="minutes"),
    sa.Index(None, "visit_id"),
)

drawings = sa.Table(
    "drawings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("visit_id", sa.Integer, sa.ForeignKey("visits.id"), nullable=False),
    sa.Column("symptom", sa.String(16), nullable=False),
    sa.Column("intensity", sa.Integer, nullable=True),
    # GeoJSON MultiPolygon text per view, in the body frame, clipped to the outline; NULL = not drawn.
    sa.Column("area_front", sa.Text, nullable=True),
    sa.Column("area_back", sa.Text, nullable=True),
    sa.Column("area_plantar", sa.Text, nullable=True),
    sa.Column("area_head", sa.Text, nullable=True),
    sa.Column("notes", sa.Text, nullable=False),
    *_timestamps(),
    _one_of("symptom", ("pain", "ache", "burning", "numbness", "tingling", "stiffness")),
    _score("intensity"),
    sa.Index(None, "visit_id"),
)

plans = sa.Table(
    "plans",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("patient_id", sa.Integer, sa.ForeignKey("patients.id"), nullable=False),
    sa.Column("planned_on", sa.Date, nullable=False),
    sa.Column("visits", sa.Integer, nullable=False),
    sa.Column("goal", sa.Text, nullable=False),
    *_timestamps(),
    sa.CheckConstraint("visits >= 1", name="visits"),
    sa.Index(None, "patient_id", "planned_on"),
)

# A clinical record is amended, never overwritten: every change to a patient, screen, consent, plan, visit,
# mark or drawing adds a row here, in the same transaction as the change, and no row is ever changed or
# deleted. `before` and `after` hold the changed columns' values as a JSON object (NULL for an addition);
# `by` is who was recording (the settings' therapist), `step` the user's words for it ("Set tenderness",
# "Undo Set tenderness"). The newest state is the record's own row; the history says how it got there.
HISTORY_ACTIONS = ("added", "changed", "deleted", "restored", "imported")
HISTORY_KINDS = ("patient", "screen", "consent", "plan", "visit", "mark", "drawing")
history = sa.Table(
    "history",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("patient_id", sa.Integer, sa.ForeignKey("patients.id"), nullable=False),
    sa.Column("visit_id", sa.Integer, sa.ForeignKey("visits.id"), nullable=True),  # of a visit, mark, drawing
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("record_id", sa.Integer, nullable=False),
    sa.Column("at", sa.DateTime(), nullable=False),  # naive UTC, like every timestamp here
    sa.Column("by", sa.String(200), nullable=False),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("step", sa.String(200), nullable=False),
    sa.Column("before", sa.Text, nullable=True),
    sa.Column("after", sa.Text, nullable=True),
    # The record's version this change made (0006): the changes since the version a refused change was
    # made on say who changed what. NULL for changes imported from a file and made before 0006.
    sa.Column("version", sa.Integer, nullable=True),
    _one_of("kind", HISTORY_KINDS),
    _one_of("action", HISTORY_ACTIONS),
    sa.Index(None, "patient_id", "id"),
    sa.Index(None, "visit_id"),
    sa.Index(None, "kind", "record_id"),
)

TABLES = {
    "patient": patients,
    "screen": screens,
    "consent": consents,
    "visit": visits,
    "mark": marks,
    "drawing": drawings,
    "plan": plans,
}
