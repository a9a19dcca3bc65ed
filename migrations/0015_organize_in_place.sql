ALTER TABLE `organize_files` ADD `etag` text;--> statement-breakpoint
ALTER TABLE `organize_plans` ADD `connection_id` text;--> statement-breakpoint
ALTER TABLE `organize_plans` ADD `prefix` text;