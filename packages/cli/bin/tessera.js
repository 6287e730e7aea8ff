#!/usr/bin/env node
// A server keeps its heap close to what it holds live (packages/server/src/heap-growth.ts). Set
// before the rest is imported: loading the code is what first grows the young generation.
if (process.argv[2] === 'serve') (await import('@tessera/server/heap-growth')).limitHeapGrowth();
const { main } = await import('../dist/main.js');

process.exitCode = await main(process.argv.slice(2));
