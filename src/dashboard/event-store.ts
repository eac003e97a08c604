import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseEvent, type ProgressEvent } from './events.js';

/**
 * The dashboard's record of every learner's events: an append-only JSON-lines file, read back
 * whole on start, so the dashboard survives its own restart. Each learner's events are taken in
 * `seq` order only: a repeat is acknowledged and dropped (exactly once), a gap is refused with the
 * `seq` wanted next (in order), so a learner's queue converges however often it is sent.
 */

export interface AcceptResult {
  /** Events new to the store, in order. */
  accepted: ProgressEvent[];
  /** Events it already had (sent again after a lost answer). */
  duplicates: number;
  /** The highest seq the store holds for the learner: the sender may drop its queue up to it. */
  acked: number;
  /** Set when an event came before its predecessor: the seq the store wants next. */
  gapAt?: number;
}

export class EventStore {
  private readonly last = new Map<string, number>();
  private readonly events: ProgressEvent[] = [];
  private readonly listeners = new Set<(events: ProgressEvent[]) => void>();

  private constructor(readonly file: string) {}

  /** Opens (or creates) the store; a torn last line (a crash mid-append) is skipped, not fatal. */
  static open(file: string): EventStore {
    const store = new EventStore(file);
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    if (existsSync(file)) {
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        if (line.trim() === '') continue;
        let parsed: unknown;
        try {
          parsed = JSON.parse(line);
        } catch {
          continue;
        }
        const event = parseEvent(parsed);
        if (typeof event === 'string' || event.seq !== (store.last.get(event.learner) ?? 0) + 1) continue;
        store.remember(event);
      }
    } else {
      // 0600: events carry learners' ids and check messages.
      closeSync(openSync(file, 'a', 0o600));
    }
    return store;
  }

  private remember(event: ProgressEvent): void {
    this.events.push(event);
    this.last.set(event.learner, event.seq);
  }

  lastSeq(learner: string): number {
    return this.last.get(learner) ?? 0;
  }

  all(): readonly ProgressEvent[] {
    return this.events;
  }

  /** Takes one learner's events (callers check that they are the learner's own). */
  accept(learner: string, events: readonly ProgressEvent[]): AcceptResult {
    const accepted: ProgressEvent[] = [];
    let duplicates = 0;
    let gapAt: number | undefined;
    for (const event of [...events].sort((a, b) => a.seq - b.seq)) {
      if (event.learner !== learner) throw new Error(`bug: event of ${event.learner} offered as ${learner}'s`);
      const expected = this.lastSeq(learner) + 1;
      if (event.seq < expected) {
        duplicates++;
        continue;
      }
      if (event.seq > expected) {
        gapAt = expected;
        break;
      }
      accepted.push(event);
      this.remember(event);
    }
    if (accepted.length > 0) {
      // Written and synced before the answer: an acknowledged event is never lost by a crash.
      const fd = openSync(this.file, 'a', 0o600);
      try {
        writeSync(fd, accepted.map((e) => `${JSON.stringify(e)}\n`).join(''));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      for (const listener of this.listeners) listener(accepted);
    }
    return { accepted, duplicates, acked: this.lastSeq(learner), ...(gapAt !== undefined ? { gapAt } : {}) };
  }

  onAccepted(listener: (events: ProgressEvent[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
