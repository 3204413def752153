"""audit_log is append-only: triggers refuse DELETE and any UPDATE but the erasure redaction

Revision ID: 0002
Revises: 0001
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

MESSAGE = "audit_log is append-only"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            f"""CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
            BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"""
        )
        op.execute(
            f"""CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
            WHEN OLD.redacted_at IS NOT NULL OR NEW.redacted_at IS NULL
              OR NEW.id != OLD.id OR NEW.at != OLD.at OR NEW.tool != OLD.tool
              OR NEW.session_id != OLD.session_id OR NEW.ok != OLD.ok
            BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"""
        )
        return
    op.execute(
        f"""CREATE OR REPLACE FUNCTION audit_log_guard() RETURNS trigger AS $$
        BEGIN
          IF TG_OP = 'DELETE' THEN RAISE EXCEPTION '{MESSAGE}'; END IF;
          IF OLD.redacted_at IS NOT NULL OR NEW.redacted_at IS NULL
             OR NEW.id <> OLD.id OR NEW.at <> OLD.at OR NEW.tool <> OLD.tool
             OR NEW.session_id <> OLD.session_id OR NEW.ok <> OLD.ok THEN
            RAISE EXCEPTION '{MESSAGE}';
          END IF;
          RETURN NEW;
        END $$ LANGUAGE plpgsql"""
    )
    op.execute(
        """CREATE TRIGGER audit_log_guard BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_guard()"""
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        return
    op.execute("DROP TRIGGER IF EXISTS audit_log_guard ON audit_log")
    op.execute("DROP FUNCTION IF EXISTS audit_log_guard()")
