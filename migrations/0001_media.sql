CREATE TABLE `blobs` (
	`sha256` text PRIMARY KEY NOT NULL,
	`size` integer NOT NULL,
	`mime` text NOT NULL,
	`ref_count` integer DEFAULT 0 NOT NULL,
	`thumb_status` text DEFAULT 'none' NOT NULL,
	`thumb_sha256` text,
	`thumb_attempts` integer DEFAULT 0 NOT NULL,
	`created_at` text NOT NULL,
	CONSTRAINT "blobs_ref_count_nonnegative" CHECK("blobs"."ref_count" >= 0)
);
--> statement-breakpoint
CREATE INDEX `blobs_unreferenced_idx` ON `blobs` (`ref_count`,`created_at`);--> statement-breakpoint
CREATE INDEX `blobs_thumb_idx` ON `blobs` (`thumb_status`,`thumb_attempts`);--> statement-breakpoint
CREATE TABLE `media` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_id` text NOT NULL,
	`name` text NOT NULL,
	`name_key` text NOT NULL,
	`folder` text DEFAULT '/' NOT NULL,
	`mime` text NOT NULL,
	`kind` text NOT NULL,
	`size` integer NOT NULL,
	`sha256` text NOT NULL,
	`width` integer,
	`height` integer,
	`tags` text DEFAULT '[]' NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`trashed_at` text,
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `media_owner_created_idx` ON `media` (`owner_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `media_owner_name_idx` ON `media` (`owner_id`,`name_key`,`id`);--> statement-breakpoint
CREATE INDEX `media_owner_size_idx` ON `media` (`owner_id`,`size`,`id`);--> statement-breakpoint
CREATE INDEX `media_owner_folder_idx` ON `media` (`owner_id`,`folder`);--> statement-breakpoint
CREATE INDEX `media_owner_sha_idx` ON `media` (`owner_id`,`sha256`);--> statement-breakpoint
CREATE INDEX `media_trashed_idx` ON `media` (`trashed_at`);--> statement-breakpoint
CREATE INDEX `media_sha_idx` ON `media` (`sha256`);--> statement-breakpoint
CREATE TABLE `media_tags` (
	`media_id` text NOT NULL,
	`owner_id` text NOT NULL,
	`tag` text NOT NULL,
	FOREIGN KEY (`media_id`) REFERENCES `media`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `media_tags_media_tag_unique` ON `media_tags` (`media_id`,`tag`);--> statement-breakpoint
CREATE INDEX `media_tags_owner_tag_idx` ON `media_tags` (`owner_id`,`tag`);--> statement-breakpoint
CREATE TABLE `media_upload_parts` (
	`upload_id` text NOT NULL,
	`part_number` integer NOT NULL,
	`etag` text NOT NULL,
	`size` integer NOT NULL,
	FOREIGN KEY (`upload_id`) REFERENCES `media_uploads`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `media_upload_parts_unique` ON `media_upload_parts` (`upload_id`,`part_number`);--> statement-breakpoint
CREATE TABLE `media_uploads` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_id` text NOT NULL,
	`r2_upload_id` text NOT NULL,
	`name` text NOT NULL,
	`folder` text NOT NULL,
	`tags` text NOT NULL,
	`status` text DEFAULT 'open' NOT NULL,
	`created_at` text NOT NULL,
	`expires_at` text NOT NULL,
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `media_uploads_owner_idx` ON `media_uploads` (`owner_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `media_uploads_expires_idx` ON `media_uploads` (`status`,`expires_at`);--> statement-breakpoint
CREATE TABLE `shares` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_id` text NOT NULL,
	`media_id` text NOT NULL,
	`expires_at` text NOT NULL,
	`created_at` text NOT NULL,
	`revoked_at` text,
	`downloads` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`media_id`) REFERENCES `media`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `shares_media_idx` ON `shares` (`media_id`,`created_at`);