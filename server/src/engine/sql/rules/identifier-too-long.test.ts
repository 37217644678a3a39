import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectRanges } from '../../../../../test/helpers/lint';

describe('identifier-too-long', () => {
  it('ok: a 63-byte name, and long strings and comments', () => {
    const sql = [
      "SET lock_timeout = '2s';",
      '-- fk_customer_notification_preferences_on_notification_channel_id_and_locale: 63 bytes at most',
      'ALTER TABLE customer_notification_preferences',
      '  ADD CONSTRAINT fk_customer_notification_preferences_on_notification_channel_id',
      '  FOREIGN KEY (channel_id) REFERENCES notification_channels (id) NOT VALID;',
      "COMMENT ON TABLE customer_notification_preferences IS 'per-channel and per-locale notification preferences of customers';",
    ].join('\n');
    expectRanges('identifier-too-long', sql, []);
  });

  it('err: a 64-byte index name, with the name PostgreSQL truncates it to', () => {
    const sql =
      'CREATE INDEX CONCURRENTLY index_customer_notification_preferences_on_channel_and_locale_id\n  ON customer_notification_preferences (channel_id, locale);';
    const found = expectRanges('identifier-too-long', sql, ['1:27-1:91']);
    assert.match(
      found[0]!.message,
      /^"index_customer_notification_preferences_on_channel_and_locale_id" is 64 bytes; PostgreSQL truncates identifiers to 63 bytes and names it "index_customer_notification_preferences_on_channel_and_locale_i"/,
    );
  });

  it('err: bytes, not characters: a quoted 61-character name of 64 bytes', () => {
    const sql = 'ALTER TABLE bestellungen\n  ADD CONSTRAINT "Überprüfung_der_Bestellungen_für_Kunden_mit_Rabattcodes_aktiv" CHECK (rabatt >= 0) NOT VALID;';
    const found = expectRanges('identifier-too-long', sql, ['2:18-2:81']);
    assert.match(found[0]!.message, /is 64 bytes; .* names it "Überprüfung_der_Bestellungen_für_Kunden_mit_Rabattcodes_akti"/);
  });

  it('err: names of domains, policies and statistics objects too', () => {
    const sql = [
      'CREATE DOMAIN customer_notification_preferences_channel_locale_unique_override AS text;',
      'CREATE POLICY customer_notification_preferences_channel_locale_unique_override ON orders USING (true);',
      'CREATE STATISTICS customer_notification_preferences_channel_locale_unique_override ON a, b FROM orders;',
    ].join('\n');
    expectRanges('identifier-too-long', sql, ['1:15-1:79', '2:15-2:79', '3:19-3:83']);
  });

  it('err: inside a PL/pgSQL function body, at the name in the body', () => {
    const sql = [
      'CREATE OR REPLACE FUNCTION create_preferences_table() RETURNS void',
      'LANGUAGE plpgsql AS $$',
      'BEGIN',
      '  CREATE TABLE IF NOT EXISTS customer_notification_preferences_channel_locale_unique_override (id bigint);',
      'END;',
      '$$;',
    ].join('\n');
    expectRanges('identifier-too-long', sql, ['4:30-4:94']);
  });
});
