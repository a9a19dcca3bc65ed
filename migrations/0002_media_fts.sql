-- Full-text search over media names and tags (SQLite FTS5, external content = the media table).
-- Kept in step by triggers, so every write path (upload, rename, tag, purge) updates it in the same
-- statement's transaction.
CREATE VIRTUAL TABLE `media_fts` USING fts5(name, tags, content='media', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2');
--> statement-breakpoint
CREATE TRIGGER `media_fts_ai` AFTER INSERT ON `media` BEGIN
  INSERT INTO media_fts(rowid, name, tags) VALUES (new.rowid, new.name, new.tags);
END;
--> statement-breakpoint
CREATE TRIGGER `media_fts_ad` AFTER DELETE ON `media` BEGIN
  INSERT INTO media_fts(media_fts, rowid, name, tags) VALUES ('delete', old.rowid, old.name, old.tags);
END;
--> statement-breakpoint
CREATE TRIGGER `media_fts_au` AFTER UPDATE OF name, tags ON `media` BEGIN
  INSERT INTO media_fts(media_fts, rowid, name, tags) VALUES ('delete', old.rowid, old.name, old.tags);
  INSERT INTO media_fts(rowid, name, tags) VALUES (new.rowid, new.name, new.tags);
END;
