"""The first schema: patients, screens, consents, visits, marks, drawings.

Revision ID: 0001
Revises:
Create Date: 2025-01-01

Written out in full rather than imported from schema.py: a migration is a snapshot and must not
change when the current schema does.
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _one_of(table, name, values):
    listed = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{name} IS NULL OR {name} IN ({listed})", name=op.f(f"ck_{table}_{name}"))


def _stamps(updated=True):
    cols = [sa.Column("created_at", sa.DateTime(), nullable=False)]
    if updated:
        cols.append(sa.Column("updated_at", sa.DateTime(), nullable=False))
    cols.append(sa.Column("deleted_at", sa.DateTime(), nullable=True))
    return cols


def _check(table, name, sql):
    return sa.CheckConstraint(sql, name=op.f(f"ck_{table}_{name}"))


def _range(table, name):
    return _check(table, name, f"{name} IS NULL OR ({name} >= 0 AND {name} <= 10)")


def _fk(table, column, target):
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"))


def upgrade() -> None:
    op.create_table(
        "patients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(32), nullable=False),
        sa.Column("given_name", sa.String(200), nullable=False),
        sa.Column("family_name", sa.String(200), nullable=False),
        sa.Column("name_key", sa.String(420), nullable=False),
        sa.Column("sort_key", sa.String(420), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=False),
        sa.Column("sex", sa.String(16), nullable=False),
        sa.Column("contact", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        *_stamps(),
        _one_of("patients", "sex", ("female", "male", "other", "unknown")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patients")),
        sa.UniqueConstraint("uid", name=op.f("uq_patients_uid")),
    )
    op.create_index(op.f("ix_patients_sort_key"), "patients", ["sort_key"])

    op.create_table(
        "screens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("screened_on", sa.Date(), nullable=False),
        *[
            sa.Column(name, sa.Boolean(), nullable=False)
            for name in (
                "bleeding_disorder",
                "anticoagulant",
                "pregnancy",
                "needle_phobia",
                "immunosuppression",
                "lymphoedema",
                "implanted_device",
                "metal_allergy",
                "recent_surgery",
            )
        ],
        sa.Column("other", sa.Text(), nullable=False),
        *_stamps(updated=False),
        _fk("screens", "patient_id", "patients"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screens")),
    )
    op.create_index(op.f("ix_screens_patient_id_screened_on"), "screens", ["patient_id", "screened_on"])

    op.create_table(
        "consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("consented_on", sa.Date(), nullable=False),
        sa.Column("given", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        *_stamps(updated=False),
        _fk("consents", "patient_id", "patients"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consents")),
    )
    op.create_index(op.f("ix_consents_patient_id_consented_on"), "consents", ["patient_id", "consented_on"])

    op.create_table(
        "visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("therapist", sa.String(200), nullable=False),
        sa.Column("complaint", sa.Text(), nullable=False),
        sa.Column("pain_before", sa.Integer(), nullable=True),
        sa.Column("pain_after", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("after_recorded", sa.Boolean(), nullable=False),
        sa.Column("after_soreness", sa.Boolean(), nullable=True),
        sa.Column("after_soreness_hours", sa.Float(), nullable=True),
        sa.Column("after_bruising", sa.Boolean(), nullable=True),
        sa.Column("after_bleeding", sa.Boolean(), nullable=True),
        sa.Column("after_fatigue", sa.Boolean(), nullable=True),
        sa.Column("after_infection", sa.Boolean(), nullable=True),
        sa.Column("after_pneumothorax", sa.Boolean(), nullable=True),
        sa.Column("after_other", sa.Text(), nullable=True),
        *_stamps(),
        _range("visits", "pain_before"),
        _range("visits", "pain_after"),
        _check("visits", "after_soreness_hours", "after_soreness_hours IS NULL OR after_soreness_hours >= 0"),
        _fk("visits", "patient_id", "patients"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visits")),
    )
    op.create_index(op.f("ix_visits_patient_id_visited_on"), "visits", ["patient_id", "visited_on"])

    op.create_table(
        "marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("view", sa.String(16), nullable=False),
        sa.Column("x", sa.Float(), nullable=False),
        sa.Column("y", sa.Float(), nullable=False),
        sa.Column("side", sa.String(8), nullable=False),
        sa.Column("region_id", sa.String(80), nullable=False),
        sa.Column("trp_muscle", sa.String(80), nullable=True),
        sa.Column("trp_id", sa.String(40), nullable=True),
        sa.Column("trp_side", sa.String(8), nullable=True),
        sa.Column("trp_distance", sa.Float(), nullable=True),
        sa.Column("status", sa.String(8), nullable=True),
        sa.Column("twitch", sa.Boolean(), nullable=True),
        sa.Column("familiar_pain", sa.Boolean(), nullable=True),
        sa.Column("referral", sa.Boolean(), nullable=True),
        sa.Column("tenderness", sa.Integer(), nullable=True),
        sa.Column("ppt_kpa", sa.Float(), nullable=True),
        sa.Column("needled", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        *_stamps(),
        _one_of("marks", "view", ("front", "back", "plantar")),
        _one_of("marks", "side", ("right", "left", "midline")),
        _one_of("marks", "status", ("active", "latent")),
        _range("marks", "tenderness"),
        _check("marks", "ppt_kpa", "ppt_kpa IS NULL OR ppt_kpa > 0"),
        _fk("marks", "visit_id", "visits"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marks")),
    )
    op.create_index(op.f("ix_marks_visit_id"), "marks", ["visit_id"])

    op.create_table(
        "drawings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("symptom", sa.String(16), nullable=False),
        sa.Column("intensity", sa.Integer(), nullable=True),
        sa.Column("area_front", sa.Text(), nullable=True),
        sa.Column("area_back", sa.Text(), nullable=True),
        sa.Column("area_plantar", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        *_stamps(),
        _one_of("drawings", "symptom", ("pain", "ache", "burning", "numbness", "tingling", "stiffness")),
        _range("drawings", "intensity"),
        _fk("drawings", "visit_id", "visits"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drawings")),
    )
    op.create_index(op.f("ix_drawings_visit_id"), "drawings", ["visit_id"])


def downgrade() -> None:
    # Only for developers; the app never downgrades (nothing is ever deleted).
    for table in ("drawings", "marks", "visits", "consents", "screens", "patients"):
        op.drop_table(table)
