/** The real-runtime harness: embedded Node-RED, the simulator in a child process, driver and sinks. */
export {
  Runtime,
  sharedRuntime,
  stopSharedRuntime,
  type FlowNode,
  type Credentials,
  type LogEntry,
} from './runtime';
export { SimProcess, type SimInfo, type SimStats } from './sim-process';
export { startRun, statusTexts, type RunOptions, type RunResult, type OutcomeKind } from './run-registry';
export * from './flows';
export * from './resources';
export { redeployUnderLoad } from './redeploy';
