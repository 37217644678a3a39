-- Copies the old one-letter status into the new column, 1,000 rows per transaction; the
-- WHERE skips rows already done, so a killed run resumes where it stopped.
-- rollout-guard: backfill table=orders key=id batch=1000
UPDATE orders
   SET new_payment_status = CASE old_payment_status WHEN 'P' THEN 'paid' WHEN 'R' THEN 'refunded' ELSE 'open' END
 WHERE new_payment_status IS NULL;
