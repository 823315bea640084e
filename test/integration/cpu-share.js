// Who used the machine's CPUs while the benchmark typed (Linux only: /proc). The typing figures are wall times on a
// machine that code-server, the headless window, Django's helper and the extension share: this says how much of the
// cores each took during the typing pass, so a slow figure can be told apart from a busy machine.
//
// The runner samples every process's CPU time (utime + stime in /proc/PID/stat) every SAMPLE_MS; `during(from, to)`
// gives each group's CPU over that wall-clock interval in cores (CPU ms per wall ms). A process that started and ended
// between two samples is not seen; one sampled at least once counts from its first sample.
'use strict';
const fs = require('fs');
const os = require('os');
const { statFields } = require('./fixture');

const SAMPLE_MS = 250;

/**
 * The group a process belongs to, from its command line (NUL-separated arguments joined by spaces). Each group is
 * one kind of process of the benchmark's setup.
 */
function groupOf(cmdline) {
  if (/django_helper\.py/.test(cmdline)) return 'djangoHelper';
  if (/scanWorker\.js/.test(cmdline)) return 'scanWorker';
  if (/parse-worker\.js/.test(cmdline)) return 'parseWorker';
  if (/--type=extensionHost/.test(cmdline)) return 'extensionHost';
  if (/chrom/i.test(cmdline)) {
    const type = /--type=([a-z-]+)/.exec(cmdline)?.[1];
    // the renderer runs the workbench (VS Code's window); the GPU process rasterises in software (--disable-gpu)
    return type === 'renderer' ? 'window' : type === 'gpu-process' ? 'windowGpu' : 'browser';
  }
  if (/code-server|lib[\\/]vscode/.test(cmdline)) return 'codeServer';
  return 'other';
}

/** Clock ticks per second of /proc/PID/stat's times (USER_HZ: 100 on every Linux build in use). */
const HZ = 100;

/** [utime + stime in ticks, start time in ticks since boot] of `pid`, or null when it is gone. */
function readStat(pid) {
  const f = statFields(pid);
  return f && [Number(f[11]) + Number(f[12]), Number(f[19])];
}

/** Start sampling; `stop()` ends it. Null where there is no /proc (not Linux). */
function startCpuShare() {
  if (!fs.existsSync('/proc/self/stat')) return null;
  /** per process (pid and start time: a pid reused is another process): group, last ticks */
  const procs = new Map();
  /** per sample: wall time, and ticks used since the previous sample per group */
  const samples = [];
  const sample = () => {
    const t = Date.now();
    const used = {};
    let pids;
    try {
      pids = fs.readdirSync('/proc').filter(p => /^\d+$/.test(p));
    } catch {
      return;
    }
    for (const pid of pids) {
      const st = readStat(pid);
      if (!st) continue;
      const key = `${pid}:${st[1]}`;
      let p = procs.get(key);
      if (!p) {
        let cmd = '';
        try { cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '); } catch { continue; }
        // (a process first seen counts from now: its earlier time is not known to fall in this interval)
        procs.set(key, (p = { group: groupOf(cmd), ticks: st[0] }));
        continue;
      }
      const d = st[0] - p.ticks;
      p.ticks = st[0];
      if (d > 0) used[p.group] = (used[p.group] ?? 0) + d;
    }
    samples.push({ t, used });
  };
  sample();
  const timer = setInterval(sample, SAMPLE_MS);
  timer.unref();
  return {
    stop: () => clearInterval(timer),
    /**
     * Each group's CPU between wall-clock times `from` and `to` (ms since the epoch), in cores, rounded to 0.01, with
     * `total` and the machine's `cores`; null when fewer than two samples fall in it.
     */
    during(from, to) {
      const within = samples.filter(s => s.t > from && s.t <= to);
      if (within.length < 2) return null;
      const wallMs = within[within.length - 1].t - within[0].t;
      const ticks = {};
      // (the first sample's ticks were used before `from`, partly)
      for (const s of within.slice(1)) for (const [g, n] of Object.entries(s.used)) ticks[g] = (ticks[g] ?? 0) + n;
      const cores = {};
      let total = 0;
      for (const [g, n] of Object.entries(ticks).sort((a, b) => b[1] - a[1])) {
        const c = (n * 1000 / HZ) / wallMs;
        cores[g] = +c.toFixed(2);
        total += c;
      }
      return { ...cores, total: +total.toFixed(2), cores: os.cpus().length, wallMs };
    },
  };
}

module.exports = { startCpuShare, groupOf };
