"""Drop the (status, project_key) index: every check looks declarations up by project, meter or address key, and
with this index SQLite's planner could walk all accepted rows instead (a scan) for the '≠ this project' look-ups.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_declarations_status", table_name="declarations")


def downgrade() -> None:
    op.create_index("ix_declarations_status", "declarations", ["status", "project_key"])
