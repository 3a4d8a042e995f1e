// bench/duckdb.mjs: run SQL statements in DuckDB on one thread, for
// bench/run-all.  The @duckdb/node-api package is installed outside the
// repo (INLET_BENCH_DUCKDB, default ~/.cache/inlet-bench/duckdb).
//
//   node bench/duckdb.mjs 'SQL' ['SQL'...]     a database in memory
//   node bench/duckdb.mjs --db FILE 'SQL'...   a database file
//
// Each statement runs in order; COPY ... TO '/dev/stdout' writes to
// standard output.  With --print the last statement's rows are printed,
// one JSON object per line.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = process.env.INLET_BENCH_DUCKDB || join(homedir(), '.cache', 'inlet-bench', 'duckdb');
const api = await import(pathToFileURL(join(dir, 'node_modules', '@duckdb', 'node-api', 'lib', 'index.js')).href);

let db = ':memory:', print = false;
const sql = [];
for (let i = 2; i < process.argv.length; i++) {
	const a = process.argv[i];
	if (a === '--db') db = process.argv[++i];
	else if (a === '--print') print = true;
	else sql.push(a);
}
const instance = await api.DuckDBInstance.create(db, { threads: '1' });
const con = await instance.connect();
await con.run('SET threads = 1');
let last;
for (const s of sql) last = await con.runAndReadAll(s);
if (print && last)
	for (const row of last.getRowObjectsJson()) process.stdout.write(JSON.stringify(row) + '\n');
con.closeSync?.();
