/**
 * The CLI runs its WebAssembly parser with the baseline compiler only. A check run is short: the
 * optimising compiler's background work on the 1.7 MB parser costs more CPU than its faster code
 * saves (pg-regress, 53,000 statements: about 10 % less wall time), and the process would wait for
 * it at exit (about 150 ms on every run). Imported first by main.ts, before the parser is compiled.
 */
import v8 from 'node:v8';

v8.setFlagsFromString('--liftoff-only');
