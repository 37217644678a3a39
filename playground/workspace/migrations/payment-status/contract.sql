SET lock_timeout = '2s';
ALTER TABLE orders DROP COLUMN IF EXISTS old_payment_status;
