-- Delivery with retries: when the next attempt is due, when the first one was made, and
-- what each recipient of an email receiver got ({"addr": "sent" | "refused: <reply>"}).
ALTER TABLE outbox ADD COLUMN next_attempt_ms INTEGER;
ALTER TABLE outbox ADD COLUMN first_attempt_ms INTEGER;
ALTER TABLE outbox ADD COLUMN recipients TEXT NOT NULL DEFAULT '{}';
UPDATE outbox SET next_attempt_ms = planned_ms WHERE state = 'sending';
DROP INDEX outbox_sending;
CREATE INDEX outbox_sending ON outbox (next_attempt_ms) WHERE state = 'sending';
