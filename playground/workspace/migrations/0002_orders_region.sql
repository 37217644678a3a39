-- Looks harmless; every statement here can stall production traffic.
ALTER TABLE orders ADD COLUMN region text NOT NULL;
CREATE INDEX orders_region_idx ON orders (region);
UPDATE orders SET status = 'archived' WHERE created_at < now() - interval '1 year';
ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id);
ALTER TABLE orders DROP COLUMN payload;
