-- The rows a claim may take: due, pending and past catch-up (`late` decided). Kept apart
-- from `outbox_due`, which also holds the future rows `next_due` looks at: a claim walks
-- only this small index in (next_attempt_ms, id) order and stops at its batch. Before it,
-- PostgreSQL planned claims from statistics taken while `late` was still NULL everywhere,
-- fetched every due row of a burst, joined and sorted them: 10 ms a claim.
CREATE INDEX outbox_ready ON outbox (receiver, next_attempt_ms, id) WHERE state = 'pending' AND late IS NOT NULL;
