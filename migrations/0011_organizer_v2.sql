CREATE TABLE `organize_groups` (
	`job_id` text NOT NULL,
	`media_id` text NOT NULL,
	`group_key` text NOT NULL,
	PRIMARY KEY(`job_id`, `media_id`),
	FOREIGN KEY (`job_id`) REFERENCES `organize_plans`(`job_id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `organize_groups_key_idx` ON `organize_groups` (`job_id`,`group_key`);--> statement-breakpoint
ALTER TABLE `blobs` ADD `pixel_hash` text;--> statement-breakpoint
ALTER TABLE `blobs` ADD `phash` text;--> statement-breakpoint
ALTER TABLE `blobs` ADD `fingerprint_status` text DEFAULT 'none' NOT NULL;--> statement-breakpoint
ALTER TABLE `blobs` ADD `fingerprint_attempts` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `blobs_fingerprint_idx` ON `blobs` (`fingerprint_status`,`fingerprint_attempts`);--> statement-breakpoint
ALTER TABLE `media` ADD `stack_of` text;--> statement-breakpoint
ALTER TABLE `organize_files` ADD `pixel_hash` text;--> statement-breakpoint
ALTER TABLE `organize_files` ADD `width` integer;--> statement-breakpoint
ALTER TABLE `organize_files` ADD `height` integer;--> statement-breakpoint
ALTER TABLE `organize_files` ADD `rule_id` text;--> statement-breakpoint
ALTER TABLE `organize_files` ADD `original_tags` text;--> statement-breakpoint
ALTER TABLE `organize_files` ADD `new_tags` text;--> statement-breakpoint
ALTER TABLE `organize_files` ADD `copy_id` text;--> statement-breakpoint
ALTER TABLE `organize_plans` ADD `kind` text DEFAULT 'organize' NOT NULL;--> statement-breakpoint
ALTER TABLE `organize_plans` ADD `match` text DEFAULT 'bytes' NOT NULL;--> statement-breakpoint
ALTER TABLE `organize_plans` ADD `threshold` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `organize_plans` ADD `protected_folders` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `organize_plans` ADD `rule_set` text;--> statement-breakpoint
ALTER TABLE `organize_plans` ADD `total_bytes` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `organize_plans` ADD `done_bytes` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `organize_settings` ADD `protected_folders` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `organize_settings` ADD `rules` text;--> statement-breakpoint
-- The FTS copy changes only when a name or the tags really change: a move sets `name` to the same
-- value for most files, and re-indexing each of them made applying a plan slower as the library grew.
DROP TRIGGER `media_fts_au`;
--> statement-breakpoint
CREATE TRIGGER `media_fts_au` AFTER UPDATE OF name, tags ON `media`
  WHEN old.name IS NOT new.name OR old.tags IS NOT new.tags BEGIN
  INSERT INTO media_fts(media_fts, rowid, name, tags) VALUES ('delete', old.rowid, old.name, old.tags);
  INSERT INTO media_fts(rowid, name, tags) VALUES (new.rowid, new.name, new.tags);
END;
