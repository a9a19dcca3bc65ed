-- The one way to make a db.batch() conditional (src/db/batch.ts): a guard statement inserts its
-- reason here only when its condition is false, and this trigger refuses every insert with
-- "batch aborted: <reason>", which rolls the whole batch back. The table never holds a row.
CREATE TABLE `batch_guards` (`reason` text NOT NULL);
--> statement-breakpoint
CREATE TRIGGER `batch_guards_abort` BEFORE INSERT ON `batch_guards` BEGIN
  SELECT RAISE(ABORT, 'batch aborted: ' || NEW.reason);
END;
