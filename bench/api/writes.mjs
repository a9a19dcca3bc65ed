// Bytes a server's processes have written so far (`wchar` of /proc/<pid>/io: files and sockets),
// summed over the process group `pgid` (a detached `wrangler dev` and its workerd). Linux only.
import { readdir, readFile } from "node:fs/promises";

export async function processWrites(pgid) {
  let total = 0;
  for (const pid of await readdir("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = await readFile(`/proc/${pid}/stat`, "utf8");
      // Fields after the command name (which may hold spaces): state ppid pgrp …
      const [, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(pgrp) !== pgid) continue;
      const io = await readFile(`/proc/${pid}/io`, "utf8");
      total += Number(/^wchar: (\d+)$/m.exec(io)[1]);
    } catch {
      // The process ended meanwhile, or isn't ours to read.
    }
  }
  return total;
}
