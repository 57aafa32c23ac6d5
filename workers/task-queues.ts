import { hostname } from 'node:os';

/**
 * Each worker also polls a queue of its own: the validate and load steps of a chunk run where its file is,
 * so workers on separate hosts need no shared disk.
 */
export function hostTaskQueue(sharedQueue: string, hostId: string = `${hostname()}-${process.pid}`): string {
  return `${sharedQueue}@${hostId}`;
}
