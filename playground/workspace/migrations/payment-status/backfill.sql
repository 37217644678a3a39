-- rollout-guard: backfill table=orders key=id batch=1000
UPDATE orders SET new_payment_status = old_payment_status WHERE created_at < '2026-01-01';
