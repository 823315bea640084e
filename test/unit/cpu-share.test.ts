// The VS Code benchmark's CPU shares (test/integration/cpu-share.js): which group each process of the setup counts in,
// and what a sampling of this very process reports.
import { strict as assert } from 'assert';
import { createRequire } from 'module';
import * as fs from 'fs';
import { test } from 'node:test';

const require_ = createRequire(__filename);
const { groupOf, startCpuShare } = require_('../integration/cpu-share.js') as {
  groupOf: (cmdline: string) => string;
  startCpuShare: () => { stop(): void; during(from: number, to: number): Record<string, number> | null } | null;
};

test('each process of the benchmark setup counts in its own group', () => {
  const cases: [string, string][] = [
    ['/usr/lib/chromium/chromium --type=renderer --enable-features=X', 'window'],
    ['/usr/lib/chromium/chromium --type=gpu-process --disable-gpu', 'windowGpu'],
    ['/usr/lib/chromium/chromium --type=utility --utility-sub-type=network.mojom.NetworkService', 'browser'],
    ['/usr/lib/chromium/chromium --headless --no-sandbox', 'browser'],
    ['/root/.cache/x/node /root/.cache/x/code-server/lib/vscode/out/bootstrap-fork --type=extensionHost --transformURIs', 'extensionHost'],
    ['/root/.cache/x/node /work/main/dist/scanWorker.js', 'scanWorker'],
    ['/v/bin/python -I -B -X utf8 /work/main/dist/python/django_helper.py report --project /tmp/p', 'djangoHelper'],
    ['/root/.cache/x/node /root/.cache/x/code-server/out/node/entry.js --bind-addr 127.0.0.1:18713', 'codeServer'],
    ['/bin/bash -c sleep 1', 'other'],
  ];
  for (const [cmd, group] of cases) assert.equal(groupOf(cmd), group, cmd);
});

test('the shares over an interval count this process\'s own CPU, in cores, with the total and the machine\'s cores', { skip: !fs.existsSync('/proc/self/stat') && 'no /proc' }, async () => {
  const cpu = startCpuShare()!;
  try {
    const from = Date.now();
    assert.equal(cpu.during(from, Date.now()), null, 'no samples in an empty interval');
    // busy for a while, in slices (the sampler's timer runs between them)
    const until = Date.now() + 900;
    while (Date.now() < until) {
      const slice = Date.now() + 50;
      while (Date.now() < slice) { /* busy */ }
      await new Promise(r => setImmediate(r));
    }
    const share = cpu.during(from, Date.now())!;
    assert.ok(share, 'samples in the interval');
    // (this test runner is neither code-server nor a window: "other"; some CPU, whatever the machine's load)
    assert.ok(share.other! > 0, JSON.stringify(share));
    assert.ok(share.total! >= share.other!, JSON.stringify(share));
    assert.ok(share.cores! >= 1 && share.wallMs! > 0, JSON.stringify(share));
  } finally {
    cpu.stop();
  }
});
