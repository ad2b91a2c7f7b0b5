"""Bureau settings printed on documents (names, address, remedies, payment account, seal, signatory).

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-22 04:00:00

"""
import os
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def _configured(name, default):
    """The existing AGENCY_NAME / AGENCY_SHORT_NAME configuration becomes the first row."""
    try:
        from flask import current_app

        return current_app.config.get(name) or default
    except RuntimeError:  # outside an app context (plain alembic)
        return os.environ.get(name) or default


def upgrade():
    table = op.create_table('bureau_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('full_name', sa.String(length=100), nullable=False),
    sa.Column('short_name', sa.String(length=20), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=30), nullable=False),
    sa.Column('postcode', sa.String(length=6), nullable=False),
    sa.Column('reconsideration_body', sa.String(length=200), nullable=False),
    sa.Column('court', sa.String(length=200), nullable=False),
    sa.Column('bank_name', sa.String(length=100), nullable=False),
    sa.Column('account_name', sa.String(length=100), nullable=False),
    sa.Column('account_no', sa.String(length=40), nullable=False),
    sa.Column('signatory', sa.String(length=50), nullable=False),
    sa.Column('seal_png', sa.LargeBinary(), nullable=True),
    sa.Column('seal_sha256', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_bureau_settings_updated_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bureau_settings'))
    )
    op.bulk_insert(table, [{
        'id': 1, 'full_name': _configured('AGENCY_NAME', '示例市档案局'),
        'short_name': _configured('AGENCY_SHORT_NAME', '示档'), 'address': '', 'phone': '', 'postcode': '',
        'reconsideration_body': '', 'court': '', 'bank_name': '', 'account_name': '', 'account_no': '',
        'signatory': '', 'seal_png': None, 'seal_sha256': '',
        'updated_at': datetime.now(timezone.utc).replace(tzinfo=None), 'updated_by_id': None}])


def downgrade():
    op.drop_table('bureau_settings')
