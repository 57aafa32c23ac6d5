import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BodyFault } from './faults';

/** The response was cut on purpose (resetAfterBytes fault) or the client went away. */
export class BodyAbortedError extends Error {
  override readonly name = 'BodyAbortedError';
  readonly code = 'GATEWAY_BODY_ABORTED' as const;
  constructor(
    readonly reason: 'fault_reset' | 'client_closed',
    readonly bytesSent: number,
  ) {
    super(reason === 'fault_reset' ? `socket reset by fault after ${bytesSent} body bytes` : `client closed after ${bytesSent} body bytes`);
  }
}

const PIECE = 64 * 1024;
const SLOW_TICK_MS = 100;

/**
 * Writes a streamed body honouring backpressure and the body faults: throttling to
 * `bytesPerSecond`, and destroying the socket after exactly `resetAfterBytes` bytes.
 */
export class BodyWriter {
  bytesSent = 0;
  private closed = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly fault: BodyFault,
    private readonly onBytes: (n: number) => void = () => {},
  ) {
    res.once('close', () => {
      this.closed = true;
    });
  }

  async write(chunk: Uint8Array): Promise<void> {
    const piece = this.fault.bytesPerSecond ? Math.max(1, Math.floor((this.fault.bytesPerSecond * SLOW_TICK_MS) / 1000)) : PIECE;
    for (let at = 0; at < chunk.length; ) {
      if (this.closed || this.res.destroyed) throw new BodyAbortedError('client_closed', this.bytesSent);
      let n = Math.min(piece, chunk.length - at);
      const limit = this.fault.resetAfterBytes;
      if (limit !== undefined && this.bytesSent + n >= limit) n = limit - this.bytesSent;
      if (n > 0) {
        const ok = this.res.write(chunk.subarray(at, at + n));
        this.bytesSent += n;
        this.onBytes(n);
        at += n;
        if (!ok) await this.drain();
      }
      if (limit !== undefined && this.bytesSent >= limit) {
        await this.flushThenReset();
        throw new BodyAbortedError('fault_reset', this.bytesSent);
      }
      if (this.fault.bytesPerSecond) await sleep(SLOW_TICK_MS);
    }
  }

  /** A client gone during the last throttle tick has not received the whole body: that is an abort too. */
  end(): void {
    if (this.closed || this.res.destroyed) throw new BodyAbortedError('client_closed', this.bytesSent);
    this.res.end();
  }

  private drain(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      this.res.on('drain', done);
      this.res.on('close', done);
    });
  }

  /** Lets the bytes already written reach the client, then cuts the connection without a clean end. */
  private async flushThenReset(): Promise<void> {
    const socket = this.res.socket;
    if (socket && socket.writableLength > 0) await new Promise<void>((r) => socket.write('', () => r()));
    await sleep(20);
    // a TCP RST where the runtime has resetAndDestroy, else a plain destroy
    if (typeof socket?.resetAndDestroy === 'function') socket.resetAndDestroy();
    else socket?.destroy();
  }
}
