/** Root hook of the reliability suite: the one embedded runtime of this process stops at the end. */
import { stopSharedRuntime } from '../harness';

after(async function () {
  this.timeout(30_000);
  await stopSharedRuntime();
});
