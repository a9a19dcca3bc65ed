import { sql } from "drizzle-orm";
import type { Db } from "../db/client";

export interface DailyStats {
  date: string;
  jobsCreated: number;
  jobsSucceeded: number;
  jobsFailed: number;
  uploads: number;
  uploadedBytes: number;
  signups: number;
}

/**
 * The admin dashboard's charts: per UTC day over the last `days` days, jobs created / succeeded /
 * failed, uploads and their bytes, and sign-ups; plus today's totals. Days without activity are
 * present with zeros so charts have an even axis.
 */
export async function dailyStats(db: Db, days: number, now: Date) {
  const since = new Date(now.getTime() - (days - 1) * 86_400_000).toISOString().slice(0, 10);
  const [jobs, uploads, signups, totals] = await Promise.all([
    db.all<{ day: string; created: number; succeeded: number; failed: number }>(
      sql`SELECT substr(created_at, 1, 10) AS day, count(*) AS created,
            sum(status = 'succeeded') AS succeeded, sum(status = 'failed') AS failed
          FROM jobs WHERE created_at >= ${since} AND parent_id IS NULL GROUP BY day`,
    ),
    db.all<{ day: string; uploads: number; bytes: number }>(
      sql`SELECT substr(created_at, 1, 10) AS day, count(*) AS uploads, sum(size) AS bytes
          FROM media WHERE created_at >= ${since} GROUP BY day`,
    ),
    db.all<{ day: string; signups: number }>(
      sql`SELECT substr(created_at, 1, 10) AS day, count(*) AS signups FROM users WHERE created_at >= ${since} GROUP BY day`,
    ),
    db.get<{ users: number; storedBytes: number; files: number }>(
      sql`SELECT count(*) AS users, coalesce(sum(used_bytes), 0) AS storedBytes, coalesce(sum(used_files), 0) AS files FROM users`,
    ),
  ]);
  const byDay = <T extends { day: string }>(rows: T[]) => new Map(rows.map((r) => [r.day, r]));
  const jobsByDay = byDay(jobs);
  const uploadsByDay = byDay(uploads);
  const signupsByDay = byDay(signups);
  const series: DailyStats[] = [];
  for (let i = days - 1; i >= 0; i--) {
    const date = new Date(now.getTime() - i * 86_400_000).toISOString().slice(0, 10);
    const j = jobsByDay.get(date);
    const u = uploadsByDay.get(date);
    series.push({
      date,
      jobsCreated: j?.created ?? 0,
      jobsSucceeded: j?.succeeded ?? 0,
      jobsFailed: j?.failed ?? 0,
      uploads: u?.uploads ?? 0,
      uploadedBytes: u?.bytes ?? 0,
      signups: signupsByDay.get(date)?.signups ?? 0,
    });
  }
  return { days: series, totals: totals ?? { users: 0, storedBytes: 0, files: 0 } };
}
