/**
 * Differential test of btvm's translated execution against the host CPU,
 * second half of the cases (see host-cpu-suite.ts).
 */
import { hostCpuSuite } from './host-cpu-suite.js';

hostCpuSuite(1);
