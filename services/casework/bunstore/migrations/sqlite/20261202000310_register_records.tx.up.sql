-- The authority that recorded each operator: it alone (or a national admin)
-- may change a sole trader's record or the sole_trader flag. Existing
-- operators are attributed from the audit entry that created them; those
-- with none stay unattributed, which only a national admin may change.
ALTER TABLE operators ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
--bun:split
UPDATE operators SET created_by = COALESCE(
    (SELECT l.authority FROM audit_log l
      WHERE l.object_type = 'operator' AND l.object_id = operators.id AND l.action = 'operator.create'
      ORDER BY l.seq LIMIT 1), '');
--bun:split
-- The recipient of an issued notice as the PDF printed it: redaction in
-- referral packages and on the public verification endpoint follows the
-- operator as it was at issue, not as the register says now. Notices issued
-- before this snapshot existed take the operator as it stands today.
ALTER TABLE notices ADD COLUMN recipient_name TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE notices ADD COLUMN recipient_trading_names TEXT NOT NULL DEFAULT '[]';
--bun:split
ALTER TABLE notices ADD COLUMN recipient_address TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE notices ADD COLUMN recipient_company_number TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE notices ADD COLUMN recipient_country TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE notices ADD COLUMN recipient_sole_trader BOOLEAN;
--bun:split
UPDATE notices SET
    recipient_name = (SELECT o.name FROM operators o WHERE o.id = notices.operator_id),
    recipient_trading_names = (SELECT o.trading_names FROM operators o WHERE o.id = notices.operator_id),
    recipient_address = (SELECT o.address FROM operators o WHERE o.id = notices.operator_id),
    recipient_company_number = (SELECT o.company_number FROM operators o WHERE o.id = notices.operator_id),
    recipient_country = (SELECT o.country FROM operators o WHERE o.id = notices.operator_id),
    recipient_sole_trader = (SELECT o.sole_trader FROM operators o WHERE o.id = notices.operator_id)
  WHERE issued_at IS NOT NULL;
