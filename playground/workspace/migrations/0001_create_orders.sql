-- The table the demo service writes to.
CREATE TABLE orders (
  id serial PRIMARY KEY,
  customer_id int NOT NULL,
  status varchar(32) NOT NULL DEFAULT 'pending',
  created_at timestamp NOT NULL DEFAULT now(),
  payload json
);
