-- Edited after drizzle-kit: the copy reads only the columns the old table has (the generated one
-- also named the new ones), and share_items is created after shares is rebuilt, so nothing refers
-- to the table while it is dropped.
CREATE TABLE `folders` (
	`owner_id` text NOT NULL,
	`path` text NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`owner_id`, `path`),
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `media` ADD `taken_at` text;--> statement-breakpoint
ALTER TABLE `media` ADD `metadata` text;--> statement-breakpoint
ALTER TABLE `media` ADD `taken_sort` text GENERATED ALWAYS AS (coalesce(taken_at, created_at)) VIRTUAL;--> statement-breakpoint
CREATE INDEX `media_owner_taken_idx` ON `media` (`owner_id`,`taken_sort`,`id`);--> statement-breakpoint
ALTER TABLE `media_uploads` ADD `on_conflict` text DEFAULT 'rename' NOT NULL;--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_shares` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_id` text NOT NULL,
	`kind` text DEFAULT 'file' NOT NULL,
	`media_id` text,
	`folder` text,
	`password_hash` text,
	`expires_at` text NOT NULL,
	`created_at` text NOT NULL,
	`revoked_at` text,
	`downloads` integer DEFAULT 0 NOT NULL,
	`views` integer DEFAULT 0 NOT NULL,
	`last_accessed_at` text,
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`media_id`) REFERENCES `media`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
INSERT INTO `__new_shares`("id", "owner_id", "media_id", "expires_at", "created_at", "revoked_at", "downloads") SELECT "id", "owner_id", "media_id", "expires_at", "created_at", "revoked_at", "downloads" FROM `shares`;--> statement-breakpoint
DROP TABLE `shares`;--> statement-breakpoint
ALTER TABLE `__new_shares` RENAME TO `shares`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `shares_media_idx` ON `shares` (`media_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `shares_owner_idx` ON `shares` (`owner_id`,`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `share_items` (
	`share_id` text NOT NULL,
	`media_id` text NOT NULL,
	PRIMARY KEY(`share_id`, `media_id`),
	FOREIGN KEY (`share_id`) REFERENCES `shares`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`media_id`) REFERENCES `media`(`id`) ON UPDATE no action ON DELETE cascade
);
