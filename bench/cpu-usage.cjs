// Preloaded by bench/run.mjs (`node -r`): prints the scan process's CPU time on exit, a figure that a busy
// machine inflates much less than wall time (other processes share the cores, not this process's work).
'use strict';
process.on('exit', () => {
  const u = process.resourceUsage();
  process.stderr.write(`cpuMs ${((u.userCPUTime + u.systemCPUTime) / 1000).toFixed(0)}\n`);
});
