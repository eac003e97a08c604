import { closeSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

/** Reads a file as another process appends to it, line by line, decoding UTF-8 across reads. */
export class FileFollower {
  private readonly fd: number;
  private readonly decoder = new StringDecoder('utf8');
  private readonly buffer = Buffer.alloc(64 * 1024);
  private position = 0;
  private partial = '';
  private readonly timer: NodeJS.Timeout;

  constructor(
    file: string,
    private readonly onLine: (line: string) => void,
    everyMs = 200,
  ) {
    this.fd = openSync(file, 'r');
    this.timer = setInterval(() => this.drain(), everyMs);
  }

  private drain(): void {
    for (;;) {
      const read = readSync(this.fd, this.buffer, 0, this.buffer.length, this.position);
      if (read === 0) return;
      this.position += read;
      this.push(this.decoder.write(this.buffer.subarray(0, read)));
    }
  }

  private push(text: string): void {
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.onLine(line.replace(/\r$/, ''));
  }

  /** Reads what is left and reports a last line without its newline. */
  finish(): void {
    clearInterval(this.timer);
    this.drain();
    this.push(this.decoder.end());
    if (this.partial) this.onLine(this.partial);
    this.partial = '';
    closeSync(this.fd);
  }
}
