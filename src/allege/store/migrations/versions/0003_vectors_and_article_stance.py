"""Claim embeddings for grouping propositions, and the article stance of reporting members.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Add proposition_members.article_stance and the claim_vectors table."""
    with op.batch_alter_table("proposition_members") as batch:
        batch.add_column(sa.Column("article_stance", sa.String(12), nullable=True))
    op.create_table(
        "claim_vectors",
        sa.Column("claim_id", sa.Integer, nullable=False),
        sa.Column("model", sa.String(100), nullable=False),
        sa.Column("vector", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("claim_id", name="pk_claim_vectors"),
        sa.ForeignKeyConstraint(["claim_id"], ["claims.id"], ondelete="CASCADE",
                                name="fk_claim_vectors_claim_id_claims"),
    )


def downgrade() -> None:
    """Drop them."""
    op.drop_table("claim_vectors")
    with op.batch_alter_table("proposition_members") as batch:
        batch.drop_column("article_stance")
