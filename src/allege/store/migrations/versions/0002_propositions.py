"""Propositions: claims from many documents that state the same thing, with each stance.

Revision ID: 0002
Revises: 0001
Create Date: 2025-01-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create the propositions and their members."""
    op.create_table(
        "propositions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_propositions"),
    )
    op.create_table(
        "proposition_members",
        sa.Column("proposition_id", sa.Integer, nullable=False),
        sa.Column("claim_id", sa.Integer, nullable=False),
        sa.Column("stance", sa.String(30), nullable=False),
        sa.PrimaryKeyConstraint("proposition_id", "claim_id", name="pk_proposition_members"),
        sa.ForeignKeyConstraint(["proposition_id"], ["propositions.id"], ondelete="CASCADE",
                                name="fk_proposition_members_proposition_id_propositions"),
        sa.ForeignKeyConstraint(["claim_id"], ["claims.id"], ondelete="CASCADE",
                                name="fk_proposition_members_claim_id_claims"),
    )
    op.create_index("ix_proposition_members_claim_id", "proposition_members", ["claim_id"])


def downgrade() -> None:
    """Drop them."""
    op.drop_index("ix_proposition_members_claim_id", table_name="proposition_members")
    op.drop_table("proposition_members")
    op.drop_table("propositions")
