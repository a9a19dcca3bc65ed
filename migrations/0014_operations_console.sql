CREATE TABLE `announcement_dismissals` (
	`announcement_id` text NOT NULL,
	`user_id` text NOT NULL,
	`dismissed_at` text NOT NULL,
	FOREIGN KEY (`announcement_id`) REFERENCES `announcements`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `announcement_dismissals_unique` ON `announcement_dismissals` (`user_id`,`announcement_id`);--> statement-breakpoint
CREATE TABLE `announcements` (
	`id` text PRIMARY KEY NOT NULL,
	`title` text NOT NULL,
	`body` text NOT NULL,
	`format` text DEFAULT 'text' NOT NULL,
	`severity` text DEFAULT 'info' NOT NULL,
	`audience` text DEFAULT 'all' NOT NULL,
	`starts_at` text NOT NULL,
	`ends_at` text,
	`created_by` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `announcements_window_idx` ON `announcements` (`starts_at`,`ends_at`);--> statement-breakpoint
CREATE TABLE `health_probes` (
	`at` text PRIMARY KEY NOT NULL,
	`ok` integer NOT NULL,
	`checks` text NOT NULL,
	`duration_ms` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `metric_rollups` (
	`minute` text NOT NULL,
	`route` text NOT NULL,
	`status_class` text NOT NULL,
	`count` integer NOT NULL,
	`sum_ms` integer NOT NULL,
	`max_ms` integer NOT NULL,
	`buckets` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `metric_rollups_key` ON `metric_rollups` (`minute`,`route`,`status_class`);--> statement-breakpoint
CREATE TABLE `usage_daily` (
	`user_id` text NOT NULL,
	`day` text NOT NULL,
	`route_class` text NOT NULL,
	`calls` integer NOT NULL,
	`bytes_in` integer NOT NULL,
	`bytes_out` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `usage_daily_key` ON `usage_daily` (`user_id`,`day`,`route_class`);--> statement-breakpoint
CREATE INDEX `usage_daily_day_idx` ON `usage_daily` (`day`);--> statement-breakpoint
CREATE TABLE `alert_events` (
	`id` text PRIMARY KEY NOT NULL,
	`rule_id` text NOT NULL,
	`rule_name` text NOT NULL,
	`kind` text NOT NULL,
	`signal` text NOT NULL,
	`value` real NOT NULL,
	`threshold` real NOT NULL,
	`at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `alert_events_at_idx` ON `alert_events` (`at`,`id`);--> statement-breakpoint
CREATE INDEX `alert_events_rule_idx` ON `alert_events` (`rule_id`,`at`);--> statement-breakpoint
CREATE TABLE `alert_rules` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`signal` text NOT NULL,
	`threshold` real NOT NULL,
	`window_minutes` integer DEFAULT 5 NOT NULL,
	`email` text,
	`webhook` integer DEFAULT false NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`state` text DEFAULT 'ok' NOT NULL,
	`state_changed_at` text,
	`last_value` real,
	`last_evaluated_at` text,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
ALTER TABLE `audit_log` ADD `subject_id` text;--> statement-breakpoint
ALTER TABLE `audit_log` ADD `request_id` text;--> statement-breakpoint
ALTER TABLE `audit_log` ADD `ip` text;--> statement-breakpoint
ALTER TABLE `audit_log` ADD `user_agent` text;--> statement-breakpoint
CREATE INDEX `audit_log_actor_idx` ON `audit_log` (`actor_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `audit_log_action_idx` ON `audit_log` (`action`,`created_at`);--> statement-breakpoint
CREATE INDEX `audit_log_subject_idx` ON `audit_log` (`subject_id`,`created_at`);--> statement-breakpoint
ALTER TABLE `jobs` ADD `replay_of` text;--> statement-breakpoint
CREATE UNIQUE INDEX `jobs_replay_of_unique` ON `jobs` (`replay_of`);--> statement-breakpoint
CREATE INDEX `jobs_error_code_idx` ON `jobs` (`error_code`,`created_at`);--> statement-breakpoint
-- The audit trail is append-only (src/audit): no row is ever changed, and only the retention sweep
-- deletes, and only rows older than a day (so a bug or a wrong cutoff can't wipe recent history).
CREATE TRIGGER `audit_log_no_update` BEFORE UPDATE ON `audit_log` BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;--> statement-breakpoint
CREATE TRIGGER `audit_log_retention_only` BEFORE DELETE ON `audit_log`
WHEN OLD.created_at >= strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 day') BEGIN
  SELECT RAISE(ABORT, 'audit_log rows are deleted only by retention');
END;
