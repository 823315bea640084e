// Entry of dist/drivers.js (./drivers.ts): each driver is initialised when first asked for.
export = function driver(name: 'pg' | 'mysql2/promise'): unknown {
  return name === 'pg' ? require('pg') : require('mysql2/promise');
};
