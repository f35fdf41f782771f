-- Official sources (the Federal Register, OFAC, the EU Official Journal, OFSI): a deadline
-- whose due time an official publication gives names it, and that date drives its alerts.
-- News reports of it confirm it (same day) or contradict it (another day): a contradicting
-- report is kept, flagged, and moves nothing.
ALTER TABLE deadlines ADD COLUMN official TEXT;                 -- the source's name, "Federal Register"
ALTER TABLE deadlines ADD COLUMN document TEXT;                 -- the document: number and title, or URL
ALTER TABLE deadlines ADD COLUMN refs TEXT NOT NULL DEFAULT '[]'; -- licence and regulation numbers, normalised
ALTER TABLE articles ADD COLUMN official TEXT;                  -- the official source of an official document
ALTER TABLE mentions ADD COLUMN contradicts INTEGER NOT NULL DEFAULT 0;
CREATE INDEX deadlines_official ON deadlines (due_ms) WHERE official IS NOT NULL;
