// The PostgreSQL and MySQL drivers (pg, mysql2: together half of a bundle's source) are loaded only when such a
// database is read. Bundled on their own as dist/drivers.js (scripts/build.mjs), next to the bundle that runs
// this, so that a static scan or a SQLite project never parses or compiles them; from the sources (unit tests),
// they come from node_modules.
import * as fs from 'fs';
import * as path from 'path';
import { createRequire } from 'module';

export type DriverName = 'pg' | 'mysql2/promise';

const bundled = path.join(__dirname, 'drivers.js');

export function loadDriver(name: DriverName): unknown {
  if (fs.existsSync(bundled)) return (require(bundled) as (n: DriverName) => unknown)(name);
  // a require esbuild does not follow: this file runs from the sources only when drivers.js is not there
  return createRequire(__filename)(name);
}
