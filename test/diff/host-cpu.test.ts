/**
 * Differential test of btvm's translated execution against the host CPU,
 * first half of the cases (host-cpu-suite.ts says how cases are made and
 * split; host-cpu-2.test.ts runs the other half on the other core).
 */
import { hostCpuSuite } from './host-cpu-suite.js';

hostCpuSuite(0);
