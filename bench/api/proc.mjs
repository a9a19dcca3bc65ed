// What a server's processes have used so far, summed over the process group `pgid` (a detached
// `wrangler dev` and its workerd), from /proc (Linux only): bytes written (`wchar` of /proc/<pid>/io:
// files and sockets) and CPU time (utime + stime of /proc/<pid>/stat). CPU time per request is the
// cost figure least moved by what else runs on a shared machine.
import { readdir, readFile } from "node:fs/promises";

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

async function forGroup(pgid, read) {
  let total = 0;
  for (const pid of await readdir("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = await readFile(`/proc/${pid}/stat`, "utf8");
      // Fields after the command name (which may hold spaces): state ppid pgrp … utime (14) stime (15)
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) !== pgid) continue;
      total += await read(pid, fields);
    } catch {
      // The process ended meanwhile, or isn't ours to read.
    }
  }
  return total;
}

export function processWrites(pgid) {
  return forGroup(pgid, async (pid) => {
    const io = await readFile(`/proc/${pid}/io`, "utf8");
    return Number(/^wchar: (\d+)$/m.exec(io)[1]);
  });
}

export function processCpuMs(pgid) {
  return forGroup(
    pgid,
    async (_pid, fields) => ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND,
  );
}
