CREATE TABLE `job_commits` (
	`job_id` text PRIMARY KEY NOT NULL,
	`committed_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `jobs` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`type` text NOT NULL,
	`parent_id` text,
	`status` text DEFAULT 'queued' NOT NULL,
	`input` text NOT NULL,
	`progress` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`max_attempts` integer DEFAULT 5 NOT NULL,
	`lease_owner` text,
	`lease_until` text,
	`cancel_requested_at` text,
	`error_code` text,
	`error_message` text,
	`result` text,
	`credit_cost` integer DEFAULT 0 NOT NULL,
	`created_at` text NOT NULL,
	`started_at` text,
	`finished_at` text,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "jobs_attempts_nonnegative" CHECK("jobs"."attempts" >= 0)
);
--> statement-breakpoint
CREATE INDEX `jobs_user_created_idx` ON `jobs` (`user_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `jobs_user_status_idx` ON `jobs` (`user_id`,`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `jobs_status_lease_idx` ON `jobs` (`status`,`lease_until`);--> statement-breakpoint
CREATE INDEX `jobs_parent_idx` ON `jobs` (`parent_id`);--> statement-breakpoint
CREATE INDEX `jobs_created_idx` ON `jobs` (`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `task_executions` (
	`id` text PRIMARY KEY NOT NULL,
	`job_id` text NOT NULL,
	`attempt` integer NOT NULL,
	`started_at` text NOT NULL,
	`ended_at` text,
	`outcome` text NOT NULL,
	`error_code` text,
	`error_message` text,
	`duration_ms` integer,
	`stage_timings` text,
	FOREIGN KEY (`job_id`) REFERENCES `jobs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `task_executions_job_attempt` ON `task_executions` (`job_id`,`attempt`);--> statement-breakpoint
CREATE TABLE `vectorize_outputs` (
	`job_id` text PRIMARY KEY NOT NULL,
	`owner_id` text NOT NULL,
	`source_media_id` text NOT NULL,
	`source_sha256` text NOT NULL,
	`options_hash` text NOT NULL,
	`svg_media_id` text NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `vectorize_outputs_cache` ON `vectorize_outputs` (`owner_id`,`source_sha256`,`options_hash`);