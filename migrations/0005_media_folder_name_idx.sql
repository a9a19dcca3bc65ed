DROP INDEX `media_owner_folder_idx`;--> statement-breakpoint
CREATE INDEX `media_owner_folder_name_idx` ON `media` (`owner_id`,`folder`,`name_key`);