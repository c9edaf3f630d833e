/**
 * `npm run bench:render`: redraws benchmarks/results/<suite>.md and its SVG plots
 * from every committed <suite>.json, without running a benchmark (render.ts).
 */
import { suitesWithResults, writeRendered } from './render.js';

for (const suite of suitesWithResults()) for (const file of writeRendered(suite)) console.log('wrote', file);
