"""The first registry schema: declarations, their types and meters, the archive, the event chain, corrections.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "declarations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("file_kind", sa.String(8), nullable=False),
        sa.Column("project_id", sa.Text, nullable=False),
        sa.Column("project_key", sa.Text, nullable=False),
        sa.Column("project_name", sa.Text, nullable=False),
        sa.Column("address", sa.Text, nullable=False),
        sa.Column("address_key", sa.Text, nullable=False),
        sa.Column("season_start", sa.Date, nullable=False),
        sa.Column("season_end", sa.Date, nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("heating_hours", sa.Float, nullable=False),
        sa.Column("heat_supplied_gj", sa.Float, nullable=False),
        sa.Column("ef_heat", sa.Float, nullable=False),
        sa.Column("project_emissions_t", sa.Float, nullable=False),
        sa.Column("creditable_reductions_t", sa.Float, nullable=False),
        sa.Column("parameter_version", sa.Text, nullable=False),
        sa.Column("template_version", sa.Text),
        sa.Column("records_keep_until", sa.Date, nullable=False),
        sa.Column("boundary", sa.Text, nullable=False),
        sa.Column("declaration", sa.Text, nullable=False),
        sa.Column("results", sa.Text, nullable=False),
        sa.Column("trace", sa.Text, nullable=False),
        sa.Column("findings", sa.Text, nullable=False),
        sa.Column("operator", sa.Text, nullable=False),
        sa.Column("accepted_at", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
    )
    op.create_index("ix_declarations_project", "declarations", ["project_key", "season_start"])
    op.create_index("ix_declarations_address", "declarations", ["address_key", "season_start"])
    op.create_index("ix_declarations_keep", "declarations", ["records_keep_until"])
    op.create_index("ix_declarations_status", "declarations", ["status", "project_key"])
    op.create_table(
        "declaration_types",
        sa.Column("declaration_id", sa.Integer, sa.ForeignKey("declarations.id"), primary_key=True),
        sa.Column("type", sa.String(16), primary_key=True),
        sa.Column("metered", sa.Boolean, nullable=False),
    )
    op.create_table(
        "meters",
        sa.Column("declaration_id", sa.Integer, sa.ForeignKey("declarations.id"), primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("meter_key", sa.Text, primary_key=True),
        sa.Column("meter_id", sa.Text, nullable=False),
        sa.Column("type", sa.String(16)),
    )
    op.create_index("ix_meters_key", "meters", ["meter_key"])
    op.create_table(
        "archive",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("compression", sa.String(8), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "events",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("declaration_id", sa.Integer, sa.ForeignKey("declarations.id"), nullable=False),
        sa.Column("at", sa.Text, nullable=False),
        sa.Column("operator", sa.Text, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False, unique=True),
    )
    op.create_index("ix_events_declaration", "events", ["declaration_id"])
    op.create_table(
        "corrections",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("declaration_id", sa.Integer, sa.ForeignKey("declarations.id"), nullable=False),
        sa.Column("by_declaration_id", sa.Integer, sa.ForeignKey("declarations.id"), nullable=False),
        sa.Column("event_seq", sa.Integer, nullable=False),
        sa.Column("heat_supplied_gj", sa.Float, nullable=False),
        sa.Column("baseline_emissions_t", sa.Float, nullable=False),
        sa.Column("emission_reductions_t", sa.Float, nullable=False),
        sa.Column("creditable_reductions_t", sa.Float, nullable=False),
    )
    op.create_index("ix_corrections_declaration", "corrections", ["declaration_id"])


def downgrade() -> None:
    for table in ("corrections", "events", "archive", "meters", "declaration_types", "declarations"):
        op.drop_table(table)
