ALTER TABLE `blobs` ADD `colour` text;--> statement-breakpoint
ALTER TABLE `blobs` ADD `fingerprint_version` integer DEFAULT 0 NOT NULL;