import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair } from 'yaml';
import { childPath, credentialMessage, isCredentialKey, IssueList, looksLikePrivateKey, NOWHERE, PRIVATE_KEY_MESSAGE, type Spot } from './issues.js';

/**
 * The course file as a YAML document whose every node can say where it was written, so each
 * problem can point at its line and column.
 */
export class YamlSource {
  /** Nodes already reported as secrets: later checks skip them rather than echo or re-report. */
  readonly secrets = new Set<unknown>();

  private constructor(
    readonly file: string,
    readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
    readonly issues: IssueList,
  ) {}

  /**
   * Parses `text`; YAML syntax errors become issues (with the parser's position) and the result is
   * undefined, since the rest of the file cannot be trusted once its structure is broken.
   */
  static parse(text: string, file: string, issues: IssueList): YamlSource | undefined {
    const lines = new LineCounter();
    // Duplicate keys are reported by Fields, with the line of the first occurrence.
    const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false, prettyErrors: false });
    const source = new YamlSource(file, doc, lines, issues);
    for (const error of doc.errors) {
      const message = error.code === 'MULTIPLE_DOCS' ? 'the file holds several YAML documents (---); a course file holds one' : error.message.split('\n')[0]!;
      issues.add(file, source.spotAt(error.pos[0]), '', `YAML syntax error: ${message}`);
    }
    return doc.errors.length > 0 ? undefined : source;
  }

  spotAt(offset: number): Spot {
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }

  /** Where a node starts (resolve aliases first to point at the anchored value). */
  spotOf(node: Node | null | undefined): Spot {
    if (!node?.range) return NOWHERE;
    return this.spotAt(node.range[0]);
  }

  /** The node an alias points at, or the node itself. */
  resolve(node: unknown): unknown {
    return isAlias(node) ? node.resolve(this.doc) : node;
  }

  /**
   * Reports credential fields and pasted private keys anywhere in the file, including inside
   * unknown sections, and remembers them so no later message repeats their values.
   */
  findSecrets(node: unknown = this.doc.contents, path = ''): void {
    if (isMap(node)) {
      for (const pair of node.items) this.findSecretsInPair(pair, path);
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => this.findSecrets(item, childPath(path, i)));
    } else if (isScalar(node) && typeof node.value === 'string' && looksLikePrivateKey(node.value)) {
      this.secrets.add(node);
      this.issues.add(this.file, this.spotOf(node), path, PRIVATE_KEY_MESSAGE);
    }
  }

  private findSecretsInPair(pair: Pair<unknown, unknown>, path: string): void {
    if (!isPair(pair)) return;
    const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
    if (key !== undefined && isCredentialKey(key)) {
      this.secrets.add(pair);
      this.issues.add(this.file, this.spotOf(pair.key as Node), childPath(path, key), credentialMessage());
      return;
    }
    this.findSecrets(pair.value, key === undefined ? path : childPath(path, key));
  }
}
