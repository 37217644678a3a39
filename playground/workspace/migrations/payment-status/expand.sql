SET lock_timeout = '2s';
ALTER TABLE orders ADD COLUMN IF NOT EXISTS new_payment_status text;
