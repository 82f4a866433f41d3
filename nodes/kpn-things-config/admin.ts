/** Admin endpoints of the config node's editor dialog (Test connection, device and customer pickers). */
import type { NodeAPI } from 'node-red';

export function registerAdminRoutes(_RED: NodeAPI): void {
  // The endpoints arrive with the editor work.
}
