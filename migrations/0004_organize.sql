CREATE TABLE `categories` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_id` text NOT NULL,
	`name` text NOT NULL,
	`name_key` text NOT NULL,
	`extensions` text NOT NULL,
	`mime_types` text NOT NULL,
	`folder` text,
	`priority` integer DEFAULT 100 NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `categories_owner_name_unique` ON `categories` (`owner_id`,`name_key`);--> statement-breakpoint
CREATE INDEX `categories_owner_priority_idx` ON `categories` (`owner_id`,`priority`);--> statement-breakpoint
CREATE TABLE `organize_files` (
	`job_id` text NOT NULL,
	`media_id` text NOT NULL,
	`original_folder` text NOT NULL,
	`original_name` text NOT NULL,
	`original_name_key` text NOT NULL,
	`new_folder` text,
	`new_name` text,
	`new_name_key` text,
	`category` text NOT NULL,
	`mime` text NOT NULL,
	`size` integer NOT NULL,
	`sha256` text NOT NULL,
	`media_created_at` text NOT NULL,
	`action` text NOT NULL,
	`dup_group` text,
	`dup_of` text,
	`status` text NOT NULL,
	`reason` text,
	`applied_at` text,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`job_id`, `media_id`),
	FOREIGN KEY (`job_id`) REFERENCES `organize_plans`(`job_id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `organize_files_dest_idx` ON `organize_files` (`job_id`,`new_folder`,`new_name_key`);--> statement-breakpoint
CREATE INDEX `organize_files_status_idx` ON `organize_files` (`job_id`,`status`,`media_id`);--> statement-breakpoint
CREATE INDEX `organize_files_category_idx` ON `organize_files` (`job_id`,`category`,`media_id`);--> statement-breakpoint
CREATE INDEX `organize_files_dup_idx` ON `organize_files` (`job_id`,`dup_group`);--> statement-breakpoint
CREATE TABLE `organize_plans` (
	`job_id` text PRIMARY KEY NOT NULL,
	`owner_id` text NOT NULL,
	`folder` text NOT NULL,
	`media_ids` text,
	`dry_run` integer NOT NULL,
	`duplicates` text NOT NULL,
	`keep` text NOT NULL,
	`template` text NOT NULL,
	`conflict` text NOT NULL,
	`rules` text NOT NULL,
	`state` text NOT NULL,
	`active_job_id` text NOT NULL,
	`apply_job_id` text,
	`rollback_job_id` text,
	`stage` text NOT NULL,
	`cursor` text DEFAULT '' NOT NULL,
	`total` integer DEFAULT 0 NOT NULL,
	`done` integer DEFAULT 0 NOT NULL,
	`created_at` text NOT NULL,
	`planned_at` text,
	`applied_at` text,
	`rolled_back_at` text,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`job_id`) REFERENCES `jobs`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `organize_plans_owner_idx` ON `organize_plans` (`owner_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `organize_settings` (
	`user_id` text PRIMARY KEY NOT NULL,
	`template` text NOT NULL,
	`conflict` text NOT NULL,
	`auto_organize` integer DEFAULT false NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
