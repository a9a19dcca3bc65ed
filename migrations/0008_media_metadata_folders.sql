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
ALTER TABLE `media_uploads` ADD `on_conflict` text DEFAULT 'rename' NOT NULL;