CREATE TABLE `organize_names` (
	`job_id` text NOT NULL,
	`folder` text NOT NULL,
	`name_key` text NOT NULL,
	`high` integer NOT NULL,
	PRIMARY KEY(`job_id`, `folder`, `name_key`),
	FOREIGN KEY (`job_id`) REFERENCES `organize_plans`(`job_id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
DROP INDEX `organize_files_dup_idx`;--> statement-breakpoint
CREATE INDEX `organize_files_dup_idx` ON `organize_files` (`job_id`,`dup_group`) WHERE "organize_files"."dup_group" IS NOT NULL;